#!/bin/bash
# ScreenCast frames: from the compositor's `ready` to the frame queued in
# PipeWire (issue 5's target: <= 2 ms for 1280x720 shm), next to the floor,
# one memcpy of the same frame, measured frame by frame in the same run.
# Headless sway, a headless PipeWire with WirePlumber, GStreamer's
# pipewiresrc as the consumer; everything pinned to one CPU.
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/screencast.sh [BUILD_DIR]     Knobs: BENCH_CPU=0 FRAMES=300
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
bin=$build/bench/screencast
BENCH_CPU=${BENCH_CPU:-0}
FRAMES=${FRAMES:-300}
[ -x "$bin" ] || { echo "bench: $bin missing: ninja -C $build" >&2; exit 1; }

# the figures' helpers, then the test rig's compositor and PipeWire (its
# cleanup stops exactly what it started)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CRATE_WL=$build/cli/crate-wl
# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
set +u
need gst-launch-1.0 taskset

taskset -pc "$BENCH_CPU" $$ >/dev/null
start_sway
start_pipewire

"$bin" "$SWAY_SOCKET" "$FRAMES" > "$T/frames" 2> "$T/bench.err" &
bench_pid=$!
track $bench_pid
for _ in $(seq 1 200); do
	grep -q '^node ' "$T/frames" 2>/dev/null && break
	sleep 0.05
done
node=$(sed -n 's/^node //p' "$T/frames")
[ -n "$node" ] || { cat "$T/bench.err" >&2; fail "no node"; }
gst-launch-1.0 -q pipewiresrc path="$node" ! video/x-raw ! \
	fakesink sync=false > "$T/gst.log" 2>&1 &
track $!
wait $bench_pid || { cat "$T/bench.err" >&2; fail "the bench failed"; }

awk '$1 == "queued" { print $2 }' "$T/frames" > "$T/queued"
awk '$1 == "memcpy" { print $2 }' "$T/frames" > "$T/memcpy"
q_med=$(median "$T/queued"); q_p99=$(p99 "$T/queued")
m_med=$(median "$T/memcpy"); m_p99=$(p99 "$T/memcpy")
ms() { awk -v x="$1" 'BEGIN { printf "%.3f", x / 1000 }'; }
echo "## ScreenCast frames, 1280x720 shm ($(wc -l < "$T/queued") frames, CPU $BENCH_CPU)"
echo
echo "| per frame | median (ms) | p99 (ms) |"
echo "|---|---:|---:|"
echo "| ready -> queued in PipeWire | $(ms "$q_med") | $(ms "$q_p99") |"
echo "| memcpy of one frame (floor) | $(ms "$m_med") | $(ms "$m_p99") |"
echo
echo "ratio to the floor (median): $(div "$q_med" "$m_med");" \
	"target <= 2 ms: $(verdict "$(ms "$q_p99")" "<=" 2) at p99," \
	"$(verdict "$(ms "$q_med")" "<=" 2) at the median"
