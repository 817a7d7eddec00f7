# Sandbox tests: the shared rig (../lib.sh) plus a user to run as.
# Usage: . common.sh root|nobody|user   (after setting CRATE_WL); user is
# uid 1000, a desktop user's, with no entry needed in /etc/passwd
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

AS=${1:-root}
case $AS in
root) RUNAS= ; U=0 ;;
nobody) RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups" ; U=65534 ;;
user) RUNAS="setpriv --reuid=1000 --regid=1000 --clear-groups" ; U=1000 ;;
*) fail "unknown user $AS" ;;
esac

# namespaces are the core: without them nothing here means anything
probe_userns() {
	$RUNAS unshare -Ur true 2>/dev/null ||
		skip "unprivileged user namespaces do not work here (as $AS)"
}
probe_userns

mkdir -p "$T/home" "$T/rt" "$T/cache" "$T/config" "$T/data" "$T/state"
chmod 700 "$T/home" "$T/rt" "$T/cache" "$T/config" "$T/data" "$T/state"
chown "$U:$U" "$T/home" "$T/rt" "$T/cache" "$T/config" "$T/data" \
	"$T/state"
export HOME="$T/home" XDG_RUNTIME_DIR="$T/rt" XDG_CACHE_HOME="$T/cache"
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
export XDG_STATE_HOME="$T/state"
unset WAYLAND_DISPLAY WAYLAND_SOCKET DISPLAY DBUS_SESSION_BUS_ADDRESS

# crate-wl as the test's user; timeout so that nothing hangs
cw() {
	timeout -k 2 20 $RUNAS "$CRATE_WL" "$@"
}

# as the test's user, outside the sandbox
as_user() {
	$RUNAS "$@"
}

# gi_python: sets PY to Debian's python3 with GObject introspection (the
# one python3-gi is for, not a version manager's); skips without it
gi_python() {
	PY=
	local py
	for py in /usr/bin/python3 "$(command -v python3)"; do
		if "$py" -c 'from gi.repository import Gio' 2>/dev/null; then
			PY=$py
			return 0
		fi
	done
	skip "python3-gi is not installed"
}

# need_pipewiresrc: skips where GStreamer cannot read a PipeWire stream
need_pipewiresrc() {
	gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 ||
		skip "GStreamer has no pipewiresrc (gstreamer1.0-pipewire)"
}
