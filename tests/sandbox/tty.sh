#!/bin/bash
# tty.sh CRATE_WL CASE root|nobody: the caller's terminal never reaches a
# sandbox; a command gets a pty that crate-wl relays while it is in the
# foreground (issue 11 finding 4, issue 18 finding 4). An interactive
# bash on a pty of ptydrive.py's plays the user.
CRATE_WL=$1
CASE=$2
CORE_TEST=1
. "$(dirname "$0")/common.sh" "$3"
need python3 bash stat stty

S=$T/shared
mkdir -m 755 "$S"
chown "$U:$U" "$S"
RUN="$CRATE_WL run --no-wayland --bind $S:/shared"

# drive STEPS...: an interactive bash (job control on) as the test's user
# on a new pty, driven by ptydrive.py's steps; its output in $T/out
drive() {
	printf '%s\n' "send PS1='P''ROMPT\$ '\\r" "$@" | TERM=dumb timeout -k 2 40 \
		python3 "$here/ptydrive.py" $RUNAS bash --norc --noprofile -i \
		>"$T/out" 2>"$T/err" || fail "$(cat "$T/err")"
}

# the device of the test's own pty, as the shell on it sees its fd 0
OUTER='echo OUTER:$(stat -L -c %t:%T /proc/$$/fd/0)'
# the device of a command's fd 0, and which of 0, 1, 2 are terminals
PROBE='echo DEV:$(stat -L -c %t:%T /proc/self/fd/0); for f in 0 1 2; do if test -t $f; then echo TTY$f; else echo NOT$f; fi; done'

# the pty inside is not the caller's terminal
other_pty() {
	local outer inner
	outer=$(grep -aoE 'OUTER:[0-9a-f]+:[0-9a-f]+' "$T/out" | head -1)
	inner=$(grep -aoE 'DEV:[0-9a-f]+:[0-9a-f]+' "$T/out" | head -1)
	[ -n "$outer" ] && [ -n "$inner" ] || fail "no devices in: $(cat "$T/out")"
	[ "${outer#OUTER:}" != "${inner#DEV:}" ] ||
		fail "the command has the caller's terminal ($outer) itself"
}

case $CASE in
background)
	# crate-wl in the background: what the user types next is the
	# shell's, never the sandbox's; crate-wl is not stopped for it (the
	# app's display goes on), and gets the terminal back with fg (which
	# sends a running job no SIGCONT)
	drive "expect PROMPT\\$ " \
		"send $RUN -- sh -c 'touch /shared/ready; read x; echo got:\$x > /shared/file' &\\r" \
		"waitfile $S/ready" "sleep 0.5" \
		"send echo SHELL-\$((6*7))\\r" "expect SHELL-42" \
		"send echo SHELL-\$((6*8))\\r" "expect SHELL-48" \
		"sleep 0.5" "send jobs\\r" "expect Running" "expect PROMPT\\$ " \
		"send fg\\r" "sleep 0.5" "send late\\r" "expect PROMPT\\$ " \
		"send echo RC:\$?\\r" "expect RC:0"
	[ "$(cat "$S/file")" = got:late ] ||
		fail "the background sandbox read: $(cat "$S/file" 2>&1)"
	pass "a sandbox in the background does not read the terminal; fg gives it back"
	;;
foreground)
	# in the foreground: a tty of its own (the relay), its size, a
	# resize, ^C as the app's SIGINT, the exit status, the terminal as
	# it was afterwards
	drive "expect PROMPT\\$ " "send $OUTER\\r" "expect OUTER:[0-9]" \
		"send $RUN -- sh -c '$PROBE; echo SIZE:\$(stty size); read x; echo got:\$x > /shared/file; echo SIZE2:\$(stty size); exit 7'; echo RC:\$?\\r" \
		"expect TTY2" "expect SIZE:30 100" "resize 40 120" "sleep 0.3" \
		"send hello\\r" "expect SIZE2:40 120" "expect RC:7" \
		"send $RUN -- sh -c 'echo RE''ADY; sleep 100'\\r" \
		"expect READY" "sleep 0.3" "send \\x03" "expect PROMPT\\$ " \
		"send echo RC:\$?\\r" "expect RC:130" \
		"send stty -a | tr ' ;' '\\\\n\\\\n' | grep -x -- -icanon || echo COO''KED\\r" \
		"expect COOKED" \
		"send $RUN --app fgtest -- sh -c 'touch /shared/ready2; read x; echo got:\$x > /shared/file2; read y; echo got:\$y >> /shared/file2'\\r" \
		"waitfile $S/ready2" "sleep 0.3" "send one\\r" "sleep 0.3" \
		"run kill -TSTP \$(ps -o ppid= -p \$($RUNAS $CRATE_WL ps | awk '/fgtest/ { print \$3 }'))" \
		"expect Stopped" "expect PROMPT\\$ " \
		"send stty -a | tr ' ;' '\\\\n\\\\n' | grep -x -- -icanon || echo COO''KED2\\r" \
		"expect COOKED2" "expect PROMPT\\$ " "send fg\\r" "sleep 0.5" "send two\\r" \
		"expect PROMPT\\$ "
	grep -aq TTY0 "$T/out" && grep -aq TTY1 "$T/out" ||
		fail "no terminal on fds 0 and 1: $(cat "$T/out")"
	other_pty
	[ "$(cat "$S/file")" = got:hello ] || fail "the line typed did not arrive: $(cat "$S/file" 2>&1)"
	[ "$(cat "$S/file2" | tr '\n' ' ')" = "got:one got:two " ] ||
		fail "input around SIGTSTP and fg: $(cat "$S/file2" 2>&1)"
	pass "in the foreground the command gets a relayed pty, its size, ^C, its exit status; SIGTSTP restores the terminal"
	;;
