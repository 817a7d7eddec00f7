/* The parts of the ScreenCast portal, one file each. */
#ifndef CW_SCREENCAST_PRIVATE_H
#define CW_SCREENCAST_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "confined.h"
#include "loop.h"

/* screencast-capture.c: frames from the compositor's wlr-screencopy. */
struct cw_sc_frame {
	const void *data;
	uint32_t width, height, stride;
	uint32_t shm_format; /* enum wl_shm_format */
	uint64_t ready_ns;   /* CLOCK_MONOTONIC, when `ready` was read */
};

/* frame NULL: the capture ended for good; why says why. */
typedef void (*cw_sc_frame_func)(void *data, const struct cw_sc_frame *frame,
	const char *why);

struct cw_sc_capture;

/* Connects to the compositor (a short roundtrip) and finds an output.
 * NULL with the reason in err; *unsupported: because the compositor has
 * no wlr-screencopy. */
struct cw_sc_capture *cw_sc_capture_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_frame_func func, void *data,
	bool *unsupported, char *err, size_t errlen);
/* The output's name (wl_output v4), or "" when the compositor has none. */
const char *cw_sc_capture_output_name(const struct cw_sc_capture *cap);
/* Asks for one frame; func is called once it is ready (or failed). */
void cw_sc_capture_next(struct cw_sc_capture *cap);
void cw_sc_capture_destroy(struct cw_sc_capture *cap);

/*
 * screencast-mutter.c: GNOME's own screen cast (org.gnome.Mutter.ScreenCast
 * on the session bus), for a compositor without wlr-screencopy. Mutter
 * makes the node; func gets its id once it is there (why NULL), or 0 and
 * why when the cast ended for good. Never called from create or start.
 */
typedef void (*cw_sc_mutter_func)(void *data, uint32_t node,
	const char *why);

struct cw_sc_mutter;

/* A session recording the primary monitor, not started: a few calls,
 * waited for (bounded). NULL with the reason in err. */
struct cw_sc_mutter *cw_sc_mutter_create(struct cw_loop *loop, bool cursor,
	cw_sc_mutter_func func, void *data, char *err, size_t errlen);
void cw_sc_mutter_size(const struct cw_sc_mutter *m, uint32_t *w,
	uint32_t *h);
void cw_sc_mutter_start(struct cw_sc_mutter *m);
/* Stops the session: mutter removes the node. Safe from func. */
void cw_sc_mutter_destroy(struct cw_sc_mutter *m);

/*
 * screencast-kwin.c: KDE's own screen cast (zkde_screencast_unstable_v1 on
 * crate-wl's own connection to KWin), for a compositor without
 * wlr-screencopy. KWin makes the node; func gets its id once it is there
 * (why NULL), or 0 and why when the cast ended for good. Never called
 * from create or start.
 */
typedef void (*cw_sc_kwin_func)(void *data, uint32_t node, const char *why);

struct cw_sc_kwin;

/* Connects to the compositor (a short roundtrip) and binds the global
 * and the first output. NULL with the reason in err. */
struct cw_sc_kwin *cw_sc_kwin_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_kwin_func func, void *data,
	char *err, size_t errlen);
/* The output's name (wl_output v4), or "". */
const char *cw_sc_kwin_output(const struct cw_sc_kwin *k);
void cw_sc_kwin_size(const struct cw_sc_kwin *k, uint32_t *w, uint32_t *h);
/* Asks KWin for the stream of the output. */
void cw_sc_kwin_start(struct cw_sc_kwin *k);
/* Closes the stream: KWin removes the node. Safe from func. */
void cw_sc_kwin_destroy(struct cw_sc_kwin *k);

/* screencast-stream.c: the Video/Source node, on crate-wl's PipeWire loop. */
struct cw_media_pw;
struct cw_sc_stream;

enum cw_sc_stream_event {
	CW_SC_STREAM_READY,  /* the node exists: cw_sc_stream_node_id() */
	CW_SC_STREAM_FAILED, /* ended for good; why says why */
};

typedef void (*cw_sc_stream_func)(void *data, enum cw_sc_stream_event ev,
	const char *why);

/*
 * A stream of the first frame's size and format, on its own connection
 * to the user's PipeWire. Events come later, never from here.
 */
struct cw_sc_stream *cw_sc_stream_create(struct cw_media_pw *pw,
	const char *name, const struct cw_sc_frame *first,
	cw_sc_stream_func func, void *data, char *err, size_t errlen);
uint32_t cw_sc_stream_node_id(const struct cw_sc_stream *st);
/* Copies the frame into a free buffer and queues it; false: none free
 * (nobody consumes, or too slowly): the frame is dropped. */
bool cw_sc_stream_push(struct cw_sc_stream *st,
	const struct cw_sc_frame *frame);
/* Frames queued, and the time from `ready` to queued (ns). */
void cw_sc_stream_stats(const struct cw_sc_stream *st, uint64_t *frames,
	uint64_t *mean_ns, uint64_t *max_ns);
void cw_sc_stream_destroy(struct cw_sc_stream *st);

/*
 * screencast-cast.c: one session's screen cast, from the compositor to the
 * node: a capture, then (on the first frame) the stream, then frames at
 * most MAX_FPS a second.
 */
struct cw_sc_cast;

enum cw_sc_cast_event {
	CW_SC_CAST_STARTED, /* the node is there */
	CW_SC_CAST_FRAME,   /* a frame was queued for the app */
	CW_SC_CAST_ENDED,   /* for good; why says why */
};

typedef void (*cw_sc_cast_func)(void *data, enum cw_sc_cast_event ev,
	const char *why);

/* Connects to the compositor; nothing is captured until started. */
struct cw_sc_cast *cw_sc_cast_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_cast_func func, void *data,
	char *err, size_t errlen);
const char *cw_sc_cast_output(const struct cw_sc_cast *cast);
/* Starts capturing into a new node named name on pw. */
void cw_sc_cast_start(struct cw_sc_cast *cast, struct cw_media_pw *pw,
	const char *name);
uint32_t cw_sc_cast_node(const struct cw_sc_cast *cast);
void cw_sc_cast_size(const struct cw_sc_cast *cast, uint32_t *w,
	uint32_t *h);
/* Safe from its own events. */
void cw_sc_cast_destroy(struct cw_sc_cast *cast);

#endif
