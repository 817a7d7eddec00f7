#!/bin/bash
# The FileChooser portal through real parts (issue 15, item 1): GTK's
# portal file chooser (zenity's GtkFileChooserNative, GTK_USE_PORTAL=1)
# inside the sandbox, the dialog shown by xdg-desktop-portal-gtk on
# headless sway outside it, driven by key presses (wtype), as
# tests/consent/portal-prompt.sh drives the AccessDialog.
# The gtk4-*, qt-* and savefiles cases: GTK 4's GtkFileChooserNative, Qt
# 5's QFileDialog (QT_QPA_PLATFORMTHEME=xdgdesktopportal) and the
# portal's SaveFiles, from fc-client.py inside. The folder* cases: a
# folder granted whole, or refused (sandbox/grant-check.c). The fake-*
# cases: the desktop's backend is fake-chooser.py ($FAKE_CHOOSER), for
# answers the real dialog cannot give in a test.
# usage: filechooser.sh CRATE_WL CLIENT CASE root|nobody
CRATE_WL=$1
CLIENT=$2
CASE=$3
. "$(dirname "$0")/../sandbox/common.sh" "$4"
PORTAL_GTK=/usr/libexec/xdg-desktop-portal-gtk
need sway grim wtype dbus-daemon gdbus zenity cksum "$PORTAL_GTK"
# the client goes in by a bind of its own (the sandbox sees neither the
# build nor the source tree)
mkdir -m 755 "$T/bin"
cp "$CLIENT" "$T/bin/fc-client.py"
chmod 644 "$T/bin/fc-client.py"
case $CASE in
gtk4-*)
	/usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "4.0")' \
		2>/dev/null || skip "no GTK 4 for Python (gir1.2-gtk-4.0)"
	;;
qt-*)
	/usr/bin/python3 -c 'import PyQt5.QtWidgets' 2>/dev/null ||
		skip "no Qt 5 for Python (python3-pyqt5)"
	[ -e /usr/lib/x86_64-linux-gnu/qt5/plugins/platformthemes/libqxdgdesktopportal.so ] ||
		skip "Qt has no portal platform theme (qt5-xdgdesktopportal-platformtheme)"
	;;
esac

mkdir -p "$T/home/Docs"
echo picked > "$T/home/Docs/pick.txt"
echo beside > "$T/home/Docs/beside.txt"
echo beside > "$T/home/beside.txt"
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
case $CASE in
fake-*)
	# answers no dialog can give here (fake-chooser.py): written by the
	# case into $T/answers before the app asks
	: > "$T/answers"
	: > "$T/asked"
	chmod 644 "$T/answers"
	chmod 666 "$T/asked"
	cp "$FAKE_CHOOSER" "$T/bin/fake-chooser.py"
	$RUNAS /usr/bin/python3 "$T/bin/fake-chooser.py" "$T/answers" "$T/asked" \
		>"$T/portal.log" 2>&1 &
	;;
*)
	GDK_BACKEND=wayland NO_AT_BRIDGE=1 GTK_A11Y=none \
		GSETTINGS_BACKEND=memory XDG_CACHE_HOME=$T/cache \
		$RUNAS "$PORTAL_GTK" >"$T/portal.log" 2>&1 &
	;;
esac
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

# chooser SCRIPT [CRATE_WL_OPTION...]: runs sh -c SCRIPT in a sandbox in
# the background, its output in $T/out; then waits for the desktop's
# dialog on screen. Nothing tells a GTK app to use the portal but what
# crate-wl sets itself
chooser() {
	local script=$1
	shift
	timeout -k 2 40 $RUNAS "$CRATE_WL" run --env GDK_BACKEND=wayland \
		--env NO_AT_BRIDGE=1 --env GSETTINGS_BACKEND=memory \
		--ro-bind "$T/bin:/.test" "$@" -- sh -c "$script" \
		>"$T/out" 2>"$T/err" &
	APP_PID=$!
	track $APP_PID
	# the first window on screen: an app's own dialog counts too, so
	# that the check below can tell them apart
	for _ in $(seq 1 400); do
		[ "$(shot)" != "$BASE" ] && break
		sleep 0.05
	done
	[ "$(shot)" != "$BASE" ] ||
		fail "no dialog on screen: $(cat "$T/out" "$T/err" "$T/portal.log")"
	for _ in $(seq 1 40); do
		SWAYSOCK=$(ls "$SWAY_RT"/sway-ipc.*.sock | head -n1) \
			swaymsg -t get_tree >"$T/tree.json" 2>/dev/null
		grep -q '"app_id": "xdg-desktop-portal-gtk"' "$T/tree.json" &&
			break
		sleep 0.1
	done
	grep -q '"app_id": "xdg-desktop-portal-gtk"' "$T/tree.json" ||
		fail "the dialog is not the desktop's: $(grep '"app_id"' "$T/tree.json")"
	sleep 0.5
}

