# Sourced by deploy/containers/*.sh: podman as these scripts need it.
# shellcheck shell=bash
if [ "$(id -u)" -ne 0 ]; then
  echo "deploy/containers needs root (rootful podman: debootstrap, chroot builds, bind mounts of root's files)" >&2
  exit 1
fi
CONTAINERS_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf
export CONTAINERS_CONF
