/*
 * The launcher's side of the ScreenCast portal: its gate is the proxy's
 * permission "screencopy" (same prompt, same store, same scopes, same app
 * name as direct screencopy), a stream's frames tell the user as a direct
 * capture's do, and a revoke ends every stream.
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
	struct cw_consent_listener listener;
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

static void changed(struct cw_consent_listener *listener,
	enum cw_capability cap, enum cw_decision decision)
{
	struct cw_launch_screencast *ls = cw_container_of(listener, ls,
		listener);
	if (cap == CW_CAP_SCREENCOPY && decision == CW_DECISION_DENY) {
		cw_screencast_revoke(ls->sc);
	}
}

struct cw_launch_screencast *cw_launch_screencast_create(struct cw_loop *loop,
	struct cw_proxy *proxy, const char *instance, const char *dir,
	int listen_fd, const char *compositor, cw_confined_spawn_func spawn,
	char *err, size_t errlen)
{
	struct cw_launch_screencast *ls = calloc(1, sizeof(*ls));
	if (ls == NULL) {
		close(listen_fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ls->proxy = proxy;
	ls->perms = proxy->perms;
	struct cw_screencast_config cfg = {
		.loop = loop,
		.app = proxy->perms->app,
		.instance = instance,
		.dir = dir,
		.listen_fd = listen_fd,
		.compositor = compositor,
		.gate = {
			.check = gate_check,
			.ask = gate_ask,
			.frame = gate_frame,
			.data = ls,
		},
		.spawn = spawn,
	};
	ls->sc = cw_screencast_create(&cfg, err, errlen);
	if (ls->sc == NULL) {
		free(ls);
		return NULL;
	}
	ls->listener.changed = changed;
	cw_permissions_listen(ls->perms, &ls->listener);
	return ls;
}

void cw_launch_screencast_destroy(struct cw_launch_screencast *ls)
{
	if (ls == NULL) {
		return;
	}
	cw_consent_unlisten(&ls->listener);
	cw_screencast_destroy(ls->sc);
	free(ls);
}
