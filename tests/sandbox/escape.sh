#!/bin/bash
# escape.sh CRATE_WL ESCAPE NAME root|nobody: one escape attempt from
# inside a sandbox, which must fail.
CRATE_WL=$1
ESCAPE=$2
NAME=$3
. "$(dirname "$0")/common.sh" "$4"

cp "$ESCAPE" "$T/escape"
chmod 755 "$T/escape"
# the attempt's own binds: under $T (in /tmp), where both layouts can bind
OPTS=()

# Each attempt runs in both layouts of the sandbox's root: the host's root
# cloned whole (the default, when every mount point is there already), and
# a tmpfs root with each entry bound (a bind to a path the host lacks:
# /.test). Sets E (the probe's path inside) and LOPTS for LAYOUT.
layout() {
	case $1 in
	whole) E=$T/escape ;;
	entries) E=/.test/escape ;;
	esac
	LOPTS=(--no-wayland --ro-bind "$T/escape:$E" "${OPTS[@]}")
	# the plan is the layout meant
	local plan
	plan=$(cw run "${LOPTS[@]}" --dry-run -- true) ||
		fail "--dry-run failed: $plan"
	case $1 in
	whole) echo "$plan" | grep -q '^  root  *\/ <- \/' ;;
	entries) echo "$plan" | grep -q '^  remount-ro *\/$' ;;
	esac || fail "not the $1 layout: $plan"
}

verdict() {
	case $1 in
	10) pass "$NAME ($AS, $2 root): blocked" ;;
	11) fail "$NAME ($AS, $2 root): ESCAPED" ;;
	77) skip "$NAME ($AS): not applicable here" ;;
	*) fail "$NAME ($AS, $2 root): the attempt did not run (exit $1)" ;;
	esac
}

attempt() {
	for l in whole entries; do
		layout $l
		cw run "${LOPTS[@]}" -- "$E" "$@"
		verdict $? $l
	done
}

# The same attempt outside the sandbox must work: the fixture is real.
control() {
	$RUNAS "$T/escape" "$@" >"$T/control.log" 2>&1
	[ $? = 11 ] || fail "control: outside the sandbox too: $(cat "$T/control.log")"
}

# a process of the same user on the host, with a marker to know it by
# The fixture server ($T/fixture.log) once it listens: its socket's file
# is there from bind() on, and connects are refused until listen().
wait_serving() {
	for _ in $(seq 1 250); do
		grep -q "^listening$" "$T/fixture.log" && return 0
		sleep 0.02
	done
	return 1
}

host_process() {
	MARK="crate-wl-mark-$$-$RANDOM"
	$RUNAS "$T/escape" wait "$MARK" >/dev/null 2>&1 &
	HOST_PID=$!
	track $HOST_PID
	for _ in $(seq 1 100); do
		tr '\0' ' ' < "/proc/$HOST_PID/cmdline" | grep -q "$MARK" && return
		sleep 0.02
	done
	fail "the host process did not start"
}

case $NAME in
write-root)
	attempt write /crate-wl-escape /usr/crate-wl-escape \
		/etc/crate-wl-escape /.test/crate-wl-escape
	;;
write-ro-bind)
	mkdir "$T/data-ro" && chown "$U:$U" "$T/data-ro"
	OPTS+=(--ro-bind "$T/data-ro")
	attempt write "$T/data-ro/x"
	if [ -e "$T/data-ro/x" ]; then
		fail "a file appeared in the bound directory"
	fi
	;;
read-home)
	echo secret > "$HOME/secret" && chown "$U:$U" "$HOME/secret"
	control read "$HOME/secret"
	attempt read "$HOME/secret"
	;;
host-wayland)
	$RUNAS "$T/escape" serve-unix "$XDG_RUNTIME_DIR/wayland-1" \
		>"$T/fixture.log" 2>&1 &
	track $!
	wait_serving || fail "no fake compositor"
	control connect-unix "$XDG_RUNTIME_DIR/wayland-1"
	attempt connect-unix "$XDG_RUNTIME_DIR/wayland-1"
	;;
