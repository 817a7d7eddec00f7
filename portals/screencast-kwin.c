/*
 * The stream from KDE's compositor, where it offers no wlr-screencopy:
 * crate-wl's own Wayland connection to KWin (outside the sandbox, never
 * the app's) binds zkde_screencast_unstable_v1 and asks for a stream of
 * the first output. KWin makes the PipeWire node and names it in the
 * stream's `created` event; the sandbox's PipeWire connection is
 * restricted to exactly that node. Closing the stream (or crate-wl's
 * connection going) makes KWin remove the node, which ends the app's
 * stream.
 *
 * KWin offers this global only to programs that a desktop file names,
 * with the interface in its X-KDE-Wayland-Interfaces, and whose running
 * executable is the file that desktop file's Exec names (crate-wl installs
 * cli/crate-wl.desktop.in for that). Without it, KWin withholds the global
 * and this source is simply not there.
 *
 * Creating is a short roundtrip, so that a compositor without the global
 * fails before the user is asked; from start on, everything runs from the
 * crate-wl loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <wayland-client.h>
#include "list.h"
#include "screencast-private.h"
#include "kde-screencast-client-protocol.h"

struct cw_sc_kwin {
	struct cw_loop *loop;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_output *output;
	struct zkde_screencast_unstable_v1 *manager;
	struct zkde_screencast_stream_unstable_v1 *stream;
	struct cw_source source;
	bool cursor;
	bool kde; /* the compositor offers KDE's own globals: it is KWin */
	char output_name[128];
	int32_t width, height; /* the output's current mode */
	uint32_t node;
	cw_sc_kwin_func func;
	void *data;
	bool ended;
	bool dispatching;
	bool destroy_pending;
};

static void kwin_free(struct cw_sc_kwin *k);

static void output_geometry(void *data, struct wl_output *o, int32_t x,
	int32_t y, int32_t pw, int32_t ph, int32_t subpixel, const char *make,
	const char *model, int32_t transform)
{
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags,
	int32_t w, int32_t h, int32_t refresh)
{
	struct cw_sc_kwin *k = data;
	if (flags & WL_OUTPUT_MODE_CURRENT) {
		k->width = w;
		k->height = h;
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
	struct cw_sc_kwin *k = data;
	snprintf(k->output_name, sizeof(k->output_name), "%s", name);
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
	struct cw_sc_kwin *k = data;
	if (strcmp(iface, wl_output_interface.name) == 0 &&
			k->output == NULL) {
		/* the first output: one monitor, as SelectSources offers */
		k->output = wl_registry_bind(reg, name, &wl_output_interface,
			version < 4 ? version : 4);
		wl_output_add_listener(k->output, &output_listener, k);
	} else if (strcmp(iface,
			zkde_screencast_unstable_v1_interface.name) == 0 &&
			k->manager == NULL) {
		/* stream_output is in version 1 */
		k->manager = wl_registry_bind(reg, name,
			&zkde_screencast_unstable_v1_interface, 1);
	} else if (strncmp(iface, "org_kde_", 8) == 0) {
		k->kde = true;
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

static void end(struct cw_sc_kwin *k, const char *why)
{
	if (k->ended) {
		return;
	}
	k->ended = true;
	if (k->source.fd >= 0) {
		cw_loop_remove(k->loop, &k->source);
		k->source.fd = -1;
	}
	k->func(k->data, 0, why);
}

static void stream_closed(void *data,
	struct zkde_screencast_stream_unstable_v1 *stream)
{
	end(data, "KWin closed the screen cast stream");
}

static void stream_created(void *data,
	struct zkde_screencast_stream_unstable_v1 *stream, uint32_t node)
{
	struct cw_sc_kwin *k = data;
	if (k->ended || k->node != 0) {
		return;
	}
	if (node == 0) {
		end(k, "KWin named no PipeWire node");
		return;
	}
	k->node = node;
	k->func(k->data, node, NULL);
}

static void stream_failed(void *data,
	struct zkde_screencast_stream_unstable_v1 *stream, const char *error)
{
	char why[512];
	snprintf(why, sizeof(why), "KWin refused the screen cast: %s",
		error);
	end(data, why);
}

static const struct zkde_screencast_stream_unstable_v1_listener
		stream_listener = {
	.closed = stream_closed,
	.created = stream_created,
	.failed = stream_failed,
};

static void flush(struct cw_sc_kwin *k)
{
	if (k->ended) {
		return;
	}
	int r = wl_display_flush(k->display);
	if (r < 0 && errno == EAGAIN) {
		cw_loop_update(k->loop, &k->source, EPOLLIN | EPOLLOUT);
	} else if (r < 0) {
		end(k, "lost the compositor");
	} else {
		cw_loop_update(k->loop, &k->source, EPOLLIN);
	}
}

static void display_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_sc_kwin *k = cw_container_of(source, k, source);
	k->dispatching = true;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (wl_display_dispatch(k->display) < 0) {
			end(k, "lost the compositor");
		}
	}
	flush(k);
	k->dispatching = false;
	if (k->destroy_pending) {
		kwin_free(k);
	}
}

struct cw_sc_kwin *cw_sc_kwin_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_kwin_func func, void *data,
	char *err, size_t errlen)
{
	struct cw_sc_kwin *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->loop = loop;
	k->cursor = cursor;
	k->func = func;
	k->data = data;
	k->source.fd = -1;
	k->display = wl_display_connect(compositor);
	if (k->display == NULL) {
		snprintf(err, errlen, "cannot connect to the compositor at %s: "
			"%s", compositor, strerror(errno));
		goto fail;
	}
	k->registry = wl_display_get_registry(k->display);
	wl_registry_add_listener(k->registry, &registry_listener, k);
	/* globals, then the output's mode and name */
	if (wl_display_roundtrip(k->display) < 0 ||
			wl_display_roundtrip(k->display) < 0) {
		snprintf(err, errlen, "lost the compositor at %s", compositor);
		goto fail;
	}
	if (k->manager == NULL) {
		snprintf(err, errlen, k->kde ? "KWin withholds "
			"zkde_screencast_unstable_v1 from crate-wl (it offers "
			"it only to programs a desktop file names in "
			"X-KDE-Wayland-Interfaces: crate-wl.desktop is not "
			"installed for this crate-wl)" : "no "
			"zkde_screencast_unstable_v1 (KWin's) either");
		goto fail;
	}
	if (k->output == NULL || k->width <= 0 || k->height <= 0) {
		snprintf(err, errlen, "KWin offers no output to share");
		goto fail;
	}
	if (!cw_loop_add(loop, &k->source, wl_display_get_fd(k->display),
			EPOLLIN, display_dispatch)) {
		snprintf(err, errlen, "cannot watch the compositor: %s",
			strerror(errno));
		k->source.fd = -1;
		goto fail;
	}
	return k;
fail:
	kwin_free(k);
	return NULL;
}

