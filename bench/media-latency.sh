#!/bin/bash
# Audio latency through the sandbox's relay next to a direct connection, in
# one run: one click played by the same player (bench/impulse) in three
# places, and heard by a recorder on the host capturing the sink's monitor,
# interleaved round by round in a fresh random order:
#   relay   inside a sandbox (crate-wl run --audio playback), through its
#           relay; its stream goes to the sandbox's out node, as any app's
#   direct  inside the same sandbox, straight to the daemon's socket (bound
#           in for the bench), to the same out node: only the relay differs
#   host    outside any sandbox, straight to the default sink (no out node)
# The graph runs at a forced quantum of 256 frames at 48 kHz. Two figures
# per click (see impulse.c):
#   graph: samples on the driver's clock from the cycle whose buffer carried
#          the click to the sample where the monitor has it
#   wall:  CLOCK_MONOTONIC from the click's buffer queued by the player to
#          the recorder's callback that found it
# and, apart, the stream's start: from the player's main() to the first
# buffer the graph asks it for (its setup, which does go through the relay)
# Issue 5's target: audio through the relay adds <= 1 ms over a direct
# connection, judged on the graph's clock (the median of each). Headless PipeWire with WirePlumber; everything pinned to one
# CPU. Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/media-latency.sh [BUILD_DIR]
# Knobs: BENCH_CPU=0 ROUNDS=10 QUANTUM=256 (the graph figure must follow it)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
bin=$build/bench/impulse
BENCH_CPU=${BENCH_CPU:-0}
ROUNDS=${ROUNDS:-10}
QUANTUM=${QUANTUM:-256}
RATE=48000
[ -x "$bin" ] || { echo "bench: $bin missing: ninja -C $build" >&2; exit 1; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CRATE_WL=$build/cli/crate-wl
# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
set +u
media_rig
pw-metadata -n settings 0 clock.force-rate "$RATE" >/dev/null
pw-metadata -n settings 0 clock.force-quantum "$QUANTUM" >/dev/null
inside "" true
out_node=
for _ in $(seq 1 250); do
	out_node=$(pw-cli ls Node | sed -n 's/.*node.name = "\(crate-wl\..*\.out\)"/\1/p')
	[ -n "$out_node" ] && break
	sleep 0.02
done
[ -n "$out_node" ] || die "the sandbox's out node did not appear"

# play WHERE: the player in one of the three places
play() {
	case $1 in
	host) "$bin" play ;;
	direct) inside PIPEWIRE_REMOTE=/pw/pipewire-0 "$bin" play "$out_node" ;;
	relay) inside "" "$bin" play ;;
	esac
}

setups=(host direct relay)
for s in "${setups[@]}"; do
	: > "$T/graph-$s"; : > "$T/wall-$s"; : > "$T/start-$s"; : > "$T/lost-$s"
done
for r in $(seq 1 "$ROUNDS"); do
	order=$(printf '%s\n' "${setups[@]}" | shuf | tr '\n' ' ')
	echo "round $r/$ROUNDS: $order" >&2
	for s in $order; do
		"$bin" record test-sink > "$T/heard" &
		rec=$!
		until grep -q '^ready' "$T/heard"; do
			kill -0 $rec 2>/dev/null || die "the recorder failed"
			sleep 0.005
		done
		play "$s" > "$T/played"
		wait $rec
		h=$(tail -n 1 "$T/heard")
		case "$h" in
		heard\ [0-9]*) ;;
		*) die "$s: the monitor heard no click (player: $(tr '\n' ' ' \
			< "$T/played"), recorder: '$h')" ;;
		esac
		# the click heard is the last one played before it (they are
		# SPACING_MS apart, far more than any latency measured here)
		echo "$h" | cat "$T/played" - | awk -v q="$RATE" \
			-v g="$T/graph-$s" -v w="$T/wall-$s" -v st="$T/start-$s" \
			-v lost="$T/lost-$s" 'BEGIN { n = 0 }
			$1 == "click" { t[n] = $2; ns[n++] = $3 }
			$1 == "start" { start = $2 }
			$1 == "heard" {
				k = -1
				for (i = 0; i < n; i++) if (t[i] <= $2) k = i
				if (k < 0) { print "no click before the one heard"; exit 1 }
				printf "%.3f\n", ($2 - t[k]) / q * 1000 >> g
				printf "%.3f\n", ($3 - ns[k]) / 1e6 >> w
				printf "%.2f\n", start / 1e6 >> st
				print k >> lost
			}' || die "$s: $(cat "$T/played")"
	done
done
sandbox_stop

echo "## A click through the sandbox's relay ($ROUNDS rounds, quantum" \
	"$QUANTUM at $RATE Hz, CPU $BENCH_CPU)"
echo
echo "| latency to the sink's monitor (ms) | host | direct | relay | relay - direct | relay - host |"
echo "|---|---:|---:|---:|---:|---:|"
for k in graph wall; do
	for m in median p99; do
		h=$($m "$T/$k-host"); d=$($m "$T/$k-direct"); r=$($m "$T/$k-relay")
		echo "| $k, $m | $h | $d | $r |" \
			"$(awk -v a="$r" -v b="$d" 'BEGIN { printf "%.3f", a - b }') |" \
			"$(awk -v a="$r" -v b="$h" 'BEGIN { printf "%.3f", a - b }') |"
	done
done
echo
h=$(median "$T/start-host"); d=$(median "$T/start-direct"); r=$(median "$T/start-relay")
echo "stream start, median (ms): host $h, direct $d, relay $r;" \
	"relay - direct $(awk -v a="$r" -v b="$d" 'BEGIN { printf "%.2f", a - b }')"
echo
late() {
	awk -v q="$QUANTUM" -v r="$RATE" '$1 > 1.5 * q / r * 1000 { n++ }
		END { printf "%d", n }' "$T/graph-$1"
}
echo "rounds where the click came a cycle late or more: host $(late host)," \
	"direct $(late direct), relay $(late relay) (of $ROUNDS each)"
echo
for s in "${setups[@]}"; do
	echo "$s, each round: graph $(tr '\n' ' ' < "$T/graph-$s")ms;" \
		"wall $(tr '\n' ' ' < "$T/wall-$s")ms;" \
		"clicks lost before the one heard $(tr '\n' ' ' < "$T/lost-$s")"
done
# the verdict on the graph's clock: when the sound is played, to the
# sample; the wall clock adds both callbacks' scheduling delays on a
# shared CPU, which move no sample (it corroborates, over enough rounds)
added=$(awk -v a="$(median "$T/graph-relay")" -v b="$(median "$T/graph-direct")" \
	'BEGIN { printf "%.3f", a - b }')
wadded=$(awk -v a="$(median "$T/wall-relay")" -v b="$(median "$T/wall-direct")" \
	'BEGIN { printf "%.3f", a - b }')
echo
echo "added by the relay (median): graph $added ms, wall $wadded ms;" \
	"target <= 1 ms (graph): $(awk -v a="$added" \
	'BEGIN { print (a <= 1) ? "met" : "MISSED" }')"
