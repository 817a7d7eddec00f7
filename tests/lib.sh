# Shared test rig: a real headless compositor on a private runtime dir, the
# proxy under test, and cleanup of exactly what the test started.
# Source it from a test script; CRATE_WL is the binary under test.
set -u

: "${CRATE_WL:?CRATE_WL must point to the crate-wl binary}"
T=$(mktemp -d /tmp/crate-wl-test.XXXXXX)
chmod 755 "$T"
# nothing of the caller's desktop: no session bus (so no portal prompt
# unless a test starts one), answers stored in the test's own directory
unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY
export XDG_DATA_HOME=$T/data
PIDS=""
RC_FILE="$T/.rc"

cleanup() {
	for pid in $PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.02
		done
		kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

track() {
	PIDS="$PIDS $1"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

# A skip says why. In CI a skipped core test is a failure.
skip() {
	if [ -n "${CI:-}" ] && [ "${CORE_TEST:-1}" = 1 ]; then
		echo "FAIL (skip not allowed in CI): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

need() {
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || skip "$cmd is not installed"
	done
}

wait_for_socket() {
	for _ in $(seq 1 250); do
		[ -S "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

# start_sway [USER]: headless sway, 1280x720, socket in $SWAY_SOCKET.
# sway refuses real root: it runs as uid 1000 in a user namespace, or as
# the given unprivileged uid.
start_sway() {
	need sway
	local as=${1:-}
	SWAY_RT="$T/sway-rt"
	mkdir -p -m 700 "$SWAY_RT"
	printf 'xwayland disable\noutput HEADLESS-1 resolution 1280x720\ndefault_border none\n' > "$T/sway.cfg"
	if [ -n "$as" ]; then
		chown "$as:$as" "$SWAY_RT"
		XDG_RUNTIME_DIR=$SWAY_RT WLR_BACKENDS=headless \
			WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
			WLR_HEADLESS_OUTPUTS=1 \
			setpriv --reuid="$as" --regid="$as" --clear-groups \
			sway -c "$T/sway.cfg" >"$T/sway.log" 2>&1 &
	else
		XDG_RUNTIME_DIR=$SWAY_RT WLR_BACKENDS=headless \
			WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
			WLR_HEADLESS_OUTPUTS=1 \
			unshare --map-user=1000 --map-group=1000 \
			sway -c "$T/sway.cfg" >"$T/sway.log" 2>&1 &
	fi
	SWAY_PID=$!
	track $SWAY_PID
	SWAY_SOCKET="$SWAY_RT/wayland-1"
	wait_for_socket "$SWAY_SOCKET" || {
		cat "$T/sway.log" >&2
		fail "headless sway did not start"
	}
	export XDG_RUNTIME_DIR=$SWAY_RT WAYLAND_DISPLAY=wayland-1
	unset WAYLAND_SOCKET DISPLAY
}

stop_sway() {
	kill "$SWAY_PID" 2>/dev/null
	wait "$SWAY_PID" 2>/dev/null
	rm -f "$SWAY_SOCKET" "$SWAY_SOCKET.lock"
}

swaymsg_tree() {
	SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) swaymsg -t get_tree
}

# start_proxy SOCKET [OPTIONS...]: crate-wl proxy --socket in the background.
start_proxy() {
	local sock=$1
	shift
	"$CRATE_WL" proxy "$@" --socket "$sock" 2>>"$T/proxy.log" &
	PROXY_PID=$!
	track $PROXY_PID
	wait_for_socket "$sock" || {
		cat "$T/proxy.log" >&2
		fail "the proxy did not start"
	}
}

fd_count() {
	ls "/proc/$1/fd" | wc -l
}

rss_kib() {
	awk '/^VmRSS/ {print $2}' "/proc/$1/status"
}

# wayland-info's globals as "interface version" lines, sorted.
globals() {
	wayland-info 2>/dev/null | sed -n "s/^interface: '\([^']*\)', *version: *\([0-9]*\),.*/\1 \2/p" | sort
}
