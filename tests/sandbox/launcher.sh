#!/bin/bash
# launcher.sh CRATE_WL CASE root|nobody: what crate-wl run, app, ps, enter,
# stop and install must do.
CRATE_WL=$1
CASE=$2
. "$(dirname "$0")/common.sh" "$3"
# ps inside the sandbox, pgrep outside
need ps pgrep

# run QUIETLY: crate-wl run --no-wayland [OPTS] -- sh -c SCRIPT
sbx() {
	local script=${!#}
	local opts=("${@:1:$#-1}")
	cw run --no-wayland "${opts[@]}" -- sh -c "$script"
}

# the runtime directory holds nothing once every run is over
no_leftovers() {
	local left
	left=$(ls -A "$XDG_RUNTIME_DIR/crate-wl" 2>/dev/null)
	[ -z "$left" ] || fail "left in the runtime directory: $left"
}

case $CASE in
xdg-binds)
	# issue 16, item 6: xdg-download... as user-dirs.dirs says, optional
	# binds skipped with a note, and never the whole home for a name
	CRATE_WL=$(realpath "$CRATE_WL") # runs from the home below, too
	h=$T/h
	mkdir -p "$h/Downloads/sub" "$h/Docs" "$h/.config"
	echo secret > "$h/private"
	echo hello > "$h/Downloads/sub/file"
	chown -R "$U:$U" "$h"
	hc() { HOME=$h XDG_CONFIG_HOME=$h/.config cw "$@"; }
	out=$(hc run --no-wayland --bind xdg-download -- \
		sh -c "cat $h/Downloads/sub/file; echo new > $h/Downloads/new; \
			cat $h/private 2>&1; true") || fail "xdg-download: exit $?"
	echo "$out" | grep -qx hello || fail "xdg-download not bound: $out"
	[ "$(cat "$h/Downloads/new" 2>/dev/null)" = new ] ||
		fail "xdg-download is not read-write"
	echo "$out" | grep -q secret && fail "the home came with it: $out"
	hc run --no-wayland --ro-bind xdg-download/sub -- \
		sh -c "cat $h/Downloads/sub/file && ! echo x > $h/Downloads/sub/x && \
			! ls $h/Downloads/new" >/dev/null 2>&1 ||
		fail "--ro-bind xdg-download/sub is not that directory, read-only"
	pass "xdg-download, read-write and (a part of it) read-only"
	printf 'XDG_DOCUMENTS_DIR="$HOME/Docs"\nXDG_MUSIC_DIR="$HOME/"\nXDG_VIDEOS_DIR="$HOME/.."\n' \
		> "$h/.config/user-dirs.dirs"
	echo doc > "$h/Docs/d"
	out=$(hc run --no-wayland --ro-bind xdg-documents -- cat "$h/Docs/d") &&
		[ "$out" = doc ] || fail "xdg-documents is not user-dirs.dirs' Docs"
	pass "xdg-documents as user-dirs.dirs says"
	for name in music videos; do
		hc run --no-wayland --ro-bind xdg-$name -- cat "$h/private" \
			>"$T/out" 2>"$T/err"
		rc=$?
		[ $rc = 2 ] || fail "xdg-$name (the home or above): exit $rc"
		grep -q secret "$T/out" && fail "xdg-$name gave the home"
		grep -q "home itself" "$T/err" || fail "xdg-$name: $(cat "$T/err")"
		pass "xdg-$name that is the home or above: $(cat "$T/err")"
	done
	hc run --no-wayland --bind xdg-pictures -- true 2>"$T/err"
	[ $? = 2 ] || fail "a missing xdg-pictures did not stop the launch"
	hc run --no-wayland --bind-try xdg-pictures --ro-bind-try /nonexistent \
		-- true 2>"$T/err" || fail "--bind-try: exit $?: $(cat "$T/err")"
	[ "$(grep -c "skipped" "$T/err")" = 2 ] ||
		fail "no note for each skipped bind: $(cat "$T/err")"
	pass "--bind-try: $(tr '\n' ' ' < "$T/err")"
	# in a manifest: ?PATH is optional, and still absolute, ~/ or xdg-
	printf '[app]\nname = opt\nexec = true\n[sandbox]\nwayland = false\nbind = ?~/Missing\nro-bind = ?xdg-pictures\n' \
		> "$T/opt.crate"
	hc app --yes "$T/opt.crate" 2>"$T/err" ||
		fail "optional binds in a manifest: $(cat "$T/err")"
	for bad in 'bind = ?Missing' 'bind-try = relative' 'ro-bind = ?../x'; do
		printf '[app]\nname = opt\nexec = true\n[sandbox]\nwayland = false\n%s\n' \
			"$bad" > "$T/bad.crate"
		(cd "$h" && hc app --yes "$T/bad.crate") 2>"$T/err" &&
			fail "a manifest's '$bad' ran"
		grep -q "absolutely" "$T/err" || fail "'$bad': $(cat "$T/err")"
	done
	pass "a manifest's optional binds are still absolute"
	;;
