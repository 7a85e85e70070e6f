#!/usr/bin/env bash
# The fairness experiment (issue 19): builds the Forwarder and the Collector unless FORWARDER / COLLECTOR name a binary
# or a .dll, then runs a 2,000,000-line backlog beside a quiet pod and prints the quiet pod's latencies and the drain
# rate. Arguments go to the experiment, e.g.
#   tests/Fairness/fairness.sh --runs 3
#   tests/Fairness/fairness.sh --runs 1 --backlog-lines 200000 --protocol tcp
# Exit code 0 when every line arrived once and in order, 1 when not, 2 for bad arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${FAIRNESS_OUT:-${TMPDIR:-/tmp}/kube-syslog-fairness}
if [[ -z "${FORWARDER:-}" ]]; then
    dotnet build "$root/Forwarder" -c Release -o "$out/forwarder" > /dev/null
    FORWARDER="$out/forwarder/Forwarder.dll"
fi

if [[ -z "${COLLECTOR:-}" ]]; then
    dotnet build "$root/Collector" -c Release -o "$out/collector" > /dev/null
    COLLECTOR="$out/collector/Collector.dll"
fi

dotnet build "$root/tests/Fairness" -c Release > /dev/null
exec dotnet "$root/tests/Fairness/bin/Release/net10.0/Fairness.dll" --forwarder "$FORWARDER" --collector "$COLLECTOR" "$@"