# the SCRIPT that prints what fc-client.py ARGS got: got=PATH, then the
# file, its directory's entries and the file beside it (or cancelled)
opener() {
	echo 'out=$(python3 /.test/fc-client.py '"$1"') || exit 1
		echo "$out"; f=${out#got=}; [ "$f" != "$out" ] || exit 0
		cat "$f"; ls -A "$(dirname "$f")"
		cat '"$T/home/Docs/beside.txt"' 2>&1; true'
}

# choose_dir DIR, in a folder dialog: from the recent files (where
# nothing can be chosen) to the home folder, then DIR in the location
# bar, without the "/" GTK completes (with it, Return would go in and
# choose what is selected there)
choose_dir() {
	wtype -s 50 -M alt -k Home -m alt -s 500 -p F24
	if [ "$1" = / ]; then
		type_path /
		return
	fi
	wtype -s 50 -M ctrl -k l -m ctrl -s 100 "$1" -s 500 -k Delete \
		-s 300 -k Return -p F24
}

# the SCRIPT of an app that asks GTK 4 for a folder, then prints
# got=PATH, its entries and sub's, a.txt, saves new.txt there, lists its
# parent and reads the home's beside.txt
folder_app() {
	echo 'out=$(python3 /.test/fc-client.py '"${1:-gtk4}"' folder) || exit 1
		echo "$out"; d=${out#got=}; [ "$d" != "$out" ] || exit 0
		ls -A "$d"; echo "sub: $(ls -A "$d/sub" 2>&1)"; cat "$d/a.txt"
		echo new > "$d/new.txt"
		echo "parent: $(ls -A "$(dirname "$d")" | tr "\n" " " |
			sed "s/ $//")"
		cat '"$T/home/beside.txt"' 2>&1; true'
}

# the app got the file chosen, at its real path, and nothing else of
# its directory
check_open() {
	grep -qx "got=$pick" "$T/out" ||
		fail "the app did not get the real path: $(cat "$T/out" "$T/err")"
	grep -qx picked "$T/out" || fail "the chosen file is not there: $(cat "$T/out")"
	pass "$1: the desktop's dialog, the chosen file at its real path"
	grep -qx beside.txt "$T/out" && fail "its directory came with it"
	grep -qx beside "$T/out" && fail "a file beside it is readable"
	pass "nothing else of its directory"
}

# a Save As into a new file by a temporary file and a rename (SCRIPT
# prints got=PATH first)
check_save() {
	grep -qx "got=$new" "$T/out" || fail "save: $(cat "$T/out" "$T/err")"
	[ "$(cat "$new" 2>/dev/null)" = saved ] ||
		fail "the new file is not on the host: $(cat "$T/out" "$T/err")"
	[ -e "$new.tmp" ] && fail "the app's temporary file reached the host"
	pass "$1: Save As a new file, by a temporary file and a rename"
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
new=$T/home/Docs/new.txt
save_then='f=${out#got=}; [ "$f" != "$out" ] || exit 1
	echo saved > "$f.tmp" && mv "$f.tmp" "$f"; sleep 0.3; cat "$f"'
case $CASE in
open)
	chooser 'f=$(zenity --file-selection) || { echo cancelled; exit 0; }
		echo "got=$f"; cat "$f"; ls -A "$(dirname "$f")"
		cat '"$T/home/Docs/beside.txt"' 2>&1; true'
	type_path "$pick"
	finish
	check_open "OpenFile (GTK 3)"
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
	chooser 'f=$(zenity --file-selection --save) || exit 1
		echo "got=$f"; echo saved > "$f.tmp" && mv "$f.tmp" "$f"
		sleep 0.3; cat "$f"'
	type_path "$new"
	finish
	check_save "SaveFile (GTK 3)"
	;;
gtk4-open)
	# GTK 4.8 has no GTK_USE_PORTAL: the portal only in Flatpak or
	# with GDK_DEBUG=portals, which crate-wl sets
	chooser "$(opener "gtk4 open")"
	type_path "$pick"
	finish
	check_open "OpenFile (GTK 4)"
	;;
