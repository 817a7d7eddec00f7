#!/bin/bash
# crate-wl proxy --record DIR: real clients (wayland-info, foot) through
# headless sway; each connection's streams and log add up, split into whole
# messages, and replay through an in-process proxy without a protocol error.
# Unusable directories are refused up front with a clear message.
. "$(dirname "$0")/../lib.sh"
need wayland-info foot python3
: "${REPLAY_PROXY:?}" "${REC2SEED:?}"

# bad directories: exit 2, said why, nothing started
touch "$T/afile"
if "$CRATE_WL" proxy --record "$T/afile" -- true 2> "$T/err"; then
	fail "--record on a regular file was accepted"
fi
grep -q "record: $T/afile is not a directory" "$T/err" ||
	fail "--record on a file: $(cat "$T/err")"
if "$CRATE_WL" proxy --record "$T/no/such/dir" -- true 2> "$T/err"; then
	fail "--record under a missing directory was accepted"
fi
grep -q "cannot create $T/no/such/dir" "$T/err" ||
	fail "--record under a missing directory: $(cat "$T/err")"
pass "unusable --record directories are refused: $(cat "$T/err")"

start_sway

# wayland-info: one connection, three files readable by the user only
"$CRATE_WL" proxy --record "$T/rec" -- wayland-info > "$T/wi.out" 2>&1 ||
	fail "wayland-info through a recording proxy: $(tail -3 "$T/wi.out")"
grep -q "interface: 'wl_compositor'" "$T/wi.out" ||
	fail "wayland-info saw no wl_compositor"
logs=("$T"/rec/*.log)
[ ${#logs[@]} = 1 ] || fail "expected one recording, got ${#logs[@]}"
prefix=${logs[0]%.log}
for ext in client compositor log; do
	[ "$(stat -c %a "$prefix.$ext")" = 600 ] ||
		fail "$prefix.$ext is not private: $(stat -c %a "$prefix.$ext")"
done
grep -q '^client eof$' "$prefix.log" || fail "the client's hang-up is not logged"
mkdir "$T/seeds"
python3 "$REC2SEED" -o "$T/seeds" "$prefix" > "$T/conv" ||
	fail "the wayland-info recording does not add up"
cat "$T/conv"
read -r nclient _ _ ncomp _ < <(sed 's/.*: //; s/,//g' "$T/conv")
[ "$nclient" -gt 2 ] && [ "$ncomp" -gt 10 ] ||
	fail "too little recorded: $(cat "$T/conv")"
pass "wayland-info recorded: $(cat "$T/conv")"

# foot maps a window, takes a keymap fd, and leaves
timeout 30 "$CRATE_WL" proxy --record "$T/rec-foot" -- foot -e sleep 1 \
	> "$T/foot.out" 2>&1 || fail "foot through a recording proxy: $(tail -3 "$T/foot.out")"
foot_logs=("$T"/rec-foot/*.log)
[ ${#foot_logs[@]} = 1 ] || fail "expected one foot recording, got ${#foot_logs[@]}"
python3 "$REC2SEED" -o "$T/seeds" "${foot_logs[0]%.log}" > "$T/conv" 2>&1 ||
	fail "the foot recording does not add up: $(cat "$T/conv"; tail -3 "$T/foot.out"; ls "$T/rec-foot")"
grep -q ' [1-9][0-9]* fds' "$T/conv" || fail "foot passed no fds: $(cat "$T/conv")"
pass "foot recorded: $(cat "$T/conv")"

# the seeds replay through the proxy's code with no protocol error
CW_REPLAY_STRICT=1 "$REPLAY_PROXY" "$T/seeds" > "$T/replay" 2>&1 ||
	fail "replaying the recordings: $(tail -5 "$T/replay")"
pass "both recordings replay through an in-process proxy: $(grep -c '^ok' "$T/replay") files"

# a broken recording is reported, not taken
head -c -3 "$prefix.client" > "$T/cut.client"
cp "$prefix.compositor" "$T/cut.compositor"
cp "$prefix.log" "$T/cut.log"
if python3 "$REC2SEED" "$T/cut" 2> "$T/err"; then
	fail "a truncated recording was accepted"
fi
grep -q "the stream ends first" "$T/err" || fail "truncated: $(cat "$T/err")"
pass "a truncated recording is refused: $(cat "$T/err")"
