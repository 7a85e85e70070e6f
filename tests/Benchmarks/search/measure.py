"""Times the API against grep on the same files and prints a markdown table. Args: BASE PATH REPS GREP_REPS."""
import glob, json, os, statistics, subprocess, sys, time, urllib.parse, urllib.request

base, path, reps, grep_reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

def get(route, **params):
    url = f"{base}{route}?{urllib.parse.urlencode(params)}"
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as r:
        body = json.load(r)
    return time.perf_counter() - t, body

for _ in range(600):
    try:
        urllib.request.urlopen(f"{base}/readyz", timeout=1).read()
        break
    except Exception:
        time.sleep(0.1)

files = sorted(glob.glob(path + ".*"), key=lambda f: -int(f.split(".")[-2 if f.endswith(".gz") else -1])) + [path]
total = sum(os.path.getsize(f) for f in files)
plain = not any(f.endswith(".gz") for f in files)
grep = "grep" if plain else "zgrep"
ALL = dict(start="0", end="9000000000000000000")

def p50(xs): return statistics.median(xs)

def shell(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t

first, _ = get("/api/v1/query_range", query='{pod="ns-00-pod-000"}', limit="1", **ALL)
rows = [("index build (first query over cold indexes)", f"{first:.2f} s", "", "")]

pod = "ns-07-pod-073"
api = [get("/api/v1/query_range", query=f'{{pod="{pod}"}}', limit="100", **ALL)[0] for _ in range(reps)]
gr = [shell(f"{grep} -h 'pod=\"{pod}\"' {' '.join(files)} | tail -100") for _ in range(grep_reps)]
rows.append((f"last 100 lines of one pod (`{{pod=\"{pod}\"}}`, limit 100)", f"{p50(api)*1000:.1f} ms", f"{p50(gr)*1000:.0f} ms", f"{p50(gr)/p50(api):.1f}x"))

api = [get("/api/v1/query_range", query='{} |= "rare-needle-4242"', limit="100", **ALL) for _ in range(reps)]
found = sum(len(s["values"]) for s in api[0][1]["data"]["result"])
# grep's output goes through a pipe: written to /dev/null, GNU grep stops reading each file at its first match (as
# with -l), and reads less than the API has to (strace, 1 GiB with 12 hits: 4,785 reads of 96 KiB, 0.45 GiB).
gr = [shell(f"{grep} -F -h rare-needle-4242 {' '.join(files)} | tail -100") for _ in range(grep_reps)]
gr_null = [shell(f"{grep} -F -h rare-needle-4242 {' '.join(files)} > /dev/null") for _ in range(grep_reps)]
a = p50([x[0] for x in api])
rows.append((f"rare term over all files (`|= \"rare-needle-4242\"`, {found} hits)", f"{a*1000:.0f} ms", f"{p50(gr)*1000:.0f} ms", f"{p50(gr)/a:.1f}x"))
rows.append(("rare term, grep's output to /dev/null (grep stops at each file's first match)", f"{a*1000:.0f} ms", f"{p50(gr_null)*1000:.0f} ms", f"{p50(gr_null)/a:.1f}x"))

# One hour of one namespace: every page, bytes scanned against the total.
hour_start, hour_end = "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z"
times, scanned, blocks, skipped, lines = [], 0, 0, 0, 0
for r in range(max(1, reps // 4)):
    cursor, t0, s_sum, b_sum, k_sum, n = None, time.perf_counter(), 0, 0, 0, 0
    while True:
        params = dict(query='{namespace="ns-05"}', start=hour_start, end=hour_end, limit="5000", direction="forward")
        if cursor: params["cursor"] = cursor
        _, body = get("/api/v1/query_range", **params)
        st = body["data"]["stats"]
        s_sum += st["bytesScanned"]; b_sum += st["blocks"]; k_sum += st["blocksSkipped"]
        n += sum(len(s["values"]) for s in body["data"]["result"])
        cursor = body["data"]["cursor"]
        if not cursor: break
    times.append(time.perf_counter() - t0)
    scanned, blocks, skipped, lines = s_sum, b_sum, k_sum, n
rows.append((f"one hour of one namespace (all {lines} lines, pages of 5000)", f"{p50(times)*1000:.0f} ms",
             f"scanned {scanned/total*100:.1f} % of {total/2**30:.2f} GiB", f"{skipped} of {blocks} block visits skipped"))

print(f"\n{len(files)} files, {total/2**20:.0f} MiB ({'plain' if plain else 'gzip from .2'}), API p50 of {reps}, {grep} p50 of {grep_reps}\n")
print("| measurement | API | grep | ratio |")
print("|---|---:|---:|---:|")
for r in rows:
    print("| " + " | ".join(r) + " |")
