#!/usr/bin/env python3
"""Wall time of short runs of two builds of a program, alternated, with medians and the ratio.

Used for the command-line parser change (docs/design.md, Libraries): each build is run with --help, and with a
bad value (exit 1 after reading every setting), which is the work a real start does before it binds anything.

    tests/Benchmarks/startup/startup.py OLD-EXECUTABLE NEW-EXECUTABLE [RUNS]

Both executables are native (AOT) builds, e.g. `dotnet publish Collector -c Release -o DIR` of two commits.
"""
import statistics
import subprocess
import sys
import time

CASES = {
    "--help": ["--help"],
    "bad value (exit 1)": ["--max-files", "x", "--tcp", "127.0.0.1:0", "--file", "/tmp/startup-bench/messages"],
}


def run(executable, args):
    start = time.perf_counter()
    done = subprocess.run([executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    return elapsed, done.returncode


def main():
    old, new = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    for name, args in CASES.items():
        times = {old: [], new: []}
        codes = {old: set(), new: set()}
        run(old, args)
        run(new, args)
        for i in range(runs):
            # Alternate which goes first, so a slow moment of the machine falls on both.
            for exe in (old, new) if i % 2 == 0 else (new, old):
                t, code = run(exe, args)
                times[exe].append(t)
                codes[exe].add(code)
        mo, mn = statistics.median(times[old]), statistics.median(times[new])
        print(f"RESULT case={name!r} runs={runs} old_median_ms={mo * 1000:.1f} new_median_ms={mn * 1000:.1f} "
              f"ratio_new_over_old={mn / mo:.2f} old_exit={sorted(codes[old])} new_exit={sorted(codes[new])}")


if __name__ == "__main__":
    main()
