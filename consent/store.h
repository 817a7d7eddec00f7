/*
 * The permission store: what the user answered "always" or "never" to,
 * per app. One INI file under $XDG_DATA_HOME/crate-wl/, changed only under
 * a lock and replaced atomically (temporary file, fsync, rename), so two
 * apps deciding at once lose nothing and a crash leaves the old or the new
 * file, never half of one. A file that does not parse is reported with its
 * path and line and never overwritten.
 */
#ifndef CW_STORE_H
#define CW_STORE_H

#include <stdbool.h>
#include <stddef.h>

enum cw_grant {
	CW_GRANT_UNSET,
	CW_GRANT_ALLOW,
	CW_GRANT_DENY,
};

struct cw_store_entry {
	char *app;
	char *permission;
	enum cw_grant grant;
};

struct cw_store {
	struct cw_store_entry *entries;
	size_t n, cap;
};

/* $XDG_DATA_HOME/crate-wl/permissions (or ~/.local/share/...). */
bool cw_store_default_path(char *out, size_t len, char *err, size_t errlen);

/* A missing file is an empty store. false + err for anything else. */
bool cw_store_load(const char *path, struct cw_store *store, char *err,
	size_t errlen);
void cw_store_finish(struct cw_store *store);

enum cw_grant cw_store_lookup(const struct cw_store *store, const char *app,
	const char *permission);

/*
 * Sets (or with CW_GRANT_UNSET removes) one grant; permission NULL with
 * CW_GRANT_UNSET removes all of the app's grants. Locked, atomic.
 */
bool cw_store_update(const char *path, const char *app,
	const char *permission, enum cw_grant grant, char *err, size_t errlen);

bool cw_store_valid_permission(const char *permission);
/* A name (letters, digits, '-', '_', '.'), or "file:" and 16 lower-case
 * hex digits: a manifest that is not installed (cw_manifest_identify). */
bool cw_store_valid_app(const char *app);
const char *cw_grant_name(enum cw_grant grant);

#endif
