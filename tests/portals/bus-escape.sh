#!/bin/bash
# The sandbox's private bus, attacked from inside a sandbox under the
# default policy (screencopy ask: the bus is there). Its daemon runs
# outside the sandbox: nothing the app sends may start, configure or load
# a program there, and the daemon is confined as the app is.
# usage: bus-escape.sh CRATE_WL EVIL_SO ATTACK_PY CASE root|nobody
CRATE_WL=$1
EVIL=$2
ATTACK=$3
CASE=$4
. "$(dirname "$0")/../sandbox/common.sh" "$5"
need sway dbus-daemon
gi_python

# the client and the library go in by a bind of their own; the marker
# directory is where the host (not the sandbox) can write
mkdir -m 755 "$T/bin"
cp "$ATTACK" "$T/bin/bus-attack.py"
cp "$EVIL" "$T/bin/evil.so"
chmod 755 "$T/bin/evil.so"
mkdir -m 777 "$T/mark"
MARKER=$T/mark/loaded

if [ "$AS" = nobody ]; then
	start_sway 65534
else
	start_sway
fi
export XDG_RUNTIME_DIR="$T/rt" WAYLAND_DISPLAY="$SWAY_SOCKET"

# the app: crate-wl run with the default policy
app() {
	timeout -k 2 30 $RUNAS "$CRATE_WL" run --ro-bind "$T/bin:/.test" \
		-- "$PY" /.test/bus-attack.py "$@"
}

# expect LOG NAME: NAME's call was refused (AccessDenied)
refused() {
	grep -qx "$2 error org.freedesktop.DBus.Error.AccessDenied" "$1"
}

case $CASE in
attack)
	# the escape as found: the app's host pid, LD_PRELOAD in the
	# activation environment, then a service started
	app attack "$T/bin/evil.so" "$MARKER" > "$T/app.log" 2>&1 ||
		fail "the client failed: $(cat "$T/app.log")"
	cat "$T/app.log"
	# whatever the daemon might have started: give it time to run
	sleep 1
	[ ! -e "$MARKER" ] ||
		fail "the app's library ran outside the sandbox: $(cat "$MARKER")"
	grep -q '^env error ' "$T/app.log" ||
		fail "the activation environment took the app's LD_PRELOAD"
	pass "the app's library loads nowhere outside the sandbox"
	;;
driver)
	app driver > "$T/app.log" 2>&1 ||
		fail "the client failed: $(cat "$T/app.log")"
	cat "$T/app.log"
	# none (the daemon's pid namespace holds no process of the app's)
	grep -qE '^pid (error |ok \(0,\)$)' "$T/app.log" ||
		fail "the bus tells the app a host pid"
	for call in env env-noiface; do
		refused "$T/app.log" $call ||
			fail "UpdateActivationEnvironment was not refused ($call)"
	done
	# nothing to start: the portal's name is crate-wl's already (2,
	# DBUS_START_REPLY_ALREADY_RUNNING); any other answers the
	# ServiceUnknown a GDBusProxy client carries on after (it then waits
	# for the name), never a start
	for call in start start-noiface; do
		grep -qx "$call ok (2,)" "$T/app.log" ||
			fail "StartServiceByName of the portal did not say it runs ($call)"
	done
	for call in start-other start-other-noiface; do
		grep -qx "$call error org.freedesktop.DBus.Error.ServiceUnknown" \
			"$T/app.log" ||
			fail "StartServiceByName did not answer ServiceUnknown ($call)"
	done
	for call in monitor monitor-noiface; do
		refused "$T/app.log" $call ||
			fail "BecomeMonitor was not refused ($call)"
	done
	grep -qx 'eavesdropped 0' "$T/app.log" ||
		fail "an eavesdropping match rule saw others' messages"
	pass "the bus driver refuses what configures or watches the daemon"
	;;
names)
	app names > "$T/app.log" 2>&1 ||
		fail "the client failed: $(cat "$T/app.log")"
	cat "$T/app.log"
	grep -qx 'owner-is-me False' "$T/app.log" ||
		fail "the portal's name is not crate-wl's"
	for name in org.freedesktop.portal.Desktop \
			org.freedesktop.portal.Documents \
			org.freedesktop.impl.portal.desktop.gtk \
			org.freedesktop.impl.portal.PermissionStore \
			org.freedesktop.DBus.Monitoring; do
		for flags in 0 2 6; do
			refused "$T/app.log" "own $name $flags" ||
				fail "the app could take $name (flags $flags)"
		done
	done
	[ "$(sed -n 's/^owner ok //p' "$T/app.log")" = \
		"$(sed -n 's/^owner-after ok //p' "$T/app.log")" ] ||
		fail "the portal's name changed hands"
	pass "the portal's names and the bus's stay out of the app's reach"
	;;