gtk4-cancel)
	# a cancelled dialog: GTK 4 reads the answer's uris without looking
	# whether they came (without them the app crashed)
	chooser 'python3 /.test/fc-client.py gtk4 open; echo "status=$?"
		cat '"$pick"' 2>&1; true'
	wtype -s 50 -k Escape -p F24
	finish
	grep -qx cancelled "$T/out" && grep -qx status=0 "$T/out" ||
		fail "not cancelled cleanly: $(cat "$T/out" "$T/err")"
	grep -qx picked "$T/out" && fail "a cancelled dialog granted the file"
	pass "Escape in GTK 4's dialog: cancelled, the app goes on, nothing appears"
	;;
gtk4-save)
	chooser 'out=$(python3 /.test/fc-client.py gtk4 save) || exit 1
		echo "$out"; '"$save_then"
	type_path "$new"
	finish
	check_save "SaveFile (GTK 4)"
	;;
qt-open)
	# Qt's switch to the portal's dialog is the platform theme, which
	# crate-wl sets
	chooser "$(opener "qt open")" --env QT_QPA_PLATFORM=wayland
	type_path "$pick"
	finish
	check_open "OpenFile (Qt 5)"
	;;
qt-save)
	chooser 'out=$(python3 /.test/fc-client.py qt save) || exit 1
		echo "$out"; '"$save_then" --env QT_QPA_PLATFORM=wayland
	type_path "$new"
	finish
	check_save "SaveFile (Qt 5)"
	;;
savefiles)
	# several files into a folder the user chooses: each at its real
	# path there, and nothing else of the folder. One name is taken
	# already: the dialog names it anew (xdg-desktop-portal-gtk never
	# overwrites in SaveFiles), and the old file stays as it was
	dest=$T/home/Out
	mkdir -p "$dest"
	echo other > "$dest/other.txt"
	echo old > "$dest/b.txt"
	chown -R "$U:$U" "$dest"
	chooser 'python3 /.test/fc-client.py savefiles a.txt b.txt || exit 1
		ls -A '"$dest"' 2>&1; cat '"$dest/other.txt"' 2>&1; true'
	# a folder: from the recent files view (where nothing can be
	# chosen) to the home folder, then the folder's path
	wtype -s 50 -M alt -k Home -m alt -s 500 -p F24
	type_path "$dest/"
	finish
	got=$(sed -n 's/^got=//p' "$T/out")
	[ "$(echo "$got" | wc -l)" = 2 ] ||
		fail "SaveFiles: $(cat "$T/out" "$T/err")"
	grep -qx "got=$dest/a.txt" "$T/out" ||
		fail "SaveFiles: a.txt not in the folder: $(cat "$T/out")"
	echo "$got" | while read -r f; do
		[ "$(dirname "$f")" = "$dest" ] ||
			fail "SaveFiles: $f is not in the chosen folder"
		[ "$(cat "$f" 2>/dev/null)" = "saved $(basename "$f")" ] ||
			fail "$f is not on the host: $(cat "$T/out" "$T/err")"
	done || exit 1
	[ "$(cat "$dest/b.txt")" = old ] || fail "the old b.txt was overwritten"
	pass "SaveFiles: both files saved into the chosen folder at their real paths"
	grep -qx other.txt "$T/out" && fail "the folder's other files came with them"
	grep -qx other "$T/out" && fail "a file of the folder is readable"
	[ "$(cat "$dest/other.txt")" = other ] || fail "another file changed"
	pass "nothing else of the folder"
	;;
