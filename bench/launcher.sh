#!/bin/bash
# crate-wl launcher bench: `crate-wl run` next to bwrap at the same
# isolation, interleaved, everything pinned to one CPU.
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/launcher.sh [BUILD_DIR]     (default: build)
# Knobs (environment): BENCH_CPU=0 SPAWN_ROUNDS=20 SPAWN_PER_ROUND=15
#   RATE_N=300 RATE_ROUNDS=3 INFO_ROUNDS=20 INFO_PER_ROUND=5
# The figure arrays are read through namerefs in row():
# shellcheck disable=SC2034
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
cli=$build/cli/crate-wl
timeit=$build/bench/timeit
nsfloor=$build/bench/nsfloor
bare=$build/bench/bare

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

BENCH_CPU=${BENCH_CPU:-0}
SPAWN_ROUNDS=${SPAWN_ROUNDS:-20}
SPAWN_PER_ROUND=${SPAWN_PER_ROUND:-15}
RATE_N=${RATE_N:-300}
RATE_ROUNDS=${RATE_ROUNDS:-3}
INFO_ROUNDS=${INFO_ROUNDS:-20}
INFO_PER_ROUND=${INFO_PER_ROUND:-5}

for tool in bwrap sway wayland-info taskset unshare setsid; do
	command -v "$tool" >/dev/null ||
		die "$tool missing (scripts/deps.sh bench installs it)"
done
for prog in "$cli" "$timeit" "$nsfloor" "$bare"; do
	[ -x "$prog" ] || die "$prog missing: ninja -C $build"
done

# Everything started from here on inherits the pinning.
taskset -pc "$BENCH_CPU" $$ >/dev/null
bench_setup
start_sway
# crate-wl's instance directories: private to this run
export XDG_CACHE_HOME=$T/cache

uid=$(id -u)
# bwrap at crate-wl's isolation (issue 11: "at the same isolation"): the
# same namespaces, session, filter (bwrap reads it from an fd: crate-wl's
# own, which the build writes out raw too), a clean environment, and the
# same view of the file system that crate-wl makes of the host's root
# (its plan, from --dry-run): the root read-only; each top-level entry it
# hides an empty read-only directory (a read-only /dev/null for a file);
# /var, /tmp, /run, /home and /root the sandbox's own; /dev and /proc as
# bwrap makes them (the same devices; proc's kernel settings read-only).
hidden=()
while read -r op path rest; do
	[ "$op" = hide ] || continue
	case $rest in
	*"a file"*) hidden+=(--ro-bind /dev/null "$path") ;;
	*) hidden+=(--tmpfs "$path" --remount-ro "$path") ;;
	esac
done < <("$cli" run --dry-run --no-wayland --net none -- /bin/true |
	sed -n '/^mounts:/,/^uid:/p')
[ ${#hidden[@]} -gt 0 ] || die "no hidden entries in crate-wl's plan"
bwrap_base=(bwrap --unshare-all --die-with-parent --new-session
	--clearenv --setenv PATH /usr/local/bin:/usr/bin:/bin
	--setenv HOME "$HOME" --setenv XDG_RUNTIME_DIR "/run/user/$uid"
	--ro-bind / / "${hidden[@]}"
	--tmpfs /var --perms 1777 --dir /var/tmp --symlink /run /var/run
	--symlink /run/lock /var/lock
	--ro-bind-try /var/cache/fontconfig /var/cache/fontconfig
	--ro-bind-try /var/lib/texmf /var/lib/texmf
	--perms 1777 --tmpfs /tmp --dev /dev --proc /proc
	--tmpfs /run --perms 0700 --dir "/run/user/$uid"
	--tmpfs /home --perms 0700 --tmpfs /root)
# bwrap as it is most often run, for comparison: the host's whole root
# shown read-only (home directories, /srv, data disks...)
bwrap_plain=(bwrap --unshare-all --die-with-parent --new-session
	--ro-bind / / --dev /dev --proc /proc)
# the same plus the compositor's socket bound in, unfiltered, where
# crate-wl puts its proxy's
bwrap_wl=("${bwrap_base[@]}"
	--bind "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY" "/run/user/$uid/wayland-0"
	--setenv WAYLAND_DISPLAY wayland-0)

"$cli" run --no-wayland --net none -- /bin/true ||
	die "crate-wl run fails"
bpf=$build/sandbox/seccomp.bpf
[ -s "$bpf" ] || die "no seccomp filter at $bpf: ninja -C $build"

# time SETUP N OUT: N runs of SETUP, wall time per run (µs) appended to OUT
time_setup() {
	local setup=$1 n=$2 out=$3
	case $setup in
	true) "$timeit" -n "$n" -- /bin/true ;;
	# an exec with no C library (bench/bare.c)
	bare) "$timeit" -n "$n" -- "$bare" ;;
	# the namespaces and two execs, nothing else (bench/nsfloor.c)
	floor) "$timeit" -n "$n" -- "$nsfloor" /bin/true ;;
	crate-wl) "$timeit" -n "$n" -- \
		"$cli" run --no-wayland --net none -- /bin/true ;;
	bwrap) "$timeit" -n "$n" -f "9:$bpf" -- \
		"${bwrap_base[@]}" --seccomp 9 /bin/true ;;
	bwrap-plain) "$timeit" -n "$n" -f "9:$bpf" -- \
		"${bwrap_plain[@]}" --seccomp 9 /bin/true ;;
	info-direct) "$timeit" -n "$n" -- wayland-info ;;
	info-crate-wl) "$timeit" -n "$n" -- "$cli" run -- wayland-info ;;
	# the default policy asks for screen capture, which starts the
	# sandbox's private bus with the ScreenCast portal; deny has none
	info-nobus) "$timeit" -n "$n" -- \
		"$cli" run --screencopy deny -- wayland-info ;;
	info-bwrap) "$timeit" -n "$n" -f "9:$bpf" -- \
		"${bwrap_wl[@]}" --seccomp 9 wayland-info ;;
	esac >>"$out"
}

