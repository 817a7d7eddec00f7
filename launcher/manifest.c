#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "manifest.h"
#include "paths.h"
#include "util.h"

void cw_free_words(char **words)
{
	if (words == NULL) {
		return;
	}
	for (char **w = words; *w != NULL; w++) {
		free(*w);
	}
	free(words);
}

char **cw_split_words(const char *line, size_t *count, char *err,
	size_t errlen)
{
	size_t cap = 8, n = 0;
	char **words = calloc(cap + 1, sizeof(*words));
	char *word = malloc(strlen(line) + 1);
	if (words == NULL || word == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		if (*p == '\0') {
			break;
		}
		size_t len = 0;
		char quote = 0;
		for (; *p != '\0'; p++) {
			if (quote == 0 && (*p == ' ' || *p == '\t')) {
				break;
			}
			if (quote == 0 && (*p == '\'' || *p == '"')) {
				quote = *p;
			} else if (quote != 0 && *p == quote) {
				quote = 0;
			} else if (*p == '\\' && quote != '\'' && p[1] != '\0') {
				word[len++] = *++p;
			} else {
				word[len++] = *p;
			}
		}
		if (quote != 0) {
			snprintf(err, errlen, "unterminated %c quote", quote);
			goto fail;
		}
		word[len] = '\0';
		if (n == cap) {
			cap *= 2;
			char **w = realloc(words, (cap + 1) * sizeof(*w));
			if (w == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			words = w;
		}
		words[n] = strdup(word);
		if (words[n] == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		words[++n] = NULL;
	}
	free(word);
	*count = n;
	return words;

fail:
	free(word);
	cw_free_words(words);
	return NULL;
}

static bool set_str(char **slot, const char *value, char *err, size_t errlen)
{
	char *copy = strdup(value);
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	free(*slot);
	*slot = copy;
	return true;
}

static bool handle_app(struct cw_manifest *m, const char *key,
	const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "name") == 0) {
		return cw_sandbox_config_set(m->cfg, "app", value, err,
				errlen) && set_str(&m->name, value, err, errlen);
	} else if (strcmp(key, "exec") == 0) {
		size_t argc;
		char **argv = cw_split_words(value, &argc, err, errlen);
		if (argv == NULL) {
			return false;
		}
		if (argc == 0) {
			cw_free_words(argv);
			snprintf(err, errlen, "exec is empty");
			return false;
		}
		cw_free_words(m->argv);
		m->argv = argv;
		m->argc = argc;
		return set_str(&m->exec, value, err, errlen);
	} else if (strcmp(key, "description") == 0) {
		return set_str(&m->description, value, err, errlen);
	} else if (strcmp(key, "icon") == 0) {
		/* a name from the icon theme: a path would make the desktop
		 * parse a file the manifest chose */
		if (value[0] == '\0' || value[0] == '.' ||
				strspn(value, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
				strlen(value)) {
			snprintf(err, errlen, "icon = '%s': the name of an "
				"icon of the theme, not a path", value);
			return false;
		}
		return set_str(&m->icon, value, err, errlen);
	} else if (strcmp(key, "categories") == 0) {
		return set_str(&m->categories, value, err, errlen);
	} else if (strcmp(key, "package") == 0) {
		/* said to the user, never run: a Debian package name */
		if (value[0] == '\0' || strspn(value, "abcdefghijklmnopqrstuvwxyz"
				"0123456789+-.") != strlen(value)) {
			snprintf(err, errlen, "package = '%s': a Debian package "
				"name", value);
			return false;
		}
		return set_str(&m->package, value, err, errlen);
	} else if (strcmp(key, "desktop") == 0) {
		/* an id looked up in the system's applications/ only */
		size_t n = strlen(value);
		if (n <= 8 || strcmp(value + n - 8, ".desktop") != 0 ||
				value[0] == '.' || strchr(value, '/') != NULL) {
			snprintf(err, errlen, "desktop = '%s': the id of the "
				"host's desktop entry (mpv.desktop)", value);
			return false;
		}
		return set_str(&m->desktop, value, err, errlen);
	}
	snprintf(err, errlen, "unknown key '%s' in [app] (expected name, "
		"exec, description, icon, categories, package or desktop)",
		key);
	return false;
}

/*
 * A manifest names host paths absolutely (or from ~/): the same file means
 * the same grant wherever it is run from, so what the user confirmed once
 * (by the file's hash) is what later runs get.
 */
static bool is_bind(const char *key)
{
	return strcmp(key, "bind") == 0 || strcmp(key, "ro-bind") == 0 ||
		strcmp(key, "bind-try") == 0 || strcmp(key, "ro-bind-try") == 0;
}

static bool absolute_path(const char *key, const char *value, char *err,
	size_t errlen)
{
	const char *path = value;
	if (strcmp(key, "root") == 0 && strncmp(value, "oci:", 4) == 0) {
		path = value + 4;
	} else if (strcmp(key, "policy") == 0 &&
			strchr(value, '/') == NULL && strchr(value, '.') == NULL) {
		return true; /* a base: strict, default or trusted */
	}
	bool home = is_bind(key);
	if (home && path[0] == '?') {
		path++; /* optional */
	}
	if (path[0] == '/' || (home && path[0] == '~' &&
			(path[1] == '/' || path[1] == '\0')) ||
			(home && strncmp(path, "xdg-", 4) == 0)) {
		return true;
	}
	snprintf(err, errlen, "%s = '%s': a manifest names host paths "
		"absolutely%s", key, value, home ? ", from ~/ or as "
		"xdg-download..." : "");
	return false;
}

static bool is_crate_wl(const char *word)
{
	const char *base = strrchr(word, '/');
	return strcmp(base ? base + 1 : word, "crate-wl") == 0;
}

/*
 * A "#!" first line may only start crate-wl app: words after it would be
 * options from the file, not from the user (--prompt, --yes, --app...),
 * when the manifest runs directly.
 */
static bool check_shebang(const char *path, const char *text,
	struct cw_ini_error *err)
{
	if (strncmp(text, "#!", 2) != 0) {
		return true;
	}
	char line[256];
	size_t n = strcspn(text + 2, "\n");
	bool ok = n < sizeof(line);
	size_t count = 0;
	char **w = NULL;
	if (ok) {
		memcpy(line, text + 2, n);
		line[n] = '\0';
		char msg[64];
		w = cw_split_words(line, &count, msg, sizeof(msg));
	}
	size_t i = 0;
	if (w != NULL && count > 0) {
		const char *base = strrchr(w[0], '/');
		if (strcmp(base ? base + 1 : w[0], "env") == 0) {
			i = 1 + (count > 1 && strcmp(w[1], "-S") == 0);
		}
	}
	/* [env [-S]] crate-wl [app] */
	ok = w != NULL && i < count && is_crate_wl(w[i]) && (i + 1 == count ||
		(i + 2 == count && strcmp(w[i + 1], "app") == 0));
	cw_free_words(w);
	if (!ok) {
		snprintf(err->message, sizeof(err->message), "%s:1: the #! "
			"line may only be #!/usr/bin/env -S crate-wl app: "
			"options there would be the file's, not yours", path);
	}
	return ok;
}

static bool handle(void *data, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct cw_manifest *m = data;
	if (section == NULL || section[0] == '\0') {
		snprintf(err, errlen, "'%s' is outside of any section", key);
		return false;
	}
	if ((strcmp(section, "sandbox") == 0 && (strcmp(key, "root") == 0 ||
			is_bind(key))) ||
			(strcmp(section, "wayland") == 0 &&
			strcmp(key, "policy") == 0)) {
		if (!absolute_path(key, value, err, errlen)) {
			return false;
		}
	}
	if (strcmp(section, "wayland") == 0 && strcmp(key, "prompt") == 0) {
		/* a program run outside the sandbox, named by the app */
		snprintf(err, errlen, "prompt: a manifest cannot choose who "
			"asks the user (that is crate-wl's --prompt)");
		return false;
	}
	if (strcmp(section, "app") == 0) {
		return handle_app(m, key, value, err, errlen);
	} else if (strcmp(section, "sandbox") == 0) {
		if (strcmp(key, "app") == 0) {
			snprintf(err, errlen, "the app's name goes in [app] "
				"name");
			return false;
		}
		return cw_sandbox_config_set(m->cfg, key, value, err, errlen);
	} else if (strcmp(section, "wayland") == 0) {
		return cw_sandbox_config_set_wayland(m->cfg, key, value, err,
			errlen);
	} else if (strcmp(section, "media") == 0) {
		return cw_sandbox_config_set_media(m->cfg, key, value, err,
			errlen);
	} else if (strcmp(section, "portals") == 0) {
		return cw_sandbox_config_set_portals(m->cfg, key, value, err,
			errlen);
	}
	snprintf(err, errlen, "unknown section [%s] (expected app, sandbox, "
		"wayland, media or portals)", section);
	return false;
}

bool cw_manifest_present(const struct cw_manifest *m, char *err,
	size_t errlen)
{
	if (m->cfg->root != NULL || m->argv == NULL || m->argc == 0) {
		return true;
	}
	char path[PATH_MAX];
	const char *cmd = m->argv[0];
	if (cmd[0] == '/' ? access(cmd, X_OK) == 0 :
			cw_find_program(cmd, path, sizeof(path))) {
		return true;
	}
	if (m->package != NULL) {
		snprintf(err, errlen, "%s is not installed on this system: "
			"install the package %s (apt install %s)", cmd,
			m->package, m->package);
	} else {
		snprintf(err, errlen, "%s is not installed on this system (the "
			"manifest names no package)", cmd);
	}
	return false;
}

/* An override file: what a manifest's [sandbox], [wayland], [media] and
 * [portals] take, with the same checks; never [app] (who the app is and what it
 * runs stay the manifest's) */
static bool handle_override(void *data, const char *section,
	const char *key, const char *value, char *err, size_t errlen)
{
	if (section != NULL && strcmp(section, "app") == 0) {
		snprintf(err, errlen, "an override changes [sandbox], "
			"[wayland], [media] and [portals], not [app]");
		return false;
	}
	return handle(data, section, key, value, err, errlen);
}

bool cw_manifest_override_path(const char *name, char *out, size_t len)
{
	if (!cw_path_config_home(out, len)) {
		return false;
	}
	size_t n = strlen(out);
	return (size_t)snprintf(out + n, len - n, "/crate-wl/overrides/%s",
		name) < len - n;
}

bool cw_manifest_check_override(struct cw_manifest *m, const char *name,
	const char *text, struct cw_ini_error *err)
{
	return cw_ini_parse_string(name, text, handle_override, m, err);
}

bool cw_manifest_apply_overrides(struct cw_manifest *m,
	struct cw_ini_error *err)
{
	char path[PATH_MAX];
	/* by name, so only an installed app's: a file that merely calls
	 * itself mpv never gets what the user gave mpv */
	if (!m->installed || !cw_manifest_override_path(m->name, path,
			sizeof(path)) || access(path, F_OK) != 0) {
		return true;
	}
	if (!cw_ini_parse_file(path, handle_override, m, err)) {
		return false;
	}
	free(m->override);
	m->override = strdup(path);
	if (m->override == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		return false;
	}
	return true;
}

/* "foot" from ".../foot.crate" */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 6 && strcmp(base + n - 6, ".crate") == 0) {
		n -= 6;
	}
	return strndup(base, n);
}

