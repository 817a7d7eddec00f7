#!/bin/bash
# clipboard-manager = ask with real wl-copy/wl-paste (wl-clipboard uses
# data-control when it is offered) in headless sway, answered by a cmd:
# prompt. allow and deny (hidden) are in apps.sh. Each refusal here is its
# own case: wl-paste denied, wl-copy denied, deny always, a revoke of a
# running clipboard manager, --prompt none.
. "$(dirname "$0")/../lib.sh"
# The proxy's own gates: without the security context, whose compositor
# side (sway 1.10) would hide what this test needs to see
# (seccontext-sway tests it).
need wl-copy wl-paste wayland-info
start_sway

make_prompt
printf '[wayland]\npolicy = default\nclipboard-manager = ask\n' > "$T/ask.policy"
ask() { # ask ERR-FILE COMMAND...: through a proxy with clipboard-manager = ask
	local err=$1
	shift
	timeout 10 "$CRATE_WL" proxy --no-security-context --policy "$T/ask.policy" \
		--prompt "cmd:$T/prompt.sh" --trace -- "$@" 2> "$err"
}

# the globals are offered under ask (hidden under deny: globals.sh)
"$CRATE_WL" proxy --no-security-context --policy "$T/ask.policy" --prompt none -- wayland-info > "$T/info"
grep -q "'zwlr_data_control_manager_v1'" "$T/info" ||
	fail "ask: zwlr_data_control_manager_v1 not offered"
pass "clipboard-manager = ask: zwlr_data_control_manager_v1 is offered"

# ---- ask → allow: wl-paste reads what the host copied ----
printf 'host secret %s' $$ | wl-copy
clip_becomes "host secret $$" || fail "the host's wl-copy did not set the selection"
answer 0
got=$(ask "$T/p1.err" wl-paste -n) || fail "allowed wl-paste failed: $(cat "$T/p1.err")"
[ "$got" = "host secret $$" ] || fail "allowed wl-paste got '$got'"
[ "$(prompts)" -eq 1 ] || fail "allowed wl-paste: $(prompts) prompts"
grep -qx "wl-paste clipboard-manager see everything copied to the clipboard (zwlr_data_control_device_v1)" \
	"$PROMPT_LOG" || fail "the prompt got: $(cat "$PROMPT_LOG")"
grep -q "ASKED→allowed clipboard-manager for wl-paste (allow once)" "$T/p1.err" ||
	fail "allowed wl-paste: trace: $(grep ASK "$T/p1.err")"
pass "ask → allow: wl-paste read the host's clipboard; the prompt got app, permission, detail"

# ---- ask → deny: wl-paste sees an empty clipboard and exits cleanly ----
answer 1
got=$(ask "$T/p2.err" wl-paste -n)
rc=$?
[ "$rc" -eq 1 ] || fail "denied wl-paste: exit $rc: $(grep -v HIDDEN "$T/p2.err")"
[ -z "$got" ] || fail "denied wl-paste printed '$got'"
# wl-clipboard 2.1 (Debian 12) says "No selection", 2.2 (13) "Nothing is copied"
grep -q "^No selection\|^Nothing is copied" "$T/p2.err" || fail "denied wl-paste said: $(grep -v "^crate-wl" "$T/p2.err")"
grep -q "ASKED→denied clipboard-manager for wl-paste (deny once)" "$T/p2.err" ||
	fail "denied wl-paste: trace"
[ "$(prompts)" -eq 2 ] || fail "denied wl-paste: $(prompts) prompts"
pass "ask → deny: wl-paste saw an empty clipboard ('No selection', exit 1), not the secret"

# ---- ask → deny: wl-copy's text never becomes the selection ----
answer 1
printf 'from the sandbox' | ask "$T/c1.err" wl-copy --foreground ||
	fail "denied wl-copy: exit $?: $(grep -v HIDDEN "$T/c1.err")"
grep -q "DENIED zwlr_data_control_device_v1.set_selection (clipboard-manager): the source is cancelled" \
	"$T/c1.err" || fail "denied wl-copy: trace: $(grep -v HIDDEN "$T/c1.err")"
[ "$(host_clip)" = "host secret $$" ] || fail "denied wl-copy changed the clipboard to '$(host_clip)'"
[ "$(prompts)" -eq 3 ] || fail "denied wl-copy: $(prompts) prompts"
pass "ask → deny: wl-copy's source was cancelled, it exited, the clipboard is unchanged"

# ---- ask → allow: wl-copy sets the selection (the proxy goes to the
# background with it after the answer) ----
answer 0
printf 'from the sandbox %s' $$ | ask "$T/c2.err" wl-copy ||
	fail "allowed wl-copy: $(grep -v HIDDEN "$T/c2.err")"