echo "bench: sanity check: every setup runs" >&2
for s in true bare floor crate-wl bwrap bwrap-plain info-direct info-crate-wl info-nobus \
		info-bwrap; do
	time_setup "$s" 3 /dev/null 2>"$T/check.err" ||
		die "$s fails: $(cat "$T/check.err")"
done
# the sandboxed wayland-info sees only what the default policy shows,
# bwrap's the compositor's every global: say how many each had
globals() {
	case $1 in
	crate-wl) "$cli" run -- wayland-info ;;
	bwrap) 9<"$bpf" "${bwrap_wl[@]}" --seccomp 9 wayland-info ;;
	esac | grep -c '^interface:'
}
n_cw=$(globals crate-wl)
n_bw=$(globals bwrap)

# --- spawn latency: rounds of each setup, in a fresh random order ---
echo "bench: /bin/true, $SPAWN_ROUNDS x $SPAWN_PER_ROUND per setup" >&2
for _ in $(seq "$SPAWN_ROUNDS"); do
	for s in $(printf '%s\n' true bare floor crate-wl bwrap bwrap-plain |
			shuf); do
		time_setup "$s" "$SPAWN_PER_ROUND" "$T/spawn.$s"
	done
done

# --- spawns per second, back to back ---
echo "bench: $RATE_N spawns in sequence, $RATE_ROUNDS times per setup" >&2
now_ns() { date +%s%N; }
for _ in $(seq "$RATE_ROUNDS"); do
	for s in $(printf '%s\n' floor crate-wl bwrap | shuf); do
		t0=$(now_ns)
		time_setup "$s" "$RATE_N" /dev/null
		t1=$(now_ns)
		awk -v n="$RATE_N" -v t=$((t1 - t0)) \
			'BEGIN { printf "%.1f\n", n / (t / 1e9) }' >>"$T/rate.$s"
	done
done

# --- wayland-info in a sandbox ---
echo "bench: wayland-info, $INFO_ROUNDS x $INFO_PER_ROUND per setup" >&2
for _ in $(seq "$INFO_ROUNDS"); do
	for s in $(printf '%s\n' info-direct info-crate-wl info-nobus \
			info-bwrap | shuf); do
		time_setup "$s" "$INFO_PER_ROUND" "$T/info.$s"
	done
done

# --- report ---
ms() { awk '{ print $1 / 1000 }' "$1" | median /dev/stdin; }
declare -A spawn rate info
for s in true bare floor crate-wl bwrap bwrap-plain; do
	spawn[$s]=$(ms "$T/spawn.$s")
done
for s in floor crate-wl bwrap; do
	rate[$s]=$(median "$T/rate.$s")
done
for s in direct crate-wl nobus bwrap; do
	info[$s]=$(ms "$T/info.info-$s")
done

