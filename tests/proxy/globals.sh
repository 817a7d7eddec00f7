#!/bin/bash
# wayland-info through the proxy shows exactly the policy's globals, at
# min(compositor's version, the tables' version).
. "$(dirname "$0")/../lib.sh"
need wayland-info
policy=$1

# The policy classes, written out here independently of proxy/policy.c.
core="wl_compositor wl_subcompositor wl_shm wl_seat wl_output xdg_wm_base
zwp_linux_dmabuf_v1 wl_drm wp_viewporter wp_fractional_scale_manager_v1
wp_single_pixel_buffer_manager_v1 wp_presentation zxdg_output_manager_v1"
desktop="zxdg_decoration_manager_v1 org_kde_kwin_server_decoration_manager
zwp_linux_explicit_synchronization_v1 wp_linux_drm_syncobj_manager_v1
zwp_relative_pointer_manager_v1 zwp_pointer_constraints_v1
zwp_pointer_gestures_v1 zwp_tablet_manager_v2 zwp_text_input_manager_v1
zwp_text_input_manager_v3 zwp_idle_inhibit_manager_v1
zwp_input_timestamps_manager_v1 xdg_activation_v1 wp_cursor_shape_manager_v1
wp_content_type_manager_v1 wp_tearing_control_manager_v1 xdg_wm_dialog_v1
xdg_toplevel_icon_manager_v1 xdg_toplevel_drag_manager_v1 xdg_system_bell_v1
wp_alpha_modifier_v1 wp_fifo_manager_v1 wp_commit_timing_manager_v1
wp_color_manager_v1 zxdg_shell_v6"
clipboard="wl_data_device_manager zwp_primary_selection_device_manager_v1"
# screencopy=ask under default: visible, and each capture asks
screencopy="zwlr_screencopy_manager_v1 zwlr_export_dmabuf_manager_v1
ext_image_copy_capture_manager_v1 ext_output_image_capture_source_manager_v1
ext_foreign_toplevel_image_capture_source_manager_v1"

start_sway
globals > "$T/direct"
"$DUMP_TABLES" --versions > "$T/tables"
# the proxy's own classes: without the security context, whose compositor
# side (sway 1.10) hides privileged globals and xdg-output (seccontext-sway)
start_proxy "$T/proxy.sock" --policy "$policy" --no-security-context
WAYLAND_DISPLAY="$T/proxy.sock" globals > "$T/proxied"

case $policy in
strict) visible="$core" ;;
default) visible="$core $desktop $clipboard $screencopy" ;;
trusted) visible=$(cut -d' ' -f1 "$T/tables") ;;
*) fail "unknown policy $policy" ;;
esac

while read -r iface version; do
	if printf '%s\n' $visible | grep -qx "$iface"; then
		tv=$(awk -v i="$iface" '$1 == i {print $2}' "$T/tables")
		[ -n "$tv" ] || continue
		[ "$tv" -lt "$version" ] && version=$tv
		echo "$iface $version"
	fi
done < "$T/direct" | sort > "$T/expected"

[ "$(wc -l < "$T/direct")" -gt 30 ] || fail "sway advertised too few globals"
[ -s "$T/expected" ] || fail "nothing expected: the test is vacuous"
if ! diff -u "$T/expected" "$T/proxied"; then
	fail "policy $policy: the client saw other globals than expected"
fi
pass "policy $policy: $(wc -l < "$T/proxied") of $(wc -l < "$T/direct") globals visible, versions capped by the tables"

# what must never show under the restrictive policies
if [ "$policy" != trusted ]; then
	for iface in zwlr_data_control_manager_v1 zwlr_layer_shell_v1 \
			zwp_virtual_keyboard_manager_v1; do
		grep -q "^$iface " "$T/proxied" && fail "$iface visible under $policy"
	done
	pass "policy $policy: data-control and privileged globals hidden"
fi
if [ "$policy" = strict ]; then
	grep -q "^zwlr_screencopy_manager_v1 " "$T/proxied" && fail "screencopy visible under strict"
	pass "policy strict: screencopy hidden"
fi
if [ "$policy" = default ]; then
	grep -q "^zwlr_screencopy_manager_v1 " "$T/proxied" || fail "screencopy hidden under default (ask)"
	pass "policy default: screencopy visible (each capture asks)"
fi
