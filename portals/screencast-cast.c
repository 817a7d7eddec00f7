/*
 * One session's cast: the capture feeds the stream. The first frame gives
 * the stream its size and format; after that each frame is copied into a
 * PipeWire buffer as soon as it is ready, and the next capture is asked
 * for no sooner than 1/MAX_FPS after the last one.
 *
 * A compositor without wlr-screencopy may be KDE's or GNOME's (picked in
 * that order, by what is offered): then KWin (screencast-kwin.c) or mutter
 * (screencast-mutter.c) makes the node itself, and crate-wl sees no
 * frames. The user is told of the capture from the node's start to its
 * end, as if a frame reached the app every TELL_MS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "list.h"
#include "log.h"
#include "screencast-private.h"

#define CAST_MAX_FPS 30
/* below CW_CAPTURE_LINGER_MS, so that the capture is told as one */
#define TELL_MS 1000

struct cw_sc_cast {
	struct cw_loop *loop;
	struct cw_sc_capture *cap;     /* wlr-screencopy, or */
	struct cw_sc_kwin *kwin;       /* KDE's own, or */
	struct cw_sc_mutter *mutter;   /* GNOME's own, and then */
	uint32_t own_node;             /* the node KWin or mutter made */
	struct cw_sc_stream *stream;
	struct cw_media_pw *pw;
	char *name;
	struct cw_source timer; /* the next capture */
	cw_sc_cast_func func;
	void *data;
	uint32_t width, height;
	bool started;
	bool ended;
	bool in_event;
	bool destroy_pending;
};

static void cast_free(struct cw_sc_cast *cast);

static void emit(struct cw_sc_cast *cast, enum cw_sc_cast_event ev,
	const char *why)
{
	if (cast->ended || cast->destroy_pending) {
		return;
	}
	if (ev == CW_SC_CAST_ENDED) {
		cast->ended = true;
	}
	bool outer = !cast->in_event;
	cast->in_event = true;
	cast->func(cast->data, ev, why);
	if (outer) {
		cast->in_event = false;
		if (cast->destroy_pending) {
			cast_free(cast);
		}
	}
}

static void schedule_next(struct cw_sc_cast *cast, uint64_t last_ready_ns)
{
	uint64_t at = last_ready_ns + 1000000000u / CAST_MAX_FPS;
	cw_timer_set_abs_usec(&cast->timer, at / 1000);
}

static void timer_due(struct cw_source *source, uint32_t events)
{
	struct cw_sc_cast *cast = cw_container_of(source, cast, timer);
	cw_timer_ack(source);
	if (cast->mutter != NULL || cast->kwin != NULL) {
		if (cast->started && !cast->ended) {
			cw_timer_set(&cast->timer, TELL_MS);
			emit(cast, CW_SC_CAST_FRAME, NULL);
		}
		return;
	}
	if (!cast->ended && cast->cap != NULL) {
		cw_sc_capture_next(cast->cap);
	}
}

static void on_stream(void *data, enum cw_sc_stream_event ev,
	const char *why)
{
	struct cw_sc_cast *cast = data;
	switch (ev) {
	case CW_SC_STREAM_READY:
		cast->started = true;
		emit(cast, CW_SC_CAST_STARTED, NULL);
		break;
	case CW_SC_STREAM_FAILED:
		emit(cast, CW_SC_CAST_ENDED, why);
		break;
	}
}

static void on_frame(void *data, const struct cw_sc_frame *frame,
	const char *why)
{
	struct cw_sc_cast *cast = data;
	if (frame == NULL) {
		emit(cast, CW_SC_CAST_ENDED, why);
		return;
	}
	if (cast->stream == NULL) {
		char err[512];
		cast->width = frame->width;
		cast->height = frame->height;
		cast->stream = cw_sc_stream_create(cast->pw, cast->name, frame,
			on_stream, cast, err, sizeof(err));
		if (cast->stream == NULL) {
			emit(cast, CW_SC_CAST_ENDED, err);
			return;
		}
	} else if (cast->started) {
		/* none free: nobody reads, or too slowly; the frame goes */
		if (cw_sc_stream_push(cast->stream, frame)) {
			emit(cast, CW_SC_CAST_FRAME, NULL);
			if (cast->destroy_pending || cast->ended) {
				return;
			}
		}
	}
	schedule_next(cast, frame->ready_ns);
}

