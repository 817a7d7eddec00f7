/*
 * A PipeWire connection restricted to a set of objects, as xdg-desktop-
 * portal's OpenPipeWireRemote makes one: crate-wl connects, lowers its own
 * new client's permissions to the core (RWX), the client-node factory (R)
 * and the granted objects (RWX), everything else none, does a roundtrip
 * and hands out the socket. Whoever speaks on that fd (after its own
 * Hello, which keeps the permissions) sees nothing else, and the daemon
 * enforces it.
 */
#ifndef CW_MEDIA_RESTRICT_H
#define CW_MEDIA_RESTRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media-pw.h"

struct cw_media_restrict;

/*
 * fd: the connection (the callee owns it), or -1 with a message in err.
 * client_id: the daemon's id of the restricted client (for link checks).
 */
typedef void (*cw_media_restrict_func)(void *data, int fd,
	uint32_t client_id, const char *err);

/*
 * Starts one; done is called from the PipeWire loop, never from here.
 * props: extra client properties ("key", "value" pairs, NULL-ended) or NULL.
 */
struct cw_media_restrict *cw_media_restrict_start(struct cw_media_pw *pw,
	const uint32_t *ids, size_t nids, const char *const *props,
	cw_media_restrict_func done, void *data);
/* Frees it; done is not called after this. Safe from done itself. */
void cw_media_restrict_cancel(struct cw_media_restrict *r);

/*
 * The same, waiting (at most timeout_ms) on the PipeWire loop alone: for
 * callers outside PipeWire callbacks (a D-Bus method handler). The fd, or
 * -1 with a message in err.
 */
int cw_media_restrict_open(struct cw_media_pw *pw, const uint32_t *ids,
	size_t nids, const char *const *props, int timeout_ms,
	uint32_t *client_id, char *err, size_t errlen);

#endif