override)
	# issue 16, item 2: the user's changes over a stock manifest, never
	# for a file that merely takes its name, checked as a manifest is
	CRATE_WL=$(realpath "$CRATE_WL")
	mkdir -p "$T/apps" "$T/elsewhere" "$T/data"
	chown "$U:$U" "$T/data"
	printf '[app]\nname = tell\nexec = sh -c "echo v=$V; ls /data 2>&1; true"\n[sandbox]\nwayland = false\n' \
		> "$T/apps/tell.crate"
	sum=$(sha256sum < "$T/apps/tell.crate")
	export CRATE_WL_APPS=$T/apps
	ov=$XDG_CONFIG_HOME/crate-wl/overrides/tell
	cw override tell sandbox.env=V=42 "sandbox.ro-bind=$T/data:/data" \
		>"$T/out" 2>&1 || fail "override: $(cat "$T/out")"
	touch "$T/data/seen"
	out=$(cw app --yes tell 2>&1) || fail "app: $out"
	echo "$out" | grep -qx "v=42" && echo "$out" | grep -qx seen ||
		fail "the overrides did not apply: $out"
	[ "$(sha256sum < "$T/apps/tell.crate")" = "$sum" ] ||
		fail "the stock manifest changed"
	cw override tell | grep -q "env = V=42" || fail "override APP does not show them"
	pass "override: applied over the manifest, which stays stock"
	# a copy elsewhere calls itself tell: it is not the installed app
	cp "$T/apps/tell.crate" "$T/elsewhere/tell.crate"
	out=$(cw app --yes "$T/elsewhere/tell.crate" 2>&1)
	echo "$out" | grep -q "v=42" && fail "a file named tell got tell's overrides"
	pass "a file that takes the name gets none of them"
	cp "$ov" "$T/ov.before"
	for bad in 'sandbox.bind=relative/path' 'app.exec=evil' \
			"$(printf 'sandbox.env=A=1\n[wayland]\npolicy=trusted')" \
			'wayland.prompt=cmd:/bin/evil' 'sandbox.nosuch=1' 'nodot'; do
		cw override tell "$bad" >/dev/null 2>"$T/err"
		[ $? = 2 ] || fail "override '$bad' was taken: $(cat "$T/err")"
		[ "$(wc -l < "$T/err")" = 1 ] || fail "'$bad': $(cat "$T/err")"
		cmp -s "$ov" "$T/ov.before" || fail "'$bad' changed the file"
	done
	pass "a bad override is one line, and changes nothing"
	cw override nosuchapp sandbox.net=nat 2>/dev/null && fail "no such app"
	cw override tell --reset >/dev/null || fail "--reset"
	[ -e "$ov" ] && fail "--reset left the file"
	out=$(cw app --yes tell 2>&1)
	echo "$out" | grep -q "v=42" && fail "still overridden after --reset"
	pass "--reset"
	# an app cannot write its own overrides: they are crate-wl's state
	cw override tell sandbox.env=V=1 >/dev/null || fail "override again"
	printf '[app]\nname = tell\nexec = sh -c "echo x >> %s; ls %s"\n[sandbox]\nwayland = false\n' \
		"$ov" "$(dirname "$ov")" > "$T/apps/tell.crate"
	cw app --yes tell >/dev/null 2>&1
	grep -q "^x" "$ov" && fail "the app wrote its own overrides"
	pass "the app cannot write its overrides"
	;;
app-data)
	# issue 15, items 5 and 6: an app keeps its data by default, one
	# sandbox has it at a time (a second start runs in that one),
	# --new-instance is a sandbox of its own, reset-data wipes it
	CRATE_WL=$(realpath "$CRATE_WL")
	mkdir -p "$T/apps"
	# each run says which pid namespace it ran in; the first one waits
	printf '%s\n' '[app]' 'name = keeper' \
		'exec = sh -c "echo $1 > ~/ran-$1; echo ns=$(readlink /proc/self/ns/pid); cat ~/kept 2>/dev/null; echo kept > ~/kept; [ $1 = first ] && sleep 30; true" sh' \
		'[sandbox]' 'wayland = false' > "$T/apps/keeper.crate"
	export CRATE_WL_APPS=$T/apps
	data=$XDG_DATA_HOME/crate-wl/apps/keeper
	out=$(cw app keeper once 2>&1) || fail "app: $out"
	out=$(cw app keeper again 2>&1) || fail "app: $out"
	echo "$out" | grep -qx kept || fail "the home was not kept: $out"
	[ -f "$data/home/kept" ] || fail "no $data/home/kept"
	pass "an app keeps its home in $data/home"
	# caches go there too, whatever the passwd entry says (Mesa's
	# shader cache looks there, not at $HOME)
	cw run --no-wayland --app cachey --home persist -- sh -c \
		'mkdir -p "$XDG_CACHE_HOME" && echo x > "$XDG_CACHE_HOME/probe"' ||
		fail "cachey"
	[ -f "$XDG_DATA_HOME/crate-wl/apps/cachey/home/.cache/probe" ] ||
		fail "XDG_CACHE_HOME inside is not in the kept home"
	pass "XDG_CACHE_HOME and the others are in the kept home"
	# settings too, as the stock GTK apps keep them (issue 15, item 4)
	if command -v gsettings >/dev/null &&
			gsettings list-schemas | grep -qx org.gtk.Demo4; then
		cw run --no-wayland --app cachey --home persist \
			--env GSETTINGS_BACKEND=keyfile -- \
			gsettings set org.gtk.Demo4 maximized true >/dev/null 2>&1 ||
			fail "gsettings set"
		out=$(cw run --no-wayland --app cachey --home persist \
			--env GSETTINGS_BACKEND=keyfile -- \
			gsettings get org.gtk.Demo4 maximized 2>&1)
		[ "$out" = true ] || fail "a setting was not kept: $out"
		pass "settings kept between runs (GSETTINGS_BACKEND=keyfile)"
	fi
	cw app keeper first > "$T/first" 2>&1 &
	first=$!
	for _ in $(seq 100); do
		[ -e "$data/home/ran-first" ] && break
		sleep 0.1
	done
	[ -e "$data/home/ran-first" ] || fail "the first run did not start"
	ns1=$(grep '^ns=' "$T/first")
	out=$(cw app keeper second 2>&1) || fail "second: $out"
	ns2=$(echo "$out" | grep '^ns=')
	[ -n "$ns1" ] && [ "$ns1" = "$ns2" ] ||
		fail "the second start ran elsewhere: '$ns1' then '$ns2' ($out)"
	[ "$(cw ps | grep -c keeper)" = 1 ] || fail "two sandboxes: $(cw ps)"
	pass "a second start runs in the running sandbox ($ns1)"
	out=$(cw app --new-instance keeper third 2>&1) || fail "third: $out"
	ns3=$(echo "$out" | grep '^ns=')
	[ -n "$ns3" ] && [ "$ns3" != "$ns1" ] || fail "--new-instance: $out"
	echo "$out" | grep -qx kept && fail "--new-instance got the kept home"
	[ -e "$data/home/ran-third" ] && fail "--new-instance wrote the app's data"
	pass "--new-instance: a sandbox and a home of its own"
	out=$(cw run --no-wayland --app keeper --home persist -- true 2>&1) &&
		fail "a second sandbox on the same data ran"
	[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "running already" ||
		fail "a second sandbox on the data: $out"
	pass "no second sandbox on the same data: $out"
	out=$(cw reset-data --yes keeper 2>&1) && fail "reset-data while it runs"
	echo "$out" | grep -q "is running" || fail "reset-data while running: $out"
	[ -f "$data/home/kept" ] || fail "reset-data removed data of a running app"
	pass "reset-data refuses while the app runs"
	cw stop keeper >/dev/null || fail "stop"
	wait "$first"
	# what the app left: a link to the user's file, a folder it made
	# unwritable; reset-data removes the link, never what it points to
	echo precious > "$T/precious"
	chmod 644 "$T/precious"
	ln -s "$T/precious" "$data/home/link"
	mkdir -p "$data/home/locked/deep"
	touch "$data/home/locked/deep/f"
	chown -R "$U:$U" "$data/home/locked" "$data/home/link" 2>/dev/null
	chmod 500 "$data/home/locked/deep" "$data/home/locked"
	cw reset-data keeper < /dev/null > "$T/out" 2>&1 && fail "reset-data without --yes nor a terminal"
	[ -f "$data/home/kept" ] || fail "reset-data without --yes removed"
	out=$(cw reset-data --yes keeper 2>&1) || fail "reset-data: $out"
	[ -e "$data" ] && fail "reset-data left $(ls -A "$data")"
	[ "$(cat "$T/precious")" = precious ] || fail "reset-data followed a link"
	out=$(cw app keeper fresh 2>&1) || fail "app after reset-data: $out"
	echo "$out" | grep -qx kept && fail "the data came back"
	pass "reset-data: gone, links not followed"
	cw reset-data --yes ../x >/dev/null 2>&1
	[ $? = 2 ] || fail "reset-data ../x"
	out=$(cw app --dry-run keeper 2>&1) || fail "--dry-run: $out"
	pass "reset-data refuses a path for a name"
	;;
no-compositor)
	# issue 16, item 8: without a compositor to talk to, crate-wl says so
	# in one line before anything starts, whatever is wrong with it
	mkdir -m 777 "$T/m"
	try() {
		local what=$1 want=$2
		rm -f "$T/m/started"
		WAYLAND_DISPLAY=$T/wl-$what cw run --bind "$T/m:/m" -- \
			sh -c 'touch /m/started' 2>"$T/err"
		rc=$?
		[ $rc = 1 ] || fail "$what: exit $rc, not 1: $(cat "$T/err")"
		[ -e "$T/m/started" ] && fail "$what: the command ran"
		[ "$(wc -l < "$T/err")" = 1 ] ||
			fail "$what: not one line: $(cat "$T/err")"
		grep -q "$want" "$T/err" ||
			fail "$what: no '$want' in: $(cat "$T/err")"
		pass "$what: $(cat "$T/err")"
	}
	try missing "cannot connect to the compositor at $T/wl-missing"
	# a socket left by a compositor that died: nobody listens
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
		"$T/wl-dead"
	chmod 777 "$T/wl-dead"
	try dead "Connection refused"
	# a compositor that hangs: the connection is taken, nothing answers
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
s.listen(8)
c = s.accept()[0]
time.sleep(60)' "$T/wl-hung" &
	track $!
	for _ in $(seq 1 100); do [ -S "$T/wl-hung" ] && break; sleep 0.02; done
	start=$(date +%s%N)
	try hung "does not answer"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ $ms -lt 6000 ] || fail "the hung compositor held crate-wl $ms ms"
	# something else on the socket
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
s.listen(8)
while True:
    c = s.accept()[0]; c.recv(64); c.sendall(b"HTTP/1.0 400 Bad\r\n\r\n"); c.close()' "$T/wl-other" &
	track $!
	for _ in $(seq 1 100); do [ -S "$T/wl-other" ] && break; sleep 0.02; done
	try other "is not a Wayland compositor's socket"
	;;
