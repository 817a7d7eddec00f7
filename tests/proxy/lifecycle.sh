#!/bin/bash
# The compositor goes away mid-session and comes back; clients are told,
# the proxy keeps listening, and new clients reach the compositor again.
. "$(dirname "$0")/../lib.sh"
need wayland-info
start_sway
start_proxy "$T/proxy.sock" --trace
WAYLAND_DISPLAY="$T/proxy.sock" wayland-info > /dev/null || fail "first client failed"
base=$(settled_fd_count "$PROXY_PID")

# a client in the middle of a long run of roundtrips
WAYLAND_DISPLAY="$T/proxy.sock" "$TESTBIN/stress" 1 100000000 > "$T/witness.out" 2>&1 &
witness=$!
track $witness
sleep 0.3
kill -0 $witness 2>/dev/null || fail "the long-running client ended early"
stop_sway
for _ in $(seq 1 100); do
	kill -0 $witness 2>/dev/null || break
	sleep 0.02
done
kill -0 $witness 2>/dev/null && fail "the client was not disconnected when the compositor died"
wait $witness
grep -q "1 failed" "$T/witness.out" || fail "client did not see the failure"
kill -0 "$PROXY_PID" || fail "the proxy died with the compositor"
grep -q "the compositor closed the connection" "$T/proxy.log" || fail "no trace of the compositor leaving"
pass "compositor killed: the client was disconnected, the proxy lives"

if WAYLAND_DISPLAY="$T/proxy.sock" "$TESTBIN/stress" 1 1 > "$T/info" 2> "$T/info.err"; then
	fail "a client succeeded with no compositor"
fi
grep -q "cannot connect to the compositor" "$T/info.err" "$T/proxy.log" ||
	fail "no clear message without a compositor: $(cat "$T/info.err")"
pass "no compositor: the client is told ($(grep -h -o 'cannot connect to the compositor[^\"]*' "$T/info.err" "$T/proxy.log" | head -n1))"

start_sway
WAYLAND_DISPLAY="$T/proxy.sock" wayland-info > "$T/info" || fail "no client got through after the restart"
grep -q "'wl_compositor'" "$T/info" || fail "wayland-info after restart saw no wl_compositor"
pass "compositor restarted: new clients reach it through the same proxy"
sleep 0.1
now=$(fd_count "$PROXY_PID")
[ "$now" -eq "$base" ] || fail "proxy fds: $base before, $now after"
pass "proxy fds back to $base"
