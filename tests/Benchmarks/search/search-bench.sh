#!/usr/bin/env bash
# Usage: tests/Benchmarks/search/search-bench.sh            (from the repository root)
#
# The Collector's search API side by side with grep on the same files (issue 5's performance targets):
#   1. generate SIZE_MB (default 1024) of stored messages, `file` format, from 200 pods in 20 namespaces over 24 h,
#      split like the Collector rotates them (messages, messages.1, ... at 256 MiB; COMPRESS=1 gzips .2 on);
#   2. start the Collector on them (the native build in out/collector if present, else the Release build) and time
#      the first query, which builds the indexes;
#   3. REPS times each: "last 100 lines of one pod" vs `grep | tail -100`, a rare term vs `grep -F | tail -100` (and
#      vs `grep -F > /dev/null`, which stops at each file's first match), and a one-hour window of one namespace
#      (all pages: bytes scanned against the total, blocks skipped);
#   4. INGEST=1: tests/Benchmarks/sidebyside/ingest.sh idle, then with 4 clients searching in a loop (the ratio of msgs/s).
# Prints a table (also to $OUT_DIR/search-bench.md). Everything on 127.0.0.1; only processes it started are stopped.
# Run it on an otherwise idle machine: timings on a shared one say little.
#
# Environment (defaults): SIZE_MB=1024 REPS=20 GREP_REPS=5 COMPRESS=0 INGEST=1 HTTP_PORT=18099
#   OUT_DIR=./bench-results/search-<date> KEEP=0 (KEEP=1 keeps the generated files in $OUT_DIR/data)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

SIZE_MB=${SIZE_MB:-1024} REPS=${REPS:-20} GREP_REPS=${GREP_REPS:-5} COMPRESS=${COMPRESS:-0} INGEST=${INGEST:-1}
HTTP_PORT=${HTTP_PORT:-18099} KEEP=${KEEP:-0}
OUT_DIR=${OUT_DIR:-./bench-results/search-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR/data"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
DATA="$OUT_DIR/data"

if [ -x out/collector/Collector ]; then
  COLLECTOR=$(pwd)/out/collector/Collector
else
  dotnet build Collector -c Release -nologo -clp:ErrorsOnly >&2
  COLLECTOR=$(pwd)/Collector/bin/Release/net10.0/Collector
fi
echo "collector: $COLLECTOR" >&2

echo "generating $SIZE_MB MiB in $DATA ..." >&2
python3 tests/Benchmarks/search/generate.py "$DATA/messages" "$SIZE_MB" "$COMPRESS" >&2

PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ "$KEEP" != 1 ]; then rm -rf "$DATA"; fi
}
trap cleanup EXIT

"$COLLECTOR" --tcp 127.0.0.1:0 --udp "" --http "127.0.0.1:$HTTP_PORT" --file "$DATA/messages" \
  --max-file-size 256MiB --max-files 9 --compress "$([ "$COMPRESS" = 1 ] && echo true || echo false)" \
  --log-level Warning > "$OUT_DIR/collector.log" 2>&1 &
PID=$!

python3 tests/Benchmarks/search/measure.py "http://127.0.0.1:$HTTP_PORT" "$DATA/messages" "$REPS" "$GREP_REPS" \
  | tee "$OUT_DIR/search-bench.md"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

if [ "$INGEST" = 1 ]; then
  CMD='exec '"$COLLECTOR"' --tcp 127.0.0.1:$PORT --udp 127.0.0.1:$UDP_PORT --http 127.0.0.1:'"$HTTP_PORT"' --file $OUT'
  echo "ingest, idle ..." >&2
  idle=$(RESULTS= tests/Benchmarks/sidebyside/ingest.sh collector "$CMD" tcp5424 | grep '^RESULT')
  echo "ingest, 4 clients searching ..." >&2
  python3 tests/Benchmarks/search/search-loop.py "http://127.0.0.1:$HTTP_PORT" 4 > "$OUT_DIR/search-loop.txt" &
  LOOP=$!
  busy=$(RESULTS= tests/Benchmarks/sidebyside/ingest.sh collector "$CMD" tcp5424 | grep '^RESULT')
  kill "$LOOP" 2>/dev/null || true; wait "$LOOP" 2>/dev/null || true
  rate() { sed -n 's/.* msgs_per_s=\([0-9]*\).*/\1/p' <<<"$1"; }
  {
    echo
    echo "| ingest (ingest.sh tcp5424, 1M x 256 B) | msgs/s |"
    echo "|---|---:|"
    echo "| idle | $(rate "$idle") |"
    echo "| while 4 clients search in a loop ($(tail -1 "$OUT_DIR/search-loop.txt")) | $(rate "$busy") |"
    echo "| ratio | $(python3 -c "print(f'{$(rate "$busy")/$(rate "$idle"):.2f}')") |"
    echo
    echo "$idle"
    echo "$busy"
  } | tee -a "$OUT_DIR/search-bench.md"
fi
