#!/bin/bash
# devel.sh CRATE_WL ESCAPE root|nobody: --devel allows ptrace and
# perf_event_open on the sandbox's own processes, and only with it.
CRATE_WL=$1
ESCAPE=$2
. "$(dirname "$0")/common.sh" "$3"

cp "$ESCAPE" "$T/escape"
chmod 755 "$T/escape"
E=/.test/escape

# inside: PTRACE_ATTACH to a process of the sandbox (exit 11: it worked)
in_sandbox() {
	cw run --no-wayland --ro-bind "$T/escape:$E" "$@" -- sh -c '
		sleep 30 & child=$!
		'"$E"' ptrace $child mark; r=$?
		kill $child; exit $r'
}

in_sandbox >"$T/out" 2>&1
rc=$?
[ $rc = 10 ] || fail "ptrace without --devel: exit $rc: $(cat "$T/out")"
grep -q "Operation not permitted" "$T/out" ||
	fail "ptrace without --devel: not the filter's EPERM: $(cat "$T/out")"
pass "without --devel: $(cat "$T/out")"

in_sandbox --devel >"$T/out" 2>&1
rc=$?
[ $rc = 11 ] || fail "ptrace with --devel: exit $rc: $(cat "$T/out")"
pass "with --devel, PTRACE_ATTACH to the sandbox's own process works"

# ptrace's twins go with it: process_vm_readv and pidfd_getfd
cw run --no-wayland --devel --ro-bind "$T/escape:$E" -- "$E" process-vm \
	>"$T/out" 2>&1
rc=$?
[ $rc = 11 ] || fail "process_vm_readv with --devel: exit $rc: $(cat "$T/out")"
pass "with --devel, process_vm_readv and pidfd_getfd work"

# pid 1 stays out of reach: non-dumpable (it holds the launcher's status
# pipe, and more than the app once had)
cw run --no-wayland --devel --ro-bind "$T/escape:$E" -- "$E" ptrace 1 mark \
	>"$T/out" 2>&1
rc=$?
[ $rc = 10 ] || fail "--devel: ptrace of pid 1: exit $rc: $(cat "$T/out")"
cw run --no-wayland --devel --ro-bind "$T/escape:$E" -- "$E" init \
	>"$T/out" 2>&1
rc=$?
[ $rc = 10 ] || fail "--devel: pid 1 taken over: exit $rc: $(cat "$T/out")"
pass "with --devel, pid 1 can be neither traced nor opened"

# a host process stays out of reach: the pid namespace hides it
sleep 30 &
host=$!
track $host
cw run --no-wayland --devel --ro-bind "$T/escape:$E" -- "$E" ptrace "$host" mark \
	>"$T/out" 2>&1
rc=$?
[ $rc = 10 ] || fail "--devel: ptrace of a host process: exit $rc: $(cat "$T/out")"
pass "with --devel, a host process cannot be traced: $(cat "$T/out")"

# perf_event_open: where the host allows it to this user at all
cw run --no-wayland --ro-bind "$T/escape:$E" -- "$E" perf-event-open \
	>"$T/out" 2>&1
rc=$?
[ $rc = 10 ] || fail "perf_event_open without --devel: exit $rc: $(cat "$T/out")"
if as_user "$T/escape" perf-event-open >"$T/control" 2>&1; [ $? = 11 ]; then
	cw run --no-wayland --devel --ro-bind "$T/escape:$E" -- "$E" \
		perf-event-open >"$T/out" 2>&1
	rc=$?
	[ $rc = 11 ] || fail "perf_event_open with --devel: exit $rc: $(cat "$T/out")"
	pass "perf_event_open: refused without --devel, works with it"
else
	pass "perf_event_open refused without --devel (the host refuses" \
		"it to $AS anyway: $(cat "$T/control"))"
fi

# the option is also a manifest key, and --dry-run says it
cat >"$T/devel.crate" <<EOT
[app]
name = devel-test
exec = true
[sandbox]
devel = true
wayland = false
EOT
chmod 644 "$T/devel.crate"
cw app --dry-run "$T/devel.crate" >"$T/out" 2>&1 ||
	fail "a manifest with devel = true: $(cat "$T/out")"
grep -q "^seccomp: (--devel" "$T/out" ||
	fail "--dry-run does not say --devel: $(cat "$T/out")"
grep -q "^ptrace " "$T/out" && fail "--dry-run still lists ptrace: $(cat "$T/out")"
cw run --no-wayland --dry-run -- true | grep -q "^ptrace -> EPERM" ||
	fail "--dry-run without --devel does not list ptrace"
pass "devel = true in a manifest; --dry-run shows the filter without ptrace"
