#!/bin/bash
# security-context-v1 upstream on a real sway. Where sway offers
# wp_security_context_manager_v1 (1.9 and later; Debian 13's 1.10), the
# proxy's clients come through a context and sway's own restriction of
# sandboxed clients applies on top of the policy: under trusted, which
# lets everything through, the privileged protocols sway hides from
# sandboxed clients (screencopy, data-control, layer-shell, the manager
# itself...) stay hidden; --no-security-context shows them again. Where
# sway has none (Debian 12's 1.7), the proxy goes on as an ordinary client
# and the trace says so. (sway 1.10 shows no context tags in its IPC:
# what the compositor gets is checked on testcomp, seccontext.sh.)
. "$(dirname "$0")/../lib.sh"
need wayland-info
start_sway

# interfaces FILE: the interfaces wayland-info printed, one a line
interfaces() {
	sed -n "s/^interface: '\([^']*\)'.*/\1/p" "$1" | sort -u
}

wayland-info > "$T/direct" 2>/dev/null || fail "wayland-info on sway failed"
"$CRATE_WL" proxy --policy trusted --app sc-app --trace -- wayland-info \
	> "$T/ctx" 2> "$T/ctx.trace" || fail "through the proxy: $(cat "$T/ctx.trace")"
"$CRATE_WL" proxy --policy trusted --no-security-context -- wayland-info \
	> "$T/plain" 2>/dev/null || fail "through the proxy, no context"
interfaces "$T/ctx" > "$T/ctx.seen"
interfaces "$T/plain" > "$T/plain.seen"
for f in ctx plain; do
	grep -qx wl_compositor "$T/$f.seen" || fail "$f: no wl_compositor"
	grep -qx xdg_wm_base "$T/$f.seen" || fail "$f: no xdg_wm_base"
done
# trusted, without the context: every privileged global sway has
grep -qx zwlr_screencopy_manager_v1 "$T/plain.seen" ||
	fail "--no-security-context, trusted: screencopy hidden"

if ! grep -q "^interface: 'wp_security_context_manager_v1'" "$T/direct"; then
	grep -q "SECURITY-CONTEXT none: the compositor does not offer wp_security_context_manager_v1" "$T/ctx.trace" ||
		fail "the trace does not say there is no context: $(cat "$T/ctx.trace")"
	grep -qx zwlr_screencopy_manager_v1 "$T/ctx.seen" ||
		fail "no context to restrict, yet screencopy is hidden"
	cmp -s "$T/ctx.seen" "$T/plain.seen" ||
		fail "without a context the globals differ: $(diff "$T/ctx.seen" "$T/plain.seen")"
	pass "$(sway --version) has no security-context: the proxy is an ordinary client, the trace says so"
	exit 0
fi

grep -q "SECURITY-CONTEXT made: sandbox_engine crate-wl, app_id sc-app" "$T/ctx.trace" ||
	fail "no context made: $(cat "$T/ctx.trace")"
hidden=$(comm -13 "$T/ctx.seen" "$T/plain.seen" | tr '\n' ' ')
for n in zwlr_screencopy_manager_v1 wp_security_context_manager_v1; do
	grep -qx $n "$T/ctx.seen" && fail "$n visible through the context under trusted"
done
[ -z "$(comm -23 "$T/ctx.seen" "$T/plain.seen")" ] ||
	fail "the context showed more: $(comm -23 "$T/ctx.seen" "$T/plain.seen")"
pass "$(sway --version): under trusted, sway hides from the proxy's context: $hidden"

# what an app sees of it: grim, allowed to capture by trusted, finds no
# capture protocol through the context (sway's refusal, not the proxy's)
need grim
"$CRATE_WL" proxy --policy trusted -- grim "$T/shot.png" > /dev/null 2> "$T/grim.err" &&
	fail "grim captured through the context"
grep -q "crate-wl" "$T/grim.err" &&
	fail "the proxy refused grim, not sway: $(cat "$T/grim.err")"
said=$(tail -n1 "$T/grim.err")
"$CRATE_WL" proxy --policy trusted --no-security-context -- grim "$T/shot.png" \
	2> "$T/grim2.err" || fail "grim, no context: $(cat "$T/grim2.err")"
pass "grim under trusted: fails through the context ($said), works with --no-security-context"
