#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cw-interface.h"
#include "ini.h"
#include "policy.h"
#include "util.h"

struct iface_class_entry {
	const char *iface;
	enum cw_iface_class class;
};

/*
 * Globals by purpose. A global the tables know but this list does not is
 * privileged: hidden unless the policy is trusted or lists it.
 */
static const struct iface_class_entry iface_classes[] = {
	/* what any window needs */
	{ "wl_compositor", CW_CLASS_CORE },
	{ "wl_subcompositor", CW_CLASS_CORE },
	{ "wl_shm", CW_CLASS_CORE },
	{ "wl_seat", CW_CLASS_CORE },
	{ "wl_output", CW_CLASS_CORE },
	{ "xdg_wm_base", CW_CLASS_CORE },
	{ "zwp_linux_dmabuf_v1", CW_CLASS_CORE },
	{ "wl_drm", CW_CLASS_CORE },
	{ "wp_viewporter", CW_CLASS_CORE },
	{ "wp_fractional_scale_manager_v1", CW_CLASS_CORE },
	{ "wp_single_pixel_buffer_manager_v1", CW_CLASS_CORE },
	{ "wp_presentation", CW_CLASS_CORE },
	{ "zxdg_output_manager_v1", CW_CLASS_CORE },
	/* what ordinary desktop apps use */
	{ "zxdg_decoration_manager_v1", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_server_decoration_manager", CW_CLASS_DESKTOP },
	{ "zwp_linux_explicit_synchronization_v1", CW_CLASS_DESKTOP },
	{ "wp_linux_drm_syncobj_manager_v1", CW_CLASS_DESKTOP },
	{ "zwp_relative_pointer_manager_v1", CW_CLASS_DESKTOP },
	{ "zwp_pointer_constraints_v1", CW_CLASS_DESKTOP },
	{ "zwp_pointer_gestures_v1", CW_CLASS_DESKTOP },
	{ "zwp_tablet_manager_v2", CW_CLASS_DESKTOP },
	{ "zwp_text_input_manager_v1", CW_CLASS_DESKTOP },
	{ "zwp_text_input_manager_v3", CW_CLASS_DESKTOP },
	{ "zwp_idle_inhibit_manager_v1", CW_CLASS_DESKTOP },
	{ "zwp_input_timestamps_manager_v1", CW_CLASS_DESKTOP },
	{ "xdg_activation_v1", CW_CLASS_DESKTOP },
	{ "wp_cursor_shape_manager_v1", CW_CLASS_DESKTOP },
	{ "wp_content_type_manager_v1", CW_CLASS_DESKTOP },
	{ "wp_tearing_control_manager_v1", CW_CLASS_DESKTOP },
	{ "xdg_wm_dialog_v1", CW_CLASS_DESKTOP },
	{ "xdg_toplevel_icon_manager_v1", CW_CLASS_DESKTOP },
	{ "xdg_toplevel_drag_manager_v1", CW_CLASS_DESKTOP },
	{ "xdg_system_bell_v1", CW_CLASS_DESKTOP },
	{ "wp_alpha_modifier_v1", CW_CLASS_DESKTOP },
	{ "wp_fifo_manager_v1", CW_CLASS_DESKTOP },
	{ "wp_commit_timing_manager_v1", CW_CLASS_DESKTOP },
	{ "wp_color_manager_v1", CW_CLASS_DESKTOP },
	/* KWin 6, gamescope: the HDR transfer function and metadata of the
	 * app's own surfaces (what wp_color_manager_v1 does, for games); its
	 * one event describes the output the surface is on, as wl_output */
	{ "frog_color_management_factory_v1", CW_CLASS_DESKTOP },
	{ "zxdg_shell_v6", CW_CLASS_DESKTOP },
	/* input methods for the app's own focused text fields (KDE, Qt) */
	{ "zwp_text_input_manager_v2", CW_CLASS_DESKTOP },
	/* GNOME: the app's own windows' app menu, titlebar gestures, startup
	 * id, bell and modality */
	{ "gtk_shell1", CW_CLASS_DESKTOP },
	/* KDE: the app's own windows' decoration colours, menu and effects */
	{ "org_kde_kwin_server_decoration_palette_manager", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_appmenu_manager", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_blur_manager", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_contrast_manager", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_slide_manager", CW_CLASS_DESKTOP },
	{ "org_kde_kwin_shadow_manager", CW_CLASS_DESKTOP },
	/* the clipboard of the focused app */
	{ "wl_data_device_manager", CW_CLASS_CLIPBOARD },
	{ "zwp_primary_selection_device_manager_v1", CW_CLASS_CLIPBOARD },
	/* screen capture */
	{ "zwlr_screencopy_manager_v1", CW_CLASS_SCREENCOPY },
	{ "zwlr_export_dmabuf_manager_v1", CW_CLASS_SCREENCOPY },
	{ "ext_image_copy_capture_manager_v1", CW_CLASS_SCREENCOPY },
	{ "ext_output_image_capture_source_manager_v1", CW_CLASS_SCREENCOPY },
	{ "ext_foreign_toplevel_image_capture_source_manager_v1",
		CW_CLASS_SCREENCOPY },
	/* background access to every copy */
	{ "zwlr_data_control_manager_v1", CW_CLASS_CLIPBOARD_MANAGER },
	{ "ext_data_control_manager_v1", CW_CLASS_CLIPBOARD_MANAGER },
	/*
	 * Privileged, named so that the reason is written down (anything not
	 * listed is privileged too): each exposes other apps or the desktop,
	 * injects input, or takes the whole seat or display.
	 */
	/* keeps the user's shortcuts (switching away) from the compositor */
	{ "zwp_keyboard_shortcuts_inhibit_manager_v1", CW_CLASS_PRIVILEGED },
	/* ties the app's windows to other apps' windows through a handle
	 * passed between them (GNOME offers it; browsers list it) */
	{ "zxdg_exporter_v1", CW_CLASS_PRIVILEGED },
	{ "zxdg_exporter_v2", CW_CLASS_PRIVILEGED },
	{ "zxdg_importer_v1", CW_CLASS_PRIVILEGED },
	{ "zxdg_importer_v2", CW_CLASS_PRIVILEGED },
	/* grabs the keyboard for X11 windows: for Xwayland only */
	{ "zwp_xwayland_keyboard_grab_manager_v1", CW_CLASS_PRIVILEGED },
	/* associates X11 windows with surfaces: for Xwayland only */
	{ "xwayland_shell_v1", CW_CLASS_PRIVILEGED },
	/* GNOME: parents X11 windows, for the portal backend only */
	{ "mutter_x11_interop", CW_CLASS_PRIVILEGED },
	/* takes a display connector away from the desktop (VR headsets) */
	{ "wp_drm_lease_device_v1", CW_CLASS_PRIVILEGED },
	/* the user's idle time: whether anyone is at the machine */
	{ "ext_idle_notifier_v1", CW_CLASS_PRIVILEGED },
	{ "org_kde_kwin_idle", CW_CLASS_PRIVILEGED },
	/* KDE: turns the displays off and on */
	{ "org_kde_kwin_dpms_manager", CW_CLASS_PRIVILEGED },
	/* KDE: the keyboard's lock keys while other apps have focus */
	{ "org_kde_kwin_keystate", CW_CLASS_PRIVILEGED },
	/* KDE: injects pointer and keyboard input into every app */
	{ "org_kde_kwin_fake_input", CW_CLASS_PRIVILEGED },
	/* KDE: hands out the screen's buffers */
	{ "org_kde_kwin_remote_access_manager", CW_CLASS_PRIVILEGED },
	/*
	 * KDE: streams screens and windows to PipeWire. KWin offers it only
	 * to programs that a desktop file names, and crate-wl is one
	 * (crate-wl.desktop, for its ScreenCast portal): every connection of
	 * crate-wl's gets it, the proxy's upstream ones too. Passed on, it
	 * would hand an app what KWin refuses the app itself, past the
	 * portal's prompt and notice (the proxy's capture gate does not see
	 * these streams). So it is crate-wl's own, under every policy, even
	 * trusted or allowed by name.
	 */
	{ "zkde_screencast_unstable_v1", CW_CLASS_OWN },
	/* KDE: the monitors' identities (EDID, serials) and their layout */
	{ "org_kde_kwin_outputdevice", CW_CLASS_PRIVILEGED },
	{ "kde_output_device_v2", CW_CLASS_PRIVILEGED },
	{ "kde_output_order_v1", CW_CLASS_PRIVILEGED },
	{ "kde_primary_output_v1", CW_CLASS_PRIVILEGED },
	/* KDE: reconfigures the monitors */
	{ "org_kde_kwin_outputmanagement", CW_CLASS_PRIVILEGED },
	{ "kde_output_management_v2", CW_CLASS_PRIVILEGED },
	/* KDE: sets the monitors' brightness */
	{ "kde_external_brightness_v1", CW_CLASS_PRIVILEGED },
	/* KDE: the shell's roles (panels, lock screen, notifications placed
	 * anywhere), which let an app pass for the desktop itself */
	{ "org_kde_plasma_shell", CW_CLASS_PRIVILEGED },
	{ "kde_lockscreen_overlay_v1", CW_CLASS_PRIVILEGED },
	{ "kde_screen_edge_manager_v1", CW_CLASS_PRIVILEGED },
	/* KDE: lists and controls every app's windows */
	{ "org_kde_plasma_window_management", CW_CLASS_PRIVILEGED },
	/* KDE: lists, creates and removes the virtual desktops */
	{ "org_kde_plasma_virtual_desktop_management", CW_CLASS_PRIVILEGED },
};

enum cw_iface_class cw_policy_iface_class(const char *iface)
{
	for (size_t i = 0; i < sizeof(iface_classes) / sizeof(iface_classes[0]);
			i++) {
		if (strcmp(iface_classes[i].iface, iface) == 0) {
			return iface_classes[i].class;
		}
	}
	return CW_CLASS_PRIVILEGED;
}

void cw_policy_each_known(void (*fn)(void *data, const char *iface),
	void *data)
{
	for (size_t i = 0; i < sizeof(iface_classes) / sizeof(iface_classes[0]);
			i++) {
		fn(data, iface_classes[i].iface);
	}
}

static const char *const base_names[] = {
	[CW_POLICY_STRICT] = "strict",
	[CW_POLICY_DEFAULT] = "default",
	[CW_POLICY_TRUSTED] = "trusted",
};

/* the table's defaults are in this order */
_Static_assert(CW_POLICY_STRICT == 0 && CW_POLICY_DEFAULT == 1 &&
	CW_POLICY_TRUSTED == 2, "capabilities.def: strict, default, trusted");

const char *cw_policy_base_name(enum cw_policy_base base)
{
	return base_names[base];
}

bool cw_policy_base_from_string(const char *s, enum cw_policy_base *out)
{
	for (size_t i = 0; i < sizeof(base_names) / sizeof(base_names[0]); i++) {
		if (strcmp(s, base_names[i]) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

static void apply_base(struct cw_policy *policy, enum cw_policy_base base)
{
	policy->base = base;
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (strncmp(cw_capability_info(i)->key, "wayland.", 8) == 0) {
			policy->rules[i] = cw_capability_default(i, base);
		}
	}
}

struct cw_policy *cw_policy_create(enum cw_policy_base base)
{
	struct cw_policy *policy = calloc(1, sizeof(*policy));
	if (policy == NULL) {
		return NULL;
	}
	policy->source = strdup(base_names[base]);
	if (policy->source == NULL) {
		free(policy);
		return NULL;
	}
	apply_base(policy, base);
	policy->max_connections = CW_POLICY_DEFAULT_MAX_CONNECTIONS;
	policy->max_objects = CW_POLICY_DEFAULT_MAX_OBJECTS;
	policy->max_buffers = CW_POLICY_DEFAULT_MAX_BUFFERS;
	return policy;
}

void cw_policy_destroy(struct cw_policy *policy)
{
	if (policy == NULL) {
		return;
	}
	for (size_t i = 0; i < policy->nallow; i++) {
		free(policy->allow[i]);
	}
	for (size_t i = 0; i < policy->ndeny; i++) {
		free(policy->deny[i]);
	}
	for (size_t i = 0; i < policy->ncaps; i++) {
		free(policy->caps[i].iface);
	}
	free(policy->source);
	free(policy);
}

static bool check_iface_name(const char *name, char *err, size_t errlen)
{
	if (cw_interface_find(name) == NULL) {
		snprintf(err, errlen, "unknown interface '%s' (crate-wl's "
			"tables do not know it, so it can never be offered)",
			name);
		return false;
	}
	return true;
}

static bool add_name(char **list, size_t *n, const char *name, char *err,
	size_t errlen)
{
	if (!check_iface_name(name, err, errlen)) {
		return false;
	}
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list[i], name) == 0) {
			return true;
		}
	}
	if (*n == CW_POLICY_MAX_NAMES) {
		snprintf(err, errlen, "more than %d interfaces listed",
			CW_POLICY_MAX_NAMES);
		return false;
	}
	list[*n] = strdup(name);
	if (list[*n] == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	(*n)++;
	return true;
}

static void remove_name(char **list, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(list[i], name) == 0) {
			free(list[i]);
			list[i] = list[--(*n)];
			return;
		}
	}
}