exit-status)
	sbx 'exit 3'
	[ $? = 3 ] || fail "exit 3 came out as $?"
	sbx 'exit 0' || fail "exit 0 came out as $?"
	cw run --no-wayland -- /nonexistent/command 2>"$T/err"
	rc=$?
	[ $rc = 127 ] || fail "a missing command gave $rc, not 127"
	grep -q "cannot run /nonexistent/command" "$T/err" ||
		fail "no clear error: $(cat "$T/err")"
	# killed by a signal: crate-wl dies of the same signal
	sbx 'kill -TERM $$'
	rc=$?
	[ $rc = 143 ] || fail "a command killed by SIGTERM gave $rc"
	cw run --bogus-option -- true 2>/dev/null
	[ $? = 2 ] || fail "a bad option is not exit 2"
	# what the command left running ends with it, before crate-wl
	# returns (and only the command: one process, nothing to kill).
	# -x: the init, still ending after crate-wl returned, carries
	# crate-wl's command line, which holds the same words
	mark=1000.$$$RANDOM
	sbx "sleep $mark & exit 4"
	[ $? = 4 ] || fail "exit 4 with a process left came out as $?"
	pgrep -f -x "sleep $mark" && fail "the command's background process outlived crate-wl"
	sbx 'exit 5'
	[ $? = 5 ] || fail "exit 5 came out as $?"
	no_leftovers
	pass "exit status is the command's"
	;;
signals)
	# crate-wl passes SIGTERM on; the command decides how to end
	# crate-wl itself in the background ($! must be it, not a wrapper)
	$RUNAS "$CRATE_WL" run --no-wayland -- sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.05; done' >"$T/out" &
	pid=$!
	track $pid
	for _ in $(seq 1 200); do grep -q ready "$T/out" && break; sleep 0.02; done
	grep -q ready "$T/out" || fail "the command did not start"
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc = 42 ] || fail "SIGTERM was not passed on (exit $rc)"
	no_leftovers
	pass "signals reach the command"
	;;