no-terminal)
	# crate-wl app (a window) gets no terminal unless asked; its output
	# comes through a pipe, with escape sequences made harmless
	printf '%s\n' "$PROBE" >"$S/probe.sh"
	printf 'printf "esc:\\033[31mred\\n"\necho DONE\n' >>"$S/probe.sh"
	printf '[app]\nname = notty\nexec = sh /shared/probe.sh\n[sandbox]\nwayland = false\nbind = %s:/shared\n' \
		"$S" >"$T/notty.crate"
	chmod 644 "$S/probe.sh" "$T/notty.crate"
	drive "expect PROMPT\\$ " \
		"send $CRATE_WL app --yes $T/notty.crate; echo RC:\$?\\r" \
		"expect NOT0" "expect NOT1" "expect NOT2" "expect DONE" \
		"expect RC:0" \
		"send $RUN --no-terminal -- sh /shared/probe.sh; echo RC:\$?\\r" \
		"expect NOT0" "expect NOT1" "expect NOT2" "expect DONE" \
		"expect RC:0" \
		"send $CRATE_WL app --yes --terminal $T/notty.crate; echo RC:\$?\\r" \
		"expect TTY0" "expect RC:0"
	grep -aq 'esc:?\[31mred' "$T/out" ||
		fail "the escape sequence reached the terminal: $(cat -v "$T/out")"
	pass "crate-wl app and --no-terminal: no terminal inside; --terminal: one"
	;;
prompt)
	# --prompt tty: the relay lends the terminal, as it was, for the
	# question; the answer is not the app's, which gets its input back
	# after (not a check that fails on 08adf79: that had no relay)
	need sway grim
	if [ "$AS" = nobody ]; then
		start_sway 65534
	else
		start_sway
	fi
	export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"
	drive "expect PROMPT\\$ " \
		"send $CRATE_WL run --app shooter --no-security-context --screencopy ask --prompt tty --bind $S:/shared -- sh -c 'grim /shared/shot.png && echo SH''OT-OK; read x; echo got:\$x > /shared/file'\\r" \
		"expect asks for" "sleep 0.2" "send o\\r" "expect SHOT-OK" \
		"sleep 0.3" "send after\\r" "expect PROMPT\\$ "
	[ -s "$S/shot.png" ] || fail "no screenshot after the answer: $(cat "$T/out")"
	[ "$(cat "$S/file")" = got:after ] ||
		fail "the app's input after the question: $(cat "$S/file" 2>&1)"
	pass "a tty prompt borrows the terminal from the relay"
	;;
enter-fds|enter-terminal)
	$RUNAS "$CRATE_WL" run --no-wayland --app enterme \
		--bind "$S:/shared" -- sleep 60 </dev/null >/dev/null 2>&1 &
	track $!
	for _ in $(seq 1 250); do
		$RUNAS "$CRATE_WL" ps 2>/dev/null | grep -q enterme && break
		sleep 0.02
	done
	;;
*)
	fail "unknown case $CASE"
	;;
esac

case $CASE in
enter-fds)
	# what enter passes: fds 0, 1 and 2, as run; none of ours above
	mkdir -m 755 "$T/hostdir"
	echo secret >"$T/hostdir/SECRET"
	chmod 644 "$T/hostdir/SECRET"
	out=$(cw enter enterme ls /proc/self/fd 3<"$T/hostdir" 4<"$T/hostdir/SECRET" | tr '\n' ' ')
	[ "$out" = "0 1 2 3 " ] || fail "enter passed more than 0 1 2 (ls's own: 3): $out"
	out=$(cw enter enterme sh -c 'ls /proc/$$/fd/3/ /proc/$$/fd/4; cat /proc/$$/fd/4' 3<"$T/hostdir" 4<"$T/hostdir/SECRET" 2>&1)
	echo "$out" | grep -q SECRET && fail "the host directory is readable inside: $out"
	echo "$out" | grep -q secret && fail "the host file is readable inside: $out"
	pass "enter passes the command fds 0, 1 and 2 only"
	;;
enter-terminal)
	# enter's terminal goes through the same relay: its own pty in the
	# foreground, nothing of the terminal in the background
	drive "expect PROMPT\\$ " "send $OUTER\\r" "expect OUTER:[0-9]" \
		"send $CRATE_WL enter enterme sh -c '$PROBE; read x; echo got:\$x > /shared/file'; echo RC:\$?\\r" \
		"expect TTY0" "sleep 0.3" "send hello\\r" "expect RC:0" \
		"send $CRATE_WL enter enterme sh -c 'touch /shared/ready; read x; echo got:\$x > /shared/file2' &\\r" \
		"waitfile $S/ready" "sleep 0.5" \
		"send echo SHELL-\$((6*7))\\r" "expect SHELL-42" \
		"send kill %1; wait\\r" "expect PROMPT\\$ " "sleep 0.3"
	other_pty
	[ "$(cat "$S/file")" = got:hello ] || fail "the line typed did not arrive: $(cat "$S/file" 2>&1)"
	[ ! -s "$S/file2" ] || fail "enter in the background read: $(cat "$S/file2")"
	pass "enter relays its terminal, in the foreground only"
	;;
esac
