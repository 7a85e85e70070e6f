#!/usr/bin/env bash
# The two images run the way the cluster runs them, without compose:
#   the Collector with a read-only root filesystem (--read-only, a volume for /var/log, a tmpfs for /tmp) as 1654,
#   with `less` in it; the Forwarder as root with every capability dropped (--cap-drop ALL, no DAC_READ_SEARCH) and a
#   read-only root, reading a node tree whose directories are 0750 and whose logs are 0640, all owned by root, as the
#   container runtimes leave them. A control shows those files really are closed to others: the same image as 1654
#   cannot read them. Then the lines arrive exactly, in order, and both stop with exit code 0 on SIGTERM.
# Usage: tests/containers/images.sh (root)
# shellcheck source=tests/containers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

run=ksimages$$
network=$run
collector=$run-collector
forwarder=$run-forwarder
volume=$run-logs
tree=$(mktemp -d "${TMPDIR:-/tmp}/$run-node.XXXXXX")
cleanup() {
  podman rm -f -t 5 "$forwarder" "$collector" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  podman network rm -f "$network" >/dev/null 2>&1 || true
  rm -rf "$tree"
}
trap cleanup EXIT

# A node's logs: /var/log/containers/POD_NS_CONTAINER-ID.log -> /var/log/pods/NS_POD_UID/CONTAINER/0.log (CRI).
pod_dir=$tree/var/log/pods/secure_vault-0_5d7e2b1c-0000-4c1b-9a51-1d2e3f4a5b6c/vault
mkdir -p "$pod_dir" "$tree/var/log/containers"
for i in $(seq 1 25); do
  printf '2026-12-06T10:00:%02d.%06dZ stdout F secret line %d of vault\n' $((i % 60)) "$i" "$i"
done >"$pod_dir/0.log"
printf '2026-12-06T10:01:00.000000Z stderr P first half, \n2026-12-06T10:01:00.000001Z stderr F second half\n' >>"$pod_dir/0.log"
link=/var/log/containers/vault-0_secure_vault-$(printf vault | sha256sum | cut -c1-64).log
ln -s /var/log/pods/secure_vault-0_5d7e2b1c-0000-4c1b-9a51-1d2e3f4a5b6c/vault/0.log "$tree$link"
chown -R 0:0 "$tree/var"
find "$tree/var/log/pods" -type d -exec chmod 0750 {} +
chmod 0640 "$pod_dir/0.log"

podman network create "$network" >/dev/null
podman volume create "$volume" >/dev/null

# The Collector as the Deployment runs it: read-only root, its volume on /var/log, a tmpfs for /tmp, user 1654.
podman run -d --name "$collector" --network "$network" --network-alias log-collector \
  --read-only -v "$volume:/var/log" --tmpfs /tmp -p 127.0.0.1::8083 "$COLLECTOR_IMAGE" >/dev/null
http=$(podman port "$collector" 8083/tcp)
until_ok 60 "the read-only Collector's /readyz" http_ok "http://$http/readyz" >/dev/null
[ "$(podman exec "$collector" id -u)" = 1654 ] || fail "the Collector runs as $(podman exec "$collector" id -u), not 1654"
if out=$(podman exec "$collector" touch /app/probe 2>&1); then fail "the Collector's root filesystem is writable"; fi
[[ $out == *"Read-only file system"* ]] || fail "writing /app failed otherwise than read-only: $out"
ok "the Collector runs as 1654 with --read-only (a write to /app fails: ${out##*: }) and answers /readyz"

# The control: the node's files are closed to anyone but root.
if out=$(podman run --rm --no-healthcheck --user 1654:1654 --cap-drop ALL -v "$tree/var/log:/var/log:ro" \
  --entrypoint cat "$FORWARDER_IMAGE" "$link" 2>&1); then
  fail "user 1654 could read the root-owned 0640 log: the test's files are not protected"
fi
[[ $out == *"Permission denied"* ]] || fail "user 1654 failed to read the log otherwise than permission denied: $out"
ok "control: user 1654 cannot read the root-owned 0640 logs (${out##*: })"

# The Forwarder as the DaemonSet runs it once DAC_READ_SEARCH is gone: root, no capability at all, read-only root,
# the node's /var/log read-only, checkpoints on a tmpfs (root's, as the hostPath on a node is).
podman run -d --name "$forwarder" --network "$network" --user 0:0 --cap-drop ALL --security-opt no-new-privileges \
  --read-only -v "$tree/var/log:/var/log:ro" --tmpfs /var/lib/kube-syslog/forwarder --tmpfs /tmp \
  -e NODE_NAME=capdrop-node -e 'Forwarder__Include__0=/var/log/containers/*.log' \
  -e Forwarder__Targets__0=relp://log-collector:2514 "$FORWARDER_IMAGE" >/dev/null
caps=$(podman exec "$forwarder" grep -E '^Cap(Eff|Prm|Bnd):' /proc/1/status | tr -s '\t ' ' ' | tr '\n' ' ')
[[ $caps == "CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000000 " ]] \
  || fail "the Forwarder has capabilities: $caps"
[ "$(podman exec "$forwarder" id -u)" = 0 ] || fail "the Forwarder does not run as root"
logs=$(podman volume inspect --format '{{.Mountpoint}}' "$volume")
until_ok 60 "the vault container's lines in the Collector" python3 "$delivery" check "$tree" / "$logs/messages" >/dev/null
file_quiet "$logs/messages" 2
result=$(python3 "$delivery" check "$tree" / "$logs/messages") || fail "after a quiet period: $result"
ok "the Forwarder as root with no capabilities ($caps) read the 0640 logs: $result"

shown=$(podman exec "$collector" less -FX /var/log/messages | grep -c 'secure/vault-0/vault stdout: secret line')
[ "$shown" = 25 ] || fail "less -FX /var/log/messages showed $shown of the 25 stdout lines"
ok "less -FX /var/log/messages works in the read-only Collector"

podman stop -t 45 "$forwarder" "$collector" >/dev/null
for c in "$forwarder" "$collector"; do
  code=$(exit_code "$c")
  [ "$code" = 0 ] || { podman logs --tail 20 "$c" >&2; fail "$c exited with $code after SIGTERM"; }
done
ok "both stop with exit code 0 on SIGTERM"