static bool add_cap(struct cw_policy *policy, const char *word, char *err,
	size_t errlen)
{
	const char *colon = strchr(word, ':');
	if (colon == NULL || colon == word) {
		snprintf(err, errlen, "cap '%s': expected INTERFACE:VERSION",
			word);
		return false;
	}
	char name[128];
	size_t len = (size_t)(colon - word);
	if (len >= sizeof(name)) {
		snprintf(err, errlen, "cap '%s': interface name too long", word);
		return false;
	}
	memcpy(name, word, len);
	name[len] = '\0';
	char *end;
	errno = 0;
	unsigned long version = strtoul(colon + 1, &end, 10);
	if (errno || *end != '\0' || colon[1] == '\0' || version == 0 ||
			version > UINT32_MAX) {
		snprintf(err, errlen, "cap '%s': version must be a number "
			"from 1", word);
		return false;
	}
	if (!check_iface_name(name, err, errlen)) {
		return false;
	}
	for (size_t i = 0; i < policy->ncaps; i++) {
		if (strcmp(policy->caps[i].iface, name) == 0) {
			policy->caps[i].version = version;
			return true;
		}
	}
	if (policy->ncaps == CW_POLICY_MAX_NAMES) {
		snprintf(err, errlen, "more than %d caps", CW_POLICY_MAX_NAMES);
		return false;
	}
	policy->caps[policy->ncaps].iface = strdup(name);
	if (policy->caps[policy->ncaps].iface == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	policy->caps[policy->ncaps].version = version;
	policy->ncaps++;
	return true;
}

/* Calls fn for each word of a list separated by spaces or commas. */
static bool for_each_word(struct cw_policy *policy, const char *value,
	bool (*fn)(struct cw_policy *, const char *, char *, size_t),
	char *err, size_t errlen)
{
	char buf[4096];
	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, errlen, "value too long");
		return false;
	}
	strcpy(buf, value);
	bool any = false;
	char *save = NULL;
	for (char *w = strtok_r(buf, " \t,", &save); w != NULL;
			w = strtok_r(NULL, " \t,", &save)) {
		any = true;
		if (!fn(policy, w, err, errlen)) {
			return false;
		}
	}
	if (!any) {
		snprintf(err, errlen, "empty list");
		return false;
	}
	return true;
}

