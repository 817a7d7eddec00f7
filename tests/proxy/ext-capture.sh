#!/bin/bash
# ext-image-copy-capture end to end: no Debian 12 client speaks it (grim
# 1.4 and wf-recorder use wlr-screencopy), so crate-wl's test compositor
# serves it on shm and tests/clients/ext-capture captures through the proxy,
# checking every pixel of each frame against what testcomp painted.
# allow → pixels; ask answered allow → pixels; ask answered deny → the
# session's stopped, failed frames, an untouched buffer, the compositor never
# sees the session, and the app goes on (it can still create objects);
# a revoke while capturing → the next frame fails.
. "$(dirname "$0")/../lib.sh"
mkdir -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt WAYLAND_DISPLAY=wayland-t
# the compositor logs what it receives: the test can see what reached it
WAYLAND_DEBUG=server "$TESTBIN/../testcomp" wayland-t > "$T/comp.out" 2>&1 &
track $!
wait_for_socket "$T/rt/wayland-t" || fail "testcomp did not start"
make_prompt
sessions() { grep -c "create_session(" "$T/comp.out"; }

capture() { # capture OUT FRAMES [PROXY-OPTION...]
	local out=$1 frames=$2
	shift 2
	"$CRATE_WL" proxy "$@" --trace -- "$TESTBIN/ext-capture" "$frames" 1 0 \
		> "$out" 2> "$out.err"
}

"$TESTBIN/ext-capture" 2 1 0 > "$T/direct" 2> "$T/direct.err" ||
	fail "direct capture: $(cat "$T/direct.err")"
[ "$(grep -c "^ready " "$T/direct")" -eq 2 ] || fail "direct: $(cat "$T/direct")"
pass "without the proxy: 2 frames, every pixel testcomp's ($(tr '\n' ' ' < "$T/direct"))"

capture "$T/allow" 3 --screencopy allow || fail "allow: $(cat "$T/allow.err")"
[ "$(grep -c "^ready " "$T/allow")" -eq 3 ] || fail "allow: $(cat "$T/allow")"
grep -q "^bad\|failed" "$T/allow" && fail "allow: $(cat "$T/allow")"
pass "screencopy = allow: 3 frames, every pixel as testcomp painted it"

answer 0
capture "$T/ask-allow" 2 --screencopy ask --prompt "cmd:$T/prompt.sh" ||
	fail "ask → allow: $(cat "$T/ask-allow.err")"
[ "$(grep -c "^ready " "$T/ask-allow")" -eq 2 ] || fail "ask → allow: $(cat "$T/ask-allow")"
grep -qx "ext-capture screencopy capture an image source (ext-image-copy-capture)" \
	"$PROMPT_LOG" || fail "the prompt got: $(cat "$PROMPT_LOG")"
pass "ask → allow: the prompt named ext-image-copy-capture; the frames arrived intact"

answer 1
before=$(sessions)
[ "$before" -ge 3 ] || fail "testcomp's log shows $before sessions for 3 captures"
"$CRATE_WL" proxy --screencopy ask --prompt "cmd:$T/prompt.sh" --trace -- \
	"$TESTBIN/ext-capture" 3 3 0 > "$T/deny" 2> "$T/deny.err" ||
	fail "ask → deny: the client failed: $(cat "$T/deny.err")"
grep -q "^ready\|^bad" "$T/deny" && fail "ask → deny: a frame arrived: $(cat "$T/deny")"
head -n1 "$T/deny" | grep -qx stopped || fail "ask → deny: no stopped first: $(cat "$T/deny")"
[ "$(grep -cx "failed 2 untouched" "$T/deny")" -eq 3 ] ||
	fail "ask → deny: frames: $(cat "$T/deny")"
[ "$(sessions)" -eq "$before" ] || fail "ask → deny: the compositor saw the session"
grep -q "ext-capture: 0 frames ready, 3 failed" "$T/deny.err" ||
	fail "ask → deny: the client did not finish: $(cat "$T/deny.err")"
pass "ask → deny: stopped, 3 frames failed (reason stopped) with the buffer untouched;" \
	"the compositor never saw the session; the app made its buffer and went on"

# a revoke while capturing: the next frame fails
answer 2
"$CRATE_WL" proxy --screencopy ask --prompt "cmd:$T/prompt.sh" --app ext-loop \
	--socket "$T/loop.sock" 2> "$T/loop-proxy.log" &
track $!
wait_for_socket "$T/loop.sock" || fail "proxy did not start"
WAYLAND_DISPLAY="$T/loop.sock" "$TESTBIN/ext-capture" 100000 2 20 \
	> "$T/loop" 2> "$T/loop.err" &
looper=$!
track $looper
for _ in $(seq 1 250); do
	[ "$(grep -c "^ready" "$T/loop")" -ge 3 ] && break
	sleep 0.02
done
[ "$(grep -c "^ready" "$T/loop")" -ge 3 ] || fail "revoke: no frames: $(cat "$T/loop.err")"
answer 1
"$CRATE_WL" permissions revoke ext-loop screencopy 2> /dev/null
for _ in $(seq 1 250); do
	kill -0 $looper 2>/dev/null || break
	sleep 0.02
done
wait $looper || fail "revoke: the client failed: $(cat "$T/loop.err")"
ready=$(grep -c "^ready" "$T/loop")
grep -qx stopped "$T/loop" || fail "revoke: no stopped: $(tail -n 5 "$T/loop")"
sed -n '/^stopped$/,$p' "$T/loop" | grep -q "^ready" &&
	fail "revoke: a frame arrived after stopped: $(tail -n 5 "$T/loop")"
[ "$(grep -cx "failed 2 untouched" "$T/loop")" -eq 2 ] ||
	fail "revoke: $(tail -n 5 "$T/loop")"
grep -q "^bad\|TOUCHED" "$T/loop" && fail "revoke: $(grep "^bad\|TOUCHED" "$T/loop")"
pass "revoke while capturing: $ready intact frames, then stopped and the next frames failed untouched"
exit 0
