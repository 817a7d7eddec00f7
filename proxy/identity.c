/*
 * Who a proxy serves and how it asks: the app's name (given, or the
 * command's), the prompt front-end (given, or the desktop's dialog where
 * there is a session bus), the store, and the control socket through which
 * revokes and grants arrive. Shared by crate-wl proxy and the launcher.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "control.h"
#include "log.h"
#include "prompt.h"
#include "proxy.h"
#include "store.h"

void cw_app_name_from_command(const char *command, char *out, size_t len)
{
	const char *base = command ? strrchr(command, '/') : NULL;
	base = base ? base + 1 : command;
	size_t i = 0;
	for (; base != NULL && base[i] != '\0' && i < len - 1; i++) {
		char c[2] = { base[i], '\0' };
		out[i] = cw_store_valid_app(c) ? c[0] : '_';
	}
	out[i] = '\0';
	if (!cw_store_valid_app(out)) {
		snprintf(out, len, "unnamed");
	}
}

bool cw_proxy_setup_permissions(struct cw_proxy *proxy, const char *app,
	const char *command, const char *prompt, int timeout_ms,
	struct cw_control **control)
{
	char derived[101];
	if (app == NULL) {
		cw_app_name_from_command(command, derived, sizeof(derived));
		app = derived;
	}
	const char *spec = prompt;
	if (spec == NULL) {
		/* the desktop's own dialog where there is a desktop */
		spec = getenv("DBUS_SESSION_BUS_ADDRESS") ? "portal" : "none";
	}
	char err[512];
	struct cw_prompter *prompter = NULL;
	if (strcmp(spec, "none") != 0) {
		prompter = cw_prompter_create(proxy->loop, spec, timeout_ms, err,
			sizeof(err));
		if (prompter == NULL && prompt != NULL) {
			cw_msg("--prompt %s: %s", spec, err);
			return false;
		}
		if (prompter == NULL) {
			cw_proxy_trace(proxy, "PROMPT", "none: %s", err);
		}
	}
	char store[PATH_MAX];
	const char *store_path = store;
	if (!cw_store_default_path(store, sizeof(store), err, sizeof(err))) {
		cw_msg("answers will not be remembered: %s", err);
		store_path = NULL;
	}
	if (!cw_proxy_set_permissions(proxy, app, prompter, store_path)) {
		cw_msg("out of memory");
		return false;
	}
	*control = cw_control_create(proxy->loop, proxy->perms, err,
		sizeof(err));
	if (*control == NULL) {
		cw_msg("revokes will not reach this proxy at once: %s", err);
	}
	return true;
}
