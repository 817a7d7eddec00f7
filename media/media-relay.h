/*
 * The per-sandbox PipeWire socket on PipeWire 0.3.x: crate-wl listens on
 * it, and for each client that connects opens a self-restricted
 * connection to the daemon (media-restrict.h) and forwards bytes and
 * SCM_RIGHTS fds both ways. Non-blocking, bounded buffers per direction
 * (a client that floods is read no faster than the daemon takes it), at
 * most RELAY_MAX_CLIENTS clients.
 */
#ifndef CW_MEDIA_RELAY_H
#define CW_MEDIA_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media-pw.h"

struct cw_media_relay;

struct cw_media_relay_hooks {
	/* the object ids a new client may see (core and factory aside) */
	size_t (*ids)(void *data, uint32_t *ids, size_t max);
	/* a restricted client is up (its daemon-side client id) / gone */
	void (*client_added)(void *data, uint32_t client_id);
	void (*client_removed)(void *data, uint32_t client_id);
};

/*
 * Listens on path (created, replaced if stale). props: client properties
 * stamped on each restricted connection ("key", "value"..., NULL).
 */
struct cw_media_relay *cw_media_relay_create(struct cw_media_pw *pw,
	const char *path, const char *const *props,
	const struct cw_media_relay_hooks *hooks, void *data, char *err,
	size_t errlen);
void cw_media_relay_destroy(struct cw_media_relay *relay);

/* Closes every client (the daemon went away); keeps listening. */
void cw_media_relay_drop_all(struct cw_media_relay *relay);

#endif
