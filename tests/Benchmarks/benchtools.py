"""What the benchmark scripts under tests/Benchmarks share: the load average, a process's CPU seconds and context
switches, a free loopback port, how to start a build of ours (a .dll or a native executable), waiting for a started
receiver to listen, and stopping it. Scripts in a subfolder import it with
their parent on sys.path."""
import os
import socket
import subprocess
import time


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds(pid):
    """utime + stime of process PID from /proc (10 ms ticks); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def context_switches(pid):
    """Context switches (voluntary and not) of every thread of process PID so far, from /proc; 0 once it is gone.
    A thread-pool worker that spins for work and then sleeps shows here even when its CPU is within the noise."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return 0
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                # voluntary_ctxt_switches and nonvoluntary_ctxt_switches
                total += sum(int(line.split(":")[1]) for line in f if line.split(":")[0].endswith("ctxt_switches"))
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proc, port, what, seconds=30):
    """Returns once 127.0.0.1:PORT accepts; kills PROC and exits if it ends or SECONDS pass first."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{what} did not listen on {port}")


def dotnet_command(path):
    """A Forwarder.dll or Collector.dll runs through dotnet (under the JIT); anything else is a natively published
    executable, the build the images ship."""
    return ["dotnet", path] if path.endswith(".dll") else [path]


def stop(proc):
    """SIGTERM, then SIGKILL if PROC has not ended within 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
