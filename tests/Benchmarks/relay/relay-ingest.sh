#!/usr/bin/env bash
# Issue 6's performance check: Collector ingest (tests/Benchmarks/sidebyside/ingest.sh, tcp5424) with two TCP relays
# to local receivers, against the same Collector with no relays, measured alternately in one run.
#
# Usage (after tests/Benchmarks/sidebyside/setup.sh once per machine; also run by sidebyside/run.sh, PARTS=relay):
#   dotnet publish Collector -c Release -o out/collector
#   tests/Benchmarks/relay/relay-ingest.sh [RUNS=3]
# Receivers are socat processes copying each relay's LF-framed stream to a file, so every relayed message is one
# line there; each file is verified like the messages file (every loggen sequence number once: unique, dup, missing,
# bad). Results go to OUT_DIR (default bench-results/relay-<time>/, not in git); the summary prints medians and every
# relay's totals. N (default 1000000) messages per round.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
runs=${1:-3}
bench=tests/Benchmarks/sidebyside
out=${OUT_DIR:-bench-results/relay-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"
[ -x out/collector/Collector ] || { echo "publish the Collector first: dotnet publish Collector -c Release -o out/collector" >&2; exit 1; }

# Each relay receiver's file is checked like the messages file: every loggen message once (unique, dup, missing, bad).
verify=$(pwd)/tests/Benchmarks/sidebyside/tools/verify.py
n=${N:-1000000}
plain='exec ./out/collector/Collector --tcp 127.0.0.1:$PORT --udp 127.0.0.1:$UDP_PORT --http 127.0.0.1:0 --file $OUT'

# Two receivers and two relay files, then the Collector in the foreground; SIGTERM stops all three.
relayed='mkdir -p "$WORKDIR/relays"
pids=()
for i in 1 2; do
  port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
  socat -u -b 1048576 TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork OPEN:"$WORKDIR/relay$i.out",creat,append & pids+=($!)
  printf "kind: logforwarder\nversion: v2\nmetadata: {name: r%s}\nspec: {address: \"127.0.0.1:%s\", protocol: tcp, framing: lf}\n" $i $port > "$WORKDIR/relays/r$i.yaml"
done
sleep 0.3
./out/collector/Collector --tcp 127.0.0.1:$PORT --udp 127.0.0.1:$UDP_PORT --http 127.0.0.1:0 --file $OUT --relays "$WORKDIR/relays" &
collector=$!
trap "kill -TERM $collector; wait $collector; sleep 0.5; kill ${pids[*]} 2>/dev/null; for i in 1 2; do echo relay\$i \$(python3 '"$verify"' seq \"$WORKDIR/relay\$i.out\" '"$n"'); done > \"$WORKDIR/relays.count\"" TERM
wait $collector || true
wait $collector || true'

for run in $(seq 1 "$runs"); do
  for name in collector collector+2relays; do
    cmd=$plain
    [ "$name" = collector+2relays ] && cmd=$relayed
    KEEP=1 N="$n" "$bench/ingest.sh" "$name" "$cmd" tcp5424 > "$out/run.txt" 2>&1 || true
    cat "$out/run.txt" >> "$out/results.txt"
    grep '^RESULT' "$out/run.txt" || tail -5 "$out/run.txt"
    # What each relay's receiver got: it should be every message ingest.sh sent.
    work=$(grep -o 'kept /tmp/bench-ingest[.A-Za-z0-9]*' "$out/run.txt" | cut -d' ' -f2 || true)
    if [ -n "$work" ]; then
      [ -f "$work/relays.count" ] && sed "s/^/RELAYED name=$name run=$run /" "$work/relays.count" | tee -a "$out/results.txt"
      rm -rf "$work"
    fi
  done
done

python3 - "$out/results.txt" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT"):
        f = dict(kv.split("=", 1) for kv in line.split()[1:])
        rows.setdefault(f["name"], []).append(f)
for name, rs in rows.items():
    med = lambda k: statistics.median(float(r[k]) for r in rs)
    print(f"{name:20} runs={len(rs)} msgs_per_s={med('msgs_per_s'):,.0f} cpu_s={med('cpu_s'):.2f} rss_mb={med('rss_mb'):.1f} lost={sum(int(r['lost']) for r in rs)}")
relayed = {}
for line in open(sys.argv[1]):
    if line.startswith("RELAYED"):
        f = line.split()
        counts = dict(kv.split("=", 1) for kv in f[4:])
        t = relayed.setdefault(f[3], {"rounds": 0, "unique": 0, "dup": 0, "missing": 0, "bad": 0})
        t["rounds"] += 1
        for k in ("unique", "dup", "missing", "bad"):
            t[k] += int(counts.get(k, 0))
for relay, t in sorted(relayed.items()):
    print(f"{relay}: rounds={t['rounds']} unique={t['unique']:,} dup={t['dup']} missing={t['missing']} bad={t['bad']}")
if "collector" in rows and "collector+2relays" in rows:
    a = statistics.median(float(r["msgs_per_s"]) for r in rows["collector+2relays"])
    b = statistics.median(float(r["msgs_per_s"]) for r in rows["collector"])
    print(f"with two relays / without: {a / b:.2f} (target >= 0.80)")
PY
echo "results: $out"
