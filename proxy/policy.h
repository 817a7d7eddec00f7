/*
 * A policy: which globals a client may see, at which versions, and the rules
 * for the capabilities the proxy intercepts.
 */
#ifndef CW_POLICY_H
#define CW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capability.h"
#include "verdict.h"

enum cw_policy_base {
	CW_POLICY_STRICT,
	CW_POLICY_DEFAULT,
	CW_POLICY_TRUSTED,
};


/* What a global interface is for; decides its default visibility. */
enum cw_iface_class {
	CW_CLASS_CORE,              /* visible under every policy */
	CW_CLASS_DESKTOP,           /* default and trusted */
	CW_CLASS_CLIPBOARD,         /* hidden when clipboard = deny */
	CW_CLASS_SCREENCOPY,        /* the screencopy rule */
	CW_CLASS_CLIPBOARD_MANAGER, /* the clipboard-manager rule */
	CW_CLASS_PRIVILEGED,        /* trusted, or listed with allow */
	CW_CLASS_OWN,               /* crate-wl's own use: never an app's */
};

#define CW_POLICY_MAX_NAMES 128

/*
 * What one sandbox may cost the compositor: its Wayland connections at
 * once, the live objects of all of them together, and among those the
 * buffers and pools, which hold mappings or dmabuf fds in the compositor
 * (measured figures in crate-wl-policy(5)).
 */
#define CW_POLICY_DEFAULT_MAX_CONNECTIONS 32
#define CW_POLICY_DEFAULT_MAX_OBJECTS 20000
#define CW_POLICY_DEFAULT_MAX_BUFFERS 512
#define CW_POLICY_LIMIT_MAX_CONNECTIONS 1000
#define CW_POLICY_LIMIT_MAX_OBJECTS 1000000
#define CW_POLICY_LIMIT_MAX_BUFFERS 60000

struct cw_version_cap {
	char *iface;
	uint32_t version;
};

struct cw_policy {
	char *source; /* "default", or the file it came from */
	enum cw_policy_base base;
	/* by capability (capabilities.def); [media]'s are deny unless the
	 * sandbox's [media] says otherwise */
	struct cw_cap_rule rules[CW_CAP_COUNT];
	char *allow[CW_POLICY_MAX_NAMES];
	size_t nallow;
	char *deny[CW_POLICY_MAX_NAMES];
	size_t ndeny;
	struct cw_version_cap caps[CW_POLICY_MAX_NAMES];
	size_t ncaps;
	unsigned max_connections;
	uint32_t max_objects;
	uint32_t max_buffers;
};

struct cw_policy *cw_policy_create(enum cw_policy_base base);
void cw_policy_destroy(struct cw_policy *policy);

/* "strict", "default", "trusted", or a file; NULL and *err on failure. */
struct cw_policy *cw_policy_load(const char *name_or_path, char *err,
	size_t errlen);

/*
 * One "key = value" of a [wayland] section, as policy files and manifests
 * write it. Returns false with a message in err.
 */
bool cw_policy_set(struct cw_policy *policy, const char *key,
	const char *value, char *err, size_t errlen);

bool cw_policy_base_from_string(const char *s, enum cw_policy_base *out);
const char *cw_policy_base_name(enum cw_policy_base base);

enum cw_iface_class cw_policy_iface_class(const char *iface);

/* Every interface the class table names (anything else is privileged). */
void cw_policy_each_known(void (*fn)(void *data, const char *iface),
	void *data);

struct cw_global_decision {
	enum cw_verdict verdict;
	uint32_t version; /* advertised version when visible */
	const char *why;  /* for the trace */
};

/*
 * The one decision about a global the compositor advertises. PASS and
 * REWRITE make it visible (REWRITE: at a lower version); HIDE, DENY and ASK
 * hide it.
 */
struct cw_global_decision cw_policy_classify_global(
	const struct cw_policy *policy, const char *iface, uint32_t version);

/* Print the policy as a [wayland] section (for --dry-run and docs). */
void cw_policy_print(const struct cw_policy *policy, void *file);

#endif
