#!/usr/bin/env bash
# For clusters without cert-manager: makes a private CA, the Collector's server certificate and the Forwarders'
# client certificate with openssl, and writes them as the Secrets the tls component mounts (the same names and keys
# cert-manager's component would give them: tls.crt, tls.key, ca.crt).
#
#   deploy/kubernetes/components/tls/make-certs.sh DIR [NAMESPACE [NODE...]]    # NAMESPACE defaults to kube-syslog
#   kubectl apply -f DIR/secrets.yaml
#
# With NODE names (the node-certificates component), each node also gets a client certificate naming it (SAN DNS and
# CN = the node name) in DIR/nodes/NODE/ (tls.crt, tls.key, ca.crt), to be copied to /etc/kube-syslog/forwarder-tls on
# that node: a DaemonSet cannot mount a different Secret per node. For every node of the cluster:
#   make-certs.sh DIR kube-syslog $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}')
# With cert-manager's CA instead of a new one, put its pair into DIR as ca.crt and ca.key first (docs/security.md).
#
# DIR gets ca.crt, ca.key (keep it safe, or delete it: it is needed only to issue more certificates), collector.crt,
# collector.key, forwarder.crt, forwarder.key and secrets.yaml. An existing CA in DIR is reused, so running the script
# again renews the two certificates under the same CA (the Collector reads the CA file only at start; the
# certificates are reloaded when the Secrets change). Certificates are valid for DAYS days (default 365), the CA for
# ten years. Needs openssl 1.1.1 or later.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
    echo "usage: $0 DIR [NAMESPACE [NODE...]]" >&2
    exit 2
fi
dir=$1
namespace=${2:-kube-syslog}
nodes=("${@:3}")
days=${DAYS:-365}
if ! [[ "$namespace" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then
    echo "$0: '$namespace' is not a namespace name" >&2
    exit 2
fi
# A node name is a DNS subdomain (RFC 1123, as Kubernetes requires): it becomes a SAN DNS name and a directory name.
for node in "${nodes[@]}"; do
    if ! [[ "$node" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ && ${#node} -le 253 ]]; then
        echo "$0: '$node' is not a node name" >&2
        exit 2
    fi
done
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

# FILE EXTENSIONS [CN]: FILE.key and FILE.crt, signed by the CA; CN defaults to FILE.
issue() {
    local name=$1 extensions=$2 cn=${3:-$1}
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" \
        -subj "/CN=$cn" 2>/dev/null
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
# One per node: the Collector with --identity-from-cert takes from it only messages whose HOSTNAME is this node.
# The SAN names the node (the Collector reads SAN DNS names first); a CN holds at most 64 characters, a node name 253.
for node in "${nodes[@]}"; do
    mkdir -p "nodes/$node"
    cn=$node
    [[ ${#node} -le 64 ]] || cn=log-forwarder
    issue "nodes/$node/tls" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:$node" "$cn"
    cp ca.crt "nodes/$node/ca.crt"
done
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
if [[ ${#nodes[@]} -gt 0 ]]; then
    echo "wrote $dir/nodes/NODE/ for ${#nodes[@]} nodes: copy each to /etc/kube-syslog/forwarder-tls on its node"
fi
