/*
 * The sandbox's ScreenCast portal, as the launcher runs it: on when the
 * sandbox may capture the screen at all (screencopy ask or allow).
 */
#ifndef CW_LAUNCH_SCREENCAST_H
#define CW_LAUNCH_SCREENCAST_H

#include <stddef.h>
#include "loop.h"

struct cw_proxy;
struct cw_launch_screencast;

/* After the proxy's permissions are set up: the bus's socket; its daemon
 * starts when the app first connects. NULL + err on failure. */
struct cw_launch_screencast *cw_launch_screencast_create(struct cw_loop *loop,
	struct cw_proxy *proxy, const char *instance, const char *dir,
	const char *compositor, char *err, size_t errlen);
/* The private bus's socket on the host. */
const char *cw_launch_screencast_bus(const struct cw_launch_screencast *ls);
void cw_launch_screencast_destroy(struct cw_launch_screencast *ls);

#endif