struct cw_manifest *cw_manifest_load(const char *path,
	struct cw_ini_error *err)
{
	struct cw_manifest *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		return NULL;
	}
	m->path = strdup(path);
	m->cfg = cw_sandbox_config_create();
	if (m->cfg != NULL) {
		/* an app keeps its data (its settings, its caches) unless
		 * its manifest says home = tmpfs; crate-wl run keeps
		 * nothing unless asked */
		m->cfg->home = CW_HOME_PERSIST;
	}
	if (m->path == NULL || m->cfg == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		goto fail;
	}
	/* an app has a window: a terminal only when [sandbox] terminal or
	 * --terminal asks for one */
	m->cfg->terminal = false;
	size_t len;
	char *text = cw_ini_read_file(path, &len, err);
	if (text == NULL) {
		goto fail;
	}
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++) {
		snprintf(m->hash + 2 * i, 3, "%02x", digest[i]);
	}
	bool parsed = check_shebang(path, text, err) &&
		cw_ini_parse_string(path, text, handle, m, err);
	free(text);
	if (!parsed) {
		goto fail;
	}
	if (m->argv == NULL) {
		snprintf(err->message, sizeof(err->message),
			"%s: [app] has no exec", path);
		goto fail;
	}
	if (m->name == NULL) {
		char msg[256];
		m->name = name_from_path(path);
		if (m->name == NULL || !cw_sandbox_config_set(m->cfg, "app",
				m->name, msg, sizeof(msg))) {
			snprintf(err->message, sizeof(err->message),
				"%s: no [app] name, and the file name is not "
				"one", path);
			goto fail;
		}
	}
	if (!cw_sandbox_config_set_argv(m->cfg, m->argv, m->argc)) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		goto fail;
	}
	return m;

