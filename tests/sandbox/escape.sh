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
# The third layout: the whole root with nested sandboxes allowed
# (--nested-sandbox), the attempt made from a user and mount namespace of
# its own in which it has every capability (unshare -Urm; not as root,
# whose uid 0 a nested namespace cannot map: the kernel asks for
# CAP_SETFCAP there): what the app may do then must hold all the same.
NPRE=()
layout() {
	NPRE=()
	case $1 in
	whole|nested) E=$T/escape ;;
	entries) E=/.test/escape ;;
	esac
	LOPTS=(--no-wayland --ro-bind "$T/escape:$E" "${OPTS[@]}")
	if [ "$1" = nested ]; then
		LOPTS+=(--nested-sandbox)
		[ "$AS" = root ] || NPRE=(unshare -Urm --)
	fi
	# the plan is the layout meant
	local plan
	plan=$(cw run "${LOPTS[@]}" --dry-run -- true) ||
		fail "--dry-run failed: $plan"
	case $1 in
	whole) echo "$plan" | grep -q '^  root  *\/ <- \/' &&
		echo "$plan" | grep -q 'namespaces made inside: at most 0 ' ;;
	entries) echo "$plan" | grep -q '^  remount-ro *\/$' ;;
	nested) echo "$plan" | grep -q '^  root  *\/ <- \/' &&
		echo "$plan" | grep -q 'namespaces made inside: at most [1-9]' ;;
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

# what nested sandboxes are: made possible there, by design (the nested
# layout's other attempts say what they can reach)
NESTED_LIFTS=" mount unshare-user clone-newuser pivot-root chroot "
# what measures the probe's own uid and capabilities, which a nested
# namespace's root has there by design: tried without the prefix
NESTED_PLAIN=" setuid "
attempt() {
	for l in whole entries nested; do
		if [ $l = nested ] && [[ $NESTED_LIFTS == *" $NAME "* ]]; then
			continue
		fi
		layout $l
		if [[ $NESTED_PLAIN == *" $NAME "* ]]; then
			NPRE=()
		fi
		cw run "${LOPTS[@]}" -- "${NPRE[@]}" "$E" "$@"
		verdict $? $l
	done
}

# The same attempt outside the sandbox must work: the fixture is real.
control() {
	$RUNAS "$T/escape" "$@" >"$T/control.log" 2>&1
	[ $? = 11 ] || fail "control: outside the sandbox too: $(cat "$T/control.log")"
}

# For an attack the host itself may refuse (io_uring disabled, Yama, a
# read-only /proc/sys in a container): nothing to defend where it does.
control_applies() {
	$RUNAS "$T/escape" "$@" >"$T/control.log" 2>&1
	[ $? = 11 ] || CORE_TEST=0 skip "the host refuses it outside a sandbox too: $(cat "$T/control.log")"
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
	# the probe itself, not setpriv before its exec (whose cmdline has
	# the mark too, and which a read of during the exec finds empty)
	for _ in $(seq 1 100); do
		[ "$(readlink "/proc/$HOST_PID/exe")" = "$T/escape" ] &&
			tr '\0' ' ' < "/proc/$HOST_PID/cmdline" |
			grep -q "$MARK" && return
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
io-uring|userfaultfd|process-vm|proc-ro|compat-socket)
	control_applies "$NAME"
	attempt "$NAME"
	;;
keyring)
	# crate-wl started with a key in its session keyring that only the
	# keyring's possessors see: the sandbox must not be one
	MARK="crate-wl-key-$$-$RANDOM"
	$RUNAS "$T/escape" with-key "$MARK" "$T/escape" keyring "$MARK" \
		>"$T/control.log" 2>&1
	case $? in
	11) ;;
	77) skip "no keyrings here: $(cat "$T/control.log")" ;;
	*) fail "control: the key is not seen: $(cat "$T/control.log")" ;;
	esac
	for l in whole entries; do
		layout $l
		timeout -k 2 20 $RUNAS "$T/escape" with-key "$MARK" \
			"$CRATE_WL" run "${LOPTS[@]}" -- "$E" keyring "$MARK"
		verdict $? $l
	done
	;;
enter)
	# enter, by a caller with a key in its session keyring
	MARK="crate-wl-key-$$-$RANDOM"
	for l in whole entries; do
		layout $l
		app="escape-enter-$l-$$"
		$RUNAS "$CRATE_WL" run "${LOPTS[@]}" --app "$app" -- "$E" wait \
			"$MARK" >/dev/null 2>&1 &
		pid=$!
		track $pid
		for _ in $(seq 1 200); do
			as_user "$CRATE_WL" ps | grep -q " $app " && break
			sleep 0.02
		done
		timeout -k 2 20 $RUNAS "$T/escape" with-key "$MARK" \
			"$CRATE_WL" enter "$app" "$E" entered "$MARK"
		rc=$?
		cw stop "$app" >/dev/null
		wait $pid
		[ $rc = 77 ] && skip "no keyrings here"
		verdict $rc $l
	done
	;;
state-seccomp)
	# a sandbox given the cache's parent replaces the seccomp program
	# crate-wl once cached there with one that allows everything...
	cw run --no-wayland -- true || fail "the first run failed"
	OPTS+=(--bind "$XDG_CACHE_HOME")
	attempt plant-bpf "$XDG_CACHE_HOME/crate-wl"
	# ...and a later sandbox, without the bind, is filtered all the same
	OPTS=()
	attempt keyctl
	;;
