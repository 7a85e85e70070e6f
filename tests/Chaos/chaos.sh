#!/usr/bin/env bash
# The chaos run (docs/chaos.md): builds the Forwarder, the Collector and this tool in Release, then runs them.
# Arguments go to the tool, e.g.
#   tests/Chaos/chaos.sh                                   # 8 logs, 20,000 lines/s, 20 + 20 SIGKILLs over 120 s
#   tests/Chaos/chaos.sh --seed 42 --duration 300s         # the same kill plan again, longer
# Exit code 0: every line stored exactly once and in order, no gap; 1: not; 2: bad arguments.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$root/tests/Chaos" -c Release > /dev/null
dotnet build "$root/Forwarder" -c Release > /dev/null
dotnet build "$root/Collector" -c Release > /dev/null
exec dotnet "$root/tests/Chaos/bin/Release/net10.0/Chaos.dll" \
    --forwarder "$root/Forwarder/bin/Release/net10.0/Forwarder.dll" \
    --collector "$root/Collector/bin/Release/net10.0/Collector.dll" "$@"
