#!/bin/bash
# While an app captures, the user is told through a desktop notification:
# a real notification daemon (mako, a Wayland client of the headless sway)
# owns org.freedesktop.Notifications on a private session bus, and
# dbus-monitor on that bus records the calls the proxy makes.
# - grim under allow: Notify with the app's name, then CloseNotification
#   with the id the daemon gave;
# - grim denied (ask, answered no): no Notify at all;
# - a running capture loop: the daemon shows the notification while it
#   runs; a revoke withdraws it at once; the linger after the last frame;
# - a bus without a notification service: grim works, the trace says why.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need grim mako makoctl dbus-monitor gdbus
start_sway
start_session_bus
# mako shows notifications on the headless output, as on a desktop
mkdir -p "$T/mako"
XDG_CONFIG_HOME=$T/mako mako >"$T/mako.log" 2>&1 &
MAKO_PID=$!
track $MAKO_PID
timeout 5 gdbus wait --session org.freedesktop.Notifications ||
	fail "mako did not take org.freedesktop.Notifications: $(cat "$T/mako.log")"
dbus-monitor --session "interface='org.freedesktop.Notifications'" \
	"type='method_return'" >"$T/mon.log" 2>&1 &
track $!
# dbus-monitor is listening once its own NameAcquired went by
for _ in $(seq 1 100); do
	grep -q "NameLost\|NameAcquired" "$T/mon.log" && break
	sleep 0.02
done

