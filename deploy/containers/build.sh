#!/usr/bin/env bash
# Usage: deploy/containers/build.sh [--rebuild-bases] [--no-cache]
#
# Builds the two images from deploy/docker/*.Dockerfile with podman (as root), on machines that cannot pull
# mcr.microsoft.com: the Dockerfiles' base images are build arguments, and this script passes local stand-ins for them
#   runtime stand-in  Debian 12 minimal (debootstrap) + what runtime-deps holds: CA certificates, ICU, OpenSSL, tzdata,
#                     zlib, the user app (1654)
#   SDK stand-in      the runtime stand-in + this machine's /usr/share/dotnet + clang and zlib1g-dev
#                     (deploy/containers/standin-sdk.Containerfile; it alone trusts this machine's CA bundle, for NuGet)
# The stand-ins are kept in podman's image store under a key of their inputs and reused by the next run on the same
# machine; a missing one is rebuilt (--rebuild-bases rebuilds both; --no-cache rebuilds the images' layers too).
# Users with Docker run `docker build` with the Dockerfiles' defaults instead (docs/containers.md).
#
# Tags: $COLLECTOR_IMAGE (kube-syslog/collector:0.1.0) and $FORWARDER_IMAGE (kube-syslog/forwarder:0.1.0), the names
# docker-compose.yaml uses; and ubuntu:24.04 (compose's demo writer) as the runtime stand-in when no such image exists.
# Prints each step's duration and the images' sizes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=deploy/containers/podman-env.sh
source deploy/containers/podman-env.sh

COLLECTOR_IMAGE=${COLLECTOR_IMAGE:-kube-syslog/collector:0.1.0}
FORWARDER_IMAGE=${FORWARDER_IMAGE:-kube-syslog/forwarder:0.1.0}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
rebuild=0 no_cache=()
for arg in "$@"; do
  case $arg in
    --rebuild-bases) rebuild=1 ;;
    --no-cache) no_cache=(--no-cache) ;; # the images' own layers too (NuGet's cache mount stays)
    *) echo "usage: $0 [--rebuild-bases] [--no-cache]" >&2; exit 2 ;;
  esac
done

# What runtime-deps:10.0 holds, as Debian 12 names it (the apps run with InvariantGlobalization, ICU is there anyway).
runtime_packages=ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata,zlib1g
host_ca=/etc/ssl/certs/ca-certificates.crt
sdk_version=$(dotnet --version)
# The stand-ins' key: what they are made of; the first value is the recipe's revision, raised with every change of
# runtime_standin or sdk_standin below so that a changed recipe is never served from the cache.
key=$(printf '%s\n' 2 "$runtime_packages" "$sdk_version" "$(sha256sum <"$host_ca")" \
  "$(sha256sum <deploy/containers/standin-sdk.Containerfile)" | sha256sum | cut -c1-12)
RUNTIME_STANDIN=localhost/kube-syslog-standin/runtime-deps:bookworm-$key
SDK_STANDIN=localhost/kube-syslog-standin/sdk:bookworm-$key

work=$(mktemp -d "${TMPDIR:-/tmp}/kube-syslog-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { # name command... : runs and prints how long it took
  local name=$1 start=$SECONDS
  shift
  echo "== $name" >&2
  "$@"
  echo "== $name: $((SECONDS - start)) s" >&2
}

runtime_standin() {
  local root=$work/rootfs
  nice -n 10 debootstrap --variant=minbase --include="$runtime_packages" bookworm "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; return 1; }
  # As Debian's and Ubuntu's own images: apt keeps no caches in a layer (without this, `apt-get update` in a RUN
  # leaves ~80 MB of /var/cache/apt/*.bin behind) and, as Ubuntu's minimized images, dpkg installs no documentation.
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  cat >"$root/etc/dpkg/dpkg.cfg.d/excludes" <<'DPKG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
DPKG
  find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian/*
  # The .NET images' user "app", which the Dockerfiles name by number.
  chroot "$root" groupadd --gid 1654 app
  chroot "$root" useradd --no-log-init --uid 1654 --gid 1654 --create-home app
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
  tar -C "$root" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV APP_UID=1654' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    --change 'CMD ["bash"]' - "$RUNTIME_STANDIN" >/dev/null
}

sdk_standin() {
  local context=$work/sdk
  mkdir -p "$context"
  cp "$host_ca" "$context/host-ca.crt"
  cp -a "$(dirname "$(readlink -f "$(command -v dotnet)")")" "$context/dotnet"
  nice -n 10 podman build --isolation chroot --format docker --network host --pull=never --layers=false \
    --build-arg RUNTIME_IMAGE="$RUNTIME_STANDIN" -t "$SDK_STANDIN" \
    -f deploy/containers/standin-sdk.Containerfile "$context"
}

image() { # component tag
  nice -n 10 podman build --isolation chroot --format docker --network host --pull=never "${no_cache[@]}" \
    --build-arg SDK_IMAGE="$SDK_STANDIN" --build-arg RUNTIME_IMAGE="$RUNTIME_STANDIN" \
    -t "$2" -f "deploy/docker/$1.Dockerfile" .
}

if [ $rebuild -eq 1 ]; then
  podman rmi -f "$SDK_STANDIN" "$RUNTIME_STANDIN" >/dev/null 2>&1 || true
fi
if podman image exists "$RUNTIME_STANDIN"; then
  echo "== runtime stand-in $RUNTIME_STANDIN: cached" >&2
else
  step "runtime stand-in $RUNTIME_STANDIN (debootstrap)" runtime_standin
  podman rmi -f "$SDK_STANDIN" >/dev/null 2>&1 || true # built on the old runtime stand-in
fi
if podman image exists "$SDK_STANDIN"; then
  echo "== SDK stand-in $SDK_STANDIN: cached" >&2
else
  step "SDK stand-in $SDK_STANDIN" sdk_standin
fi
# Stand-ins of older keys are of no use any more (0.2 and 1.3 GB); an image with another tag keeps that tag.
podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/kube-syslog-standin/' \
  | grep -v -e ":bookworm-$key\$" | xargs -r podman rmi >/dev/null 2>&1 || true
podman image exists ubuntu:24.04 || podman tag "$RUNTIME_STANDIN" localhost/ubuntu:24.04

step "Collector image $COLLECTOR_IMAGE" image Collector "$COLLECTOR_IMAGE"
step "Forwarder image $FORWARDER_IMAGE" image Forwarder "$FORWARDER_IMAGE"

for name in "$RUNTIME_STANDIN" "$SDK_STANDIN" "$COLLECTOR_IMAGE" "$FORWARDER_IMAGE"; do
  podman image inspect --format "size {{.Size}} $name" "$name"
done | awk '{ printf "%-70s %7.1f MB\n", $3, $2 / 1000000 }'
