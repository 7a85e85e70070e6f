#!/usr/bin/env bash
# The kubelet path's memory with many pods (docs/kubernetes-metadata.md, Measurements): the Forwarder's streamed read of
# the kubelet's /pods answer against deserializing the whole PodList, each run in a fresh process with the Forwarder's
# GC settings (workstation, non-concurrent, 4 MiB gen0), alternating, with medians.
#   tests/Benchmarks/kubelet/kubelet-memory.sh [PODS] [RUNS]
set -euo pipefail
pods=${1:-10000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build "$root/tests/Benchmarks" -c Release -o "$out/bin" >/dev/null
export DOTNET_gcServer=0 DOTNET_gcConcurrent=0 DOTNET_GCgen0size=0x400000
bench() { dotnet "$out/bin/Benchmarks.dll" kubelet-memory "$@"; }
bench generate "$out/pods.json" "$pods"
for i in $(seq 1 "$runs"); do
  if (( i % 2 )); then order="streamed whole"; else order="whole streamed"; fi
  for mode in $order; do bench "$mode" "$out/pods.json" | tee -a "$out/results"; done
done
python3 - "$out/results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    mode, *pairs = line.split()
    rows.setdefault(mode, []).append({k: float(v) for k, v in (p.split("=") for p in pairs)})
for mode, runs in rows.items():
    keys = ["retained_mb", "peak_heap_mb", "peak_rss_mb", "seconds"]
    print(mode, f"runs={len(runs)} document_mb={runs[0]['document_mb']}",
          " ".join(f"{k}={statistics.median(r[k] for r in runs):.1f}" for k in keys))
if len(rows) == 2:
    s, w = rows["streamed"], rows["whole"]
    print("whole/streamed peak_rss ratio:",
          f"{statistics.median(r['peak_rss_mb'] for r in w) / statistics.median(r['peak_rss_mb'] for r in s):.1f}")
PY
