#!/bin/bash
# The FileChooser portal through real parts (issue 15, item 1): GTK's
# portal file chooser (zenity's GtkFileChooserNative, GTK_USE_PORTAL=1)
# inside the sandbox, the dialog shown by xdg-desktop-portal-gtk on
# headless sway outside it, driven by key presses (wtype), as
# tests/consent/portal-prompt.sh drives the AccessDialog.
# usage: filechooser.sh CRATE_WL CASE root|nobody
CRATE_WL=$1
CASE=$2
. "$(dirname "$0")/../sandbox/common.sh" "$3"
PORTAL_GTK=/usr/libexec/xdg-desktop-portal-gtk
need sway grim wtype dbus-daemon gdbus zenity cksum "$PORTAL_GTK"

mkdir -p "$T/home/Docs"
echo picked > "$T/home/Docs/pick.txt"
echo beside > "$T/home/Docs/beside.txt"
chown -R "$U:$U" "$T/home"

if [ "$AS" = nobody ]; then
	# the user's own session: its bus, compositor and portal backend
	mkdir -m 700 "$T/nbus"
	chown "$U:$U" "$T/nbus"
	export DBUS_SESSION_BUS_ADDRESS=unix:path=$T/nbus/bus
	printf '%s\n' '<busconfig><type>session</type>' \
		"<listen>$DBUS_SESSION_BUS_ADDRESS</listen>" \
		'<auth>EXTERNAL</auth><policy context="default">' \
		'<allow send_destination="*"/><allow receive_sender="*"/>' \
		'<allow own="*"/></policy>' \
		'</busconfig>' > "$T/nbus.conf"
	$RUNAS dbus-daemon --config-file="$T/nbus.conf" --nofork --nopidfile \
		>"$T/dbus.log" 2>&1 &
	track $!
	wait_for_socket "$T/nbus/bus" ||
		fail "dbus-daemon did not start: $(cat "$T/dbus.log")"
	start_sway "$U"
else
	start_session_bus
	start_sway
fi
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
GDK_BACKEND=wayland NO_AT_BRIDGE=1 GTK_A11Y=none GSETTINGS_BACKEND=memory \
	XDG_CACHE_HOME=$T/cache $RUNAS "$PORTAL_GTK" >"$T/portal.log" 2>&1 &
track $!
timeout 10 $RUNAS gdbus wait --session org.freedesktop.impl.portal.desktop.gtk ||
	fail "xdg-desktop-portal-gtk did not appear: $(cat "$T/portal.log" "$T/dbus.log")"
# an idle virtual keyboard, so that the first real key is not lost
wtype -s 3600000 &
track $!

shot() {
	grim -t ppm - 2>/dev/null | cksum
}
sleep 0.2
BASE=$(shot)
[ -n "$BASE" ] || fail "grim cannot take a screenshot"

# chooser SCRIPT: runs sh -c SCRIPT in a sandbox with GTK's portal file
# chooser, in the background; its output in $T/out
chooser() {
	timeout -k 2 40 $RUNAS "$CRATE_WL" run --env GTK_USE_PORTAL=1 \
		--env GDK_BACKEND=wayland --env NO_AT_BRIDGE=1 \
		--env GSETTINGS_BACKEND=memory -- sh -c "$1" \
		>"$T/out" 2>"$T/err" &
	APP_PID=$!
	track $APP_PID
	for _ in $(seq 1 400); do
		[ "$(shot)" != "$BASE" ] && break
		sleep 0.05
	done
	[ "$(shot)" != "$BASE" ] ||
		fail "no dialog on screen: $(cat "$T/out" "$T/err" "$T/portal.log")"
	SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) \
		swaymsg -t get_tree >"$T/tree.json" 2>/dev/null
	grep -q '"app_id": "xdg-desktop-portal-gtk"' "$T/tree.json" ||
		fail "the dialog is not the desktop's: $(grep app_id "$T/tree.json")"
	sleep 0.5
}

# type_path PATH: the location bar, the path, Return
type_path() {
	wtype -s 50 -M ctrl -k l -m ctrl -s 100 "$1" -s 300 -k Return -p F24
	# a completion popup may take the first Return
	sleep 0.7
	kill -0 "$APP_PID" 2>/dev/null && [ "$(shot)" != "$BASE" ] &&
		wtype -k Return -p F24
}

finish() {
	for _ in $(seq 1 300); do
		kill -0 "$APP_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$APP_PID" 2>/dev/null &&
		fail "the app did not end: $(cat "$T/out" "$T/err")"
	wait "$APP_PID"
}

pick=$T/home/Docs/pick.txt
case $CASE in
open)
	chooser 'f=$(zenity --file-selection) || { echo cancelled; exit 0; }
		echo "got=$f"; cat "$f"; ls -A "$(dirname "$f")"
		cat '"$T/home/Docs/beside.txt"' 2>&1; true'
	type_path "$pick"
	finish
	grep -qx "got=$pick" "$T/out" ||
		fail "the app did not get the real path: $(cat "$T/out" "$T/err")"
	grep -qx picked "$T/out" || fail "the chosen file is not there: $(cat "$T/out")"
	pass "OpenFile: the desktop's dialog, the chosen file at its real path"
	grep -qx beside.txt "$T/out" && fail "its directory came with it"
	grep -qx beside "$T/out" && fail "a file beside it is readable"
	pass "nothing else of its directory"
	;;
cancel)
	chooser 'f=$(zenity --file-selection) || echo cancelled
		cat '"$pick"' 2>&1; ls '"$T/home/Docs"' 2>&1; true'
	wtype -s 50 -k Escape -p F24
	finish
	grep -qx cancelled "$T/out" || fail "not cancelled: $(cat "$T/out")"
	grep -qx picked "$T/out" && fail "a cancelled dialog granted the file"
	pass "Escape in the dialog: cancelled, nothing appears"
	;;
save)
	new=$T/home/Docs/new.txt
	chooser 'f=$(zenity --file-selection --save) || exit 1
		echo "got=$f"; echo saved > "$f.tmp" && mv "$f.tmp" "$f"
		sleep 0.3; cat "$f"'
	type_path "$new"
	finish
	grep -qx "got=$new" "$T/out" || fail "save: $(cat "$T/out" "$T/err")"
	[ "$(cat "$new" 2>/dev/null)" = saved ] ||
		fail "the new file is not on the host: $(cat "$T/out" "$T/err")"
	[ -e "$new.tmp" ] && fail "the app's temporary file reached the host"
	pass "SaveFile: Save As a new file, by a temporary file and a rename"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
