#!/bin/bash
# Screen sharing through the ScreenCast portal, the way real apps do it: a
# GDBus + GStreamer pipewiresrc client inside the sandbox, crate-wl's
# portal on the sandbox's private bus, real PipeWire and WirePlumber,
# headless sway as the compositor. The chromium and firefox cases are real
# browsers' getDisplayMedia on a local page.
# usage: screencast.sh CRATE_WL PW_FD_OBJECTS CLIENT CASE root|nobody
CRATE_WL=$1
LISTER=$2
CLIENT=$3
CASE=$4
. "$(dirname "$0")/../sandbox/common.sh" "$5"
# the sandbox sees neither the build nor the source tree (a checkout under
# /tmp is hidden by the sandbox's own /tmp): the client and the lister go
# in by a bind of their own
mkdir -m 755 "$T/bin"
cp "$CLIENT" "$T/bin/portal-client.py"
cp "$LISTER" "$T/bin/pw-fd-objects"
chmod 755 "$T/bin/pw-fd-objects"
CLIENT=/.test/portal-client.py
LISTER=/.test/pw-fd-objects
need sway swaymsg grim python3 gst-launch-1.0 gst-inspect-1.0 pw-dump \
	dbus-daemon gdbus
gi_python
need_pipewiresrc

if [ "$AS" = nobody ]; then
	start_sway 65534
else
	start_sway
fi
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
start_pipewire "$U"

# a background colour of this run's own, so that no stale or blank frame
# can pass for the screen
COLOR=$(printf '#%02x%02x%02x' $((RANDOM % 200 + 30)) \
	$((RANDOM % 200 + 30)) $((RANDOM % 200 + 30)))
SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) \
	swaymsg "output * bg $COLOR solid_color" >/dev/null ||
	fail "cannot set sway's background"

scripted_prompt
mkdir -m 777 "$T/out"
# answer, wait_line, screen_nodes (crate-wl's Video/Source nodes), INSIDE
. "$(dirname "$0")/cast-lib.sh"

# the sandboxed app: crate-wl run with screencopy=ask
CASTER=(timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster --screencopy ask
	--prompt "cmd:$T/prompt.sh" --bind "$T/out:/out"
	--ro-bind "$T/bin:/.test" "${INSIDE[@]}" --trace -- "$PY" "$CLIENT")
caster() {
	"${CASTER[@]}" "$@"
}

# frames the streaming client's fakesink has seen so far
frames() {
	if [ -e "$T/out/gst.log" ]; then
		grep -c 'last-message = chain' "$T/out/gst.log"
	else
		echo 0
	fi
}

case $CASE in
frame)
	answer 0
	caster frame /out "$LISTER" > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 0" "$T/client.log" || fail "Start was not granted"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "Start did not ask as the app, for screencopy: $(cat "$T/prompts.log")"
	node=$(sed -n 's/^node \([0-9]*\) .*/\1/p' "$T/client.log")
	size=$(sed -n 's/^node [0-9]* //p' "$T/client.log")
	# the fd sees exactly the core, the client-node factory, the node
	# and its own client
	echo "through the fd:"; cat "$T/out/seen"
	grep -q "^$node Node crate-wl\.caster\.[0-9a-f]*\.screen[0-9]*\$" \
		"$T/out/seen" || fail "node $node is not crate-wl's for caster"
	awk '{print $1, $2, ($2 == "Node" ? "N" : $3)}' "$T/out/seen" |
		sort > "$T/got"
	{ echo "0 Core -"; echo "$node Node N"; } > "$T/want-a"
	grep ' Factory client-node$' "$T/out/seen" | awk '{print $1, $2, $3}' \
		>> "$T/want-a"
	grep ' Client -$' "$T/out/seen" >> "$T/want-a"
	sort "$T/want-a" > "$T/want"
	[ "$(grep -c ' Factory ' "$T/out/seen")" = 1 ] ||
		fail "the fd sees other factories than client-node"
	[ "$(grep -c ' Client ' "$T/out/seen")" = 1 ] ||
		fail "the fd sees other clients than itself"
	diff -u "$T/want" "$T/got" || fail "the fd sees more or less than the node"
	# the frame against what grim sees on the compositor, pixel by pixel
	WAYLAND_DISPLAY=$SWAY_SOCKET as_user grim -t ppm "$T/out/host.ppm" ||
		fail "grim failed on the host"
	python3 - "$T/out/frame.rgb" "$T/out/host.ppm" "$size" "$COLOR" <<'PY' ||
