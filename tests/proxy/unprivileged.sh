#!/bin/bash
# Compositor, proxy and client all as an unprivileged uid.
. "$(dirname "$0")/../lib.sh"
need wayland-info setpriv
uid=65534
start_sway $uid
mkdir -m 700 "$T/u"
chown $uid:$uid "$T/u"
as_user() {
	setpriv --reuid=$uid --regid=$uid --clear-groups "$@"
}
setpriv --reuid=$uid --regid=$uid --clear-groups \
	env XDG_RUNTIME_DIR="$SWAY_RT" WAYLAND_DISPLAY=wayland-1 \
	"$CRATE_WL" proxy --socket "$T/u/proxy.sock" 2> "$T/proxy.log" &
track $!
wait_for_socket "$T/u/proxy.sock" || fail "the proxy did not start as uid $uid"
as_user env XDG_RUNTIME_DIR="$T/u" WAYLAND_DISPLAY="$T/u/proxy.sock" wayland-info > "$T/info" ||
	fail "wayland-info as uid $uid failed"
grep -q "'wl_compositor'" "$T/info" || fail "no wl_compositor as uid $uid"
grep -q "'zwlr_data_control_manager_v1'" "$T/info" && fail "data-control visible as uid $uid"
pass "uid $uid: proxy filters as for root"
as_user env XDG_RUNTIME_DIR="$T/u" WAYLAND_DISPLAY=wayland-1 \
	XDG_RUNTIME_DIR="$SWAY_RT" "$CRATE_WL" proxy -- sh -c 'wayland-info > /dev/null' ||
	fail "-- COMMAND as uid $uid failed"
pass "uid $uid: -- COMMAND makes its private socket and runs"
