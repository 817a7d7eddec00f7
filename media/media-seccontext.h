/*
 * The per-sandbox socket where the daemon offers the security context
 * (PipeWire 1.2 and later): crate-wl makes the listening socket, and the
 * daemon accepts on it, stamping every client with
 * pipewire.sec.engine=crate-wl, the app id and the instance id; crate-wl
 * (the monitor, a manager) then sets those clients' permissions.
 *
 * Tested on Debian 13 (PipeWire 1.4); Debian 12 ships 0.3.65, which has
 * no security context, and crate-wl built against it has none compiled in
 * (the relay serves the socket there).
 */
#ifndef CW_MEDIA_SECCONTEXT_H
#define CW_MEDIA_SECCONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include "media-graph.h"

struct spa_dict;
struct cw_media_seccontext;

/* Compiled in (built against libpipewire 1.2 or later). */
bool cw_media_seccontext_supported(void);

struct cw_media_seccontext *cw_media_seccontext_create(
	struct cw_media_graph *graph, const char *path, const char *app,
	const char *instance, char *err, size_t errlen);
void cw_media_seccontext_destroy(struct cw_media_seccontext *sc);

/* The daemon went away: the context goes with the graph it was made on
 * (detach, before that graph is destroyed); the socket stays, and a new
 * daemon serves it once attached to its graph. */
void cw_media_seccontext_detach(struct cw_media_seccontext *sc);
bool cw_media_seccontext_attach(struct cw_media_seccontext *sc,
	struct cw_media_graph *graph, char *err, size_t errlen);

/* A client the daemon accepted on this sandbox's socket. */
bool cw_media_seccontext_owns(const struct spa_dict *props,
	const char *instance);

#endif
