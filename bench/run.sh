#!/bin/bash
# crate-wl bench: direct vs crate-wl vs waypipe vs a parse-nothing relay, on
# one private headless sway, everything pinned to one CPU, setups interleaved.
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/run.sh [BUILD_DIR]          (default: build)
# Knobs (environment): BENCH_CPU=0 RT_N=10000 RT_ROUNDS=20 INFO_RUNS=200
#   FLOOD_N=250000 FLOOD_ROUNDS=12 GRIM_RUNS=50 IDLE=100
# The figure arrays are read through namerefs in row():
# shellcheck disable=SC2034
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
cli=$build/cli/crate-wl
bin=$build/bench

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

BENCH_CPU=${BENCH_CPU:-0}
RT_N=${RT_N:-10000}
RT_ROUNDS=${RT_ROUNDS:-20}
INFO_RUNS=${INFO_RUNS:-200}
FLOOD_N=${FLOOD_N:-250000}
FLOOD_ROUNDS=${FLOOD_ROUNDS:-12}
GRIM_RUNS=${GRIM_RUNS:-50}
IDLE=${IDLE:-100}

for tool in sway waypipe wayland-info grim taskset unshare setsid; do
	command -v "$tool" >/dev/null ||
		die "$tool missing (scripts/deps.sh bench installs it)"
done
for prog in "$cli" "$bin/relay" "$bin/roundtrip" "$bin/flood" \
		"$bin/idle-clients" "$bin/timeit"; do
	[ -x "$prog" ] || die "$prog missing: ninja -C $build"
done

# Everything started from here on inherits the pinning.
taskset -pc "$BENCH_CPU" $$ >/dev/null

bench_setup
start_sway

# the bench connects more clients than a sandbox may by default (32)
start crate-wl "$cli" proxy --max-connections 1000 --socket "$T/cw.sock"
cw_pid=$started
start crate-wl-trusted "$cli" proxy --max-connections 1000 --policy trusted --socket "$T/cwt.sock"
cwt_pid=$started
start relay "$bin/relay" "$T/relay.sock"
relay_pid=$started
start waypipe-client waypipe --no-gpu --compress none -s "$T/wp.sock" client
wpc_pid=$started
wait_socket "$T/wp.sock" "$wpc_pid"
start waypipe-server waypipe --no-gpu --compress none -s "$T/wp.sock" \
	--display "$XDG_RUNTIME_DIR/wayland-wp" server -- sleep infinity
wps_pid=$started
wait_socket "$T/cw.sock" "$cw_pid"
wait_socket "$T/cwt.sock" "$cwt_pid"
wait_socket "$T/relay.sock" "$relay_pid"
wait_socket "$XDG_RUNTIME_DIR/wayland-wp" "$wps_pid"

setups=(direct crate-wl relay waypipe)
declare -A display=(
	[direct]=wayland-1
	[crate-wl]=$T/cw.sock
	[relay]=$T/relay.sock
	[waypipe]=wayland-wp
)
# screencopy needs the trusted policy; everything else runs under default
declare -A grim_display=(
	[direct]=wayland-1
	[crate-wl]=$T/cwt.sock
	[relay]=$T/relay.sock
	[waypipe]=wayland-wp
)

# on SETUP CMD...: runs CMD as a client of SETUP
on() {
	local setup=$1
	shift
	WAYLAND_DISPLAY=${display[$setup]} "$@"
}

# order: the setups in a fresh random order for each round. A fixed
# rotation (ABCD, BCDA, ...) would always give each setup the same
# predecessor, and whatever a setup leaves behind (waypipe's per-connection
# processes exiting) would always land on the same neighbour.
order() {
	printf '%s\n' "${setups[@]}" | shuf
}

# settle: waits until waypipe's per-connection processes of the last run are
# gone, so that no setup is timed while another one tears down
settle() {
	for _ in $(seq 500); do
		[ "$(pgrep -c -s "$wpc_pid,$wps_pid")" -le "$wp_base" ] && return
		sleep 0.002
	done
}


wp_base=$(pgrep -c -s "$wpc_pid,$wps_pid")
echo "bench: sanity check: wayland-info and grim through every setup" >&2
for s in "${setups[@]}"; do
	on "$s" wayland-info >/dev/null 2>"$T/check.err" ||
		die "wayland-info fails through $s: $(cat "$T/check.err")"
	WAYLAND_DISPLAY=${grim_display[$s]} grim -t ppm - >/dev/null \
		2>"$T/check.err" ||
		die "grim fails through $s: $(cat "$T/check.err")"
done