isolation)
	out=$(sbx 'echo "uid=$(id -u) gid=$(id -g)"; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status; echo "pid1=$(cat /proc/1/comm)"; ps -e -o pid= | wc -l; ls -A $XDG_RUNTIME_DIR | wc -l; ls -A /tmp; cat /proc/self/mountinfo | grep -c " / / ro,"')
	echo "$out"
	echo "$out" | grep -q "^uid=$U gid=$U$" || fail "not the same uid/gid inside"
	echo "$out" | grep -q "^CapEff:	0000000000000000$" || fail "capabilities left"
	echo "$out" | grep -q "^CapBnd:	0000000000000000$" || fail "bounding set left"
	echo "$out" | grep -q "^NoNewPrivs:	1$" || fail "no no_new_privs"
	echo "$out" | grep -q "^Seccomp:	2$" || fail "no seccomp filter"
	# the init's, inherited: a second copy would double its cost
	echo "$out" | grep -q "^Seccomp_filters:	1$" || fail "not one filter"
	echo "$out" | grep -q "^pid1=crate-wl-init$" || fail "pid 1 is not the reaper"
	[ "$(echo "$out" | sed -n 8p)" -le 4 ] || fail "host processes visible"
	[ "$(echo "$out" | sed -n 9p)" = 0 ] || fail "runtime dir not empty"
	# /tmp holds at most the way to $HOME (which is under /tmp here)
	tmp=$(echo "$out" | sed -n 10p)
	case $HOME in
	/tmp/"$tmp"/*) ;;
	*) fail "/tmp is not empty: $tmp" ;;
	esac
	[ "$(echo "$out" | sed -n 11p)" = 1 ] || fail "/ is not read-only"
	pass "namespaces, capabilities, no_new_privs, seccomp, reaper"
	;;
binds)
	mkdir -m 755 "$T/rw" "$T/ro"
	chown "$U:$U" "$T/rw"
	echo hello > "$T/ro/file"
	sbx --bind "$T/rw:/data" --ro-bind "$T/ro" \
		"echo written > /data/out && cat $T/ro/file && ! touch $T/ro/x 2>/dev/null" \
		>"$T/out" || fail "binds: $(cat "$T/out")"
	[ "$(cat "$T/rw/out")" = written ] || fail "a write through --bind is lost"
	grep -q hello "$T/out" || fail "--ro-bind is not readable"
	[ ! -e "$T/ro/x" ] || fail "--ro-bind was writable"
	cw run --no-wayland --bind "$T/missing" -- true 2>"$T/err"
	[ $? = 2 ] || fail "a missing bind source is not an error"
	grep -q "$T/missing" "$T/err" || fail "the error does not name the path"
	sbx --env FOO=bar 'test "$FOO" = bar' || fail "--env"
	no_leftovers
	pass "--bind, --ro-bind, --env"
	;;
home)
	sbx --app keep --home persist 'echo kept > ~/note' || fail "run 1"
	out=$(sbx --app keep --home persist 'cat ~/note') || fail "run 2"
	[ "$out" = kept ] || fail "--home persist lost its file"
	[ -f "$XDG_DATA_HOME/crate-wl/apps/keep/home/note" ] ||
		fail "persistent home is not in XDG_DATA_HOME"
	sbx --app keep 'echo x > ~/note' || fail "tmpfs home"
	out=$(sbx --app keep 'ls -A ~ | wc -l')
	[ "$out" = 0 ] || fail "a tmpfs home is not empty"
	[ "$(cat "$XDG_DATA_HOME/crate-wl/apps/keep/home/note")" = kept ] ||
		fail "a tmpfs home wrote to the persistent one"
	pass "--home persist keeps files, tmpfs does not"
	;;
toolkit-env)
	# what makes GTK 3, GTK 4 and Qt use the portals, and a value the
	# user gave kept (crate-wl-portals(7), WHAT THE APP SEES): the
	# environment --dry-run prints is the one the command gets (the
	# filechooser-* tests run the toolkits on it)
	show() {
		cw run --dry-run "$@" -- true | sed -n \
			's/^  \(\(GTK_USE_PORTAL\|GDK_DEBUG\|QT_QPA_PLATFORMTHEME\)=\)/\1/p' |
			sort | paste -sd' '
	}
	out=$(show)
	[ "$out" = "GDK_DEBUG=portals GTK_USE_PORTAL=1 QT_QPA_PLATFORMTHEME=xdgdesktopportal" ] ||
		fail "the toolkits' switches: $out"
	pass "GTK 3, GTK 4 and Qt are told to use the portals"
	out=$(show --env GDK_DEBUG=misc --env QT_QPA_PLATFORMTHEME=gtk3)
	[ "$out" = "GDK_DEBUG=misc,portals GTK_USE_PORTAL=1 QT_QPA_PLATFORMTHEME=gtk3" ] ||
		fail "with --env GDK_DEBUG and QT_QPA_PLATFORMTHEME: $out"
	pass "a GDK_DEBUG of the user's gets portals added; their Qt theme stays"
	;;
dry-run)
	mkdir -m 777 "$T/d"
	cw run --dry-run --bind "$T/d:/d" -- sh -c 'touch /d/ran' >"$T/plan" ||
		fail "dry-run failed"
	[ ! -e "$T/d/ran" ] || fail "--dry-run ran the command"
	for want in "namespaces: user mount pid ipc uts net" "bind .*/d <- $T/d" \
			"tmpfs *$HOME" "ptrace -> EPERM" "clone3 -> ENOSYS" \
			"ioctl -> EPERM if (arg1 & 0xffffffff) == 0x5412" \
			"policy" "seccomp"; do
		grep -q -- "$want" "$T/plan" || fail "the plan lacks '$want'"
	done
	# the root: the host's cloned whole when every mount point is there
	# (binds under /tmp are on the sandbox's own tmpfs)...
	cw run --dry-run --bind "$T/d" -- true >"$T/plan" || fail "dry-run"
	grep -q '^  root  *\/ <- \/ (read-only' "$T/plan" ||
		fail "the host root is not cloned whole: $(cat "$T/plan")"
	grep -q '^  remount-ro' "$T/plan" && fail "whole root remounted"
	grep -q '^  hide  *\/mnt$' "$T/plan" ||
		fail "/mnt is not hidden: $(cat "$T/plan")"
	# only the system's software of the host's top level: /srv hidden,
	# a /var of the sandbox's own
	grep -q '^  hide  *\/srv$' "$T/plan" || [ ! -d /srv ] ||
		fail "/srv is not hidden: $(cat "$T/plan")"
	grep -q '^  tmpfs  *\/var ' "$T/plan" ||
		fail "no /var of the sandbox's own: $(cat "$T/plan")"
	grep -q '^  hide  *\/usr$' "$T/plan" && fail "/usr is hidden"
	# ...and entry by entry on a tmpfs root when a mount point is missing
	# (/d above, or one under /mnt, which is empty and read-only)
	for dst in /d /mnt/d; do
		[ -e "$dst" ] && continue
		cw run --dry-run --bind "$T/d:$dst" -- true >"$T/plan" ||
			fail "dry-run"
		grep -q '^  root ' "$T/plan" && fail "whole root for $dst"
		grep -q '^  remount-ro *\/$' "$T/plan" ||
			fail "no tmpfs root for $dst: $(cat "$T/plan")"
	done
	sbx --bind "$T/d:/mnt/d" 'touch /mnt/d/ran' || fail "bind under /mnt"
	[ -e "$T/d/ran" ] || fail "the bind under /mnt did not work"
	no_leftovers
	pass "--dry-run prints the plan and runs nothing"
	;;
