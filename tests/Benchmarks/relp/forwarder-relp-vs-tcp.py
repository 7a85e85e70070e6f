#!/usr/bin/env python3
"""Forwarder -> relp:// against Forwarder -> tcp:// on the same files, alternately in one run, to rsyslogd (imrelp
against imtcp) or to our own Collector (--relp against --tcp).

Usage (from the repository root):
    dotnet build Forwarder -c Release && dotnet build Collector -c Release
    tests/Benchmarks/relp/forwarder-relp-vs-tcp.py [--receiver rsyslog|collector] [--runs 3] [--files 8] [--lines 125000] [--window 128]

Each run writes FILES CRI-format container logs of LINES lines, starts a private rsyslogd in the foreground (its own
config, absolute pid file, never the system service) with imrelp or imtcp writing %msg% to a file, starts the Forwarder
with a fresh state directory shipping there (relp:// or tcp://), and times from the Forwarder's start until rsyslogd's
file holds every line (then checks the count is exact). Prints lines/s per run and the medians and their ratio.
Everything lives in a temp directory that is removed afterwards; nothing goes into the repository.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FORWARDER = os.path.join(ROOT, "Forwarder", "bin", "Release", "net10.0", "Forwarder.dll")
COLLECTOR = os.path.join(ROOT, "Collector", "bin", "Release", "net10.0", "Collector.dll")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_logs(directory, files, lines):
    containers = os.path.join(directory, "var", "log", "containers")
    os.makedirs(containers)
    for f in range(files):
        path = os.path.join(containers, f"bench-{f}_shop_app-{f:064x}.log")
        with open(path, "w") as out:
            chunk = []
            for n in range(lines):
                chunk.append(f"2026-11-23T10:00:00.{n % 1000000:06d}000Z stdout F f{f} line {n:07d} GET /cart/{n} 200 some typical text of a log line\n")
                if len(chunk) == 10000:
                    out.write("".join(chunk))
                    chunk = []
            out.write("".join(chunk))
    return os.path.join(containers, "*.log")


def count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


def start_rsyslog(work, mode, port):
    out = os.path.join(work, f"{mode}.out")
    conf = os.path.join(work, f"{mode}.conf")
    module = "imrelp" if mode == "relp" else "imtcp"
    with open(conf, "w") as c:
        c.write(f'''global(workDirectory="{work}" net.enableDNS="off" maxMessageSize="64k")
module(load="{module}")
template(name="t" type="string" string="%msg%\\n")
ruleset(name="r") {{ action(type="omfile" file="{out}" template="t") }}
input(type="{module}" address="127.0.0.1" port="{port}" ruleset="r")
''')
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(work, f"{mode}.pid")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, out
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"rsyslogd ({module}) did not listen on {port}")


def start_collector(work, mode, port):
    """The Collector with only the listener under test (the other syslog ports disabled), writing one messages file
    (no rotation during the run: the count reads that one file)."""
    # A directory of its own per run: the Collector keeps sources.json beside its messages file, and a Collector that
    # remembers the previous run's origins drops this run's lines as re-sends.
    directory = os.path.join(work, f"collector-{mode}")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    out = os.path.join(directory, "messages")
    listen = {"relp": ["--relp", f"127.0.0.1:{port}", "--tcp", ""], "tcp": ["--tcp", f"127.0.0.1:{port}", "--relp", ""]}[mode]
    proc = subprocess.Popen(["dotnet", COLLECTOR, *listen, "--udp", "", "--http", "127.0.0.1:0", "--file", out,
                             "--max-file-size", "8GiB", "--log-level", "Warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, out
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the Collector ({mode}) did not listen on {port}")


def run_once(work, glob, mode, total, window, receiver):
    port = free_port()
    rsyslog, out = (start_collector if receiver == "collector" else start_rsyslog)(work, mode, port)
    # The probe connect above is one empty session; only the forwarder's lines count.
    state = os.path.join(work, f"state-{mode}")
    shutil.rmtree(state, ignore_errors=True)
    start = time.monotonic()
    forwarder = subprocess.Popen(["dotnet", FORWARDER, "--include", glob, "--state", state, "--http", "", "--node", "bench",
                                  "--to", f"{mode}://127.0.0.1:{port}", "--relp-window", str(window), "--log-level", "Warning"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        have = 0
        deadline = start + 600
        while have < total and time.monotonic() < deadline:
            time.sleep(0.1)
            have = count_lines(out)
        elapsed = time.monotonic() - start
        time.sleep(1.0)  # a quiet second: nothing more may come (no duplicates)
        final = count_lines(out)
    finally:
        forwarder.send_signal(signal.SIGTERM)
        forwarder.wait(30)
        rsyslog.send_signal(signal.SIGTERM)
        rsyslog.wait(30)
        os.remove(out)
    if final != total:
        print(f"  {mode}: {final} lines at the receiver, expected {total}", file=sys.stderr)
    return total / elapsed, final


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--lines", type=int, default=125_000)
    parser.add_argument("--window", type=int, default=128, help="--relp-window of the Forwarder")
    parser.add_argument("--receiver", choices=["rsyslog", "collector"], default="rsyslog")
    args = parser.parse_args()
    if not os.path.exists(FORWARDER):
        raise SystemExit("build the Forwarder first: dotnet build Forwarder -c Release")
    if args.receiver == "collector" and not os.path.exists(COLLECTOR):
        raise SystemExit("build the Collector first: dotnet build Collector -c Release")
    if args.receiver == "rsyslog" and shutil.which("rsyslogd") is None and not os.path.exists("/usr/sbin/rsyslogd"):
        raise SystemExit("needs rsyslogd with rsyslog-relp (apt-get install rsyslog rsyslog-relp)")
    work = tempfile.mkdtemp(prefix="bench-relp-")
    try:
        glob = write_logs(work, args.files, args.lines)
        total = args.files * args.lines
        rates = {"relp": [], "tcp": []}
        for run in range(1, args.runs + 1):
            for mode in ("relp", "tcp"):
                rate, final = run_once(work, glob, mode, total, args.window, args.receiver)
                rates[mode].append(rate)
                print(f"run {run} {mode}: {rate:,.0f} lines/s ({final} of {total} lines)")
        relp, tcp = statistics.median(rates["relp"]), statistics.median(rates["tcp"])
        print(f"median relp {relp:,.0f} lines/s, tcp {tcp:,.0f} lines/s, relp/tcp {relp / tcp:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
