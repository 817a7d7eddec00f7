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
	struct cw_perm_listener listener;
};

struct ask {
	struct cw_perm_waiter waiter;
	cw_sc_answer_func done;
	void *cookie;
	bool in_ask;
	bool answered;
};

static enum cw_decision gate_check(void *data)
{
	struct cw_launch_screencast *ls = data;
	return cw_permissions_check(ls->perms, CW_CAP_SCREENCOPY);
}

static void waiter_done(struct cw_perm_waiter *waiter, bool allowed)
{
	struct ask *a = cw_container_of(waiter, a, waiter);
	a->answered = true;
	a->done(a->cookie, allowed);
	if (!a->in_ask) {
		free(a);
	}
}

static void *gate_ask(void *data, const char *detail, cw_sc_answer_func done,
	void *cookie)
{
	struct cw_launch_screencast *ls = data;
	struct ask *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		return NULL;
	}
	a->waiter.done = waiter_done;
	a->done = done;
	a->cookie = cookie;
	a->in_ask = true;
	cw_permissions_wait(ls->perms, CW_CAP_SCREENCOPY, detail, &a->waiter);
	a->in_ask = false;
	if (a->answered) {
		/* nobody to ask: answered already */
		free(a);
		return NULL;
	}
	return a;
}

static void gate_cancel(void *data, void *handle)
{
	struct ask *a = handle;
	cw_permissions_cancel_wait(&a->waiter);
	free(a);
}

/* the same notice as for a direct capture: trace, desktop notification */
static void gate_frame(void *data)
{
	struct cw_launch_screencast *ls = data;
	cw_capturing_frame(ls->proxy);
}

static void revoked(struct cw_perm_listener *listener,
	enum cw_capability cap)
{
	struct cw_launch_screencast *ls = cw_container_of(listener, ls,
		listener);
	if (cap == CW_CAP_SCREENCOPY) {
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
			.cancel = gate_cancel,
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
	ls->listener.revoked = revoked;
	cw_permissions_add_listener(ls->perms, &ls->listener);
	return ls;
}

void cw_launch_screencast_destroy(struct cw_launch_screencast *ls)
{
	if (ls == NULL) {
		return;
	}
	cw_permissions_remove_listener(&ls->listener);
	cw_screencast_destroy(ls->sc);
	free(ls);
}
