#!/bin/bash
# GNOME's compositor: headless mutter from Debian, on a private session bus
# with a real PipeWire, the proxy and the sandbox in front of it.
# usage: mutter.sh CRATE_WL CASE root|nobody
#   globals-POLICY: wayland-info through the proxy sees exactly the policy's
#       part of mutter's globals, gtk_shell1 among them under default
#   gtk-shell: a GTK app through the proxy binds gtk_shell1 and mutter
#       answers its gtk_surface1; under strict it maps without it
#   proxy-window: foot through the proxy maps a window, seen in a frame of
#       mutter's own ScreenCast
#   run-window: the same, foot inside crate-wl run
#   screencast-frame|deny|revoke|close|leave|nomutter: the ScreenCast portal
#       of crate-wl run, a real client inside, the stream from mutter's own
#       ScreenCast (as tests/portals/screencast.sh on sway)
# mutter runs as the test's user (as root it needs no uid mapping); the
# bus, PipeWire and mutter are ended by pid.
CRATE_WL=$1
CASE=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$3"
need mutter wayland-info python3 gst-launch-1.0 gst-inspect-1.0
gi_python
need_pipewiresrc

# PipeWire and its session bus, as the test's user; mutter on that bus
start_pipewire "$U"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$PW_RT/bus
export PIPEWIRE_RUNTIME_DIR=$PW_RT
MUTTER_RT=$T/mutter-rt
mkdir -m 700 "$MUTTER_RT" "$T/mutter-home"
chown "$U:$U" "$MUTTER_RT" "$T/mutter-home"
env -i PATH=/usr/bin:/bin HOME="$T/mutter-home" XDG_RUNTIME_DIR="$MUTTER_RT" \
	XDG_CONFIG_HOME="$T/mutter-home" GSETTINGS_BACKEND=memory \
	DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
	PIPEWIRE_RUNTIME_DIR="$PW_RT" \
	$RUNAS mutter --headless --wayland --no-x11 \
	--virtual-monitor 1280x720 --wayland-display=wayland-m \
	>"$T/mutter.log" 2>&1 &
MUTTER_PID=$!
track $MUTTER_PID
MUTTER_SOCKET=$MUTTER_RT/wayland-m
wait_for_socket "$MUTTER_SOCKET" || {
	cat "$T/mutter.log" >&2
	fail "headless mutter did not start"
}
export WAYLAND_DISPLAY=$MUTTER_SOCKET
# the frames, written as the test's user
mkdir -m 700 "$T/cast"
chown "$U:$U" "$T/cast"

names() {
	sed -n "s/^interface: '\([^']*\)'.*/\1/p" | sort -u
}
# "NAME VERSION" per global
globals() {
	wayland-info | sed -n \
		"s/^interface: '\([^']*\)', *version: *\([0-9]*\).*/\1 \2/p" |
		sort -u
}

# mutter's screen, once, through its ScreenCast: $T/cast/frame.rgb
frame() {
	rm -f "$T/cast/frame.rgb"
	as_user "$PY" "$here/mutter-cast.py" Meta-0 "$T/cast/frame.rgb" \
		>"$T/cast.log" 2>&1 || {
		cat "$T/cast.log" >&2
		fail "no frame from mutter's ScreenCast"
	}
	grep -qx "size 1280x720" "$T/cast.log" ||
		fail "the frame is not the virtual monitor's: $(cat "$T/cast.log")"
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
# for the window
COLOR=$(printf '%02x%02x%02x' $((RANDOM % 200 + 30)) \
	$((RANDOM % 200 + 30)) $((RANDOM % 200 + 30)))
# waits (15 s at most) for a window of COLOR on mutter's screen
window_seen() {
	local n
	for _ in $(seq 1 30); do
		frame
		n=$(pixels_of "$COLOR") || fail "cannot read the frame: $n"
		# foot's smallest window is far larger than this
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
	globals > "$T/direct"
	[ "$(wc -l < "$T/direct")" -ge 20 ] ||
		fail "mutter advertised too few globals: $(cat "$T/direct")"
	grep -q '^gtk_shell1 ' "$T/direct" || fail "mutter offers no gtk_shell1"
	"$DUMP_TABLES" --versions > "$T/tables"
	cw proxy --policy "$policy" --trace -- wayland-info 2>"$T/trace" |
		sed -n "s/^interface: '\([^']*\)', *version: *\([0-9]*\).*/\1 \2/p" |
		sort -u > "$T/proxied"
	# no global of mutter's is hidden for being unknown
	if grep -i "unknown interface" "$T/trace"; then
		fail "a global of mutter's is unknown to the tables"
	fi
	# The classes of mutter 43's globals, written out here independently
	# of proxy/policy.c: what strict offers, and what default hides.
	core="wl_compositor wl_subcompositor wl_shm wl_seat wl_output
xdg_wm_base zwp_linux_dmabuf_v1 wp_viewporter wp_single_pixel_buffer_manager_v1
wp_presentation zxdg_output_manager_v1 wp_fractional_scale_manager_v1"
	privileged="zxdg_exporter_v1 zxdg_exporter_v2 zxdg_importer_v1
zxdg_importer_v2 zwp_keyboard_shortcuts_inhibit_manager_v1
zwp_xwayland_keyboard_grab_manager_v1 xwayland_shell_v1 wp_drm_lease_device_v1
mutter_x11_interop"
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
	strict)
		grep -q '^gtk_shell1 ' "$T/proxied" &&
			fail "gtk_shell1 visible under strict"
		;;
	default)
		grep -q '^gtk_shell1 ' "$T/proxied" ||
			fail "gtk_shell1 hidden under default"
		grep -q '^zxdg_importer_v1 ' "$T/proxied" &&
			fail "zxdg_importer_v1 visible under default"
		;;
	esac
	pass "mutter, policy $policy: $(wc -l < "$T/proxied") of $(wc -l < "$T/direct") globals visible, as classed"
	;;
