#!/bin/bash
# Screen sharing from KWin's zkde_screencast_unstable_v1, against crate-wl's
# test compositor (tests/testcomp-kde.c), which serves it on a real
# PipeWire with frames whose every pixel is known. Headless KWin 5.27
# (tests/desktops/kwin.sh) paints no frames into its streams, so the frames
# are checked here; the rest of the path runs through the real KWin there.
# usage: screencast-kde.sh CRATE_WL PW_FD_OBJECTS CLIENT CASE root|nobody
#   frame: granted, the app's frame is testcomp's, pixel by pixel
#   failed: the compositor answers stream_output with `failed`: Start
#       answers 2 and says why, no node stays
#   closed: the app's session ends: crate-wl closes the stream, and the
#       compositor's node goes
#   ended: the compositor ends the stream itself (`closed`, as KWin does
#       when the output goes): the app's session is closed
CRATE_WL=$1
LISTER=$2
CLIENT=$3
CASE=$4
. "$(dirname "$0")/../sandbox/common.sh" "$5"
mkdir -m 755 "$T/bin"
cp "$CLIENT" "$T/bin/portal-client.py"
cp "$LISTER" "$T/bin/pw-fd-objects"
chmod 755 "$T/bin/pw-fd-objects"
need python3 gst-launch-1.0 gst-inspect-1.0 pw-dump dbus-daemon gdbus
gi_python
need_pipewiresrc
TESTCOMP=$(dirname "$CRATE_WL")/../tests/testcomp
[ -x "$TESTCOMP" ] || fail "no test compositor at $TESTCOMP"

start_pipewire "$U"
export PIPEWIRE_RUNTIME_DIR=$PW_RT
opt=--kde-screencast
[ "$CASE" = failed ] && opt=--kde-screencast-fail
[ "$CASE" = ended ] && opt=--kde-screencast-end
# not through as_user: in the background that is a subshell, and $! would
# be the subshell's, not testcomp's
$RUNAS "$TESTCOMP" wayland-t "$opt" > "$T/comp.out" 2>&1 &
track $!
wait_for_socket "$XDG_RUNTIME_DIR/wayland-t" || fail "testcomp did not start"
export WAYLAND_DISPLAY=wayland-t

scripted_prompt
mkdir -m 777 "$T/out"
# answer, wait_line, INSIDE
. "$(dirname "$0")/cast-lib.sh"
CASTER=(timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster --screencopy ask
	--prompt "cmd:$T/prompt.sh" --bind "$T/out:/out"
	--ro-bind "$T/bin:/.test" --env FRAMES=1 "${INSIDE[@]}" --trace --
	"$PY" /.test/portal-client.py)
# testcomp's node in the host graph (a stream: Stream/Output/Video)
comp_nodes() {
	pw-dump 2>/dev/null | python3 -c '
import json, sys
for o in json.load(sys.stdin):
    p = (o.get("info") or {}).get("props") or {}
    if p.get("node.name") == "testcomp-screen":
        print(o["id"])'
}

case $CASE in
frame|closed)
	answer 0
	"${CASTER[@]}" frame /out /.test/pw-fd-objects > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log"; cat "$T/comp.out")"
	cat "$T/client.log"
	grep -qx "response 0" "$T/client.log" || fail "Start was not granted"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "Start did not ask: $(cat "$T/prompts.log")"
	grep -qx "kde-screencast: stream_output pointer 1" "$T/comp.out" ||
		fail "crate-wl did not ask testcomp for a stream (cursor hidden)"
	node=$(sed -n 's/^node \([0-9]*\) .*/\1/p' "$T/client.log")
	grep -qx "kde-screencast: node $node" "$T/comp.out" ||
		fail "the portal's node $node is not the one testcomp made"
	[ "$(sed -n 's/^node [0-9]* //p' "$T/client.log")" = 64x48 ] ||
		fail "the portal did not tell the output's size"
	echo "through the fd:"; cat "$T/out/seen"
	awk '{print $1, $2}' "$T/out/seen" | sort > "$T/got"
	{ echo "0 Core"; echo "$node Node"
	  grep ' Factory client-node$' "$T/out/seen" | awk '{print $1, $2}'
	  grep ' Client -$' "$T/out/seen" | awk '{print $1, $2}'
	} | sort > "$T/want"
	diff -u "$T/want" "$T/got" || fail "the fd sees more or less than the node"
	;;
failed)
	answer 0
	"${CASTER[@]}" frame /out /.test/pw-fd-objects > "$T/client.log" 2>&1
	cat "$T/client.log"
	grep -qx "response 2" "$T/client.log" ||
		fail "a refused stream did not answer 2"
	grep -q "screen cast ended: KWin refused the screen cast: testcomp refuses to stream" \
		"$T/client.log" || fail "crate-wl did not say why"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "the user was not asked first"
	[ -z "$(comp_nodes)" ] || fail "a node after the refusal"
	pass "the compositor refused the stream: Response 2, said why"
	;;
ended)
	answer 0
	"${CASTER[@]}" hold /out > "$T/client.log" 2>&1 &
	track $!
	for _ in $(seq 1 200); do
		grep -qx "closed" "$T/client.log" && break
		sleep 0.05
	done
	cat "$T/client.log"
	grep -qx "streaming" "$T/client.log" ||
		fail "the client never streamed"
	grep -qx "kde-screencast: ending the stream" "$T/comp.out" ||
		fail "testcomp did not end the stream"
	grep -qx "closed" "$T/client.log" ||
		fail "no Session.Closed after the compositor ended the stream"
	grep -q "screen cast ended: KWin closed the screen cast stream" \
		"$T/client.log" || fail "crate-wl did not say why"
	[ -z "$(comp_nodes)" ] || fail "testcomp's node is still there"
	pass "the compositor ended the stream: the app's session closed"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

case $CASE in
frame)
	# every pixel is testcomp_pixel(x, y, n): red x, green y, blue the
	# frame's number, one number for the whole frame
	python3 - "$T/out/frame.rgb" <<'PY' || fail "the frame is not testcomp's"
import sys
raw = open(sys.argv[1], "rb").read()
w, h = 64, 48
if len(raw) != w * h * 3:
    sys.exit("a frame of %d bytes, not %d" % (len(raw), w * h * 3))
seq = raw[2]
bad = [(x, y) for y in range(h) for x in range(w)
       if raw[(y * w + x) * 3:(y * w + x) * 3 + 3] != bytes((x, y, seq))]
if bad:
    sys.exit("%d pixels are not testcomp's, the first at %s" %
             (len(bad), bad[0]))
print("the app's frame is testcomp's frame %d, pixel for pixel" % seq)
PY
	pass "a sandboxed app got the compositor's own zkde_screencast frames"
	;;
closed)
	# the client is gone, and its session with it: crate-wl closed the
	# stream, testcomp removed the node
	for _ in $(seq 1 100); do
		grep -qx "kde-screencast: closed" "$T/comp.out" && break
		sleep 0.05
	done
	grep -qx "kde-screencast: closed" "$T/comp.out" ||
		fail "crate-wl did not close the stream"
	[ -z "$(comp_nodes)" ] || fail "testcomp's node outlived the session"
	pass "the session ended: the stream closed, the node gone"
	;;
esac
