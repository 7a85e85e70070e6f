#!/usr/bin/env bash
# Usage: tests/Benchmarks/sidebyside/ingest.sh NAME 'RECEIVER COMMAND' [MODE]
#
# Measures a syslog RECEIVER (collector role). The receiver command is run with
# `bash -c` under /usr/bin/time -v and must stay in the foreground, listen on
# 127.0.0.1:$PORT (TCP) and/or 127.0.0.1:$UDP_PORT (UDP) and write every
# received message as one line to the file $OUT. These variables are exported
# to it: PORT UDP_PORT OUT WORKDIR MODE. Example:
#   tests/Benchmarks/sidebyside/ingest.sh rsyslog tests/Benchmarks/sidebyside/peers/rsyslog-receiver.sh tcp5424
#   tests/Benchmarks/sidebyside/ingest.sh mycollector 'exec ./out/collector/Collector --tcp 127.0.0.1:$PORT --udp 127.0.0.1:$UDP_PORT --http 127.0.0.1:0 --file $OUT'
#
# Flow: start receiver -> wait until its port is bound -> SETTLE seconds ->
# send N messages -> wait until $OUT holds N lines (bounded by TIMEOUT, or
# STALL seconds without growth) -> stop receiver with SIGTERM -> verify.
# MODE (sender, via syslog-ng's loggen unless noted):
#   tcp5424  RFC 5424, octet-counted framing (RFC 6587)        loggen -P
#   tcplf    RFC 5424, LF framing                              loggen -P -F
#   tcp3164  RFC 3164 (BSD), LF framing                        loggen
#   udp      RFC 5424 datagrams at UDP_RATE msg/s              loggen -D -P
#   udp3164  RFC 3164 datagrams at UDP_RATE msg/s              loggen -D
#            (loggen paces in bursts: several hundred datagrams back to back)
#   udppaced RFC 5424 datagrams at UDP_RATE msg/s, evenly paced (at most 10
#            back to back), mixed sizes as in check mode   tools/sendmix.py --udp
#   check    correctness: CHECK_N RFC 5424 messages of mixed size (200 B, 8 KiB,
#            32 KiB, some UTF-8), octet-counted framing - tools/sendmix.py
#   checklf  the same with LF framing
# Environment (defaults): N=1000000 SIZE=256 (loggen message size, >=160)
#   CONNS=1 (loggen connections; N is split evenly between them) UDP_RATE=50000
#   CHECK_N=100000 N_PACED=200000 (udppaced count) PORT=15514 UDP_PORT=15515 TIMEOUT=300
#   STALL=10 SETTLE=1 RESULTS=<file to append the RESULT line to> KEEP=0
#   (KEEP=1 keeps the temporary work directory /tmp/bench-ingest.*)
#
# Output: progress on stderr, then one line on stdout:
#   RESULT kind=ingest name= mode= sent= written= lost= dup= bad= elapsed_s=
#          msgs_per_s= in_mb_s= out_mb_s= cpu_s= rss_mb= cpu_total_s= maxrss_mb= ...
# elapsed_s: from sender start until the last line was seen in $OUT;
# msgs_per_s = written / elapsed_s; in_mb_s, out_mb_s: wire and output MiB/s.
# cpu_s: receiver CPU (user+sys, all its processes) during that window;
# rss_mb: receiver peak RSS (VmHWM, summed over its processes) at the end;
# cpu_total_s/maxrss_mb: whole lifetime, from /usr/bin/time -v (counts only
# processes that were waited for); sender_cpu_s: CPU used by the sender.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 2 ]] || { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
NAME=$1 CMD=$2 MODE=${3:-${MODE:-tcp5424}}
N=${N:-1000000} SIZE=${SIZE:-256} CONNS=${CONNS:-1} UDP_RATE=${UDP_RATE:-50000}
CHECK_N=${CHECK_N:-100000}
PORT=${PORT:-15514} UDP_PORT=${UDP_PORT:-15515}
TIMEOUT=${TIMEOUT:-300} STALL=${STALL:-10} SETTLE=${SETTLE:-1}
LOGGEN=$(find_loggen)
[[ $MODE == check* ]] && N=$CHECK_N
[[ $MODE == udppaced ]] && N=${N_PACED:-200000}
# loggen's -n counts per connection
[[ $MODE == check* || $MODE == udppaced ]] && CONNS=1
per_conn=$(( (N + CONNS - 1) / CONNS )); N=$((per_conn * CONNS))

WORKDIR=$(mktemp -d /tmp/bench-ingest.XXXXXX)
OUT=$WORKDIR/out/messages
mkdir -p "$WORKDIR/out"
export PORT UDP_PORT OUT WORKDIR MODE

TPID="" WPID=""
cleanup() {
  [[ -n $WPID ]] && kill "$WPID" 2>/dev/null
  [[ -n $TPID ]] && kill -0 "$TPID" 2>/dev/null && stop_timed "$TPID" 5
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $WORKDIR"; else rm -rf "$WORKDIR"; fi
}
trap cleanup EXIT

case $MODE in udp*) proto=udp; lport=$UDP_PORT ;; *) proto=tcp; lport=$PORT ;; esac
if port_bound "$proto" "$lport"; then log "$proto port $lport is already in use"; exit 1; fi

log "$NAME/$MODE: starting receiver"
start_timed "$CMD" "$WORKDIR/receiver"
wait_bound "$proto" "$lport" "$TPID" 30 || { cat "$WORKDIR/receiver.log" >&2; exit 1; }
sleep "$SETTLE"
cpu0=$(tree_cpu "$TPID")

