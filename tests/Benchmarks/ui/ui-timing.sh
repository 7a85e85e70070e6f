#!/usr/bin/env bash
# Usage: tests/Benchmarks/ui/ui-timing.sh            (from the repository root)
#
# The web UI on 1 GiB of stored logs (issue 8's performance targets), in headless Chromium and Firefox: the time from
# Enter to the first 100 rows rendered and to the severity histogram drawn, for a one-pod query over 24 h, read from
# the browser's Performance API (marks ks-run, ks-results, ks-histogram). Runs Ui.Tests' StoredDataTimingTests, which
# are only discovered with UI_PERF_DATA set.
#   1. generate SIZE_MB (default 1024) of stored messages with ../search/generate.py (200 pods over 24 h, plain files
#      split at 256 MiB as the Collector rotates them), unless DATA names a directory that already holds them;
#   2. read them once so the page cache holds them (the Collector serves from it; a cold disk measures the disk);
#   3. per browser: a first query builds the indexes, then 7 one-pod queries are timed; medians and maxima printed.
# Prints the two lines (also to $OUT_DIR/ui-timing.md). Run it on an otherwise idle machine.
#
# Environment (defaults): SIZE_MB=1024 DATA=$OUT_DIR/data OUT_DIR=./bench-results/ui-<date> KEEP=0
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

SIZE_MB=${SIZE_MB:-1024} KEEP=${KEEP:-0}
OUT_DIR=${OUT_DIR:-./bench-results/ui-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
generated=0
if [ -z "${DATA:-}" ]; then
  DATA="$OUT_DIR/data"
  mkdir -p "$DATA"
  echo "generating $SIZE_MB MiB in $DATA ..."
  python3 tests/Benchmarks/search/generate.py "$DATA/messages" "$SIZE_MB" 0
  generated=1
fi

cat "$DATA"/messages* > /dev/null
dotnet build tests/Ui.Tests -c Release -nologo -clp:ErrorsOnly
UI_PERF_DATA=$DATA UI_ARTIFACTS=$OUT_DIR dotnet test tests/Ui.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~StoredDataTimingTests" --logger "console;verbosity=detailed" | tee "$OUT_DIR/test.log" \
  | grep -E 'MiB stored' | sed 's/^ *//' | tee "$OUT_DIR/ui-timing.md"
grep -qE 'Test Run Successful' "$OUT_DIR/test.log" || { echo "the timing run failed: $OUT_DIR/test.log" >&2; exit 1; }

if [ "$generated" = 1 ] && [ "$KEEP" != 1 ]; then
  rm -rf "$DATA"
fi
