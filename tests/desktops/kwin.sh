#!/bin/bash
# KDE's compositor: KWin 5.27 from Debian, headless (--virtual), on a
# private session bus with a real PipeWire, the proxy and the sandbox in
# front of it.
# usage: kwin.sh CRATE_WL CASE root|nobody
#   globals-POLICY: wayland-info through the proxy sees exactly the policy's
#       part of KWin's globals; zkde_screencast_unstable_v1, which KWin
#       lends crate-wl's own connection, under none of them
#   proxy-window: weston-image through the proxy maps a window, seen in a
#       screenshot of KWin's own (org.kde.KWin.ScreenShot2)
#   run-window: the same, weston-image inside crate-wl run
#   screencast-node|deny|revoke|close|leave: the ScreenCast portal of
#       crate-wl run, a real client inside, the stream from KWin's own
#       zkde_screencast_unstable_v1 (as tests/portals/screencast.sh on sway)
#       up to the frames: KWin 5.27 records a frame of an output when the
#       backend reports the output painted, and its virtual backend never
#       does (nor does it here nested in sway, where without a DRM render
#       node it composites with QPainter, which has no screen cast at
#       all). So the client's GStreamer negotiates a format with KWin's
#       node and gets no frame; tests/portals/screencast-kde.sh checks the
#       frames of the same code against the test compositor
#   screencast-withheld: KWin without crate-wl.desktop withholds the
#       global from crate-wl: Start fails, nobody is asked
# KWin runs as the test's user. Debian's kwin_wayland carries the file
# capability cap_sys_resource; where the bounding set lacks it (containers)
# the kernel refuses to exec it, so a copy without it runs. The bus,
# PipeWire and KWin are ended by pid.
CRATE_WL=$1
CASE=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$3"
need kwin_wayland weston-image wayland-info python3 gst-launch-1.0 \
	gst-inspect-1.0
gi_python
need_pipewiresrc

# KWin finds the programs it lends restricted interfaces to through
# desktop files: crate-wl's (as installed from cli/crate-wl.desktop.in, but
# naming the crate-wl under test) for zkde_screencast_unstable_v1, and a
# python of this test's own for the reference screenshots (ScreenShot2 is
# restricted the same way). Exec is matched against the client's
# /proc/PID/exe, and KWin takes the first desktop file that matches:
# Debian's python3.11.desktop names /usr/bin/python3.11 too, so the
# screenshots come from a copy of it under a name no other file has.
mkdir -m 755 "$T/kwin-bin"
SHOT_PY=$T/kwin-bin/crate-wl-test-shot
cp "$(readlink -f "$PY")" "$SHOT_PY"
KWIN_SHARE=$T/kwin-share
mkdir -p "$KWIN_SHARE/applications"
if [ "$CASE" != screencast-withheld ]; then
	sed "s|@BINDIR@/crate-wl|$(readlink -f "$CRATE_WL")|" \
		"$here/../../cli/crate-wl.desktop.in" \
		> "$KWIN_SHARE/applications/crate-wl.desktop"
fi
cat > "$KWIN_SHARE/applications/crate-wl-test-shot.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=crate-wl test screenshots
Exec=$SHOT_PY
NoDisplay=true
X-KDE-DBUS-Restricted-Interfaces=org.kde.KWin.ScreenShot2
EOF

KWIN=$(command -v kwin_wayland)
if ! "$KWIN" --version >/dev/null 2>&1; then
	cp "$KWIN" "$T/kwin-bin/kwin_wayland"
	KWIN=$T/kwin-bin/kwin_wayland
	"$KWIN" --version >/dev/null 2>&1 || fail "kwin_wayland does not run"
fi

