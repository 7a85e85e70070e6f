#!/usr/bin/env bash
# docker-compose.yaml, unchanged, under podman-compose: writer -> log-forwarder -> log-collector, with the images
# deploy/containers/build.sh made. Checks, in order:
#   /readyz answers from the host and the image's HEALTHCHECK passes (podman runs health checks from systemd timers,
#   which these machines lack, so the test runs the check itself); the Forwarder's /healthz answers;
#   lines of all three demo containers (and of the plain agent.log) reach /var/log/messages in the Collector, each
#   file's lines in the exact order it holds them; `less -FX` inside the Collector prints the file; the Collector runs as 1654;
#   the Forwarder's node tree is mounted read-only and cannot be written;
#   stop (SIGTERM to every PID 1) ends the Collector and the Forwarder with exit code 0, what is stored is in order;
#   lines appended while everything is down, then a restart of the two (the writer stays stopped, so the logs are
#   final) resumes from the volumes: in the end the messages file holds exactly every line of every container log
#   once, in order, and the API gives the same lines.
# Usage: tests/containers/compose.sh (root; KEEP=1 leaves the stack and its volumes for a look afterwards)
# shellcheck source=tests/containers/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

# A project name of its own: containers and volumes never meet another run's (podman-compose 1.0.3 ignores `name:`).
project=kscompose$$
collector=${project}_log-collector_1
forwarder=${project}_log-forwarder_1
compose() { podman-compose -p "$project" -f docker-compose.yaml "$@"; }
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: podman-compose -p $project -f docker-compose.yaml down -v" >&2
  else
    compose down -v -t 5 >/dev/null 2>&1 || true
    # podman-compose 1.0.3 leaves the project's network behind.
    podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  fi
}

for port in 8083 8084 2514 5514; do port_free "$port"; done
podman image exists ubuntu:24.04 || fail "no ubuntu:24.04 image for the writer (deploy/containers/build.sh tags one)"
trap cleanup EXIT
up=$(compose up -d --no-build 2>&1) || { printf '%s\n' "$up" >&2; fail "podman-compose up"; }

until_ok 60 "the Collector's /readyz from the host" http_ok http://127.0.0.1:8083/readyz >/dev/null
ok "the Collector's /readyz answers 200 on 127.0.0.1:8083"
status=$(podman healthcheck run "$collector" 2>&1) || fail "the Collector image's HEALTHCHECK failed: $status"
ok "the Collector image's HEALTHCHECK passes (podman healthcheck run: ${status:-healthy})"
until_ok 60 "the Forwarder's /healthz from the host" http_ok http://127.0.0.1:8084/healthz >/dev/null
ok "the Forwarder's /healthz answers 200 on 127.0.0.1:8084"

node=$(podman volume inspect --format '{{.Mountpoint}}' "${project}_node")
logs=$(podman volume inspect --format '{{.Mountpoint}}' "${project}_collector-logs")
# compose's Forwarder also includes the plain log the writer keeps outside the containers' tree.
plain=(--plain var/lib/gravity/site/update/agent.log)
until_ok 120 "lines of all three demo containers, in order" \
  python3 "$delivery" check "$node" /node "$logs/messages" "${plain[@]}" --prefix --min 10
ok "lines of all three demo containers and the plain agent.log are in the Collector's /var/log/messages, each in its file's order"

[ "$(podman exec "$collector" id -u)" = 1654 ] || fail "the Collector runs as $(podman exec "$collector" id -u), not 1654"
ok "the Collector runs as 1654"
first=$(head -n 1 "$logs/messages")
# All of less's output is read (a reader that stops early would end less with SIGPIPE).
shown=$(podman exec "$collector" less -FX /var/log/messages) || fail "less -FX /var/log/messages exited with $?"
shown=${shown%%$'\n'*}
[ -n "$first" ] && [ "$shown" = "$first" ] || fail "less -FX /var/log/messages printed '$shown', the file starts '$first'"
ok "podman exec $collector less -FX /var/log/messages prints the file"

