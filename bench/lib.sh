# Helpers shared by the bench scripts (sourced, not run). Figures, not
# tests: a helper that fails ends the run with a message.
# The scripts set: $T (after bench_setup), and use set -euo pipefail.

die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_setup: a private directory $T, removed at exit with every process
# group started through start(); $load_start is the load before the run
bench_setup() {
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	T=$(mktemp -d /tmp/crate-wl-bench.XXXXXX)
	# XDG_RUNTIME_DIR on a tmpfs, as pam_systemd gives every desktop
	# session one: crate-wl keeps its instance files there
	RT=$(mktemp -d /dev/shm/crate-wl-bench-rt.XXXXXX)
	services=() # pids of session leaders we started (pid = pgid)
	trap cleanup EXIT
	trap 'echo "bench: failed at line $LINENO" >&2' ERR
	trap 'exit 130' INT TERM
}

cleanup() {
	local pid
	for pid in "${services[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
	for _ in $(seq 20); do
		local alive=0
		for pid in "${services[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for pid in "${services[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$T" "$RT"
}

# start NAME CMD...: runs CMD in its own session (so that its children are
# found at cleanup), logs to $T/NAME.log, sets $started to its pid
start() {
	local name=$1
	shift
	setsid "$@" >"$T/$name.log" 2>&1 &
	started=$!
	services+=("$started")
}

# wait_socket PATH PID: until PATH is a socket, or PID died
wait_socket() {
	local path=$1 pid=$2
	for _ in $(seq 100); do
		[ -S "$path" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	die "no socket $path (log: $(ls "$T"/*.log))"
}

# start_sway: headless sway 1280x720 (pixman, no Xwayland) as uid 1000 in
# a user namespace (sway refuses root), in the private XDG_RUNTIME_DIR $RT;
# sets $sway_pid and exports WAYLAND_DISPLAY=wayland-1
start_sway() {
	export XDG_RUNTIME_DIR=$RT
	printf 'xwayland disable\noutput HEADLESS-1 resolution 1280x720\n%s\n' \
		'default_border none' >"$T/sway.cfg"
	WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
		WLR_HEADLESS_OUTPUTS=1 \
		start sway unshare --map-user=1000 --map-group=1000 \
		sway -c "$T/sway.cfg"
	sway_pid=$started
	wait_socket "$XDG_RUNTIME_DIR/wayland-1" "$sway_pid"
	export WAYLAND_DISPLAY=wayland-1
}

# stats FILE: "median p99" of the numbers in FILE
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = int(NR * 0.99 + 0.999999); if (p < 1) p = 1
		print m, v[p] }'
}
median() { stats "$1" | cut -d' ' -f1; }
p99() { stats "$1" | cut -d' ' -f2; }

# div A B: A/B to two decimals, "-" when either is missing or B is zero
div() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || b + 0 == 0) print "-"
		else printf "%.2f", a / b }'
}

# verdict RATIO OP LIMIT: "met" or "MISSED"
verdict() {
	awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
		ok = (op == "<=") ? (r <= l) : (r >= l)
		print ok ? "met" : "MISSED" }'
}
f2() { awk -v x="$1" 'BEGIN { if (x == "-") print x; else printf "%.2f", x }'; }

# sandbox_runner CRATE_WL [RUN OPTIONS...]: one sandbox (crate-wl run
# --no-wayland, $T/io bound at /io) that runs the commands inside() hands
# it, one at a time, until sandbox_stop; sets $sandbox_pid. Its stderr
# goes to $T/cw.log.
sandbox_runner() {
	local cw=$1
	shift
	mkdir -m 777 "$T/io"
	"$cw" run --no-wayland --bind "$T/io:/io" "$@" -- sh -c '
	while :; do
		while [ ! -e /io/go ] && [ ! -e /io/stop ]; do sleep 0.005; done
		[ -e /io/stop ] && exit 0
		rm /io/go
		env $(cat /io/env) $(cat /io/args) > /io/out.tmp 2>/io/err
		mv /io/out.tmp /io/out
	done' 2>"$T/cw.log" &
	sandbox_pid=$!
}

# inside ENV CMD...: CMD in the sandbox with ENV ("NAME=VALUE ...", or ""
# for none) added to its environment; prints its output, its stderr is in
# $T/io/err
inside() {
	echo "$1" > "$T/io/env"
	shift
	echo "$*" > "$T/io/args"
	touch "$T/io/go"
	while [ ! -e "$T/io/out" ]; do
		kill -0 "$sandbox_pid" 2>/dev/null ||
			die "the sandbox exited (log: $(cat "$T/cw.log"))"
		sleep 0.005
	done
	cat "$T/io/out"
	rm "$T/io/out"
}

sandbox_stop() {
	touch "$T/io/stop"
}

# media_rig: this shell pinned to $BENCH_CPU, the test rig's headless
# PipeWire with WirePlumber (tests/lib.sh's start_pipewire, on a private
# XDG_RUNTIME_DIR), and one sandbox_runner with --audio playback that also
# has the daemon's own socket directory at /pw (for clients that go
# straight to the daemon from inside). Needs tests/lib.sh and $CRATE_WL.
media_rig() {
	taskset -pc "$BENCH_CPU" $$ >/dev/null
	mkdir -p -m 700 "$T/rt"
	export XDG_RUNTIME_DIR=$T/rt
	start_pipewire
	sandbox_runner "$CRATE_WL" --audio playback --bind "$PW_RT:/pw"
	track "$sandbox_pid"
}
