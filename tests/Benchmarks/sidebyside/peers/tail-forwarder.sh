#!/usr/bin/env bash
# Usage: LOG_ROOT=/tmp/x/root SINK_PORT=15601 peers/tail-forwarder.sh
# (normally: tests/Benchmarks/sidebyside/forward.sh tail peers/tail-forwarder.sh)
#
# Ceiling reference, not a syslog forwarder: coreutils `tail -F` follows the
# container log files (names taken once at start) and socat streams the raw
# lines to the sink with LF framing - no syslog header, no JSON parsing, no
# state file. Shows how fast read-files-and-ship can go on this machine.
set -euo pipefail
: "${LOG_ROOT:?}" "${SINK_PORT:?}"
shopt -s nullglob
files=("$LOG_ROOT"/var/log/containers/*.log)
[[ ${#files[@]} -gt 0 ]] || { echo "no files under $LOG_ROOT/var/log/containers" >&2; exit 1; }
tail -q -n +1 -F "${files[@]}" | socat -u -b 1048576 - TCP:127.0.0.1:"$SINK_PORT"
