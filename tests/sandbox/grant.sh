#!/bin/bash
# grant.sh CRATE_WL CASE root|nobody: files the user gives a sandbox
# (issue 15, items 1 and 6) are shown at their real paths, and nothing
# else of their directories; saves reach the host file; grants end with
# the instance.
CRATE_WL=$(realpath "$1")
CASE=$2
. "$(dirname "$0")/common.sh" "$3"

mkdir -p "$T/apps" "$T/home/Docs" "$T/home/Other"
echo hello > "$T/home/Docs/note.txt"
echo secret > "$T/home/Docs/private.txt"
echo elsewhere > "$T/home/Other/far.txt"
chown -R "$U:$U" "$T/home"
export CRATE_WL_APPS=$T/apps
doc=$T/home/Docs/note.txt
data=$XDG_DATA_HOME/crate-wl/apps

# an app whose exec is sh -c SCRIPT, and the files given after it
app() {
	local name=$1 script=$2
	printf '%s\n' '[app]' "name = $name" \
		"exec = sh -c '$script' sh" '[sandbox]' 'wayland = false' \
		> "$T/apps/$name.crate"
}

# waits for a file the app makes in its kept home
wait_home() {
	for _ in $(seq 100); do
		[ -e "$data/$1/home/$2" ] && return 0
		sleep 0.1
	done
	fail "$1 did not start"
}

case $CASE in
cmdline)
	app viewer 'cat "$1"; ls -A "$(dirname "$1")"; cat '"$T/home/Docs/private.txt"' '"$T/home/Other/far.txt"' 2>&1; true'
	out=$(cw app --yes viewer "$doc" 2>&1) || fail "app: $out"
	echo "$out" | grep -qx hello || fail "the granted file is not there: $out"
	pass "a file on the command line is at its real path inside"
	[ "$(echo "$out" | grep -cx 'note.txt')" = 1 ] ||
		fail "its directory does not show it: $out"
	echo "$out" | grep -qx 'private.txt' &&
		fail "the rest of its directory came with it: $out"
	echo "$out" | grep -q secret && fail "a file beside it is readable"
	pass "nothing else of its directory"
	echo "$out" | grep -q elsewhere && fail "a file never granted is there"
	pass "a path never granted stays invisible"
	# relative, and as an "Open with" %U
	out=$(cd "$T/home/Docs" && cw app viewer note.txt 2>&1)
	echo "$out" | grep -qx hello || fail "a relative path: $out"
	app uri 'echo "$1"; cat '"$doc"
	out=$(cw app --yes uri "file://$T/home/Docs/note%2Etxt" 2>&1)
	echo "$out" | grep -qx "file://$T/home/Docs/note%2Etxt" ||
		fail "the URI was not passed on as it was: $out"
	echo "$out" | grep -qx hello || fail "a file:// URI: $out"
	pass "relative paths and file:// URIs"
	# the grant was for that run only
	app viewer 'cat '"$doc"' 2>&1; true'
	out=$(cw app viewer 2>&1)
	echo "$out" | grep -q hello && fail "a new instance has an old grant"
	pass "a grant does not survive into a new instance"
	[ "$(stat -c %h "$doc")" = 1 ] || fail "a link to the file was left"
	left=$(ls -A "$XDG_DATA_HOME/crate-wl/grants" 2>/dev/null)
	[ -z "$left" ] || fail "staging left behind: $left"
	pass "nothing of the grant is left on the host"
	# in the app's kept home: the mount points a grant made go with it
	# (a file directly in the home is bound alone, on an empty file)
	echo top > "$T/home/top.txt"
	mkdir -p "$T/home/A/B"
	echo deep > "$T/home/A/B/deep.txt"
	chown -R "$U:$U" "$T/home"
	mkdir -p "$data/keep/home"
	echo mine > "$data/keep/home/own"
	chown -R "$U:$U" "$data/keep"
	app keep 'cat "$1" "$2"'
	out=$(cw app --yes keep "$T/home/top.txt" "$T/home/A/B/deep.txt" 2>&1)
	echo "$out" | grep -qx top && echo "$out" | grep -qx deep ||
		fail "granted in the kept home: $out"
	[ "$(ls -A "$data/keep/home")" = own ] ||
		fail "the grant's mount points stayed in the app's home: $(ls -AR "$data/keep/home")"
	pass "its mount points do not stay in the app's kept home"
	;;
