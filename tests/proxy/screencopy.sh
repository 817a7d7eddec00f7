#!/bin/bash
# Screen capture under screencopy=ask, answered by a cmd: prompt: allow,
# deny, always, revoke, a capture stopped by a revoke, other clients
# flowing while a prompt is open, and prompt programs that misbehave.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need grim
start_sway

make_prompt
store=$XDG_DATA_HOME/crate-wl/permissions

grim_ask() { # grim_ask OUT [PROXY-OPTION...]
	local out=$1
	shift
	rm -f "$out"
	"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:$T/prompt.sh" \
		--trace "$@" -- grim "$out" 2> "$T/grim.err"
}
is_png_720p() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	[ "$(od -An -tu1 -j16 -N8 "$1" | awk '{print $3*256+$4 "x" $7*256+$8}')" = 1280x720 ]
}

answer 0
grim_ask "$T/a.png" || fail "allow once: grim failed: $(cat "$T/grim.err")"
is_png_720p "$T/a.png" || fail "allow once: not a 1280x720 PNG"
[ "$(prompts)" -eq 1 ] || fail "allow once: $(prompts) prompts"
grep -qx "grim screencopy capture an output (wlr-screencopy)" "$PROMPT_LOG" ||
	fail "the prompt did not get app, permission and detail: $(cat "$PROMPT_LOG")"
grep -q "ASKED→allowed screencopy for grim (allow once)" "$T/grim.err" || fail "no ASKED→allowed trace"
pass "allow once: a 1280x720 PNG; the prompt got app, permission and detail"

answer 1
grim_ask "$T/b.png" && fail "deny once: grim succeeded"
[ -e "$T/b.png" ] && fail "deny once: grim wrote a file"
grep -q "failed to copy output" "$T/grim.err" || fail "deny once: grim said: $(cat "$T/grim.err")"
grep -q "ASKED→denied screencopy for grim (deny once)" "$T/grim.err" || fail "no ASKED→denied trace"
[ "$(prompts)" -eq 2 ] || fail "deny once: $(prompts) prompts"
pass "deny once: grim saw the failed event and exited cleanly ('$(grep -o 'failed to copy output.*' "$T/grim.err")')"

answer 3
grim_ask "$T/c.png" || fail "allow always: grim failed"
grep -q "^screencopy = allow" "$store" || fail "allow always was not stored"
answer 1
grim_ask "$T/d.png" || fail "after allow always: grim failed"
is_png_720p "$T/d.png" || fail "after allow always: no PNG"
[ "$(prompts)" -eq 3 ] || fail "after allow always: prompted again ($(prompts))"
pass "allow always: stored; the next run captures without a prompt"

"$CRATE_WL" permissions list grim | grep -qx "grim screencopy allow" || fail "permissions list"
"$CRATE_WL" permissions revoke grim screencopy || fail "permissions revoke failed"
grep -q "screencopy" "$store" && fail "revoke left the grant in the store"
grim_ask "$T/e.png" && fail "after revoke (answer deny): grim succeeded"
[ "$(prompts)" -eq 4 ] || fail "after revoke: no new prompt"
pass "revoke: the next run prompts again"

answer 4
grim_ask "$T/f.png" && fail "deny always: grim succeeded"
answer 0
grim_ask "$T/g.png" && fail "after deny always: grim succeeded"
[ "$(prompts)" -eq 5 ] || fail "after deny always: prompted again"
"$CRATE_WL" permissions reset grim
pass "deny always: stored; the next run is refused without a prompt"

# --prompt none: no front-end, so no
rm -f "$T/h.png"
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt none --trace -- grim "$T/h.png" 2> "$T/grim.err" &&
	fail "--prompt none: grim succeeded"
grep -q "no prompt front-end" "$T/grim.err" || fail "--prompt none: trace: $(cat "$T/grim.err")"
pass "--prompt none: denied, and the trace says why"

# a running capture is stopped by a revoke
answer 2
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:$T/prompt.sh" --app capture-test \
	--socket "$T/cap.sock" 2> "$T/cap-proxy.log" &