# PipeWire and its session bus, as the test's user; KWin on that bus
start_pipewire "$U"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$PW_RT/bus
export PIPEWIRE_RUNTIME_DIR=$PW_RT
KWIN_RT=$T/kwin-rt
mkdir -m 700 "$KWIN_RT" "$T/kwin-home"
chown "$U:$U" "$KWIN_RT" "$T/kwin-home"
chown "$U:$U" "$KWIN_RT" "$T/kwin-home"
env -i PATH=/usr/bin:/bin HOME="$T/kwin-home" XDG_RUNTIME_DIR="$KWIN_RT" \
	XDG_CONFIG_HOME="$T/kwin-home/config" \
	XDG_CACHE_HOME="$T/kwin-home/cache" \
	XDG_DATA_HOME="$T/kwin-home/data" \
	XDG_DATA_DIRS="$KWIN_SHARE:/usr/local/share:/usr/share" \
	DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
	PIPEWIRE_RUNTIME_DIR="$PW_RT" \
	$RUNAS "$KWIN" --virtual --width 1280 --height 720 --no-lockscreen \
	--socket wayland-k >"$T/kwin.log" 2>&1 &
KWIN_PID=$!
track $KWIN_PID
KWIN_SOCKET=$KWIN_RT/wayland-k
wait_for_socket "$KWIN_SOCKET" || {
	cat "$T/kwin.log" >&2
	fail "headless KWin did not start"
}
export WAYLAND_DISPLAY=$KWIN_SOCKET
# the frames, written as the test's user
mkdir -m 700 "$T/cast"
chown "$U:$U" "$T/cast"

# KWin's screen, once, through its ScreenShot2: $T/cast/frame.rgb (the
# D-Bus API comes up with the compositor, so the first calls may miss it)
frame() {
	rm -f "$T/cast/frame.rgb"
	for _ in $(seq 1 20); do
		as_user env PYTHONHOME=/usr "$SHOT_PY" "$here/kwin-shot.py" Virtual-0 "$T/cast/frame.rgb" \
			>"$T/cast.log" 2>&1 && break
		sleep 0.25
	done
	[ -s "$T/cast/frame.rgb" ] || {
		cat "$T/cast.log" >&2
		fail "no screenshot from KWin's ScreenShot2"
	}
	grep -qx "size 1280x720" "$T/cast.log" ||
		fail "the frame is not the virtual screen's: $(cat "$T/cast.log")"
}
# pixels of the frame in COLOR (RRGGBB)
pixels_of() {
	python3 - "$T/cast/frame.rgb" "$1" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
want = bytes.fromhex(sys.argv[2])
if len(raw) != 1280 * 720 * 3:
    sys.exit("a frame of %d bytes" % len(raw))
print(sum(1 for i in range(0, len(raw), 3) if raw[i:i + 3] == want))
PY
}

# a colour of this run's own, so that nothing else on screen can pass
# for the window: a PNG of it for weston-image (foot, the sway and mutter
# tests' window, divides by the output's physical size, which KWin's
# virtual output gives as -1, and dies of SIGFPE)
COLOR=$(printf '%02x%02x%02x' $((RANDOM % 200 + 30)) \
	$((RANDOM % 200 + 30)) $((RANDOM % 200 + 30)))
