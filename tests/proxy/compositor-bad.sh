#!/bin/bash
# The compositor sends a malformed event: that client is told and
# disconnected; the proxy lives and serves the next client.
. "$(dirname "$0")/../lib.sh"
need wayland-info
mkdir -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt WAYLAND_DISPLAY=wayland-t
"$TESTBIN/../testcomp" wayland-t --bad "$1" > "$T/comp.out" 2>&1 &
track $!
wait_for_socket "$T/rt/wayland-t" || fail "testcomp did not start"
start_proxy "$T/proxy.sock" --trace
base=$(fd_count "$PROXY_PID")
if WAYLAND_DISPLAY="$T/proxy.sock" "$TESTBIN/stress" 1 1000000 > "$T/victim.out" 2> "$T/victim.err"; then
	fail "the client of a misbehaving compositor went on"
fi
grep -q "compositor sent a malformed message" "$T/victim.err" ||
	fail "the client was not told why: $(cat "$T/victim.err")"
grep -q "compositor sent a malformed message" "$T/proxy.log" || fail "no message on the proxy's stderr"
pass "$1: the client got: $(grep -o 'crate-wl: the compositor[^"]*' "$T/victim.err" | head -n1)"
kill -0 "$PROXY_PID" || fail "the proxy died"
WAYLAND_DISPLAY="$T/proxy.sock" wayland-info > "$T/info" || fail "the next client failed"
grep -q "'wl_compositor'" "$T/info" || fail "the next client saw no wl_compositor"
sleep 0.1
# the security context made for the first client (testcomp offers one)
# keeps its close_fd open for the proxy's life, one fd
[ "$(context_fds "$T/proxy.log")" = 1 ] ||
	fail "no security context was made: $(cat "$T/proxy.log")"
base=$((base + 1))
[ "$(fd_count "$PROXY_PID")" -eq "$base" ] || fail "fds: $base before, $(fd_count "$PROXY_PID") after"
pass "$1: the proxy lives, the next client is served, fds back to $base"
