#!/bin/bash
# What the sandbox's PulseAudio socket costs (issue 15), everything pinned
# to one CPU, against the test rig's headless PipeWire with WirePlumber:
#   start  `crate-wl run --no-wayland --audio playback -- /bin/true`: the
#          init listens on pulse/native, nobody connects, pipewire-pulse
#          never starts. With BASE_BUILD_DIR (a build of crate-wl without
#          the socket) its crate-wl runs the same, interleaved round by
#          round in a fresh random order: the difference is the socket's.
#   first  in a fresh sandbox, the first `pactl info`: pipewire-pulse is
#          started on it (socket activation) and connects to pipewire-0
#   next   the second `pactl info` in the same sandbox: the server runs
#   pw     `pw-cli info 0` in the same sandbox: a native client, for scale
# Figures, not tests: the exit status only says whether the rig ran.
#
# Usage: bench/pulse.sh [BUILD_DIR [BASE_BUILD_DIR]]
# Knobs: BENCH_CPU=0 ROUNDS=10 PER_ROUND=10
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "${1:-$repo/build}" && pwd)
base=${2:+$(cd "$2" && pwd)}
cli=$build/cli/crate-wl
timeit=$build/bench/timeit
BENCH_CPU=${BENCH_CPU:-0}
ROUNDS=${ROUNDS:-10}
PER_ROUND=${PER_ROUND:-10}
for prog in "$cli" "$timeit" ${base:+"$base/cli/crate-wl"}; do
	[ -x "$prog" ] || { echo "bench: $prog missing" >&2; exit 1; }
done
for tool in pactl pw-cli taskset; do
	command -v "$tool" >/dev/null ||
		{ echo "bench: $tool missing" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
CRATE_WL=$cli
# shellcheck source=tests/lib.sh
. "$repo/tests/lib.sh"
set +u
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
taskset -pc "$BENCH_CPU" $$ >/dev/null
mkdir -p -m 700 "$T/rt" "$T/cache"
export XDG_RUNTIME_DIR=$T/rt XDG_CACHE_HOME=$T/cache
start_pipewire

start_run() {
	"$timeit" -n "$PER_ROUND" -- "$1" run --no-wayland --audio playback \
		-- /bin/true >>"$2"
}

# one sandbox: the first and the second pactl info, and pw-cli info, in µs
clients() {
	"$cli" run --no-wayland --audio playback -- sh -c '
		us() { echo $(( ($(date +%s%N) - $1) / 1000 )); }
		t=$(date +%s%N); pactl info >/dev/null || exit 1; us $t
		t=$(date +%s%N); pactl info >/dev/null || exit 1; us $t
		t=$(date +%s%N); pw-cli info 0 >/dev/null || exit 1; us $t'
}

echo "bench: sanity check" >&2
start_run "$cli" /dev/null
[ -z "$base" ] || start_run "$base/cli/crate-wl" /dev/null
clients >/dev/null || die "pactl info fails in the sandbox"

echo "bench: $ROUNDS rounds" >&2
for _ in $(seq "$ROUNDS"); do
	for s in $(printf '%s\n' pulse ${base:+base} clients | shuf); do
		case $s in
		pulse) start_run "$cli" "$T/start.pulse" ;;
		base) start_run "$base/cli/crate-wl" "$T/start.base" ;;
		clients)
			clients >"$T/t.one"
			sed -n 1p "$T/t.one" >>"$T/t.first"
			sed -n 2p "$T/t.one" >>"$T/t.next"
			sed -n 3p "$T/t.one" >>"$T/t.pw"
			;;
		esac
	done
done

ms() { awk '{ print $1 / 1000 }' "$1" | median /dev/stdin; }
echo
echo "## the sandbox's PulseAudio socket, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
echo "- machine: $(nproc --all) vCPU ($cpu), kernel $(uname -r)," \
	"everything on CPU $BENCH_CPU; load average before/after:" \
	"$load_start / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(pipewire --version | sed -n 's/^Linked with //p'), uid $(id -u);" \
	"$ROUNDS rounds; start: $PER_ROUND runs a round"
echo
echo "| figure | median (ms) |"
echo "|---|---:|"
echo "| run /bin/true with --audio playback (socket, no server) |" \
	"$(f2 "$(ms "$T/start.pulse")") |"
if [ -n "$base" ]; then
	echo "| the same, crate-wl without the socket ($(git -C "$base/.." \
		describe --always 2>/dev/null || echo base)) |" \
		"$(f2 "$(ms "$T/start.base")") |"
fi
echo "| first pactl info in a sandbox (starts pipewire-pulse) |" \
	"$(f2 "$(ms "$T/t.first")") |"
echo "| second pactl info (pipewire-pulse running) |" \
	"$(f2 "$(ms "$T/t.next")") |"
echo "| pw-cli info 0 in the same sandbox (native, no pulse) |" \
	"$(f2 "$(ms "$T/t.pw")") |"