# --- RSS with 1 and IDLE idle clients (fresh processes, before any load) ---
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# session_rss SID: summed RSS of every process in a session (waypipe forks
# one process per connection on each side)
session_rss() {
	ps -o rss= -s "$1" | awk '{ s += $1 } END { print s + 0 }'
}
idle_up() {
	local name=$1 k=$2 setup=$3
	WAYLAND_DISPLAY=${display[$setup]} start "$name" "$bin/idle-clients" "$k"
	local pid=$started
	for _ in $(seq 200); do
		grep -q '^ready' "$T/$name.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	die "idle clients through $setup did not come up: $(cat "$T/$name.log")"
}
idle_down() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
declare -A rss1 rssk
echo "bench: RSS with 1 and $IDLE idle clients" >&2
for s in crate-wl relay waypipe; do
	idle_up "idle1-$s" 1 "$s"
	one=$started
	sleep 0.2
	case $s in
	crate-wl) rss1[$s]=$(rss_kib "$cw_pid") ;;
	relay) rss1[$s]=$(rss_kib "$relay_pid") ;;
	waypipe) rss1[$s]=$(($(session_rss "$wpc_pid") +
		$(session_rss "$wps_pid"))) ;;
	esac
	idle_up "idlek-$s" $((IDLE - 1)) "$s"
	more=$started
	sleep 0.2
	case $s in
	crate-wl) rssk[$s]=$(rss_kib "$cw_pid") ;;
	relay) rssk[$s]=$(rss_kib "$relay_pid") ;;
	waypipe) rssk[$s]=$(($(session_rss "$wpc_pid") +
		$(session_rss "$wps_pid"))) ;;
	esac
	idle_down "$more"
	idle_down "$one"
done

# --- roundtrip latency: RT_ROUNDS interleaved rounds, samples pooled ---
echo "bench: $RT_N roundtrips per setup in $RT_ROUNDS rounds" >&2
per_round=$((RT_N / RT_ROUNDS))
for _ in $(seq "$RT_ROUNDS"); do
	for s in $(order); do
		on "$s" "$bin/roundtrip" -n "$per_round" -o "$T/rt.$s" >/dev/null
		settle
	done
done
for s in "${setups[@]}"; do
	awk '{ printf "%.3f\n", $1 / 1000 }' "$T/rt.$s" >"$T/rt-us.$s"
done

# --- wayland-info whole-process time ---
echo "bench: wayland-info, $INFO_RUNS runs per setup" >&2
for _ in $(seq "$INFO_RUNS"); do
	for s in $(order); do
		on "$s" "$bin/timeit" -- wayland-info >>"$T/info.$s"
		settle
	done
	# the default policy hides globals, which makes wayland-info cheaper:
	# also time crate-wl hiding nothing
	WAYLAND_DISPLAY=$T/cwt.sock "$bin/timeit" -- wayland-info \
		>>"$T/info.trusted"
done

# --- request flood throughput ---
# cpu_ns SETUP: CPU time (ns) used so far by SETUP's proxy: scheduler
# runtime of every thread for crate-wl and the relay; for waypipe, which
# forks a process per connection on each side, user+system ticks of its two
# main processes including their reaped children
hz=$(getconf CLK_TCK)
cpu_ns() {
	case $1 in
	direct) echo 0 ;;
	crate-wl) cat "/proc/$cw_pid"/task/*/schedstat |
		awk '{ s += $1 } END { print s + 0 }' ;;
	relay) cat "/proc/$relay_pid"/task/*/schedstat |
		awk '{ s += $1 } END { print s + 0 }' ;;
	waypipe)
		# the command name in field 2 may hold spaces: cut after ')'
		sed 's/.*) //' "/proc/$wpc_pid/stat" "/proc/$wps_pid/stat" |
			awk -v hz="$hz" '{ s += $12 + $13 + $14 + $15 }
				END { printf "%.0f\n", s * 1e9 / hz }' ;;
	esac
}
declare -A flood_cpu=([direct]=0 [crate-wl]=0 [relay]=0 [waypipe]=0)
echo "bench: flood, $FLOOD_ROUNDS x $FLOOD_N requests per setup" >&2
for _ in $(seq "$FLOOD_ROUNDS"); do
	for s in $(order); do
		t0=$(cpu_ns "$s")
		on "$s" "$bin/flood" -n "$FLOOD_N" |
			awk '{ print $6 }' >>"$T/flood.$s"
		t1=$(cpu_ns "$s")
		flood_cpu[$s]=$((flood_cpu[$s] + t1 - t0))
		settle
	done
done

# --- grim -t ppm of the 1280x720 output ---
echo "bench: grim -t ppm, $GRIM_RUNS runs per setup" >&2
for _ in $(seq "$GRIM_RUNS"); do
	for s in $(order); do
		WAYLAND_DISPLAY=${grim_display[$s]} "$bin/timeit" -- \
			grim -t ppm - >>"$T/grim.$s"
		settle
	done
done

# --- report ---
for s in "${setups[@]}"; do
	for f in rt info flood grim; do
		[ -s "$T/$f.$s" ] || die "no $f figures for $s"
	done
