/*
 * The sandbox's own nodes, owned by crate-wl: libpipewire-module-loopback
 * loaded in crate-wl's process. out: an Audio/Sink named
 * crate-wl.APP.ID.out whose other side is a stream to the user's default
 * sink. in: an Audio/Source named crate-wl.APP.ID.in whose other side is
 * a stream from the default microphone, loaded only while granted.
 */
#ifndef CW_MEDIA_NODES_H
#define CW_MEDIA_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include "media-pw.h"

enum cw_media_side {
	CW_MEDIA_OUT,
	CW_MEDIA_IN,
};

struct cw_media_nodes;

/* prefix: "crate-wl.APP.ID"; the names are prefix.out and prefix.in. */
struct cw_media_nodes *cw_media_nodes_create(struct cw_media_pw *pw,
	const char *prefix, const char *app);
void cw_media_nodes_destroy(struct cw_media_nodes *nodes);

/* Loads (once) one side; false with a message in err. */
bool cw_media_nodes_load(struct cw_media_nodes *nodes,
	enum cw_media_side side, char *err, size_t errlen);
void cw_media_nodes_unload(struct cw_media_nodes *nodes,
	enum cw_media_side side);

/* The node the sandbox links to, and the loopback's other side. */
const char *cw_media_nodes_name(const struct cw_media_nodes *nodes,
	enum cw_media_side side);
const char *cw_media_nodes_peer_name(const struct cw_media_nodes *nodes,
	enum cw_media_side side);

#endif
