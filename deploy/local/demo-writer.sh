#!/usr/bin/env bash
# Usage: deploy/local/demo-writer.sh ROOT [LINES_PER_SECOND]
#
# Lays out ROOT like a Kubernetes node and keeps appending container-style log lines to it, as the container
# runtimes do, until it is stopped (Ctrl-C, SIGTERM):
#   ROOT/var/log/containers/<pod>_<namespace>_<container>-<id>.log -> ROOT/var/log/pods/<ns>_<pod>_<uid>/<container>/0.log
#     shop/web-…     (containerd, CRI format: "<time> stdout F <text>", long lines split into P fragments)
#     shop/worker-…  (docker json-file: {"log":"…\n","stream":"stdout","time":"…"}, via var/lib/docker/containers)
#     kube-system/dns-… (CRI, some stderr)
#   ROOT/var/lib/gravity/site/update/agent.log (a plain log file, found by a ** glob)
# The local stack (deploy/local/run.sh) and docker-compose.yaml use it as their "writer".
set -euo pipefail
ROOT=${1:?usage: $0 ROOT [LINES_PER_SECOND]}
RATE=${2:-5}
mkdir -p "$ROOT"
ROOT=$(cd "$ROOT" && pwd)

pod_log() { # ns pod container id uid format -> prints the file the runtime writes
  local ns=$1 pod=$2 container=$3 id=$4 uid=$5 format=$6
  local dir="$ROOT/var/log/pods/${ns}_${pod}_${uid}/$container" real
  mkdir -p "$dir" "$ROOT/var/log/containers"
  if [[ $format == docker ]]; then
    mkdir -p "$ROOT/var/lib/docker/containers/$id"
    real="$ROOT/var/lib/docker/containers/$id/$id-json.log"
    touch "$real"
    ln -sfn "$real" "$dir/0.log"
  else
    real="$dir/0.log"
    touch "$real"
  fi
  ln -sfn "$dir/0.log" "$ROOT/var/log/containers/${pod}_${ns}_${container}-${id}.log"
  echo "$real"
}

id() { printf '%s' "$1" | sha256sum | cut -c1-64; }
WEB=$(pod_log shop web-7d9f8c6b5d-x2k4p nginx "$(id web)" 3f1c2a9e-0001-4c1b-9a51-1d2e3f4a5b6c cri)
WORKER=$(pod_log shop worker-5c8d7b9f4-q8r2t worker "$(id worker)" 3f1c2a9e-0002-4c1b-9a51-1d2e3f4a5b6c docker)
DNS=$(pod_log kube-system coredns-6d4b75cb6d-m9zxl coredns "$(id dns)" 3f1c2a9e-0003-4c1b-9a51-1d2e3f4a5b6c cri)
AGENT="$ROOT/var/lib/gravity/site/update/agent.log"
mkdir -p "$(dirname "$AGENT")"
touch "$AGENT"

trap 'exit 0' INT TERM
echo "demo-writer: appending about $RATE lines/s under $ROOT (Ctrl-C stops)" >&2
n=0
pause=$(awk "BEGIN { printf \"%.3f\", 1 / $RATE }")
while true; do
  n=$((n + 1))
  now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
  case $((n % 4)) in
    0) printf '%s stdout F 10.0.%d.%d - - "GET /cart/%d HTTP/1.1" 200 %d "-" "curl/8.5"\n' "$now" $((n % 7)) $((n % 250)) "$n" $((n * 37 % 9000)) >> "$WEB"
       if (( n % 40 == 0 )); then # a long line, split by the runtime into a P fragment and the final F
         printf '%s stdout P long request body %s\n%s stdout F  … end of request %d\n' "$now" "$(head -c 300 /dev/zero | tr '\0' 'x')" "$now" "$n" >> "$WEB"
       fi ;;
    1) printf '{"log":"job %d done in %dms (queue=\\"orders\\")\\n","stream":"stdout","time":"%s"}\n' "$n" $((n * 13 % 500)) "$now" >> "$WORKER" ;;
    2) if (( n % 3 == 0 )); then
         printf '%s stderr F [WARNING] plugin/health: upstream %d slow\n' "$now" "$n" >> "$DNS"
       else
         printf '%s stdout F [INFO] 10.0.0.%d:53 - %d "A IN shop.svc.cluster.local. udp" NOERROR\n' "$now" $((n % 250)) "$n" >> "$DNS"
       fi ;;
    3) printf '%s INFO update agent heartbeat %d\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$n" >> "$AGENT" ;;
  esac
  sleep "$pause"
done
