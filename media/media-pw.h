/*
 * crate-wl's own PipeWire side: one pw_loop and pw_context, driven by the
 * crate-wl event loop (the pw_loop's fd is one of its sources), so that
 * PipeWire callbacks run on the one thread like everything else.
 */
#ifndef CW_MEDIA_PW_H
#define CW_MEDIA_PW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "loop.h"

struct pw_loop;
struct pw_context;

struct cw_media_pw {
	struct cw_loop *loop;
	struct pw_loop *pw_loop;
	struct pw_context *context;
	struct cw_source source;
};

/* NULL with a message in err. */
struct cw_media_pw *cw_media_pw_create(struct cw_loop *loop, char *err,
	size_t errlen);
void cw_media_pw_destroy(struct cw_media_pw *pw);

/* Runs what is ready on the PipeWire loop without waiting. */
void cw_media_pw_iterate(struct cw_media_pw *pw);

/*
 * Iterates the PipeWire loop alone until *done or timeout_ms passed;
 * false on timeout. Never call it from a PipeWire callback.
 */
bool cw_media_pw_wait(struct cw_media_pw *pw, const bool *done,
	int timeout_ms);

/* The daemon's socket as libpipewire resolves it, for messages. */
void cw_media_pw_socket_path(char *out, size_t len);

#endif
