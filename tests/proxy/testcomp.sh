#!/bin/bash
# Protocols sway 1.7 lacks, on crate-wl's own test compositor: hidden under
# default, visible under trusted or when their capability is allowed; an
# interface the tables do not know is never offered.
. "$(dirname "$0")/../lib.sh"
need wayland-info
mkdir -m 700 "$T/rt"
export XDG_RUNTIME_DIR=$T/rt WAYLAND_DISPLAY=wayland-t
"$TESTBIN/../testcomp" wayland-t > "$T/comp.out" 2>&1 &
track $!
wait_for_socket "$T/rt/wayland-t" || fail "testcomp did not start"

names="ext_image_copy_capture_manager_v1 ext_output_image_capture_source_manager_v1 ext_data_control_manager_v1 wp_security_context_manager_v1"
globals > "$T/direct"
for n in $names zcw_unknown_v1; do
	grep -q "^$n " "$T/direct" || fail "testcomp does not offer $n"
done

# the proxy's own gates: without the security context, whose compositor
# side hides ext-data-control and the manager itself (seccontext.sh)
check() {
	local label=$1
	shift
	"$CRATE_WL" proxy --no-security-context "$@" -- wayland-info > "$T/out" 2>/dev/null || fail "$label: wayland-info failed"
	sed -n "s/^interface: '\([^']*\)'.*/\1/p" "$T/out" | sort > "$T/seen"
	grep -qx wl_compositor "$T/seen" || fail "$label: no wl_compositor"
	grep -qx zcw_unknown_v1 "$T/seen" && fail "$label: an unknown interface was offered"
}

check "default" --policy default
for n in ext_data_control_manager_v1 wp_security_context_manager_v1; do
	grep -qx "$n" "$T/seen" && fail "default: $n visible"
done
grep -qx ext_image_copy_capture_manager_v1 "$T/seen" ||
	fail "default: ext-image-copy-capture hidden although screencopy=ask"
pass "default: ext-data-control and security-context hidden; ext-image-copy-capture visible (ask)"

check "screencopy deny" --policy default --screencopy deny
for n in ext_image_copy_capture_manager_v1 ext_output_image_capture_source_manager_v1; do
	grep -qx "$n" "$T/seen" && fail "--screencopy deny: $n visible"
done
pass "default + screencopy=deny: ext-image-copy-capture hidden"

check "trusted" --policy trusted
for n in $names; do
	grep -qx "$n" "$T/seen" || fail "trusted: $n hidden"
done
pass "trusted: all four visible; the unknown interface still hidden"

check "screencopy allow" --policy default --screencopy allow
grep -qx ext_image_copy_capture_manager_v1 "$T/seen" || fail "--screencopy allow: ext capture hidden"
grep -qx ext_output_image_capture_source_manager_v1 "$T/seen" || fail "--screencopy allow: capture source hidden"
grep -qx ext_data_control_manager_v1 "$T/seen" && fail "--screencopy allow showed data control"
pass "default + screencopy=allow: ext-image-copy-capture visible, data control not"

printf '[wayland]\nclipboard-manager = allow\n' > "$T/cm.policy"
check "clipboard-manager allow" --policy "$T/cm.policy"
grep -qx ext_data_control_manager_v1 "$T/seen" || fail "clipboard-manager=allow: ext data control hidden"
grep -qx wp_security_context_manager_v1 "$T/seen" && fail "security-context visible under default"
pass "default + clipboard-manager=allow: ext-data-control visible, security-context not"
