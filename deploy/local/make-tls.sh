#!/usr/bin/env bash
# Usage: deploy/local/make-tls.sh [DIR]        (DIR defaults to ./data/tls)
#
# The certificates for the local stack's TLS mode (deploy/local/run.sh --tls, docker-compose.tls.yaml), made by the
# cluster's deploy/kubernetes/components/tls/make-certs.sh: a private CA (ca.crt, ca.key), the Collector's server
# pair (collector.crt, .key; names log-collector, which the Forwarder checks) and the Forwarders' client pair
# (forwarder.crt, .key). An existing CA in DIR is reused; the certificates are made anew each time.
# The keys are made readable by everyone (0644) because the containers run as user 1654 and read them from a bind
# mount: fine for a demo on one machine, never for a cluster (there the Secrets are mounted with the pod's rights).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:-data/tls}
"$repo/deploy/kubernetes/components/tls/make-certs.sh" "$dir" local >/dev/null
rm -f "$dir/secrets.yaml"
chmod 0755 "$dir"
chmod 0644 "$dir"/collector.key "$dir"/forwarder.key "$dir"/*.crt
echo "made $dir: ca.crt, collector.crt/.key (log-collector), forwarder.crt/.key (log-forwarder)" >&2
