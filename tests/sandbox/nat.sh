#!/bin/bash
# nat.sh CRATE_WL ESCAPE root|nobody: --net nat through pasta. What a nat
# sandbox reaches, in two network namespaces this test makes: "host", where
# crate-wl runs (servers on its loopback, a resolver there named in its
# resolv.conf, addresses of its own), and "net", the internet behind the
# host's gateway (servers there). The sandbox must reach the internet's and
# nothing of the host's loopback, through the gateway or any host address.
# Nothing outside the two namespaces is contacted.
CRATE_WL=$1
ESCAPE=$2
. "$(dirname "$0")/common.sh" "$3"
need pasta ip mount

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

# the two namespaces, gone with the test (after its servers, which the
# rig's cleanup stops first)
HNS=cw-nat-$$-host
INS=cw-nat-$$-net
nat_cleanup() {
	cleanup
	ip netns del "$HNS" 2>/dev/null
	ip netns del "$INS" 2>/dev/null
}
trap nat_cleanup EXIT
ip netns add "$HNS" && ip netns add "$INS" ||
	fail "cannot make network namespaces"
for ns in "$HNS" "$INS"; do
	# no duplicate address detection: addresses usable at once
	ip netns exec "$ns" sh -c 'echo 0 >/proc/sys/net/ipv6/conf/default/accept_dad' &&
		ip -n "$ns" link set lo up || fail "cannot set up $ns"
done
# host: 10.77.0.2 and fd77::2 on its link to the net, its gateway
# 10.77.0.1 / fd77::1; addresses of its own elsewhere: 10.78.0.1 and
# 2001:db8:78::1. net: the gateway, and servers at 203.0.113.80 and
# 2001:db8::80 behind it
ip link add h0 netns "$HNS" type veth peer name n0 netns "$INS" &&
	ip -n "$HNS" addr add 10.77.0.2/24 dev h0 &&
	ip -n "$HNS" addr add fd77::2/64 dev h0 nodad &&
	ip -n "$HNS" addr add 10.78.0.1/32 dev lo &&
	ip -n "$HNS" addr add 2001:db8:78::1/128 dev lo &&
	ip -n "$INS" addr add 10.77.0.1/24 dev n0 &&
	ip -n "$INS" addr add fd77::1/64 dev n0 nodad &&
	ip -n "$INS" addr add 203.0.113.80/32 dev lo &&
	ip -n "$INS" addr add 2001:db8::80/128 dev lo &&
	ip -n "$HNS" link set h0 up && ip -n "$INS" link set n0 up &&
	ip -n "$HNS" route add default via 10.77.0.1 &&
	ip -n "$HNS" -6 route add default via fd77::1 ||
	fail "cannot link the namespaces"

# in the host namespace, whose resolv.conf names a resolver on its loopback
# (as systemd-resolved's 127.0.0.53 does)
echo "nameserver 127.0.0.1" > "$T/resolv.conf"
in_host() {
	ip netns exec "$HNS" sh -c \
		'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$T/resolv.conf" "$@"
}

mkdir -m 700 "$T/net" "$T/res" && chown "$U:$U" "$T/net" "$T/res"
# serve NS MODE ADDR NAME [PORT]: a server (in host: as the test's user),
# its port in $T/net/NAME
serve() {
	local ns=$1 mode=$2 addr=$3 name=$4
	shift 4
	# shellcheck disable=SC2086 # RUNAS is a command prefix or nothing
	case $ns in
	host) in_host $RUNAS "$T/escape" "$mode" "$addr" "$T/net/$name" "$@" ;;
	root) in_host "$T/escape" "$mode" "$addr" "$T/net/$name" "$@" ;;
	net) ip netns exec "$INS" "$T/escape" "$mode" "$addr" "$T/net/$name" ;;
	esac >>"$T/server.log" 2>&1 &
	track $!
	for _ in $(seq 1 100); do [ -s "$T/net/$name" ] && break; sleep 0.02; done
	[ -s "$T/net/$name" ] ||
		fail "no $mode on $addr in $ns: $(cat "$T/server.log")"
	# the server itself, not only the shell that started it: ip netns
	# exec and sh stay between them
	local spid
	for spid in $(pgrep -f "^$T/escape $mode $addr $T/net/$name( |\$)"); do
		track "$spid"
	done
}
serve host serve-tcp 127.0.0.1 lo4
serve host serve-tcp ::1 lo6
serve host serve-udp 127.0.0.1 ulo4
serve host serve-udp ::1 ulo6
# the resolver: root's, on port 53
serve root serve-udp 127.0.0.1 dns 53
# bound to every address: the host's own service, open to its network
serve host serve-tcp 0.0.0.0 any4
serve net serve-tcp 203.0.113.80 net4
serve net serve-tcp 2001:db8::80 net6
serve net serve-udp 203.0.113.80 unet4
port() { cat "$T/net/$1"; }