"$PY" "$BENCH_DIR/tools/waitlines.py" "$OUT" "$N" "$TIMEOUT" "$STALL" > "$WORKDIR/wait.txt" &
WPID=$!
lg=(timeout "$TIMEOUT" "$LOGGEN" --inet --active-connections="$CONNS" -n "$per_conn" -s "$SIZE" -I "$TIMEOUT")
case $MODE in
  tcp5424) send=("${lg[@]}" --stream -P -r 100000000 127.0.0.1 "$PORT") ;;
  tcplf)   send=("${lg[@]}" --stream -P -F -r 100000000 127.0.0.1 "$PORT") ;;
  tcp3164) send=("${lg[@]}" --stream -r 100000000 127.0.0.1 "$PORT") ;;
  udp)     send=("${lg[@]}" --dgram -P -r $((UDP_RATE / CONNS)) 127.0.0.1 "$UDP_PORT") ;;
  udp3164) send=("${lg[@]}" --dgram -r $((UDP_RATE / CONNS)) 127.0.0.1 "$UDP_PORT") ;;
  check)   send=(timeout "$TIMEOUT" "$PY" "$BENCH_DIR/tools/sendmix.py" "$PORT" "$N" --framing octet) ;;
  udppaced) send=(timeout "$TIMEOUT" "$PY" "$BENCH_DIR/tools/sendmix.py" "$UDP_PORT" "$N" --udp --udp-rate "$UDP_RATE") ;;
  checklf) send=(timeout "$TIMEOUT" "$PY" "$BENCH_DIR/tools/sendmix.py" "$PORT" "$N" --framing lf) ;;
  *) log "unknown MODE $MODE"; exit 2 ;;
esac
log "$NAME/$MODE: sending $N messages: ${send[*]}"
t0=$(now)
/usr/bin/time -f '%U %S' -o "$WORKDIR/sender.cpu" "${send[@]}" > "$WORKDIR/sender.log" 2>&1 \
  || log "sender exit status $?"
t_sent=$(now)
wait "$WPID" || true
WPID=
cpu1=$(tree_cpu "$TPID")
rss=$(tree_rss "$TPID")
read -r w_lines w_bytes _ w_last w_reason < <(sed 's/[a-z_]*=//g' "$WORKDIR/wait.txt")
log "$NAME/$MODE: output: $(cat "$WORKDIR/wait.txt")"
stop_timed "$TPID" 15
TPID=""
tsum=$(time_summary "$WORKDIR/receiver.time")

# what the sender says it sent
if [[ $MODE == check* || $MODE == udppaced ]]; then
  sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$WORKDIR/sender.log" | tail -1)
  sent_bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$WORKDIR/sender.log" | tail -1)
  ver=$("$PY" "$BENCH_DIR/tools/verify.py" mix "$OUT" "$N")
else
  # loggen prints one summary line per connection thread plus a total; use the total
  sent=$(grep -o 'count=[0-9]*' "$WORKDIR/sender.log" | tail -1 | cut -d= -f2)
  msz=$(grep -o 'msg size=[0-9.]*' "$WORKDIR/sender.log" | tail -1 | cut -d= -f2)
  sent_bytes=$(awk -v a="${sent:-0}" -v b="${msz:-0}" 'BEGIN{printf "%.0f", a*b}')
  ver=$("$PY" "$BENCH_DIR/tools/verify.py" seq "$OUT" "$N")
fi
sent=${sent:-0} sent_bytes=${sent_bytes:-0}
sender_cpu=$(awk '{printf "%.2f", $1+$2}' "$WORKDIR/sender.cpu" 2>/dev/null || echo NA)
log "$NAME/$MODE: verify: $ver"
written=$(sed -n 's/.*unique=\([0-9]*\).*/\1/p' <<<"$ver")
dup=$(sed -n 's/.*dup=\([0-9]*\).*/\1/p' <<<"$ver")
bad=$(sed -n 's/.*bad=\([0-9]*\).*/\1/p' <<<"$ver")
extra=$(sed -n 's/.*\(long_ok=[0-9/]*\).*/\1/p; s/.*\(odd_len=[0-9]*\).*/\1/p' <<<"$ver")

elapsed=$(fsub "${w_last}" "$t0"); [[ $w_last == 0.000000 ]] && elapsed=0
send_s=$(fsub "$t_sent" "$t0")
lost=$((sent - written)); [[ $lost -lt 0 ]] && lost=0
loss_pct=$(awk -v l=$lost -v s=$sent 'BEGIN{if (s>0) printf "%.3f", 100*l/s; else print 0}')
emit_result "kind=ingest name=$NAME mode=$MODE sent=$sent written=$written lost=$lost loss_pct=$loss_pct" \
  "dup=$dup bad=$bad $extra lines=$w_lines elapsed_s=$elapsed send_s=$send_s" \
  "msgs_per_s=$(fdiv "$written" "$elapsed") in_mb_s=$(fdiv2 "$(fdiv2 "$sent_bytes" 1048576)" "$elapsed")" \
  "out_mb_s=$(fdiv2 "$(fdiv2 "$w_bytes" 1048576)" "$elapsed") out_bytes=$w_bytes" \
  "cpu_s=$(fsub "$cpu1" "$cpu0") rss_mb=$rss $tsum sender_cpu_s=$sender_cpu wait=$w_reason"
