#!/bin/bash
# How long an app takes to map its first window, directly and in its
# sandbox through crate-wl app, interleaved, pinned to one CPU. The
# sandbox's first run starts from an empty home (no shader cache, no
# settings); later runs find what the app kept there (issue 15, item 5:
# warm runs within 1.2x of direct).
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/app-map.sh [BUILD_DIR]        (default: build)
# Knobs (environment): BENCH_CPU=0 ROUNDS=5 APP=gtk4-demo
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
cli=$build/cli/crate-wl
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

BENCH_CPU=${BENCH_CPU:-0}
ROUNDS=${ROUNDS:-5}
APP=${APP:-gtk4-demo}

for tool in sway swaymsg taskset unshare setsid; do
	command -v "$tool" >/dev/null || die "$tool missing"
done
[ -x "$cli" ] || die "$cli missing: ninja -C $build"

taskset -pc "$BENCH_CPU" $$ >/dev/null
bench_setup
start_sway
for _ in $(seq 50); do
	SWAYSOCK=$(ls "$XDG_RUNTIME_DIR"/sway-ipc.*.sock 2>/dev/null | head -1)
	[ -n "$SWAYSOCK" ] && break
	sleep 0.1
done
[ -n "$SWAYSOCK" ] || die "no sway IPC socket"
export SWAYSOCK
export CRATE_WL_APPS=$repo/apps XDG_DATA_HOME=$T/data \
	XDG_CACHE_HOME=$T/cache XDG_CONFIG_HOME=$T/config HOME=$T/home
mkdir -p "$HOME"
exec_line=$(sed -n 's/^exec = //p' "$repo/apps/$APP.crate")

now_ms() {
	local t
	t=$(date +%s%N)
	echo $((t / 1000000))
}

# map_time CMD...: ms from the start of CMD to sway's "new window" event;
# the app is then ended (its process group)
map_time() {
	local fifo=$T/events t0 t1 line pid
	rm -f "$fifo"
	mkfifo "$fifo"
	swaymsg -t subscribe -m '["window"]' >"$fifo" &
	local sub=$!
	exec 9<"$fifo"
	t0=$(now_ms)
	setsid "$@" >>"$T/app.log" 2>&1 &
	pid=$!
	t1=
	while read -r -t 60 line <&9; do
		case $line in
		*'"change": "new"'*|*'"change":"new"'*)
			t1=$(now_ms)
			break
			;;
		esac
	done
	exec 9<&-
	kill "$sub" 2>/dev/null || true
	wait "$sub" 2>/dev/null || true
	kill -TERM -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ -n "$t1" ] || die "no window from: $* (log: $T/app.log)"
	echo $((t1 - t0))
}

median() {
	sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "# $APP: time to the first window, ms ($(nproc) CPUs, pinned to" \
	"CPU $BENCH_CPU; load before: $load_start)"
direct=()
warm=()
# each side's first run fills its own cache: direct's in $HOME, the
# sandbox's in its kept home
cold_direct=$(map_time $exec_line)
cold_sandbox=$(map_time "$cli" app "$APP")
for r in $(seq "$ROUNDS"); do
	direct+=("$(map_time $exec_line)")
	warm+=("$(map_time "$cli" app "$APP")")
done
# a fresh temporary home every time: what every run cost before
fresh=()
for r in $(seq "$ROUNDS"); do
	fresh+=("$(map_time "$cli" app --new-instance "$APP")")
done
md=$(printf '%s\n' "${direct[@]}" | median)
mw=$(printf '%s\n' "${warm[@]}" | median)
mf=$(printf '%s\n' "${fresh[@]}" | median)
printf '%-36s %6s ms   (%s)\n' "direct, first run" "$cold_direct" "-"
printf '%-36s %6s ms   (%s)\n' "direct" "$md" "${direct[*]}"
printf '%-36s %6s ms   (%s)\n' "crate-wl app, first run (empty home)" \
	"$cold_sandbox" "-"
printf '%-36s %6s ms   (%s)\n' "crate-wl app, kept home" "$mw" "${warm[*]}"
printf '%-36s %6s ms   (%s)\n' "crate-wl app --new-instance" "$mf" \
	"${fresh[*]}"
awk -v d="$md" -v w="$mw" -v f="$mf" 'BEGIN {
	printf "kept home / direct: %.2fx   new instance / direct: %.2fx\n",
		w / d, f / d }'
kept=$XDG_DATA_HOME/crate-wl/apps/$APP/home
echo "kept in the app's home: $(du -sh "$kept" | cut -f1)" \
	"($(cd "$kept" && find . -maxdepth 2 -mindepth 2 | tr '\n' ' '))"
[ -n "${BENCH_DEBUG:-}" ] && tail -20 "$T/app.log"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
