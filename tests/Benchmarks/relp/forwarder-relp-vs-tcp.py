#!/usr/bin/env python3
"""Forwarder -> relp:// against Forwarder -> tcp:// on the same files, alternately in one run, to rsyslogd (imrelp
against imtcp) or to our own Collector (--relp against --tcp); with --imfile also rsyslog's own pipeline on the same
files: a private rsyslogd tailing them with imfile and forwarding with omrelp to a private rsyslogd with imrelp
(omrelp's windowSize 1024 by default: with its own 128 it stalls on a timer, see start_imfile_sender).

Usage (from the repository root):
    dotnet build Forwarder -c Release && dotnet build Collector -c Release
    tests/Benchmarks/relp/forwarder-relp-vs-tcp.py [--receiver rsyslog|collector] [--imfile] [--runs 3] [--files 8]
        [--lines 125000] [--window auto|N] [--imfile-window 1024] [--forwarder PATH] [--baseline PATH] [--baseline-collector PATH]
        [--collector PATH]

--forwarder and --baseline take a Forwarder.dll (run with `dotnet`, under the JIT) or a native Forwarder from
`dotnet publish Forwarder -c Release -o DIR` (the AOT build that ships, without the JIT's CPU); --collector likewise a
Collector.dll or a native Collector.

The files: FILES CRI-format container logs of LINES lines each, written once. Each run starts the receiver (a private
rsyslogd in the foreground with its own config and an absolute pid file, never the system service, with imrelp or
imtcp writing %msg% to a file; or the Collector with only --relp or --tcp), starts the Forwarder with a fresh state
directory shipping there (relp:// or tcp://), and times from the Forwarder's start until the receiver's file holds
every line, then waits a quiet second and checks the count is exact (none lost, none twice). The imfile contender
times from the sending rsyslogd's start the same way (it sends the whole CRI line, the Forwarder only the message
with an RFC 5424 header: the line counts compare, the bytes differ a little). The contenders alternate within each
run. Prints lines/s per run with the CPU seconds the sender and the receiver used until the last line arrived (steadier
than lines/s on a busy machine) and the sender's context switches (every thread's, from /proc), the medians, their
ratios, and the load average before and after.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchtools import context_switches, cpu_seconds, dotnet_command, free_port, load  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FORWARDER = os.path.join(ROOT, "Forwarder", "bin", "Release", "net10.0", "Forwarder.dll")
COLLECTOR = os.path.join(ROOT, "Collector", "bin", "Release", "net10.0", "Collector.dll")


NAMES = {"relp": "forwarder relp://", "tcp": "forwarder tcp://", "imfile": "rsyslog imfile->omrelp->imrelp",
         "relp-window": "forwarder relp:// (other window)", "relp-baseline": "baseline forwarder relp://"}


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


class LineCounter:
    """Counts the lines of a growing file, reading only what was added since the last call (a full re-read every
    tenth of a second would cost the machine more CPU the further a run gets)."""

    def __init__(self, path):
        self.path, self.offset, self.lines = path, 0, 0

    def __call__(self):
        if os.path.exists(self.path):
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                for block in iter(lambda: f.read(1 << 20), b""):
                    self.lines += block.count(b"\n")
                    self.offset += len(block)
        return self.lines


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


def start_collector(work, mode, port, collector=None):
    """The Collector with only the listener under test (the other syslog ports disabled), writing one messages file
    (no rotation during the run: the count reads that one file)."""
    # A directory of its own per run: the Collector keeps sources.json beside its messages file, and a Collector that
    # remembers the previous run's origins drops this run's lines as re-sends.
    directory = os.path.join(work, f"collector-{mode}")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    out = os.path.join(directory, "messages")
    listen = {"relp": ["--relp", f"127.0.0.1:{port}", "--tcp", ""], "tcp": ["--tcp", f"127.0.0.1:{port}", "--relp", ""]}[mode]
    proc = subprocess.Popen([*dotnet_command(collector or COLLECTOR), *listen, "--udp", "", "--http", "127.0.0.1:0", "--file", out,
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


def start_imfile_sender(work, glob, port, window):
    """rsyslog's own Forwarder: imfile reading every file from its start, omrelp to the imrelp receiver, as a user
    would set it up (the main queue in memory), with omrelp's windowSize WINDOW (0: omrelp's default, 128).

    Why not omrelp's default window: omrelp corks the socket (TCP_CORK, librelp's relpCltHintBurstBegin) for each
    batch it takes from the queue and uncorks it when the batch is done. A batch of imfile lines is longer than 128
    messages, so the window fills inside the batch: omrelp then waits for answers to frames that the kernel still
    holds corked, until Linux sends them anyway after its 200 ms cork timeout. That runs at ~2,000 lines/s (128
    lines per 200 ms on each of the main queue's two workers), whatever the machine: a timer, not rsyslog's speed
    (ss -ti on the sender shows notsent:22016, a whole window of 172-byte frames, between the timer's ticks).
    A window of 1024 is over the batch and rarely fills inside one."""
    directory = os.path.join(work, "imfile-sender")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    conf = os.path.join(directory, "sender.conf")
    with open(conf, "w") as c:
        c.write(f'''global(workDirectory="{directory}" net.enableDNS="off" maxMessageSize="64k")
module(load="imfile" mode="inotify")
module(load="omrelp")
input(type="imfile" file="{glob}" tag="bench:" freshStartTail="off" ruleset="fwd")
ruleset(name="fwd") {{ action(type="omrelp" target="127.0.0.1" port="{port}"{f' windowSize="{window}"' if window else ""}) }}
''')
    return subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(directory, "sender.pid")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_once(work, glob, mode, total, window, receiver, imfile_window=0, cap=600, forwarder_dll=FORWARDER, collector=None):
    """Lines/s of one contender, the lines at the receiver, and whether it hit the time cap (then the rate is the lines
    that had arrived by the cap over the time taken, and the count is not checked)."""
    port = free_port()
    # relp-window and relp-baseline are relp:// with another window or another build of the Forwarder.
    scheme = "tcp" if mode == "tcp" else "relp"
    if mode == "imfile":
        rsyslog, out = start_rsyslog(work, "relp", port)
    else:
        rsyslog, out = start_collector(work, scheme, port, collector) if receiver == "collector" else start_rsyslog(work, scheme, port)
    # The probe connect above is one empty session; only the forwarder's lines count.
    state = os.path.join(work, f"state-{mode}")
    shutil.rmtree(state, ignore_errors=True)
    start = time.monotonic()
    if mode == "imfile":
        forwarder = start_imfile_sender(work, glob, port, imfile_window)
    else:
        # A .dll runs under the JIT; anything else is a native (AOT) build, as published and shipped.
        launcher = dotnet_command(forwarder_dll)
        # A baseline build from before --relp-window auto gets its own default (128) for auto.
        window_args = [] if window == "auto" and mode == "relp-baseline" else ["--relp-window", str(window)]
        forwarder = subprocess.Popen([*launcher, "--include", glob, "--state", state, "--http", "", "--node", "bench",
                                      "--to", f"{scheme}://127.0.0.1:{port}", *window_args, "--log-level", "Warning"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    count = LineCounter(out)
    try:
        have = 0
        deadline = start + cap
        while have < total and time.monotonic() < deadline:
            time.sleep(0.1)
            have = count()
        elapsed = time.monotonic() - start
        cpu = (cpu_seconds(forwarder.pid), cpu_seconds(rsyslog.pid), context_switches(forwarder.pid))
        capped = have < total
        if not capped:
            time.sleep(1.0)  # a quiet second: nothing more may come (no duplicates)
        final = count()
    finally:
        forwarder.send_signal(signal.SIGTERM)
        forwarder.wait(30)
        rsyslog.send_signal(signal.SIGTERM)
        rsyslog.wait(30)
        os.remove(out)
    if capped:
        return have / elapsed, final, True, cpu
    if final != total:
        print(f"  {mode}: {final} lines at the receiver, expected {total}", file=sys.stderr)
    return total / elapsed, final, False, cpu


def main():
    global COLLECTOR
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--lines", type=int, default=125_000)
    parser.add_argument("--window", default="auto",
                        help="--relp-window of the Forwarder: auto (its default: 1024 to our Collector, 128 to rsyslog) or N")
    parser.add_argument("--receiver", choices=["rsyslog", "collector"], default="rsyslog")
    parser.add_argument("--imfile", action="store_true", help="also rsyslog imfile -> omrelp -> rsyslog imrelp on the same files")
    parser.add_argument("--imfile-window", type=int, default=1024,
                        help="omrelp windowSize (0: omrelp's own 128, which stalls on its TCP_CORK: see start_imfile_sender)")
    parser.add_argument("--other-window", type=int, default=0, help="also the Forwarder over relp:// with this --relp-window")
    parser.add_argument("--forwarder", default=FORWARDER,
                        help="the Forwarder under test: a Forwarder.dll, or the native Forwarder of `dotnet publish Forwarder -c Release -o DIR`")
    parser.add_argument("--baseline", help="also this Forwarder.dll or native Forwarder (another build, e.g. of an earlier commit) over relp://")
    parser.add_argument("--baseline-collector", help="the receiver of the baseline run (another Collector build; --receiver collector)")
    parser.add_argument("--collector", default=COLLECTOR,
                        help="the Collector (--receiver collector): a Collector.dll, or the native Collector of `dotnet publish Collector -c Release -o DIR`")
    parser.add_argument("--imfile-cap", type=float, default=120, help="seconds after which an imfile run is cut short and rated by what arrived")
    args = parser.parse_args()
    if not os.path.exists(args.forwarder):
        raise SystemExit("build the Forwarder first: dotnet build Forwarder -c Release")
    COLLECTOR = args.collector
    if args.receiver == "collector" and not os.path.exists(COLLECTOR):
        raise SystemExit("build the Collector first: dotnet build Collector -c Release")
    if (args.receiver == "rsyslog" or args.imfile) and shutil.which("rsyslogd") is None and not os.path.exists("/usr/sbin/rsyslogd"):
        raise SystemExit("needs rsyslogd with rsyslog-relp (apt-get install rsyslog rsyslog-relp)")
    work = tempfile.mkdtemp(prefix="bench-relp-")
    try:
        glob = write_logs(work, args.files, args.lines)
        total = args.files * args.lines
        modes = ["relp", "tcp"] + (["relp-window"] if args.other_window else []) + (["relp-baseline"] if args.baseline or args.baseline_collector else []) + (["imfile"] if args.imfile else [])
        if args.other_window:
            NAMES["relp-window"] = f"forwarder relp:// window {args.other_window}"
        rates = {mode: [] for mode in modes}
        imfile = f", omrelp windowSize {args.imfile_window or 'default (128)'}" if args.imfile else ""
        print(f"{args.files} files x {args.lines} lines, receiver {args.receiver}, window {args.window}{imfile}, load average before {load()}", flush=True)
        for run in range(1, args.runs + 1):
            for mode in modes:
                cap = args.imfile_cap if mode == "imfile" else 600
                window = args.other_window if mode == "relp-window" else args.window
                dll = (args.baseline or args.forwarder) if mode == "relp-baseline" else args.forwarder
                collector = args.baseline_collector if mode == "relp-baseline" else None
                rate, final, capped, cpu = run_once(work, glob, mode, total, window, args.receiver, args.imfile_window, cap, dll, collector)
                rates[mode].append(rate)
                note = f", cut at {cap:.0f} s" if capped else ""
                print(f"run {run} {NAMES[mode]}: {rate:,.0f} lines/s ({final} of {total} lines{note}), "
                      f"CPU s sender {cpu[0]:.1f} receiver {cpu[1]:.1f}, sender context switches {cpu[2]:,}, load {load()}", flush=True)
        median = {mode: statistics.median(r) for mode, r in rates.items()}
        print("median " + ", ".join(f"{NAMES[m]} {median[m]:,.0f} lines/s" for m in modes))
        print(f"relp/tcp {median['relp'] / median['tcp']:.2f}", end="")
        for other in modes[2:]:
            print(f", relp/{other} {median['relp'] / median[other]:.2f}", end="")
        print(f"; load average after {load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
