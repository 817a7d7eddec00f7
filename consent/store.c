#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capability.h"
#include "ini.h"
#include "paths.h"
#include "store.h"


bool cw_store_valid_permission(const char *permission)
{
	enum cw_capability cap;
	return cw_capability_from_name(permission, &cap);
}

bool cw_store_valid_app(const char *app)
{
	if (strncmp(app, "file:", 5) == 0) {
		/* a manifest that is not installed: no name can be this */
		if (strlen(app + 5) != 16) {
			return false;
		}
		for (const char *p = app + 5; *p; p++) {
			if (!((*p >= '0' && *p <= '9') ||
					(*p >= 'a' && *p <= 'f'))) {
				return false;
			}
		}
		return true;
	}
	if (app[0] == '\0' || strlen(app) > 100) {
		return false;
	}
	for (const char *p = app; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '-' ||
				*p == '_' || *p == '.')) {
			return false;
		}
	}
	return true;
}

const char *cw_grant_name(enum cw_grant grant)
{
	switch (grant) {
	case CW_GRANT_UNSET:
		return "unset";
	case CW_GRANT_ALLOW:
		return "allow";
	case CW_GRANT_DENY:
		return "deny";
	}
	return "?";
}

bool cw_store_default_path(char *out, size_t len, char *err, size_t errlen)
{
	if (!cw_path_data_home(out, len)) {
		snprintf(err, errlen, "neither XDG_DATA_HOME nor HOME "
			"is set: nowhere to keep permissions");
		return false;
	}
	size_t n = strlen(out);
	if ((size_t)snprintf(out + n, len - n, "/crate-wl/permissions") >=
			len - n) {
		snprintf(err, errlen, "permission store path too long");
		return false;
	}
	return true;
}

static bool store_set(struct cw_store *store, const char *app,
	const char *permission, enum cw_grant grant)
{
	for (size_t i = 0; i < store->n; i++) {
		struct cw_store_entry *e = &store->entries[i];
		if (strcmp(e->app, app) != 0 || (permission != NULL &&
				strcmp(e->permission, permission) != 0)) {
			continue;
		}
		if (grant != CW_GRANT_UNSET) {
			e->grant = grant;
			return true;
		}
		free(e->app);
		free(e->permission);
		store->entries[i--] = store->entries[--store->n];
	}
	if (grant == CW_GRANT_UNSET) {
		return true;
	}
	if (store->n == store->cap) {
		size_t cap = store->cap ? store->cap * 2 : 16;
		struct cw_store_entry *e = realloc(store->entries,
			cap * sizeof(*e));
		if (e == NULL) {
			return false;
		}
		store->entries = e;
		store->cap = cap;
	}
	struct cw_store_entry *e = &store->entries[store->n];
	e->app = strdup(app);
	e->permission = strdup(permission);
	e->grant = grant;
	if (e->app == NULL || e->permission == NULL) {
		free(e->app);
		free(e->permission);
		return false;
	}
	store->n++;
	return true;
}

static bool store_entry(void *data, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct cw_store *store = data;
	if (!cw_store_valid_app(section)) {
		snprintf(err, errlen, "invalid app name [%s]", section);
		return false;
	}
	if (!cw_store_valid_permission(key)) {
		snprintf(err, errlen, "unknown permission '%s'", key);
		return false;
	}
	enum cw_grant grant;
	if (strcmp(value, "allow") == 0) {
		grant = CW_GRANT_ALLOW;
	} else if (strcmp(value, "deny") == 0) {
		grant = CW_GRANT_DENY;
	} else {
		snprintf(err, errlen, "%s = '%s': expected allow or deny", key,
			value);
		return false;
	}
	if (!store_set(store, section, key, grant)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

void cw_store_finish(struct cw_store *store)
{
	for (size_t i = 0; i < store->n; i++) {
		free(store->entries[i].app);
		free(store->entries[i].permission);
	}
	free(store->entries);
	memset(store, 0, sizeof(*store));
}

bool cw_store_load(const char *path, struct cw_store *store, char *err,
	size_t errlen)
{
	memset(store, 0, sizeof(*store));
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		return true;
	}
	struct cw_ini_error ini_err;
	if (!cw_ini_parse_file(path, store_entry, store, &ini_err)) {
		snprintf(err, errlen, "the permission store is unreadable: %s "
			"(left as it is: fix or remove the file)",
			ini_err.message);
		cw_store_finish(store);
		return false;
	}
	return true;
}

enum cw_grant cw_store_lookup(const struct cw_store *store, const char *app,
	const char *permission)
{
	for (size_t i = 0; i < store->n; i++) {
		const struct cw_store_entry *e = &store->entries[i];
		if (strcmp(e->app, app) == 0 &&
				strcmp(e->permission, permission) == 0) {
			return e->grant;
		}
	}
	return CW_GRANT_UNSET;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct cw_store_entry *x = a, *y = b;
	int c = strcmp(x->app, y->app);
	return c ? c : strcmp(x->permission, y->permission);
}

/* mkdir -p for the store's directory */
static bool make_dirs(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL) {
		return true;
	}
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			strerror(errno));
		return false;
	}
	return true;
}

static bool write_store(const char *path, struct cw_store *store, char *err,
	size_t errlen)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write the permission store %s: "
			"%s", tmp, strerror(errno));
		return false;
	}
	if (store->n > 0) {
		qsort(store->entries, store->n, sizeof(store->entries[0]),
			cmp_entry);
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f, "# crate-wl permission store: answers given \"always\" "
		"or \"never\".\n# Change it with crate-wl permissions.\n");
	const char *app = NULL;
	for (size_t i = 0; i < store->n; i++) {
		const struct cw_store_entry *e = &store->entries[i];
		if (app == NULL || strcmp(app, e->app) != 0) {
			fprintf(f, "\n[%s]\n", e->app);
			app = e->app;
		}
		fprintf(f, "%s = %s\n", e->permission, cw_grant_name(e->grant));
	}
	bool ok = fflush(f) == 0 && fsync(fd) == 0;
	int saved = errno;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		if (ok) {
			saved = errno;
		}
		snprintf(err, errlen, "cannot write the permission store %s: "
			"%s", path, strerror(saved));
		unlink(tmp);
		return false;
	}
	/* the rename itself must survive a crash */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return true;
}

bool cw_store_update(const char *path, const char *app,
	const char *permission, enum cw_grant grant, char *err, size_t errlen)
{
	if (!make_dirs(path, err, errlen)) {
		return false;
	}
	char lock_path[4200];
	snprintf(lock_path, sizeof(lock_path), "%s.lock", path);
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0) {
		snprintf(err, errlen, "cannot lock the permission store %s: %s",
			lock_path, strerror(errno));
		return false;
	}
	if (flock(lock, LOCK_EX) != 0) {
		snprintf(err, errlen, "cannot lock %s: %s", lock_path,
			strerror(errno));
		close(lock);
		return false;
	}
	/* read under the lock: what another app wrote a moment ago stays */
	struct cw_store store;
	bool ok = cw_store_load(path, &store, err, errlen);
	if (ok) {
		ok = store_set(&store, app, permission, grant);
		if (!ok) {
			snprintf(err, errlen, "out of memory");
		}
	}
	if (ok) {
		ok = write_store(path, &store, err, errlen);
	}
	cw_store_finish(&store);
	close(lock);
	return ok;
}
