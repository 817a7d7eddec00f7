/*
 * The sandbox's ScreenCast portal, as the launcher runs it: one of the
 * portals on the sandbox's bus (portals/portal.h), on when the sandbox may
 * capture the screen at all (screencopy ask or allow). It lives in the
 * media module (libpipewire, libwayland-client), loaded when the portal
 * starts.
 */
#ifndef CW_LAUNCH_SCREENCAST_H
#define CW_LAUNCH_SCREENCAST_H

#include <stddef.h>
#include "portal.h"

struct cw_launch_screencast;

/* Adds the portal to the host's bus; its gate is env->perms'
 * "screencopy". NULL + err on failure. */
struct cw_launch_screencast *cw_launch_screencast_create(
	struct cw_portal_host *host, const struct cw_portal_env *env,
	char *err, size_t errlen);
void cw_launch_screencast_revoke(struct cw_launch_screencast *ls,
	enum cw_capability cap);
void cw_launch_screencast_destroy(struct cw_launch_screencast *ls);

/* The portal for the host's table (launcher/portal-screencast.c). */
extern const struct cw_portal cw_portal_screencast;

#endif
