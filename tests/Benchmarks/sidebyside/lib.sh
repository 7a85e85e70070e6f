# shellcheck shell=bash
# Sourced by setup.sh, ingest.sh, forward.sh, baseline.sh and run.sh (not run directly).
# Helpers: where the peers are, timing, readiness checks, process-tree CPU/RSS, stopping.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# setup.sh unpacks loggen and syslog-ng here (git ignores it); results go to ./bench-results.
BENCH_STATE=${BENCH_STATE:-$BENCH_DIR/.state}
PY=${PY:-python3}

now() { date +%s.%N; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a-b}'; }          # a-b
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN{if (b>0) printf "%.0f", a/b; else print 0}'; }  # a/b, integer
fdiv2() { awk -v a="$1" -v b="$2" 'BEGIN{if (b>0) printf "%.2f", a/b; else print 0}'; } # a/b, 2 decimals

find_loggen() {
  if [[ -n "${LOGGEN:-}" ]]; then echo "$LOGGEN"
  elif [[ -x "$BENCH_STATE/bin/loggen" ]]; then echo "$BENCH_STATE/bin/loggen"
  elif command -v loggen >/dev/null 2>&1; then command -v loggen
  else echo "loggen not found: run tests/Benchmarks/sidebyside/setup.sh or set LOGGEN" >&2; return 1; fi
}

# port_bound tcp|udp PORT: true if something on this host listens on PORT (any address).
port_bound() {
  local proto=$1 hex f
  hex=$(printf '%04X' "$2")
  for f in /proc/net/"$proto" /proc/net/"${proto}6"; do
    [[ -r $f ]] || continue
    if [[ $proto == tcp ]]; then
      awk -v h=":$hex" 'NR>1 && substr($2, length($2)-4)==h && $4=="0A" {f=1} END{exit !f}' "$f" && return 0
    else
      awk -v h=":$hex" 'NR>1 && substr($2, length($2)-4)==h {f=1} END{exit !f}' "$f" && return 0
    fi
  done
  return 1
}

# wait_bound tcp|udp PORT PID TIMEOUT_S: wait until PORT is bound, fail if PID dies or time runs out.
wait_bound() {
  local proto=$1 port=$2 pid=$3 limit=$4 i
  for ((i = 0; i < limit * 20; i++)); do
    port_bound "$proto" "$port" && return 0
    kill -0 "$pid" 2>/dev/null || { log "process $pid exited before $proto/$port was bound"; return 1; }
    sleep 0.05
  done
  log "timeout: $proto/$port not bound after ${limit}s"; return 1
}

# start_timed CMD PREFIX: runs CMD (bash -c) under /usr/bin/time -v in the background.
# Sets TPID (pid of /usr/bin/time); stdout/stderr go to PREFIX.log, time's report to PREFIX.time.
start_timed() {
  /usr/bin/time -v -o "$2.time" bash -c "$1" >"$2.log" 2>&1 &
  TPID=$!  # read by the caller
}

tree_cpu() { "$PY" "$BENCH_DIR/tools/proctree.py" cpu "$1" --no-root; }
tree_rss() { "$PY" "$BENCH_DIR/tools/proctree.py" rss "$1" --no-root; }

# stop_timed TPID [TIMEOUT_S]: SIGTERM to every process under /usr/bin/time, wait (bounded), then SIGKILL.
stop_timed() {
  local tpid=$1 limit=${2:-15} pids i
  pids=$("$PY" "$BENCH_DIR/tools/proctree.py" pids "$tpid" --no-root)
  [[ -n $pids ]] && kill -TERM $pids 2>/dev/null
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$tpid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$tpid" 2>/dev/null; then
    log "still running after ${limit}s, sending SIGKILL"
    pids=$("$PY" "$BENCH_DIR/tools/proctree.py" pids "$tpid" --no-root)
    [[ -n $pids ]] && kill -KILL $pids 2>/dev/null
  fi
  wait "$tpid" 2>/dev/null || true
}

# time_field FILE 'Maximum resident set size' -> value from a /usr/bin/time -v report
time_field() { sed -n "s/^[[:space:]]*$2[^:]*: //p" "$1" 2>/dev/null | head -1; }
# time_summary FILE -> "cpu_total_s=X maxrss_mb=Y" (whole lifetime, from /usr/bin/time -v)
time_summary() {
  local u s m
  u=$(time_field "$1" 'User time'); s=$(time_field "$1" 'System time')
  m=$(time_field "$1" 'Maximum resident set size')
  awk -v u="${u:-0}" -v s="${s:-0}" -v m="${m:-0}" 'BEGIN{printf "cpu_total_s=%.2f maxrss_mb=%.1f", u+s, m/1024}'
}

emit_result() { # prints the RESULT line and appends it to $RESULTS if set
  echo "RESULT $*"
  [[ -n "${RESULTS:-}" ]] && echo "RESULT $*" >> "$RESULTS"
  return 0
}