static bool allow_one(struct cw_policy *policy, const char *name, char *err,
	size_t errlen)
{
	if (cw_interface_find(name) != NULL &&
			cw_policy_iface_class(name) == CW_CLASS_OWN) {
		snprintf(err, errlen, "'%s' cannot be allowed: the compositor "
			"lends it to crate-wl's own ScreenCast, never to an app",
			name);
		return false;
	}
	remove_name(policy->deny, &policy->ndeny, name);
	return add_name(policy->allow, &policy->nallow, name, err, errlen);
}

static bool deny_one(struct cw_policy *policy, const char *name, char *err,
	size_t errlen)
{
	remove_name(policy->allow, &policy->nallow, name);
	return add_name(policy->deny, &policy->ndeny, name, err, errlen);
}

static bool set_rule(enum cw_capability cap, struct cw_policy *policy,
	const char *value, char *err, size_t errlen)
{
	if (!cw_cap_rule_parse(cap, value, &policy->rules[cap])) {
		char expected[64];
		cw_capability_expected(cap, expected, sizeof(expected));
		snprintf(err, errlen, "%s = '%s': expected %s",
			cw_capability_name(cap), value, expected);
		return false;
	}
	return true;
}

static bool set_limit(const char *key, const char *value, int max,
	int *out, char *err, size_t errlen)
{
	if (!cw_parse_uint(value, out) || *out < 1 || *out > max) {
		snprintf(err, errlen, "%s = '%s': expected a number from 1 to %d",
			key, value, max);
		return false;
	}
	return true;
}

