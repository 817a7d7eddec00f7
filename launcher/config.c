/* The sandbox's settings, by the names run options and manifests use. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "oci.h"
#include "paths.h"
#include "policy.h"
#include "sandbox.h"

struct cw_sandbox_config *cw_sandbox_config_create(void)
{
	struct cw_sandbox_config *cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		return NULL;
	}
	cfg->wayland = true;
	cfg->terminal = true;
	return cfg;
}

void cw_sandbox_config_destroy(struct cw_sandbox_config *cfg)
{
	if (cfg == NULL) {
		return;
	}
	free(cfg->app);
	free(cfg->label);
	free(cfg->root);
	for (size_t i = 0; i < cfg->nbinds; i++) {
		free(cfg->binds[i].src);
		free(cfg->binds[i].dst);
	}
	for (size_t i = 0; i < cfg->nenv; i++) {
		free(cfg->env[i]);
	}
	free(cfg->policy);
	for (size_t i = 0; i < cfg->nwayland_keys; i++) {
		free(cfg->wayland_keys[i].key);
		free(cfg->wayland_keys[i].value);
	}
	free(cfg->prompt);
	if (cfg->argv != NULL) {
		for (char **a = cfg->argv; *a != NULL; a++) {
			free(*a);
		}
		free(cfg->argv);
	}
	free(cfg);
}

static bool replace(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (copy == NULL) {
		return false;
	}
	free(*slot);
	*slot = copy;
	return true;
}

static bool valid_app_name(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 64) {
		return false;
	}
	for (const char *p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') || *p == '-' ||
				*p == '_' || *p == '.')) {
			return false;
		}
	}
	return true;
}

/* "..", "." or "//" components make a destination ambiguous. */
static bool clean_absolute(const char *path)
{
	if (path[0] != '/') {
		return false;
	}
	const char *p = path;
	while (*p != '\0') {
		while (*p == '/') {
			p++;
		}
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if ((n == 1 && p[0] == '.') ||
				(n == 2 && p[0] == '.' && p[1] == '.')) {
			return false;
		}
		p = end;
	}
	return true;
}

/* xdg-download[/REST] and the like, as Flatpak names them, to the user's
 * own directory (cw_path_user_dir); false when src is not one */
