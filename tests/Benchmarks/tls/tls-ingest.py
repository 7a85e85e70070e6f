#!/usr/bin/env python3
"""TLS ingest side by side: the Collector's --tls (TLS 1.3) against the same Collector's plain --tcp, and against
rsyslogd's imtcp with the ossl (OpenSSL) stream driver, on the same load, alternately within each run.

Usage (from the repository root):
    dotnet build Collector -c Release
    tests/Benchmarks/tls/tls-ingest.py [--runs 3] [--messages 1000000] [--size 256] [--collector PATH]

--collector runs another build: a Collector.dll (through dotnet, JIT, the default is this tree's Release build) or a
natively published executable, the form the container image ships (`dotnet publish Collector -c Release -o DIR`, then
`--collector DIR/Collector`).

The load: MESSAGES RFC 5424 messages of SIZE bytes (each numbered), octet-counted (RFC 5425 / RFC 6587), generated
once and sent by this script on one connection in 256 KiB writes, TLS 1.3 where the receiver speaks TLS (Python's
ssl module, OpenSSL). The receivers: the Collector with only the listener under test (other syslog ports disabled,
default file format), and a private rsyslogd in the foreground (own config, absolute pid file; never the system
service) with imtcp, StreamDriver ossl, mode 1, anon, writing RSYSLOG_FileFormat lines. The PKI is made with openssl.
Each run times from the connection's start until the receiver's file holds every line, then waits a quiet second and
checks the count is exact. Prints msgs/s per run with the CPU seconds the receiver used (user + sys from /proc, per
1M messages) and the sending script's own CPU (the TLS client shares the cores), the medians of the runs, their
ratios (rate and CPU per message), and the load average at each run. Everything lives in a temp directory removed afterwards.
"""
import argparse
import os
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchtools import cpu_seconds, dotnet_command, free_port, load, stop, wait_listening  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COLLECTOR = os.path.join(ROOT, "Collector", "bin", "Release", "net10.0", "Collector.dll")
NAMES = {"collector-tcp": "Collector --tcp (plain)", "collector-tls": "Collector --tls (TLS 1.3)",
         "rsyslog-ossl": "rsyslog imtcp ossl (TLS 1.3)"}


class LineCounter:
    """Counts the lines of a growing file, reading only what was added since the last call."""

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


def make_pki(work):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ca, ca_key = os.path.join(work, "ca.crt"), os.path.join(work, "ca.key")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=bench CA", "-addext", "basicConstraints=critical,CA:TRUE")
    key, csr, crt, ext = (os.path.join(work, f"server.{e}") for e in ("key", "csr", "crt", "ext"))
    run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=syslog.test")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:syslog.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "0x1234", "-days", "2", "-extfile", ext,
        "-out", crt)
    return ca, crt, key


def make_load(messages, size):
    """Octet-counted RFC 5424 messages of exactly SIZE bytes each, numbered."""
    head = "<134>1 2026-11-22T10:00:00.000001Z node-1 bench 1 ID - seq="
    pad = "x" * size
    frames = []
    for i in range(messages):
        body = f"{head}{i:09d} "
        msg = (body + pad[: size - len(body)]).encode()
        frames.append(b"%d %s" % (len(msg), msg))
    return b"".join(frames)




def start(work, contender, port, pki, collector):
    ca, crt, key = pki
    directory = os.path.join(work, contender)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    out = os.path.join(directory, "messages")
    if contender.startswith("collector"):
        listen = ["--tcp", f"127.0.0.1:{port}"] if contender == "collector-tcp" else \
            ["--tcp", "", "--tls", f"127.0.0.1:{port}", "--tls-cert", crt, "--tls-key", key]
        proc = subprocess.Popen([*dotnet_command(collector), *listen, "--udp", "", "--relp", "", "--http", "127.0.0.1:0",
                                 "--file", out, "--max-file-size", "8GiB", "--log-level", "Warning"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        conf = os.path.join(directory, "rsyslog.conf")
        with open(conf, "w") as c:
            c.write(f'''global(workDirectory="{directory}" net.enableDNS="off" maxMessageSize="64k"
       DefaultNetstreamDriverCAFile="{ca}" DefaultNetstreamDriverCertFile="{crt}" DefaultNetstreamDriverKeyFile="{key}")
module(load="imtcp" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
ruleset(name="r") {{ action(type="omfile" file="{out}" template="RSYSLOG_FileFormat") }}
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="r")
''')
        proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(directory, "rsyslogd.pid")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(proc, port, NAMES[contender])
    return proc, out


def run_once(work, contender, payload, messages, pki, collector):
    port = free_port()
    proc, out = start(work, contender, port, pki, collector)
    try:
        count = LineCounter(out)
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.time()
        own0 = os.times()
        raw = socket.create_connection(("127.0.0.1", port))
        sock = raw
        if contender != "collector-tcp":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3
            context.load_verify_locations(pki[0])
            sock = context.wrap_socket(raw, server_hostname="syslog.test")
            assert sock.version() == "TLSv1.3", sock.version()
        view = memoryview(payload)
        for offset in range(0, len(payload), 256 * 1024):
            sock.sendall(view[offset:offset + 256 * 1024])
        own1 = os.times()
        deadline = time.time() + 600
        while count() < messages and time.time() < deadline:
            time.sleep(0.05)
        elapsed = time.time() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        sock.close()
        time.sleep(1)
        lines = count()
        if lines != messages:
            raise SystemExit(f"{NAMES[contender]}: {lines} lines for {messages} messages")
        return messages / elapsed, cpu, (own1.user - own0.user) + (own1.system - own0.system)
    finally:
        stop(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--contenders", default="collector-tcp,collector-tls,rsyslog-ossl")
    parser.add_argument("--collector", default=COLLECTOR)
    args = parser.parse_args()
    if not os.path.exists(args.collector):
        raise SystemExit(f"no {args.collector}: build the Collector first: dotnet build Collector -c Release")
    contenders = args.contenders.split(",")
    work = tempfile.mkdtemp(prefix="tls-ingest.")
    try:
        pki = make_pki(work)
        payload = make_load(args.messages, args.size)
        print(f"load: {args.messages} x {args.size} B octet-counted ({len(payload) / 1048576:.0f} MiB), one connection; "
              f"Collector: {' '.join(dotnet_command(args.collector))}")
        print(f"load average before: {load()}")
        results = {c: [] for c in contenders}
        for run in range(1, args.runs + 1):
            for contender in contenders:
                rate, cpu, sender = run_once(work, contender, payload, args.messages, pki, args.collector)
                results[contender].append((rate, cpu))
                print(f"run {run} {NAMES[contender]:32} {rate:10.0f} msgs/s  receiver cpu {cpu:6.2f} s "
                      f"({cpu * 1e6 / args.messages:5.2f} s per 1M)  sender cpu {sender:5.2f} s  load {load()}", flush=True)
        print(f"load average after: {load()}")
        medians = {c: statistics.median(r for r, _ in results[c]) for c in contenders}
        cpus = {c: statistics.median(x for _, x in results[c]) * 1e6 / args.messages for c in contenders}
        for c in contenders:
            print(f"median {NAMES[c]:32} {medians[c]:10.0f} msgs/s  receiver cpu {cpus[c]:6.2f} s per 1M messages")
        if "collector-tls" in medians:
            for other in ("collector-tcp", "rsyslog-ossl"):
                if other in medians:
                    print(f"ratio Collector --tls / {NAMES[other]}: {medians['collector-tls'] / medians[other]:.2f} by rate, "
                          f"{cpus[other] / cpus['collector-tls']:.2f} by CPU per message (above 1: the Collector is cheaper)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