state-dirs)
	# crate-wl's state, as a user's has it, each with something in it
	state() {
		mkdir -p "$XDG_CACHE_HOME/crate-wl/oci" "$XDG_CONFIG_HOME/crate-wl/apps" \
			"$XDG_DATA_HOME/crate-wl" "$XDG_STATE_HOME/crate-wl" \
			"$XDG_RUNTIME_DIR"
		echo "[foo]" > "$XDG_DATA_HOME/crate-wl/permissions"
		echo 0123 > "$XDG_STATE_HOME/crate-wl/confirmed"
		echo "[app]" > "$XDG_CONFIG_HOME/crate-wl/apps/foo.crate"
		chmod 700 "$XDG_RUNTIME_DIR"
		chown -R "$U:$U" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" \
			"$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
		# the runtime dir holds the running sandbox's own instance
		DIRS=("$XDG_CACHE_HOME/crate-wl" "$XDG_DATA_HOME/crate-wl"
			"$XDG_CONFIG_HOME/crate-wl" "$XDG_STATE_HOME/crate-wl"
			"$XDG_RUNTIME_DIR/crate-wl")
	}
	# each state directory's parent bound
	state
	OPTS+=(--bind "$XDG_CACHE_HOME" --bind "$XDG_DATA_HOME"
		--bind "$XDG_CONFIG_HOME" --bind "$XDG_STATE_HOME"
		--bind "$XDG_RUNTIME_DIR")
	attempt state "${DIRS[@]}"
	attempt rename "${DIRS[@]}"
	# all of them under the home, at their defaults, and the home bound:
	# nothing between it and them can be moved aside either
	export XDG_CACHE_HOME=$HOME/.cache XDG_DATA_HOME=$HOME/.local/share \
		XDG_CONFIG_HOME=$HOME/.config XDG_STATE_HOME=$HOME/.local/state \
		XDG_RUNTIME_DIR=$HOME/rt
	state
	OPTS=(--bind "$HOME")
	attempt state "${DIRS[@]}"
	attempt rename "${DIRS[@]}" "$HOME/.cache" "$HOME/.local" \
		"$HOME/.local/share" "$HOME/.local/state" "$HOME/.config" "$HOME/rt"
	# two of them under one parent in the home; and the cache's default
	# place, where a crate-wl run without XDG_CACHE_HOME keeps it
	export XDG_CACHE_HOME=$HOME/.local/cache
	state
	attempt state "${DIRS[@]}" "$HOME/.cache/crate-wl"
	# and none of them can be bound itself
	for d in "${DIRS[@]}" "$XDG_DATA_HOME/crate-wl/permissions"; do
		if cw run --no-wayland --ro-bind "$d:/state" -- true 2>"$T/err"; then
			fail "a bind of $d: the sandbox ran"
		fi
		grep -q "crate-wl's own state" "$T/err" ||
			fail "a bind of $d: $(cat "$T/err")"
	done
	pass "state-dirs ($AS): a bind of a state directory is refused"
	;;
host-top)
	# users' data at the host's top level, in /var/log and in /srv
	[ "$(id -u)" = 0 ] || skip "writing the host's / needs root"
	top=$(mktemp -d /crate-wl-test-XXXXXX)
	mkdir -p /srv
	srv=$(mktemp /srv/crate-wl-test-XXXXXX)
	log=$(mktemp /var/log/crate-wl-test-XXXXXX)
	trap 'cleanup; rm -rf "$top" "$srv" "$log"' EXIT
	for f in "$top/secret" "$srv" "$log"; do
		echo secret > "$f"
		chmod 644 "$f"
	done
	chmod 755 "$top"
	for f in "$top/secret" "$srv" "$log"; do
		control read "$f"
	done
	attempt read "$top/secret" "$srv" "$log"
	;;
env)
	# the caller's secrets: none reaches the sandbox
	export AWS_SECRET_ACCESS_KEY=crate-wl-test-key \
		GITHUB_TOKEN=crate-wl-test-token SSH_AUTH_SOCK=$T/agent
	attempt env AWS_SECRET_ACCESS_KEY GITHUB_TOKEN SSH_AUTH_SOCK
	# --env NAME passes one on, --env NAME=VALUE sets one
	out=$(cw run --no-wayland --env GITHUB_TOKEN --env EXTRA=1 -- \
		sh -c 'echo "$GITHUB_TOKEN $EXTRA ${AWS_SECRET_ACCESS_KEY:-unset}"')
	[ "$out" = "crate-wl-test-token 1 unset" ] || fail "--env: '$out'"
	# and so does a manifest's env
	cat > "$T/env.crate" <<'M'
[app]
name = envtest
exec = sh -c 'echo "$GITHUB_TOKEN $EXTRA ${AWS_SECRET_ACCESS_KEY:-unset}"'
[sandbox]
wayland = false
env = GITHUB_TOKEN
env = EXTRA=2
M
	chmod 644 "$T/env.crate"
	out=$(cw app --yes "$T/env.crate") || fail "a manifest's env: $out"
	[ "$out" = "crate-wl-test-token 2 unset" ] ||
		fail "a manifest's env: '$out'"
	# --dry-run shows the whole environment, and only that
	plan=$(cw run --no-wayland --env GITHUB_TOKEN --env EXTRA=1 --dry-run \
		-- true) || fail "--dry-run: $plan"
	for v in GITHUB_TOKEN=crate-wl-test-token EXTRA=1 "HOME=$HOME" PATH=; do
		echo "$plan" | grep -q "^  $v" || fail "--dry-run does not show $v"
	done
	echo "$plan" | grep -q AWS_SECRET_ACCESS_KEY &&
		fail "--dry-run shows a variable the sandbox does not get"
	pass "env ($AS): --env and a manifest's env add what they name, --dry-run shows it"
	;;
*)
	attempt "$NAME"
	;;
esac
