# Sourced by tests/containers/*.sh: helpers for checks against running containers.
# shellcheck shell=bash
set -euo pipefail
# A command that fails outside the checks still says which one it was before errexit ends the script.
trap 'echo "FAIL: ${BASH_SOURCE[0]##*/} line $LINENO: $BASH_COMMAND exited with $?" >&2' ERR
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=deploy/containers/podman-env.sh
source "$repo/deploy/containers/podman-env.sh"
# shellcheck disable=SC2034 # used by the scripts that source this file
delivery="$repo/tests/containers/delivery.py"

COLLECTOR_IMAGE=${COLLECTOR_IMAGE:-kube-syslog/collector:0.1.0}
FORWARDER_IMAGE=${FORWARDER_IMAGE:-kube-syslog/forwarder:0.1.0}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

ok() { echo "ok: $*"; }

# until_ok SECONDS WHAT COMMAND...: runs COMMAND until it succeeds; fails naming WHAT and COMMAND's last output
# when SECONDS pass first. Polls every half second: a deadline on a condition, not a fixed sleep.
until_ok() {
  local limit=$1 what=$2 output
  shift 2
  local deadline=$((SECONDS + limit))
  until output=$("$@" 2>&1); do
    if ((SECONDS > deadline)); then
      fail "timed out after ${limit} s waiting for $what; last: $output"
    fi
    sleep 0.5
  done
  printf '%s\n' "$output"
}

# http_ok URL: succeeds when URL answers 200.
http_ok() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1") || true
  [ "$code" = 200 ] || { echo "$1 answered ${code:-nothing}"; return 1; }
}

# file_quiet FILE SECONDS: succeeds once FILE's size has not changed for SECONDS (the end of a delivery check).
file_quiet() {
  local file=$1 quiet=$2 size last changed=$SECONDS
  last=$(stat -c %s "$file")
  while ((SECONDS - changed < quiet)); do
    sleep 0.5
    size=$(stat -c %s "$file")
    if [ "$size" != "$last" ]; then
      last=$size
      changed=$SECONDS
    fi
  done
}

# port_free PORT: fails the test when something on this machine already listens on PORT (compose publishes fixed ports).
port_free() {
  if ss -Htln "sport = :$1" | grep -q .; then
    fail "port $1 is in use on this machine; docker-compose.yaml publishes it (stop what listens there)"
  fi
}

exit_code() { podman inspect --format '{{.State.ExitCode}}' "$1"; }