import sys
frame, ppm, size, color = sys.argv[1:]
w, h = map(int, size.split("x"))
data = open(ppm, "rb").read()
# P6\nW H\n255\n
parts = data.split(b"\n", 3)
pw, ph = map(int, parts[1].split())
host = parts[3]
if (pw, ph) != (w, h):
    sys.exit("the stream is %dx%d, the output %dx%d" % (w, h, pw, ph))
raw = open(frame, "rb").read()
n = w * h * 3
if len(raw) < n or len(raw) % n:
    sys.exit("frame file of %d bytes, not frames of %d" % (len(raw), n))
last = raw[-n:]
want = bytes.fromhex(color[1:])
if host[:3] != want:
    sys.exit("grim sees %s, sway was told %s" % (host[:3].hex(), color))
worst = max(abs(a - b) for a, b in zip(last, host))
print("stream frame vs grim: %dx%d, largest channel difference %d"
      % (w, h, worst))
# both are 8-bit copies of one pixman-rendered buffer, and BGRx to RGB is
# a byte shuffle: they must be identical; 1 level is left for a converter
# that rounds
if worst > 1:
    sys.exit("the frame differs from the screen by %d levels" % worst)
PY
		fail "the received frame does not match the screen"
	pass "a granted Start streams the screen; the fd sees only its node and itself"
	;;
chromium|firefox)
	# issue 15 item 9: a real browser's getDisplayMedia inside the
	# sandbox gets frames of the screen. A local page draws the shared
	# video into a canvas and puts what it sees in its title, which
	# sway's tree shows: frames decoded, and the colour at the centre
	if [ "$CASE" = chromium ]; then
		need chromium
	else
		need firefox-esr wtype
	fi
	# the page is the run's colour; the shared video is a speck in a
	# corner, so the screen's centre is that colour in every frame
	cat > "$T/out/share.html" <<HTML
<!DOCTYPE html><html><body style="background: $COLOR; margin: 0">
<video id=v autoplay muted style="position: fixed; left: 0; top: 0;
  width: 2px; height: 2px"></video>
<canvas id=c width=16 height=16 style="display: none"></canvas><script>
HTML
	cat >> "$T/out/share.html" <<'HTML'
const v = document.getElementById("v");
const c = document.getElementById("c").getContext("2d",
  {willReadFrequently: true});
const share = () => navigator.mediaDevices.getDisplayMedia({video: true,
  audio: false})
.then(stream => {
  v.srcObject = stream;
  let frames = 0;
  const each = () => {
    frames++;
    c.drawImage(v, v.videoWidth / 2 - 8, v.videoHeight / 2 - 8, 16, 16,
      0, 0, 16, 16);
    const p = c.getImageData(8, 8, 1, 1).data;
    document.title = "share: frames " + frames + " size " + v.videoWidth +
      "x" + v.videoHeight + " rgb " + p[0] + " " + p[1] + " " + p[2];
    v.requestVideoFrameCallback(each);
  };
  v.requestVideoFrameCallback(each);
}, e => { document.title = "share: failed " + e.name + " " + e.message; });
// Firefox shares only on a user's gesture (transient activation): a key
if (location.hash == "#key") {
  document.title = "share: press a key";
  addEventListener("keydown", () => {
    document.title = "share: starting";
    share();
  }, {once: true});
} else {
  document.title = "share: starting";
  share();
}
</script></body></html>
HTML
	chmod 644 "$T/out/share.html"
	if [ "$CASE" = chromium ]; then
		# Chromium's own sandbox inside crate-wl's (it refuses to run
		# one as root)
		args=()
		[ "$AS" = root ] && args=(--no-sandbox)
		timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster \
			--screencopy allow --nested-sandbox \
			--env LIBGL_ALWAYS_SOFTWARE=1 --bind "$T/out:/out" \
			--trace -- \
			chromium "${args[@]}" --ozone-platform=wayland \
			--no-first-run --disable-gpu \
			--disable-background-networking \
			--disable-sync --disable-component-update \
			--user-data-dir=/tmp/chromium-profile \
			--enable-features=WebRTCPipeWireCapturer \
			--use-fake-ui-for-media-stream \
			file:///out/share.html > "$T/browser.log" 2>&1 &
	else
		# a fresh profile whose prefs skip Firefox's own sharing
		# prompt (the portal's policy is the one asked) and its
		# first-run pages
		mkdir -m 777 "$T/out/profile"
		cat > "$T/out/profile/user.js" <<'JS'
