#!/bin/bash
# nat.sh CRATE_WL ESCAPE root|nobody: --net nat through pasta. The only
# server ever contacted is one this test starts on the host's loopback.
CRATE_WL=$1
ESCAPE=$2
. "$(dirname "$0")/common.sh" "$3"
need pasta

cp "$ESCAPE" "$T/escape"
chmod 755 "$T/escape"
E=/.test/escape

# without pasta, the error names the package
timeout 20 $RUNAS env PATH=/nonexistent "$CRATE_WL" run --no-wayland --net nat \
	-- /bin/true 2>"$T/err" && fail "--net nat ran without pasta"
grep -q "passt" "$T/err" || fail "the error does not name passt: $(cat "$T/err")"
pass "without pasta: $(cat "$T/err")"

# pasta opens /dev/net/tun as this user: where the node's mode does not
# let it (0600 where no udev rule made it 0666), crate-wl says so up front
if ! as_user test -r /dev/net/tun -a -w /dev/net/tun; then
	cw run --no-wayland --net nat -- /bin/true 2>"$T/err" &&
		fail "--net nat ran though $AS cannot open /dev/net/tun"
	grep -q "/dev/net/tun is mode" "$T/err" &&
		grep -q "chmod 0666 /dev/net/tun" "$T/err" ||
		fail "the error does not say why: $(cat "$T/err")"
	pass "unusable /dev/net/tun: $(cat "$T/err")"
	skip "$AS cannot open /dev/net/tun ($(stat -c '%A %U' /dev/net/tun))," \
		"and being root in its own user namespace does not help: the" \
		"node's owner is not mapped there. udev's default rules make it" \
		"0666; this machine has no udev. 'chmod 0666 /dev/net/tun' by" \
		"an administrator unblocks this test"
fi

# can pasta work here at all, for this user?
cw run --no-wayland --net nat -- /bin/true 2>"$T/probe"
rc=$?
if [ $rc != 0 ]; then
	grep -q "pasta could not set up the network" "$T/probe" &&
		skip "pasta does not work here as $AS: $(cat "$T/probe") (/dev/net/tun is $(stat -c %A /dev/net/tun 2>/dev/null))"
	fail "--net nat: exit $rc: $(cat "$T/probe")"
fi

mkdir -m 700 "$T/net" && chown "$U:$U" "$T/net"
$RUNAS "$T/escape" serve-tcp 127.0.0.1 "$T/net/port" >"$T/server.log" 2>&1 &
track $!
for _ in $(seq 1 100); do [ -s "$T/net/port" ] && break; sleep 0.02; done
[ -s "$T/net/port" ] || fail "no TCP server"
port=$(cat "$T/net/port")

# pasta maps the gateway address to the host's loopback: the connection
# never leaves the host
cw run --no-wayland --net nat --ro-bind "$T/escape:$E" -- sh -c '
	gw=$(awk "\$2 == \"00000000\" { print \$3; exit }" /proc/net/route)
	[ -n "$gw" ] || { echo "no default route"; exit 2; }
	ip=$(printf "%d.%d.%d.%d" 0x${gw#??????} 0x$(echo $gw | cut -c5-6) \
		0x$(echo $gw | cut -c3-4) 0x$(echo $gw | cut -c1-2))
	'"$E"' connect-tcp "$ip" '"$port"'
	[ $? = 11 ] || exit 1
	# the sandbox'"'"'s own 127.0.0.1 is not the host'"'"'s
	'"$E"' connect-tcp 127.0.0.1 '"$port"'
	[ $? = 10 ] || exit 3
' || fail "nat: exit $? (1: host unreachable, 3: host loopback is the sandbox's)"
ls -A "$XDG_RUNTIME_DIR/crate-wl" | grep -q . &&
	fail "left in the runtime directory: $(ls -A "$XDG_RUNTIME_DIR/crate-wl")"
pass "--net nat reaches the host's loopback server through pasta"
