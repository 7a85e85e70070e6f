#!/usr/bin/env bash
# The churn soak: publishes the Forwarder natively (as it ships) unless FORWARDER names a binary or Forwarder.dll,
# then churns pods through it and prints what it holds per round. Arguments go to the soak, e.g.
#   tests/Soak/forwarder-churn.sh --pods 300 --rounds 10                    # CronJob-like pods, created and deleted
#   tests/Soak/forwarder-churn.sh --mode restart --pods 300 --rounds 300    # the same pods restarting, about an hour
# Exit code 0 when everything returned to its level, 1 when something did not, 2 for bad arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${FORWARDER:-}" ]]; then
    out=${FORWARDER_OUT:-${TMPDIR:-/tmp}/kube-syslog-soak-forwarder}
    dotnet publish "$root/Forwarder" -c Release -o "$out" > /dev/null
    FORWARDER="$out/Forwarder"
fi

dotnet build "$root/tests/Soak" -c Release > /dev/null
exec dotnet "$root/tests/Soak/bin/Release/net10.0/Soak.dll" --forwarder "$FORWARDER" "$@"
