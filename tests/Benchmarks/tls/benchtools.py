"""What both TLS benchmarks need from the machine: the load average, a process's CPU seconds, a free loopback port."""
import os
import socket


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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