json-status)
	cw run --no-wayland --json-status 3 -- sh -c 'exit 5' 3>"$T/status"
	[ $? = 5 ] || fail "exit status"
	grep -q '"child-pid": [0-9]' "$T/status" || fail "no child-pid: $(cat "$T/status")"
	grep -q '"exit-code": 5' "$T/status" || fail "no exit-code: $(cat "$T/status")"
	pass "--json-status"
	;;
seccomp-builtin)
	# the filter is built into crate-wl: nothing is written for it, and
	# an allow-all program planted where crate-wl once cached it (or
	# anywhere in its cache) changes nothing
	ESCAPE=${ESCAPE:-$(dirname "$CRATE_WL")/../tests/sandbox/escape}
	[ -x "$ESCAPE" ] || fail "no escape helper at $ESCAPE"
	cp "$ESCAPE" "$T/escape" && chmod 755 "$T/escape"
	sbx true || fail "first run"
	mkdir -p "$XDG_CACHE_HOME/crate-wl" && chown "$U:$U" "$XDG_CACHE_HOME/crate-wl"
	ls "$XDG_CACHE_HOME"/crate-wl/seccomp-*.bpf >/dev/null 2>&1 &&
		echo "a cached BPF program, to be replaced"
	as_user "$T/escape" plant-bpf "$XDG_CACHE_HOME/crate-wl" >/dev/null
	sbx --ro-bind "$T/escape:/.test/escape" "/.test/escape keyctl"
	[ $? = 10 ] || fail "an allow-all program in the cache unfiltered the sandbox"
	sbx 'grep -q "^Seccomp:	2" /proc/self/status' || fail "no filter"
	pass "the seccomp filter is built in: a planted program is not loaded"
	;;
nested)
	# issue 15, item 8: nested-sandbox = allow lets the app make
	# namespaces of its own (a browser's sandbox), bounded, with the
	# filter and the sandbox's mounts still over them; without it the
	# kernel itself refuses them too (limits of 0)
	out=$(sbx 'cat /proc/sys/user/max_user_namespaces; unshare -U true 2>&1; echo rc=$?')
	[ "$(echo "$out" | head -1)" = 0 ] || fail "the namespace limit is not 0: $out"
	echo "$out" | grep -qx 'rc=0' && fail "a user namespace without nested-sandbox"
	pass "no nested namespace by default (limit 0 and the filter)"
	out=$(sbx --nested-sandbox 'cat /proc/sys/user/max_user_namespaces')
	[ "$out" = 64 ] || fail "--nested-sandbox: the limit is '$out'"
	if [ "$AS" = root ]; then
		# a nested namespace cannot map uid 0 without CAP_SETFCAP
		pass "nested sandboxes: limit 64 (root: its uid 0 cannot be mapped below)"
		exit 0
	fi
	touch "$T/nested-marker"
	out=$(sbx --nested-sandbox 'unshare -Urm sh -c "id -u; mount -t tmpfs none /mnt && echo own-mount; touch /usr/x 2>/dev/null && echo usr-written; mount -o remount,bind,rw /usr 2>/dev/null && echo usr-remounted; echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sysctl-written; mount -t proc proc /proc 2>/dev/null && echo proc-mounted; umount -i -n -l /tmp 2>/dev/null && echo tmp-unmounted; umount -i -n /proc/sys 2>/dev/null && echo sys-unmounted; test -e '"$T/nested-marker"' && echo host-tmp-seen; true"')
	echo "$out" | grep -qx 0 && echo "$out" | grep -qx own-mount ||
		fail "no namespace of its own with --nested-sandbox: $out"
	echo "$out" | grep -E -q 'usr-|sysctl-|proc-mounted|unmounted|host-tmp' &&
		fail "a nested namespace undid the sandbox's mounts: $out"
	pass "a nested namespace is the app's own; the sandbox's mounts hold over it"
	out=$(sbx --nested-sandbox 'for i in $(seq 72); do unshare -U sleep 3 2>/dev/null & done; sleep 1; n=0; me=$(readlink /proc/self/ns/user); for p in /proc/[0-9]*; do u=$(readlink $p/ns/user 2>/dev/null); [ -n "$u" ] && [ "$u" != "$me" ] && n=$((n + 1)); done; echo $n; wait')
	[ "$out" -le 64 ] && [ "$out" -ge 32 ] ||
		fail "72 nested namespaces at once: $out alive, not at most 64"
	pass "nested namespaces are bounded: $out of 72 made"
	if command -v chromium >/dev/null; then
		sbx 'chromium --headless=new --dump-dom "data:text/html,<p>nested-ok</p>"' \
			>"$T/out" 2>"$T/err"
		grep -q "No usable sandbox" "$T/err" ||
			fail "chromium ran its sandbox without nested-sandbox: $(tail -3 "$T/err")"
		out=$(sbx --nested-sandbox 'chromium --headless=new "data:text/html,<p>x</p>" >/dev/null 2>&1 & sleep 8; me=$(readlink /proc/self/ns/user); for p in /proc/[0-9]*; do grep -q -- "--type=renderer" $p/cmdline 2>/dev/null || continue; echo "renderer $( [ "$(readlink $p/ns/user)" != "$me" ] && echo own-userns) $(awk "/Seccomp_filters/ { print \$2 }" $p/status)"; done; kill $!')
		echo "$out" | grep -q '^renderer own-userns [2-9]' ||
			fail "chromium's renderers are not in its sandbox: $out"
		pass "chromium's own sandbox: renderers in a user namespace of theirs, under its filter and ours"
	fi
	;;