x11)
	# the real path; created only when no X server has it
	if [ ! -S /tmp/.X11-unix/X0 ]; then
		mkdir -p -m 1777 /tmp/.X11-unix
		"$T/escape" serve-unix /tmp/.X11-unix/X0 >"$T/fixture.log" 2>&1 &
		track $!
		wait_serving || fail "no fake X server"
		chmod 777 /tmp/.X11-unix/X0
		trap 'cleanup; rm -f /tmp/.X11-unix/X0' EXIT
	fi
	control connect-unix /tmp/.X11-unix/X0
	attempt connect-unix /tmp/.X11-unix/X0
	;;
session-bus)
	$RUNAS "$T/escape" serve-unix "$XDG_RUNTIME_DIR/bus" \
		>"$T/fixture.log" 2>&1 &
	track $!
	wait_serving || fail "no fake bus"
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"
	paths=("$XDG_RUNTIME_DIR/bus")
	[ -S /run/dbus/system_bus_socket ] &&
		paths+=(/run/dbus/system_bus_socket)
	control connect-unix "$XDG_RUNTIME_DIR/bus"
	attempt connect-unix "${paths[@]}"
	;;
abstract)
	name="crate-wl-test-$$-$RANDOM"
	$RUNAS "$T/escape" serve-abstract "$name" >"$T/fixture.log" 2>&1 &
	track $!
	for _ in $(seq 1 100); do
		grep -q "@$name" /proc/net/unix && break
		sleep 0.02
	done
	grep -q "@$name" /proc/net/unix && wait_serving ||
		fail "no abstract socket"
	control connect-abstract "$name"
	attempt connect-abstract "$name"
	;;
ptrace|signal|proc)
	host_process
	[ "$NAME" = ptrace ] || control "$NAME" "$HOST_PID" "$MARK"
	attempt "$NAME" "$HOST_PID" "$MARK"
	kill -0 "$HOST_PID" 2>/dev/null || fail "the host process died"
	;;
tiocsti|tioclinux)
	need script
	for l in whole entries; do
		layout $l
		# a terminal of our own for crate-wl, as a user's shell has
		as_user script -qec "$(printf '%q ' timeout -k 2 20 \
			"$CRATE_WL" run "${LOPTS[@]}" -- "$E" "$NAME")" \
			/dev/null < /dev/null > "$T/out"
		rc=$?
		cat "$T/out"
		[ "$rc" = 77 ] && rc=1 # a terminal is always there
		verdict "$rc" $l
	done
	;;
setuid)
	mkdir -m 755 "$T/suid"
	cp "$ESCAPE" "$T/suid/escape"
	chown 0:0 "$T/suid/escape"
	chmod 4755 "$T/suid/escape"
	OPTS+=(--ro-bind "$T/suid")
	attempt setuid "$T/suid/escape"
	;;
net-none)
	mkdir -m 700 "$T/net" && chown "$U:$U" "$T/net"
	$RUNAS "$T/escape" serve-tcp 127.0.0.1 "$T/net/port4" \
		>"$T/fixture.log" 2>&1 &
	track $!
	for _ in $(seq 1 100); do [ -s "$T/net/port4" ] && break; sleep 0.02; done
	[ -s "$T/net/port4" ] || fail "no TCP server: $(cat "$T/fixture.log")"
	control connect-tcp 127.0.0.1 "$(cat "$T/net/port4")"
	attempt connect-tcp 127.0.0.1 "$(cat "$T/net/port4")"
	;;
net-none-ipv6)
	mkdir -m 700 "$T/net" && chown "$U:$U" "$T/net"
	$RUNAS "$T/escape" serve-tcp ::1 "$T/net/port6" >"$T/fixture.log" 2>&1 &
	track $!
	for _ in $(seq 1 100); do
		[ -s "$T/net/port6" ] && break
		kill -0 $! 2>/dev/null || break
		sleep 0.02
	done
	[ -s "$T/net/port6" ] ||
		skip "no IPv6 loopback on the host: $(cat "$T/fixture.log")"
	control connect-tcp ::1 "$(cat "$T/net/port6")"
	attempt connect-tcp ::1 "$(cat "$T/net/port6")"
	;;
*)
	attempt "$NAME"
	;;
esac