mkdir -m 755 "$T/img"
png() {
	python3 - "$@" <<'PY'
import struct, sys, zlib
w, h, col = int(sys.argv[3]), int(sys.argv[4]), bytes.fromhex(sys.argv[2])
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
raw = b"".join(b"\0" + col * w for _ in range(h))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" +
    chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
png "$T/img/color.png" "$COLOR" 600 400
chmod 644 "$T/img/color.png"
# waits (15 s at most) for a window of COLOR on KWin's screen
window_seen() {
	local n
	for _ in $(seq 1 30); do
		frame
		n=$(pixels_of "$COLOR") || fail "cannot read the frame: $n"
		# weston-image scales the image into a window far larger
		if [ "$n" -gt 20000 ]; then
			echo "$n"
			return 0
		fi
		sleep 0.5
	done
	return 1
}
# the screen holds no window of COLOR yet: the check can fail
no_window_yet() {
	frame
	[ "$(pixels_of "$COLOR")" = 0 ] ||
		fail "the screen has the window's colour before any window"
}

case $CASE in
globals-*)
	policy=${CASE#globals-}
	# "NAME VERSION" per global, as wayland-info (not a privileged
	# program to KWin) sees them
	wayland-info | sed -n \
		"s/^interface: '\([^']*\)', *version: *\([0-9]*\).*/\1 \2/p" |
		sort -u > "$T/direct"
	[ "$(wc -l < "$T/direct")" -ge 30 ] ||
		fail "KWin advertised too few globals: $(cat "$T/direct")"
	grep -q '^org_kde_plasma_shell ' "$T/direct" ||
		fail "KWin offers no org_kde_plasma_shell"
	grep -q '^zkde_screencast_unstable_v1 ' "$T/direct" &&
		fail "KWin offers zkde_screencast to any program"
	"$DUMP_TABLES" --versions > "$T/tables"
	cw proxy --policy "$policy" --trace -- wayland-info 2>"$T/trace" |
		sed -n "s/^interface: '\([^']*\)', *version: *\([0-9]*\).*/\1 \2/p" |
		sort -u > "$T/proxied"
	# no global of KWin's is hidden for being unknown
	if grep -i "unknown interface" "$T/trace"; then
		fail "a global of KWin's is unknown to the tables"
	fi
	# crate-wl's own connection got KWin's screen cast (crate-wl.desktop
	# names it), and the proxy kept it from the app
	grep 'zkde_screencast_unstable_v1' "$T/trace" | grep -q "crate-wl's own" ||
		fail "the proxy did not see and hide zkde_screencast: $(grep zkde "$T/trace")"
	grep -q '^zkde_screencast' "$T/proxied" &&
		fail "zkde_screencast reached the app under $policy"
	# The classes of KWin 5.27's globals, written out here independently
	# of proxy/policy.c: what strict offers, and what default hides.
	core="wl_compositor wl_subcompositor wl_shm wl_seat wl_output
xdg_wm_base zwp_linux_dmabuf_v1 wp_viewporter wp_fractional_scale_manager_v1
zxdg_output_manager_v1"
	privileged="zwp_keyboard_shortcuts_inhibit_manager_v1 zwlr_layer_shell_v1
zwlr_data_control_manager_v1 org_kde_kwin_idle ext_idle_notifier_v1
org_kde_plasma_shell org_kde_plasma_virtual_desktop_management
org_kde_kwin_dpms_manager kde_output_management_v2 kde_output_device_v2
kde_output_order_v1 zxdg_exporter_v2 zxdg_importer_v2"
	while read -r iface version; do
		case $policy in
		strict) printf '%s\n' $core | grep -qx "$iface" || continue ;;
		default) printf '%s\n' $privileged | grep -qx "$iface" && continue ;;
		trusted) ;;
		*) fail "unknown policy $policy" ;;
		esac
		tv=$(awk -v i="$iface" '$1 == i {print $2}' "$T/tables")
		[ -n "$tv" ] || fail "$iface is not in the tables"
		[ "$tv" -lt "$version" ] && version=$tv
		echo "$iface $version"
	done < "$T/direct" | sort > "$T/expected"
	[ -s "$T/expected" ] || fail "nothing expected: the test is vacuous"
	diff -u "$T/expected" "$T/proxied" ||
		fail "policy $policy: the client saw other globals than expected"
	case $policy in
	default)
		grep -q '^org_kde_kwin_appmenu_manager ' "$T/proxied" ||
			fail "the app menu hidden under default"
		grep -q '^org_kde_plasma_shell ' "$T/proxied" &&
			fail "org_kde_plasma_shell visible under default"
		;;
	esac
	pass "KWin, policy $policy: $(wc -l < "$T/proxied") of $(wc -l < "$T/direct") globals visible, as classed; zkde_screencast kept from the app"
	;;
proxy-window|run-window)
	no_window_yet
	if [ "$CASE" = proxy-window ]; then
		as_user "$CRATE_WL" proxy -- weston-image "$T/img/color.png" \
			>"$T/app.log" 2>&1 &
	else
		# an ASan build's processes inside cannot run LeakSanitizer
		# (ptrace is denied there)
		inside=()
		if [ -n "${ASAN_OPTIONS:-}" ]; then
			inside=(--env "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")
		fi
		as_user "$CRATE_WL" run --app kwin-image --ro-bind "$T/img:/img" \
			"${inside[@]}" -- weston-image /img/color.png \
			>"$T/app.log" 2>&1 &
	fi
	track $!
	n=$(window_seen) || {
		cat "$T/app.log" >&2
		fail "weston-image mapped no window on KWin ($CASE)"
	}
	pass "weston-image ($CASE) mapped a window on KWin: $n pixels of it in KWin's own screenshot"
	;;
