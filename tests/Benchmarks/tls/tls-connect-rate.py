#!/usr/bin/env python3
"""New mutual-TLS connections per second on the Collector's --tls while ingest continues (issue 16: "500 new TLS
connections per second accepted with mTLS while ingest continues").

Usage (from the repository root):
    dotnet build Collector -c Release
    tests/Benchmarks/tls/tls-connect-rate.py [--runs 3] [--rate 500] [--seconds 20] [--stream-rate 10000]
        [--client c|python] [--workers N] [--collector PATH] [-- COLLECTOR-SWITCHES...]

--collector runs another build (a Collector.dll through dotnet, or a natively published executable, as in
tls-ingest.py); switches after `--` are added to the Collector's command line (e.g. `-- --tls-max-handshakes 4`).

The Collector listens only on --tls (TLS 1.2/1.3), client certificates required (certvalid) against a private CA made
with openssl, with --identity-from-cert and --identity-mismatch reject, as the node-certificates component runs it.
Meanwhile:
  - the stream: one mTLS connection (its own client certificate) sends STREAM-RATE RFC 5424 messages of 256 bytes
    per second, octet-counted, from two seconds before the connection phase until two seconds after it;
  - the connection phase: WORKERS processes open new connections on an open-loop schedule of RATE per second in
    total for SECONDS seconds (connection i is due at i / RATE, whatever happened to the earlier ones): TCP connect,
    a full TLS 1.3 handshake with a client certificate (no session resumption), the server's name checked, one
    message naming the connection, close.
The connecting clients (--client):
  - c (the default when it builds): connect-client.c next to this script, compiled with `cc -O2 ... -lssl -lcrypto`
    into the work directory when cc and /usr/include/openssl/ssl.h exist. One epoll loop per process on OpenSSL, as
    lean as a real TLS client (a Forwarder's SslStream is OpenSSL underneath); WORKERS defaults to 1.
  - python: asyncio streams; asyncio's SSL protocol drives OpenSSL through memory BIOs in Python, which costs the
    client several times the CPU per handshake of the C client, on the same cores as the Collector; WORKERS
    defaults to 4. The fallback, said so, when the C client cannot be built.
Both report their own CPU (getrusage), printed per connection next to the Collector's.
A connection counts as accepted when its handshake finished and its message is in the Collector's file (in TLS 1.3
the server checks the client certificate after the client's handshake ends, so the client's view alone proves
nothing). Each run then checks the file exactly: every accepted connection's message once, every stream message once
and in order, nothing else. Per run it prints the accepted connections per second over the phase (first due time to
last close), the handshake latency (connect to handshake done; median and 99th percentile), failures, how late the
schedule ran (the client machine keeping up), the stream's delivered rate during the phase, the Collector's CPU
seconds and the load average; then the medians over the runs. Client and server share this machine's cores: on a
loaded machine the clients fall behind the schedule (see "late") before the Collector does.
"""
import argparse
import asyncio
import multiprocessing
import os
import re
import resource
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from benchtools import cpu_seconds, dotnet_command, free_port, load, stop, wait_listening  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COLLECTOR = os.path.join(ROOT, "Collector", "bin", "Release", "net10.0", "Collector.dll")
SERVER_NAME = "syslog.test"
STREAM_NODE, CONNECTION_NODE = "stream-node", "conn-node"