folder|qt-folder)
	# a folder (GTK 4's SELECT_FOLDER, Qt's getExistingDirectory:
	# OpenFile with directory): the whole folder, read-write, at its
	# real path; nothing of its parent
	proj=$T/home/Proj
	mkdir -p "$proj/sub"
	echo inproj > "$proj/a.txt"
	echo deep > "$proj/sub/b.txt"
	chown -R "$U:$U" "$proj"
	# the app stays a moment, for crate-wl ps
	if [ "$CASE" = qt-folder ]; then
		chooser "$(folder_app qt); echo listed; sleep 3" \
			--env QT_QPA_PLATFORM=wayland
	else
		chooser "$(folder_app); echo listed; sleep 3"
	fi
	choose_dir "$proj"
	for _ in $(seq 1 100); do
		grep -qx listed "$T/out" && break
		sleep 0.05
	done
	listed=$(cw ps 2>&1)
	finish
	echo "$listed" | grep -q "granted $proj/\$" ||
		fail "ps does not list the folder: $listed"
	grep -qx "got=$proj" "$T/out" ||
		fail "the app did not get the folder's real path: $(cat "$T/out" "$T/err")"
	grep -qx inproj "$T/out" && grep -qx "sub: b.txt" "$T/out" ||
		fail "the folder is not there whole: $(cat "$T/out")"
	[ "$(cat "$proj/new.txt" 2>/dev/null)" = new ] ||
		fail "what the app saved in it is not on the host: $(cat "$T/out" "$T/err")"
	pass "OpenFile with directory ($([ "$CASE" = qt-folder ] && echo Qt 5 || echo GTK 4)): the whole folder, read-write, at its real path, listed by ps"
	# its parent inside is the sandbox's own home (where the app's
	# toolkit made its .config): Proj in it, nothing of the host's
	parent=$(sed -n 's/^parent: //p' "$T/out")
	case " $parent " in
	*" Proj "*) ;;
	*) fail "the folder is not in its parent: $parent" ;;
	esac
	case " $parent " in
	*" Docs "*|*" beside.txt "*) fail "the host's parent shows: $parent" ;;
	esac
	grep -qx beside "$T/out" && fail "a file beside it is readable"
	pass "nothing of its parent"
	;;
folder-home|folder-root|folder-state|folder-symlink)
	# what must never be granted whole, chosen in the real dialog: the
	# home, the whole file system, a folder holding crate-wl's state, a
	# symlink to the home in a folder (the app's own, maybe): refused,
	# the app hears of a failure and sees nothing
	case $CASE in
	folder-home) pick_dir=$T/home why="it holds $T/home" ;;
	folder-root) pick_dir=/ why="the whole file system" ;;
	folder-state)
		# $XDG_DATA_HOME, which holds crate-wl's (its permission
		# store, the apps' homes, the grants' staging)
		mkdir -p "$XDG_DATA_HOME/crate-wl"
		chown -R "$U:$U" "$XDG_DATA_HOME"
		pick_dir=$XDG_DATA_HOME why="it holds $XDG_DATA_HOME/crate-wl"
		;;
	folder-symlink)
		mkdir -p "$T/home/Work"
		ln -s "$T/home" "$T/home/Work/link"
		chown -R "$U:$U" "$T/home/Work"
		pick_dir=$T/home/Work/link why="it holds $T/home"
		;;
	esac
	chooser "$(folder_app)"
	choose_dir "$pick_dir"
	finish
	grep -qx cancelled "$T/out" ||
		fail "the app got something: $(cat "$T/out" "$T/err")"
	grep -q "not granted: $why" "$T/err" ||
		fail "crate-wl did not say why: $(cat "$T/err")"
	grep -qx beside "$T/out" && fail "the home is readable"
	pass "$pick_dir is refused ($why); the app sees nothing of it"
	;;
