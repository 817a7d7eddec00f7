/*
 * The sandbox's ScreenCast portal, as the launcher runs it: on when the
 * sandbox may capture the screen at all (screencopy ask or allow).
 */
#ifndef CW_LAUNCH_SCREENCAST_H
#define CW_LAUNCH_SCREENCAST_H

#include <stddef.h>
#include "confined.h"
#include "loop.h"

struct cw_proxy;
struct cw_launch_screencast;

/* After the proxy's permissions are set up: the bus at dir/bus, whose
 * daemon starts when the app first connects. listen_fd: that socket,
 * listening, with that first connection waiting (taken over, closed on
 * failure too). spawn starts the daemon, confined (cw_confined_spawn).
 * NULL + err on failure. */
struct cw_launch_screencast *cw_launch_screencast_create(struct cw_loop *loop,
	struct cw_proxy *proxy, const char *instance, const char *dir,
	int listen_fd, const char *compositor, cw_confined_spawn_func spawn,
	char *err, size_t errlen);
void cw_launch_screencast_destroy(struct cw_launch_screencast *ls);

#endif
