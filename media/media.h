/*
 * A sandbox's media: its own PipeWire socket, its own nodes, and the
 * rules that keep its streams linked only to them.
 *
 * The app's connections are restricted by the daemon itself (a relay of
 * self-restricted connections on PipeWire 0.3.x, a security context where
 * the daemon offers one): it sees the core, the client-node factory, its
 * out node, its in node once the microphone is granted, cameras once the
 * camera is. A trusted monitor connection destroys every link touching a
 * sandbox stream whose other end is not one of those, whatever the
 * session manager does, points the session manager at the sandbox's own
 * nodes (target.object), and clears that metadata when a node goes.
 */
#ifndef CW_MEDIA_H
#define CW_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include "loop.h"

enum cw_media_device {
	CW_MEDIA_MICROPHONE,
	CW_MEDIA_CAMERA,
};

struct cw_media_config {
	const char *app;         /* in node names: crate-wl.APP.ID.out */
	const char *instance;    /* the sandbox instance's id */
	const char *socket_path; /* the host path bound as pipewire-0 */
	bool playback;           /* an out node */
	bool microphone;         /* granted from the start */
	bool camera;             /* granted from the start */
};

/* A sandbox stream wants a device that is not granted (ask now). */
typedef void (*cw_media_want_func)(void *data, enum cw_media_device dev);

struct cw_media;

/*
 * Connects, creates the nodes, listens on cfg->socket_path. NULL with a
 * message in err when PipeWire or a session manager is missing.
 */
struct cw_media *cw_media_create(struct cw_loop *loop,
	const struct cw_media_config *cfg, cw_media_want_func want,
	void *data, char *err, size_t errlen);
void cw_media_destroy(struct cw_media *media);

/* Grants or revokes at once (a revoke unlinks). */
void cw_media_grant(struct cw_media *media, enum cw_media_device dev,
	bool granted);
const char *cw_media_device_name(enum cw_media_device dev);

#endif
