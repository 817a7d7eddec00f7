#!/bin/bash
# A policy file: allow and deny by name, a version cap; a bad file is
# refused with its file and line.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need wayland-info
start_sway
cat > "$T/app.policy" <<'P'
# a policy for one app
[wayland]
policy = default
allow = zwlr_layer_shell_v1
deny = xdg_activation_v1, zwp_text_input_manager_v3
cap = wl_seat:5 wl_compositor:3
P
start_proxy "$T/proxy.sock" --no-security-context --policy "$T/app.policy" --trace
WAYLAND_DISPLAY="$T/proxy.sock" globals > "$T/proxied"
grep -qx "zwlr_layer_shell_v1 4" "$T/proxied" || fail "allow did not show layer-shell"
grep -q "^xdg_activation_v1 " "$T/proxied" && fail "deny did not hide xdg_activation_v1"
grep -q "^zwp_text_input_manager_v3 " "$T/proxied" && fail "deny list: second name not hidden"
grep -qx "wl_seat 5" "$T/proxied" || fail "cap wl_seat:5 not applied: $(grep wl_seat "$T/proxied")"
grep -qx "wl_compositor 3" "$T/proxied" || fail "cap wl_compositor:3 not applied"
grep -q "CAPPED wl_seat v[0-9]*→v5 (policy cap)" "$T/proxy.log" ||
	fail "no CAPPED trace line: $(grep CAPPED "$T/proxy.log")"
grep -q "HIDDEN xdg_activation_v1 v1 (denied by name)" "$T/proxy.log" || fail "no HIDDEN trace line"
pass "allow, deny and cap from a policy file; the trace says why"

# flags come after the file
WAYLAND_DISPLAY=$SWAY_SOCKET "$CRATE_WL" proxy --no-security-context --policy "$T/app.policy" \
	--allow xdg_activation_v1 -- wayland-info > "$T/out2" 2>&1
grep -q "'xdg_activation_v1'" "$T/out2" || fail "--allow after the file did not win"
pass "--allow on the command line overrides the file"

printf '[wayland]\npolicy = default\nscreencopy = sometimes\n' > "$T/bad.policy"
"$CRATE_WL" proxy --no-security-context --policy "$T/bad.policy" --socket "$T/x.sock" 2> "$T/err"
rc=$?
[ $rc -eq 2 ] || fail "bad policy: exit $rc, expected 2"
grep -q "$T/bad.policy:3: screencopy = 'sometimes'" "$T/err" || fail "bad policy message: $(cat "$T/err")"
[ -e "$T/x.sock" ] && fail "a socket was created despite the bad policy"
pass "bad policy file: $(cat "$T/err")"

printf '[wayland]\nallow = zwlr_layer_shel_v1\n' > "$T/typo.policy"
"$CRATE_WL" proxy --no-security-context --policy "$T/typo.policy" --socket "$T/x.sock" 2> "$T/err"
grep -q "typo.policy:2: unknown interface 'zwlr_layer_shel_v1'" "$T/err" || fail "typo: $(cat "$T/err")"
pass "a typo in an interface name is an error: $(cat "$T/err")"

"$CRATE_WL" proxy --no-security-context --screencopy maybe --socket "$T/x.sock" 2> "$T/err"
[ $? -eq 2 ] && grep -q "screencopy" "$T/err" || fail "bad --screencopy value accepted"
"$CRATE_WL" proxy --no-security-context --socket "$T/x.sock" --fd 3 2> "$T/err"
[ $? -eq 2 ] || fail "two modes accepted"
pass "bad options are refused with exit 2"
