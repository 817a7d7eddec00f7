# What the ScreenCast portal's tests share (screencast.sh here, kwin.sh
# and mutter.sh in ../desktops): sourced after ../sandbox/common.sh and
# scripted_prompt, with $T/out made.

# the cmd: prompt's answer to the next question: 0 allow once, 1 deny
# once, 2 allow for the run
answer() { echo "$1" > "$ANSWER_FILE"; }

# waits (10 s at most) until FILE has a line matching RE
wait_line() {
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# the host graph's nodes of the media classes $CAST_CLASSES (crate-wl's
# own stream is a Video/Source; a compositor's, Stream/Output/Video), "ID
# NAME" per line
CAST_CLASSES="Video/Source"
screen_nodes() {
	pw-dump 2>/dev/null | CAST_CLASSES=$CAST_CLASSES python3 -c '
import json, os, sys
classes = os.environ["CAST_CLASSES"].split()
for o in json.load(sys.stdin):
    p = (o.get("info") or {}).get("props") or {}
    if p.get("media.class") in classes:
        print(o["id"], p.get("node.name"))'
}

# An ASan build's helpers run inside the sandbox, where LeakSanitizer
# cannot stop threads (ptrace is denied): no leak check in there;
# crate-wl itself, outside, keeps it
INSIDE=()
if [ -n "${ASAN_OPTIONS:-}" ]; then
	INSIDE=(--env "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")
fi

# The cases a desktop's own screen cast (KWin's, mutter's) shares; NAME
# is the desktop's, for the messages. The app is "${CASTER[@]}".

# cast_denied NAME: the user says no: Response 1, no stream
cast_denied() {
	answer 1
	"${CASTER[@]}" deny > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	grep -qx "response 1" "$T/client.log" ||
		fail "a denied Start did not answer 1: $(cat "$T/client.log")"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "the user was not asked"
	[ -z "$(screen_nodes)" ] || fail "a node after a denied Start"
	pass "denied: Response 1 and no stream on $1"
}

# cast_start HOW: the app streams (allowed for the run), as the client's
# mode for HOW (revoke, close, leave) runs it: in the background as
# itself, not a subshell, so that the cleanup's signal reaches it (timeout
# passes it on); its output in $T/client.log
cast_start() {
	local mode=hold
	[ "$1" = revoke ] || mode=$1
	answer 2
	"${CASTER[@]}" $mode /out > "$T/client.log" 2>&1 &
	track $!
	wait_line "$T/client.log" '^streaming$' || {
		cat "$T/client.log"
		fail "the client never streamed"
	}
	[ -n "$(screen_nodes)" ] || fail "no screen node in the host graph"
}

# cast_end HOW NAME: ends the stream with a revoke (crate-wl permissions
# revoke), a close (Session.Close) or a leave (the app's bus connection
# goes, as when it crashes): NAME's node goes, a revoke closes the
# session, and the user had been told of the capture
cast_end() {
	if [ "$1" = revoke ]; then
		as_user "$CRATE_WL" permissions revoke caster screencopy ||
			fail "revoke failed"
	else
		touch "$T/out/go"
	fi
	for _ in $(seq 1 100); do
		[ -z "$(screen_nodes)" ] && break
		sleep 0.05
	done
	[ -z "$(screen_nodes)" ] || fail "$2's node outlived the $1"
	if [ "$1" = revoke ]; then
		wait_line "$T/client.log" '^closed$' ||
			fail "no Session.Closed after the revoke"
	fi
	grep -q 'CAPTURE-STARTED.*caster is capturing the screen' \
		"$T/client.log" || fail "no capture notice while streaming"
}

# cast_ended HOW NAME: a desktop's cast ends with HOW, and so does the
# capture notice
cast_ended() {
	cast_start "$1"
	cast_end "$1" "$2"
	wait_line "$T/client.log" 'CAPTURE-STOPPED' ||
		fail "the capture notice outlived the $1"
	cat "$T/client.log"
	pass "$1: $2's stream ends with it"
}
