#!/bin/bash
# crate-wl soak: SOAK_MESSAGES requests through one proxy, from SOAK_RUNS
# flood clients one after the other (a new connection each), with one idle
# client connected throughout. Every 64th request is a wl_display.sync, so
# objects are created and their ids freed and reused all along. After each
# run: the proxy's RSS and fd count. Reports RSS at the start (after warm-up) and at the end, the
# growth, and the slope of RSS over messages after warm-up (least squares).
# Targets (issue 6): growth <= 1 % after warm-up, no fd growth.
# Figures, not a test: the exit status only says whether the rig ran.
#
# Usage: bench/soak.sh [BUILD_DIR]          (default: build)
# Knobs: BENCH_CPU=0 SOAK_MESSAGES=10000000 SOAK_RUNS=100 SOAK_WARMUP=10
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
cli=$build/cli/crate-wl
bin=$build/bench
BENCH_CPU=${BENCH_CPU:-0}
SOAK_MESSAGES=${SOAK_MESSAGES:-10000000}
SOAK_RUNS=${SOAK_RUNS:-100}
SOAK_WARMUP=${SOAK_WARMUP:-10}
per_run=$((SOAK_MESSAGES / SOAK_RUNS))

. "$here/lib.sh"
command -v sway >/dev/null || die "sway missing (scripts/deps.sh bench)"
for prog in "$cli" "$bin/flood" "$bin/idle-clients"; do
	[ -x "$prog" ] || die "$prog missing: ninja -C $build"
done
grep -q __asan_init "$cli" && die "$cli is an ASan build: its RSS says nothing"

# everything started from here on is pinned to one CPU
taskset -pc "$BENCH_CPU" $$ >/dev/null
bench_setup
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

start_sway
start crate-wl "$cli" proxy --socket "$T/cw.sock"
cw_pid=$started
wait_socket "$T/cw.sock" "$cw_pid"
export WAYLAND_DISPLAY=$T/cw.sock
start idle "$bin/idle-clients" 1
for _ in $(seq 100); do
	grep -q '^ready' "$T/idle.log" && break
	sleep 0.05
done

echo "soak: $SOAK_RUNS runs x $per_run messages through one proxy (pid $cw_pid), CPU $BENCH_CPU" >&2
echo "run messages rss_kib fds" > "$T/samples"
echo "0 0 $(rss_kib "$cw_pid") $(fds "$cw_pid")" >> "$T/samples"
t0=$(date +%s.%N)
for run in $(seq 1 "$SOAK_RUNS"); do
	"$bin/flood" -n "$per_run" -s 64 > "$T/flood.out" ||
		die "flood run $run failed: $(cat "$T/flood.out")"
	echo "$run $((run * per_run)) $(rss_kib "$cw_pid") $(fds "$cw_pid")" >> "$T/samples"
	if [ $((run % 10)) = 0 ]; then
		echo "soak: run $run: $(tail -1 "$T/samples")" >&2
	fi
done
t1=$(date +%s.%N)

awk -v warm="$SOAK_WARMUP" -v secs="$(awk "BEGIN {print $t1 - $t0}")" \
	-v cpu="$BENCH_CPU" '
NR == 1 { next }
{ run = $1; msgs[run] = $2; rss[run] = $3; fd[run] = $4; last = run }
END {
	n = 0; sx = sy = sxx = sxy = 0
	for (r = warm; r <= last; r++) {
		x = msgs[r] / 1e6; y = rss[r]
		n++; sx += x; sy += y; sxx += x * x; sxy += x * y
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
	growth = (rss[last] - rss[warm]) * 100 / rss[warm]
	printf "## crate-wl soak\n\n"
	printf "%d messages (wl_region.add, 24 bytes; a wl_display.sync every 64) " \
		"from %d flood clients in turn, " \
		"one idle client throughout; %.1f s; everything on CPU %s.\n\n", \
		msgs[last], last, secs, cpu
	printf "| | RSS (KiB) | fds |\n|---|---:|---:|\n"
	printf "| at the start (no load) | %d | %d |\n", rss[0], fd[0]
	printf "| after warm-up (run %d, %.1fM messages) | %d | %d |\n", \
		warm, msgs[warm] / 1e6, rss[warm], fd[warm]
	printf "| at the end (run %d, %.1fM messages) | %d | %d |\n\n", \
		last, msgs[last] / 1e6, rss[last], fd[last]
	printf "RSS growth after warm-up: %+.2f %% (target <= 1 %%: %s); " \
		"slope %+.2f KiB per million messages; fds %d -> %d (%s).\n", \
		growth, growth <= 1 ? "met" : "MISSED", slope, fd[warm], fd[last], \
		fd[last] <= fd[warm] ? "no growth" : "GREW"
}' "$T/samples"