gtk-shell)
	need gtk3-demo
	# WAYLAND_DEBUG: the app's own log of what it sends and receives
	WAYLAND_DEBUG=1 NO_AT_BRIDGE=1 timeout -k 2 4 $RUNAS "$CRATE_WL" proxy \
		--policy default -- gtk3-demo >"$T/gtk.log" 2>&1
	# gtk3-demo runs until the timeout ends it
	grep -q -- '-> gtk_shell1@[0-9]*\.get_gtk_surface(new id gtk_surface1@' \
		"$T/gtk.log" || {
		grep -E 'gtk_shell|registry' "$T/gtk.log" | head -30 >&2
		fail "gtk3-demo did not use gtk_shell1 through the proxy"
	}
	grep -q ' gtk_surface1@[0-9]*\.configure(' "$T/gtk.log" ||
		fail "mutter sent gtk3-demo's gtk_surface1 no configure"
	grep -q ' wl_surface@[0-9]*\.enter(wl_output@' "$T/gtk.log" ||
		fail "gtk3-demo's window never entered mutter's output"
	pass "gtk3-demo through the proxy (default) uses gtk_shell1 and maps"
	WAYLAND_DEBUG=1 NO_AT_BRIDGE=1 timeout -k 2 4 $RUNAS "$CRATE_WL" proxy \
		--policy strict -- gtk3-demo >"$T/gtk-strict.log" 2>&1
	grep -q 'gtk_shell1@' "$T/gtk-strict.log" &&
		fail "gtk3-demo bound gtk_shell1 under strict"
	grep -q ' wl_surface@[0-9]*\.enter(wl_output@' "$T/gtk-strict.log" ||
		fail "gtk3-demo did not map under strict, without gtk_shell1"
	pass "gtk3-demo through the proxy (strict) maps without gtk_shell1"
	;;
proxy-window|run-window)
	need foot
	no_window_yet
	foot_args=(-o "colors.background=$COLOR" -e sleep 30)
	if [ "$CASE" = proxy-window ]; then
		as_user "$CRATE_WL" proxy -- foot "${foot_args[@]}" \
			>"$T/foot.log" 2>&1 &
	else
		# an ASan build's processes inside cannot run LeakSanitizer
		# (ptrace is denied there)
		inside=()
		if [ -n "${ASAN_OPTIONS:-}" ]; then
			inside=(--env "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")
		fi
		as_user "$CRATE_WL" run --app mutter-foot "${inside[@]}" -- \
			foot "${foot_args[@]}" >"$T/foot.log" 2>&1 &
	fi
	track $!
	n=$(window_seen) || {
		cat "$T/foot.log" >&2
		fail "foot mapped no window on mutter ($CASE)"
	}
	pass "foot ($CASE) mapped a window on mutter: $n pixels of it in mutter's own frame"
	;;