const char *cw_sc_kwin_output(const struct cw_sc_kwin *k)
{
	return k->output_name;
}

void cw_sc_kwin_size(const struct cw_sc_kwin *k, uint32_t *w, uint32_t *h)
{
	*w = (uint32_t)k->width;
	*h = (uint32_t)k->height;
}

void cw_sc_kwin_start(struct cw_sc_kwin *k)
{
	if (k->ended || k->stream != NULL) {
		return;
	}
	k->stream = zkde_screencast_unstable_v1_stream_output(k->manager,
		k->output, k->cursor ?
		ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_EMBEDDED :
		ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_HIDDEN);
	zkde_screencast_stream_unstable_v1_add_listener(k->stream,
		&stream_listener, k);
	flush(k);
}

static void kwin_free(struct cw_sc_kwin *k)
{
	if (k->source.fd >= 0) {
		cw_loop_remove(k->loop, &k->source);
	}
	if (k->stream != NULL) {
		/* KWin removes the node with the stream */
		zkde_screencast_stream_unstable_v1_close(k->stream);
	}
	if (k->manager != NULL) {
		zkde_screencast_unstable_v1_destroy(k->manager);
	}
	if (k->output != NULL) {
		wl_output_destroy(k->output);
	}
	if (k->registry != NULL) {
		wl_registry_destroy(k->registry);
	}
	if (k->display != NULL) {
		wl_display_flush(k->display);
		wl_display_disconnect(k->display);
	}
	free(k);
}

void cw_sc_kwin_destroy(struct cw_sc_kwin *k)
{
	if (k == NULL || k->destroy_pending) {
		return;
	}
	if (k->dispatching) {
		k->destroy_pending = true;
		k->ended = true; /* no more callbacks */
		return;
	}
	kwin_free(k);
}