fake-folder-readonly|fake-folder-proc|fake-folder-runtime|fake-folder-config)
	# answers a real dialog gives, but not to a test: the desktop's
	# backend is fake-chooser.py here, GTK 4 asks for a folder
	proj=$T/home/Proj
	mkdir -p "$proj/sub" "$XDG_RUNTIME_DIR/pulse" \
		"$XDG_CONFIG_HOME/autostart"
	echo inproj > "$proj/a.txt"
	chown -R "$U:$U" "$proj" "$XDG_CONFIG_HOME"
	# answer_app URI WRITABLE: the app asks, the backend answers that
	answer_app() {
		echo "$1 $2" >> "$T/answers"
		timeout -k 2 40 $RUNAS "$CRATE_WL" run \
			--env GDK_BACKEND=wayland --env NO_AT_BRIDGE=1 \
			--env GSETTINGS_BACKEND=memory \
			--ro-bind "$T/bin:/.test" -- sh -c "$(folder_app)" \
			>"$T/out" 2>"$T/err" || fail "the app failed: $(cat "$T/out" "$T/err")"
	}
	# refused_app URI WHY: refused, and the app sees nothing
	refused_app() {
		answer_app "file://$1" "$2"
		grep -qx cancelled "$T/out" ||
			fail "the app got something: $(cat "$T/out" "$T/err")"
		grep -q "not granted: $3" "$T/err" ||
			fail "crate-wl did not say why: $(cat "$T/err")"
	}
	case $CASE in
	fake-folder-readonly)
		answer_app "file://$proj" false
		grep -q "^directory=True" "$T/asked" ||
			fail "the backend was not asked for a folder: $(cat "$T/asked")"
		grep -qx "got=$proj" "$T/out" && grep -qx inproj "$T/out" ||
			fail "the folder is not there: $(cat "$T/out" "$T/err")"
		[ -e "$proj/new.txt" ] && fail "the app wrote in a read-only folder"
		grep -q "Read-only file system" "$T/err" ||
			fail "the write did not fail as read-only: $(cat "$T/err")"
		pass "writable false: the folder at its real path, read-only"
		;;
	fake-folder-proc)
		refused_app /proc/1 true "it is inside /proc"
		pass "a folder of /proc is refused"
		;;
	fake-folder-runtime)
		refused_app "$XDG_RUNTIME_DIR/pulse" true \
			"it is inside $XDG_RUNTIME_DIR"
		pass "a folder of the session's runtime directory is refused"
		;;
	fake-folder-config)
		refused_app "$XDG_CONFIG_HOME/autostart" true "programs and their settings start from $XDG_CONFIG_HOME"
		pass "\$XDG_CONFIG_HOME/autostart is refused read-write"
		answer_app "file://$XDG_CONFIG_HOME/autostart" false
		grep -qx "got=$XDG_CONFIG_HOME/autostart" "$T/out" ||
			fail "refused read-only too: $(cat "$T/out" "$T/err")"
		pass "and granted read-only"
		;;
	esac
	;;
fake-folder-openfile)
	# folders granted whole, read-only and read-write: OpenDirectory
	# opens each with the user's handler outside; nothing inside them
	# opens (a file, a subfolder, a symlink out): gio and the handler
	# open a path after crate-wl has looked, and the app could make it
	# name another file meanwhile (docs/threat-model.md, OpenURI)
	need gio
	proj=$T/home/Proj
	rw=$T/home/Work
	mkdir -p "$proj/sub" "$rw" "$T/data/applications" "$T/hbin"
	echo inproj > "$proj/a.txt"
	ln -s /etc/hostname "$proj/out.txt"
	echo work > "$rw/c.txt"
	chown -R "$U:$U" "$proj" "$rw"
	cp "$OPENURI_CLIENT" "$T/bin/openuri-client.py"
	chmod 644 "$T/bin/openuri-client.py"
	# the handler: records what it was given
	mkdir -m 777 "$T/opened"
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" >> %s/opened/list\n' "$T" \
		> "$T/hbin/record"
	chmod 755 "$T/hbin/record"
	printf '%s\n' '[Desktop Entry]' Type=Application Name=Recorder \
		"Exec=$T/hbin/record %f" 'MimeType=text/plain;inode/directory;' \
		> "$T/data/applications/recorder.desktop"
	printf '[Default Applications]\n%s\n%s\n' \
		text/plain=recorder.desktop inode/directory=recorder.desktop \
		> "$T/config/mimeapps.list"
	chown -R "$U:$U" "$T/data" "$T/config"
	printf '%s\n' "file://$proj false" "file://$rw true" >> "$T/answers"
	timeout -k 2 40 $RUNAS "$CRATE_WL" run --open-uri allow \
		--env GDK_BACKEND=wayland --env NO_AT_BRIDGE=1 \
		--env GSETTINGS_BACKEND=memory --ro-bind "$T/bin:/.test" -- \
		sh -c 'ro=$(python3 /.test/fc-client.py gtk4 folder) || exit 1
			rw=$(python3 /.test/fc-client.py gtk4 folder) || exit 1
			echo "$ro"; echo "$rw"; ro=${ro#got=}; rw=${rw#got=}
			cat "$ro/a.txt" "$rw/c.txt"
			python3 /.test/openuri-client.py dir "$ro" "$rw"
			python3 /.test/openuri-client.py file "$ro/a.txt" \
				"$ro/out.txt" "$1" "$rw/c.txt"
			python3 /.test/openuri-client.py dir "$ro/sub" "$2"' \
		sh /etc/hostname /etc >"$T/out" 2>"$T/err" ||
		fail "the app failed: $(cat "$T/out" "$T/err")"
	cat "$T/out"
	grep -qx "got=$proj" "$T/out" && grep -qx "got=$rw" "$T/out" &&
		grep -qx inproj "$T/out" && grep -qx work "$T/out" ||
		fail "the folders were not granted: $(cat "$T/out" "$T/err")"
	[ "$(grep -cx 'response 0' "$T/out")" = 2 ] ||
		fail "the two folders did not open: $(tr '\n' ' ' < "$T/out")"
	[ "$(grep -cx 'error org.freedesktop.portal.Error.NotAllowed' \
		"$T/out")" = 6 ] ||
		fail "not all six inside or outside the folders refused: $(tr '\n' ' ' < "$T/out")"
	for f in "$proj" "$rw"; do
		for _ in $(seq 1 100); do
			grep -qxF "$f" "$T/opened/list" 2>/dev/null && break
			sleep 0.05
		done
		grep -qxF "$f" "$T/opened/list" 2>/dev/null ||
			fail "the handler did not get $f: $(cat "$T/opened/list" 2>&1)"
	done
	sleep 0.3
	[ "$(wc -l < "$T/opened/list")" = 2 ] ||
		fail "the handler got more: $(cat "$T/opened/list")"
	pass "granted folders open with OpenDirectory; nothing inside them (a file, a subfolder, a symlink out) opens, read-only or read-write"
	;;
fake-file-readonly|fake-file-writable)
	# "Open files read-only" in the dialog (writable false in its
	# answer): the file at its real path, readable, and nothing the app
	# does changes it on the host, in place or by a rename over it; with
	# writable true, an append reaches the host (the contrast)
	mkdir -p "$T/home/Docs"
	echo original > "$T/home/Docs/r.txt"
	echo beside > "$T/home/Docs/beside.txt"
	chown -R "$U:$U" "$T/home/Docs"
	f=$T/home/Docs/r.txt
	[ "$CASE" = fake-file-readonly ] && w=false || w=true
	echo "file://$f $w" >> "$T/answers"
	timeout -k 2 40 $RUNAS "$CRATE_WL" run \
		--env GDK_BACKEND=wayland --env NO_AT_BRIDGE=1 \
		--env GSETTINGS_BACKEND=memory \
		--ro-bind "$T/bin:/.test" -- sh -c '
