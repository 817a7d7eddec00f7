/*
 * A Wayland connection of crate-wl's own to the real compositor (outside
 * the sandbox, never the app's), run from the crate-wl loop, with the
 * compositor's first output: what the wlr-screencopy capture
 * (screencast-capture.c) and KWin's screen cast (screencast-kwin.c) both
 * stand on. Their owner embeds it and gets:
 *  - global: every global but the first wl_output, for the owner to bind;
 *  - lost: the compositor is gone (once; the connection has left the
 *    loop by then);
 *  - release: frees the owner, from cw_sc_wl_destroy, or once the dispatch
 *    that called the owner back (which may destroy it) has returned.
 */
#ifndef CW_SCREENCAST_WL_H
#define CW_SCREENCAST_WL_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-client.h>
#include "loop.h"

struct cw_sc_wl_owner {
	void (*global)(void *owner, struct wl_registry *reg, uint32_t name,
		const char *iface, uint32_t version);
	void (*lost)(void *owner, const char *why);
	void (*release)(void *owner);
};

struct cw_sc_wl {
	struct cw_loop *loop;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_output *output; /* the first one: one monitor is shared */
	char output_name[128];
	int32_t width, height; /* its current mode */
	struct cw_source source;
	const struct cw_sc_wl_owner *cb;
	void *owner;
	bool ended; /* lost, or ended by the owner: no more callbacks */
	bool dispatching;
	bool release_pending;
};

/* Connects to compositor and sees its globals and its first output (two
 * roundtrips); not on the loop yet. False, and why, when it cannot. */
bool cw_sc_wl_open(struct cw_sc_wl *w, struct cw_loop *loop,
	const char *compositor, const struct cw_sc_wl_owner *cb, void *owner,
	char *err, size_t errlen);
/* Puts it on the loop. */
bool cw_sc_wl_watch(struct cw_sc_wl *w, char *err, size_t errlen);
/* Sends what the owner asked for (a full socket waits for the loop). */
void cw_sc_wl_flush(struct cw_sc_wl *w);
/* Ends it: off the loop, no more callbacks. False when it had ended
 * already. */
bool cw_sc_wl_end(struct cw_sc_wl *w);
/* The owner's destroy: releases it now, or once the dispatch returns. */
void cw_sc_wl_destroy(struct cw_sc_wl *w);
/* The owner's release, once its own objects are destroyed: the output,
 * the registry, the connection (what was asked is sent first). */
void cw_sc_wl_close(struct cw_sc_wl *w);

#endif