echo
echo "## crate-wl launcher bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo "- machine: $(nproc --all) vCPU ($cpu), kernel $(uname -r)," \
	"everything on CPU $BENCH_CPU; load average before/after:" \
	"$load_start / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- crate-wl $(git -C "$repo" describe --always --dirty 2>/dev/null ||
	echo '?') (loads: $(readelf -d "$cli" | sed -n \
	's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')), $(bwrap \
	--version), $(sway --version 2>/dev/null | head -1), uid $uid"
echo "- /bin/true: $SPAWN_ROUNDS x $SPAWN_PER_ROUND runs per setup;" \
	"in sequence: $RATE_ROUNDS x $RATE_N; wayland-info:" \
	"$INFO_ROUNDS x $INFO_PER_ROUND (globals seen: crate-wl $n_cw," \
	"bwrap $n_bw)"
echo
echo "| figure | crate-wl | bwrap | crate-wl / bwrap |"
echo "|---|---:|---:|---:|"
echo "| run /bin/true, median (ms) | $(f2 "${spawn[crate-wl]}") |" \
	"$(f2 "${spawn[bwrap]}") |" \
	"$(div "${spawn[crate-wl]}" "${spawn[bwrap]}") |"
echo "| spawns per second in sequence, median | $(f2 "${rate[crate-wl]}") |" \
	"$(f2 "${rate[bwrap]}") | $(div "${rate[crate-wl]}" "${rate[bwrap]}") |"
echo "| wayland-info in the sandbox, median (ms) | $(f2 "${info[crate-wl]}") |" \
	"$(f2 "${info[bwrap]}") |" \
	"$(div "${info[crate-wl]}" "${info[bwrap]}") |"
echo
echo "bwrap at crate-wl's isolation: the same namespaces, filter and" \
	"session, and crate-wl's view of the host's root (${#hidden[@]}" \
	"arguments hide what crate-wl hides). bwrap as it is most often" \
	"run, the host's whole root shown (--ro-bind / /, --dev, --proc):" \
	"$(f2 "${spawn[bwrap-plain]}") ms; crate-wl" \
	"$(div "${spawn[crate-wl]}" "${spawn[bwrap-plain]}")× that."
echo "Floors, same run: /bin/true without a sandbox $(f2 "${spawn[true]}") ms;" \
	"wayland-info without a sandbox $(f2 "${info[direct]}") ms."
echo "The namespaces alone (bench/nsfloor: clone into the same namespaces," \
	"uid/gid maps, loopback up, exec /bin/true; no mounts, seccomp or" \
	"reaper): $(f2 "${spawn[floor]}") ms, $(div "${spawn[floor]}" \
	"${spawn[bwrap]}")× bwrap; crate-wl's own part above it:" \
	"$(awk -v a="${spawn[crate-wl]}" -v b="${spawn[floor]}" \
	'BEGIN { printf "%.2f", a - b }') ms; in sequence" \
	"$(f2 "${rate[floor]}") spawns per second."
echo "A program with no C library (bench/bare) starts and ends in" \
	"$(f2 "${spawn[bare]}") ms: the C library's start costs every exec" \
	"$(awk -v a="${spawn[true]}" -v b="${spawn[bare]}" \
	'BEGIN { printf "%.2f", a - b }') ms here, and every setup above" \
	"execs twice (itself, /bin/true). 0.6× bwrap is" \
	"$(awk -v w="${spawn[bwrap]}" 'BEGIN { printf "%.2f", 0.6 * w }') ms," \
	"$(awk -v w="${spawn[bwrap]}" -v f="${spawn[floor]}" \
	'BEGIN { printf "%.2f", 0.6 * w - f }') ms above the namespaces'" \
	"floor: all a launcher at that target may spend on mounts, seccomp," \
	"pid 1 and its own bookkeeping."
echo "wayland-info through crate-wl with --screencopy deny (no private bus" \
	"for the ScreenCast portal): $(f2 "${info[nobus]}") ms," \
	"$(div "${info[nobus]}" "${info[bwrap]}")× bwrap."
echo
echo "| target (issue 4) | figure | verdict |"
echo "|---|---:|---|"
r=$(div "${spawn[crate-wl]}" "${spawn[bwrap]}")
echo "| run /bin/true ≤ 0.6× bwrap | $r× | $(verdict "$r" "<=" 0.6) |"
r=$(f2 "${rate[crate-wl]}")
echo "| ≥ 300 spawns/s in sequence | $r/s | $(verdict "$r" ">=" 300) |"
r=$(div "${info[crate-wl]}" "${info[bwrap]}")
echo "| wayland-info ≤ 1.0× bwrap | $r× | $(verdict "$r" "<=" 1.0) |"
