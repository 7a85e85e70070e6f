#!/usr/bin/env bash
# Usage: tests/Benchmarks/sidebyside/setup.sh            (once per machine, as root; from anywhere)
#
# Installs or unpacks everything the side-by-side harness needs; nothing else has to be there first:
#   - with apt: socat, GNU time, python3, and rsyslog (the peer daemon: rsyslogd with imtcp, imudp, imfile,
#     omfwd). Installing the package does not start anything we use: the harness runs its own rsyslogd in the
#     foreground with a private config and pid file, never the system service.
#   - syslog-ng's load generator `loggen` (and the syslog-ng daemon, an optional third contender). The
#     syslog-ng-core package conflicts with rsyslog (both provide system-log-daemon), so it is not installed:
#     `apt-get download` fetches the .deb, `dpkg-deb -x` unpacks it into $BENCH_STATE/syslog-ng, and only its
#     shared-library dependencies are installed with apt.
# Afterwards $BENCH_STATE/bin holds wrappers that set LD_LIBRARY_PATH (and syslog-ng's module path):
#   loggen, syslog-ng. The scripts use them unless LOGGEN / SYSLOG_NG / RSYSLOGD point elsewhere.
# BENCH_STATE defaults to tests/Benchmarks/sidebyside/.state (ignored by git). Re-running is safe: the .deb is
# fetched again only when the unpacked copy is missing. PEER_VERSIONS=1 only prints the versions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
P=$BENCH_STATE

print_versions() {
  echo "rsyslog:   $(rsyslogd -v 2>&1 | head -1) (package $(dpkg-query -W -f '${Version}' rsyslog 2>/dev/null))"
  echo "syslog-ng: $("$P/bin/syslog-ng" --version 2>&1 | head -1) (package $(cat "$P/syslog-ng.version" 2>/dev/null))"
  echo "loggen:    $P/bin/loggen, from syslog-ng-core $(cat "$P/syslog-ng.version" 2>/dev/null)"
}
if [[ ${PEER_VERSIONS:-0} == 1 ]]; then print_versions; exit 0; fi

[[ $(id -u) == 0 ]] || { echo "setup.sh needs root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends socat time python3 rsyslog >/dev/null

mkdir -p "$P/bin" "$P/debs"
# apt-get download writes into the current directory as the sandbox user _apt when it may (else it warns and
# downloads as root).
id -u _apt >/dev/null 2>&1 && chown _apt "$P/debs"
cd "$P/debs"

deps_of() { # the first alternative of every Depends entry of a .deb, without versions
  dpkg-deb -f "$1" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/[[:space:]]//g' | grep -v '^$'
}

if [[ ! -x "$P/syslog-ng/usr/bin/loggen" ]]; then
  rm -f syslog-ng-core_*.deb
  apt-get download -qq "syslog-ng-core${SYSLOG_NG_VERSION:+=$SYSLOG_NG_VERSION}"
  rm -rf "${P:?}/syslog-ng"; mkdir -p "$P/syslog-ng"
  deb=$(ls syslog-ng-core_*.deb | head -1)
  dpkg-deb -x "$deb" "$P/syslog-ng"
  dpkg-deb -f "$deb" Version > "$P/syslog-ng.version"
fi
deb=$(ls syslog-ng-core_*.deb | head -1)
# Its libraries (libivykis, libnet, ...) do not conflict with rsyslog; the package itself stays uninstalled.
# shellcheck disable=SC2046
apt-get install -y -qq --no-install-recommends $(deps_of "$deb") >/dev/null

SNG_LIB="$P/syslog-ng/usr/lib/syslog-ng"
SNG_MODDIR=$(ls -d "$SNG_LIB"/[0-9]* | head -1)
cat > "$P/bin/syslog-ng" <<W
#!/bin/sh
LD_LIBRARY_PATH="$SNG_LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$P/syslog-ng/usr/sbin/syslog-ng" --module-path="$SNG_MODDIR" "\$@"
W
cat > "$P/bin/loggen" <<W
#!/bin/sh
SYSLOGNG_PREFIX="$P/syslog-ng/usr" LD_LIBRARY_PATH="$SNG_LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$P/syslog-ng/usr/bin/loggen" "\$@"
W
chmod +x "$P/bin/syslog-ng" "$P/bin/loggen"

"$P/bin/loggen" --help >/dev/null 2>&1 || { echo "the loggen wrapper does not run: $P/bin/loggen --help" >&2; exit 1; }
command -v rsyslogd >/dev/null || { echo "rsyslogd is not on PATH after installing rsyslog" >&2; exit 1; }
print_versions
