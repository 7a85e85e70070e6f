#!/usr/bin/env bash
# The RELP load generator: publishes the Collector natively (as it ships) unless COLLECTOR names a binary or
# Collector.dll, then runs 1,000 paced RELP sessions against it and checks loss, latency and memory. Arguments go to
# the generator, e.g.
#   tests/RelpLoad/relp-load.sh                                  # 1,000 sessions × 100 msgs/s for 60 s
#   tests/RelpLoad/relp-load.sh --ack-after fsync --seconds 30
#   tests/RelpLoad/relp-load.sh -- --max-message-size 8KiB       # after --: extra Collector switches
# Exit code 0 when every target is met, 1 when one is missed, 2 for bad arguments or a too low open-file limit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${COLLECTOR:-}" ]]; then
    out=${COLLECTOR_OUT:-${TMPDIR:-/tmp}/kube-syslog-relp-load-collector}
    dotnet publish "$root/Collector" -c Release -o "$out" -nologo -v q -clp:ErrorsOnly
    COLLECTOR="$out/Collector"
fi

# 1,000 sessions need 1,000 descriptors here and 1,000 in the Collector.
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
dotnet build "$root/tests/RelpLoad" -c Release > /dev/null
exec dotnet "$root/tests/RelpLoad/bin/Release/net10.0/RelpLoad.dll" --collector "$COLLECTOR" "$@"
