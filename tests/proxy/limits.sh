#!/bin/bash
# One sandbox must not take down the desktop (crate-wl-policy(5),
# max-connections and max-objects), and what it makes crate-wl print is
# rate-limited.
# usage: limits.sh connections|objects|buffers|rects|log
. "$(dirname "$0")/../lib.sh"
case_name=${1:?connections, objects, buffers, rects or log}
need wayland-info
need prlimit
start_sway
# sway where its fds run out at 1024 (sway raises its soft limit to the
# hard one; here both are 1024)
prlimit --pid "$SWAY_PID" --nofile=1024:1024 ||
	fail "cannot set sway's fd limit"

# the flood client ends on the protocol error it provokes, with objects
# libwayland-client never frees then: not crate-wl's leak, so the ASan
# build's LeakSanitizer is off for it alone
flood() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"$TESTBIN/flood" "$@"
}

case $case_name in
connections)
	# the defaults of the default policy: no option given
	max=$("$CRATE_WL" run --dry-run -- /bin/true 2>/dev/null |
		sed -n 's/^max-connections = //p')
	[ -n "$max" ] || max=32
	start_proxy "$T/proxy.sock"
	WAYLAND_DISPLAY="$T/proxy.sock" flood conns 1100 30 \
		> "$T/flood.out" 2>&1 &
	track $!
	for _ in $(seq 1 600); do
		grep -q "^connected" "$T/flood.out" && break
		sleep 0.05
	done
	read -r _ connected _ refused < <(grep "^connected" "$T/flood.out")
	[ -n "${connected:-}" ] || fail "the flood did not finish: $(cat "$T/flood.out")"
	# the desktop goes on: a host client, straight to the compositor
	n=$(timeout 10 wayland-info 2>/dev/null | grep -c "^interface:")
	[ "$n" -ge 10 ] || fail "a host wayland-info listed $n globals while $connected connections were held"
	[ "$connected" -eq "$max" ] ||
		fail "$connected connections through one proxy (max-connections $max)"
	[ "$refused" -eq $((1100 - max)) ] || fail "$refused refused, expected $((1100 - max))"
	grep -q "^first refusal: object 1 code 2: crate-wl: too many Wayland connections" \
		"$T/flood.out" || fail "the refusal: $(cat "$T/flood.out")"
	pass "1100 connections: $connected served, $refused refused with no_memory; host wayland-info lists $n globals"
	;;
objects)
	start_proxy "$T/proxy.sock"
	sleep 0.2
	# the peak: what sway held at the worst moment
	hwm() { awk '/^VmHWM/ {print $2}' "/proc/$SWAY_PID/status"; }
	before=$(hwm)
	# 10 connections of 200,000 wl_regions each (2,000,000 in all)
	WAYLAND_DISPLAY="$T/proxy.sock" flood regions 10 200000 \
		> "$T/flood.out" 2>&1 || fail "flood: $(cat "$T/flood.out")"
	after=$(hwm)
	grep -q "^the witness did 100 roundtrips" "$T/flood.out" ||
		fail "the witness of the same proxy: $(cat "$T/flood.out")"
	errors=$(grep -c "^conn .*: object 1 code 2: crate-wl: cannot create object .*max-objects" "$T/flood.out")
	[ "$errors" -ge 1 ] || fail "no client got the max-objects error: $(cat "$T/flood.out")"
	grep -q "no error" "$T/flood.out" &&
		fail "a client made all its regions: $(cat "$T/flood.out")"
	growth=$(( (after - before) / 1024 ))
	# a region costs sway about 180 bytes: 20,000 about 3.5 MiB
	[ "$growth" -le 40 ] || fail "sway's peak RSS grew by $growth MiB ($before -> $after KiB)"
	kill -0 "$PROXY_PID" || fail "the proxy died"
	n=$(WAYLAND_DISPLAY="$T/proxy.sock" timeout 10 wayland-info 2>/dev/null | grep -c "^interface:")
	[ "$n" -ge 5 ] || fail "a new client of the same proxy lists $n globals"
	pass "2,000,000 regions over 10 connections: $errors refused at max-objects, sway's peak RSS grew $growth MiB; the witness and a new client work"
	;;
