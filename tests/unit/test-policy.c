/* Every verdict of the global classifier, and the policy file parser. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cw-interface.h"
#include "policy.h"
#include "tap.h"

static struct cw_global_decision classify(const char *policy_name,
	const char *iface, uint32_t version)
{
	char err[256];
	struct cw_policy *p = cw_policy_load(policy_name, err, sizeof(err));
	struct cw_global_decision d = cw_policy_classify_global(p, iface,
		version);
	cw_policy_destroy(p);
	return d;
}

static void count_unknown(void *data, const char *iface)
{
	if (cw_interface_find(iface) == NULL) {
		printf("# class table names %s, which the tables lack\n", iface);
		(*(int *)data)++;
	}
}

static char *write_file(const char *text)
{
	static char path[] = "/tmp/cw-policy-XXXXXX.policy";
	strcpy(path, "/tmp/cw-policy-XXXXXX.policy");
	int fd = mkstemps(path, 7);
	write(fd, text, strlen(text));
	close(fd);
	return path;
}

int main(void)
{
	struct cw_global_decision d;

	/* PASS */
	d = classify("strict", "wl_compositor", 4);
	ok(d.verdict == CW_PASS && d.version == 4, "strict: wl_compositor PASS");
	d = classify("default", "xdg_activation_v1", 1);
	ok(d.verdict == CW_PASS, "default: desktop interface PASS");
	d = classify("trusted", "zwlr_layer_shell_v1", 4);
	ok(d.verdict == CW_PASS, "trusted: privileged interface PASS");

	/* REWRITE: the tables cap a newer compositor */
	d = classify("default", "wl_seat", 1000);
	ok(d.verdict == CW_REWRITE && d.version < 1000 && d.version >= 7,
		"wl_seat v1000 REWRITE to the tables' version (%u)", d.version);

	/* HIDE */
	d = classify("trusted", "zcw_never_heard_of_v1", 1);
	ok(d.verdict == CW_HIDE, "unknown interface HIDE even when trusted");
	d = classify("strict", "zxdg_decoration_manager_v1", 1);
	ok(d.verdict == CW_HIDE, "strict: desktop interface HIDE");
	d = classify("default", "zwlr_layer_shell_v1", 4);
	ok(d.verdict == CW_HIDE, "default: privileged interface HIDE");

	/* the desktops' own protocols: known, and classed */
	d = classify("default", "gtk_shell1", 5);
	ok(d.verdict == CW_PASS, "default: GNOME's gtk_shell1 PASS");
	d = classify("strict", "gtk_shell1", 5);
	ok(d.verdict == CW_HIDE, "strict: gtk_shell1 HIDE (desktop class)");
	d = classify("default", "org_kde_kwin_blur_manager", 1);
	ok(d.verdict == CW_PASS, "default: KDE's blur PASS");
	d = classify("default", "org_kde_plasma_window_management", 16);
	ok(d.verdict == CW_HIDE &&
		strcmp(d.why, "privileged: not listed with allow") == 0,
		"default: KDE's window management HIDE as privileged (%s)",
		d.why);
	d = classify("default", "org_kde_kwin_fake_input", 4);
	ok(d.verdict == CW_HIDE, "default: KDE's fake input HIDE");
	d = classify("default", "zkde_screencast_unstable_v1", 3);
	ok(d.verdict == CW_HIDE, "default: KDE's screencast HIDE");
	d = classify("trusted", "zkde_screencast_unstable_v1", 3);
	ok(d.verdict == CW_HIDE, "trusted: KDE's screencast HIDE (KWin lends "
		"it to crate-wl, never to an app)");
	int unknown = 0;
	cw_policy_each_known(count_unknown, &unknown);
	ok(unknown == 0, "every interface the class table names is in the "
		"tables (%d not)", unknown);

	/* DENY: a capability set to deny */
	d = classify("default", "zwlr_data_control_manager_v1", 2);
	ok(d.verdict == CW_DENY, "default: clipboard manager DENY");
	d = classify("strict", "zwlr_screencopy_manager_v1", 3);
	ok(d.verdict == CW_DENY, "strict: screencopy DENY");
	d = classify("strict", "wl_data_device_manager", 3);
	ok(d.verdict == CW_DENY, "strict: clipboard DENY");

	/* ASK */
	d = classify("default", "zwlr_screencopy_manager_v1", 3);
	ok(d.verdict == CW_ASK, "default: screencopy ASK");
	d = classify("default", "ext_image_copy_capture_manager_v1", 1);
	ok(d.verdict == CW_ASK, "default: ext-image-copy-capture ASK");

	/* flags: allow/deny by name, caps, capability values */
	char err[512];
	struct cw_policy *p = cw_policy_load("default", err, sizeof(err));
	ok(cw_policy_set(p, "allow", "zwlr_layer_shell_v1", err, sizeof(err)),
		"allow by name");
	d = cw_policy_classify_global(p, "zwlr_layer_shell_v1", 4);
	ok(d.verdict == CW_PASS, "allowed privileged interface PASS");
	ok(cw_policy_set(p, "deny", "zwlr_layer_shell_v1", err, sizeof(err)),
		"deny after allow");
	d = cw_policy_classify_global(p, "zwlr_layer_shell_v1", 4);
	ok(d.verdict == CW_HIDE, "deny by name wins");
	ok(cw_policy_set(p, "cap", "wl_seat:5 wl_output:2", err, sizeof(err)),
		"cap list");
	d = cw_policy_classify_global(p, "wl_seat", 7);
	ok(d.verdict == CW_REWRITE && d.version == 5, "cap wl_seat:5");
	ok(cw_policy_set(p, "screencopy", "allow", err, sizeof(err)),
		"screencopy = allow");
	d = cw_policy_classify_global(p, "zwlr_screencopy_manager_v1", 3);
	ok(d.verdict == CW_PASS, "screencopy allow PASS");
	ok(!cw_policy_set(p, "screencopy", "focus", err, sizeof(err)),
		"screencopy = focus refused: %s", err);
	ok(!cw_policy_set(p, "allow", "zkde_screencast_unstable_v1", err,
		sizeof(err)) && strstr(err, "crate-wl's own") != NULL,
		"KDE's screencast cannot be allowed by name: %s", err);
	d = cw_policy_classify_global(p, "zkde_screencast_unstable_v1", 3);
	ok(d.verdict == CW_HIDE, "KDE's screencast HIDE after a refused allow");
	ok(!cw_policy_set(p, "allow", "zcw_typo_v1", err, sizeof(err)) &&
		strstr(err, "zcw_typo_v1") != NULL,
		"unknown interface in allow refused: %s", err);
	ok(!cw_policy_set(p, "cap", "wl_seat:0", err, sizeof(err)),
		"cap version 0 refused");
	ok(!cw_policy_set(p, "colour", "red", err, sizeof(err)),
		"unknown key refused: %s", err);
	cw_policy_destroy(p);

	/* the bounds: the same under every base, which does not reset them */
	p = cw_policy_create(CW_POLICY_TRUSTED);
	ok(p->max_connections == CW_POLICY_DEFAULT_MAX_CONNECTIONS &&
		p->max_objects == CW_POLICY_DEFAULT_MAX_OBJECTS &&
		p->max_buffers == CW_POLICY_DEFAULT_MAX_BUFFERS,
		"trusted has the default bounds");
	ok(cw_policy_set(p, "max-connections", "4", err, sizeof(err)) &&
		cw_policy_set(p, "max-objects", "1000", err, sizeof(err)) &&
		cw_policy_set(p, "max-buffers", "10", err, sizeof(err)) &&
		cw_policy_set(p, "policy", "strict", err, sizeof(err)) &&
		p->max_connections == 4 && p->max_objects == 1000 &&
		p->max_buffers == 10, "bounds set, and kept by a later policy");
	ok(!cw_policy_set(p, "max-connections", "0", err, sizeof(err)) &&
		!cw_policy_set(p, "max-objects", "1000001", err, sizeof(err)) &&
		!cw_policy_set(p, "max-buffers", "-1", err, sizeof(err)) &&
		!cw_policy_set(p, "max-buffers", "many", err, sizeof(err)),
		"bounds out of range refused: %s", err);
	cw_policy_destroy(p);

	/* files */
	char *path = write_file("#!/usr/bin/env crate-wl\n[app]\nname = x\n"
		"[wayland]\npolicy = strict\nallow = xdg_activation_v1\n"
		"clipboard = focus\n");
	p = cw_policy_load(path, err, sizeof(err));
	ok(p != NULL, "policy file loads (%s)", p ? "" : err);
	if (p != NULL) {
		ok(p->base == CW_POLICY_STRICT &&
			p->rules[CW_CAP_CLIPBOARD].focus,
			"file sets base and clipboard");
		d = cw_policy_classify_global(p, "xdg_activation_v1", 1);
		ok(d.verdict == CW_PASS, "file allow list applies");
	}
	cw_policy_destroy(p);
	unlink(path);

	path = write_file("[wayland]\npolicy = default\nscreencopy = maybe\n");
	p = cw_policy_load(path, err, sizeof(err));
	char want[600];
	snprintf(want, sizeof(want), "%s:3:", path);
	ok(p == NULL && strncmp(err, want, strlen(want)) == 0,
		"bad value: error with file and line: %s", err);
	unlink(path);

	path = write_file("[wayland]\nthis line is wrong\n");
	p = cw_policy_load(path, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:2:", path);
	ok(p == NULL && strncmp(err, want, strlen(want)) == 0,
		"malformed line: error with file and line: %s", err);
	unlink(path);

	p = cw_policy_load("/nonexistent/x.policy", err, sizeof(err));
	ok(p == NULL && strstr(err, "/nonexistent/x.policy") != NULL,
		"missing file: error names it: %s", err);
	p = cw_policy_load("lenient", err, sizeof(err));
	ok(p == NULL && strstr(err, "lenient") != NULL,
		"unknown policy name refused: %s", err);
	return tap_done();
}
