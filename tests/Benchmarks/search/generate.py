"""Writes SIZE_MB of `file`-format lines from 200 pods (20 namespaces x 10) over 24 h, split like the Collector's
rotation: the newest 256 MiB in PATH, older ones in PATH.1, PATH.2 ... (gzip'd from .2 on when COMPRESS=1).
A rare term (rare-needle-4242) is in 12 lines spread over the whole span. With a 4th argument `json` each message is
a JSON object (level, msg, user, ms, pad) as structured application logs are, for `| json` benchmarks."""
import gzip, os, random, shutil, sys

path, size_mb, compress = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
json_body = len(sys.argv) > 4 and sys.argv[4] == "json"
total = size_mb << 20
part = 256 << 20
random.seed(1)
words = ["GET", "POST", "PUT", "/api/v1/items", "/healthz", "200", "201", "404", "500", "ms=", "user=", "ok", "retry", "timeout"]
start = 1_795_132_800  # 2026-11-21T00:00:00Z
line_len = 250
count = total // line_len
step_us = 24 * 3600 * 1_000_000 // count
rare = set(random.sample(range(count), 12))
parts = []
out = None
written = 0
t_us = 0
for i in range(count):
    if out is None or written >= part:
        if out:
            out.close()
        name = f"{path}.part{len(parts)}"
        parts.append(name)
        out = open(name, "w", buffering=1 << 20)
        written = 0
    t_us += step_us
    sec, us = divmod(t_us, 1_000_000)
    secs = start + sec
    day, rem = divmod(secs - 1_795_132_800, 86400)
    hh, rem = divmod(rem, 3600)
    mm, ss = divmod(rem, 60)
    pod = random.randrange(200)
    ns = pod // 10
    sev = random.choice(["info"] * 6 + ["warning", "err", "debug", "notice"])
    body = " ".join(random.choice(words) for _ in range(6))
    if i in rare:
        body += " rare-needle-4242"
    line = (f"2026-11-{21 + day:02d}T{hh:02d}:{mm:02d}:{ss:02d}.{us:06d}Z node-{pod % 16:02d} app-{pod % 7}[{1000 + pod}]: "
            f"local0.{sev} - [k8s@32473 namespace=\"ns-{ns:02d}\" pod=\"ns-{ns:02d}-pod-{pod:03d}\" container=\"main\"] {body} ")
    if json_body:
        level = {"err": "error", "warning": "warn"}.get(sev, sev)
        line = line[:line.rindex("] ") + 2] + (f'{{"level":"{level}","msg":"{body}","user":"u{pod % 13}",'
                                                f'"ms":{(i * 7) % 900},"pad":"')
        line += "x" * max(0, line_len - 4 - len(line.encode())) + '"} \n'
    else:
        line += "x" * max(0, line_len - 1 - len(line.encode())) + "\n"
    out.write(line)
    written += len(line.encode())
out.close()
# parts[0] is the oldest: it becomes PATH.N; the last (newest) becomes PATH.
n = len(parts)
for k, name in enumerate(parts):
    index = n - 1 - k
    target = path if index == 0 else f"{path}.{index}"
    if compress and index >= 2:
        with open(name, "rb") as src, gzip.open(target + ".gz", "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.remove(name)
    else:
        os.replace(name, target)
print(f"{count} lines in {n} files", file=sys.stderr)