listed)
	app lister 'touch ~/started; sleep 30'
	cw app --yes lister "$doc" >/dev/null 2>&1 &
	first=$!
	wait_home lister started
	out=$(cw ps 2>&1)
	echo "$out" | grep -q "granted $doc\$" || fail "ps: $out"
	out=$(cw ps --json 2>&1)
	echo "$out" | grep -qF "\"granted\":[\"$doc\"]" || fail "ps --json: $out"
	pass "crate-wl ps lists the grant"
	out=$(cw info lister 2>&1)
	echo "$out" | grep -qF "$doc, granted while it runs" || fail "info: $out"
	out=$(cw info --json lister 2>&1)
	echo "$out" | grep -qF "\"granted\":[{\"path\":\"$doc\"" ||
		fail "info --json: $out"
	pass "crate-wl info lists the grant"
	# a second crate-wl app NAME FILE: granted in the running one
	printf '%s\n' '[app]' 'name = lister' \
		'exec = cat' '[sandbox]' 'wayland = false' > "$T/apps/lister.crate"
	out=$(cw app lister "$T/home/Other/far.txt" 2>&1) ||
		fail "second start: $out"
	echo "$out" | grep -qx elsewhere || fail "not granted in the running one: $out"
	[ "$(cw ps | grep -c '^[0-9a-f].*lister')" = 1 ] || fail "two sandboxes"
	cw ps | grep -q "granted $T/home/Other/far.txt\$" ||
		fail "ps does not list the second grant"
	pass "a second start grants its file in the running sandbox"
	cw stop "$(cw ps --json | grep lister | sed 's/.*"id":"\([^"]*\)".*/\1/')"
	wait $first
	left=$(ls -A "$XDG_DATA_HOME/crate-wl/grants" 2>/dev/null)
	[ -z "$left" ] || fail "staging left behind: $left"
	pass "stopped, nothing of its grants is left"
	;;
save)
	# editors: GNU sed -i and vim (backupcopy=no) write a new file and
	# rename it over the name; vim by default writes in place
	need vim
	app editor 'sed -i s/hello/sed/ "$1" && cat "$1"'
	out=$(cw app --yes editor "$doc" 2>&1) || fail "sed -i: $out"
	[ "$(cat "$doc")" = sed ] || fail "sed -i did not reach the host: $(cat "$doc")"
	[ "$(stat -c %h "$doc")" = 1 ] || fail "links left"
	pass "sed -i (a temporary file renamed over it) saves the host file"
	app editor 'vim -u NONE -i NONE -N -es -c "set backupcopy=no" -c "%s/sed/vimrename/" -c wq "$1"; vim -u NONE -i NONE -N -es -c "%s/vimrename/vim/" -c wq "$1"; cat "$1"'
	out=$(cw app editor "$doc" 2>&1) || fail "vim: $out"
	[ "$(cat "$doc")" = vim ] || fail "vim did not reach the host: $(cat "$doc") ($out)"
	pass "vim saves, by rename and in place"
	ls -A "$T/home/Docs" | grep -v -x -e note.txt -e private.txt &&
		fail "the editors' temporary files reached the host"
	pass "their temporary and swap files stay in the sandbox"
	;;
hostile)
	# the app swaps the granted name for a symlink, a hard link, a
	# fifo: the host file stays what it was
	ln -s "$T/home/Docs/private.txt" "$T/evil-target"
	app hostile 'd=$(dirname "$1"); ln -sf /etc/passwd "$d/sym" && mv "$d/sym" "$1"; sleep 0.3; ln "$1" "$d/hard" 2>/dev/null; echo x > "$d/new"; mkfifo "$d/fifo" && mv "$d/fifo" "$1"; sleep 0.3; echo made > "$d/made"; true'
	out=$(cw app --yes hostile "$doc" 2>&1)
	[ -f "$doc" ] && [ ! -L "$doc" ] || fail "the host file was swapped: $(ls -l "$doc")"
	[ "$(cat "$doc")" = hello ] || fail "the host file changed: $(cat "$doc")"
	[ -e "$T/home/Docs/made" ] || [ -e "$T/home/Docs/new" ] &&
		fail "a file the app made reached the host directory"
	[ "$(ls -A "$T/home/Docs" | sort | tr '\n' ' ')" = "note.txt private.txt " ] ||
		fail "the host directory changed: $(ls -A "$T/home/Docs")"
	pass "a symlink, a hard link or a fifo over the name changes nothing"
	# a link of another granted file renamed over the name
	echo two > "$T/home/Docs/two.txt"
	chown "$U:$U" "$T/home/Docs/two.txt"
	app hostile 'd=$(dirname "$1"); ln "$d/two.txt" "$d/l" && mv "$d/l" "$1"; sleep 0.3; true'
	cw app hostile "$doc" "$T/home/Docs/two.txt" >/dev/null 2>&1
	[ "$(cat "$doc")" = hello ] || fail "a link of another file was saved"
	pass "a file with other links is not saved over the name"
	;;
