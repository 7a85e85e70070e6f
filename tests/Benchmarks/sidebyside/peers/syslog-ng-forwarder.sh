#!/usr/bin/env bash
# Usage: LOG_ROOT=/tmp/x/root SINK_PORT=15601 STATE_DIR=/tmp/x/state peers/syslog-ng-forwarder.sh
# (normally started by ../forward.sh: forward.sh syslog-ng tests/Benchmarks/sidebyside/peers/syslog-ng-forwarder.sh)
#
# Runs syslog-ng in the foreground (-F) as a private instance (own config,
# persist file, pid file and control socket in $STATE_DIR; not the system
# service) that tails $LOG_ROOT/var/log/containers/*.log with wildcard-file()
# and forwards every line to 127.0.0.1:$SINK_PORT with the syslog() driver
# (RFC 5424 over TCP, octet-counted framing). Stops on SIGTERM.
# SNG_FLOW_CONTROL=0 drops flags(flow-control) from the log path (syslog-ng's
# default; lines may then be dropped when its output queue is full).
# By default the raw file line is the MSG. PARSE=1 ships only the container's
# message: json-parser() for FORMAT=docker, csv-parser() for FORMAT=cri.
# SNG_FOLLOW_FREQ=0.1 sets follow-freq() of the file source (seconds between
# polls of the files; default 1). Not a default setting: a tuned variant.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
: "${LOG_ROOT:?}" "${SINK_PORT:?}" "${STATE_DIR:?}"
SYSLOG_NG=${SYSLOG_NG:-$(peer_bin syslog-ng syslog-ng)}
mkdir -p "$STATE_DIR"
LOG_FLAGS="flags(flow-control);"
[[ ${SNG_FLOW_CONTROL:-1} == 0 ]] && LOG_FLAGS=""
SRC_OPTS=${SNG_FOLLOW_FREQ:+follow-freq($SNG_FOLLOW_FREQ)}
PARSE_STEPS=""
if [[ ${PARSE:-0} == 1 ]]; then
  if [[ ${FORMAT:-docker} == cri ]]; then PARSE_STEPS="parser(p_cri); rewrite(r_cri);"
  else PARSE_STEPS="parser(p_docker); rewrite(r_docker);"; fi
fi
render "$PEERS_DIR/syslog-ng-forwarder.conf" "$STATE_DIR/syslog-ng.conf" LOG_ROOT SINK_PORT LOG_FLAGS SRC_OPTS PARSE_STEPS
exec "$SYSLOG_NG" -F -f "$STATE_DIR/syslog-ng.conf" --persist-file="$STATE_DIR/syslog-ng.persist" \
  --pidfile="$STATE_DIR/syslog-ng.pid" --control="$STATE_DIR/syslog-ng.ctl"
