#!/bin/bash
# hostile.sh CRATE_WL CASE root|nobody: a downloaded .crate, a hostile
# policy path or OCI image is untrusted input (issue 18). Each case is an
# attack that worked on 08adf79.
#   prompt    a manifest's prompt = cmd:... runs nothing on the host
#   identity  a manifest named firefox gets none of firefox's answers
#   confirm   a manifest not seen before runs only once confirmed
#   install   install asks, and replaces or shadows nothing
#   paths     a manifest's paths: absolute, regular files only
#   oci       an image's size, file count and the disk's free space
#   cgroup    the sandbox has its own cgroup namespace, and its own cgroup
#             where the caller may make one
CRATE_WL=$(realpath "$1")
CASE=$2
CORE_TEST=1
. "$(dirname "$0")/common.sh" "$3"
here=$(cd "$(dirname "$0")" && pwd)
export XDG_STATE_HOME="$T/home/.local/state"

# a manifest as the test's user
crate() {
	cat > "$1"
	chown "$U:$U" "$1"
	chmod 755 "$1"
}

# a terminal that answers $1: script(1) gives the command a pty
on_tty() {
	local answer=$1
	shift
	need script
	printf '%s\n' "$answer" | timeout -k 2 20 script -qec \
		"$(printf '%q ' $RUNAS "$@")" /dev/null
}

# as if the user had confirmed FILE once (what --yes and a yes record)
confirmed() {
	local d=$XDG_STATE_HOME/crate-wl
	mkdir -p "$d"
	sha256sum "$1" | cut -d' ' -f1 >> "$d/confirmed"
	chown -R "$U:$U" "$T/home"
}

# headless sway, and crate-wl's own state kept in the test's directory
with_sway() {
	need sway grim
	if [ "$AS" = nobody ]; then
		start_sway 65534
	else
		start_sway
	fi
	export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
}

mkdir -m 777 "$T/out"

