#!/bin/bash
# One malformed message from a raw client: that client gets a clear
# wl_display.error and is disconnected; a witness client keeps working;
# the proxy lives on and holds no more fds than before.
. "$(dirname "$0")/../lib.sh"
need wayland-info
case_name=$1
expected=$2
start_sway
HIDDEN_GLOBAL_NAME=$(wayland-info | sed -n "s/^interface: 'zwlr_layer_shell_v1'.*name: *\([0-9]*\).*/\1/p")
export HIDDEN_GLOBAL_NAME
start_proxy "$T/proxy.sock" --trace
base=$(fd_count "$PROXY_PID")
WAYLAND_DISPLAY="$T/proxy.sock" "$TESTBIN/badclient" "$case_name" "$expected" ||
	{ cat "$T/proxy.log" >&2; fail "$case_name"; }
kill -0 "$PROXY_PID" 2>/dev/null || fail "the proxy died"
sleep 0.1
now=$(fd_count "$PROXY_PID")
base=$((base + $(context_fds "$T/proxy.log")))
[ "$now" -eq "$base" ] || fail "proxy fds: $base before, $now after"
grep -q "ERROR" "$T/proxy.log" || fail "no ERROR line in the trace"
pass "$case_name: proxy alive, fds back to $base; trace: $(grep ERROR "$T/proxy.log" | head -n1)"
