/*
 * The portals on a sandbox's private bus. One host (portals/host.c) starts
 * the bus's daemon when the app first connects, joins it as crate-wl, owns
 * org.freedesktop.portal.Desktop (and the other names portals ask for),
 * and then starts each portal: a small service of its own, one file each,
 * which adds its interface at /org/freedesktop/portal/desktop and keeps its
 * own state. A portal never sees another's state; what they share is the
 * bus connection, the Request objects (portals/request.c) and what the
 * launcher tells them in cw_portal_env.
 *
 * Every portal runs in the launcher's loop and never waits: not on the
 * app, not on the host's services.
 */
#ifndef CW_PORTAL_H
#define CW_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "sd-bus-lazy.h"
#include "capability.h"
#include "loop.h"

#define CW_PORTAL_NAME "org.freedesktop.portal.Desktop"
/* cw_portal_env.grant's flags */
#define CW_PORTAL_GRANT_CREATE 1u
#define CW_PORTAL_GRANT_READONLY 2u
#define CW_PORTAL_PATH "/org/freedesktop/portal/desktop"
#define CW_PORTAL_ERR_NOT_ALLOWED "org.freedesktop.portal.Error.NotAllowed"
#define CW_PORTAL_ERR_INVALID "org.freedesktop.portal.Error.InvalidArgument"
#define CW_PORTAL_ERR_FAILED "org.freedesktop.portal.Error.Failed"
#define CW_PORTAL_ERR_NOT_FOUND "org.freedesktop.portal.Error.NotFound"

/* Request's Response codes */
enum cw_portal_response {
	CW_PORTAL_OK = 0,
	CW_PORTAL_CANCELLED = 1,
	CW_PORTAL_OTHER = 2,
};

struct cw_permissions;
struct cw_proxy;
struct cw_portal_host;

/* What the launcher tells every portal. Valid while the host lives. */
struct cw_portal_env {
	struct cw_loop *loop;
	const char *app;      /* the app's name; "-" for none */
	const char *label;    /* the name the user knows it by (the app's) */
	const char *instance; /* the sandbox's id */
	const char *dir;      /* its instance directory on the host */
	pid_t pid;            /* the sandbox's init (host pid): its namespaces */
	/* the sandbox's consent state: every decision goes through it (so
	 * prompts, the store, revokes and scopes hold as for the proxy) */
	struct cw_permissions *perms;
	/* the real compositor's socket path; NULL without a display */
	const char *compositor;
	/* the sandbox's proxy (its capture notices); NULL without one */
	struct cw_proxy *proxy;
	/* whether the host's file (dev, ino) was granted to the sandbox
	 * (FileChooser, the command line): OpenURI's OpenFile opens nothing
	 * else. NULL: nothing was */
	bool (*granted)(void *data, dev_t dev, ino_t ino);
	void *granted_data;
	/* shows the host's file path (absolute, its directory a real path)
	 * in the sandbox at that path (sandbox/grant.h); flags:
	 * CW_PORTAL_GRANT_CREATE (a name to save to, which need not exist
	 * yet), CW_PORTAL_GRANT_READONLY (an existing file, shown
	 * read-only). NULL: nothing can be */
	bool (*grant)(void *data, const char *path, unsigned flags,
		char *err, size_t errlen);
	/* shows the host's folder path (a real path) whole in the sandbox
	 * at that path, read-only unless writable, if it may be
	 * (cw_grants_add_dir); with grant's data. NULL: none can be */
	bool (*grant_dir)(void *data, const char *path, bool writable,
		char *err, size_t errlen);
	void *grant_data;
};

/* One portal. start: the bus is up and crate-wl owns CW_PORTAL_NAME;
 * add the interface (cw_portal_add_interface) and return the portal's
 * state, or NULL with err (the other portals go on). */
struct cw_portal {
	const char *name; /* "FileChooser": for messages */
	/* a well-known name of its own beside CW_PORTAL_NAME (for
	 * org.freedesktop.Notifications), or NULL: crate-wl owns it before
	 * the app can, and the bus then refuses it to everyone else. The
	 * portal adds its objects on cw_portal_bus() itself */
	const char *own;
	void *(*start)(struct cw_portal_host *host,
		const struct cw_portal_env *env, char *err, size_t errlen);
	/* cap was revoked (cw_permissions_revoke): end what it allowed */
	void (*revoke)(void *state, enum cw_capability cap);
	void (*stop)(void *state);
};

/* The connection, for the portal's own messages. */
sd_bus *cw_portal_bus(struct cw_portal_host *host);
/* After sending outside a bus callback (from a timer, another bus's
 * reply): the loop watches for the connection's fd to be writable. */
void cw_portal_flush(struct cw_portal_host *host);

/* Adds iface at CW_PORTAL_PATH; the vtable must have been through
 * cw_sd_bus_vtable_fix (cw_portal_add_interface does it). */
int cw_portal_add_interface(struct cw_portal_host *host, sd_bus_slot **slot,
	const char *iface, sd_bus_vtable *vtable, void *data);

/* Calls func when the bus name `unique` leaves (its Requests and sessions
 * end). Every portal that keeps per-caller state listens. */
typedef void (*cw_portal_gone_func)(void *data, const char *unique);
bool cw_portal_on_gone(struct cw_portal_host *host, cw_portal_gone_func func,
	void *data);

/*
 * An org.freedesktop.portal.Request for a call that answers later. Its
 * path is the one xdg-desktop-portal gives (…/request/SENDER/TOKEN, the
 * token from options' handle_token when valid, else one of ours), so a
 * client that subscribed to Response before calling gets it. Close from
 * the app calls cancel (the portal stops what it does) and frees it.
 */
struct cw_portal_request;
typedef void (*cw_portal_cancel_func)(void *data);
struct cw_portal_request *cw_portal_request_new(struct cw_portal_host *host,
	sd_bus_message *call, const char *token, cw_portal_cancel_func cancel,
	void *data);
const char *cw_portal_request_path(const struct cw_portal_request *req);
const char *cw_portal_request_sender(const struct cw_portal_request *req);
/* Sends Response(code, results) to the caller and frees req. results:
 * appends the {sv} entries of an open a{sv} (NULL: none). */
typedef int (*cw_portal_results_func)(sd_bus_message *m, void *data);
void cw_portal_request_respond(struct cw_portal_request *req,
	enum cw_portal_response code, cw_portal_results_func results,
	void *data);
/* Frees req without a Response (the caller left). */
void cw_portal_request_free(struct cw_portal_request *req);

/* A handle_token is [A-Za-z0-9_]+, as an object path element. */
bool cw_portal_valid_token(const char *token);
/* CW_PORTAL_PATH/KIND/SENDER/TOKEN ("request", "session"), the sender's
 * ":1.42" as "1_42"; an empty token gets one of ours. */
void cw_portal_handle_path(struct cw_portal_host *host, const char *kind,
	const char *sender, const char *token, char *out, size_t len);

/* The portals of crate-wl's own library (the ScreenCast one is the media
 * module's: launch-screencast.h). */
extern const struct cw_portal cw_portal_filechooser;

#endif
