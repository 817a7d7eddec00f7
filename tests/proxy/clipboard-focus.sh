#!/bin/bash
# The clipboard focus rules with real windows in headless sway: an app
# reads the clipboard only while it has keyboard focus, and may set the
# selection only with the serial of its own input.
. "$(dirname "$0")/../lib.sh"
need wtype wl-copy wl-paste
start_sway
# an idle virtual keyboard gives the seat a keyboard, so windows get focus
wtype -s 3600000 &
track $!
sleep 0.3

text="secret-$$"
wl-copy --foreground "$text" &
track $!
sleep 0.2

# read: A pastes through the proxy; B maps later and takes the focus
paste_through() { # POLICY OUT
	"$CRATE_WL" proxy --clipboard "$1" --trace -- "$TESTBIN/paste-window" \
		cw-test-a paste 3 > "$2" 2> "$2.trace" &
	local a=$!
	track $a
	sleep 1.2
	"$TESTBIN/paste-window" cw-test-b paste 1 > /dev/null &
	local b=$!
	track $b
	wait $a
	wait $b
}

paste_through focus "$T/focus.out"
grep -q "^focus in" "$T/focus.out" || fail "A never got keyboard focus: $(cat "$T/focus.out")"
grep -q "^paste \[focused\]: $text" "$T/focus.out" ||
	fail "A could not paste while focused: $(cat "$T/focus.out")"
grep -q "^focus out" "$T/focus.out" || fail "A never lost focus"
# the stretch while B has the focus (A gets it back when B exits)
unfocused() { awk '/^focus out/ {on = 1; next} /^focus in/ {on = 0} on' "$1"; }
unfocused "$T/focus.out" | grep -q "$text" &&
	fail "A read the clipboard without focus: $(cat "$T/focus.out")"
unfocused "$T/focus.out" | grep -q "^paste \[unfocused\]: <empty>" ||
	fail "A made no paste attempt without focus"
grep -q "DENIED clipboard read .*no keyboard focus" "$T/focus.out.trace" ||
	fail "no DENIED trace line: $(cat "$T/focus.out.trace")"
pass "clipboard=focus: A reads while focused, gets nothing once B has the focus"

# sway (wlroots 0.15) refuses unfocused reads too, so what the client sees
# cannot tell who refused: the trace shows the proxy refused every one of
# them itself, without passing them on
refused=$(unfocused "$T/focus.out" | grep -c "^paste \[unfocused\]")
denied=$(grep -c "DENIED clipboard read .*no keyboard focus" "$T/focus.out.trace")
[ "$denied" -ge "$refused" ] || fail "$refused unfocused pastes, the proxy refused $denied"
pass "the proxy itself refused all $refused unfocused reads"

# write: a set_selection with the client's own focus serial is kept; a
# forged serial is refused and the source cancelled
"$CRATE_WL" proxy --clipboard focus -- "$TESTBIN/paste-window" cw-test-c \
	copy-own "own-$$" > "$T/own.out" 2>&1 &
track $!
sleep 1
got=$(timeout 3 wl-paste)
grep -q "^copy kept" "$T/own.out" || { sleep 1; grep -q "^copy kept" "$T/own.out"; } ||
	fail "own serial: $(cat "$T/own.out")"
[ "$got" = "own-$$" ] || fail "own serial: the selection is '$got'"
pass "set_selection with the client's own input serial: kept, others paste it"

"$CRATE_WL" proxy --clipboard focus --trace -- "$TESTBIN/paste-window" cw-test-d \
	copy-forged "forged-$$" > "$T/forged.out" 2>&1 &
track $!
sleep 2
got=$(timeout 3 wl-paste)
grep -q "^copy cancelled" "$T/forged.out" || fail "forged serial: $(cat "$T/forged.out")"
[ "$got" = "forged-$$" ] && fail "a forged serial set the selection"
grep -q "DENIED set_selection" "$T/forged.out" || fail "no DENIED trace for the forged serial"
pass "set_selection with a forged serial: refused, the source cancelled"