track $!
wait_for_socket "$T/cap.sock" || fail "proxy for the capture did not start"
WAYLAND_DISPLAY="$T/cap.sock" "$TESTBIN/capture-loop" 400 2 > "$T/frames" 2> "$T/frames.err" &
capturer=$!
track $capturer
for _ in $(seq 1 200); do
	[ "$(grep -c ready "$T/frames")" -ge 3 ] && break
	sleep 0.02
done
[ "$(grep -c ready "$T/frames")" -ge 3 ] || fail "the capture loop got no frames: $(cat "$T/frames.err")"
# from now on the user says no (set before the revoke: the next frame asks)
answer 1
"$CRATE_WL" permissions revoke capture-test screencopy 2> "$T/revoke.err"
grep -q "1 running instance of capture-test told" "$T/revoke.err" || fail "revoke: $(cat "$T/revoke.err")"
wait $capturer || fail "the capture loop broke: $(cat "$T/frames.err")"
ready=$(grep -c ready "$T/frames")
failed=$(grep -c failed "$T/frames")
[ "$failed" -ge 2 ] || fail "after the revoke no frame failed ($ready ready)"
tail -n 2 "$T/frames" | grep -q ready && fail "frames were still delivered after the revoke"
pass "a running capture: $ready frames, then the revoke made the next frames fail"

# a grant reaches a running proxy that has asked before
answer 1
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:$T/prompt.sh" --app granttest \
	--socket "$T/grant.sock" 2> "$T/grant-proxy.log" &
track $!
wait_for_socket "$T/grant.sock" || fail "proxy for the grant did not start"
before=$(prompts)
WAYLAND_DISPLAY="$T/grant.sock" grim "$T/gr1.png" 2> /dev/null && fail "grant test: the first capture was not denied"
"$CRATE_WL" permissions grant granttest screencopy || fail "permissions grant failed"
WAYLAND_DISPLAY="$T/grant.sock" grim "$T/gr2.png" || fail "after the grant, the running proxy still refused"
[ "$(prompts)" -eq $((before + 1)) ] || fail "after the grant, the running proxy asked again"
pass "crate-wl permissions grant reaches a running proxy: no prompt, the capture works"

# while a prompt is open, another client's roundtrips keep completing
cat > "$T/slow.sh" <<'P'
#!/bin/sh
sleep 3
exit 0
P
chmod +x "$T/slow.sh"
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:$T/slow.sh" --app slow \
	--socket "$T/slow.sock" 2> "$T/slow.log" &
track $!
wait_for_socket "$T/slow.sock" || fail "proxy did not start"
WAYLAND_DISPLAY="$T/slow.sock" grim "$T/slow.png" &
grimpid=$!
track $grimpid
sleep 0.3
start=$(date +%s%N)
WAYLAND_DISPLAY="$T/slow.sock" "$TESTBIN/stress" 1 1000 > /dev/null || fail "roundtrips failed during the prompt"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -0 $grimpid 2>/dev/null || fail "the prompt was not open during the roundtrips"
[ "$ms" -lt 1500 ] || fail "1000 roundtrips took $ms ms during the prompt"
wait $grimpid || fail "grim failed after the slow allow"
pass "prompt open: another client did 1000 roundtrips in $ms ms; grim got its frame after the answer"

# prompt programs that misbehave: each is a clear deny
check_fault() { # LABEL PROGRAM EXPECTED
	grim_ask "$T/x.png" --prompt "cmd:$2" --prompt-timeout 1 && fail "$1: grim succeeded"
	grep -q "$3" "$T/grim.err" || fail "$1: stderr: $(cat "$T/grim.err")"
	pass "$1: denied: $(grep -o "screencopy denied: .*" "$T/grim.err" | head -n1)"
}
check_fault "prompt hangs" "sleep 30" "no answer within 1 s"
check_fault "prompt killed" 'kill -9 $$' "killed by signal 9"
check_fault "prompt prints garbage" 'head -c 300 /dev/urandom | base64; exit 42' "exited with status 42, which is not an answer"
check_fault "prompt missing" "/nonexistent/prompt" "cannot run prompt program\|status 127"