notifies() { grep -c "member=Notify$" "$T/mon.log"; }
closes() { grep -c "member=CloseNotification$" "$T/mon.log"; }
wait_for() { # wait_for COMMAND...: up to 5 s
	for _ in $(seq 1 250); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

# ---- allow: shown with the app's name, withdrawn when it ends ----
"$CRATE_WL" proxy --no-security-context --screencopy allow --app shooter --trace -- \
	grim "$T/a.png" 2>"$T/a.err" || fail "grim under allow: $(cat "$T/a.err")"
wait_for grep -q "member=CloseNotification$" "$T/mon.log" ||
	fail "no CloseNotification: $(cat "$T/mon.log")"
[ "$(notifies)" -eq 1 ] || fail "$(notifies) Notify calls for one grim"
grep -A6 "member=Notify$" "$T/mon.log" |
	grep -q 'string "shooter is capturing your screen"' ||
	fail "Notify lacks the app's name: $(grep -A8 "member=Notify$" "$T/mon.log")"
id=$(sed -n 's/.*NOTIFICATION shown (id \([0-9]*\)).*/\1/p' "$T/a.err")
[ -n "$id" ] || fail "the trace has no shown notification: $(cat "$T/a.err")"
grep -A1 "member=CloseNotification$" "$T/mon.log" | grep -q "uint32 $id$" ||
	fail "CloseNotification not for id $id: $(grep -A1 CloseNotification "$T/mon.log")"
grep -q "CAPTURE-STARTED shooter is capturing the screen" "$T/a.err" &&
	grep -q "CAPTURE-STOPPED shooter: 1 frames" "$T/a.err" ||
	fail "trace: $(grep CAPTURE "$T/a.err")"
pass "grim under allow: Notify 'shooter is capturing your screen' (id $id)," \
	"CloseNotification $id when it ended; the trace says so"

# ---- denied: no notification ----
before=$(notifies)
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:exit 1" --app refused \
	--trace -- grim "$T/b.png" 2>"$T/b.err" && fail "grim denied: succeeded"
grep -q "ASKED→denied screencopy for refused" "$T/b.err" ||
	fail "deny: trace: $(cat "$T/b.err")"
sleep 0.3
[ "$(notifies)" -eq "$before" ] || fail "a denied capture notified"
grep -q "CAPTURE-STARTED\|NOTIFICATION" "$T/b.err" && fail "deny: trace: $(cat "$T/b.err")"
pass "grim denied by the user: no Notify, no CAPTURE-STARTED"

# ---- a running capture: on screen while it runs, gone on revoke ----
# the prompt allows for this run, and says no after the revoke
make_prompt
answer 2
"$CRATE_WL" proxy --no-security-context --screencopy ask --prompt "cmd:$T/prompt.sh" --app looper \
	--trace --socket "$T/loop.sock" 2>"$T/loop-proxy.log" &
track $!
wait_for_socket "$T/loop.sock" || fail "proxy did not start"
WAYLAND_DISPLAY="$T/loop.sock" "$TESTBIN/capture-loop" 100000 2 \
	>"$T/frames" 2>"$T/frames.err" &
looper=$!
track $looper
wait_for grep -q "NOTIFICATION shown" "$T/loop-proxy.log" ||
	fail "no notification for the loop: $(cat "$T/loop-proxy.log")"
wait_for sh -c 'makoctl list | grep -q "looper is capturing your screen"' ||
	fail "mako does not show it: $(makoctl list)"
pass "a running capture: mako shows 'looper is capturing your screen'"
closes_before=$(closes)
answer 1
"$CRATE_WL" permissions revoke looper screencopy 2>/dev/null
wait_for grep -q "CAPTURE-STOPPED looper: .*(revoked)" "$T/loop-proxy.log" ||
	fail "revoke did not stop it: $(grep CAPTURE "$T/loop-proxy.log")"
wait_for sh -c '! makoctl list | grep -q "looper is capturing"' ||
	fail "mako still shows it after the revoke"
[ "$(closes)" -eq $((closes_before + 1)) ] || fail "revoke: no CloseNotification"
wait $looper || fail "the capture loop broke: $(cat "$T/frames.err")"
pass "revoke: CloseNotification at once, mako no longer shows it"

# ---- the linger: one frame, then nothing; the proxy stays up ----
"$CRATE_WL" proxy --no-security-context --screencopy allow --app linger --trace \
	--socket "$T/linger.sock" 2>"$T/linger.log" &
track $!
wait_for_socket "$T/linger.sock" || fail "proxy did not start"
WAYLAND_DISPLAY="$T/linger.sock" grim "$T/c.png" || fail "grim via socket"
wait_for grep -q "NOTIFICATION shown" "$T/linger.log" || fail "linger: not shown"
start=$(date +%s%N)
for _ in $(seq 1 500); do
	grep -q "CAPTURE-STOPPED linger" "$T/linger.log" && break
	sleep 0.02
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "CAPTURE-STOPPED linger: 1 frames .*(no frame for 2000 ms)" \
	"$T/linger.log" || fail "linger: $(grep CAPTURE "$T/linger.log")"
wait_for grep -q "NOTIFICATION withdrawn" "$T/linger.log" || fail "linger: not withdrawn"
[ "$ms" -ge 1000 ] || fail "linger: stopped after $ms ms"
pass "one frame, the proxy still running: withdrawn ~2 s later (seen after $ms ms)"

# ---- no notification service on the bus: capture works, trace says why ----
kill "$MAKO_PID"
wait "$MAKO_PID" 2>/dev/null
"$CRATE_WL" proxy --no-security-context --screencopy allow --app quiet --trace -- \
	grim "$T/d.png" 2>"$T/d.err" || fail "grim without a daemon: $(cat "$T/d.err")"
grep -q "NOTIFICATION none shown: org.freedesktop.DBus.Error.ServiceUnknown" \
	"$T/d.err" || fail "no daemon: trace: $(grep NOTIFICATION "$T/d.err")"
grep -qi "error" <(grep -v "^crate-wl" "$T/d.err") && fail "no daemon: stderr: $(cat "$T/d.err")"
pass "no notification service: grim works; trace: $(grep -o 'NOTIFICATION none.*' "$T/d.err" | cut -c1-90)"

# ---- no session bus at all ----
unset DBUS_SESSION_BUS_ADDRESS
"$CRATE_WL" proxy --no-security-context --screencopy allow --app nobus --trace -- \
	grim "$T/e.png" 2>"$T/e.err" || fail "grim without a bus: $(cat "$T/e.err")"
grep -q "NOTIFICATION none shown: no session bus" "$T/e.err" ||
	fail "no bus: trace: $(grep NOTIFICATION "$T/e.err")"
pass "no session bus: grim works; trace: $(grep -o 'NOTIFICATION none.*' "$T/e.err" | cut -c1-90)"
exit 0
