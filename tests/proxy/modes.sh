#!/bin/bash
# The three ways to run the proxy: -- COMMAND, --fd N, --socket PATH.
. "$(dirname "$0")/../lib.sh"
need wayland-info
start_sway

out=$("$CRATE_WL" proxy -- sh -c 'echo "$WAYLAND_DISPLAY ${WAYLAND_SOCKET-unset}"; ls -ld "$(dirname "$WAYLAND_DISPLAY")"; wayland-info > /dev/null && exit 7')
rc=$?
[ $rc -eq 7 ] || fail "-- COMMAND: exit $rc, expected the command's 7"
set -- $out
display=$1
[ "$2" = unset ] || fail "WAYLAND_SOCKET was passed to the command"
case $display in "$SWAY_RT"/crate-wl-*/wayland-0) ;; *) fail "odd socket $display" ;; esac
echo "$out" | grep -q '^drwx------' || fail "the socket's directory is not 0700: $out"
[ -e "$(dirname "$display")" ] && fail "the private directory was left behind"
pass "-- COMMAND: private 0700 socket dir, exit status passed on, dir removed"

"$CRATE_WL" proxy -- sh -c 'kill -TERM $$'
rc=$?
[ $rc -eq 143 ] || fail "a command killed by SIGTERM gave $rc"
pass "-- COMMAND killed by a signal: exit 128+15"

"$TESTBIN/fdrun" "$CRATE_WL" --policy strict -- wayland-info > "$T/fd.out" ||
	fail "--fd: wayland-info failed: $(cat "$T/fd.out")"
grep -q "'wl_compositor'" "$T/fd.out" || fail "--fd: no wl_compositor"
grep -q "'xdg_activation_v1'" "$T/fd.out" && fail "--fd: strict policy not applied"
grep -q "proxy exited after its client" "$T/fd.out" || fail "--fd: proxy did not exit"
pass "--fd: one pre-connected client served under strict, then the proxy exits"

start_proxy "$T/proxy.sock"
WAYLAND_DISPLAY="$T/proxy.sock" wayland-info > /dev/null || fail "--socket: client failed"
kill -TERM "$PROXY_PID"
for _ in $(seq 1 100); do
	kill -0 "$PROXY_PID" 2>/dev/null || break
	sleep 0.02
done
kill -0 "$PROXY_PID" 2>/dev/null && fail "--socket: SIGTERM did not stop the proxy"
[ -e "$T/proxy.sock" ] && fail "--socket: the socket was left behind"
pass "--socket: serves until SIGTERM, then removes its socket"

# upstream by absolute path, and WAYLAND_SOCKET as the upstream
WAYLAND_DISPLAY=$SWAY_SOCKET XDG_RUNTIME_DIR=$T "$CRATE_WL" proxy -- wayland-info > /dev/null ||
	fail "absolute WAYLAND_DISPLAY as upstream failed"
pass "absolute WAYLAND_DISPLAY resolves like libwayland"
env -u XDG_RUNTIME_DIR WAYLAND_DISPLAY=wayland-1 "$CRATE_WL" proxy --socket "$T/y.sock" 2> "$T/err"
grep -q "XDG_RUNTIME_DIR is not set" "$T/err" || fail "no XDG_RUNTIME_DIR: $(cat "$T/err")"
pass "no XDG_RUNTIME_DIR: $(cat "$T/err")"