enter-early)
	# enter never joins a sandbox still being made, whose mounts are
	# still the host's: the host's /tmp (where this test's files are)
	# would show there. Entered as fast as it can be, from the start.
	touch "$T/host-marker"
	chmod 755 "$T"
	leaks=0
	entered=0
	for i in $(seq 20); do
		$RUNAS "$CRATE_WL" run --no-wayland --app early -- sleep 5 \
			>/dev/null 2>&1 &
		pid=$!
		track $pid
		out=
		for _ in $(seq 1000); do
			out=$(as_user "$CRATE_WL" enter early sh -c \
				"test -e $T/host-marker && echo LEAK || echo inside" \
				2>/dev/null) && break
		done
		case $out in
		*LEAK*) leaks=$((leaks + 1)) ;;
		*inside*) entered=$((entered + 1)) ;;
		esac
		cw stop early >/dev/null 2>&1
		wait $pid
	done
	[ $leaks = 0 ] || fail "enter joined $leaks sandboxes before they were whole (of 20)"
	[ $entered = 20 ] || fail "enter got into $entered of 20 sandboxes"
	pass "enter joins only whole sandboxes (20 of 20, entered at once)"
	;;
instances)
	$RUNAS "$CRATE_WL" run --no-wayland --app demo -- sh -c 'echo inside > /tmp/m; echo ready; exec sleep 60' >"$T/out" &
	pid=$!
	track $pid
	for _ in $(seq 1 200); do grep -q ready "$T/out" && break; sleep 0.02; done
	as_user "$CRATE_WL" ps >"$T/ps" || fail "ps"
	cat "$T/ps"
	grep -q " demo " "$T/ps" || fail "ps does not list the sandbox"
	id=$(awk '$2 == "demo" { print $1 }' "$T/ps")
	[ -n "$id" ] || fail "no id"
	# ps --json: the same, one object a line (issue 16, item 7)
	as_user "$CRATE_WL" ps --json >"$T/ps.json" || fail "ps --json"
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
demo = [r for r in rows if r["app"] == "demo"]
assert len(demo) == 1, rows
d = demo[0]
assert d["id"] == sys.argv[2], d
assert d["pid"] > 1 and d["uptime"] >= 0 and d["started"] > 1700000000, d
assert "sleep 60" in d["command"] and d["devel"] is False, d
' "$T/ps.json" "$id" || fail "ps --json: $(cat "$T/ps.json")"
	# the instance is told from a reused pid by its start time (field
	# 22 of /proc/PID/stat; field 23, the size, changes as it runs)
	info="$XDG_RUNTIME_DIR/crate-wl/$id/info"
	ipid=$(sed -n 's/^pid=//p' "$info")
	saved=$(sed -n 's/^starttime=//p' "$info")
	real=$(sed 's/.*) //' "/proc/$ipid/stat" | awk '{ print $20 }')
	[ "$saved" = "$real" ] ||
		fail "the instance's start time is $saved, /proc/$ipid/stat says $real"
	# an instance file cut short (one still being written) is no
	# instance: not listed, not entered, and not removed
	part="$XDG_RUNTIME_DIR/crate-wl/0partial"
	$RUNAS mkdir -m 700 "$part"
	head -c "$(( $(stat -c %s "$info") - 1 ))" "$info" |
		sed 's/^id=.*/id=0partial/' | $RUNAS tee "$part/info" >/dev/null
	as_user "$CRATE_WL" ps | grep -q "^0partial" &&
		fail "ps lists an instance whose file is cut short"
	cw enter 0partial true 2>/dev/null &&
		fail "enter into an instance whose file is cut short"
	[ -f "$part/info" ] || fail "a starting instance's file was removed"
	rm -r "$part"
	out=$(cw enter "$id" cat /tmp/m) || fail "enter failed"
	[ "$out" = inside ] || fail "enter is not inside the sandbox: $out"
	out=$(cw enter demo sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status')
	echo "$out" | grep -q "CapEff:	0000000000000000" || fail "enter keeps capabilities"
	echo "$out" | grep -q "Seccomp:	2" || fail "enter has no seccomp"
	cw enter demo sh -c 'mount -t tmpfs none /tmp' 2>/dev/null &&
		fail "enter can mount"
	cw stop "$id" || fail "stop"
	wait $pid
	as_user "$CRATE_WL" ps | grep -q " demo " && fail "still listed after stop"
	no_leftovers
	cw enter "$id" true 2>/dev/null && fail "enter into a stopped sandbox"
	pass "ps, enter, stop"
	;;
die-with-parent)
	# crate-wl killed outright: the whole sandbox goes with it
	$RUNAS "$CRATE_WL" run --no-wayland --app orphan --json-status 3 -- \
		sh -c 'sleep 60 & echo ready; exec sleep 60' \
		3>"$T/status" >"$T/out" &
	pid=$!
	track $pid
	for _ in $(seq 1 200); do grep -q ready "$T/out" && break; sleep 0.02; done
	grep -q ready "$T/out" || fail "the command did not start"
	init=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' "$T/status")
	[ -n "$init" ] || fail "no child-pid"
	inside=$(cat /proc/$init/task/$init/children)
	[ -n "$inside" ] || fail "no processes in the sandbox"
	kill -KILL $pid
	wait $pid 2>/dev/null
	for _ in $(seq 1 250); do
		alive=
		for p in $init $inside; do kill -0 $p 2>/dev/null && alive="$alive $p"; done
		[ -z "$alive" ] && break
		sleep 0.02
	done
	[ -z "$alive" ] || fail "left running after crate-wl died:$alive"
	as_user "$CRATE_WL" ps | grep -q " orphan " && fail "ps lists a dead sandbox"
	no_leftovers
	pass "the sandbox dies with crate-wl; ps removes what it left"
	;;
