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
# mutter runs as the test's user (as root it needs no uid mapping); the
# bus, PipeWire and mutter are ended by pid.
CRATE_WL=$1
CASE=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../sandbox/common.sh" "$3"
need mutter wayland-info python3 gst-launch-1.0 gst-inspect-1.0
# Debian's python3, which python3-gi is for (not one of a version manager's)
PY=
for py in /usr/bin/python3 "$(command -v python3)"; do
	if "$py" -c 'from gi.repository import Gio' 2>/dev/null; then
		PY=$py
		break
	fi
done
[ -n "$PY" ] || skip "python3-gi is not installed"
gst-inspect-1.0 pipewiresrc >/dev/null 2>&1 ||
	skip "GStreamer has no pipewiresrc (gstreamer1.0-pipewire)"

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
		as_user "$CRATE_WL" run --app mutter-foot -- foot "${foot_args[@]}" \
			>"$T/foot.log" 2>&1 &
	fi
	track $!
	n=$(window_seen) || {
		cat "$T/foot.log" >&2
		fail "foot mapped no window on mutter ($CASE)"
	}
	pass "foot ($CASE) mapped a window on mutter: $n pixels of it in mutter's own frame"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