log)
	# what the daemon logs stays bounded, whatever the app sends
	timeout -k 2 30 $RUNAS "$CRATE_WL" run --ro-bind "$T/bin:/.test" \
		-- "$PY" /.test/bus-attack.py flood 2000 > "$T/app.log" 2>&1 &
	track $!
	for _ in $(seq 1 400); do
		grep -q '^flooded' "$T/app.log" && break
		sleep 0.05
	done
	cat "$T/app.log"
	grep -q '^flooded 2000 refused 2000$' "$T/app.log" ||
		fail "the calls were not all refused: $(cat "$T/app.log")"
	log=$(ls "$T"/rt/crate-wl/*/bus.log) || fail "no bus.log"
	size=$(stat -c %s "$log")
	echo "bus.log: $size bytes after 2000 refused calls"
	[ "$size" -lt 4096 ] || fail "the app fills the daemon's log: $size bytes"
	pass "the daemon's log stays small under refused calls"
	;;
memory)
	# what the app can make the daemon hold: messages for a connection
	# of its own that never reads
	timeout -k 2 40 $RUNAS "$CRATE_WL" run --ro-bind "$T/bin:/.test" \
		-- "$PY" /.test/bus-attack.py stuff 100 > "$T/app.log" 2>&1 &
	apid=$!
	track $apid
	for _ in $(seq 1 600); do
		grep -q '^stuffed' "$T/app.log" && break
		sleep 0.05
	done
	cat "$T/app.log"
	grep -q '^stuffed 100 MB' "$T/app.log" ||
		fail "the client failed: $(cat "$T/app.log")"
	cw_pid=$(pgrep -P $apid -x crate-wl)
	d=$(pgrep -P "$cw_pid" -x dbus-daemon)
	[ -n "$d" ] || fail "no dbus-daemon under crate-wl"
	grep -E '^Vm(HWM|RSS):' /proc/$d/status
	peak=$(awk '/^VmHWM:/ { print $2 }' /proc/$d/status)
	[ "$peak" -lt 65536 ] ||
		fail "the app made the daemon hold $((peak / 1024)) MB"
	pass "the daemon holds a few MB, whatever the app queues"
	;;
confined)
	# the daemon seen from the host: namespaces, no_new_privs, seccomp,
	# no capabilities, a root without the host's data
	timeout -k 2 30 $RUNAS "$CRATE_WL" run --ro-bind "$T/bin:/.test" \
		-- "$PY" /.test/bus-attack.py hold > "$T/app.log" 2>&1 &
	apid=$!
	track $apid
	for _ in $(seq 1 200); do
		grep -q '^connected' "$T/app.log" && break
		sleep 0.05
	done
	grep -q '^connected' "$T/app.log" ||
		fail "the app never reached the portal: $(cat "$T/app.log")"
	cw_pid=$(pgrep -P $apid -x crate-wl)
	d=$(pgrep -P "$cw_pid" -x dbus-daemon)
	[ -n "$d" ] || fail "no dbus-daemon under crate-wl ($cw_pid)"
	echo "dbus-daemon: pid $d"
	grep -E '^(NoNewPrivs|Seccomp|CapEff|CapBnd|CapPrm):' /proc/$d/status
	for ns in user mnt pid net ipc uts; do
		mine=$(readlink /proc/self/ns/$ns)
		its=$(readlink /proc/$d/ns/$ns)
		echo "$ns: host $mine, daemon $its"
		[ "$mine" != "$its" ] ||
			fail "the daemon shares the host's $ns namespace"
	done
	grep -qx 'NoNewPrivs:[[:space:]]*1' /proc/$d/status ||
		fail "the daemon has no no_new_privs"
	grep -qx 'Seccomp:[[:space:]]*2' /proc/$d/status ||
		fail "the daemon has no seccomp filter"
	grep -qx 'CapEff:[[:space:]]*0*' /proc/$d/status ||
		fail "the daemon has capabilities"
	grep -qx 'CapBnd:[[:space:]]*0*' /proc/$d/status ||
		fail "the daemon could regain capabilities"
	# its root: the system's software, read-only; none of the host's data
	ls -a /proc/$d/root/ > "$T/root.list"
	echo "its root: $(tr '\n' ' ' < "$T/root.list")"
	for top in home root run srv mnt media proc sys opt var; do
		grep -qx "$top" "$T/root.list" &&
			fail "the daemon sees /$top"
	done
	# of crate-wl's files, its config's directory alone (here under the
	# test's /tmp: nothing else of it)
	inst=$(ls -d /proc/$d/root$T/rt/crate-wl/*/) ||
		fail "no instance directory in the daemon's root"
	[ "$(ls -A "$inst")" = bus-config ] ||
		fail "the daemon sees more of crate-wl's files: $(ls -A "$inst")"
	[ "$(ls -A /proc/$d/root$T)" = rt ] ||
		fail "the daemon sees more of the host's /tmp: $(ls -A /proc/$d/root$T)"
	touch /proc/$d/root/usr/.cw-write 2>/dev/null &&
		fail "the daemon's root is writable"
	# and it goes with crate-wl, however crate-wl goes
	kill -9 "$cw_pid"
	for _ in $(seq 1 100); do
		kill -0 "$d" 2>/dev/null || break
		sleep 0.02
	done
	kill -0 "$d" 2>/dev/null && fail "the daemon outlived crate-wl"
	pass "the bus's daemon runs confined as the app is"
	;;
*)
	fail "unknown case $CASE"
	;;
esac
