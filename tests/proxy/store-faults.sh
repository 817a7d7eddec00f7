#!/bin/bash
# A corrupt store and a read-only store directory: a clear message, nothing
# lost, nothing silently overwritten.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need grim
start_sway
store=$XDG_DATA_HOME/crate-wl/permissions
mkdir -p "$(dirname "$store")"
printf '[grim]\nscreencopy = perhaps\n' > "$store"
cp "$store" "$T/corrupt.copy"

"$CRATE_WL" permissions list 2> "$T/err" && fail "list accepted a corrupt store"
grep -q "$store:2: screencopy = 'perhaps'" "$T/err" || fail "list: $(cat "$T/err")"
pass "list: $(cat "$T/err")"

"$CRATE_WL" permissions grant grim screencopy 2> "$T/err" && fail "grant wrote over a corrupt store"
cmp -s "$store" "$T/corrupt.copy" || fail "the corrupt store was changed"
pass "grant refuses to overwrite it: $(cat "$T/err")"

"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:exit 3" -- grim "$T/a.png" 2> "$T/err" ||
	fail "grim failed with a corrupt store: $(cat "$T/err")"
grep -q "unreadable" "$T/err" || fail "no message about the store: $(cat "$T/err")"
cmp -s "$store" "$T/corrupt.copy" || fail "allow always overwrote the corrupt store"
pass "a capture still asks and works; the corrupt store is left as it was"

rm -f "$store"
if [ "$(id -u)" -eq 0 ]; then
	# root ignores directory modes: test the read-only case as nobody
	chmod 755 "$T"
	chown -R 65534:65534 "$XDG_DATA_HOME"
	chmod 500 "$XDG_DATA_HOME/crate-wl"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_DATA_HOME="$XDG_DATA_HOME" \
		"$CRATE_WL" permissions grant grim screencopy 2>&1) && fail "grant succeeded in a read-only directory"
else
	chmod 500 "$XDG_DATA_HOME/crate-wl"
	out=$("$CRATE_WL" permissions grant grim screencopy 2>&1) && fail "grant succeeded in a read-only directory"
fi
echo "$out" | grep -q "Permission denied" || fail "read-only: $out"
pass "read-only store directory: $out"
