#!/usr/bin/env bash
# Usage: tests/Benchmarks/sidebyside/baseline.sh
#
# Measures this machine's ceilings, to put receiver/forwarder numbers in
# context (nothing here parses syslog):
#   tcp_socat    dd | socat -> loopback TCP -> socat > /dev/null      (MiB/s)
#   tcp_python   one process, 1 MiB sendall/recv_into over loopback   (MiB/s)
#   file_write   dd bs=1M to a file in /tmp, with fdatasync            (MiB/s)
#   file_read_hot  dd bs=1M FILE to /dev/null, file in page cache      (MiB/s)
#   file_read_cold same after dropping the page cache (root only; COLD=0 skips)
#   wc_lines     wc -l over a 1,000,000-line docker json-file log (hot)  (lines/s)
# Environment: MB=2048 (size of the transfers/files), PORT=15690, RESULTS=<file>.
# Output: one "RESULT kind=baseline test=... value=... unit=..." line per test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MB=${MB:-2048} PORT=${PORT:-15690}
W=$(mktemp -d /tmp/bench-baseline.XXXXXX)
RPID=
trap '[[ -n $RPID ]] && kill $RPID 2>/dev/null; rm -rf "$W"' EXIT
res() { emit_result "kind=baseline test=$1 value=$2 unit=$3 $4"; }

if port_bound tcp "$PORT"; then log "port $PORT in use"; exit 1; fi
timeout 120 socat -u -b 1048576 TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr - > /dev/null &
RPID=$!
wait_bound tcp "$PORT" "$RPID" 10
t0=$(now)
dd if=/dev/zero bs=1M count="$MB" status=none | timeout 120 socat -u -b 1048576 - TCP:127.0.0.1:"$PORT"
wait "$RPID"; RPID=
t1=$(now)
res tcp_socat "$(fdiv "$MB" "$(fsub "$t1" "$t0")")" MiB/s "mib=$MB"

r=$(timeout 120 "$PY" "$BENCH_DIR/tools/tcpblast.py" "$MB" "$PORT")
res tcp_python "$(sed 's/.*mib_s=//' <<<"$r")" MiB/s "$r"

t0=$(now)
dd if=/dev/zero of="$W/big" bs=1M count="$MB" conv=fdatasync status=none
t1=$(now)
res file_write "$(fdiv "$MB" "$(fsub "$t1" "$t0")")" MiB/s "fdatasync=yes fs=$(df -T /tmp | awk 'NR==2{print $2}')"

dd if="$W/big" of=/dev/null bs=1M status=none
t0=$(now); dd if="$W/big" of=/dev/null bs=1M status=none; t1=$(now)
res file_read_hot "$(fdiv "$MB" "$(fsub "$t1" "$t0")")" MiB/s ""

if [[ ${COLD:-1} == 1 && -w /proc/sys/vm/drop_caches ]]; then
  sync; echo 3 > /proc/sys/vm/drop_caches
  t0=$(now); dd if="$W/big" of=/dev/null bs=1M status=none; t1=$(now)
  res file_read_cold "$(fdiv "$MB" "$(fsub "$t1" "$t0")")" MiB/s ""
fi
rm -f "$W/big"

"$PY" "$BENCH_DIR/tools/mklogs.py" init "$W/root" 1 1000000 > /dev/null
f=$(head -1 "$W/root/files.txt")
cat "$f" > /dev/null
t0=$(now); n=$(wc -l < "$f"); t1=$(now)
res wc_lines "$(fdiv "$n" "$(fsub "$t1" "$t0")")" lines/s "bytes=$(stat -c %s "$f")"

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)" >&2