user_pref("media.navigator.permission.disabled", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("app.update.auto", false);
user_pref("browser.aboutwelcome.enabled", false);
JS
		chmod 666 "$T/out/profile/user.js"
		timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster \
			--screencopy allow --env MOZ_ENABLE_WAYLAND=1 \
			--env LIBGL_ALWAYS_SOFTWARE=1 --bind "$T/out:/out" \
			--trace -- \
			firefox-esr --no-remote --profile /out/profile \
			file:///out/share.html#key > "$T/browser.log" 2>&1 &
	fi
	track $!
	if [ "$CASE" = firefox ]; then
		# an idle virtual keyboard, so that the first real key is not
		# lost
		wtype -s 3600000 &
		track $!
	fi
	# the first share: title in sway's tree
	share_title() {
		swaymsg_tree | python3 -c '
import json, sys
def walk(n):
    t = n.get("name") or ""
    if t.startswith("share:"):
        print(t)
    for k in n.get("nodes", []) + n.get("floating_nodes", []):
        walk(k)
walk(json.load(sys.stdin))' | head -n1
	}
	title=
	end=$((SECONDS + 40))
	pressed=
	while [ $SECONDS -lt $end ]; do
		title=$(share_title)
		case $title in
		"share: frames "[3-9]*|"share: frames "[1-9][0-9]*) break ;;
		"share: failed"*) break ;;
		"share: press a key"*)
			# the page's window has the focus: a key press is the
			# user's gesture (again each 2 s, should one come before
			# the page listens)
			if [ $SECONDS -ge "${pressed:-0}" ]; then
				wtype -k space
				pressed=$((SECONDS + 2))
			fi
			;;
		esac
		sleep 0.2
	done
	title=${title% - Chromium}
	title=${title% — Mozilla Firefox}
	title=${title% - Mozilla Firefox}
	echo "title: $title"
	case $title in
	"share: frames "[3-9]*|"share: frames "[1-9][0-9]*) ;;
	*) tail -n 40 "$T/browser.log"; fail "$CASE got no frame: $title" ;;
	esac
	# the frames come through crate-wl's portal: its node for this app
	# is in the host's graph while the page shares
	nodes=$(screen_nodes)
	echo "Video/Source nodes: $nodes"
	echo "$nodes" | grep -q ' crate-wl\.caster\.' ||
		fail "$CASE shares the screen, but not through crate-wl's stream"
	want=$(printf '%d %d %d' 0x${COLOR:1:2} 0x${COLOR:3:2} 0x${COLOR:5:2})
	got=${title##* rgb }
	# what the compositor shows there, as grim sees it
	WAYLAND_DISPLAY=$SWAY_SOCKET as_user grim -t ppm "$T/out/host.ppm" ||
		fail "grim failed on the host"
	host=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read().split(b"\n", 3)
w, h = map(int, d[1].split())
o = ((h // 2) * w + w // 2) * 3
print(*d[3][o:o + 3])' "$T/out/host.ppm")
	[ "$host" = "$want" ] ||
		fail "grim sees $host at the centre, not the page's $want"
	python3 - "$CASE" "$host" "$got" <<'PY' || fail "$CASE's frame is not the screen: it shows $got, the screen is $host"
import sys
w = list(map(int, sys.argv[2].split())); g = list(map(int, sys.argv[3].split()))
d = max(abs(a - b) for a, b in zip(w, g))
print("centre pixel: screen", w, sys.argv[1], g, "difference", d)
# the video path goes through a YUV encoder-free but colour-managed
# canvas: a few levels of rounding, never another colour
sys.exit(d > 6)
PY
	pass "$CASE's getDisplayMedia receives frames of the screen, as grim sees it"
	;;
shrink)
	# the buffers the app is handed are memfds crate-wl writes every
	# frame into: the app can neither shrink (which would fault
	# crate-wl's copy, outside the sandbox) nor grow them, and frames go
	# on coming
	answer 0
	cp "$PW_SHRINK" "$T/bin/pw-shrink"
	chmod 755 "$T/bin/pw-shrink"
	caster shrink /out /.test/pw-shrink > "$T/client.log" 2>&1 ||
		fail "the consumer failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -q "^buffers [1-9]" "$T/client.log" || fail "no buffers came"
	grep -q "^buffers [0-9]* shrunk 0 grown 0$" "$T/client.log" ||
		fail "the app could resize a buffer crate-wl writes into"
	grep -qx "frames 30" "$T/client.log" ||
		fail "the frames stopped after the attempt"
	pass "the stream's buffers cannot be resized by the app; frames go on"
	;;
portal-prompt)
	# the prompt for Start as a desktop shows it: xdg-desktop-portal-gtk's
	# AccessDialog (on Debian 13, the GTK backend beside
	# xdg-desktop-portal 1.20), on the user's session bus, in the
	# compositor, answered with key presses (tests/consent/portal-prompt.sh
	# drives the same dialog from the prompt front-end alone)
	PORTAL_GTK=/usr/libexec/xdg-desktop-portal-gtk
	need "$PORTAL_GTK" wtype cksum
	BUS_AS=$RUNAS start_session_bus "$T/rt/bus"
	GDK_BACKEND=wayland NO_AT_BRIDGE=1 GTK_A11Y=none \
		GSETTINGS_BACKEND=memory XDG_CACHE_HOME=$T/cache \
		$RUNAS "$PORTAL_GTK" >"$T/portal.log" 2>&1 &
	track $!
	$RUNAS timeout 10 gdbus wait --session org.freedesktop.impl.portal.desktop.gtk ||
		fail "xdg-desktop-portal-gtk did not appear: $(cat "$T/portal.log")"
	# an idle virtual keyboard, so that the first real key is not lost
	wtype -s 3600000 &
	track $!
	shot() { WAYLAND_DISPLAY=$SWAY_SOCKET as_user grim -t ppm - 2>/dev/null | cksum; }
	sleep 0.2
	BASE=$(shot)
	# on_dialog: until the screen shows something new (the dialog)
	on_dialog() {
		for _ in $(seq 1 250); do
			[ "$(shot)" != "$BASE" ] && return 0
		done
		fail "the AccessDialog never appeared: $(cat "$T/portal.log")"
	}
	PORTAL_CASTER=("${CASTER[@]/#cmd:*/portal}")
	# focus starts on the "remember" box, Tab goes to Deny, Tab to Allow
	"${PORTAL_CASTER[@]}" frame /out "$LISTER" > "$T/client.log" 2>&1 &
	C=$!
	on_dialog
	wtype -s 30 -k Tab -k Tab -k Return -p F24
	wait $C || fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 0" "$T/client.log" ||
		fail "Allow in the AccessDialog did not grant Start"
	grep -q "^node [0-9]* [0-9]*x[0-9]*$" "$T/client.log" ||
		fail "no node after Allow"
	[ -s "$T/out/frame.rgb" ] || fail "no frame after Allow"
	for _ in $(seq 1 100); do
		[ "$(shot)" = "$BASE" ] && break
		sleep 0.02
	done
	[ "$(shot)" = "$BASE" ] || fail "the dialog stayed on screen after Allow"
	"${PORTAL_CASTER[@]}" deny > "$T/client2.log" 2>&1 &
	C=$!
	on_dialog
	wtype -s 30 -k Tab -k Return -p F24
	wait $C || fail "the client failed: $(cat "$T/client2.log")"
	grep -qx "response 1" "$T/client2.log" ||
		fail "Deny in the AccessDialog did not answer 1: $(cat "$T/client2.log")"
	[ -z "$(screen_nodes)" ] || fail "a node after Deny: $(screen_nodes)"
	pass "Start asks through xdg-desktop-portal-gtk's AccessDialog: Allow streams, Deny answers 1"
	;;
deny)
	answer 1
	caster deny > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 1" "$T/client.log" ||
		fail "a denied Start did not answer 1 (cancelled)"
	grep -qx "caster screencopy" "$T/prompts.log" || fail "Start did not ask"
	[ -z "$(screen_nodes)" ] || fail "a node after a denied Start: $(screen_nodes)"
	# the answer never: no prompt, still response 1
	answer 4
	caster deny > "$T/client2.log" 2>&1 || fail "second client failed"
	grep -qx "response 1" "$T/client2.log" || fail "deny always: not 1"
	answer 0
	caster deny > "$T/client3.log" 2>&1 || fail "third client failed"
	grep -qx "response 1" "$T/client3.log" ||
		fail "the stored 'never' did not hold"
	[ "$(wc -l < "$T/prompts.log")" = 2 ] ||
		fail "asked again after 'never': $(cat "$T/prompts.log")"
	[ -z "$(screen_nodes)" ] || fail "a node after a denied Start"
	pass "a denied Start answers 1 and makes no node"
	;;