manifest)
	mkdir -p "$XDG_CONFIG_HOME/crate-wl/apps"
	cat > "$XDG_CONFIG_HOME/crate-wl/apps/hello.crate" <<'CRATE'
#!/usr/bin/env -S crate-wl app
[app]
name = hello
exec = sh -c 'echo "hello $FOO $*"' hello
[sandbox]
env = FOO=from-manifest
wayland = false
[wayland]
policy = strict
CRATE
	chmod 755 "$XDG_CONFIG_HOME/crate-wl/apps/hello.crate"
	chown -R "$U:$U" "$XDG_CONFIG_HOME"
	out=$(cw app hello a b) || fail "app by name"
	[ "$out" = "hello from-manifest a b" ] || fail "app by name: $out"
	out=$(cw app --env FOO=flag hello) || fail "option over manifest"
	[ "$out" = "hello flag " ] || fail "options do not win: '$out'"
	out=$(PATH=$(dirname "$CRATE_WL"):$PATH timeout 20 $RUNAS \
		"$XDG_CONFIG_HOME/crate-wl/apps/hello.crate" x) ||
		fail "running the manifest directly"
	[ "$out" = "hello from-manifest x" ] || fail "direct run: $out"
	# the short form of DESIGN.md: #!/usr/bin/env crate-wl
	sed '1s|.*|#!/usr/bin/env crate-wl|' \
		"$XDG_CONFIG_HOME/crate-wl/apps/hello.crate" > "$T/short.crate"
	chmod 755 "$T/short.crate"
	# not installed: it runs once confirmed (--yes), remembered by its hash
	out=$(cw app --yes "$T/short.crate" y 2>/dev/null) ||
		fail "a confirmed manifest did not run"
	[ "$out" = "hello from-manifest y" ] || fail "confirmed run: $out"
	out=$(PATH=$(dirname "$CRATE_WL"):$PATH timeout 20 $RUNAS \
		"$T/short.crate" y) || fail "running a #!/usr/bin/env crate-wl manifest"
	[ "$out" = "hello from-manifest y" ] || fail "short direct run: $out"
	printf '[app]\nexec = true\n[sandbox]\nnet = sideways\n' > "$T/bad.crate"
	cw app "$T/bad.crate" 2>"$T/err" && fail "a bad manifest ran"
	grep -q "$T/bad.crate:4:" "$T/err" || fail "no file:line: $(cat "$T/err")"
	printf '[app]\nexec = true\n[nonsense]\nx = 1\n' > "$T/bad2.crate"
	cw app "$T/bad2.crate" 2>"$T/err" && fail "unknown section accepted"
	grep -q "bad2.crate:4:" "$T/err" || fail "no file:line: $(cat "$T/err")"
	cw app no-such-app 2>/dev/null && fail "a missing app ran"
	pass "manifests: by name, directly, options win, errors with file:line"
	;;
install)
	cat > "$T/greet.crate" <<'CRATE'
[app]
name = greet
description = Greeter
exec = echo installed-ok
[sandbox]
wayland = false
CRATE
	chmod 644 "$T/greet.crate"
	cw install --yes "$T/greet.crate" || fail "install"
	[ -x "$HOME/.local/bin/greet" ] || fail "no launcher"
	d="$XDG_DATA_HOME/applications/crate-wl-greet.desktop"
	[ -f "$d" ] || fail "no desktop entry"
	grep -q "^Exec=$HOME/.local/bin/greet" "$d" || fail "bad Exec: $(cat "$d")"
	grep -q "^Name=Greeter$" "$d" || fail "bad Name"
	out=$(timeout 20 $RUNAS "$HOME/.local/bin/greet") || fail "launcher failed"
	[ "$out" = installed-ok ] || fail "launcher: $out"
	pass "install: launcher and desktop entry"

	# issue 16, item 5: a home with a space, started from /, by name,
	# the host entry's icon and types, no entry for a missing program,
	# and uninstall removes what install wrote and nothing else
	need desktop-file-validate
	CRATE_WL=$(realpath "$CRATE_WL")
	sp="$T/my home"
	mkdir -p "$sp/.config" "$T/apps" "$T/share/applications"
	chown -R "$U:$U" "$sp"
	sed 's/^name = greet/name = hello/' "$T/greet.crate" > "$T/apps/hello.crate"
	printf '[Desktop Entry]\nType=Application\nName=Hello\nExec=hello %%F\nIcon=hello-icon\nMimeType=text/plain;image/png;\nCategories=Utility;\n' \
		> "$T/share/applications/hello.desktop"
	hc() {
		HOME=$sp XDG_DATA_HOME="$sp/.local/share" \
			XDG_CONFIG_HOME="$sp/.config" XDG_DATA_DIRS=$T/share \
			CRATE_WL_APPS=$T/apps cw "$@"
	}
	(cd / && hc install --yes hello) >"$T/out" 2>&1 ||
		fail "install by name: $(cat "$T/out")"
	d="$sp/.local/share/applications/crate-wl-hello.desktop"
	desktop-file-validate "$d" || fail "invalid entry: $(cat "$d")"
	grep -qx "MimeType=text/plain;image/png;" "$d" &&
		grep -qx "Icon=hello-icon" "$d" ||
		fail "the host entry's icon and types are not there: $(cat "$d")"
	# its Exec line, as a desktop splits it, from /
	exe=$(sed -n 's/^Exec=\(.*\) %U$/\1/p' "$d")
	[ "$exe" = "\"$sp/.local/bin/hello\"" ] || fail "Exec: $exe"
	out=$(cd / && HOME=$sp XDG_CONFIG_HOME="$sp/.config" \
		XDG_DATA_HOME="$sp/.local/share" \
		timeout 20 $RUNAS "$sp/.local/bin/hello" 2>&1) &&
		[ "$out" = installed-ok ] ||
		fail "the launcher from / in a home with a space: $out"
	pass "by name, in a home with a space, from /; the entry validates"

	printf '[app]\nname = gone\nexec = crate-wl-no-such-program\npackage = no-such-package\n' \
		> "$T/apps/gone.crate"
	hc install --yes gone 2>"$T/err" && fail "installed an app that is not there"
	grep -q "apt install no-such-package" "$T/err" ||
		fail "no package named: $(cat "$T/err")"
	[ -e "$sp/.local/share/applications/crate-wl-gone.desktop" ] &&
		fail "a menu entry for a missing program"
	hc app --yes gone 2>"$T/err"
	[ $? = 127 ] || fail "app of a missing program is not 127"
	grep -q "apt install no-such-package" "$T/err" ||
		fail "app does not name the package: $(cat "$T/err")"
	pass "a missing program: $(cat "$T/err")"

	# uninstall: a changed manifest copy and a file not ours are kept
	echo "# mine" >> "$sp/.config/crate-wl/apps/hello.crate"
	hc uninstall hello >"$T/out" 2>"$T/err" || fail "uninstall: $(cat "$T/err")"
	[ -e "$sp/.local/bin/hello" ] || [ -e "$d" ] &&
		fail "uninstall left the launcher or the entry"
	[ -e "$sp/.config/crate-wl/apps/hello.crate" ] ||
		fail "uninstall removed a manifest the user changed"
	grep -q "kept .*hello.crate: it changed" "$T/err" ||
		fail "no word of the kept manifest: $(cat "$T/err")"
	hc uninstall hello 2>"$T/err"
	[ $? = 1 ] && grep -q "is not installed" "$T/err" ||
		fail "a second uninstall: $(cat "$T/err")"
	(cd / && hc install --yes --force hello) >/dev/null 2>&1 ||
		fail "install again"
	hc uninstall hello >"$T/out" 2>&1 || fail "uninstall: $(cat "$T/out")"
	[ -e "$sp/.config/crate-wl/apps/hello.crate" ] &&
		fail "the installed copy of the manifest stayed"
	echo '#!/bin/sh' > "$sp/.local/bin/hello"
	hc uninstall hello 2>"$T/err"
	[ -e "$sp/.local/bin/hello" ] || fail "uninstall removed a file not its own"
	pass "uninstall removes what install wrote, and nothing else"
	;;
