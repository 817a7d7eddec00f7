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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>
#include "screencast-private.h"
#include "screencast-wl.h"
#include "kde-screencast-client-protocol.h"

struct cw_sc_kwin {
	struct cw_sc_wl wl; /* the connection and its first output */
	struct zkde_screencast_unstable_v1 *manager;
	struct zkde_screencast_stream_unstable_v1 *stream;
	bool cursor;
	bool kde; /* the compositor offers KDE's own globals: it is KWin */
	uint32_t node;
	cw_sc_kwin_func func;
	void *data;
};

static void kwin_free(void *data);

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct cw_sc_kwin *k = data;
	if (strcmp(iface, zkde_screencast_unstable_v1_interface.name) == 0 &&
			k->manager == NULL) {
		/* stream_output is in version 1 */
		k->manager = wl_registry_bind(reg, name,
			&zkde_screencast_unstable_v1_interface, 1);
	} else if (strncmp(iface, "org_kde_", 8) == 0) {
		k->kde = true;
	}
}

static void end(struct cw_sc_kwin *k, const char *why)
{
	if (cw_sc_wl_end(&k->wl)) {
		k->func(k->data, 0, why);
	}
}

static void lost(void *data, const char *why)
{
	struct cw_sc_kwin *k = data;
	k->func(k->data, 0, why);
}

static const struct cw_sc_wl_owner owner = {
	.global = global,
	.lost = lost,
	.release = kwin_free,
};

static void stream_closed(void *data,
	struct zkde_screencast_stream_unstable_v1 *stream)
{
	end(data, "KWin closed the screen cast stream");
}

static void stream_created(void *data,
	struct zkde_screencast_stream_unstable_v1 *stream, uint32_t node)
{
	struct cw_sc_kwin *k = data;
	if (k->wl.ended || k->node != 0) {
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

struct cw_sc_kwin *cw_sc_kwin_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_kwin_func func, void *data,
	char *err, size_t errlen)
{
	struct cw_sc_kwin *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->cursor = cursor;
	k->func = func;
	k->data = data;
	if (!cw_sc_wl_open(&k->wl, loop, compositor, &owner, k, err, errlen)) {
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
	if (k->wl.output == NULL || k->wl.width <= 0 || k->wl.height <= 0) {
		snprintf(err, errlen, "KWin offers no output to share");
		goto fail;
	}
	if (!cw_sc_wl_watch(&k->wl, err, errlen)) {
		goto fail;
	}
	return k;
fail:
	cw_sc_kwin_destroy(k);
	return NULL;
}

const char *cw_sc_kwin_output(const struct cw_sc_kwin *k)
{
	return k->wl.output_name;
}

void cw_sc_kwin_size(const struct cw_sc_kwin *k, uint32_t *w, uint32_t *h)
{
	*w = (uint32_t)k->wl.width;
	*h = (uint32_t)k->wl.height;
}

void cw_sc_kwin_start(struct cw_sc_kwin *k)
{
	if (k->wl.ended || k->stream != NULL) {
		return;
	}
	k->stream = zkde_screencast_unstable_v1_stream_output(k->manager,
		k->wl.output, k->cursor ?
		ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_EMBEDDED :
		ZKDE_SCREENCAST_UNSTABLE_V1_POINTER_HIDDEN);
	zkde_screencast_stream_unstable_v1_add_listener(k->stream,
		&stream_listener, k);
	cw_sc_wl_flush(&k->wl);
}

static void kwin_free(void *data)
{
	struct cw_sc_kwin *k = data;
	if (k->stream != NULL) {
		/* KWin removes the node with the stream */
		zkde_screencast_stream_unstable_v1_close(k->stream);
	}
	if (k->manager != NULL) {
		zkde_screencast_unstable_v1_destroy(k->manager);
	}
	cw_sc_wl_close(&k->wl);
	free(k);
}

void cw_sc_kwin_destroy(struct cw_sc_kwin *k)
{
	if (k != NULL) {
		cw_sc_wl_destroy(&k->wl);
	}
}
