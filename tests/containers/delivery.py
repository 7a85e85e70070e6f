#!/usr/bin/env python3
"""Compares what a node tree's container logs hold with what a Collector's messages file stored.

Usage: delivery.py check ROOT MOUNTED_AT MESSAGES [--prefix] [--min N] [--plain RELATIVE_PATH]...
       delivery.py texts ROOT MOUNTED_AT NAMESPACE/POD/CONTAINER    (the texts expected, one a line)

ROOT is the node tree as this machine sees it, MOUNTED_AT the path the writer saw it at (its symlinks are absolute
paths under that). Every /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log is read the way the runtimes write it
(CRI lines with P fragments joined to their F line, docker json-file lines) and becomes the exact list of
(stream, text) expected under NAMESPACE/POD/CONTAINER in the messages file, in order.

Exact (default): each container's stored list equals its file's list, and nothing else is stored under a Kubernetes
identity: no line lost, repeated, reordered or invented. --prefix: each stored list is a prefix of the expected one
(the writer is still appending, or the stack was stopped mid-way); --min N: and holds at least N lines for every
container. --plain adds a plain log file under ROOT (not a container's): its lines, in order, are expected as the
messages of the lines stored with the file's name (without .log) as TAG. Exits 0 when it holds, 1 with the first difference per container otherwise.
"""
import json
import os
import re
import sys

ESCAPE = re.compile(rb"#([0-3][0-7][0-7])")
# RSYSLOG_FileFormat with the SD kept: TIMESTAMP HOSTNAME TAG: FACILITY.SEVERITY MSGID [SD]... MSG
PLAIN = re.compile(r'^\S+ \S+ (?P<tag>[^ :]+): \S+ \S+ (?:\[(?:[^"\]]|"(?:[^"\\]|\\.)*")*\])+ (?P<msg>.*)$')


def resolve(root, mounted_at, path):
    """Follows symlinks whose absolute targets name paths as the writer saw them."""
    for _ in range(10):
        if not os.path.islink(path):
            return path
        target = os.readlink(path)
        if os.path.isabs(target):
            relative = os.path.relpath(os.path.normpath(target), mounted_at)
            if relative.startswith(".."):
                raise SystemExit(f"{path} -> {target} leaves the node tree at {mounted_at}")
            path = os.path.join(root, relative)
        else:
            path = os.path.join(os.path.dirname(path), target)
    raise SystemExit(f"{path}: too many symlinks")


def read_container_log(path):
    entries, partial = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # the writer was stopped mid-line: the runtime has not finished it either
            line = line[:-1]
            if line.startswith("{"):
                record = json.loads(line)
                entries.append((record["stream"], record["log"].removesuffix("\n")))
                continue
            _time, stream, tag, text = line.split(" ", 3)
            partial.append(text)
            if tag == "F":
                entries.append((stream, "".join(partial)))
                partial = []
    return entries


def expected(root, mounted_at):
    directory = os.path.join(root, "var/log/containers")
    result = {}
    for name in sorted(os.listdir(directory)):
        pod, namespace, rest = name.removesuffix(".log").split("_", 2)
        container = rest.rsplit("-", 1)[0]
        result[f"{namespace}/{pod}/{container}"] = read_container_log(resolve(root, mounted_at, os.path.join(directory, name)))
    return result


def stored(messages):
    """NAMESPACE/POD/CONTAINER -> [(stream, text)] from message-first lines; the other lines apart."""
    result, other = {}, []
    with open(messages, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\n")
            front, tab, _tail = line.partition(b"\t")
            parts = front.split(b" ", 4)
            if not tab or len(parts) < 5 or parts[2].count(b"/") != 2 or not parts[3].endswith(b":"):
                other.append(line.decode("utf-8", "replace"))
                continue
            text = ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]), parts[4])
            result.setdefault(parts[2].decode(), []).append((parts[3][:-1].decode(), text.decode("utf-8")))
    return result, other


def first_difference(want, got):
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return f"line {i + 1}: expected {w!r}, stored {g!r}"
    if len(got) > len(want):
        return f"{len(got) - len(want)} extra line(s) stored after the expected {len(want)}, first {got[len(want)]!r}"
    return f"stored {len(got)} of {len(want)} lines, first missing {want[len(got)]!r}"


def plain_lines(other, tag):
    result = []
    for line in other:
        match = PLAIN.match(line)
        if match and match.group("tag") == tag:
            text = ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]), match.group("msg").encode())
            result.append(("-", text.decode("utf-8")))
    return result


def check(root, mounted_at, messages, prefix, minimum, plain=()):
    want, (got, other) = expected(root, mounted_at), stored(messages)
    for relative in plain:
        tag = os.path.basename(relative).removesuffix(".log")
        with open(os.path.join(root, relative), encoding="utf-8") as f:
            want[f"plain:{tag}"] = [("-", line[:-1]) for line in f if line.endswith("\n")]
        got[f"plain:{tag}"] = plain_lines(other, tag)
    problems = [f"{identity}: stored but no such container log" for identity in sorted(set(got) - set(want))]
    for identity, lines in sorted(want.items()):
        have = got.get(identity, [])
        ok = have == lines[: len(have)] if prefix else have == lines
        if not ok:
            problems.append(f"{identity}: {first_difference(lines, have)}")
        elif len(have) < minimum:
            problems.append(f"{identity}: {len(have)} line(s) stored, waiting for {minimum}")
    summary = ", ".join(f"{identity} {len(got.get(identity, []))}/{len(lines)}" for identity, lines in sorted(want.items()))
    print(("ok: " if not problems else "differs: ") + summary)
    for problem in problems:
        print("  " + problem)
    return 0 if not problems else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "texts":
        for _stream, text in expected(argv[2], argv[3])[argv[4]]:
            print(text)
        return 0
    if len(argv) < 5 or argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    prefix = "--prefix" in argv
    minimum = int(argv[argv.index("--min") + 1]) if "--min" in argv else 0
    plain = [argv[i + 1] for i, a in enumerate(argv) if a == "--plain"]
    return check(argv[2], argv[3], argv[4], prefix, minimum, plain)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