bool cw_policy_set(struct cw_policy *policy, const char *key,
	const char *value, char *err, size_t errlen)
{
	enum cw_capability cap;
	if (strcmp(key, "policy") == 0) {
		enum cw_policy_base base;
		if (!cw_policy_base_from_string(value, &base)) {
			snprintf(err, errlen, "policy = '%s': expected strict, "
				"default or trusted", value);
			return false;
		}
		/* the base sets the capability defaults; lists stay */
		apply_base(policy, base);
		return true;
	} else if (strcmp(key, "allow") == 0) {
		return for_each_word(policy, value, allow_one, err, errlen);
	} else if (strcmp(key, "deny") == 0) {
		return for_each_word(policy, value, deny_one, err, errlen);
	} else if (strcmp(key, "cap") == 0) {
		return for_each_word(policy, value, add_cap, err, errlen);
	} else if (cw_capability_from_key("wayland", key, &cap)) {
		return set_rule(cap, policy, value, err, errlen);
	} else if (strcmp(key, "max-connections") == 0) {
		int n;
		if (!set_limit(key, value, CW_POLICY_LIMIT_MAX_CONNECTIONS, &n,
				err, errlen)) {
			return false;
		}
		policy->max_connections = (unsigned)n;
		return true;
	} else if (strcmp(key, "max-objects") == 0) {
		int n;
		if (!set_limit(key, value, CW_POLICY_LIMIT_MAX_OBJECTS, &n, err,
				errlen)) {
			return false;
		}
		policy->max_objects = (uint32_t)n;
		return true;
	} else if (strcmp(key, "max-buffers") == 0) {
		int n;
		if (!set_limit(key, value, CW_POLICY_LIMIT_MAX_BUFFERS, &n, err,
				errlen)) {
			return false;
		}
		policy->max_buffers = (uint32_t)n;
		return true;
	}
	char caps[256];
	cw_capability_keys("wayland", false, caps, sizeof(caps));
	snprintf(err, errlen, "unknown key '%s' (expected policy, allow, deny, "
		"cap, %s, max-connections, max-objects or max-buffers)", key,
		caps);
	return false;
}