# What the sandbox tries, all at once (each bounded by the escape helper's
# timeout). reach: must be served by the server at ADDR (the server's own,
# when it was bound to another); deny: must not be served at all, and the
# host's loopback servers must see no client.
plan() {
	: >"$T/res/plan"
	: >"$T/expect"
	rm -f "$T/res/"*.rc "$T/res/"*.out "$T/res/route" "$T/res/route-add"
	# the servers append: what they saw is this plan's alone
	local f
	for f in "$T/net/"*.seen; do
		: >"$f"
	done
}
try() { # reach|deny NAME MODE ADDR PORT WHAT [SERVER]
	echo "$2 $3 $4 $5" >>"$T/res/plan"
	echo "$1 $2 ${7:-$4} $6" >>"$T/expect"
}
bad=0
# run_plan WHEN: one sandbox tries the plan; its checks
run_plan() {
	local when=$1
	# shellcheck disable=SC2016,SC2086 # expanded in the sandbox; a prefix
	in_host timeout -k 2 30 $RUNAS "$CRATE_WL" run --no-wayland --net nat \
		--ro-bind "$T/escape:$E" --bind "$T/res:/res" -- sh -c '
		cat /proc/net/route >/res/route
		# pasta takes what reaches its tap to any address, the
		# loopback included: only the kernel'"'"'s routes keep
		# 127.0.0.1 off it, and the app must not change them
		ip route add 198.51.100.0/24 via 10.77.0.1 >/res/route-add 2>&1
		echo $? >>/res/route-add
		while read -r name mode addr port; do
			( '"$E"' "$mode" "$addr" "$port" >"/res/$name.out" 2>&1
			echo $? >"/res/$name.rc" ) &
		done </res/plan
		wait
	' || fail "nat: exit $?"
	# the sandbox's default route is the host's: through 10.77.0.1
	awk '$2 == "00000000" { print $3 }' "$T/res/route" | grep -qx 01004D0A ||
		fail "the sandbox's default route is not through 10.77.0.1: $(cat "$T/res/route")"
	tail -n 1 "$T/res/route-add" | grep -qvx 0 ||
		fail "the sandbox changed its routes: $(cat "$T/res/route-add")"
	grep -q "Operation not permitted" "$T/res/route-add" ||
		fail "ip route add failed, not for want of permission: $(cat "$T/res/route-add")"
	pass "the sandbox cannot change its routes: $(head -n 1 "$T/res/route-add")"
	local kind name addr what rc out srv
	while read -r kind name addr what; do
		rc=$(cat "$T/res/$name.rc" 2>/dev/null)
		out=$(cat "$T/res/$name.out" 2>/dev/null)
		if [ "$kind" = reach ]; then
			if [ "$rc" = 11 ] && [ "${out##*by }" = "$addr" ]; then
				pass "reaches $what: $out"
			else
				echo "FAIL: does not reach $what (exit $rc): $out" >&2
				bad=1
			fi
		elif [ "$rc" = 10 ]; then
			pass "does not reach $what: $out"
		else
			echo "FAIL: reaches $what (exit $rc): $out" >&2
			bad=1
		fi
	done <"$T/expect"
	# a datagram may get through where no answer gets back (pasta
	# answers from another address than the one asked): what the
	# host's loopback servers saw, from anyone
	for srv in lo4 lo6 ulo4 ulo6 dns; do
		if [ -s "$T/net/$srv.seen" ]; then
			echo "FAIL: the host's loopback server $srv was reached" \
				"$when from: $(tr '\n' ' ' <"$T/net/$srv.seen")" >&2
			bad=1
		else
			pass "the host's loopback server $srv saw no client $when"
		fi
	done
}

