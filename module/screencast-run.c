/*
 * The launcher's side of the ScreenCast portal: its gate is the proxy's
 * permission "screencopy" (same prompt, same store, same scopes, same app
 * name as direct screencopy), a stream's frames tell the user as a direct
 * capture's do, and a revoke ends every stream. The portals' host
 * (portals/host.c) starts it as one of its portals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "capturing.h"
#include "launch-screencast.h"
#include "log.h"
#include "permission.h"
#include "proxy.h"
#include "screencast.h"

struct cw_launch_screencast {
	struct cw_screencast *sc;
	struct cw_proxy *proxy;
	struct cw_permissions *perms;
};

static enum cw_decision gate_check(void *data)
{
	struct cw_launch_screencast *ls = data;
	return cw_permissions_check(ls->perms, CW_CAP_SCREENCOPY);
}

static void gate_ask(void *data, const char *detail,
	struct cw_consent_listener *answer)
{
	struct cw_launch_screencast *ls = data;
	cw_permissions_wait(ls->perms, CW_CAP_SCREENCOPY, detail, answer);
}

/* the same notice as for a direct capture: trace, desktop notification */
static void gate_frame(void *data)
{
	struct cw_launch_screencast *ls = data;
	cw_capturing_frame(ls->proxy);
}

void cw_launch_screencast_revoke(struct cw_launch_screencast *ls,
	enum cw_capability cap)
{
	if (cap == CW_CAP_SCREENCOPY) {
		cw_screencast_revoke(ls->sc);
	}
}

struct cw_launch_screencast *cw_launch_screencast_create(
	struct cw_portal_host *host, const struct cw_portal_env *env,
	char *err, size_t errlen)
{
	if (env->proxy == NULL || env->compositor == NULL) {
		snprintf(err, errlen, "no display to share");
		return NULL;
	}
	struct cw_launch_screencast *ls = calloc(1, sizeof(*ls));
	if (ls == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ls->proxy = env->proxy;
	ls->perms = env->perms;
	struct cw_screencast_config cfg = {
		.loop = env->loop,
		.app = env->perms->app,
		.instance = env->instance,
		.host = host,
		.compositor = env->compositor,
		.gate = {
			.check = gate_check,
			.ask = gate_ask,
			.frame = gate_frame,
			.data = ls,
		},
	};
	ls->sc = cw_screencast_create(&cfg, err, errlen);
	if (ls->sc == NULL) {
		free(ls);
		return NULL;
	}
	return ls;
}

void cw_launch_screencast_destroy(struct cw_launch_screencast *ls)
{
	if (ls == NULL) {
		return;
	}
	cw_screencast_destroy(ls->sc);
	free(ls);
}