revoke|close|leave)
	# revoke: crate-wl permissions revoke; close: Session.Close; leave:
	# the app's bus connection goes (as when it crashes)
	cast_start "$CASE"
	screen_nodes | grep -q ' crate-wl\.caster\.' ||
		fail "no crate-wl node in the host graph"
	before=$(frames)
	cast_end "$CASE" crate-wl
	[ "$CASE" != revoke ] || wait_line "$T/client.log" 'CAPTURE-STOPPED' ||
		fail "the capture notice outlived the revoke"
	sleep 0.5
	mid=$(frames)
	sleep 1
	after=$(frames)
	cat "$T/client.log"
	echo "frames: $before when streaming, $mid after the $CASE, $after 1 s later"
	[ "$before" -gt 0 ] || {
		head -c 3000 "$T/out/gst.log"
		fail "no frames reached the client"
	}
	[ "$after" = "$mid" ] || fail "frames go on after the $CASE"
	pass "the stream ends on $CASE"
	;;
timed-*)
	# issue 19: how long the stream lasts after a revoke, however
	# screencopy was allowed: an option, a manifest, a remembered answer
	# or a prompt. From just before the revoke command to the last link
	# out of the sandbox's screen node going (revoke-watch, outside),
	# at most 100 ms; then no frame, and Session.Closed.
	way=${CASE#timed-}
	: "${REVOKE_WATCH:?REVOKE_WATCH must point to revoke-watch}"
	opts=(--screencopy ask --prompt "cmd:$T/prompt.sh")
	case $way in
	option) opts=(--screencopy allow --prompt none) ;;
	store)
		as_user "$CRATE_WL" permissions grant caster screencopy \
			2>/dev/null || fail "permissions grant"
		opts=(--screencopy ask --prompt none) ;;
	prompt) answer 2 ;;
	manifest)
		mkdir -p "$T/config/crate-wl/apps"
		printf '[app]\nname = caster\nexec = %s %s hold /out\n[sandbox]\nbind = %s:/out\nro-bind = %s:/.test\n[wayland]\nscreencopy = allow\n' \
			"$PY" "$CLIENT" "$T/out" "$T/bin" \
			> "$T/config/crate-wl/apps/caster.crate"
		chown -R "$U:$U" "$T/config/crate-wl" ;;
	*) fail "unknown way $way" ;;
	esac
	if [ "$way" = manifest ]; then
		timeout -k 2 60 $RUNAS "$CRATE_WL" app caster \
			> "$T/client.log" 2>&1 &
	else
		timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster "${opts[@]}" \
			--bind "$T/out:/out" --ro-bind "$T/bin:/.test" \
			"${INSIDE[@]}" -- "$PY" "$CLIENT" hold /out \
			> "$T/client.log" 2>&1 &
	fi
	cpid=$!
	track $cpid
	wait_line "$T/client.log" '^streaming$' || {
		cat "$T/client.log"
		fail "the client never streamed"
	}
	# warm, as tests/media/revoke.sh does; a sanitizer build's bound
	# is 3 times the release build's
	as_user "$CRATE_WL" permissions list caster >/dev/null 2>&1
	bound=100
	[ -n "${ASAN_OPTIONS:-}" ] && bound=300
	"$REVOKE_WATCH" 'crate-wl.caster.*' 500 500 -- \
		$RUNAS "$CRATE_WL" permissions revoke caster screencopy \
		> "$T/watch" 2> "$T/revoke.err"
	rc=$?
	cat "$T/watch" "$T/revoke.err"
	[ $rc = 2 ] && fail "the screen node was never linked: $(cat "$T/client.log")"
	[ $rc = 0 ] || fail "the stream stayed linked after the revoke"
	grep -q "crate-wl: 1 running instance of caster told" "$T/revoke.err" ||
		fail "the revoke did not say it reached the sandbox"
	wait_line "$T/client.log" '^closed$' ||
		fail "no Session.Closed after the revoke: $(cat "$T/client.log")"
	[ -z "$(screen_nodes)" ] || fail "the node outlived the revoke"
	mid=$(frames)
	sleep 0.5
	[ "$(frames)" = "$mid" ] || fail "frames go on after the revoke"
	ms=$(sed -n 's/^unlink-ms //p' "$T/watch")
	echo "revoke-figure screencast-$way $AS $ms ms"
	awk -v v="$ms" -v b="$bound" 'BEGIN { exit !(v <= b) }' ||
		fail "the stream lasted $ms ms after the revoke (bound $bound)"
	pass "screencast allowed by $way: unlinked $ms ms after the revoke"
	;;