plan
try reach net-tcp4 connect-tcp 203.0.113.80 "$(port net4)" "a TCP server on the internet"
try reach net-tcp6 connect-tcp 2001:db8::80 "$(port net6)" "a TCP server on the internet, IPv6"
try reach net-udp4 udp 203.0.113.80 "$(port unet4)" "a UDP server on the internet"
# as any program of the user's would: the host's other addresses are not
# its loopback
try reach host-any connect-tcp 10.78.0.1 "$(port any4)" "a host server bound to 0.0.0.0, at another address of the host's" 0.0.0.0
try deny gw-tcp4 connect-tcp 10.77.0.1 "$(port lo4)" "the host's 127.0.0.1 (TCP) through the gateway"
try deny gw-tcp6 connect-tcp fd77::1 "$(port lo6)" "the host's ::1 (TCP) through the gateway"
try deny gw-udp4 udp 10.77.0.1 "$(port ulo4)" "the host's 127.0.0.1 (UDP) through the gateway"
try deny gw-udp6 udp fd77::1 "$(port ulo6)" "the host's ::1 (UDP) through the gateway"
try deny gw-dns udp 10.77.0.1 53 "the host's loopback resolver through the gateway"
try deny lo-tcp4 connect-tcp 127.0.0.1 "$(port lo4)" "the host's 127.0.0.1 (TCP) as the sandbox's own"
try deny lo-tcp6 connect-tcp ::1 "$(port lo6)" "the host's ::1 (TCP) as the sandbox's own"
try deny lo-udp4 udp 127.0.0.1 "$(port ulo4)" "the host's 127.0.0.1 (UDP) as the sandbox's own"
# every address the host has, but its loopback's and link-local ones
n=0
for a in $(ip -n "$HNS" -o addr show scope global | awk '{ print $4 }'); do
	a=${a%/*}
	n=$((n + 1))
	case $a in
	*:*) try deny host$n-tcp connect-tcp "$a" "$(port lo6)" "the host's ::1 (TCP) through the host's $a"
		try deny host$n-udp udp "$a" "$(port ulo6)" "the host's ::1 (UDP) through the host's $a" ;;
	*) try deny host$n-tcp connect-tcp "$a" "$(port lo4)" "the host's 127.0.0.1 (TCP) through the host's $a"
		try deny host$n-udp udp "$a" "$(port ulo4)" "the host's 127.0.0.1 (UDP) through the host's $a" ;;
	esac
done
[ $n = 4 ] || fail "the host namespace has $n addresses, not 4"
run_plan "(gateways 10.77.0.1, fd77::1)"

# an IPv6 gateway is often link-local (router advertisements): the host's
# default route through the net's fe80:: address instead
ll=$(ip -n "$INS" -6 -o addr show dev n0 scope link | awk '{ print $4 }')
ll=${ll%/*}
[ -n "$ll" ] || fail "no link-local address in the net namespace"
ip -n "$HNS" -6 route replace default via "$ll" dev h0 ||
	fail "cannot route the host through $ll"
plan
try reach net-tcp6 connect-tcp 2001:db8::80 "$(port net6)" "a TCP server on the internet, IPv6, through a link-local gateway"
try deny gwll-tcp6 connect-tcp "$ll%h0" "$(port lo6)" "the host's ::1 (TCP) through the link-local gateway"
try deny gwll-udp6 udp "$ll%h0" "$(port ulo6)" "the host's ::1 (UDP) through the link-local gateway"
run_plan "(IPv6 gateway $ll)"
[ $bad = 0 ] || fail "a nat sandbox reaches what it must not, or misses the internet"
ls -A "$XDG_RUNTIME_DIR/crate-wl" | grep -q . &&
	fail "left in the runtime directory: $(ls -A "$XDG_RUNTIME_DIR/crate-wl")"
pass "--net nat reaches the internet and nothing of the host's loopback"
