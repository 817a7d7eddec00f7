#!/bin/bash
# A bind to a hidden global reads exactly like a bind to a name that never
# existed: the same wl_display.error (object, code, text) that sway itself
# sends for a name it never had. Only the proxy's trace says why.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need wayland-info
start_sway
hidden=$(wayland-info | sed -n "s/^interface: 'zwlr_layer_shell_v1'.*name: *\([0-9]*\).*/\1/p")
[ -n "$hidden" ] || fail "sway offers no zwlr_layer_shell_v1"
start_proxy "$T/proxy.sock" --no-security-context --trace
none=99999
long=$(printf 'zwlr_layer_shell_v1_%0200d' 0)

# the error a client gets: "object O code C: TEXT"
bind_error() { # DISPLAY NAME IFACE
	WAYLAND_DISPLAY=$1 BIND_NAME=$2 BIND_IFACE=$3 "$TESTBIN/badclient" \
		bind-name "" 2>&1 | sed -n 's/^ok: bind-name: the client got "\(.*\)"$/\1/p'
}

for iface in zwlr_layer_shell_v1 wl_compositor "$long"; do
	short=${iface:0:30}
	sway_says=$(bind_error "$SWAY_SOCKET" "$none" "$iface")
	[ -n "$sway_says" ] || fail "sway gave no error for a bind to name $none"
	proxy_none=$(bind_error "$T/proxy.sock" "$none" "$iface")
	[ "$proxy_none" = "$sway_says" ] ||
		fail "never-existing name as $short: sway says '$sway_says', the proxy '$proxy_none'"
	proxy_hidden=$(bind_error "$T/proxy.sock" "$hidden" "$iface")
	# the same words, with the name the client used
	want=$(bind_error "$SWAY_SOCKET" "$none" "$iface" | sed "s/($none)/($hidden)/")
	[ "$proxy_hidden" = "$want" ] ||
		fail "hidden name $hidden as $short: '$proxy_hidden', a name that never existed gives '$want'"
	pass "bind as $short: hidden and never-existing names both get '${sway_says:0:80}'"
done
grep -q "DENIED bind to hidden global $hidden (zwlr_layer_shell_v1): hidden by the sandbox policy" \
	"$T/proxy.log" || fail "the trace does not say why: $(grep DENIED "$T/proxy.log")"
pass "the trace says the name was hidden by the policy"
