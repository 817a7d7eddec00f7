/*
 * Screen sharing the way real apps do it: org.freedesktop.portal.ScreenCast
 * (version 4) on a session bus private to one sandbox, where crate-wl's
 * portals are the only services (portal.h). A granted Start produces a Video/Source
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

struct cw_portal_host;

struct cw_screencast_config {
	struct cw_loop *loop;
	const char *app;      /* names the node: crate-wl.APP.ID.screen */
	const char *instance; /* the sandbox's id */
	struct cw_portal_host *host; /* the bus it is served on */
	const char *compositor; /* the real compositor's socket path */
	struct cw_screencast_gate gate;
};

struct cw_screencast;

/* Adds the interface on the host's bus. NULL + err on failure. */
struct cw_screencast *cw_screencast_create(
	const struct cw_screencast_config *cfg, char *err, size_t errlen);
/* The permission was revoked: every stream ends, every session closes. */
void cw_screencast_revoke(struct cw_screencast *sc);
void cw_screencast_destroy(struct cw_screencast *sc);

#endif