killed)
	# a launcher killed with its grants: the next launch removes its
	# staging directory (whose link would keep the old file's space)
	app held 'touch ~/started; sleep 30'
	cw app --yes held "$doc" >/dev/null 2>&1 &
	first=$!
	wait_home held started
	[ "$(stat -c %h "$doc")" = 2 ] || fail "no staging link while it runs"
	# the launcher: timeout's child (cw runs it under timeout)
	launcher=$(pgrep -f -P "$(pgrep -P $first -d, || echo 0)" "crate-wl app")
	[ -n "$launcher" ] || fail "no launcher found"
	kill -9 "$launcher"
	wait $first 2>/dev/null
	for _ in $(seq 50); do
		[ -z "$(cw ps | grep held)" ] && break
		sleep 0.1
	done
	[ "$(stat -c %h "$doc")" = 2 ] || fail "the killed launcher cleaned up"
	app other 'true'
	cw app --yes other "$T/home/Other/far.txt" >/dev/null 2>&1
	[ "$(stat -c %h "$doc")" = 1 ] ||
		fail "the killed launcher's staging is still there"
	pass "a killed launcher's staging is removed by the next launch"
	;;
symlink)
	# the app puts a symlink where a later grant mounts: the mount
	# does not follow it (nothing lands on the sandbox's /etc)
	mkdir -p "$T/home/Evil"
	echo far > "$T/home/Evil/f.txt"
	chown -R "$U:$U" "$T/home/Evil"
	app trap 'ln -s /etc ~/Evil; touch ~/started; sleep 30'
	cw app --yes trap >/dev/null 2>&1 &
	first=$!
	wait_home trap started
	id=$(cw ps --json | grep '"app":"trap"' | sed 's/.*"id":"\([^"]*\)".*/\1/')
	[ -n "$id" ] || fail "no instance of trap: $(cw ps)"
	before=$(cw enter "$id" sh -c 'ls -A /etc | md5sum')
	out=$(cw app trap "$T/home/Evil/f.txt" 2>&1) &&
		fail "granted through the app's symlink: $out"
	echo "$out" | grep -q "cannot reach" || fail "no reason given: $out"
	after=$(cw enter "$id" sh -c 'ls -A /etc | md5sum')
	[ "$before" = "$after" ] || fail "the sandbox's /etc changed"
	cw ps | grep -q granted && fail "ps lists a grant that failed"
	pass "a symlink at the mount's path: refused, nothing mounted ($out)"
	cw stop "$id"
	wait $first
	true
	;;
*)
	fail "unknown case $CASE"
	;;
esac
