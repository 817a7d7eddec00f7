#!/bin/bash
# clipboard=focus after the app let go of its keyboard: once it releases
# its wl_keyboard (or its wl_seat) the compositor sends that keyboard no
# more leave, so the proxy must forget the focus then. A takes the focus,
# pastes, releases, B takes the focus away: A's pastes are refused by the
# proxy itself.
# usage: clipboard-release.sh keyboard|seat
. "$(dirname "$0")/../lib.sh"
what=${1:?keyboard or seat}
need wtype wl-copy
start_sway
# an idle virtual keyboard gives the seat a keyboard, so windows get focus
wtype -s 3600000 &
track $!
sleep 0.3
text="secret-$$"
wl-copy --foreground "$text" &
track $!
sleep 0.2

PASTE_MARKER=$T/marker "$CRATE_WL" proxy --clipboard focus --trace -- "$TESTBIN/paste-window" \
	cw-test-a "paste-release-$what" 5 > "$T/a.out" 2> "$T/a.trace" &
a=$!
track $a
for _ in $(seq 1 100); do
	grep -q "^released" "$T/a.out" && break
	sleep 0.05
done
grep -q "^paste \[focused\]: $text" "$T/a.out" ||
	fail "A could not paste while focused: $(cat "$T/a.out")"
grep -q "^released" "$T/a.out" || fail "A never released its $what"

# B maps and takes the focus (sway focuses a new window)
"$TESTBIN/paste-window" cw-test-b paste 3 > "$T/b.out" 2>&1 &
b=$!
track $b
for _ in $(seq 1 100); do
	grep -q "^focus in" "$T/b.out" && break
	sleep 0.05
done
grep -q "^focus in" "$T/b.out" || fail "B never got the focus"
# A's pastes from here on happen while B has the focus
touch "$T/marker"
wait "$a"
after=$(awk '/^marker/ {on = 1; next} on' "$T/a.out")
tries=$(grep -c "^paste" <<< "$after")
[ "$tries" -ge 2 ] || fail "A made $tries pastes after B took the focus: $(cat "$T/a.out")"
grep -q "$text" <<< "$after" &&
	fail "A read the clipboard after releasing its $what while B had the focus"
# sway may refuse such reads too: the proxy must refuse them itself
denied=$(grep -c "DENIED clipboard read .*no keyboard focus" "$T/a.trace")
[ "$denied" -ge "$tries" ] ||
	fail "A's $tries pastes after B took the focus: the proxy refused $denied: $(cat "$T/a.trace")"
grep -q "FOCUS .*focus forgotten" "$T/a.trace" ||
	fail "no FOCUS trace line for the $what release"
pass "$what released, focus moved away: A got nothing in $tries pastes; the proxy refused $denied reads itself"
