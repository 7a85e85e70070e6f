#!/usr/bin/env bash
# Usage: tests/Benchmarks/search/logql-bench.sh            (from a clone of the repository, any directory)
#
# Issue 17's LogQL performance targets on the search benchmark's data set:
#   1. generate SIZE_MB (default 1024) of stored messages from 200 pods in 20 namespaces over 24 h with JSON messages
#      (generate.py ... json), split as the Collector rotates them; or reuse DATA (a directory holding messages*);
#   2. start the Collector on them (COLLECTOR, else the native build in out/collector, else the Release build);
#   3. REPS times each (tests/Benchmarks/search/logql-measure.py): sum by (namespace) (count_over_time(...[5m])) and
#      rate({pod=...}[1m]) over 24 h, and {namespace="ns-07"} | json | level="error" against |= "error".
# Prints a table (also to $OUT_DIR/logql-bench.md). Everything on 127.0.0.1; only the Collector it started is stopped.
#
# Environment (defaults): SIZE_MB=1024 REPS=10 HTTP_PORT=18098 POD=ns-07-pod-073 DATA= COLLECTOR= KEEP=0
#   OUT_DIR=./bench-results/logql-<date> (KEEP=1 keeps generated data in $OUT_DIR/data)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

SIZE_MB=${SIZE_MB:-1024} REPS=${REPS:-10} HTTP_PORT=${HTTP_PORT:-18098} POD=${POD:-ns-07-pod-073} KEEP=${KEEP:-0}
OUT_DIR=${OUT_DIR:-./bench-results/logql-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

if [ -n "${COLLECTOR:-}" ]; then
  :
elif [ -x out/collector/Collector ]; then
  COLLECTOR=$(pwd)/out/collector/Collector
else
  dotnet build Collector -c Release -nologo -clp:ErrorsOnly >&2
  COLLECTOR=$(pwd)/Collector/bin/Release/net10.0/Collector
fi
echo "collector: $COLLECTOR" >&2

GENERATED=
if [ -z "${DATA:-}" ]; then
  DATA="$OUT_DIR/data"
  GENERATED=1
  mkdir -p "$DATA"
  echo "generating $SIZE_MB MiB in $DATA ..." >&2
  python3 tests/Benchmarks/search/generate.py "$DATA/messages" "$SIZE_MB" 0 json >&2
fi

PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$GENERATED" ] && [ "$KEEP" != 1 ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

"$COLLECTOR" --tcp 127.0.0.1:0 --udp "" --http "127.0.0.1:$HTTP_PORT" --file "$DATA/messages" \
  --max-file-size 256MiB --max-files 9 --compress false --log-level Warning > "$OUT_DIR/collector.log" 2>&1 &
PID=$!

python3 tests/Benchmarks/search/logql-measure.py "http://127.0.0.1:$HTTP_PORT" "$REPS" "$POD" "$PID" | tee "$OUT_DIR/logql-bench.md"
