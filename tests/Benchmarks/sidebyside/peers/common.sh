# shellcheck shell=bash
# Sourced by the peer start scripts in this directory (not run directly).
# Locates the peer binaries (wrappers written by ../setup.sh, or on PATH) and
# renders a config template by replacing @NAME@ with the value of $NAME.
PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_STATE=${BENCH_STATE:-$PEERS_DIR/../.state}

peer_bin() { # $1 = wrapper name under $BENCH_STATE/bin, $2 = fallback name on PATH
  if [[ -x "$BENCH_STATE/bin/$1" ]]; then echo "$BENCH_STATE/bin/$1"
  elif command -v "$2" >/dev/null 2>&1; then command -v "$2"
  else echo "cannot find $1; run tests/Benchmarks/sidebyside/setup.sh first" >&2; return 1; fi
}

render() { # $1 = template, $2 = output; substitutes @VAR@ for every VAR listed in $3..
  local tpl=$1 out=$2; shift 2
  local args=() v
  for v in "$@"; do args+=(-e "s|@$v@|${!v}|g"); done
  sed "${args[@]}" "$tpl" > "$out"
}
