#!/bin/bash
# 200 concurrent clients x 1,000 roundtrips, and a client that floods
# requests and never reads: no errors, nobody else stalls, no fd leaks.
. "$(dirname "$0")/../lib.sh"
start_sway
start_proxy "$T/proxy.sock"
export WAYLAND_DISPLAY="$T/proxy.sock"
"$TESTBIN/stress" 1 10 > /dev/null || fail "warm-up failed"
base=$(settled_fd_count "$PROXY_PID")
rss0=$(rss_kib "$PROXY_PID")

start=$(date +%s.%N)
"$TESTBIN/stress" 200 1000 || fail "some of 200 clients failed"
end=$(date +%s.%N)
sleep 0.2
now=$(fd_count "$PROXY_PID")
[ "$now" -eq "$base" ] || fail "proxy fds: $base before, $now after"
pass "200 clients x 1000 roundtrips in $(awk "BEGIN {printf \"%.1f\", $end - $start}")s; fds back to $base; RSS $rss0 -> $(rss_kib "$PROXY_PID") KiB"

# the flooder never reads its events; a witness keeps doing roundtrips
"$TESTBIN/stress" 1 20000 > "$T/witness.out" &
witness=$!
track $witness
"$TESTBIN/noread" 20 > "$T/noread.out"
wait $witness || fail "the witness failed while another client flooded: $(cat "$T/witness.out")"
grep -q "disconnected\|Broken pipe\|Connection reset" "$T/noread.out" ||
	fail "the flooding client was never cut off: $(cat "$T/noread.out")"
sleep 0.2
now=$(fd_count "$PROXY_PID")
[ "$now" -eq "$base" ] || fail "proxy fds after the flood: $base before, $now after"
rss=$(rss_kib "$PROXY_PID")
# (an ASan build keeps freed memory in quarantine: RSS says nothing there)
if ! grep -q __asan_init "$CRATE_WL"; then
	[ "$rss" -lt $((rss0 + 8192)) ] || fail "proxy RSS grew from $rss0 to $rss KiB"
fi
pass "client that never reads: $(cat "$T/noread.out"); witness fine; fds $now, RSS $rss KiB"
