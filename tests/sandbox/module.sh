#!/bin/bash
# crate-wl without its media module (crate-wl-media.so): a sandbox that
# needs it stops with a clear message and runs nothing; one that would
# only have had the ScreenCast portal runs without the portal.
# usage: module.sh CRATE_WL root|nobody
CRATE_WL=$1
. "$(dirname "$0")/common.sh" "$2"
need sway

# the same crate-wl outside its build tree: no module next to it
mkdir -m 755 "$T/bin"
cp "$CRATE_WL" "$T/bin/crate-wl"
CRATE_WL=$T/bin/crate-wl

plan=$(cw run --dry-run --audio playback -- true 2>&1) ||
	fail "--dry-run failed: $plan"
if ! grep -q "media module is not installed" <<<"$plan"; then
	skip "a media module is installed on this machine:" \
		"$(grep pipewire-0 <<<"$plan")"
fi
pass "the plan says the module is missing"

# media asked for: stops before the sandbox, says why, runs nothing
rm -f "$T/home/ran"
if out=$(cw run --no-wayland --audio playback --bind "$T/home:/h" \
		-- touch /h/ran 2>&1); then
	fail "a sandbox with media ran without the module: $out"
fi
grep -q "media: crate-wl's media module is not installed" <<<"$out" ||
	fail "no clear message: $out"
[ ! -e "$T/home/ran" ] || fail "the command ran although media failed"
pass "media without the module: $(tail -n1 <<<"$out")"

# screen capture may be asked for (the default policy): the app runs,
# its bus has the other portals, and ScreenCast's absence is said on
# stderr once the app connects
if [ "$AS" = nobody ]; then
	start_sway 65534
else
	start_sway
fi
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
out=$(cw run --bind "$T/home:/h" -- sh -c \
	'touch /h/ran; for i in $(seq 100); do dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.portal.Desktop 2>/dev/null | grep -q true && echo HAS-BUS && break; sleep 0.05; done; true' \
	2>&1) || fail "the sandbox failed without the module: $out"
[ -e "$T/home/ran" ] || fail "the command did not run: $out"
grep -q "no ScreenCast portal in the sandbox: crate-wl's media module" \
	<<<"$out" || fail "no word of the missing portal: $out"
grep -q HAS-BUS <<<"$out" || fail "no bus for the other portals: $out"
pass "the app ran without the ScreenCast portal"
