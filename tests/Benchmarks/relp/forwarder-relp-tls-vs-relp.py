#!/usr/bin/env python3
"""Forwarder -> relp+tls:// against Forwarder -> relp:// on the same files, alternately in one run, to a private
rsyslogd with imrelp, with tls="on" (librelp over OpenSSL, client certificates required: tls.authMode="certvalid")
and without. What TLS costs the Forwarder's RELP shipping, pipelining and all.

Usage (from the repository root):
    dotnet build Forwarder -c Release
    tests/Benchmarks/relp/forwarder-relp-tls-vs-relp.py [--runs 3] [--files 4] [--lines 100000] [--window 128]

The CA, the receiver's certificate and the Forwarder's client certificate (ECDSA P-256) are made with the openssl
command in a temp directory. Each run starts the receiver (rsyslogd in the foreground with its own config and an
absolute pid file, never the system service, writing %msg% to a file), starts the Forwarder with a fresh state directory
and times from its start until the receiver's file holds every line, then waits a quiet second and checks the count is
exact. Prints lines/s per run with the CPU seconds of the Forwarder and of rsyslogd, the medians, the ratio, and the load
average before and after. Everything lives in a temp directory that is removed afterwards.
"""
import argparse
import importlib.util
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("relp_vs_tcp", os.path.join(os.path.dirname(__file__), "forwarder-relp-vs-tcp.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(work):
    """ca.crt, server.crt/key (SAN 127.0.0.1) and client.crt/key, as an operator's private CA would issue them."""
    d = os.path.join(work, "pki")
    os.makedirs(d)
    p = lambda name: os.path.join(d, name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj", "/CN=bench CA")
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
                      ("client", "extendedKeyUsage=clientAuth")):
        with open(p(f"{name}.ext"), "w") as f:
            f.write(ext + "\n")
        openssl("req", *ec, "-keyout", p(f"{name}.key"), "-out", p(f"{name}.csr"), "-subj", f"/CN=bench-{name}")
        openssl("x509", "-req", "-in", p(f"{name}.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial",
                "-out", p(f"{name}.crt"), "-days", "2", "-extfile", p(f"{name}.ext"))
    return p


def start_imrelp(work, mode, port, pki):
    out = os.path.join(work, f"{mode}.out")
    conf = os.path.join(work, f"{mode}.conf")
    tls = (f' tls="on" tls.caCert="{pki("ca.crt")}" tls.myCert="{pki("server.crt")}" tls.myPrivKey="{pki("server.key")}"'
           ' tls.authMode="certvalid"') if mode == "relp+tls" else ""
    with open(conf, "w") as c:
        c.write(f'''global(workDirectory="{work}" net.enableDNS="off" maxMessageSize="64k")
module(load="imrelp" tls.tlslib="openssl")
template(name="t" type="string" string="%msg%\\n")
ruleset(name="r") {{ action(type="omfile" file="{out}" template="t") }}
input(type="imrelp" address="127.0.0.1" port="{port}" ruleset="r"{tls})
''')
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf, "-i", os.path.join(work, f"{mode}.pid")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, out
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"rsyslogd ({mode}) did not listen on {port}")


def run_once(work, glob, mode, total, window, pki, cap=600):
    port = base.free_port()
    rsyslog, out = start_imrelp(work, mode, port, pki)
    state = os.path.join(work, f"state-{mode}")
    shutil.rmtree(state, ignore_errors=True)
    tls = ["--tls-ca", pki("ca.crt"), "--tls-cert", pki("client.crt"), "--tls-key", pki("client.key")] if mode == "relp+tls" else []
    start = time.monotonic()
    forwarder = subprocess.Popen(["dotnet", base.FORWARDER, "--include", glob, "--state", state, "--http", "", "--node", "bench",
                                  "--to", f"{mode}://127.0.0.1:{port}", "--relp-window", str(window), "--log-level", "Warning", *tls],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    count = base.LineCounter(out)
    try:
        have = 0
        while have < total and time.monotonic() < start + cap:
            time.sleep(0.1)
            have = count()
        elapsed = time.monotonic() - start
        cpu = (base.cpu_seconds(forwarder), base.cpu_seconds(rsyslog))
        if have >= total:
            time.sleep(1.0)  # a quiet second: nothing more may come (no duplicates)
        final = count()
    finally:
        forwarder.send_signal(signal.SIGTERM)
        forwarder.wait(30)
        rsyslog.send_signal(signal.SIGTERM)
        rsyslog.wait(30)
        os.remove(out)
    if final != total:
        print(f"  {mode}: {final} lines at the receiver, expected {total}", file=sys.stderr)
    return have / elapsed, final, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=128, help="--relp-window of the Forwarder")
    args = parser.parse_args()
    for tool in ("rsyslogd", "openssl", "dotnet"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            raise SystemExit(f"needs {tool}")
    if not os.path.exists(base.FORWARDER):
        raise SystemExit(f"build the Forwarder first: {base.FORWARDER} is missing")
    total = args.files * args.lines
    work = tempfile.mkdtemp(prefix="relp-tls-bench-")
    try:
        pki = make_certificates(work)
        glob = base.write_logs(work, args.files, args.lines)
        print(f"{args.files} files x {args.lines} lines = {total} lines; window {args.window}; load before {base.load()}")
        rates = {"relp": [], "relp+tls": []}
        for run in range(args.runs):
            for mode in (("relp", "relp+tls") if run % 2 == 0 else ("relp+tls", "relp")):
                rate, final, (sender_cpu, receiver_cpu) = run_once(work, glob, mode, total, args.window, pki)
                rates[mode].append(rate)
                print(f"run {run + 1} {mode + '://':12} {rate:10.0f} lines/s  {final} lines  "
                      f"cpu forwarder {sender_cpu:.1f}s rsyslogd {receiver_cpu:.1f}s  load {base.load()}")
        relp, tls = statistics.median(rates["relp"]), statistics.median(rates["relp+tls"])
        print(f"median relp://     {relp:10.0f} lines/s")
        print(f"median relp+tls:// {tls:10.0f} lines/s  ({tls / relp:.2f}x relp://)")
        print(f"load after {base.load()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