security-context)
	# issue 14, item 3: the sandbox's proxy connects through a security
	# context where the compositor offers one (crate-wl's test
	# compositor here: no Debian 12 compositor does), tagged with the
	# app's name and the sandbox's id; its socket is never in the
	# sandbox, and goes with the run
	need wayland-info
	TESTCOMP=$(dirname "$CRATE_WL")/../tests/testcomp
	[ -x "$TESTCOMP" ] || fail "no test compositor at $TESTCOMP"
	# not through the as_user function: in the background that is a
	# subshell, and $! would be the subshell's, not testcomp's
	$RUNAS "$TESTCOMP" wayland-t > "$T/comp.out" 2>&1 &
	track $!
	wait_for_socket "$XDG_RUNTIME_DIR/wayland-t" || fail "testcomp did not start"
	export WAYLAND_DISPLAY=wayland-t
	cw run --app sc-app --policy trusted --json-status 3 -- sh -c '
		wayland-info; echo "runtime:" $(ls -A "$XDG_RUNTIME_DIR")
		ls "$XDG_RUNTIME_DIR"/crate-wl/*/upstream-* 2>/dev/null &&
			echo "the context socket is here"
		true' 3>"$T/status" >"$T/out" 2>"$T/err" ||
		fail "run: exit $?: $(cat "$T/err")"
	id=$(sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' "$T/status")
	[ -n "$id" ] || fail "no id: $(cat "$T/status")"
	for line in "sandbox_engine crate-wl" "app_id sc-app" \
			"instance_id $id" commit \
			"client 1 accepted (engine crate-wl, app_id sc-app, instance_id $id)"; do
		grep -qxF "security-context: $line" "$T/comp.out" ||
			fail "the compositor did not get '$line': $(cat "$T/comp.out")"
	done
	pass "the compositor got sandbox_engine crate-wl, app_id sc-app, instance_id $id (the sandbox's) and the app through it"
	grep -q "'wl_compositor'" "$T/out" || fail "the app saw no wl_compositor: $(cat "$T/out")"
	grep -q "'ext_data_control_manager_v1'" "$T/out" &&
		fail "trusted's ext-data-control was not hidden by the compositor"
	grep -q "the context socket is here" "$T/out" &&
		fail "the sandbox sees the context's socket: $(cat "$T/out")"
	# the proxy's socket, the portals' bus and xdg-open's portal switch
	# (an empty flatpak-info): never the context's socket
	grep -qx "runtime: bus flatpak-info wayland-0" "$T/out" ||
		fail "the sandbox's runtime directory: $(grep runtime: "$T/out")"
	pass "the compositor's hiding applies in the sandbox; its runtime directory has only bus, flatpak-info and wayland-0"
	for _ in $(seq 1 100); do
		grep -q "^security-context: closed" "$T/comp.out" && break
		sleep 0.05
	done
	grep -q "^security-context: closed" "$T/comp.out" ||
		fail "the context outlived the run: $(cat "$T/comp.out")"
	# (the control socket's directory is shared by every run and stays)
	[ -e "$XDG_RUNTIME_DIR/crate-wl/$id" ] && fail "the instance directory stayed"
	left=$(find "$XDG_RUNTIME_DIR" -name 'upstream-*' -o -name 'crate-wl-sc-*')
	[ -z "$left" ] || fail "left behind: $left"
	pass "the run over: the context closed, nothing left"
	cw run --policy trusted --no-security-context -- wayland-info \
		>"$T/out" 2>"$T/err" || fail "--no-security-context: exit $?"
	grep -q "'ext_data_control_manager_v1'" "$T/out" ||
		fail "--no-security-context: ext-data-control hidden"
	[ "$(grep -c "^security-context: commit" "$T/comp.out")" = 1 ] ||
		fail "--no-security-context made a context: $(cat "$T/comp.out")"
	pass "crate-wl run --no-security-context: an ordinary client"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
