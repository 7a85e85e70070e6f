#!/usr/bin/env bash
# Usage: MODE=tcp5424 PORT=15514 UDP_PORT=15515 OUT=/tmp/x/messages peers/null-receiver.sh
# (normally: tests/Benchmarks/sidebyside/ingest.sh null peers/null-receiver.sh tcp5424)
#
# Ceiling reference, not a syslog daemon: socat copies the raw byte stream
# (TCP modes) or the datagrams (udp modes) to $OUT without parsing anything.
# Every loggen message ends in LF, so $OUT still has one line per message.
# Shows how fast the sender + loopback + file write path is on this machine.
# Use it with one connection only (CONNS=1): socat forks a process per
# connection and their writes to $OUT interleave mid-line.
set -euo pipefail
: "${PORT:?}" "${UDP_PORT:?}" "${OUT:?}"
case ${MODE:-tcp5424} in
  udp*) exec socat -u -b 65536 UDP-RECV:"$UDP_PORT",bind=127.0.0.1 OPEN:"$OUT",creat,append ;;
  *)    exec socat -u -b 1048576 TCP-LISTEN:"$PORT",bind=127.0.0.1,reuseaddr,fork OPEN:"$OUT",creat,append ;;
esac
