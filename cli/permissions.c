/* crate-wl permissions: what was answered "always" or "never", per app. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "args.h"
#include "capability.h"
#include "commands.h"
#include "control.h"
#include "log.h"
#include "store.h"

static const char usage_text[] =
	"usage: crate-wl permissions list [APP]\n"
	"       crate-wl permissions grant APP PERMISSION [allow|deny]\n"
	"       crate-wl permissions revoke APP PERMISSION\n"
	"       crate-wl permissions reset APP\n";

/* the usage, and the permissions from their table (capabilities.def) */
static void usage(FILE *f)
{
	fputs(usage_text, f);
	cw_capability_print_help(f);
}

static int list(const char *path, const char *app)
{
	struct cw_store store;
	char err[1024];
	if (!cw_store_load(path, &store, err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	int shown = 0;
	for (size_t i = 0; i < store.n; i++) {
		const struct cw_store_entry *e = &store.entries[i];
		if (app != NULL && strcmp(app, e->app) != 0) {
			continue;
		}
		printf("%s %s %s\n", e->app, e->permission,
			cw_grant_name(e->grant));
		shown++;
	}
	if (shown == 0) {
		fprintf(stderr, "crate-wl: nothing stored%s%s (%s)\n",
			app ? " for " : "", app ? app : "", path);
	}
	cw_store_finish(&store);
	return 0;
}

static bool check_args(const char *app, const char *permission)
{
	if (!cw_store_valid_app(app)) {
		cw_msg("invalid app name '%s'", app);
		return false;
	}
	if (permission != NULL && !cw_store_valid_permission(permission)) {
		cw_msg("unknown permission '%s'", permission);
		usage(stderr);
		return false;
	}
	return true;
}

int cw_cmd_permissions(int argc, char *argv[])
{
	static const char *const verbs[] = {
		"list", "grant", "revoke", "reset", NULL
	};
	if (argc < 2 || cw_args_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	bool known = false;
	for (size_t i = 0; verbs[i] != NULL; i++) {
		known = known || strcmp(verbs[i], argv[1]) == 0;
	}
	if (!known) {
		return cw_args_bad_word("permissions", "subcommand", argv[1],
			verbs);
	}
	char path[4096], err[1024];
	if (!cw_store_default_path(path, sizeof(path), err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "list") == 0 && argc <= 3) {
		return list(path, argc == 3 ? argv[2] : NULL);
	}
	enum cw_grant grant = CW_GRANT_UNSET;
	const char *app = argc > 2 ? argv[2] : "";
	const char *permission = NULL;
	if (strcmp(verb, "grant") == 0 && (argc == 4 || argc == 5)) {
		permission = argv[3];
		grant = CW_GRANT_ALLOW;
		if (argc == 5 && strcmp(argv[4], "deny") == 0) {
			grant = CW_GRANT_DENY;
		} else if (argc == 5 && strcmp(argv[4], "allow") != 0) {
			cw_msg("grant: expected allow or deny, got '%s'", argv[4]);
			return 2;
		}
	} else if (strcmp(verb, "revoke") == 0 && argc == 4) {
		permission = argv[3];
	} else if (strcmp(verb, "reset") == 0 && argc == 3) {
		permission = NULL;
	} else {
		usage(stderr);
		return 2;
	}
	if (!check_args(app, permission)) {
		return 2;
	}
	/* running instances forget what they were allowed at once, before
	 * the store's write (and its fsync) that may take a while; until
	 * they are told to read it again they trust nothing it said */
	int n = 0;
	if (grant != CW_GRANT_ALLOW) {
		n = cw_control_notify("revoke", app, permission);
	}
	if (!cw_store_update(path, app, permission, grant, err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	/* a new answer stored: they read it at their next request */
	if (grant != CW_GRANT_UNSET) {
		int told = cw_control_notify("refresh", app, permission);
		n = n > told ? n : told;
	}
	if (n > 0) {
		fprintf(stderr, "crate-wl: %d running instance%s of %s told\n",
			n, n == 1 ? "" : "s", app);
	} else {
		fprintf(stderr, "crate-wl: no running instance of %s to tell; "
			"the store changed\n", app);
	}
	return 0;
}