def make_pki(work):
    """A CA, the server pair for syslog.test and 127.0.0.1, and one client pair per node name."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ca, ca_key = os.path.join(work, "ca.crt"), os.path.join(work, "ca.key")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", "2", "-subj", "/CN=bench CA", "-addext", "basicConstraints=critical,CA:TRUE")

    def issue(name, extensions):
        key, csr, crt, ext = (os.path.join(work, f"{name}.{e}") for e in ("key", "csr", "crt", "ext"))
        run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", csr, "-subj", f"/CN={name}")
        with open(ext, "w") as f:
            f.write(extensions)
        run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2", "-extfile", ext,
            "-out", crt)
        return crt, key

    server = issue("server", f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    clients = {n: issue(n, f"subjectAltName=DNS:{n}\nextendedKeyUsage=clientAuth\n")
               for n in (STREAM_NODE, CONNECTION_NODE)}
    return ca, server, clients


def client_context(ca, pair):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(ca)
    context.load_cert_chain(*pair)
    return context


def frame(node, text, size=0):
    msg = f"<134>1 2026-11-22T10:00:00.000001Z {node} bench 1 ID - {text}"
    msg += "x" * max(0, size - len(msg))
    body = msg.encode()
    return b"%d %s" % (len(body), body)


def stream(port, ca, pair, rate, start_at, stop_at, result):
    """One connection sending RATE messages/s in 10 ms ticks from START_AT to STOP_AT; returns per-second sends."""
    raw = socket.create_connection(("127.0.0.1", port))
    sock = client_context(ca, pair).wrap_socket(raw, server_hostname=SERVER_NAME)  # takes over raw's descriptor
    sent, timeline = 0, []
    while time.time() < start_at:
        time.sleep(0.001)
    while (now := time.time()) < stop_at:
        due = int((now - start_at) * rate)
        if due > sent:
            sock.sendall(b"".join(frame(STREAM_NODE, f"stream seq={i:09d}", 256) for i in range(sent, due)))
            sent = due
            timeline.append((time.time(), sent))
        time.sleep(0.01)
    # A close with unread data (the server's TLS 1.3 session tickets) would send a reset, and the Collector's kernel
    # would drop what it had not read yet: read what came, send FIN, and wait for the Collector to close.
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except (ssl.SSLWantReadError, BlockingIOError):
        pass
    sock.setblocking(True)
    sock.settimeout(60)
    sock.shutdown(socket.SHUT_WR)  # plain from here on: FIN without close_notify, the stream read as cut at a frame end
    try:
        while sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()
    result.put(("stream", sent, timeline))


async def connections(port, ca, pair, indices, rate, start_at):
    context = client_context(ca, pair)
    results = []

    async def one(i):
        due = start_at + i / rate
        await asyncio.sleep(max(0.0, due - time.time()))
        begin = time.time()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", port, ssl=context, server_hostname=SERVER_NAME), 30)
            handshake = time.time() - begin
            writer.write(frame(CONNECTION_NODE, f"conn id={i:07d}"))
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            results.append((i, True, begin - due, handshake, time.time(), ""))
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as e:
            results.append((i, False, begin - due, 0.0, time.time(), type(e).__name__ + ": " + str(e)[:80]))

    await asyncio.gather(*(one(i) for i in indices))
    return results


def connector(port, ca, pair, indices, rate, start_at, result):
    outcomes = asyncio.run(connections(port, ca, pair, indices, rate, start_at))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.put(("connections", outcomes, usage.ru_utime + usage.ru_stime))


def build_c_client(work):
    """The C client compiled into WORK, or None (with the reason printed) when it cannot be built here."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "connect-client.c")
    if not shutil.which("cc") or not os.path.exists("/usr/include/openssl/ssl.h"):
        print("no cc or no /usr/include/openssl/ssl.h (libssl-dev): the Python clients make the connections",
              flush=True)
        return None
    binary = os.path.join(work, "connect-client")
    built = subprocess.run(["cc", "-O2", "-o", binary, source, "-lssl", "-lcrypto"], capture_output=True, text=True)
    if built.returncode != 0:
        print(f"connect-client.c did not build, the Python clients make the connections:\n{built.stderr}", flush=True)
        return None
    return binary