clip_becomes "from the sandbox $$" ||
	fail "allowed wl-copy: the host pastes '$(host_clip)'"
pass "ask → allow: the host pastes what wl-copy copied"

# ---- deny always: stored, the next run is refused without a prompt ----
answer 4
ask "$T/p3.err" wl-paste -n > /dev/null && fail "deny always: wl-paste succeeded"
"$CRATE_WL" permissions list wl-paste | grep -qx "wl-paste clipboard-manager deny" ||
	fail "deny always not stored: $("$CRATE_WL" permissions list wl-paste)"
before=$(prompts)
answer 0
got=$(ask "$T/p4.err" wl-paste -n) && fail "after deny always: wl-paste read '$got'"
[ "$(prompts)" -eq "$before" ] || fail "after deny always: prompted again"
grep -q "DENIED zwlr_data_control_device_v1 (clipboard-manager): the app sees an empty clipboard" \
	"$T/p4.err" || fail "after deny always: trace: $(grep DENIED "$T/p4.err")"
"$CRATE_WL" permissions reset wl-paste
pass "deny always: stored; the next run sees an empty clipboard without a prompt"

# ---- allow always: stored, the next run reads without a prompt ----
answer 3
ask "$T/p5.err" wl-paste -n > /dev/null || fail "allow always: wl-paste failed"
before=$(prompts)
answer 1
got=$(ask "$T/p6.err" wl-paste -n) || fail "after allow always: wl-paste failed"
[ "$got" = "from the sandbox $$" ] || fail "after allow always: got '$got'"
[ "$(prompts)" -eq "$before" ] || fail "after allow always: prompted again"
"$CRATE_WL" permissions revoke wl-paste clipboard-manager
pass "allow always: stored; the next run reads without a prompt"

# ---- a revoke reaches a clipboard manager that is running ----
answer 2
"$CRATE_WL" proxy --no-security-context --policy "$T/ask.policy" --prompt "cmd:$T/prompt.sh" \
	--app watcher --trace --socket "$T/w.sock" 2> "$T/w-proxy.log" &
track $!
wait_for_socket "$T/w.sock" || fail "revoke: the proxy did not start"
: > "$T/watch.log"
WAYLAND_DISPLAY="$T/w.sock" wl-paste --watch sh -c "cat >> $T/watch.log; echo >> $T/watch.log" \
	2> "$T/watch.err" &
watcher=$!
track $watcher
printf 'seen %s' $$ | wl-copy
for _ in $(seq 1 250); do
	grep -q "seen $$" "$T/watch.log" && break
	sleep 0.02
done
grep -q "seen $$" "$T/watch.log" || fail "revoke: the watcher saw nothing: $(cat "$T/watch.err")"
answer 1
"$CRATE_WL" permissions revoke watcher clipboard-manager 2> /dev/null
for _ in $(seq 1 250); do
	grep -q "clipboard-manager revoked" "$T/w-proxy.log" && break
	sleep 0.02
done
grep -q "DENIED zwlr_data_control_device_v1@[0-9]*: clipboard-manager revoked" \
	"$T/w-proxy.log" || fail "revoke: trace: $(grep -v HIDDEN "$T/w-proxy.log")"
printf 'unseen %s' $$ | wl-copy
clip_becomes "unseen $$" || fail "revoke: the host copy did not happen"
sleep 0.5
grep -q "unseen $$" "$T/watch.log" && fail "revoke: the watcher saw the copy after the revoke"
kill -0 $watcher 2>/dev/null || fail "revoke: the watcher died: $(cat "$T/watch.err")"
got=$(WAYLAND_DISPLAY="$T/w.sock" timeout 5 wl-paste -n 2> /dev/null) &&
	fail "revoke: a new wl-paste read '$got' (the prompt said no)"
pass "revoke: the running watcher saw copies before, none after; a new device asks again"
kill $watcher
wait $watcher 2>/dev/null

# ---- --prompt none: nobody to ask, so no ----
got=$(timeout 10 "$CRATE_WL" proxy --no-security-context --policy "$T/ask.policy" --prompt none \
	--trace -- wl-paste -n 2> "$T/p7.err") && fail "--prompt none: wl-paste read '$got'"
grep -q "ASKED→denied clipboard-manager for wl-paste (no prompt front-end" "$T/p7.err" ||
	fail "--prompt none: trace: $(grep ASK "$T/p7.err")"
pass "--prompt none: wl-paste sees an empty clipboard"
# let the host's wl-copy go
timeout 5 wl-paste > /dev/null
exit 0