only-portal)
	answer 1
	# inside: the portal is the only service; the app may own names of
	# its own (single-instance apps need that), never the portal's
	timeout -k 2 30 $RUNAS "$CRATE_WL" run --app caster --screencopy ask \
		--prompt "cmd:$T/prompt.sh" -- "$PY" -c '
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
# as portal libraries find it: they watch for the name (the bus activates
# nothing; crate-wl takes the name once the bus runs)
loop = GLib.MainLoop()
Gio.bus_watch_name_on_connection(bus, "org.freedesktop.portal.Desktop",
    Gio.BusNameWatcherFlags.NONE, lambda *a: loop.quit(), None)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
v = bus.call_sync("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
    "org.freedesktop.DBus.Properties", "Get",
    GLib.Variant("(ss)", ("org.freedesktop.portal.ScreenCast", "version")),
    None, 0, -1, None).unpack()[0]
print("ScreenCast version", v)
names = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus", "ListNames", None, None, 0, -1, None).unpack()[0]
print("names:", " ".join(sorted(n for n in names if not n.startswith(":"))))
for name in ("org.freedesktop.portal.Desktop", "org.freedesktop.Notifications",
        "org.freedesktop.portal.Documents",
        "org.freedesktop.impl.portal.desktop.gtk", "org.freedesktop.DBus.Local",
        "org.example.App"):
    try:
        r = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
            "org.freedesktop.DBus", "RequestName", GLib.Variant("(su)", (name, 0)),
            None, 0, -1, None).unpack()[0]
        print("own", name, r)
    except GLib.Error as e:
        print("own", name, "denied")