def c_connector(binary, port, ca, pair, first, step, total, rate, start_at):
    """One C client process for connections FIRST, FIRST+STEP, ... < TOTAL; see connect-client.c."""
    return subprocess.Popen(
        [binary, "127.0.0.1", str(port), SERVER_NAME, ca, *pair, CONNECTION_NODE, str(rate), repr(start_at),
         str(first), str(step), str(total), "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def c_outcomes(proc, timeout):
    """The C client's per-connection lines as the Python client's tuples, and its CPU seconds."""
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"connect-client failed ({proc.returncode}): {err.strip()}")
    outcomes, cpu = [], 0.0
    for line in out.splitlines():
        fields = line.split("\t")
        if fields[0] == "cpu":
            cpu = float(fields[1]) + float(fields[2])
        else:
            outcomes.append((int(fields[0]), fields[1] == "1", float(fields[2]), float(fields[3]), float(fields[4]),
                             fields[5]))
    return outcomes, cpu


def metrics(http_port, name):
    """The samples of NAME by their labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10) as r:
        text = r.read().decode()
    return {line.rsplit(" ", 1)[0][len(name):]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")}


def metric(http_port, name):
    return sum(metrics(http_port, name).values())


def stored(path):
    conns, seqs, other = [], [], 0
    if os.path.exists(path):
        with open(path, "rb") as f:
            for line in f:
                if m := re.search(rb"conn id=(\d{7})", line):
                    conns.append(int(m.group(1)))
                elif m := re.search(rb"stream seq=(\d{9})", line):
                    seqs.append(int(m.group(1)))
                else:
                    other += 1
    return conns, seqs, other




def run_once(work, run, args, pki):
    ca, server, clients = pki
    port, http_port = free_port(), free_port()
    out = os.path.join(work, f"messages.{run}")
    command = dotnet_command(args.collector)
    proc = subprocess.Popen(
        [*command, "--tcp", "", "--udp", "", "--relp", "", "--tls", f"127.0.0.1:{port}",
         "--tls-cert", server[0], "--tls-key", server[1], "--tls-client-ca", ca, "--tls-client-auth", "certvalid",
         "--identity-from-cert", "true", "--identity-mismatch", "reject", "--http", f"127.0.0.1:{http_port}",
         "--file", out, "--log-level", "Warning", *args.collector_switches],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_listening(proc, port, "the Collector", 60)
        wait_listening(proc, http_port, "the Collector", 60)
        load_before = load()
        total = int(args.rate * args.seconds)
        phase_start = time.time() + 4
        stream_start, stream_stop = phase_start - 2, phase_start + args.seconds + 2
        result = multiprocessing.Queue()
        workers = [multiprocessing.Process(target=stream, args=(
            port, ca, clients[STREAM_NODE], args.stream_rate, stream_start, stream_stop, result))]
        if not args.c_binary:
            workers += [multiprocessing.Process(target=connector, args=(
                port, ca, clients[CONNECTION_NODE], range(k, total, args.workers), args.rate, phase_start, result))
                for k in range(args.workers)]
        handshakes0 = metric(http_port, "kubesyslog_collector_tls_handshakes_total")
        for w in workers:
            w.start()
        c_clients = [c_connector(args.c_binary, port, ca, clients[CONNECTION_NODE], k, args.workers, total,
                                 args.rate, phase_start) for k in range(args.workers)] if args.c_binary else []
        while time.time() < phase_start:
            time.sleep(0.01)
        cpu0 = cpu_seconds(proc.pid)
        outcomes, stream_sent, timeline, client_cpu = [], 0, [], 0.0
        for c in c_clients:
            more, more_cpu = c_outcomes(c, args.seconds + 300)
            outcomes += more
            client_cpu += more_cpu
        if c_clients:
            cpu = cpu_seconds(proc.pid) - cpu0
        for _ in workers:
            item = result.get(timeout=args.seconds + 300)
            if item[0] == "stream":
                stream_sent, timeline = item[1], item[2]
            else:
                outcomes += item[1]
                client_cpu += item[2]
                if len(outcomes) == total:
                    cpu = cpu_seconds(proc.pid) - cpu0
        for w in workers:
            w.join()
        handshakes = metric(http_port, "kubesyslog_collector_tls_handshakes_total") - handshakes0
        failures = {re.sub(r'.*reason="([^"]*)".*', r"\1", k): v for k, v in
                    metrics(http_port, "kubesyslog_collector_tls_handshake_failures_total").items() if v}

        ok = sorted(i for i, success, *_ in outcomes if success)
        # Everything sent is in the file within a minute; then a quiet second.
        deadline, last = time.time() + 60, None
        while time.time() < deadline:
            now = stored(out)
            if len(now[0]) >= len(ok) and len(now[1]) >= stream_sent and now == last:
                break
            last = now
            time.sleep(1)
        conns, seqs, other = stored(out)
        problems = []
        # In TLS 1.3 the client's handshake ends before the server has checked its certificate: a connection the
        # server then refuses (e.g. its handshake timeout) looks done to the client, so accepted = stored.
        if len(set(conns)) != len(conns) or not set(conns) <= set(ok):
            problems.append(f"connection messages stored twice or from connections that never sent: {len(conns)}")
        if seqs != list(range(stream_sent)):
            problems.append(f"stream: {len(seqs)} stored (in order: {seqs == sorted(seqs)}) for {stream_sent} sent")
        if other:
            problems.append(f"{other} other lines")

        accepted = set(conns)
        ends = [end for i, success, _, _, end, _ in outcomes if success and i in accepted]
        span = max(ends) - phase_start if ends else float("inf")
        latencies = sorted(h for i, success, _, h, _, _ in outcomes if success and i in accepted)
        late = sorted(lag for _, _, lag, _, _, _ in outcomes)
        in_phase = [n for t, n in timeline if phase_start <= t <= phase_start + args.seconds]
        stream_rate = (in_phase[-1] - in_phase[0]) / args.seconds if len(in_phase) > 1 else 0.0
        errors = sorted({e for _, success, *_, e in outcomes if not success})
        return {
            "accepted": len(accepted) / span, "ok": len(accepted), "sent": len(ok), "total": total,
            "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0,
            "late99": late[int(len(late) * 0.99) - 1] * 1000, "stream": stream_rate, "cpu": cpu,
            "client_cpu": client_cpu, "cpu_ms": cpu * 1000 / max(len(accepted), 1),
            "client_ms": client_cpu * 1000 / max(total, 1),
            "handshakes": handshakes, "failures": failures, "problems": problems, "errors": errors[:3],
            "load": f"{load_before} -> {load()}",
        }
    finally:
        stop(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--stream-rate", type=int, default=10000)
    parser.add_argument("--workers", type=int, help="client processes (default: 1 for c, 4 for python)")
    parser.add_argument("--client", choices=("c", "python"), help="the connecting client (default: c if it builds)")
    parser.add_argument("--collector", default=COLLECTOR)
    parser.add_argument("collector_switches", nargs="*", metavar="-- COLLECTOR-SWITCHES")
    args = parser.parse_args()
    if not os.path.exists(args.collector):
        raise SystemExit(f"no {args.collector}: build the Collector first: dotnet build Collector -c Release")
    work = tempfile.mkdtemp(prefix="tls-connect-rate.")
    failed = False
    try:
        pki = make_pki(work)
        args.c_binary = build_c_client(work) if args.client != "python" else None
        if args.client == "c" and not args.c_binary:
            raise SystemExit("--client c: connect-client.c cannot be built here")
        client = "c" if args.c_binary else "python"
        args.workers = args.workers or (1 if args.c_binary else 4)
        print(f"offered: {args.rate:.0f} new mTLS connections/s for {args.seconds:.0f} s "
              f"({args.workers} {client} client processes), stream {args.stream_rate} msgs/s x 256 B on one mTLS "
              f"connection", flush=True)
        results = []
        for run in range(1, args.runs + 1):
            r = run_once(work, run, args, pki)
            results.append(r)
            print(f"run {run}: accepted {r['accepted']:6.0f} conn/s ({r['ok']} stored of {r['sent']} the clients "
                  f"finished, {r['total']} due)  handshake p50 "
                  f"{r['p50']:6.1f} ms p99 {r['p99']:7.1f} ms  client late p99 {r['late99']:7.1f} ms  stream "
                  f"{r['stream']:7.0f} msgs/s  collector cpu {r['cpu']:5.2f} s "
                  f"({r['cpu'] * 1000 / max(r['ok'], 1):.2f} ms per accepted connection, stream included)  "
                  f"client cpu {r['client_cpu']:5.2f} s ({r['client_cpu'] * 1000 / max(r['total'], 1):.2f} ms per "
                  f"connection)  "
                  f"server handshakes {r['handshakes']:.0f} "
                  f"refused {r['failures'] or 0}  load {r['load']}", flush=True)
            for line in r["problems"] + r["errors"]:
                print(f"  {line}", flush=True)
            failed |= bool(r["problems"])
        for key, label in (("accepted", "accepted conn/s"), ("p50", "handshake p50 ms"), ("p99", "handshake p99 ms"),
                           ("stream", "stream msgs/s"), ("cpu", "collector cpu s"), ("cpu_ms", "collector ms/conn"),
                           ("client_cpu", "client cpu s"), ("client_ms", "client ms/conn")):
            print(f"median {label:18} {statistics.median(r[key] for r in results):10.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
