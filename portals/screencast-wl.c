/* crate-wl's own Wayland connection to the compositor (screencast-wl.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include "list.h"
#include "screencast-wl.h"

static void output_geometry(void *data, struct wl_output *o, int32_t x,
	int32_t y, int32_t pw, int32_t ph, int32_t subpixel, const char *make,
	const char *model, int32_t transform)
{
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags,
	int32_t w, int32_t h, int32_t refresh)
{
	struct cw_sc_wl *c = data;
	if (flags & WL_OUTPUT_MODE_CURRENT) {
		c->width = w;
		c->height = h;
	}
}

static void output_done(void *data, struct wl_output *o)
{
}

static void output_scale(void *data, struct wl_output *o, int32_t factor)
{
}

static void output_name(void *data, struct wl_output *o, const char *name)
{
	struct cw_sc_wl *c = data;
	snprintf(c->output_name, sizeof(c->output_name), "%s", name);
}

static void output_description(void *data, struct wl_output *o,
	const char *desc)
{
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
	.name = output_name,
	.description = output_description,
};

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct cw_sc_wl *c = data;
	if (strcmp(iface, wl_output_interface.name) == 0) {
		if (c->output == NULL) {
			/* the first output: one monitor, as SelectSources
			 * offers */
			c->output = wl_registry_bind(reg, name,
				&wl_output_interface, version < 4 ? version : 4);
			wl_output_add_listener(c->output, &output_listener, c);
		}
		return;
	}
	c->cb->global(c->owner, reg, name, iface, version);
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

bool cw_sc_wl_open(struct cw_sc_wl *w, struct cw_loop *loop,
	const char *compositor, const struct cw_sc_wl_owner *cb, void *owner,
	char *err, size_t errlen)
{
	*w = (struct cw_sc_wl){
		.loop = loop,
		.cb = cb,
		.owner = owner,
		.source.fd = -1,
	};
	w->display = wl_display_connect(compositor);
	if (w->display == NULL) {
		snprintf(err, errlen, "cannot connect to the compositor at %s: "
			"%s", compositor, strerror(errno));
		return false;
	}
	w->registry = wl_display_get_registry(w->display);
	wl_registry_add_listener(w->registry, &registry_listener, w);
	/* globals, then the output's mode and name */
	if (wl_display_roundtrip(w->display) < 0 ||
			wl_display_roundtrip(w->display) < 0) {
		snprintf(err, errlen, "lost the compositor at %s", compositor);
		return false;
	}
	return true;
}

bool cw_sc_wl_end(struct cw_sc_wl *w)
{
	if (w->ended) {
		return false;
	}
	w->ended = true;
	if (w->source.fd >= 0) {
		cw_loop_remove(w->loop, &w->source);
		w->source.fd = -1;
	}
	return true;
}

static void lost(struct cw_sc_wl *w)
{
	if (cw_sc_wl_end(w)) {
		w->cb->lost(w->owner, "lost the compositor");
	}
}

void cw_sc_wl_flush(struct cw_sc_wl *w)
{
	if (w->ended) {
		return;
	}
	int r = wl_display_flush(w->display);
	if (r < 0 && errno == EAGAIN) {
		cw_loop_update(w->loop, &w->source, EPOLLIN | EPOLLOUT);
	} else if (r < 0) {
		lost(w);
	} else {
		cw_loop_update(w->loop, &w->source, EPOLLIN);
	}
}

static void display_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_sc_wl *w = cw_container_of(source, w, source);
	w->dispatching = true;
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
			wl_display_dispatch(w->display) < 0) {
		lost(w);
	}
	cw_sc_wl_flush(w);
	w->dispatching = false;
	if (w->release_pending) {
		w->cb->release(w->owner);
	}
}

bool cw_sc_wl_watch(struct cw_sc_wl *w, char *err, size_t errlen)
{
	if (!cw_loop_add(w->loop, &w->source, wl_display_get_fd(w->display),
			EPOLLIN, display_dispatch)) {
		snprintf(err, errlen, "cannot watch the compositor: %s",
			strerror(errno));
		w->source.fd = -1;
		return false;
	}
	return true;
}

void cw_sc_wl_destroy(struct cw_sc_wl *w)
{
	if (w->release_pending) {
		return;
	}
	if (w->dispatching) {
		w->release_pending = true;
		w->ended = true; /* no more callbacks */
		return;
	}
	w->cb->release(w->owner);
}

void cw_sc_wl_close(struct cw_sc_wl *w)
{
	if (w->source.fd >= 0) {
		cw_loop_remove(w->loop, &w->source);
		w->source.fd = -1;
	}
	if (w->output != NULL) {
		wl_output_destroy(w->output);
	}
	if (w->registry != NULL) {
		wl_registry_destroy(w->registry);
	}
	if (w->display != NULL) {
		wl_display_flush(w->display);
		wl_display_disconnect(w->display);
	}
}