mounts=$(podman inspect --format '{{range .Mounts}}{{.Destination}}={{.RW}} {{end}}' "$forwarder")
[[ " $mounts " == *" /node=false "* ]] || fail "the Forwarder's /node is not read-only: $mounts"
if out=$(podman exec "$forwarder" touch /node/written-by-the-forwarder 2>&1); then
  fail "the Forwarder could write into the node tree"
fi
[[ $out == *"Read-only file system"* ]] || fail "writing into /node failed otherwise than read-only: $out"
ok "the Forwarder's node tree is mounted read-only (a write fails: ${out##*: })"

compose stop >/dev/null 2>&1 || fail "podman-compose stop"
for c in "$collector" "$forwarder"; do
  [ "$(podman inspect --format '{{.State.Running}}' "$c")" = false ] || fail "$c still runs after stop"
  code=$(exit_code "$c")
  [ "$code" = 0 ] || { podman logs --tail 20 "$c" >&2; fail "$c exited with $code after SIGTERM (not a clean drain)"; }
done
python3 "$delivery" check "$node" /node "$logs/messages" "${plain[@]}" --prefix >/dev/null \
  || fail "after stop: $(python3 "$delivery" check "$node" /node "$logs/messages" "${plain[@]}" --prefix)"
before=$(wc -l <"$logs/messages")
ok "stop: the Collector and the Forwarder exit 0 on SIGTERM; $before lines stored, each container's in order"

# While both are down the runtime keeps writing: the restart must pick these lines up from the saved offsets (a
# Forwarder starting at the end would lose them, one starting at the top would store everything twice).
now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
while IFS= read -r -d '' file; do
  for i in 1 2 3; do printf '%s stdout F written while stopped %d\n' "$now" "$i" >>"$file"; done
done < <(find "$node/var/log/pods" -name '*.log' -type f -print0)
while IFS= read -r -d '' file; do
  for i in 1 2 3; do printf '{"log":"written while stopped %d\\n","stream":"stdout","time":"%s"}\n' "$i" "$now" >>"$file"; done
done < <(find "$node/var/lib/docker/containers" -name '*-json.log' -type f -print0)

podman start "$collector" "$forwarder" >/dev/null
until_ok 60 "the Collector's /readyz after the restart" http_ok http://127.0.0.1:8083/readyz >/dev/null
until_ok 120 "every line of every container log, exactly once" python3 "$delivery" check "$node" /node "$logs/messages" "${plain[@]}" >/dev/null
file_quiet "$logs/messages" 3
result=$(python3 "$delivery" check "$node" /node "$logs/messages" "${plain[@]}") || fail "after a quiet period: $result"
after=$(wc -l <"$logs/messages")
[ "$after" -gt "$before" ] || fail "nothing was stored after the restart ($before lines before, $after after)"
ok "restart: the lines written while stopped arrive, and the messages file holds exactly every line once, in order ($result; $before before the restart)"

# The API from the host gives coredns's lines back with their escapes undone: the same list. Its streams are
# grouped by labels (stdout and stderr apart), so the values are put back in time order (equal-length ns strings).
query='{namespace="kube-system", container="coredns"}'
api=$(curl -sfG --max-time 10 http://127.0.0.1:8083/api/v1/query_range --data-urlencode "query=$query" \
  -d since=1h -d limit=5000 -d direction=forward | jq -r '[.data.result[].values[]] | sort_by(.[0]) | .[][2].message')
file=$(python3 "$delivery" texts "$node" /node kube-system/coredns-6d4b75cb6d-m9zxl/coredns)
[ -n "$api" ] && [ "$api" = "$file" ] || fail "the API's coredns lines differ from the log file's: $(diff <(echo "$file") <(echo "$api") | head -5)"
ok "GET /api/v1/query_range from the host returns coredns's $(echo "$api" | wc -l) lines, as in its log file"