static bool policy_file_entry(void *data, const char *section,
	const char *key, const char *value, char *err, size_t errlen)
{
	if (strcmp(section, "wayland") != 0) {
		/* manifests carry other sections; their own parser reads them */
		return true;
	}
	return cw_policy_set(data, key, value, err, errlen);
}

struct cw_policy *cw_policy_load(const char *name_or_path, char *err,
	size_t errlen)
{
	enum cw_policy_base base;
	if (cw_policy_base_from_string(name_or_path, &base)) {
		struct cw_policy *policy = cw_policy_create(base);
		if (policy == NULL) {
			snprintf(err, errlen, "out of memory");
		}
		return policy;
	}
	if (strchr(name_or_path, '/') == NULL &&
			strchr(name_or_path, '.') == NULL) {
		snprintf(err, errlen, "unknown policy '%s': expected strict, "
			"default, trusted or a file path", name_or_path);
		return NULL;
	}
	/* a file starts from default: it says what differs */
	struct cw_policy *policy = cw_policy_create(CW_POLICY_DEFAULT);
	if (policy == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	free(policy->source);
	policy->source = strdup(name_or_path);
	struct cw_ini_error ini_err;
	if (policy->source == NULL || !cw_ini_parse_file(name_or_path,
			policy_file_entry, policy, &ini_err)) {
		snprintf(err, errlen, "%s", policy->source ? ini_err.message
			: "out of memory");
		cw_policy_destroy(policy);
		return NULL;
	}
	return policy;
}

static bool listed(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], name) == 0) {
			return true;
		}
	}
	return false;
}

static struct cw_global_decision access_decision(struct cw_cap_rule rule,
	const char *why_deny, const char *why_ask)
{
	struct cw_global_decision d = { .verdict = CW_PASS, .why = "allowed" };
	switch (rule.decision) {
	case CW_DECISION_DENY:
		d.verdict = CW_DENY;
		d.why = why_deny;
		break;
	case CW_DECISION_ASK:
		d.verdict = CW_ASK;
		d.why = why_ask;
		break;
	case CW_DECISION_ALLOW:
		break;
	}
	return d;
}

