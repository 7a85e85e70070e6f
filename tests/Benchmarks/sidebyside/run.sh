#!/usr/bin/env bash
# Usage: tests/Benchmarks/sidebyside/run.sh [REPS]        (from anywhere; after setup.sh once per machine)
#
# The side-by-side comparison the performance page quotes, in one run on one machine:
#   ingest   loggen (and a python sender for the check modes) -> the Collector vs rsyslogd (imtcp/imudp -> omfile)
#   forward  the same node log tree -> the Forwarder vs rsyslogd (imfile -> omfwd) -> one counting sink
#   search   the Collector's search API vs grep on the same stored files (tests/Benchmarks/search/search-bench.sh)
#   relay    Collector ingest alone vs with two TCP relays, every relayed line counted (tests/Benchmarks/relay/)
# Each contender runs REPS times (default 3) in rotated order (A B, B A, A B, ...) so slow drifts of the machine hit
# all alike; every run checks loss, duplicates and damaged lines; the summary gives medians, min..max and the
# ratio to REF (default rsyslog) measured in the same run. Numbers are comparable only within one run.
#
# The native (AOT) builds are measured: out/collector/Collector and out/forwarder/Forwarder, published here first
# when missing (BUILD=1 publishes again). Only processes the scripts started are stopped, by pid.
# Environment (defaults):
#   PARTS="ingest forward"             add search and/or relay (search generates SEARCH_MB of logs and takes long)
#   PEERS="rsyslog"                    "rsyslog syslog-ng" adds syslog-ng (unpacked by setup.sh); "" for none
#   INGEST_MODES="tcp5424 tcplf udppaced"   ingest.sh modes, every rep (also tcp3164 udp udp3164)
#   CHECK_MODES="check checklf"        correctness modes, first rep only
#   FORWARD_FORMATS="docker cri"       forward.sh FORMAT values, every rep
#   N=1000000 (TCP messages) UDP_N=500000 UDP_RATE=50000 PACED_N=200000 PACED_RATE=100000
#   LINES=1000000 LIVE_LINES=100000 (forward)   SEARCH_MB=1024 SEARCH_REPS=20 (search)
#   BASELINE=0 (1 also runs baseline.sh, the null receiver and the tail forwarder once: the machine's ceilings)
#   EXTRA_RECEIVERS / EXTRA_FORWARDERS: more contenders, one "name|command" per line (as for ingest.sh/forward.sh)
#   OUTDIR=./bench-results/sidebyside-<date-time> (results.txt, log.txt, summary.md, versions.txt; git ignores it)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
cd "$ROOT"
source "$HERE/lib.sh"
REPS=${1:-${REPS:-3}}
OUTDIR=${OUTDIR:-$ROOT/bench-results/sidebyside-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUTDIR"
export RESULTS="$OUTDIR/results.txt"
LOGF="$OUTDIR/log.txt"
PARTS=${PARTS-ingest forward}
PEERS=${PEERS-rsyslog}
INGEST_MODES=${INGEST_MODES-tcp5424 tcplf udppaced}
CHECK_MODES=${CHECK_MODES-check checklf}
FORWARD_FORMATS=${FORWARD_FORMATS-docker cri}

find_loggen >/dev/null || exit 1
for p in collector forwarder; do
  name=${p^}
  if [[ ${BUILD:-0} == 1 || ! -x out/$p/$name ]]; then
    log "publishing the native $name into out/$p (about a minute)"
    dotnet publish "$name" -c Release -o "out/$p" -nologo -clp:ErrorsOnly >&2
  fi
done

recv=() fwd=()
for peer in $PEERS; do
  recv+=("$peer|$HERE/peers/$peer-receiver.sh")
  fwd+=("$peer|$HERE/peers/$peer-forwarder.sh")
done
recv+=("collector|exec $ROOT/out/collector/Collector --tcp 127.0.0.1:\$PORT --udp 127.0.0.1:\$UDP_PORT --http 127.0.0.1:0 --file \$OUT")
fwd+=("forwarder|exec $ROOT/out/forwarder/Forwarder --include \"\$LOG_ROOT/var/log/containers/*.log\" --to tcp://127.0.0.1:\$SINK_PORT --state \$STATE_DIR --http 127.0.0.1:0")
while IFS= read -r l; do [[ -n $l ]] && recv+=("$l"); done <<<"${EXTRA_RECEIVERS:-}"
while IFS= read -r l; do [[ -n $l ]] && fwd+=("$l"); done <<<"${EXTRA_FORWARDERS:-}"

rotate() { # rotate NAME_OF_ARRAY BY -> prints the elements rotated
  local -n arr=$1; local n=${#arr[@]} i
  for ((i = 0; i < n; i++)); do printf '%s\n' "${arr[(i + $2) % n]}"; done
}

run() { # logs the command, runs it, keeps going on failure
  echo "### $(date +%T) $*" >> "$LOGF"
  "$@" >> "$LOGF" 2>&1 || echo "FAILED: $*" | tee -a "$LOGF" >&2
}

{
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  PEER_VERSIONS=1 "$HERE/setup.sh" 2>/dev/null || true
} | tee "$OUTDIR/versions.txt" >&2

if [[ ${BASELINE:-0} == 1 ]]; then
  run "$HERE/baseline.sh"
  run env N="${N:-1000000}" "$HERE/ingest.sh" null "$HERE/peers/null-receiver.sh" tcp5424
  run env LINES="${LINES:-1000000}" "$HERE/forward.sh" tail "$HERE/peers/tail-forwarder.sh"
fi

has() { [[ " $PARTS " == *" $1 "* ]]; }
for ((r = 0; r < REPS; r++)); do
  mapfile -t R < <(rotate recv "$r")
  mapfile -t F < <(rotate fwd "$r")
  if has ingest; then
    modes=$INGEST_MODES
    [[ $r == 0 ]] && modes="$modes $CHECK_MODES"
    for m in $modes; do
      for c in "${R[@]}"; do
        name=${c%%|*} cmd=${c#*|}
        log "rep $((r + 1))/$REPS ingest $m $name"
        case $m in
          udp|udp3164) run env N="${UDP_N:-500000}" UDP_RATE="${UDP_RATE:-50000}" "$HERE/ingest.sh" "$name" "$cmd" "$m" ;;
          udppaced)    run env N_PACED="${PACED_N:-200000}" UDP_RATE="${PACED_RATE:-100000}" "$HERE/ingest.sh" "$name" "$cmd" "$m" ;;
          *)           run env N="${N:-1000000}" "$HERE/ingest.sh" "$name" "$cmd" "$m" ;;
        esac
      done
    done
  fi
  if has forward; then
    for f in $FORWARD_FORMATS; do
      for c in "${F[@]}"; do
        name=${c%%|*} cmd=${c#*|}
        log "rep $((r + 1))/$REPS forward $f $name"
        run env FORMAT="$f" LINES="${LINES:-1000000}" LIVE_LINES="${LIVE_LINES:-100000}" "$HERE/forward.sh" "$name" "$cmd"
      done
    done
  fi
done

REF=${REF:-${recv[0]%%|*}}
: > "$OUTDIR/summary.md"
[[ -s $RESULTS ]] && "$PY" "$HERE/tools/summarize.py" "$RESULTS" "$REF" | tee "$OUTDIR/summary.md"

if has relay; then
  log "relay: Collector ingest alone and with two TCP relays, $REPS rounds"
  RESULTS='' OUT_DIR="$OUTDIR/relay" "$ROOT/tests/Benchmarks/relay/relay-ingest.sh" "$REPS" 2>>"$LOGF" | tee -a "$OUTDIR/summary.md"
fi
if has search; then
  log "search: the Collector's API vs grep on ${SEARCH_MB:-1024} MiB"
  OUT_DIR="$OUTDIR/search" SIZE_MB="${SEARCH_MB:-1024}" REPS="${SEARCH_REPS:-20}" \
    "$ROOT/tests/Benchmarks/search/search-bench.sh" 2>>"$LOGF" | tee -a "$OUTDIR/summary.md"
fi
echo "results: $OUTDIR" >&2