fail:
	cw_manifest_destroy(m);
	return NULL;
}

void cw_manifest_destroy(struct cw_manifest *m)
{
	if (m == NULL) {
		return;
	}
	free(m->path);
	free(m->name);
	free(m->id);
	free(m->label);
	free(m->description);
	free(m->icon);
	free(m->categories);
	free(m->package);
	free(m->desktop);
	free(m->override);
	free(m->exec);
	cw_free_words(m->argv);
	cw_sandbox_config_destroy(m->cfg);
	free(m);
}

/* Where installed manifests live: the user's, then the system's. */
static size_t apps_dirs(const char *datadir, char dirs[][PATH_MAX])
{
	size_t n = 0;
	/* a directory of manifests named by the user: a checkout's apps/
	 * run from its build directory, before anything is installed. The
	 * user's own choice, as their config directory is: its manifests
	 * own their names */
	const char *apps = getenv("CRATE_WL_APPS");
	if (apps != NULL && apps[0] == '/' && strlen(apps) < PATH_MAX) {
		snprintf(dirs[n++], PATH_MAX, "%s", apps);
	}
	if (cw_path_config_home(dirs[n], PATH_MAX)) {
		strncat(dirs[n], "/crate-wl/apps",
			PATH_MAX - strlen(dirs[n]) - 1);
		n++;
	}
	if (datadir != NULL) {
		snprintf(dirs[n++], PATH_MAX, "%s/crate-wl/apps", datadir);
	}
	snprintf(dirs[n++], PATH_MAX, "/usr/local/share/crate-wl/apps");
	snprintf(dirs[n++], PATH_MAX, "/usr/share/crate-wl/apps");
	return n;
}