struct cw_global_decision cw_policy_classify_global(
	const struct cw_policy *policy, const char *name, uint32_t version)
{
	struct cw_global_decision d = { .verdict = CW_PASS, .why = "allowed" };
	const struct cw_interface *iface = cw_interface_find(name);
	if (iface == NULL) {
		d.verdict = CW_HIDE;
		d.why = "unknown interface: not in crate-wl's tables";
		return d;
	}
	if (cw_policy_iface_class(name) == CW_CLASS_OWN) {
		d.verdict = CW_HIDE;
		d.why = "crate-wl's own: lent to crate-wl, never to an app";
		return d;
	}
	if (listed(policy->deny, policy->ndeny, name)) {
		d.verdict = CW_HIDE;
		d.why = "denied by name";
		return d;
	}
	if (listed(policy->allow, policy->nallow, name)) {
		d.why = "allowed by name";
	} else {
		switch (cw_policy_iface_class(name)) {
		case CW_CLASS_CORE:
			break;
		case CW_CLASS_DESKTOP:
			if (policy->base == CW_POLICY_STRICT) {
				d.verdict = CW_HIDE;
				d.why = "not core display (policy strict)";
			}
			break;
		case CW_CLASS_CLIPBOARD:
			d = access_decision(policy->rules[CW_CAP_CLIPBOARD],
				"clipboard=deny", "clipboard=ask");
			if (d.verdict == CW_ASK) {
				/* asking happens per paste, not per global */
				d.verdict = CW_PASS;
				d.why = "clipboard=ask";
			}
			break;
		case CW_CLASS_SCREENCOPY:
			d = access_decision(policy->rules[CW_CAP_SCREENCOPY],
				"screencopy=deny", "screencopy=ask");
			break;
		case CW_CLASS_CLIPBOARD_MANAGER:
			d = access_decision(
				policy->rules[CW_CAP_CLIPBOARD_MANAGER],
				"clipboard-manager=deny", "clipboard-manager=ask");
			break;
		case CW_CLASS_PRIVILEGED:
			if (policy->base != CW_POLICY_TRUSTED) {
				d.verdict = CW_HIDE;
				d.why = "privileged: not listed with allow";
			}
			break;
		case CW_CLASS_OWN:
			/* returned above */
			d.verdict = CW_HIDE;
			break;
		}
	}
	if (d.verdict != CW_PASS && d.verdict != CW_ASK) {
		return d;
	}

	uint32_t advertised = version < iface->version ? version : iface->version;
	if (advertised < version && d.verdict == CW_PASS) {
		d.why = "tables";
	}
	for (size_t i = 0; i < policy->ncaps; i++) {
		if (strcmp(policy->caps[i].iface, name) == 0 &&
				policy->caps[i].version < advertised) {
			advertised = policy->caps[i].version;
			d.why = "policy cap";
		}
	}
	d.version = advertised;
	if (advertised < version && d.verdict == CW_PASS) {
		d.verdict = CW_REWRITE;
	}
	return d;
}

void cw_policy_print(const struct cw_policy *policy, void *file)
{
	FILE *f = file;
	fprintf(f, "[wayland]\n");
	fprintf(f, "policy = %s\n", base_names[policy->base]);
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		const char *key = cw_capability_info(i)->key;
		if (strncmp(key, "wayland.", 8) == 0) {
			fprintf(f, "%s = %s\n", key + 8,
				cw_cap_rule_word(policy->rules[i]));
		}
	}
	fprintf(f, "max-connections = %u\n", policy->max_connections);
	fprintf(f, "max-objects = %u\n", policy->max_objects);
	fprintf(f, "max-buffers = %u\n", policy->max_buffers);
	for (size_t i = 0; i < policy->nallow; i++) {
		fprintf(f, "allow = %s\n", policy->allow[i]);
	}
	for (size_t i = 0; i < policy->ndeny; i++) {
		fprintf(f, "deny = %s\n", policy->deny[i]);
	}
	for (size_t i = 0; i < policy->ncaps; i++) {
		fprintf(f, "cap = %s:%u\n", policy->caps[i].iface,
			policy->caps[i].version);
	}
}