/* KWin's or mutter's node is there (or the cast ended) */
static void on_own_node(void *data, uint32_t node, const char *why)
{
	struct cw_sc_cast *cast = data;
	if (node == 0) {
		emit(cast, CW_SC_CAST_ENDED, why);
		return;
	}
	cast->own_node = node;
	cast->started = true;
	cw_timer_set(&cast->timer, 0);
	emit(cast, CW_SC_CAST_STARTED, NULL);
}

struct cw_sc_cast *cw_sc_cast_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_cast_func func, void *data,
	char *err, size_t errlen)
{
	struct cw_sc_cast *cast = calloc(1, sizeof(*cast));
	if (cast == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cast->loop = loop;
	cast->func = func;
	cast->data = data;
	if (!cw_loop_add_timer(loop, &cast->timer, timer_due)) {
		snprintf(err, errlen, "cannot make a timer: %s",
			strerror(errno));
		free(cast);
		return NULL;
	}
	bool unsupported;
	cast->cap = cw_sc_capture_create(loop, compositor, cursor, on_frame,
		cast, &unsupported, err, errlen);
	char kwin_why[512] = "";
	if (cast->cap == NULL && unsupported) {
		cast->kwin = cw_sc_kwin_create(loop, compositor, cursor,
			on_own_node, cast, kwin_why, sizeof(kwin_why));
	}
	if (cast->cap == NULL && unsupported && cast->kwin == NULL) {
		char why[512];
		cast->mutter = cw_sc_mutter_create(loop, cursor, on_own_node,
			cast, why, sizeof(why));
		if (cast->mutter == NULL) {
			snprintf(err, errlen, "the compositor offers no "
				"wlr-screencopy, and %s; %s", why, kwin_why);
		}
	}
	if (cast->cap == NULL && cast->kwin == NULL && cast->mutter == NULL) {
		cast_free(cast);
		return NULL;
	}
	if (cast->kwin != NULL) {
		cw_sc_kwin_size(cast->kwin, &cast->width, &cast->height);
	} else if (cast->mutter != NULL) {
		cw_sc_mutter_size(cast->mutter, &cast->width, &cast->height);
	}
	return cast;
}

const char *cw_sc_cast_output(const struct cw_sc_cast *cast)
{
	if (cast->cap != NULL) {
		return cw_sc_capture_output_name(cast->cap);
	}
	if (cast->kwin != NULL) {
		return cw_sc_kwin_output(cast->kwin);
	}
	return "the primary monitor";
}

void cw_sc_cast_start(struct cw_sc_cast *cast, struct cw_media_pw *pw,
	const char *name)
{
	cast->pw = pw;
	cast->name = strdup(name);
	if (cast->name == NULL) {
		emit(cast, CW_SC_CAST_ENDED, "out of memory");
		return;
	}
	if (cast->kwin != NULL) {
		cw_sc_kwin_start(cast->kwin);
		return;
	}
	if (cast->mutter != NULL) {
		cw_sc_mutter_start(cast->mutter);
		return;
	}
	cw_sc_capture_next(cast->cap);
}

uint32_t cw_sc_cast_node(const struct cw_sc_cast *cast)
{
	if (cast->kwin != NULL || cast->mutter != NULL) {
		return cast->own_node;
	}
	return cast->stream ? cw_sc_stream_node_id(cast->stream) : 0;
}

void cw_sc_cast_size(const struct cw_sc_cast *cast, uint32_t *w,
	uint32_t *h)
{
	*w = cast->width;
	*h = cast->height;
}

static void cast_free(struct cw_sc_cast *cast)
{
	if (cast->stream != NULL) {
		uint64_t frames, mean, max;
		cw_sc_stream_stats(cast->stream, &frames, &mean, &max);
		if (frames > 0) {
			cw_log(CW_LOG_INFO, "screen cast %s: %llu frames, ready "
				"to queued %.3f ms mean, %.3f ms max",
				cast->name, (unsigned long long)frames,
				(double)mean / 1e6, (double)max / 1e6);
		}
		cw_sc_stream_destroy(cast->stream);
	}
	cw_sc_capture_destroy(cast->cap);
	cw_sc_kwin_destroy(cast->kwin);
	cw_sc_mutter_destroy(cast->mutter);
	cw_loop_remove_timer(cast->loop, &cast->timer);
	free(cast->name);
	free(cast);
}

void cw_sc_cast_destroy(struct cw_sc_cast *cast)
{
	if (cast == NULL || cast->destroy_pending) {
		return;
	}
	if (cast->in_event) {
		cast->destroy_pending = true;
		return;
	}
	cast_free(cast);
}