#define MAX_APPS_DIRS 5

bool cw_manifest_find(const char *name, const char *datadir, char *out,
	size_t len)
{
	size_t n = strlen(name);
	if (strchr(name, '/') != NULL ||
			(n > 6 && strcmp(name + n - 6, ".crate") == 0)) {
		return (size_t)snprintf(out, len, "%s", name) < len;
	}
	return cw_manifest_find_installed(name, datadir, out, len);
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

void cw_manifest_each(const char *datadir,
	void (*fn)(void *data, const char *name, const char *path,
		const char *dir, bool shadowed), void *data)
{
	char dirs[MAX_APPS_DIRS][PATH_MAX];
	size_t ndirs = apps_dirs(datadir, dirs);
	for (size_t i = 0; i < ndirs; i++) {
		bool again = false;
		for (size_t k = 0; k < i; k++) {
			again = again || strcmp(dirs[k], dirs[i]) == 0;
		}
		struct dirent **names = NULL;
		int n = again ? -1 : scandir(dirs[i], &names, NULL,
			compare_names);
		for (int j = 0; j < n; j++) {
			char name[256], path[2 * PATH_MAX], earlier[PATH_MAX];
			size_t len = strlen(names[j]->d_name);
			if (len > 6 && len - 6 < sizeof(name) &&
					strcmp(names[j]->d_name + len - 6,
					".crate") == 0) {
				snprintf(name, sizeof(name), "%.*s",
					(int)(len - 6), names[j]->d_name);
				int w = snprintf(path, sizeof(path), "%s/%s",
					dirs[i], names[j]->d_name);
				if (w < 0 || (size_t)w >= sizeof(path)) {
					free(names[j]);
					continue;
				}
				bool shadowed = cw_manifest_find_installed(name,
					datadir, earlier, sizeof(earlier)) &&
					strcmp(earlier, path) != 0;
				fn(data, name, path, dirs[i], shadowed);
			}
			free(names[j]);
		}
		free(names);
	}
}

bool cw_manifest_find_installed(const char *name, const char *datadir,
	char *out, size_t len)
{
	if (strchr(name, '/') != NULL) {
		return false;
	}
	char dirs[MAX_APPS_DIRS][PATH_MAX];
	size_t ndirs = apps_dirs(datadir, dirs);
	for (size_t i = 0; i < ndirs; i++) {
		if ((size_t)snprintf(out, len, "%s/%s.crate", dirs[i], name) <
				len && access(out, R_OK) == 0) {
			return true;
		}
	}
	return false;
}

/* "~/Downloads" for $HOME/Downloads */
static void tilde(const char *path, char *out, size_t len)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	if (n > 1 && strncmp(path, home, n) == 0 &&
			(path[n] == '/' || path[n] == '\0')) {
		snprintf(out, len, "~%s", path + n);
	} else {
		snprintf(out, len, "%s", path);
	}
}