' > "$T/names.log" 2>&1 || fail "the client failed: $(cat "$T/names.log")"
	cat "$T/names.log"
	grep -qx "ScreenCast version 4" "$T/names.log" || fail "no ScreenCast v4"
	grep -qx "names: org.freedesktop.DBus org.freedesktop.Notifications org.freedesktop.portal.Desktop" \
		"$T/names.log" || fail "other services on the sandbox's bus"
	grep -qx "own org.freedesktop.portal.Desktop denied" "$T/names.log" ||
		fail "the sandbox can queue for the portal's name"
	grep -qx "own org.freedesktop.Notifications denied" "$T/names.log" ||
		fail "the sandbox can queue for the notifications' name"
	grep -qx "own org.freedesktop.portal.Documents denied" "$T/names.log" ||
		fail "the sandbox can own a portal's name"
	grep -qx "own org.freedesktop.impl.portal.desktop.gtk denied" \
		"$T/names.log" || fail "the sandbox can own a portal backend's name"
	grep -qx "own org.freedesktop.DBus.Local denied" "$T/names.log" ||
		fail "the sandbox can own a name of the bus's own"
	grep -qx "own org.example.App 1" "$T/names.log" ||
		fail "the app cannot own a name of its own"
	# screencopy deny: the bus has the other portals, not ScreenCast
	timeout -k 2 30 $RUNAS "$CRATE_WL" run --screencopy deny -- "$PY" -c '
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
loop = GLib.MainLoop()
Gio.bus_watch_name_on_connection(bus, "org.freedesktop.portal.Desktop",
    Gio.BusNameWatcherFlags.NONE, lambda *a: loop.quit(), None)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