screencast-*)
	# the ScreenCast portal of crate-wl run, a real client inside, the
	# stream from KWin's own screen cast
	need gdbus pw-dump
	[ -x "${PW_FD_OBJECTS:-}" ] || fail "PW_FD_OBJECTS is not set"
	mkdir -m 755 "$T/bin"
	cp "$PORTAL_CLIENT" "$T/bin/portal-client.py"
	cp "$PW_FD_OBJECTS" "$T/bin/pw-fd-objects"
	chmod 755 "$T/bin/pw-fd-objects"
	mkdir -m 777 "$T/out"
	scripted_prompt
	. "$here/../portals/cast-lib.sh"
	# crate-wl's node and the compositor's own stream
	CAST_CLASSES="Video/Source Stream/Output/Video"
	# something of this run's own on screen: a window in COLOR
	as_user weston-image "$T/img/color.png" >"$T/app.log" 2>&1 &
	track $!
	window_seen >/dev/null || fail "weston-image mapped no window"
	CASTER=(timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster
		--screencopy ask --prompt "cmd:$T/prompt.sh" --bind "$T/out:/out"
		--ro-bind "$T/bin:/.test" --env CAPS_ONLY=1 "${INSIDE[@]}" --trace --
		"$PY" /.test/portal-client.py)
	[ -z "$(screen_nodes)" ] || fail "a screen node before any cast"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

case $CASE in
screencast-node)
	answer 0
	"${CASTER[@]}" frame /out /.test/pw-fd-objects > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 0" "$T/client.log" || fail "Start was not granted"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "Start did not ask as the app, for screencopy: $(cat "$T/prompts.log")"
	node=$(sed -n 's/^node \([0-9]*\) .*/\1/p' "$T/client.log")
	size=$(sed -n 's/^node [0-9]* //p' "$T/client.log")
	[ "$size" = 1280x720 ] || fail "the portal said the stream is $size"
	# the fd sees exactly the core, the client-node factory, KWin's
	# node and (where crate-wl grants it) its own client
	echo "through the fd:"; cat "$T/out/seen"
	# the node is KWin's own stream (named for its program), not one of
	# crate-wl's
	grep -qx "$node Node kwin_wayland" "$T/out/seen" ||
		fail "node $node is not KWin's"
	awk '{print $1, $2}' "$T/out/seen" | sort > "$T/got"
	{ echo "0 Core"; echo "$node Node"
	  grep ' Factory client-node$' "$T/out/seen" | awk '{print $1, $2}'
	  grep ' Client -$' "$T/out/seen" | awk '{print $1, $2}'
	} | sort > "$T/want"
	[ "$(grep -c ' Factory ' "$T/out/seen")" = 1 ] ||
		fail "the fd sees other factories than client-node"
	[ "$(grep -c ' Client ' "$T/out/seen")" -le 1 ] ||
		fail "the fd sees other clients than itself"
	diff -u "$T/want" "$T/got" || fail "the fd sees more or less than the node"
	# the portal's session ended with the client: KWin's node with it
	for _ in $(seq 1 100); do
		[ -z "$(screen_nodes)" ] && break
		sleep 0.05
	done
	[ -z "$(screen_nodes)" ] || fail "KWin's node outlived the session"
	pass "a sandboxed app got KWin's own node, and only it, through the portal"
	;;
screencast-deny)
	cast_denied KWin
	;;
screencast-withheld)
	# KWin without crate-wl.desktop: crate-wl's connection gets no
	# zkde_screencast, and the session bus has no mutter either
	answer 0
	"${CASTER[@]}" deny > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 2" "$T/client.log" ||
		fail "Start without KWin's screen cast did not answer 2"
	grep -q "cannot share the screen: .*KWin withholds zkde_screencast_unstable_v1 from crate-wl" \
		"$T/client.log" || fail "crate-wl did not say why"
	[ ! -s "$T/prompts.log" ] ||
		fail "the user was asked for what cannot be shared"
	[ -z "$(screen_nodes)" ] || fail "a node without KWin's screen cast"
	pass "KWin withheld its screen cast: Response 2, nobody asked"
	;;
screencast-revoke|screencast-close|screencast-leave)
	cast_ended "${CASE#screencast-}" KWin
	;;
esac