buffers)
	# each live wl_shm_pool is a mapping in sway (vm.max_map_count is
	# 65530 for all of it): 10 connections of 5,000 pools each
	start_proxy "$T/proxy.sock"
	sleep 0.2
	maps() { wc -l < "/proc/$SWAY_PID/maps"; }
	before=$(maps)
	WAYLAND_DISPLAY="$T/proxy.sock" flood pools 10 5000 \
		> "$T/flood.out" 2>&1 &
	flood=$!
	track $flood
	most=$before
	while kill -0 "$flood" 2>/dev/null; do
		now=$(maps 2>/dev/null) || break
		[ "$now" -gt "$most" ] && most=$now
		sleep 0.02
	done
	wait "$flood" || fail "flood: $(cat "$T/flood.out")"
	grep -q "^the witness did 100 roundtrips" "$T/flood.out" ||
		fail "the witness of the same proxy: $(cat "$T/flood.out")"
	errors=$(grep -c "^conn .*: object 1 code 2: crate-wl: cannot create object .*max-buffers" "$T/flood.out")
	[ "$errors" -ge 1 ] || fail "no client got the max-buffers error: $(cat "$T/flood.out")"
	grep -q "no error" "$T/flood.out" &&
		fail "a client made all its pools: $(cat "$T/flood.out")"
	max=$("$CRATE_WL" run --dry-run -- /bin/true 2>/dev/null |
		sed -n 's/^max-buffers = //p')
	[ $((most - before)) -le $((${max:-512} + 64)) ] ||
		fail "sway's mappings grew from $before to $most (max-buffers ${max:-512})"
	pass "50,000 pools over 10 connections: $errors refused at max-buffers, sway's mappings $before -> at most $most"
	;;
rects)
	# one region of 20,000 disjoint rectangles: sway's region code takes
	# seconds of its CPU for it (the whole desktop waits)
	start_proxy "$T/proxy.sock"
	cpu() { awk '{print $14 + $15}' "/proc/$SWAY_PID/stat"; }
	before=$(cpu)
	WAYLAND_DISPLAY="$T/proxy.sock" ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 120 "$TESTBIN/flood" rects 20000 \
		> "$T/flood.out" 2>&1
	spent=$(( ($(cpu) - before) * 1000 / $(getconf CLK_TCK) ))
	grep -q "^object 1 code 2: crate-wl: too many rectangles for wl_region@5 (more than 2048)" \
		"$T/flood.out" || fail "the flood: $(cat "$T/flood.out")"
	[ "$spent" -le 200 ] || fail "sway spent $spent ms of CPU on the flood"
	n=$(timeout 10 wayland-info 2>/dev/null | grep -c "^interface:")
	[ "$n" -ge 10 ] || fail "a host wayland-info lists $n globals"
	pass "20,000 rectangles in one region: refused at 2048, sway spent $spent ms of CPU"
	;;
log)
	start_proxy "$T/proxy.sock"
	# 1. bad messages from 1500 connections: protocol errors
	start=$(date +%s)
	WAYLAND_DISPLAY="$T/proxy.sock" flood garbage 1500 > "$T/g.out" 2>&1
	secs=$(( $(date +%s) - start + 1 ))
	grep -q "^errors 1500 of 1500" "$T/g.out" || fail "garbage: $(cat "$T/g.out")"
	# --trace still shows each one
	"$CRATE_WL" proxy --trace --socket "$T/trace.sock" 2> "$T/trace.log" &
	tracer=$!
	track $tracer
	wait_for_socket "$T/trace.sock" || fail "the tracing proxy did not start"
	WAYLAND_DISPLAY="$T/trace.sock" flood garbage 200 > /dev/null 2>&1
	traced=$(grep -c "ERROR invalid message size" "$T/trace.log")
	[ "$traced" -eq 200 ] || fail "--trace showed $traced of 200 protocol errors"
	# 2. the compositor gone: every connection fails upstream
	stop_sway
	start=$(date +%s)
	WAYLAND_DISPLAY="$T/proxy.sock" flood garbage 1500 > "$T/u.out" 2>&1
	secs2=$(( $(date +%s) - start + 1 ))
	sleep 1.5 # what the last second held back is printed after it
	check_kind() { # PATTERN SECONDS TOTAL WHAT
		local lines sum
		lines=$(grep -c "$1" "$T/proxy.log")
		[ "$lines" -ge 1 ] || fail "$4: no line at all"
		[ "$lines" -le $(($2 + 2)) ] ||
			fail "$4: $lines lines in $2 s: not rate-limited"
		sum=$(grep "$1" "$T/proxy.log" | awk '{
			n = 1; if (match($0, /\(and [0-9]+ more like it\)$/)) {
				s = substr($0, RSTART + 5); n += s + 0 } t += n }
			END { print t }')
		[ "$sum" -eq "$3" ] || fail "$4: the lines count $sum of $3"
		echo "$lines lines for $3"
	}
	said=$(check_kind "protocol error: invalid message size" "$secs" 1500 \
		"1500 bad messages") || exit 1
	said2=$(check_kind "cannot connect to the compositor" "$secs2" 1500 \
		"1500 connections without a compositor") || exit 1
	pass "1500 bad messages: $said; 1500 connections without a compositor: $said2; --trace showed all 200 of 200"
	;;
*)
	fail "unknown case $case_name"
	;;
esac
