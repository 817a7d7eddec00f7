#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "manifest.h"
#include "paths.h"

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
		return set_str(&m->icon, value, err, errlen);
	} else if (strcmp(key, "categories") == 0) {
		return set_str(&m->categories, value, err, errlen);
	}
	snprintf(err, errlen, "unknown key '%s' in [app] (expected name, "
		"exec, description, icon or categories)", key);
	return false;
}

static bool handle(void *data, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct cw_manifest *m = data;
	if (section == NULL || section[0] == '\0') {
		snprintf(err, errlen, "'%s' is outside of any section", key);
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
	}
	snprintf(err, errlen, "unknown section [%s] (expected app, sandbox, "
		"wayland or media)", section);
	return false;
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
	if (m->path == NULL || m->cfg == NULL) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		goto fail;
	}
	if (!cw_ini_parse_file(path, handle, m, err)) {
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
	free(m->description);
	free(m->icon);
	free(m->categories);
	free(m->exec);
	cw_free_words(m->argv);
	cw_sandbox_config_destroy(m->cfg);
	free(m);
}

bool cw_manifest_find(const char *name, const char *datadir, char *out,
	size_t len)
{
	size_t n = strlen(name);
	if (strchr(name, '/') != NULL ||
			(n > 6 && strcmp(name + n - 6, ".crate") == 0)) {
		return (size_t)snprintf(out, len, "%s", name) < len;
	}
	char dirs[4][PATH_MAX];
	size_t ndirs = 0;
	/* a directory of manifests named by the user: a checkout's apps/
	 * run from its build directory, before anything is installed */
	const char *apps = getenv("CRATE_WL_APPS");
	if (apps != NULL && apps[0] != '\0') {
		snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s", apps);
	}
	if (cw_path_config_home(dirs[ndirs], sizeof(dirs[0]))) {
		strncat(dirs[ndirs], "/crate-wl/apps",
			sizeof(dirs[0]) - strlen(dirs[ndirs]) - 1);
		ndirs++;
	}
	if (datadir != NULL) {
		snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s/crate-wl/apps",
			datadir);
	}
	snprintf(dirs[ndirs++], sizeof(dirs[0]), "/usr/share/crate-wl/apps");
	for (size_t i = 0; i < ndirs; i++) {
		if ((size_t)snprintf(out, len, "%s/%s.crate", dirs[i], name) <
				len && access(out, R_OK) == 0) {
			return true;
		}
	}
	return false;
}
