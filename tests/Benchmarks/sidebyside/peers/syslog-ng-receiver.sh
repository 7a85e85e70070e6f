#!/usr/bin/env bash
# Usage: MODE=tcp5424 PORT=15514 UDP_PORT=15515 OUT=/tmp/x/messages WORKDIR=/tmp/x peers/syslog-ng-receiver.sh
# (normally started by ../ingest.sh: ingest.sh syslog-ng tests/Benchmarks/sidebyside/peers/syslog-ng-receiver.sh)
#
# Runs syslog-ng in the foreground (-F) as a private instance: its own config,
# persist file, pid file and control socket under $WORKDIR; not the system
# service. Writes every received message to $OUT in the traditional
# /var/log/messages format. Stops on SIGTERM.
# MODE picks the source driver (syslog-ng 3.38 cannot auto-detect framing):
#   tcp5424, check  syslog() over TCP: RFC 5424, octet-counted (RFC 6587)
#   tcplf, checklf  network() over TCP, flags(syslog-protocol): RFC 5424, LF framed
#   tcp3164         network() over TCP: RFC 3164, LF framed
#   udp, udppaced   syslog() over UDP: RFC 5424 datagrams
#   udp3164         network() over UDP: RFC 3164 datagrams
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${PORT:?}" "${UDP_PORT:?}" "${OUT:?}" "${WORKDIR:?}"
MODE=${MODE:-tcp5424}
SYSLOG_NG=${SYSLOG_NG:-$(peer_bin syslog-ng syslog-ng)}
WORK="$WORKDIR/syslog-ng"
mkdir -p "$WORK" "$(dirname "$OUT")"
tcp="ip(\"127.0.0.1\") port($PORT)"
udp="ip(\"127.0.0.1\") port($UDP_PORT)"
case "$MODE" in
  tcp5424|check) SOURCE="syslog($tcp transport(\"tcp\"));" ;;
  tcplf|checklf) SOURCE="network($tcp transport(\"tcp\") flags(syslog-protocol));" ;;
  tcp3164)       SOURCE="network($tcp transport(\"tcp\"));" ;;
  udp|udppaced)  SOURCE="syslog($udp transport(\"udp\"));" ;;
  udp3164)       SOURCE="network($udp transport(\"udp\"));" ;;
  *) echo "unknown MODE=$MODE" >&2; exit 2 ;;
esac
WORKDIR=$WORK render "$PEERS_DIR/syslog-ng-receiver.conf" "$WORK/syslog-ng.conf" SOURCE OUT WORKDIR
exec "$SYSLOG_NG" -F -f "$WORK/syslog-ng.conf" --persist-file="$WORK/syslog-ng.persist" \
  --pidfile="$WORK/syslog-ng.pid" --control="$WORK/syslog-ng.ctl"
