#!/usr/bin/env bash
# Usage: deploy/local/run.sh
#
# The whole kube-syslog pipeline on this machine, on loopback, in the foreground:
#   demo-writer.sh -> ./data/demo (a node's log tree) -> Forwarder -> relp://127.0.0.1:2514 -> Collector -> ./data/messages
# Ports: Collector RELP 127.0.0.1:2514 (the Forwarder's), syslog 127.0.0.1:5514 (TCP and UDP, for other senders),
# Collector HTTP 127.0.0.1:8083, Forwarder HTTP 127.0.0.1:8084.
# State: ./data/forwarder-state (the Forwarder's checkpoints). Ctrl-C stops all three; run it again to resume.
# Relays: one logforwarder document per file in ./data/relays, or: curl -X PUT 127.0.0.1:8083/api/v1/relays/NAME --data-binary @doc.yaml
# Watch it with: tail -f data/messages    or    curl -s 'http://127.0.0.1:8083/api/v1/query_range?query={namespace="shop"}'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "building Collector and Forwarder (Release)..." >&2
dotnet build Collector -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet build Forwarder -c Release -nologo -v quiet -clp:ErrorsOnly
mkdir -p data

pids=()
stop() {
  trap - INT TERM EXIT
  [[ ${#pids[@]} -gt 0 ]] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

dotnet run --no-build -c Release --project Collector -- --file data/messages --relays data/relays &
pids+=($!)
deploy/local/demo-writer.sh data/demo &
pids+=($!)
dotnet run --no-build -c Release --project Forwarder -- \
  --include "$PWD/data/demo/var/log/containers/*.log" \
  --include "$PWD/data/demo/var/lib/gravity/site/**/*.log" \
  --to relp://127.0.0.1:2514 \
  --state data/forwarder-state --node demo-node &
pids+=($!)

echo "running: lines flow into $PWD/data/messages (tail -f data/messages); Ctrl-C stops" >&2
wait -n "${pids[@]}" || true