try:
    bus.call_sync("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
        "org.freedesktop.DBus.Properties", "Get",
        GLib.Variant("(ss)", ("org.freedesktop.portal.ScreenCast", "version")),
        None, 0, -1, None)
    print("screencast served")
except GLib.Error as e:
    print("no screencast:", e.message)
' > "$T/deny.log" 2>&1 || fail "the client failed: $(cat "$T/deny.log")"
	cat "$T/deny.log"
	grep -q "^no screencast:" "$T/deny.log" ||
		fail "a ScreenCast portal under --screencopy deny"
	pass "the private bus serves the portals alone; the app owns its own names"
	;;
no-daemon)
	# a dbus-daemon that cannot start: the command still runs, its bus
	# refuses it, and crate-wl says why in the daemon's own words
	mkdir "$T/fakebin"
	printf '#!/bin/sh\necho "dbus-daemon: broken on purpose" >&2\nexit 1\n' \
		> "$T/fakebin/dbus-daemon"
	chmod 755 "$T/fakebin/dbus-daemon"
	PATH=$T/fakebin:$PATH timeout -k 2 30 $RUNAS "$CRATE_WL" run \
		--screencopy ask "${INSIDE[@]}" -- "$PY" -c '
from gi.repository import Gio, GLib
try:
    Gio.bus_get_sync(Gio.BusType.SESSION, None)
    print("connected")
except GLib.Error as e:
    print("no bus:", e.message)
print("ran")' > "$T/run.out" 2> "$T/run.err" ||
		fail "the command did not run: $(cat "$T/run.err")"
	cat "$T/run.out" "$T/run.err"
	grep -qx ran "$T/run.out" || fail "the command did not run"
	grep -q "^no bus:" "$T/run.out" || fail "a bus without a daemon"
	grep -q "no portals in the sandbox: dbus-daemon did not start: dbus-daemon: broken on purpose" \
		"$T/run.err" || fail "no clear message"
	pass "a broken dbus-daemon: the app runs without a portal, and why is said"
	;;
lazy)
	# the bus's daemon starts when the app first connects, not before:
	# a command that never uses the bus costs no dbus-daemon
	$RUNAS "$CRATE_WL" run --screencopy ask -- sh -c \
		'test -S "$XDG_RUNTIME_DIR/bus" && echo ready; sleep 30' \
		> "$T/lazy.out" 2>&1 &
	lpid=$!
	track $lpid
	wait_line "$T/lazy.out" '^ready$' || fail "no bus socket in the sandbox"
	pgrep -P $lpid -x dbus-daemon >/dev/null &&
		fail "a dbus-daemon before anyone used the bus"
	# nor the media module (libpipewire...) that serves the portal
	grep -q crate-wl-media /proc/$lpid/maps &&
		fail "the media module loaded before anyone used the bus"
	answer 1
	caster deny > "$T/client.log" 2>&1 || fail "the client failed"
	grep -qx "response 1" "$T/client.log" || fail "no portal when used"
	pass "the bus's daemon and the media module start on first use"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
