#!/usr/bin/env bash
# Usage: tests/Benchmarks/sidebyside/forward.sh NAME 'FORWARDER COMMAND'
#
# Measures a node log FORWARDER (tailing role). Builds a fake Kubernetes node
# log tree (tools/mklogs.py): $LOG_ROOT/var/log/containers/*.log symlinks ->
# $LOG_ROOT/var/log/pods/.../0.log -> docker json-file logs (FORMAT=docker) or
# CRI logs (FORMAT=cri), FILES files holding LINES lines in total. Starts a
# counting sink (tools/sink.py) on 127.0.0.1:$SINK_PORT (TCP, octet-counted or
# LF framing; also UDP on the same port number) and then the forwarder, which
# is run with `bash -c` under /usr/bin/time -v, must stay in the foreground,
# read $LOG_ROOT/var/log/containers/*.log from the beginning and ship every
# line to the sink. Exported to it: LOG_ROOT SINK_HOST SINK_PORT STATE_DIR
# WORKDIR FORMAT. Examples:
#   tests/Benchmarks/sidebyside/forward.sh rsyslog tests/Benchmarks/sidebyside/peers/rsyslog-forwarder.sh
#   tests/Benchmarks/sidebyside/forward.sh myforwarder 'exec ./out/forwarder/Forwarder --include "$LOG_ROOT/var/log/containers/*.log" --to tcp://127.0.0.1:$SINK_PORT --state $STATE_DIR'
#
# Phase 1 (backlog): time from starting the forwarder until the sink holds
# LINES messages. Phase 2 (live, if LIVE_LINES>0): LIVE_LINES more lines are
# appended to the files at LIVE_RATE lines/s while it runs; reports how long
# after the last write the last line reached the sink (live_lag_s).
# Then the forwarder is stopped (SIGTERM) and the sink output is checked:
# every line exactly once, long (8 KiB) lines intact.
# Drain (phase 1 without the wait for each file's last line): a forwarder that
# joins multiline events (ours with --multiline auto, the default) holds the
# last line of a file until the next line says it does not continue it, or
# until its flush timeout (1 s) passes; at the end of a backlog no next line
# comes, so elapsed_s includes that fixed wait. drain_s is the time from start
# until the sink holds DRAIN_LINES lines (default LINES - FILES: all but the
# last line of each file), drain_msgs_per_s = DRAIN_LINES / drain_s, and
# drain_cpu_s the forwarder's CPU at that moment (startup included): compare
# these, not elapsed_s, between `auto` and `off`.
# Environment (defaults): FILES=8 LINES=1000000 SIZE=200 (message bytes)
#   FORMAT=docker LONG_EVERY=100000 LONG_SIZE=8192 LIVE_LINES=100000
#   LIVE_RATE=20000 SINK_PORT=15601 TIMEOUT=300 STALL=20 RESULTS=<file>
#   DRAIN_LINES=LINES-FILES
#   KEEP=0 (1 keeps the work directory /tmp/bench-forward.*)
#
# Output: progress on stderr, then one line on stdout:
#   RESULT kind=forward name= format= files= lines= delivered= lost= dup= bad=
#          elapsed_s= msgs_per_s= mb_s= cpu_s= drain_lines= drain_s=
#          drain_msgs_per_s= drain_cpu_s= rss_mb= live_lag_s= live_cpu_s= ...
# elapsed_s: forwarder start -> last backlog line at the sink; xfer_s: first ->
# last line at the sink; mb_s: source log MiB / elapsed_s; cpu_s: forwarder
# CPU (user+sys, all its processes) during phase 1 (startup included);
# rss_mb: peak RSS (VmHWM, summed over its processes) at the end;
# live_cpu_s: forwarder CPU during phase 2; cpu_total_s/maxrss_mb: whole
# lifetime from /usr/bin/time -v (counts only processes that were waited for);
# sink_cpu_s: CPU used by the sink (it shares the machine with the forwarder).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 2 ]] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
NAME=$1 CMD=$2
FILES=${FILES:-8} LINES=${LINES:-1000000} SIZE=${SIZE:-200} FORMAT=${FORMAT:-docker}
LONG_EVERY=${LONG_EVERY:-100000} LONG_SIZE=${LONG_SIZE:-8192}
LIVE_LINES=${LIVE_LINES:-100000} LIVE_RATE=${LIVE_RATE:-20000}
SINK_PORT=${SINK_PORT:-15601} SINK_HOST=127.0.0.1
TIMEOUT=${TIMEOUT:-300} STALL=${STALL:-20}
DRAIN_LINES=${DRAIN_LINES:-$((LINES - FILES))}

WORKDIR=$(mktemp -d /tmp/bench-forward.XXXXXX)
LOG_ROOT=$WORKDIR/root STATE_DIR=$WORKDIR/state SINK_OUT=$WORKDIR/sink.out
mkdir -p "$STATE_DIR"
export LOG_ROOT SINK_HOST SINK_PORT STATE_DIR WORKDIR FORMAT