static bool user_dir(const char *src, char *out, size_t len, char *err,
	size_t errlen, bool *failed)
{
	*failed = false;
	if (strncmp(src, "xdg-", 4) != 0) {
		return false;
	}
	char name[16];
	size_t n = strcspn(src + 4, "/");
	if (n == 0 || n >= sizeof(name)) {
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char c = src[4 + i];
		name[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	name[n] = '\0';
	char dir[PATH_MAX];
	if (!cw_path_user_dir(name, dir, sizeof(dir), err, errlen)) {
		*failed = true;
		return true;
	}
	if ((size_t)snprintf(out, len, "%s%s", dir, src + 4 + n) >= len) {
		snprintf(err, errlen, "'%s': path too long", src);
		*failed = true;
	}
	return true;
}

static bool add_bind(struct cw_sandbox_config *cfg, const char *value,
	bool ro, bool optional, char *err, size_t errlen)
{
	/* ?PATH: skipped with a note where it is missing (a manifest's way
	 * of saying --bind-try) */
	if (value[0] == '?') {
		optional = true;
		value++;
	}
	if (cfg->nbinds == CW_SANDBOX_MAX_ITEMS) {
		snprintf(err, errlen, "too many binds");
		return false;
	}
	char src[PATH_MAX];
	const char *colon = strchr(value, ':');
	size_t srclen = colon ? (size_t)(colon - value) : strlen(value);
	if (srclen == 0 || srclen >= sizeof(src)) {
		snprintf(err, errlen, "'%s': expected SRC[:DST]", value);
		return false;
	}
	memcpy(src, value, srclen);
	src[srclen] = '\0';
	const char *dst = colon ? colon + 1 : NULL;
	char expanded[PATH_MAX];
	bool failed;
	if (user_dir(src, expanded, sizeof(expanded), err, errlen, &failed)) {
		if (failed) {
			if (optional) {
				cw_msg("note: %s skipped: %s", src, err);
				return true;
			}
			return false;
		}
	} else if (src[0] == '~' && (src[1] == '/' || src[1] == '\0')) {
		const char *home = getenv("HOME");
		if (home == NULL) {
			snprintf(err, errlen, "'%s': HOME is not set", src);
			return false;
		}
		snprintf(expanded, sizeof(expanded), "%s%s", home, src + 1);
	} else {
		snprintf(expanded, sizeof(expanded), "%s", src);
	}
	char resolved[PATH_MAX];
	if (realpath(expanded, resolved) == NULL) {
		if (optional && errno == ENOENT) {
			cw_msg("note: %s skipped: it does not exist", expanded);
			return true;
		}
		snprintf(err, errlen, "%s: %s", expanded, strerror(errno));
		return false;
	}
	if (dst == NULL || dst[0] == '\0') {
		/* the same path inside as the user typed, not the resolved
		 * one: the app expects its usual path */
		dst = expanded[0] == '/' ? expanded : resolved;
	}
	if (!clean_absolute(dst) || strcmp(dst, "/") == 0) {
		snprintf(err, errlen, "'%s': the destination must be an "
			"absolute path without . or .. components", dst);
		return false;
	}
	struct cw_bind *b = &cfg->binds[cfg->nbinds];
	b->src = strdup(resolved);
	b->dst = strdup(dst);
	b->ro = ro;
	if (b->src == NULL || b->dst == NULL) {
		free(b->src);
		free(b->dst);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	cfg->nbinds++;
	return true;
}

bool cw_sandbox_config_set(struct cw_sandbox_config *cfg, const char *key,
	const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "root") == 0) {
		if (value[0] == '\0') {
			snprintf(err, errlen, "root: empty value");
			return false;
		}
		if (strcmp(value, "/") == 0) {
			free(cfg->root);
			cfg->root = NULL;
			return true;
		}
		if (strncmp(value, "oci:", 4) == 0) {
			char spec[PATH_MAX + 64];
			return cw_oci_normalize(value, spec, sizeof(spec), err,
				errlen) && replace(&cfg->root, spec);
		}
		char resolved[PATH_MAX];
		if (realpath(value, resolved) == NULL) {
			snprintf(err, errlen, "%s: %s", value,
				strerror(errno));
			return false;
		}
		return replace(&cfg->root, resolved);
	} else if (strcmp(key, "bind") == 0 || strcmp(key, "bind-try") == 0) {
		return add_bind(cfg, value, false, key[4] != '\0', err, errlen);
	} else if (strcmp(key, "ro-bind") == 0 ||
			strcmp(key, "ro-bind-try") == 0) {
		return add_bind(cfg, value, true, key[7] != '\0', err, errlen);
	} else if (strcmp(key, "home") == 0) {
		if (strcmp(value, "tmpfs") == 0) {
			cfg->home = CW_HOME_TMPFS;
		} else if (strcmp(value, "persist") == 0) {
			cfg->home = CW_HOME_PERSIST;
		} else {
			snprintf(err, errlen, "home: '%s': expected tmpfs or "
				"persist", value);
			return false;
		}
		return true;
	} else if (strcmp(key, "net") == 0) {
		if (strcmp(value, "none") == 0) {
			cfg->net = CW_NET_NONE;
		} else if (strcmp(value, "host") == 0) {
			cfg->net = CW_NET_HOST;
		} else if (strcmp(value, "nat") == 0) {
			cfg->net = CW_NET_NAT;
		} else {
			snprintf(err, errlen, "net: '%s': expected none, host "
				"or nat", value);
			return false;
		}
		return true;
	} else if (strcmp(key, "device") == 0) {
		if (strcmp(value, "dri") != 0) {
			snprintf(err, errlen, "device: '%s': expected dri "
				"(bind other devices explicitly)", value);
			return false;
		}
		cfg->dev_dri = true;
		return true;
	} else if (strcmp(key, "env") == 0) {
		/* NAME=VALUE, or NAME: the caller's value, if it has one */
		const char *eq = strchr(value, '=');
		if (eq == value || value[0] == '\0') {
			snprintf(err, errlen, "env: '%s': expected NAME=VALUE "
				"or NAME", value);
			return false;
		}
		const char *outside = eq == NULL ? getenv(value) : NULL;
		if (eq == NULL && outside == NULL) {
			return true; /* unset outside: unset inside */
		}
		if (cfg->nenv == CW_SANDBOX_MAX_ITEMS) {
			snprintf(err, errlen, "too many env settings");
			return false;
		}
		if (eq == NULL) {
			char *entry = NULL;
			if (asprintf(&entry, "%s=%s", value, outside) < 0) {
				entry = NULL;
			}
			cfg->env[cfg->nenv] = entry;
		} else {
			cfg->env[cfg->nenv] = strdup(value);
		}
		if (cfg->env[cfg->nenv] == NULL) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		cfg->nenv++;
		return true;
	} else if (strcmp(key, "app") == 0) {
		if (!valid_app_name(value)) {
			snprintf(err, errlen, "app: '%s': a name is letters, "
				"digits, '-', '_' and '.' (64 at most)", value);
			return false;
		}
		free(cfg->label);
		cfg->label = NULL;
		return replace(&cfg->app, value);
	} else if (strcmp(key, "x11") == 0 || strcmp(key, "devel") == 0 ||
			strcmp(key, "terminal") == 0) {
		bool *flag = key[0] == 'x' ? &cfg->x11 : key[0] == 'd' ?
			&cfg->devel : &cfg->terminal;
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0) {
			*flag = true;
		} else if (strcmp(value, "false") == 0 ||
				strcmp(value, "no") == 0) {
			*flag = false;
		} else {
			snprintf(err, errlen, "%s: '%s': expected true or "
				"false", key, value);
			return false;
		}
		return true;
	} else if (strcmp(key, "nested-sandbox") == 0) {
		if (strcmp(value, "allow") == 0) {
			cfg->nested = true;
		} else if (strcmp(value, "deny") == 0) {
			cfg->nested = false;
		} else {
			snprintf(err, errlen, "nested-sandbox: '%s': expected "
				"allow or deny", value);
			return false;
		}
		return true;
	} else if (strcmp(key, "wayland") == 0) {
		if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0) {
			cfg->wayland = true;
		} else if (strcmp(value, "false") == 0 ||
				strcmp(value, "no") == 0) {
			cfg->wayland = false;
		} else {
			snprintf(err, errlen, "wayland: '%s': expected true "
				"or false", value);
			return false;
		}
		return true;
	}
	snprintf(err, errlen, "unknown key '%s'", key);
	return false;
}

