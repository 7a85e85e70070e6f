#!/usr/bin/env bash
# Usage: deploy/local/run.sh [--tls]          (KUBE_SYSLOG_TLS=1 is the same as --tls)
#
# The whole kube-syslog pipeline on this machine, on loopback, in the foreground:
#   demo-writer.sh -> ./data/demo (a node's log tree) -> Forwarder -> relp://127.0.0.1:2514 -> Collector -> ./data/messages
# Ports: Collector RELP 127.0.0.1:2514 (the Forwarder's), syslog 127.0.0.1:5514 (TCP and UDP, for other senders),
# Collector HTTP 127.0.0.1:8083, Forwarder HTTP 127.0.0.1:8084.
# State: ./data/forwarder-state (the Forwarder's checkpoints). Ctrl-C stops all three; run it again to resume.
# Relays: one logforwarder document per file in ./data/relays, or: curl -X PUT 127.0.0.1:8083/api/v1/relays/NAME --data-binary @doc.yaml
# Watch it with: tail -f data/messages    or    curl -s 'http://127.0.0.1:8083/api/v1/query_range?query={namespace="shop"}'
#
# --tls: plain stays the default; with --tls the Forwarder ships over relp+tls://127.0.0.1:2515 with a client
# certificate, and the Collector requires one of the local CA (certvalid). It also takes syslog over TLS (RFC 5425) on
# 127.0.0.1:6514 and serves the API over HTTPS on 127.0.0.1:8443. The certificates are made once into ./data/tls by
# deploy/local/make-tls.sh (the cluster's make-certs.sh): the server's name is log-collector, so
#   curl --cacert data/tls/ca.crt --resolve log-collector:8443:127.0.0.1 https://log-collector:8443/api/v1/labels
# The plain ports stay open for other local senders, as in the cluster's tls component.
#
# Running beside another copy (the tests do): DATA (default data) and the listeners COLLECTOR_TCP (TCP and UDP),
# COLLECTOR_RELP, COLLECTOR_HTTP, FORWARDER_HTTP, COLLECTOR_TLS, COLLECTOR_RELP_TLS, COLLECTOR_HTTPS (HOST:PORT) can
# be set; RUN_NO_BUILD=1 skips the build when both programs are built already (Release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

tls=${KUBE_SYSLOG_TLS:-0}
for arg in "$@"; do
  case $arg in
    --tls) tls=1 ;;
    *) echo "usage: $0 [--tls]" >&2; exit 2 ;;
  esac
done
data=${DATA:-data}
tcp=${COLLECTOR_TCP:-127.0.0.1:5514}
relp=${COLLECTOR_RELP:-127.0.0.1:2514}
http=${COLLECTOR_HTTP:-127.0.0.1:8083}
forwarder_http=${FORWARDER_HTTP:-127.0.0.1:8084}
syslog_tls=${COLLECTOR_TLS:-127.0.0.1:6514}
relp_tls=${COLLECTOR_RELP_TLS:-127.0.0.1:2515}
https=${COLLECTOR_HTTPS:-127.0.0.1:8443}

if [[ ${RUN_NO_BUILD:-0} != 1 ]]; then
  echo "building Collector and Forwarder (Release)..." >&2
  dotnet build Collector -c Release -nologo -v quiet -clp:ErrorsOnly
  dotnet build Forwarder -c Release -nologo -v quiet -clp:ErrorsOnly
fi
mkdir -p "$data"
data=$(cd "$data" && pwd)

collector_tls=() forwarder_tls=() target="relp://$relp"
if [[ $tls == 1 ]]; then
  [[ -f $data/tls/collector.crt && -f $data/tls/forwarder.crt ]] || deploy/local/make-tls.sh "$data/tls"
  collector_tls=(--tls "$syslog_tls" --relp-tls "$relp_tls" --tls-cert "$data/tls/collector.crt" --tls-key "$data/tls/collector.key"
    --tls-client-ca "$data/tls/ca.crt" --tls-client-auth certvalid
    --https "$https" --https-cert "$data/tls/collector.crt" --https-key "$data/tls/collector.key")
  # The certificate names log-collector (the compose and cluster service name), not 127.0.0.1.
  forwarder_tls=(--tls-ca "$data/tls/ca.crt" --tls-cert "$data/tls/forwarder.crt" --tls-key "$data/tls/forwarder.key"
    --tls-server-name log-collector)
  target="relp+tls://$relp_tls"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  [[ ${#pids[@]} -gt 0 ]] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# The built apphosts, not `dotnet run`: a signal to this script then reaches the programs themselves.
Collector/bin/Release/net10.0/Collector --file "$data/messages" --relays "$data/relays" \
  --tcp "$tcp" --udp "$tcp" --relp "$relp" --http "$http" "${collector_tls[@]}" &
pids+=($!)
deploy/local/demo-writer.sh "$data/demo" &
pids+=($!)
Forwarder/bin/Release/net10.0/Forwarder \
  --include "$data/demo/var/log/containers/*.log" \
  --include "$data/demo/var/lib/gravity/site/**/*.log" \
  --to "$target" "${forwarder_tls[@]}" \
  --state "$data/forwarder-state" --node demo-node --http "$forwarder_http" &
pids+=($!)

echo "running$([[ $tls == 1 ]] && echo " with TLS (Forwarder -> $target, client certificates required)"):" \
  "lines flow into $data/messages (tail -f $data/messages); Ctrl-C stops" >&2
wait -n "${pids[@]}" || true