TPID="" SPID="" WPID=""
cleanup() {
  [[ -n $WPID ]] && kill "$WPID" 2>/dev/null
  [[ -n $TPID ]] && kill -0 "$TPID" 2>/dev/null && stop_timed "$TPID" 5
  [[ -n $SPID ]] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $WORKDIR"; else rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT

for p in "tcp $SINK_PORT" "udp $SINK_PORT"; do
  if port_bound $p; then log "sink port ${p} is already in use"; exit 1; fi
done

mk=("$PY" "$BENCH_DIR/tools/mklogs.py")
mkopt=(--format "$FORMAT" --size "$SIZE" --long-every "$LONG_EVERY" --long-size "$LONG_SIZE")
log "$NAME: writing $LINES lines into $FILES $FORMAT files"
gen=$("${mk[@]}" init "$LOG_ROOT" "$FILES" "$LINES" "${mkopt[@]}")
src_bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$gen")
sync

"$PY" "$BENCH_DIR/tools/sink.py" "$SINK_PORT" "$SINK_OUT" --udp-port "$SINK_PORT" \
  --max-seconds $((3 * TIMEOUT + 120)) > "$WORKDIR/sink.log" 2>&1 &
SPID=$!
wait_bound tcp "$SINK_PORT" "$SPID" 10

log "$NAME: starting forwarder"
"$PY" "$BENCH_DIR/tools/waitlines.py" "$SINK_OUT" "$LINES" "$TIMEOUT" "$STALL" \
  --mark "$DRAIN_LINES" --pid-file "$WORKDIR/forwarder.pid" > "$WORKDIR/wait1.txt" &
WPID=$!
t0=$(now)
start_timed "$CMD" "$WORKDIR/forwarder"
echo "$TPID" > "$WORKDIR/forwarder.pid"
wait "$WPID" || true; WPID=
cpu1=$(tree_cpu "$TPID")
read -r l1 _ f1 last1 r1 tmark cpumark < <(sed 's/[a-z_0-9]*=//g' "$WORKDIR/wait1.txt")
log "$NAME: backlog: $(cat "$WORKDIR/wait1.txt")"
kill -0 "$TPID" 2>/dev/null || log "$NAME: forwarder exited early: $(tail -3 "$WORKDIR/forwarder.log")"

live_res="live_lines=0"
total=$LINES
if [[ $LIVE_LINES -gt 0 ]]; then
  total=$((LINES + LIVE_LINES))
  log "$NAME: appending $LIVE_LINES lines at $LIVE_RATE lines/s"
  "$PY" "$BENCH_DIR/tools/waitlines.py" "$SINK_OUT" "$total" "$TIMEOUT" "$STALL" > "$WORKDIR/wait2.txt" &
  WPID=$!
  app=$("${mk[@]}" append "$LOG_ROOT" "$LIVE_LINES" "$LINES" "$LIVE_RATE" "${mkopt[@]}" --timeout "$TIMEOUT")
  t_wend=$(sed -n 's/.*t_end=\([0-9.]*\).*/\1/p' <<<"$app")
  wait "$WPID" || true; WPID=
  cpu2=$(tree_cpu "$TPID")
  read -r l2 _ _ last2 r2 < <(sed 's/[a-z_0-9]*=//g' "$WORKDIR/wait2.txt")
  log "$NAME: live: $app; $(cat "$WORKDIR/wait2.txt")"
  lag=$(fsub "$last2" "$t_wend")
  [[ $r2 == "done" ]] || lag=NA
  live_res="live_lines=$LIVE_LINES live_rate=$LIVE_RATE live_delivered=$((l2 - l1)) live_lag_s=$lag live_cpu_s=$(fsub "$cpu2" "$cpu1")"
fi
rss=$(tree_rss "$TPID")
stop_timed "$TPID" 15; TPID=
sink_cpu=$("$PY" "$BENCH_DIR/tools/proctree.py" cpu "$SPID")
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; SPID=
tsum=$(time_summary "$WORKDIR/forwarder.time")

ver=$("$PY" "$BENCH_DIR/tools/verify.py" mix "$SINK_OUT" "$total")
log "$NAME: verify ($total expected): $ver"
uniq=$(sed -n 's/.*unique=\([0-9]*\).*/\1/p' <<<"$ver")
dup=$(sed -n 's/.*dup=\([0-9]*\).*/\1/p' <<<"$ver")
bad=$(sed -n 's/.*bad=\([0-9]*\).*/\1/p' <<<"$ver")
longok=$(sed -n 's/.*long_ok=\([0-9/]*\).*/\1/p' <<<"$ver")

elapsed=$(fsub "$last1" "$t0"); xfer=$(fsub "$last1" "$f1")
drain="drain_lines=$DRAIN_LINES drain_s=NA drain_msgs_per_s=NA drain_cpu_s=NA"
if [[ $tmark != 0.000000 ]]; then
  drain_s=$(fsub "$tmark" "$t0")
  drain="drain_lines=$DRAIN_LINES drain_s=$drain_s drain_msgs_per_s=$(fdiv "$DRAIN_LINES" "$drain_s") drain_cpu_s=$cpumark"
fi
[[ $r1 == "done" ]] || log "$NAME: backlog not complete ($r1): $l1 of $LINES lines"
emit_result "kind=forward name=$NAME format=$FORMAT files=$FILES lines=$LINES delivered=$l1" \
  "lost=$((total - uniq)) dup=$dup bad=$bad long_ok=$longok elapsed_s=$elapsed xfer_s=$xfer" \
  "msgs_per_s=$(fdiv "$l1" "$elapsed") mb_s=$(fdiv2 "$(fdiv2 "$src_bytes" 1048576)" "$elapsed")" \
  "cpu_s=$cpu1 $drain rss_mb=$rss $live_res $tsum sink_cpu_s=$sink_cpu wait=$r1"
