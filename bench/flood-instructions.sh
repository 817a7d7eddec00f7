#!/bin/bash
# crate-wl's own instructions per flood request, under callgrind: a figure
# that does not move with the machine's load, for the per-message path.
# The proxy runs under valgrind on a private headless sway; bench/flood
# sends A requests, then B; the difference of the two counts over B - A is
# the cost of one request (wl_region.add, 24 bytes), connection setup and
# teardown cancelling out. Figures, not tests.
#
# Usage: bench/flood-instructions.sh [BUILD_DIR]      (default: build)
# Knobs (environment): A=20000 B=120000
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
A=${A:-20000}
B=${B:-120000}

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

for tool in sway valgrind callgrind_control setsid unshare; do
	command -v "$tool" >/dev/null ||
		die "$tool missing (scripts/deps.sh bench installs it)"
done
[ "$B" -gt "$A" ] || die "B must be more than A"

bench_setup
start_sway
start crate-wl valgrind --tool=callgrind \
	--callgrind-out-file="$T/callgrind.out" \
	"$build/cli/crate-wl" proxy --max-connections 1000 --socket "$T/cw.sock"
cw_pid=$started
# valgrind takes a few seconds to start the proxy
for _ in $(seq 400); do
	[ -S "$T/cw.sock" ] && break
	kill -0 "$cw_pid" 2>/dev/null || die "crate-wl died: $(cat "$T/crate-wl.log")"
	sleep 0.05
done
[ -S "$T/cw.sock" ] || die "no socket under valgrind: $(cat "$T/crate-wl.log")"

flood() { WAYLAND_DISPLAY=$T/cw.sock "$build/bench/flood" -n "$1" >/dev/null; }
# instructions counted since the last dump, as written to the dump
dump() {
	callgrind_control -d "$1" "$cw_pid" >/dev/null 2>&1
	local f
	for _ in $(seq 100); do
		f=$(grep -l "^desc: Trigger: dump $1\$" "$T"/callgrind.out.* \
			2>/dev/null | head -n 1 || true)
		[ -n "$f" ] && break
		sleep 0.05
	done
	[ -n "$f" ] || die "no callgrind dump for $1"
	sed -n 's/^summary: *//p' "$f" | head -n 1
}

flood 2000 # warm up: the first connection's allocations
callgrind_control -z "$cw_pid" >/dev/null 2>&1
flood "$A"
ia=$(dump first)
flood "$B"
ib=$(dump second)
per=$(awk -v a="$ia" -v b="$ib" -v n=$((B - A)) \
	'BEGIN { printf "%.1f", (b - a) / n }')
echo "flood through crate-wl: $per instructions per request" \
	"(callgrind; $A requests: $ia, $B: $ib)"
