#!/usr/bin/env bash
# Usage: PORT=15514 UDP_PORT=15515 OUT=/tmp/x/messages WORKDIR=/tmp/x peers/rsyslog-receiver.sh
# (normally started by ../ingest.sh: ingest.sh rsyslog tests/Benchmarks/sidebyside/peers/rsyslog-receiver.sh)
#
# Runs rsyslogd in the foreground (-n) as a private instance: its own config,
# pid file and work directory under $WORKDIR; it is not the system service.
# Listens on 127.0.0.1:$PORT/tcp (octet-counted and LF framing) and
# 127.0.0.1:$UDP_PORT/udp, writes every received message to $OUT in the
# traditional /var/log/messages format. Stops on SIGTERM.
# RSYSLOG_MAX_MSG (default 64k) sets global(maxMessageSize).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${PORT:?}" "${UDP_PORT:?}" "${OUT:?}" "${WORKDIR:?}"
RSYSLOGD=${RSYSLOGD:-$(peer_bin rsyslogd rsyslogd)}
mkdir -p "$WORKDIR/rsyslog"
WORK="$WORKDIR/rsyslog"
MAX_MSG=${RSYSLOG_MAX_MSG:-64k}
render "$PEERS_DIR/rsyslog-receiver.conf" "$WORK/rsyslog.conf" PORT UDP_PORT OUT WORKDIR MAX_MSG
sed -i "s|workDirectory=\"$WORKDIR\"|workDirectory=\"$WORK\"|" "$WORK/rsyslog.conf"
exec "$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslogd.pid"
