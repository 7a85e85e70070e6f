#!/usr/bin/env bash
# For clusters without cert-manager: makes a private CA, the Collector's server certificate and the Forwarders'
# client certificate with openssl, and writes them as the Secrets the tls component mounts (the same names and keys
# cert-manager's component would give them: tls.crt, tls.key, ca.crt).
#
#   deploy/kubernetes/components/tls/make-certs.sh DIR [NAMESPACE]    # NAMESPACE defaults to kube-syslog
#   kubectl apply -f DIR/secrets.yaml
#
# DIR gets ca.crt, ca.key (keep it safe, or delete it: it is needed only to issue more certificates), collector.crt,
# collector.key, forwarder.crt, forwarder.key and secrets.yaml. An existing CA in DIR is reused, so running the script
# again renews the two certificates under the same CA (the Collector reads the CA file only at start; the
# certificates are reloaded when the Secrets change). Certificates are valid for DAYS days (default 365), the CA for
# ten years. Needs openssl 1.1.1 or later.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || "$1" == -* ]]; then
    echo "usage: $0 DIR [NAMESPACE]" >&2
    exit 2
fi
dir=$1
namespace=${2:-kube-syslog}
days=${DAYS:-365}
if ! [[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then
    echo "$0: '$namespace' is not a namespace name" >&2
    exit 2
fi
if ! [[ "$days" =~ ^[1-9][0-9]*$ ]]; then
    echo "$0: DAYS must be a positive whole number, was '$days'" >&2
    exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl not found" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
umask 077

if [[ ! -f ca.key || ! -f ca.crt ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 3650 \
        -subj "/CN=kube-syslog CA" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# NAME EXTENSIONS: a key and a certificate signed by the CA.
issue() {
    local name=$1 extensions=$2
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/CN=$name" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days "$days" \
        -extfile <(printf '%s\n' "$extensions") 2>/dev/null
    rm -f "$name.csr"
}

# The Forwarders connect to the Service by its short name (relp+tls://log-collector:2515) and check that name.
issue collector "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:log-collector,DNS:log-collector.$namespace,DNS:log-collector.$namespace.svc,DNS:log-collector.$namespace.svc.cluster.local"
# One client certificate shared by every node's Forwarder (a DaemonSet cannot mount a different Secret per node).
issue forwarder "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:log-forwarder"
rm -f ca.srl

secret() {
    local name=$1 file=$2
    cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $name
  namespace: $namespace
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$file.crt")
  tls.key: $(base64 -w0 "$file.key")
  ca.crt: $(base64 -w0 ca.crt)
YAML
}
{
    secret log-collector-tls collector
    echo "---"
    secret log-forwarder-tls forwarder
} > secrets.yaml
echo "wrote $dir/secrets.yaml: kubectl apply -f $dir/secrets.yaml"
