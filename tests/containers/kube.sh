#!/usr/bin/env bash
# The Kubernetes manifests under `podman kube play`, from `kubectl kustomize deploy/kubernetes`
# (deploy/containers/kube-play.py picks the parts, substitutes the images, and points hostPaths at a node tree):
#   the Collector's Deployment with its ConfigMaps (--configmap) and PVC; the Forwarder's DaemonSet pod template as
#   a Pod whose hostPaths are a node-shaped tree, in which deploy/local/demo-writer.sh writes like a container runtime;
#   the Forwarder reaches the Collector over the port the Service names (the Service's name mapped to the Collector
#   pod, as kube-proxy and CoreDNS would). Checks: every HTTP probe of both manifests answers 200 on the pod's IP;
#   the lines of all three demo containers reach the PVC's messages file; once the writer stops, the file holds
#   exactly every line once, in order.
# Usage: tests/containers/kube.sh (root; KEEP=1 leaves the pods, volume and files for a look afterwards;
#        MANIFESTS=DIR renders another kustomization than deploy/kubernetes)
# shellcheck source=tests/containers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

run=kskube$$
network=$run
out=$(mktemp -d "${TMPDIR:-/tmp}/$run.XXXXXX")
tree=$out/node
writer=$run-writer
RUNTIME_STANDIN=${RUNTIME_STANDIN:-ubuntu:24.04}
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $out; podman pod rm -f log-collector-pod-0 log-forwarder; podman rm -f $writer; podman volume rm $claim tmp log-forwarders; podman network rm $network" >&2
    return
  fi
  podman rm -f -t 5 "$writer" >/dev/null 2>&1 || true
  # The pods this run made (podman kube down of the Deployment's file does not always find its pod).
  comm -13 <(printf '%s\n' "$pods_before" | sort) <(podman pod ps --format '{{.Name}}' | sort) \
    | xargs -r podman pod rm -f -t 10 >/dev/null 2>&1 || true
  # The claim, and the volumes podman makes of emptyDir and configMap volumes (named after them, not the pod).
  comm -13 <(printf '%s\n' "$volumes_before" | sort) <(podman volume ls -q | sort) | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  podman network rm -f "$network" >/dev/null 2>&1 || true
  [ ${#secrets_made[@]} -eq 0 ] || podman secret rm "${secrets_made[@]}" >/dev/null 2>&1 || true
  rm -rf "$out"
}
claim=""
secrets_made=()
volumes_before=$(podman volume ls -q)
pods_before=$(podman pod ps --format '{{.Name}}')
trap cleanup EXIT

kubectl kustomize "${MANIFESTS:-deploy/kubernetes}" >"$out/rendered.yaml"
python3 deploy/containers/kube-play.py collector "$out/rendered.yaml" "$out" "$COLLECTOR_IMAGE" >/dev/null
claim=$(yq -r 'select(.kind == "PersistentVolumeClaim") | .metadata.name' "$out/collector.yaml")
# Fixed names (the manifests' own): a leftover of an interrupted run would make kube play fail, so it goes first.
podman pod ps --format '{{.Name}}' | grep -qE '^log-(collector|forwarder)' && fail "a pod log-collector* or log-forwarder* exists already (podman kube down it first)"
podman volume exists "$claim" && fail "a volume $claim exists already (podman volume rm it first)"
# Secrets the manifests require but do not ship (an API token the operator creates): made up here, as podman reads
# secretKeyRef from podman secrets holding {"KEY": "<base64>"}.
while read -r name key; do
  podman secret exists "$name" 2>/dev/null && fail "a podman secret $name exists already"
  printf '{"%s": "%s"}' "$key" "$(head -c 24 /dev/urandom | base64 | tr -d '=+/' | base64 -w0)" >"$out/secret-$name.json"
  podman secret create "$name" "$out/secret-$name.json" >/dev/null
  secrets_made+=("$name")
done < <(python3 deploy/containers/kube-play.py secrets "$out/rendered.yaml")
configmaps=()
for f in "$out"/configmap-*.yaml; do configmaps+=(--configmap "$f"); done
podman network create "$network" >/dev/null

play() { # file: plays it and prints what podman said about the fields it ignores or cannot do
  podman kube play --network "$network" "${configmaps[@]}" "$1" >"$1.log" 2>&1 || { cat "$1.log" >&2; fail "podman kube play $1"; }
  grep -i -E 'warn|ignor|not supported|unsupported' "$1.log" | sed 's/^/  podman: /' || true
}
play "$out/collector.yaml"
ip_of() { podman inspect --format "{{(index .NetworkSettings.Networks \"$network\").IPAddress}}" "$1"; }
# podman names a Deployment's pod NAME-pod-0 and a Pod's pod NAME; containers are POD-CONTAINER.
container_of() { # pod-name-prefix container-name
  podman ps --format '{{.Names}}' | grep -E "^$1(-pod-[0-9]+)?-$2\$" || fail "no running container $2 in a pod $1*"
}
collector=$(container_of log-collector collector)
collector_ip=$(ip_of "$collector")
[ -n "$collector_ip" ] || fail "the Collector pod has no address on $network"

probe_all() { # prefix ip: every HTTP probe of the workload answers 200
  local kind name probe port path
  while read -r kind name probe port path; do
    until_ok 60 "$kind $name $probe http://$2:$port$path" http_ok "http://$2:$port$path" >/dev/null
    ok "$kind $name: $probe GET $path on port $port answers 200"
  done < <(python3 deploy/containers/kube-play.py probes "$out/rendered.yaml" "$1")
}
probe_all log-collector "$collector_ip"
[ "$(podman exec "$collector" id -u)" = 1654 ] || fail "the Collector pod does not run as 1654"
if podman exec "$collector" touch /app/probe 2>/dev/null; then fail "readOnlyRootFilesystem was not applied"; fi
ok "the Collector pod runs as 1654 with a read-only root filesystem"

# The node: /var/log and /var/lib/docker/containers under $tree, written by the demo writer as a runtime would
# (its links name /var/log/... paths, which the Forwarder pod sees through its hostPath mounts).
mkdir -p "$tree/var/log" "$tree/var/lib/docker/containers" "$tree/var/lib/kube-syslog/forwarder"
podman run -d --name "$writer" --network none -v "$repo/deploy/local:/deploy/local:ro" \
  -v "$tree/var/log:/var/log" -v "$tree/var/lib/docker/containers:/var/lib/docker/containers" \
  "$RUNTIME_STANDIN" bash /deploy/local/demo-writer.sh / 10 >/dev/null

read -r service_port target_port < <(python3 deploy/containers/kube-play.py service-port "$out/rendered.yaml" log-collector relp)
target=$(yq -r 'select(.kind == "ConfigMap" and (.metadata.name | test("^log-forwarder-config"))) | .data["Forwarder__Targets__0"]' "$out/rendered.yaml")
[ "$target" = "relp://log-collector:$service_port" ] || fail "the Forwarder's target $target is not the Service's relp port $service_port"
# Without kube-proxy the pod's own port is dialled: the Service must target the same number for this to be that path.
[ "$service_port" = "$target_port" ] || fail "Service port $service_port targets $target_port: podman has no Service to map them"
python3 deploy/containers/kube-play.py forwarder "$out/rendered.yaml" "$out" "$FORWARDER_IMAGE" "$tree" "$collector_ip" >/dev/null
play "$out/forwarder.yaml"
forwarder=$(container_of log-forwarder forwarder)
probe_all log-forwarder "$(ip_of "$forwarder")"
caps=$(podman exec "$forwarder" grep '^CapEff:' /proc/1/status | tr -s '\t ' ' ')
ok "the Forwarder pod runs as uid $(podman exec "$forwarder" id -u) with $caps"

logs=$(podman volume inspect --format '{{.Mountpoint}}' "$claim")
until_ok 120 "lines of all three demo containers in the PVC's messages file" \
  python3 "$delivery" check "$tree" / "$logs/messages" --prefix --min 10 >/dev/null
ok "lines of all three demo containers reached the Collector pod's volume $claim over relp://log-collector:$service_port"
podman stop -t 10 "$writer" >/dev/null
until_ok 120 "every line once" python3 "$delivery" check "$tree" / "$logs/messages" >/dev/null
file_quiet "$logs/messages" 3
result=$(python3 "$delivery" check "$tree" / "$logs/messages") || fail "after a quiet period: $result"
ok "the messages file holds exactly every container log line once, in order: $result"