out=$(python3 /.test/fc-client.py gtk4 open) || exit 1
echo "$out"; f=${out#got=}; [ "$f" != "$out" ] || exit 0
echo "read: $(cat "$f")"
echo appended >> "$f" && echo "append: ok"
echo replaced > "$f.tmp" && mv "$f.tmp" "$f" && echo "rename: ok"
chmod 777 "$f" && echo "chmod: ok"
cat "$(dirname "$f")/beside.txt" 2>&1; true' \
		>"$T/out" 2>"$T/err" || fail "the app failed: $(cat "$T/out" "$T/err")"
	cat "$T/out" "$T/err"
	grep -qx "got=$f" "$T/out" ||
		fail "the app did not get the file: $(cat "$T/out" "$T/err")"
	grep -qx "read: original" "$T/out" || fail "the app cannot read it"
	grep -qx beside "$T/out" && fail "a file beside it is readable"
	if [ "$CASE" = fake-file-readonly ]; then
		[ "$(cat "$f")" = original ] ||
			fail "the app changed a file opened read-only: $(cat "$f")"
		[ "$(stat -c %a "$f")" != 777 ] ||
			fail "the app changed its mode"
		grep -q "^append: ok\|^rename: ok\|^chmod: ok" "$T/out" &&
			fail "a change to a read-only file was not refused"
		grep -q "Read-only file system" "$T/err" ||
			fail "not refused as read-only: $(cat "$T/err")"
		pass "writable false: the file at its real path, read-only; not in place, not by a rename"
	else
		# the rename's save goes back as the sandbox ends (inotify)
		for _ in $(seq 1 20); do
			[ "$(cat "$f")" = replaced ] && break
			sleep 0.1
		done
		grep -qx "append: ok" "$T/out" && grep -qx "rename: ok" "$T/out" &&
			[ "$(cat "$f")" = replaced ] ||
			fail "a save to a writable file did not reach the host: $(cat "$f")"
		pass "writable true: an append and a save by rename reach the host"
	fi
	;;
*)
	fail "unknown case $CASE"
	;;
esac
