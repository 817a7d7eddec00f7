#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "bus.h"
#include "capture.h"
#include "capturing.h"
#include "log.h"
#include "notify.h"
#include "permission.h"
#include "proxy.h"
#include "util.h"

struct cw_capturing {
	struct cw_proxy *proxy;
	struct cw_notifier *notifier; /* NULL: no session bus to find */
	struct cw_source timer;       /* the linger after the last frame */
	bool active;
	uint64_t frames;
	int64_t started_ms;
};

static const char *app_name(struct cw_proxy *proxy)
{
	return proxy->perms != NULL ? proxy->perms->app : "unknown";
}

static void noted(void *data, const char *text)
{
	struct cw_capturing *c = data;
	cw_proxy_trace(c->proxy, "NOTIFICATION", "%s", text);
}

static void linger_over(struct cw_source *source, uint32_t events)
{
	struct cw_capturing *c = cw_container_of(source, c, timer);
	cw_timer_ack(source);
	if (cw_capture_session_open(c->proxy)) {
		/* a session can deliver a frame at any moment */
		cw_timer_set(&c->timer, CW_CAPTURE_LINGER_MS);
		return;
	}
	char why[64];
	snprintf(why, sizeof(why), "no frame for %d ms",
		CW_CAPTURE_LINGER_MS);
	cw_capturing_stop(c->proxy, why);
}

static struct cw_capturing *get(struct cw_proxy *proxy)
{
	if (proxy->capturing != NULL) {
		return proxy->capturing;
	}
	struct cw_capturing *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return NULL;
	}
	c->proxy = proxy;
	if (!cw_loop_add_timer(proxy->loop, &c->timer, linger_over)) {
		free(c);
		return NULL;
	}
	proxy->capturing = c;
	return c;
}

void cw_capturing_frame(struct cw_proxy *proxy)
{
	struct cw_capturing *c = get(proxy);
	if (c == NULL) {
		return;
	}
	c->frames++;
	cw_timer_set(&c->timer, CW_CAPTURE_LINGER_MS);
	if (c->active) {
		return;
	}
	c->active = true;
	c->frames = 1;
	c->started_ms = cw_now_ms();
	const char *app = app_name(proxy);
	cw_proxy_trace(proxy, "CAPTURE-STARTED", "%s is capturing the screen",
		app);
	if (c->notifier == NULL && cw_bus_findable()) {
		c->notifier = cw_notifier_create(proxy->loop, noted, c);
	}
	if (c->notifier == NULL) {
		cw_proxy_trace(proxy, "NOTIFICATION", "none shown: no session "
			"bus (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR "
			"unset)");
		return;
	}
	char summary[160], body[512];
	snprintf(summary, sizeof(summary), "%s is capturing your screen", app);
	snprintf(body, sizeof(body), "The sandboxed app \"%s\" is capturing "
		"the screen (the screencopy permission). To stop it: crate-wl "
		"permissions revoke %s screencopy", app, app);
	cw_notifier_show(c->notifier, summary, body);
}

void cw_capturing_stop(struct cw_proxy *proxy, const char *why)
{
	struct cw_capturing *c = proxy->capturing;
	if (c == NULL || !c->active) {
		return;
	}
	c->active = false;
	cw_timer_set(&c->timer, -1);
	cw_proxy_trace(proxy, "CAPTURE-STOPPED", "%s: %" PRIu64 " frames in "
		"%" PRId64 " ms (%s)", app_name(proxy), c->frames,
		cw_now_ms() - c->started_ms, why);
	cw_notifier_close(c->notifier);
}

void cw_capturing_destroy(struct cw_proxy *proxy)
{
	struct cw_capturing *c = proxy->capturing;
	if (c == NULL) {
		return;
	}
	cw_capturing_stop(proxy, "the proxy stops");
	cw_notifier_destroy(c->notifier);
	cw_loop_remove_timer(proxy->loop, &c->timer);
	free(c);
	proxy->capturing = NULL;
}

void cw_capturing_release(struct cw_proxy *proxy)
{
	struct cw_capturing *c = proxy->capturing;
	if (c == NULL) {
		return;
	}
	cw_notifier_release(c->notifier);
	close(c->timer.fd);
	free(c);
	proxy->capturing = NULL;
}
