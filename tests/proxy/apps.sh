#!/bin/bash
# Real clients through the proxy: foot maps a window; grim captures under
# trusted and fails under default; wl-copy/wl-paste (data-control) work
# where the clipboard manager is allowed and fail under default.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need foot grim wl-copy wl-paste swaymsg
start_sway

# foot maps a window, seen in sway's tree
WAYLAND_DISPLAY=$SWAY_SOCKET "$CRATE_WL" proxy --no-security-context -- foot -a crate-wl-test-foot \
	-e sleep 4 > "$T/foot.log" 2>&1 &
track $!
mapped=
for _ in $(seq 1 100); do
	if swaymsg_tree | grep -q '"app_id": "crate-wl-test-foot"'; then
		mapped=1
		break
	fi
	sleep 0.05
done
[ -n "$mapped" ] || { cat "$T/foot.log"; fail "foot did not map a window through the proxy"; }
pass "foot mapped a window through the proxy"

# grim: trusted captures the 1280x720 output
"$CRATE_WL" proxy --no-security-context --policy trusted -- grim "$T/shot.png" 2> "$T/grim.err" ||
	fail "grim failed under trusted: $(cat "$T/grim.err")"
sig=$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || fail "grim output is not a PNG"
dims=$(od -An -tu1 -j16 -N8 "$T/shot.png" | awk '{print $3*256+$4 "x" $7*256+$8}')
[ "$dims" = 1280x720 ] || fail "grim captured $dims, expected 1280x720"
pass "grim under trusted: a $dims PNG"

rm -f "$T/shot2.png"
if "$CRATE_WL" proxy --no-security-context --policy default -- grim "$T/shot2.png" 2> "$T/grim.err"; then
	fail "grim succeeded under default with no one to ask"
fi
[ -e "$T/shot2.png" ] && fail "grim wrote a file under default"
grep -q "failed to copy output" "$T/grim.err" || fail "grim's error: $(cat "$T/grim.err")"
pass "grim under default, no prompt front-end: $(head -n1 "$T/grim.err")"

rm -f "$T/shot3.png"
if "$CRATE_WL" proxy --no-security-context --policy strict -- grim "$T/shot3.png" 2> "$T/grim.err"; then
	fail "grim succeeded under strict"
fi
grep -qi "screencopy" "$T/grim.err" || fail "grim's error: $(cat "$T/grim.err")"
pass "grim under strict (screencopy hidden): $(head -n1 "$T/grim.err")"

# the clipboard manager protocol (data-control)
# Without --paste-once: wl-copy then drops the selection as soon as it has
# served, and a wl-paste still in its roundtrip after asking sees "No
# selection" (a race of wl-clipboard's own; it showed under load).
text="crate-wl clipboard $$"
echo "$text" | "$CRATE_WL" proxy --no-security-context --policy trusted -- wl-copy
clip_becomes "$text" || fail "wl-copy under trusted never set the selection"
got=$(timeout 5 "$CRATE_WL" proxy --no-security-context --policy trusted -- wl-paste)
[ "$got" = "$text" ] || fail "wl-paste under trusted got '$got'"
pass "wl-copy/wl-paste under trusted"

printf '[wayland]\npolicy = default\nclipboard-manager = allow\n' > "$T/cm.policy"
echo "$text 2" | "$CRATE_WL" proxy --no-security-context --policy "$T/cm.policy" -- wl-copy
clip_becomes "$text 2" ||
	fail "wl-copy with clipboard-manager = allow never set the selection"
got=$(timeout 5 "$CRATE_WL" proxy --no-security-context --policy "$T/cm.policy" -- wl-paste)
[ "$got" = "$text 2" ] || fail "wl-paste with clipboard-manager = allow got '$got'"
pass "wl-copy/wl-paste under default with clipboard-manager = allow"

echo "secret $$" | wl-copy
clip_becomes "secret $$" || fail "the direct wl-copy never set the selection"
if got=$(timeout 5 "$CRATE_WL" proxy --no-security-context --policy default -- wl-paste 2> "$T/paste.err"); then
	[ "$got" = "secret $$" ] && fail "wl-paste read the clipboard under default"
fi
[ "$got" = "secret $$" ] && fail "wl-paste read the clipboard under default"
pass "wl-paste under default cannot read the clipboard: $(head -n1 "$T/paste.err")"
# each wl-copy served until the next copy replaced it; clearing the
# selection ends the last one
wl-copy --clear
exit 0