bool cw_sandbox_config_set_wayland(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "policy") == 0) {
		/* load it now, so a bad name fails where it is written */
		struct cw_policy *p = cw_policy_load(value, err, errlen);
		if (p == NULL) {
			return false;
		}
		cw_policy_destroy(p);
		return replace(&cfg->policy, value);
	}
	/* check the value on a scratch policy; applied for real at start */
	struct cw_policy *scratch = cw_policy_create(CW_POLICY_DEFAULT);
	if (scratch == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	bool ok = cw_policy_set(scratch, key, value, err, errlen);
	cw_policy_destroy(scratch);
	if (!ok) {
		return false;
	}
	if (cfg->nwayland_keys == CW_SANDBOX_MAX_ITEMS) {
		snprintf(err, errlen, "too many [wayland] settings");
		return false;
	}
	struct cw_kv *kv = &cfg->wayland_keys[cfg->nwayland_keys];
	kv->key = strdup(key);
	kv->value = strdup(value);
	if (kv->key == NULL || kv->value == NULL) {
		free(kv->key);
		free(kv->value);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	cfg->nwayland_keys++;
	return true;
}

bool cw_sandbox_config_set_prompt(struct cw_sandbox_config *cfg,
	const char *spec)
{
	return replace(&cfg->prompt, spec);
}

bool cw_sandbox_config_set_identity(struct cw_sandbox_config *cfg,
	const char *app, const char *label)
{
	if (!replace(&cfg->app, app)) {
		return false;
	}
	free(cfg->label);
	cfg->label = NULL;
	return label == NULL || replace(&cfg->label, label);
}

/* A capability's key of [section] and its allow/ask/deny; false with the
 * error (the keys the section takes: also, then the table's). */
static bool section_rule(const char *section, const char *also,
	const char *key, const char *value, enum cw_capability *cap,
	enum cw_decision *decision, char *err, size_t errlen)
{
	if (!cw_capability_from_key(section, key, cap)) {
		char caps[256];
		cw_capability_keys(section, true, caps, sizeof(caps));
		snprintf(err, errlen, "unknown key '%s' in [%s] (expected "
			"%s%s)", key, section, also, caps);
		return false;
	}
	struct cw_cap_rule rule;
	if (!cw_cap_rule_parse(*cap, value, &rule) || rule.focus) {
		char expected[64];
		cw_capability_expected(*cap, expected, sizeof(expected));
		snprintf(err, errlen, "%s: '%s': expected %s", key, value,
			expected);
		return false;
	}
	*decision = rule.decision;
	return true;
}

bool cw_sandbox_config_set_media(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "audio") == 0) {
		if (strcmp(value, "playback") == 0) {
			cfg->audio_playback = true;
		} else if (strcmp(value, "none") == 0) {
			cfg->audio_playback = false;
		} else {
			snprintf(err, errlen, "audio: '%s': expected playback "
				"or none", value);
			return false;
		}
		return true;
	}
	enum cw_capability cap;
	enum cw_decision decision;
	if (!section_rule("media", "audio, ", key, value, &cap, &decision,
			err, errlen)) {
		return false;
	}
	*(cap == CW_CAP_CAMERA ? &cfg->camera : &cfg->microphone) = decision;
	return true;
}

bool cw_sandbox_config_set_portals(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen)
{
	enum cw_capability cap;
	enum cw_decision decision;
	if (!section_rule("portals", "", key, value, &cap, &decision, err,
			errlen)) {
		return false;
	}
	cfg->portal_set[cap] = true;
	cfg->portal[cap] = decision;
	return true;
}

bool cw_sandbox_config_has_media(const struct cw_sandbox_config *cfg)
{
	return cfg->audio_playback || cfg->microphone != CW_DECISION_DENY ||
		cfg->camera != CW_DECISION_DENY;
}

bool cw_sandbox_config_set_argv(struct cw_sandbox_config *cfg,
	char *const *argv, size_t argc)
{
	char **copy = calloc(argc + 1, sizeof(*copy));
	if (copy == NULL) {
		return false;
	}
	for (size_t i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (copy[i] == NULL) {
			for (size_t j = 0; j < i; j++) {
				free(copy[j]);
			}
			free(copy);
			return false;
		}
	}
	if (cfg->argv != NULL) {
		for (char **a = cfg->argv; *a != NULL; a++) {
			free(*a);
		}
		free(cfg->argv);
	}
	cfg->argv = copy;
	return true;
}