done
declare -A rt rt99 info flood grim mflood flood_ns
for s in "${setups[@]}"; do
	rt[$s]=$(median "$T/rt-us.$s")
	rt99[$s]=$(p99 "$T/rt-us.$s")
	info[$s]=$(awk '{ print $1 / 1000 }' "$T/info.$s" | median /dev/stdin)
	flood[$s]=$(median "$T/flood.$s")
	grim[$s]=$(awk '{ print $1 / 1000 }' "$T/grim.$s" | median /dev/stdin)
done


cw=crate-wl
echo
echo "## crate-wl bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo "- machine: $(nproc --all) vCPU ($cpu), kernel $(uname -r)," \
	"everything on CPU $BENCH_CPU; load average before/after:" \
	"$load_start / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- crate-wl $(git -C "$repo" describe --always --dirty 2>/dev/null ||
	echo '?'), $(sway --version 2>/dev/null | head -1)," \
	"$(waypipe --version 2>/dev/null | head -1), headless 1280x720, pixman"
echo "- roundtrips: $RT_N per setup ($RT_ROUNDS interleaved rounds);" \
	"wayland-info: $INFO_RUNS runs; flood: $FLOOD_ROUNDS x $FLOOD_N" \
	"wl_region.add; grim: $GRIM_RUNS runs"
echo
echo "| figure | direct | crate-wl | relay | waypipe |" \
	"crate-wl / direct | crate-wl / relay | crate-wl / waypipe |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row() {
	local label=$1
	local -n v=$2
	echo "| $label | $(f2 "${v[direct]}") | $(f2 "${v[$cw]}") |" \
		"$(f2 "${v[relay]}") | $(f2 "${v[waypipe]}") |" \
		"$(div "${v[$cw]}" "${v[direct]}") |" \
		"$(div "${v[$cw]}" "${v[relay]}") |" \
		"$(div "${v[$cw]}" "${v[waypipe]}") |"
}
row "roundtrip median (µs)" rt
row "roundtrip p99 (µs)" rt99
row "wayland-info median (ms)" info
for s in "${setups[@]}"; do
	mflood[$s]=$(awk -v x="${flood[$s]}" 'BEGIN { print x / 1e6 }')
done
row "flood median (M msgs/s)" mflood
for s in "${setups[@]}"; do
	flood_ns[$s]=$(awk -v t="${flood_cpu[$s]}" \
		-v n=$((FLOOD_ROUNDS * FLOOD_N)) 'BEGIN { print t / n }')
done
flood_ns[direct]=- # no proxy
row "flood: proxy CPU per msg (ns)" flood_ns
row "grim -t ppm median (ms)" grim
echo
info[trusted]=$(awk '{ print $1 / 1000 }' "$T/info.trusted" | median /dev/stdin)
echo "wayland-info through crate-wl --policy trusted (hides nothing):" \
	"$(f2 "${info[trusted]}") ms," \
	"$(div "${info[trusted]}" "${info[relay]}")× relay," \
	"$(div "${info[trusted]}" "${info[waypipe]}")× waypipe." \
	"Proxy CPU per flood message: /proc/PID/task/*/schedstat for" \
	"crate-wl and the relay, ticks of 1/$hz s for waypipe."
echo
echo "| proxy RSS (KiB) | 1 client | $IDLE clients | per extra client |"
echo "|---|---:|---:|---:|"
declare -A per_client
for s in crate-wl relay waypipe; do
	per_client[$s]=$(awk -v a="${rss1[$s]}" -v b="${rssk[$s]}" \
		-v k="$IDLE" 'BEGIN { printf "%.1f", (b - a) / (k - 1) }')
	label=$s
	[ "$s" = waypipe ] && label="waypipe (sum of its processes)"
	echo "| $label | ${rss1[$s]} | ${rssk[$s]} | ${per_client[$s]} |"
done
echo
echo "| target (issue 2) | figure | verdict |"
echo "|---|---:|---|"
r=$(div "${rt[$cw]}" "${rt[relay]}")
echo "| roundtrip ≤ 1.15× relay | $r× | $(verdict "$r" "<=" 1.15) |"
r=$(div "${rt[$cw]}" "${rt[waypipe]}")
echo "| roundtrip ≤ 0.6× waypipe | $r× | $(verdict "$r" "<=" 0.6) |"
r=$(div "${info[$cw]}" "${info[relay]}")
echo "| wayland-info ≤ 1.15× relay | $r× | $(verdict "$r" "<=" 1.15) |"
r=$(div "${info[$cw]}" "${info[waypipe]}")
echo "| wayland-info ≤ 0.6× waypipe | $r× | $(verdict "$r" "<=" 0.6) |"
r=$(div "${flood[$cw]}" "${flood[relay]}")
echo "| flood ≥ 0.9× relay | $r× | $(verdict "$r" ">=" 0.9) |"
r=$(div "${grim[$cw]}" "${grim[direct]}")
echo "| grim ≤ 1.1× direct | $r× | $(verdict "$r" "<=" 1.1) |"
r=${per_client[$cw]}
echo "| ≤ 64 KiB RSS per idle client | $r KiB | $(verdict "$r" "<=" 64) |"