bool cw_manifest_identify(struct cw_manifest *m, const char *datadir)
{
	char copy[PATH_MAX], dir[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", m->path);
	if (realpath(dirname(copy), dir) == NULL) {
		snprintf(dir, sizeof(dir), "%s", dirname(copy));
	}
	snprintf(copy, sizeof(copy), "%s", m->path);
	const char *base = basename(copy);
	char dirs[MAX_APPS_DIRS][PATH_MAX];
	size_t ndirs = apps_dirs(datadir, dirs);
	m->installed = false;
	for (size_t i = 0; i < ndirs && !m->installed; i++) {
		char real[PATH_MAX];
		m->installed = realpath(dirs[i], real) != NULL &&
			strcmp(real, dir) == 0;
	}
	free(m->id);
	free(m->label);
	m->id = m->label = NULL;
	if (m->installed) {
		/* installed by the user or the system: the name is its own */
		m->id = strdup(m->name);
		return m->id != NULL && cw_sandbox_config_set_identity(m->cfg,
			m->id, NULL);
	}
	/* from anywhere else: this file at this place, and nothing else */
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(dir) + 1, (const uint8_t *)dir);
	sha256_update(&ctx, strlen(base) + 1, (const uint8_t *)base);
	sha256_update(&ctx, strlen(m->hash), (const uint8_t *)m->hash);
	sha256_digest(&ctx, sizeof(digest), digest);
	char id[5 + 16 + 1] = "file:";
	for (size_t i = 0; i < 8; i++) {
		snprintf(id + 5 + 2 * i, 3, "%02x", digest[i]);
	}
	char where[PATH_MAX], label[2 * PATH_MAX];
	tilde(dir, where, sizeof(where));
	snprintf(label, sizeof(label), "%s in %s", base, where);
	for (char *c = label; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*c = '?'; /* a file name shown in prompts and messages */
		}
	}
	m->id = strdup(id);
	m->label = strdup(label);
	return m->id != NULL && m->label != NULL &&
		cw_sandbox_config_set_identity(m->cfg, m->id, m->label);
}
