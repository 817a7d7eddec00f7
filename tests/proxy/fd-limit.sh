#!/bin/bash
# Out of file descriptors: the proxy stops accepting instead of spinning,
# and takes the waiting clients once others leave.
. "$(dirname "$0")/../lib.sh"
start_sway
(
	ulimit -n 24
	exec "$CRATE_WL" proxy --socket "$T/proxy.sock" 2> "$T/proxy.log"
) &
PROXY_PID=$!
track $PROXY_PID
wait_for_socket "$T/proxy.sock" || fail "the proxy did not start"
WAYLAND_DISPLAY="$T/proxy.sock" "$TESTBIN/stress" 30 200 || fail "clients failed at the fd limit"
lines=$(grep -c "out of file descriptors" "$T/proxy.log")
[ "$lines" -ge 1 ] || fail "the limit was never reached: the test proves nothing"
[ "$lines" -lt 100 ] || fail "$lines messages: the proxy spun on its listener"
pass "30 clients through a proxy with 24 fds: all served; $lines pauses, no spinning"
