#!/usr/bin/env bash
# Usage: LOG_ROOT=/tmp/x/root SINK_PORT=15601 STATE_DIR=/tmp/x/state peers/rsyslog-forwarder.sh
# (normally started by ../forward.sh: forward.sh rsyslog tests/Benchmarks/sidebyside/peers/rsyslog-forwarder.sh)
#
# Runs rsyslogd in the foreground (-n) as a private instance (own config, pid
# file and work directory in $STATE_DIR; not the system service) that tails
# $LOG_ROOT/var/log/containers/*.log with imfile and forwards every line to
# 127.0.0.1:$SINK_PORT as RFC 5424 over TCP, octet-counted framing.
# Stops on SIGTERM.
# By default the raw file line is the MSG. PARSE=1 ships only the container's
# message: mmjsonparse for FORMAT=docker, mmnormalize for FORMAT=cri.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${LOG_ROOT:?}" "${SINK_PORT:?}" "${STATE_DIR:?}"
RSYSLOGD=${RSYSLOGD:-$(peer_bin rsyslogd rsyslogd)}
mkdir -p "$STATE_DIR"
PARSE_MODULES="" PARSE_ACTION="" TEMPLATE="RSYSLOG_SyslogProtocol23Format"
if [[ ${PARSE:-0} == 1 ]]; then
  if [[ ${FORMAT:-docker} == cri ]]; then
    PARSE_MODULES='module(load="mmnormalize")'
    PARSE_ACTION='action(type="mmnormalize" useRawMsg="on" rule=["rule=:%time:word% %stream:word% %tag:word% %msg:rest%"])'
    TEMPLATE=k8sCri
  else
    PARSE_MODULES='module(load="mmjsonparse")'
    PARSE_ACTION='action(type="mmjsonparse" cookie="" useRawMsg="on")'
    TEMPLATE=k8sDocker
  fi
fi
render "$PEERS_DIR/rsyslog-forwarder.conf" "$STATE_DIR/rsyslog.conf" LOG_ROOT SINK_PORT STATE_DIR \
  PARSE_MODULES PARSE_ACTION TEMPLATE
exec "$RSYSLOGD" -n -f "$STATE_DIR/rsyslog.conf" -i "$STATE_DIR/rsyslogd.pid"
