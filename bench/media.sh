#!/bin/bash
# The sandbox's PipeWire relay next to a direct connection, in one run:
# roundtrip latency (core syncs one at a time) and message rate (64 in
# flight), the same client inside a sandbox (through crate-wl's relay) and
# outside (straight to the daemon), interleaved round by round. Issue 5's
# target: the relay forwards >= 0.9x the direct message rate. Headless
# PipeWire with WirePlumber; everything pinned to one CPU.
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/media.sh [BUILD_DIR]   Knobs: BENCH_CPU=0 ROUNDS=6 RTT_N=2000
#                                            RATE_N=50000
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
bin=$build/bench/media-relay
BENCH_CPU=${BENCH_CPU:-0}
ROUNDS=${ROUNDS:-6}
RTT_N=${RTT_N:-2000}
RATE_N=${RATE_N:-50000}
[ -x "$bin" ] || { echo "bench: $bin missing: ninja -C $build" >&2; exit 1; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CRATE_WL=$build/cli/crate-wl
# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
set +u
taskset -pc "$BENCH_CPU" $$ >/dev/null
mkdir -p -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt
start_pipewire

# one sandbox for all rounds: its relay, its restricted connections
mkdir -m 777 "$T/io"
"$CRATE_WL" run --no-wayland --audio playback --bind "$T/io:/io" -- sh -c '
	while :; do
		while [ ! -e /io/go ] && [ ! -e /io/stop ]; do sleep 0.01; done
		[ -e /io/stop ] && exit 0
		rm /io/go
		'"$bin"' $(cat /io/args) > /io/out.tmp 2>/io/err
		mv /io/out.tmp /io/out
	done' 2>"$T/cw.log" &
track $!

inside() {
	echo "$*" > "$T/io/args"
	touch "$T/io/go"
	while [ ! -e "$T/io/out" ]; do sleep 0.01; done
	cat "$T/io/out"
	rm "$T/io/out"
}

: > "$T/rtt-direct"; : > "$T/rtt-relay"; : > "$T/rate-direct"; : > "$T/rate-relay"
for r in $(seq 1 "$ROUNDS"); do
	echo "round $r/$ROUNDS" >&2
	if [ $((r % 2)) = 1 ]; then order="direct relay"; else order="relay direct"; fi
	for how in $order; do
		if [ $how = direct ]; then
			"$bin" rtt "$RTT_N" | awk '{print $2}' >> "$T/rtt-direct"
			"$bin" rate "$RATE_N" | awk '{print $2}' >> "$T/rate-direct"
		else
			inside rtt "$RTT_N" | awk '{print $2}' >> "$T/rtt-relay"
			inside rate "$RATE_N" | awk '{print $2}' >> "$T/rate-relay"
		fi
	done
done
touch "$T/io/stop"

rd=$(median "$T/rtt-direct"); rr=$(median "$T/rtt-relay")
pd=$(p99 "$T/rtt-direct"); pr=$(p99 "$T/rtt-relay")
qd=$(median "$T/rate-direct"); qr=$(median "$T/rate-relay")
ratio=$(div "$qr" "$qd")
echo "## PipeWire through the sandbox's relay ($ROUNDS rounds, CPU $BENCH_CPU)"
echo
echo "| | direct | relay | relay / direct |"
echo "|---|---:|---:|---:|"
echo "| roundtrip, median (us) | $rd | $rr | $(div "$rr" "$rd") |"
echo "| roundtrip, p99 (us) | $pd | $pr | $(div "$pr" "$pd") |"
echo "| message rate, median (syncs/s) | $qd | $qr | $ratio |"
echo
echo "added per roundtrip (median): $(awk -v a="$rr" -v b="$rd" 'BEGIN { printf "%.1f", a - b }') us;" \
	"target: relay >= 0.9x the direct rate: $(verdict "$ratio" ">=" 0.9)"
