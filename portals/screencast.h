/*
 * Screen sharing the way real apps do it: org.freedesktop.portal.ScreenCast
 * (version 4) on a session bus private to one sandbox, where crate-wl's
 * portal is the only service. A granted Start produces a Video/Source
 * PipeWire node fed from the compositor's wlr-screencopy by crate-wl itself
 * (a trusted client, outside the sandbox); OpenPipeWireRemote hands out a
 * PipeWire connection that sees that node and nothing else.
 *
 * Everything runs in the launcher's cw_loop and never waits on the sandbox.
 */
#ifndef CW_SCREENCAST_H
#define CW_SCREENCAST_H

#include <stdbool.h>
#include <stddef.h>
#include "capability.h"
#include "listener.h"
#include "confined.h"
#include "loop.h"

struct cw_screencast_gate {
	/* how the launcher decides (its permission "screencopy") */
	enum cw_decision (*check)(void *data);
	/* asks the user: the answer (allow or deny) comes to
	 * answer->changed, later or before ask returns (nobody to ask);
	 * cw_consent_unlisten(answer) withdraws the question */
	void (*ask)(void *data, const char *detail,
		struct cw_consent_listener *answer);
	/* a frame went to the app (the user is told a capture runs) */
	void (*frame)(void *data);
	void *data;
};

struct cw_screencast_config {
	struct cw_loop *loop;
	const char *app;      /* names the node: crate-wl.APP.ID.screen */
	const char *instance; /* the sandbox's id */
	const char *dir;      /* host directory for the bus socket */
	/* dir/bus, listening, the app's first connection waiting on it:
	 * taken over by cw_screencast_create even when it fails */
	int listen_fd;
	const char *compositor; /* the real compositor's socket path */
	struct cw_screencast_gate gate;
	/* starts the bus's daemon as confined as the app (the launcher's) */
	cw_confined_spawn_func spawn;
};

struct cw_screencast;

/*
 * Starts the private bus's daemon on cfg->listen_fd without waiting for
 * it; the portal joins the bus once the daemon says it runs. NULL + err
 * on failure.
 */
struct cw_screencast *cw_screencast_create(
	const struct cw_screencast_config *cfg, char *err, size_t errlen);
/* The permission was revoked: every stream ends, every session closes. */
void cw_screencast_revoke(struct cw_screencast *sc);
void cw_screencast_destroy(struct cw_screencast *sc);

#endif
