"""Times LogQL queries of issue 17 on the Loki routes and prints a markdown table. Args: BASE REPS POD [PID].
With the Collector's PID it also reports the CPU time the Collector spent per query (utime + stime from /proc, 10 ms
ticks), which a loaded machine inflates far less than the wall time."""
import json, os, statistics, sys, time, urllib.parse, urllib.request

base, reps, pod = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pid = sys.argv[4] if len(sys.argv) > 4 else None
TICK = os.sysconf("SC_CLK_TCK")

def cpu():
    if not pid:
        return 0.0
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK
START, END = "2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z"  # the generated 24 h

def get(route, **params):
    url = f"{base}{route}?{urllib.parse.urlencode(params)}"
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as r:
        body = json.load(r)
    return time.perf_counter() - t, body

for _ in range(600):
    try:
        urllib.request.urlopen(f"{base}/ready", timeout=1).read()
        break
    except Exception:
        time.sleep(0.1)

def load():
    return open("/proc/loadavg").read().split()[0]

def timed(route, **params):
    times, cpus, body = [], [], None
    for _ in range(reps):
        c = cpu()
        t, body = get(route, **params)
        cpus.append(cpu() - c)
        times.append(t)
    return statistics.median(times), min(times), max(times), statistics.median(cpus), body

def size(body):
    data = body["data"]
    if data["resultType"] == "streams":
        return f"{sum(len(s['values']) for s in data['result'])} lines"
    if data["resultType"] == "matrix":
        return f"{len(data['result'])} series, {sum(len(s['values']) for s in data['result'])} points"
    return f"{len(data['result'])} series"

rows = []
def row(name, route, **params):
    p50, lo, hi, c50, body = timed(route, **params)
    rows.append((name, f"{p50 * 1000:.0f} ms", f"{lo * 1000:.0f}–{hi * 1000:.0f} ms", f"{c50 * 1000:.0f} ms", size(body)))
    return p50, c50

load_start = load()
first, _ = get("/loki/api/v1/query", query=f'count_over_time({{pod="{pod}"}}[1m])', time=END)
rows.append(("first query (builds the indexes)", f"{first * 1000:.0f} ms", "", "", ""))

row("`sum by (namespace) (count_over_time({namespace=~\".+\"}[5m]))`, 24 h, step 5m",
    "/loki/api/v1/query_range", query='sum by (namespace) (count_over_time({namespace=~".+"}[5m]))', start=START, end=END, step="300")
row("the same, step 346 s (Grafana's range/250)",
    "/loki/api/v1/query_range", query='sum by (namespace) (count_over_time({namespace=~".+"}[5m]))', start=START, end=END)
row(f"`rate({{pod=\"{pod}\"}}[1m])`, 24 h, step 346 s (range/250)",
    "/loki/api/v1/query_range", query=f'rate({{pod="{pod}"}}[1m])', start=START, end=END)
row(f"`rate({{pod=\"{pod}\"}}[1m])`, 24 h, step 1m (1441 points)",
    "/loki/api/v1/query_range", query=f'rate({{pod="{pod}"}}[1m])', start=START, end=END, step="60")

# Pipeline against the literal filter: a log page (Grafana's default 1000 lines) and every matching line (a count).
pj = row("`{namespace=\"ns-07\"} | json | level=\"error\"`, 24 h, limit 1000",
            "/loki/api/v1/query_range", query='{namespace="ns-07"} | json | level="error"', start=START, end=END, limit="1000")
pf = row("`{namespace=\"ns-07\"} |= \"error\"`, 24 h, limit 1000",
            "/loki/api/v1/query_range", query='{namespace="ns-07"} |= "error"', start=START, end=END, limit="1000")
cj = row("every line: `sum(count_over_time({namespace=\"ns-07\"} | json | level=\"error\" [24h]))`",
            "/loki/api/v1/query", query='sum(count_over_time({namespace="ns-07"} | json | level="error" [24h]))', time=END)
cf = row("every line: `sum(count_over_time({namespace=\"ns-07\"} |= \"error\" [24h]))`",
            "/loki/api/v1/query", query='sum(count_over_time({namespace="ns-07"} |= "error" [24h]))', time=END)
rows.append(("ratio `| json | level=\"error\"` / `|= \"error\"` (limit 1000; every line)", f"{pj[0] / pf[0]:.2f}; {cj[0] / cf[0]:.2f}",
             "", f"{pj[1] / max(pf[1], 0.01):.2f}; {cj[1] / max(cf[1], 0.01):.2f}", ""))

print(f"\nmedian of {reps}; load average (1 min) {load_start} at the start, {load()} at the end\n")
print("| measurement | median | min–max | Collector CPU (median) | result |")
print("|---|---:|---:|---:|---|")
for r in rows:
    # LogQL's pipes would end a markdown cell.
    print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