# own_cgroup LABEL CLONE3 PREFIX...: crate-wl run (started by PREFIX; with
# clone3 or not) puts every process of the sandbox in a cgroup of its own
# where the caller may make one, the app cannot move out of it, and it is
# gone after the end
own_cgroup() {
	local label=$1 clone3=$2
	shift 2
	rm -f "$T/out/ready" "$T/out/go" "$T/out/moved"
	# the command leaves a process behind, and tries every cgroup.procs
	# it can see (the host's /sys) to move itself elsewhere
	"$@" "$CRATE_WL" run --trace --no-wayland --bind "$T/out" \
		--json-status 3 -- sh -c "sleep 600 & for f in \$(find /sys/fs/cgroup -name cgroup.procs 2>/dev/null); do echo \$\$ 2>/dev/null >\"\$f\" && echo \"\$f\" >> $T/out/moved; done; touch $T/out/ready; while [ ! -e $T/out/go ]; do sleep 0.05; done" \
		3>"$T/status" 2>"$T/trace" &
	local pid=$!
	track $pid
	for _ in $(seq 1 200); do [ -e "$T/out/ready" ] && break; sleep 0.05; done
	[ -e "$T/out/ready" ] ||
		fail "$label: the sandbox did not start: $(cat "$T/trace")"
	[ -e "$T/out/moved" ] &&
		fail "$label: the app moved itself to $(cat "$T/out/moved")"
	local line child
	line=$(grep "CGROUP" "$T/trace")
	child=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' "$T/status")
	case $line in
	*"none of its own: "*)
		touch "$T/out/go"
		wait $pid || fail "$label: run"
		pass "$label: no cgroup of its own here, and --trace says why: ${line#*: }"
		;;
	*"CGROUP /"*)
		local cg=${line#*CGROUP } p left=
		[ -d "$cg" ] || fail "$label: no $cg"
		grep -q "^0::.*/${cg##*/}\$" /proc/self/cgroup &&
			fail "$label: crate-wl stayed in the sandbox's cgroup"
		# every process in the sandbox's pid namespace is in it
		exec {ns}<"/proc/$child/ns/pid"
		for p in /proc/[0-9]*; do
			[ "$p/ns/pid" -ef "/proc/self/fd/$ns" ] || continue
			left="$left ${p#/proc/}"
			grep -q "^0::.*/${cg##*/}\$" "$p/cgroup" 2>/dev/null ||
				[ ! -e "$p" ] ||
				fail "$label: ${p#/proc/} ($(cat "$p/comm")) is not in $cg: $(cat "$p/cgroup")"
		done
		[ "$(wc -w <<<"$left")" -ge 3 ] ||
			fail "$label: not the init, sh and sleep in the sandbox:$left"
		touch "$T/out/go"
		wait $pid || fail "$label: run"
		# gone when crate-wl run returns (it waits a second at most for
		# the init to leave it; a loaded machine may take longer)
		for _ in $(seq 1 100); do [ -d "$cg" ] || break; sleep 0.1; done
		[ -d "$cg" ] && fail "$label: $cg is left after the sandbox ended"
		# (the init may stay a zombie a while: whoever reaps our
		# orphans reaps it)
		# (one that ends while looked at is gone: no state to read)
		for p in $left; do
			[ "/proc/$p/ns/pid" -ef "/proc/self/fd/$ns" ] || continue
			state=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
				cut -d' ' -f1)
			[ -n "$state" ] && [ "$state" != Z ] &&
				fail "$label: $p ($(cat "/proc/$p/comm")) outlived the sandbox"
		done
		exec {ns}<&-
		pass "$label: a cgroup of its own ($cg) with every process of the sandbox, none moved out, gone when it ends"
		[ "$clone3" = yes ] || return 0
		# born there: crate-wl itself never moves (a write to a
		# cgroup.procs takes the cgroup tree's lock, and cost a
		# sandbox's start half of bwrap's time)
		need strace
		"$@" strace -f -qq -e trace=mkdir,open,openat \
			-o "$T/out/strace" "$CRATE_WL" run --no-wayland -- true ||
			fail "$label: run under strace"
		grep -q 'mkdir(".*/crate-wl-[0-9a-f]*"' "$T/out/strace" ||
			fail "$label: no cgroup made under strace"
		grep 'cgroup.procs.*O_WRONLY' "$T/out/strace" &&
			fail "$label: crate-wl moved itself to clone the init"
		pass "$label: crate-wl itself never moved"
		# what a killed crate-wl left (a minute old at least, empty)
		# goes with the next sandbox's end; a younger one may be a
		# crate-wl's that has not cloned into it yet, and stays
		local stale=${cg%/*}/crate-wl-stale$$ young=${cg%/*}/crate-wl-young$$
		mkdir "$stale" "$young" || fail "$label: mkdir below ${cg%/*}"
		touch -d '2 minutes ago' "$stale"
		"$@" "$CRATE_WL" run --no-wayland -- true ||
			fail "$label: run"
		rmdir "$young" || fail "$label: $young is gone"
		[ -d "$stale" ] && rmdir "$stale" &&
			fail "$label: $stale is left"
		pass "$label: a killed crate-wl's empty cgroup goes with the next"
		# crate-wl stop ends the sandbox with what it left running
		"$@" "$CRATE_WL" run --trace --no-wayland --json-status 3 -- \
			sh -c 'sleep 600 & sleep 600' 3>"$T/status" 2>"$T/trace" &
		pid=$!
		track $pid
		local id=
		for _ in $(seq 1 200); do
			id=$(sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' "$T/status")
			[ -n "$id" ] && break
			sleep 0.05
		done
		[ -n "$id" ] || fail "$label: no sandbox to stop: $(cat "$T/trace")"
		line=$(grep "CGROUP" "$T/trace")
		cg=${line#*CGROUP }
		[ -d "$cg" ] || fail "$label: no $cg"
		"$@" "$CRATE_WL" stop "$id" || fail "$label: stop $id"
		wait $pid
		for _ in $(seq 1 100); do [ -d "$cg" ] || break; sleep 0.1; done
		[ -d "$cg" ] && fail "$label: $cg is left after crate-wl stop"
		pass "$label: crate-wl stop: the sandbox and its cgroup are gone"
		;;
	*)
		fail "$label: --trace says nothing of a cgroup: $(cat "$T/trace")"
		;;
	esac
}

case $CASE in
prompt)
	with_sway
	crate "$T/evil.crate" <<EOF
#!/usr/bin/env -S crate-wl app
[app]
name = firefox
description = A harmless calculator
exec = grim $T/out/shot.png
[sandbox]
net = none
bind = $T/out
[wayland]
screencopy = ask
prompt = cmd:sh -c 'id > $T/out/PWNED; exit 3'
EOF
	confirmed "$T/evil.crate"
	cw app "$T/evil.crate" </dev/null >/dev/null 2>"$T/err"
	[ -e "$T/out/PWNED" ] && fail "the manifest's prompt ran on the host: $(cat "$T/out/PWNED")"
	[ -e "$T/out/shot.png" ] && fail "the app captured the screen"
	grep -q "prompt: a manifest cannot choose who asks" "$T/err" ||
		fail "no clear refusal: $(cat "$T/err")"
	pass "a manifest's prompt = cmd: is refused ($(head -1 "$T/err"))"
	# nor through a policy file it names
	printf '[wayland]\nprompt = cmd:touch %s/out/PWNED2\n' > "$T/p.policy"
	chmod 644 "$T/p.policy"
	sed -i -e '/^prompt/d' -e "s|^\[wayland\]|[wayland]\npolicy = $T/p.policy|" \
		"$T/evil.crate"
	confirmed "$T/evil.crate"
	cw app "$T/evil.crate" </dev/null >/dev/null 2>"$T/err"
	[ -e "$T/out/PWNED2" ] && fail "a policy file's prompt ran"
	grep -q "unknown key 'prompt'" "$T/err" ||
		fail "a policy file's prompt: no clear refusal: $(cat "$T/err")"
	pass "a policy file cannot name a prompt either"
	# nor through options in its #! line, when run directly
	crate "$T/shebang.crate" <<EOF
#!/usr/bin/env -S crate-wl app --screencopy ask --prompt 'cmd:touch $T/out/PWNED3'
[app]
exec = grim $T/out/shot.png
[sandbox]
bind = $T/out
EOF
	confirmed "$T/shebang.crate"
	PATH=$(dirname "$CRATE_WL"):$PATH timeout 20 $RUNAS "$T/shebang.crate" \
		</dev/null >/dev/null 2>"$T/err"
	[ -e "$T/out/PWNED3" ] && fail "options in the #! line ran a prompt"
	[ -e "$T/out/shot.png" ] && fail "options in the #! line allowed a capture"
	grep -q "the #! line may only be" "$T/err" ||
		fail "no clear refusal: $(cat "$T/err")"
	pass "options in a manifest's #! line are refused"
	;;
identity)
	# crate-wl's own gate decides here: sway 1.10 would hide screencopy
	# from every tagged client, the real firefox's too
	with_sway
	mkdir -p "$XDG_CONFIG_HOME/crate-wl/apps"
	crate "$XDG_CONFIG_HOME/crate-wl/apps/firefox.crate" <<EOF
[app]
name = firefox
exec = grim $T/out/real.png
[sandbox]
bind = $T/out
[wayland]
screencopy = ask
EOF
	chown -R "$U:$U" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
	cw permissions grant firefox screencopy allow || fail "grant"
	# the real one may, without asking
	cw app --no-security-context --prompt none firefox </dev/null 2>"$T/err" ||
		fail "the installed firefox could not capture: $(cat "$T/err")"
	[ -s "$T/out/real.png" ] || fail "the installed firefox captured nothing"
	mkdir -p "$T/Downloads"
	crate "$T/Downloads/firefox.crate" <<EOF
[app]
name = firefox
exec = grim $T/out/stolen.png
[sandbox]
bind = $T/out
[wayland]
screencopy = ask
EOF
	confirmed "$T/Downloads/firefox.crate"
	cw app --no-security-context --prompt none --trace "$T/Downloads/firefox.crate" </dev/null \
		2>"$T/err"
	[ -e "$T/out/stolen.png" ] &&
		fail "a downloaded manifest named firefox used firefox's 'allow always'"
	grep -q "calls itself firefox, the name of an installed app" "$T/err" ||
		fail "it did not say whose name it claimed: $(cat "$T/err")"
	[ "$(grep -c "calls itself" "$T/err")" = 1 ] || fail "not one line"
	grep -q "ASKED→denied screencopy for file:" "$T/err" ||
		fail "not asked under its own identity: $(cat "$T/err")"
	pass "a downloaded 'firefox' runs as $(grep -o 'file:[0-9a-f]*' "$T/err" | head -1), with none of firefox's answers"
	# and what is stored for it stays its own
	id=$(grep -o 'file:[0-9a-f]*' "$T/err" | head -1)
	cw permissions grant "$id" screencopy deny || fail "grant $id"
	rm -f "$T/out/real.png"
	cw app --no-security-context --prompt none firefox </dev/null 2>"$T/err" ||
		fail "firefox after a deny for $id: $(cat "$T/err")"
	[ -s "$T/out/real.png" ] || fail "a deny for $id reached firefox"
	pass "answers never cross between identities"
	;;
confirm)
	crate "$T/new.crate" <<EOF
[app]
name = newapp
exec = touch $T/out/ran
[sandbox]
bind = ~
bind = $T/out
net = host
wayland = false
EOF
	cw app "$T/new.crate" </dev/null >/dev/null 2>"$T/err"
	[ -e "$T/out/ran" ] && fail "a manifest never confirmed ran without a terminal"
	[ "$(wc -l < "$T/err")" = 1 ] ||
		fail "not a one-line refusal: $(cat "$T/err")"
	grep -q "has not run before" "$T/err" || fail "no reason: $(cat "$T/err")"
	pass "no terminal, no --yes: refused ($(cat "$T/err"))"
	on_tty n "$CRATE_WL" app "$T/new.crate" >"$T/tty" 2>&1
	[ -e "$T/out/ran" ] && fail "it ran after 'n'"
	for words in "your whole home folder" "the network as your own programs" \
			"$T/out, read-write" "Run it?"; do
		grep -qF "$words" "$T/tty" || fail "not shown: '$words': $(cat "$T/tty")"
	done
	pass "what it asks for is shown; 'n' runs nothing"
	on_tty y "$CRATE_WL" app "$T/new.crate" >"$T/tty" 2>&1 ||
		fail "'y' did not run it: $(cat "$T/tty")"
	[ -e "$T/out/ran" ] || fail "it did not run after 'y'"
	rm "$T/out/ran"
	cw app "$T/new.crate" </dev/null 2>"$T/err" ||
		fail "a confirmed manifest asks again: $(cat "$T/err")"
	[ -e "$T/out/ran" ] || fail "the confirmed manifest did not run"
	rm "$T/out/ran"
	pass "a yes is remembered"
	echo "# changed" >> "$T/new.crate"
	cw app "$T/new.crate" </dev/null 2>/dev/null
	[ -e "$T/out/ran" ] && fail "a changed manifest ran on the old yes"
	cw app --yes "$T/new.crate" </dev/null 2>/dev/null || fail "--yes"
	[ -e "$T/out/ran" ] || fail "--yes did not run it"
	pass "a changed file is asked for again; --yes confirms for scripts"
	# its words cannot move the cursor over what it asks for
	printf '[app]\nexec = echo \033[1A\033[2Kx\n[sandbox]\nbind = ~\nwayland = false\n' |
		crate "$T/esc.crate"
	on_tty n "$CRATE_WL" app "$T/esc.crate" >"$T/tty" 2>&1
	grep -q $'\e' "$T/tty" && fail "the manifest's escape sequences reached the terminal"
	grep -q "your whole home folder" "$T/tty" || fail "not shown: $(cat "$T/tty")"
	pass "escape sequences in a manifest are shown as '?'"
	;;
install)
	bin=$HOME/.local/bin
	mkdir -p "$bin" "$T/path"
	chown -R "$U:$U" "$HOME"
	inst() {
		crate "$T/inst.crate" <<EOF
[app]
name = $1
exec = sh -c 'echo sandboxed $1'
[sandbox]
bind = ~
net = host
wayland = false
EOF
	}
	# a command elsewhere on PATH is never shadowed
	printf '#!/bin/sh\necho the real one\n' > "$T/path/hostile-cmd"
	chmod 755 "$T/path/hostile-cmd"
	inst hostile-cmd
	PATH=$bin:$T/path:$PATH on_tty y "$CRATE_WL" install "$T/inst.crate" \
		>"$T/tty" 2>&1
	[ -e "$bin/hostile-cmd" ] && fail "install shadowed $T/path/hostile-cmd"
	grep -q "would shadow the command $T/path/hostile-cmd" "$T/tty" ||
		fail "no reason: $(cat "$T/tty")"
	pass "a command on PATH is not shadowed"
	# a file of the user's is never replaced
	printf '#!/bin/sh\necho mine\n' > "$bin/mine"
	chmod 755 "$bin/mine"
	chown "$U:$U" "$bin/mine"
	inst mine
	on_tty y "$CRATE_WL" install "$T/inst.crate" >"$T/tty" 2>&1
	[ "$("$bin/mine")" = mine ] || fail "install replaced the user's $bin/mine"
	grep -q "crate-wl did not write it" "$T/tty" || fail "no reason: $(cat "$T/tty")"
	pass "a file install did not write is left alone"
	# no terminal and no --yes: nothing is written
	inst greet
	cw install "$T/inst.crate" </dev/null 2>"$T/err"
	[ -e "$bin/greet" ] && fail "installed without a terminal or --yes"
	[ "$(wc -l < "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
	# on a terminal it shows what the app asks for
	on_tty y "$CRATE_WL" install "$T/inst.crate" >"$T/tty" 2>&1 ||
		fail "install on a terminal: $(cat "$T/tty")"
	grep -q "your whole home folder" "$T/tty" || fail "not shown: $(cat "$T/tty")"
	grep -q "the network as your own programs" "$T/tty" || fail "net not shown"
	grep -q "^# crate-wl install: greet sha256:" "$bin/greet" ||
		fail "the launcher has no marker: $(cat "$bin/greet")"
	pass "install shows what it grants and asks; its files are marked"
	# another installed app of the same name is not replaced
	inst greet
	sed -i 's/echo sandboxed/echo other/' "$T/inst.crate"
	cw install --yes "$T/inst.crate" </dev/null 2>"$T/err"
	grep -q "echo sandboxed" "$XDG_CONFIG_HOME/crate-wl/apps/greet.crate" ||
		fail "install replaced the installed greet"
	grep -q "another app named greet is installed" "$T/err" ||
		fail "no reason: $(cat "$T/err")"
	pass "another installed app of the same name is left alone"
	# --force does all of it
	cw install --yes --force "$T/inst.crate" </dev/null 2>/dev/null ||
		fail "--force"
	grep -q "echo other" "$XDG_CONFIG_HOME/crate-wl/apps/greet.crate" ||
		fail "--force did not replace"
	inst mine
	cw install --yes --force "$T/inst.crate" </dev/null >/dev/null 2>&1 ||
		fail "--force over the user's file"
	grep -q "^# crate-wl install: mine" "$bin/mine" || fail "--force did not replace"
	pass "--force replaces"
	;;
paths)
	mkfifo "$T/fifo"
	chmod 666 "$T/fifo"
	for line in "[wayland]@policy = $T/fifo" "[wayland]@policy = rel.policy" \
			"[sandbox]@bind = out" "[sandbox]@root = ." \
			"[sandbox]@root = oci:layout"; do
		printf '[app]\nexec = true\n%s\n' "${line//@/$'\n'}" |
			crate "$T/p.crate"
		(cd "$T" && cw app "$T/p.crate" </dev/null 2>"$T/err")
		rc=$?
		[ $rc = 1 ] || fail "'$line' gave exit $rc: $(cat "$T/err")"
		grep -qE "not a regular file|names host paths absolutely" "$T/err" ||
			fail "'$line': no clear error: $(cat "$T/err")"
	done
	pass "relative paths and a FIFO as policy are refused ($(tail -1 "$T/err"))"
	;;
oci)
	need python3
	bb=$(command -v busybox) || skip "busybox-static is not installed"
	ldd "$bb" 2>&1 | grep -q "not a dynamic" ||
		skip "$bb is not statically linked (install busybox-static)"
	L=$T/layout
	python3 "$here/mkoci.py" "$L" "$bb" || fail "cannot build the layout"
	chmod -R a+rX "$L"
	cache=$XDG_CACHE_HOME/crate-wl/oci
	left() { ls -A "$cache" 2>/dev/null | tr '\n' ' '; }
	cw run --no-wayland --oci-max-size 16M --root "oci:$L:bomb" -- \
		/bin/sh -c : 2>"$T/err" && fail "48 MiB unpacked under a 16 MiB limit"
	[ "$(wc -l < "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
	grep -q "more than 16 MiB, the limit (--oci-max-size" "$T/err" ||
		fail "the limit is not named: $(cat "$T/err")"
	[ -z "$(left)" ] || fail "left in the cache: $(left)"
	pass "a size limit ($(cat "$T/err"))"
	cw run --no-wayland --oci-max-files 1000 --root "oci:$L:many" -- \
		/bin/sh -c : 2>"$T/err" && fail "3000 files under a 1000 file limit"
	grep -q "more than 1000 files, the limit (--oci-max-files" "$T/err" ||
		fail "the limit is not named: $(cat "$T/err")"
	[ -z "$(left)" ] || fail "left in the cache: $(left)"
	out=$(cw run --no-wayland --root "oci:$L:many" -- /bin/sh -c \
		'/bin/busybox ls /many | /bin/busybox wc -l') || fail "many: $out"
	[ "$out" = 3000 ] || fail "3000 files came out as $out"
	pass "a file limit; under it, all 3000 files"
	out=$(cw run --no-wayland --root "oci:$L:loop" -- /bin/sh -c \
		'/bin/busybox cat /loop/a; /bin/busybox ls /loop/up/up/up' 2>&1)
	echo "$out" | grep -q "Too many levels of symbolic links" ||
		fail "symlink loop: $out"
	pass "symlinks in a loop unpack and stay loops"
	# a FIFO where a file should be is not read (it would hang)
	mkdir "$T/fifo-layout"
	cp -r "$L/oci-layout" "$L/blobs" "$T/fifo-layout/"
	mkfifo -m 644 "$T/fifo-layout/index.json"
	cw run --no-wayland --root "oci:$T/fifo-layout:latest" -- /bin/sh -c : \
		2>"$T/err"
	rc=$?
	# whatever still waits on it (it should not) gets its end of file
	exec 9<>"$T/fifo-layout/index.json"
	exec 9>&-
	[ $rc = 1 ] || fail "a FIFO as index.json: exit $rc: $(cat "$T/err")"
	grep -q "index.json: not a regular file" "$T/err" ||
		fail "no clear error: $(cat "$T/err")"
	pass "a FIFO in a layout is refused, not read"
	# what a killed unpack left is removed by the next one; a fresh one
	# (maybe another run's, still going) is not
	mkdir -p "$cache/.unpack-killed/rootfs" "$cache/.unpack-fresh"
	head -c 1M /dev/zero > "$cache/.unpack-killed/rootfs/junk"
	touch -d '-1 hour' "$cache/.unpack-killed"
	chown -R "$U:$U" "$cache"
	cw run --no-wayland --root "oci:$L:lower" -- /bin/sh -c : ||
		fail "lower after a killed unpack"
	[ -e "$cache/.unpack-killed" ] && fail "a killed unpack's files are left"
	[ -e "$cache/.unpack-fresh" ] || fail "a running unpack's directory went"
	pass "a killed unpack's leftovers go with the next unpack"
	# a file system with little room: unpacking stops before it is full
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	mkdir "$T/small"
	unshare -m sh -c "mount -t tmpfs -o size=32m none '$T/small' &&
		chown $U:$U '$T/small' &&
		XDG_CACHE_HOME='$T/small' timeout 20 $RUNAS '$CRATE_WL' run \
			--no-wayland --root 'oci:$L:bomb' -- /bin/sh -c : \
			2>'$T/err'; echo \$? > '$T/rc'; df -k '$T/small' |
			tail -1 > '$T/df'; ls -A '$T/small/crate-wl/oci' > '$T/left'"
	[ "$(cat "$T/rc")" != 0 ] || fail "48 MiB unpacked into 32 MiB"
	grep -q "would leave less than .* free on the file system" "$T/err" ||
		fail "no clear error: $(cat "$T/err")"
	[ -s "$T/left" ] && fail "left in the cache: $(cat "$T/left")"
	pass "free space is kept ($(cat "$T/err"))"
	;;
cgroup)
	host=$(readlink /proc/self/ns/cgroup)
	out=$(cw run --no-wayland -- sh -c 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup') ||
		fail "run: $out"
	echo "$out"
	[ "$(echo "$out" | head -1)" != "$host" ] ||
		fail "the host's cgroup namespace inside"
	echo "$out" | grep -qx '0::/' || fail "no 0::/ inside"
	echo "$out" | tail -n +2 | grep -v ':/$' &&
		fail "a host cgroup path inside"
	pass "a cgroup namespace of its own: every cgroup is / inside"
	# a cgroup of its own where the caller may make one (--trace says):
	# as crate-wl makes it (clone3's CLONE_INTO_CGROUP), and where
	# clone3 fails, as under a container's filter or an older kernel
	own_cgroup clone3 yes $RUNAS
	own_cgroup "no clone3" no $RUNAS "$NOCLONE3"
	# the user's case: a cgroup delegated to it, as systemd gives
	# user@UID.service (as root, ours is delegated already)
	[ "$AS" = nobody ] || exit 0
	mnt=$(grep ' - cgroup2 ' /proc/self/mountinfo | cut -d' ' -f5 | head -1)
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	deleg=$mnt${own%/}/cw-test-deleg-$$
	[ -n "$mnt" ] && mkdir "$deleg" 2>/dev/null ||
		skip "no cgroup to delegate below $mnt$own"
	trap 'cleanup; for d in "$deleg"/crate-wl-* "$deleg"; do
		rmdir "$d" 2>/dev/null; done' EXIT
	chown "$U:$U" "$deleg" "$deleg/cgroup.procs" "$deleg/cgroup.threads" \
		"$deleg/cgroup.subtree_control"
	# moved there as root (the move needs the common ancestor's
	# cgroup.procs), then the user
	printf '#!/bin/sh\necho $$ > "%s/cgroup.procs" && exec "$@"\n' \
		"$deleg" > "$T/enter"
	chmod 755 "$T/enter"
	own_cgroup "delegated, clone3" yes "$T/enter" $RUNAS
	grep -q "CGROUP $deleg/crate-wl-" "$T/trace" ||
		fail "no cgroup of its own in a delegated one: $(cat "$T/trace")"
	own_cgroup "delegated, no clone3" no "$T/enter" $RUNAS "$NOCLONE3"
	grep -q "CGROUP $deleg/crate-wl-" "$T/trace" ||
		fail "no cgroup of its own in a delegated one: $(cat "$T/trace")"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