screencast-*)
	# the ScreenCast portal of crate-wl run, a real client inside, the
	# stream from mutter's own ScreenCast
	need gdbus pw-dump foot dbus-daemon
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
	as_user foot -o "colors.background=$COLOR" -e sleep 60 \
		>"$T/foot.log" 2>&1 &
	track $!
	window_seen >/dev/null || fail "foot mapped no window"
	CASTER=(timeout -k 2 60 $RUNAS "$CRATE_WL" run --app caster
		--screencopy ask --prompt "cmd:$T/prompt.sh" --bind "$T/out:/out"
		--ro-bind "$T/bin:/.test" --env FRAMES=1 "${INSIDE[@]}" --trace --
		"$PY" /.test/portal-client.py)
	[ -z "$(screen_nodes)" ] || fail "a screen node before any cast"
	;;
*)
	fail "unknown case $CASE"
	;;
esac

case $CASE in
screencast-frame)
	answer 0
	# the client's answers apart from crate-wl's lines (on stderr)
	"${CASTER[@]}" frame /out /.test/pw-fd-objects > "$T/client.log" \
		2> "$T/client.err" ||
		fail "the client failed: $(cat "$T/client.log" "$T/client.err")"
	cat "$T/client.log" "$T/client.err"
	grep -qx "response 0" "$T/client.log" ||
		fail "Start was not granted: $(cat "$T/client.log")"
	grep -qx "caster screencopy" "$T/prompts.log" ||
		fail "Start did not ask as the app, for screencopy: $(cat "$T/prompts.log")"
	node=$(sed -n 's/^node \([0-9]*\) .*/\1/p' "$T/client.log")
	size=$(sed -n 's/^node [0-9]* //p' "$T/client.log")
	[ "$size" = 1280x720 ] || fail "the portal said the stream is $size"
	# the fd sees exactly the core, the client-node factory, mutter's
	# node and (where crate-wl grants it) its own client
	echo "through the fd:"; cat "$T/out/seen"
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
	# the frame against mutter's own, pixel by pixel
	frame
	python3 - "$T/out/frame.rgb" "$T/cast/frame.rgb" "$COLOR" <<'PY' ||
import sys
got, host, color = sys.argv[1:]
a, b = open(got, "rb").read(), open(host, "rb").read()
n = 1280 * 720 * 3
if len(a) != n:
    sys.exit("the app's frame has %d bytes, not %d" % (len(a), n))
want = bytes.fromhex(color)
px = sum(1 for i in range(0, n, 3) if a[i:i + 3] == want)
if px < 20000:
    sys.exit("the app's frame does not show the window (%d pixels)" % px)
# two streams of one screen, each rendered and converted on its own: a
# level of rounding apart at most
worst = max(abs(x - y) for x, y in zip(a, b))
if worst > 1:
    diff = sum(1 for i in range(0, n, 3) if a[i:i + 3] != b[i:i + 3])
    sys.exit("the app's frame differs from mutter's own by %d levels "
             "(%d pixels differ)" % (worst, diff))
print("the app's frame is mutter's screen (within %d level): %d pixels "
      "of the window" % (worst, px))
PY
		fail "the frame is not the screen"
	pass "a sandboxed app shared mutter's screen through the portal"
	;;
screencast-deny)
	cast_denied mutter
	;;
screencast-nomutter)
	# the same compositor, but a session bus without mutter on it: no
	# way to share the screen, said before anyone is asked
	answer 0
	as_user dbus-daemon --session --nofork \
		--address="unix:path=$T/out/other-bus" >"$T/other-bus.log" 2>&1 &
	track $!
	wait_for_socket "$T/out/other-bus" || fail "the other bus did not start"
	# the daemon itself, not only the shell as_user ran it in
	for p in $(pgrep -f -- "--address=unix:path=$T/out/other-bus"); do
		track "$p"
	done
	DBUS_SESSION_BUS_ADDRESS=unix:path=$T/out/other-bus \
		"${CASTER[@]}" deny > "$T/client.log" 2>&1 ||
		fail "the client failed: $(cat "$T/client.log")"
	cat "$T/client.log"
	grep -qx "response 2" "$T/client.log" ||
		fail "Start without mutter's API did not answer 2"
	grep -q "cannot share the screen: the compositor offers no wlr-screencopy, and no org.gnome.Mutter.ScreenCast on the session bus" \
		"$T/client.log" || fail "crate-wl did not say why"
	[ ! -s "$T/prompts.log" ] ||
		fail "the user was asked for what cannot be shared"
	[ -z "$(screen_nodes)" ] || fail "a node without mutter's API"
	pass "no wlr-screencopy, no mutter on the bus: Response 2, nobody asked"
	;;
screencast-revoke|screencast-close|screencast-leave)
	cast_ended "${CASE#screencast-}" mutter
	;;
esac
