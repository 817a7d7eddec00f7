/*
 * The granted stream: a Video/Source node that crate-wl drives
 * (PW_STREAM_FLAG_DRIVER). Each frame read from the compositor is copied
 * into a free buffer, queued, and the graph is triggered. Its size and
 * format are the compositor's.
 *
 * The buffers are crate-wl's own: a memfd each, handed to the consumer as
 * SPA_DATA_MemFd. Buffers PipeWire 0.3 allocates itself reach the
 * consumer as MemPtr inside one shared block, which GStreamer reads and
 * Chromium's capturer (MemFd or DmaBuf only) drops, frame after frame.
 * Each memfd is sealed against shrinking and growing: the app holds the
 * same file, and a shrunk one would fault crate-wl's copy into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>
#include <wayland-client-protocol.h>
#include "log.h"
#include "media-pw.h"
#include "screencast-private.h"

#define MAX_FPS 30

struct cw_sc_stream {
	struct cw_media_pw *pw;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct pw_stream *stream;
	struct spa_hook listener;
	cw_sc_stream_func func;
	void *data;
	uint32_t width, height, stride;
	enum spa_video_format format;
	bool ready_sent;
	bool failed;
	bool in_callback;
	bool destroy_pending;
	struct spa_source *idle; /* frees it outside PipeWire's callbacks */
	uint64_t frames, total_ns, max_ns;
};

/* wl_shm formats are little-endian words; SPA names bytes in order */
static enum spa_video_format spa_format(uint32_t shm)
{
	switch (shm) {
	case WL_SHM_FORMAT_XRGB8888:
		return SPA_VIDEO_FORMAT_BGRx;
	case WL_SHM_FORMAT_ARGB8888:
		return SPA_VIDEO_FORMAT_BGRA;
	case WL_SHM_FORMAT_XBGR8888:
		return SPA_VIDEO_FORMAT_RGBx;
	case WL_SHM_FORMAT_ABGR8888:
		return SPA_VIDEO_FORMAT_RGBA;
	default:
		return SPA_VIDEO_FORMAT_UNKNOWN;
	}
}

static void stream_free(struct cw_sc_stream *st);

static void emit(struct cw_sc_stream *st, enum cw_sc_stream_event ev,
	const char *why)
{
	if (st->failed || st->destroy_pending) {
		return;
	}
	if (ev == CW_SC_STREAM_FAILED) {
		st->failed = true;
	}
	bool outer = !st->in_callback;
	st->in_callback = true;
	st->func(st->data, ev, why);
	if (outer) {
		st->in_callback = false;
	}
}

static void idle_free(void *data)
{
	struct cw_sc_stream *st = data;
	pw_loop_destroy_source(st->pw->pw_loop, st->idle);
	st->idle = NULL;
	stream_free(st);
}

static void on_state_changed(void *data, enum pw_stream_state old,
	enum pw_stream_state state, const char *error)
{
	struct cw_sc_stream *st = data;
	switch (state) {
	case PW_STREAM_STATE_ERROR:
		emit(st, CW_SC_STREAM_FAILED, error ? error : "stream error");
		break;
	case PW_STREAM_STATE_UNCONNECTED:
		if (old != PW_STREAM_STATE_UNCONNECTED) {
			emit(st, CW_SC_STREAM_FAILED, "PipeWire disconnected");
		}
		break;
	case PW_STREAM_STATE_PAUSED:
	case PW_STREAM_STATE_STREAMING:
		if (!st->ready_sent &&
				pw_stream_get_node_id(st->stream) != SPA_ID_INVALID) {
			st->ready_sent = true;
			emit(st, CW_SC_STREAM_READY, NULL);
		}
		break;
	case PW_STREAM_STATE_CONNECTING:
		break;
	}
}

static void on_param_changed(void *data, uint32_t id,
	const struct spa_pod *param)
{
	struct cw_sc_stream *st = data;
	if (id != SPA_PARAM_Format || param == NULL) {
		return;
	}
	uint8_t buf[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
		SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 8),
		SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
		SPA_PARAM_BUFFERS_size,
			SPA_POD_Int((int32_t)(st->stride * st->height)),
		SPA_PARAM_BUFFERS_stride, SPA_POD_Int((int32_t)st->stride),
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(
			1 << SPA_DATA_MemFd));
	pw_stream_update_params(st->stream, params, 1);
}

static void on_process(void *data)
{
	/* frames are queued as the compositor delivers them */
}

/* PW_STREAM_FLAG_ALLOC_BUFFERS: a sealed memfd per buffer */
static void on_add_buffer(void *data, struct pw_buffer *b)
{
	struct cw_sc_stream *st = data;
	struct spa_data *d = &b->buffer->datas[0];
	size_t size = (size_t)st->stride * st->height;
	d->data = NULL;
	d->fd = -1;
	int fd = memfd_create("crate-wl-screen", MFD_CLOEXEC |
		MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
			F_SEAL_SEAL) < 0) {
		cw_log(CW_LOG_ERROR, "screen cast: cannot make a buffer: %s",
			strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return; /* no data: cw_sc_stream_push skips it */
	}
	void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		0);
	if (map == MAP_FAILED) {
		cw_log(CW_LOG_ERROR, "screen cast: cannot map a buffer: %s",
			strerror(errno));
		close(fd);
		return;
	}
	d->type = SPA_DATA_MemFd;
	d->flags = SPA_DATA_FLAG_READWRITE;
	d->fd = fd;
	d->mapoffset = 0;
	d->maxsize = (uint32_t)size;
	d->data = map;
}

static void on_remove_buffer(void *data, struct pw_buffer *b)
{
	struct spa_data *d = &b->buffer->datas[0];
	if (d->data != NULL) {
		munmap(d->data, d->maxsize);
		d->data = NULL;
	}
	if (d->fd >= 0) {
		close((int)d->fd);
		d->fd = -1;
	}
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.add_buffer = on_add_buffer,
	.remove_buffer = on_remove_buffer,
	.process = on_process,
};

static void on_core_error(void *data, uint32_t id, int seq, int res,
	const char *message)
{
	struct cw_sc_stream *st = data;
	if (id == PW_ID_CORE && res == -EPIPE) {
		emit(st, CW_SC_STREAM_FAILED, "lost PipeWire");
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

struct cw_sc_stream *cw_sc_stream_create(struct cw_media_pw *pw,
	const char *name, const struct cw_sc_frame *first,
	cw_sc_stream_func func, void *data, char *err, size_t errlen)
{
	enum spa_video_format format = spa_format(first->shm_format);
	if (format == SPA_VIDEO_FORMAT_UNKNOWN) {
		snprintf(err, errlen, "the compositor's frames have a format "
			"PipeWire video has no name for (wl_shm 0x%x)",
			first->shm_format);
		return NULL;
	}
	struct cw_sc_stream *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->pw = pw;
	st->func = func;
	st->data = data;
	st->width = first->width;
	st->height = first->height;
	st->stride = first->stride;
	st->format = format;
	st->core = pw_context_connect(pw->context, NULL, 0);
	if (st->core == NULL) {
		char path[512];
		cw_media_pw_socket_path(path, sizeof(path));
		snprintf(err, errlen, "cannot reach PipeWire at %s: %s", path,
			strerror(errno));
		free(st);
		return NULL;
	}
	pw_core_add_listener(st->core, &st->core_listener, &core_events, st);
	st->stream = pw_stream_new(st->core, name, pw_properties_new(
		PW_KEY_NODE_NAME, name,
		PW_KEY_MEDIA_CLASS, "Video/Source",
		PW_KEY_MEDIA_ROLE, "Screen",
		PW_KEY_NODE_DESCRIPTION, "crate-wl screen cast",
		NULL));
	if (st->stream == NULL) {
		snprintf(err, errlen, "cannot make a PipeWire stream: %s",
			strerror(errno));
		goto fail;
	}
	pw_stream_add_listener(st->stream, &st->listener, &stream_events, st);

	uint8_t buf[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_Id(format),
		SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(
			&SPA_RECTANGLE(st->width, st->height)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(
			&SPA_FRACTION(0, 1)),
		SPA_FORMAT_VIDEO_maxFramerate, SPA_POD_CHOICE_RANGE_Fraction(
			&SPA_FRACTION(MAX_FPS, 1), &SPA_FRACTION(1, 1),
			&SPA_FRACTION(MAX_FPS, 1)));
	int r = pw_stream_connect(st->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
		PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_ALLOC_BUFFERS, params,
		1);
	if (r < 0) {
		snprintf(err, errlen, "cannot connect the PipeWire stream: %s",
			strerror(-r));
		goto fail;
	}
	return st;
fail:
	stream_free(st);
	return NULL;
}

uint32_t cw_sc_stream_node_id(const struct cw_sc_stream *st)
{
	return pw_stream_get_node_id(st->stream);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool cw_sc_stream_push(struct cw_sc_stream *st,
	const struct cw_sc_frame *frame)
{
	if (st->failed || frame->width != st->width ||
			frame->height != st->height ||
			frame->stride != st->stride ||
			spa_format(frame->shm_format) != st->format) {
		/* a mode change: the app would have to renegotiate */
		return false;
	}
	struct pw_buffer *b = pw_stream_dequeue_buffer(st->stream);
	if (b == NULL) {
		return false;
	}
	struct spa_data *d = &b->buffer->datas[0];
	size_t size = (size_t)st->stride * st->height;
	if (d->data == NULL || d->maxsize < size) {
		d->chunk->size = 0;
		pw_stream_queue_buffer(st->stream, b);
		return false;
	}
	memcpy(d->data, frame->data, size);
	d->chunk->offset = 0;
	d->chunk->size = (uint32_t)size;
	d->chunk->stride = (int32_t)st->stride;
	pw_stream_queue_buffer(st->stream, b);
	uint64_t took = now_ns() - frame->ready_ns;
	st->frames++;
	st->total_ns += took;
	if (took > st->max_ns) {
		st->max_ns = took;
	}
	pw_stream_trigger_process(st->stream);
	return true;
}

void cw_sc_stream_stats(const struct cw_sc_stream *st, uint64_t *frames,
	uint64_t *mean_ns, uint64_t *max_ns)
{
	*frames = st->frames;
	*mean_ns = st->frames ? st->total_ns / st->frames : 0;
	*max_ns = st->max_ns;
}

static void stream_free(struct cw_sc_stream *st)
{
	if (st->stream != NULL) {
		spa_hook_remove(&st->listener);
		pw_stream_destroy(st->stream);
	}
	spa_hook_remove(&st->core_listener);
	pw_core_disconnect(st->core);
	free(st);
}

void cw_sc_stream_destroy(struct cw_sc_stream *st)
{
	if (st == NULL) {
		return;
	}
	if (st->destroy_pending) {
		return;
	}
	if (st->in_callback) {
		/* inside one of the stream's own events: not now */
		st->destroy_pending = true;
		st->idle = pw_loop_add_idle(st->pw->pw_loop, true, idle_free,
			st);
		if (st->idle != NULL) {
			return;
		}
	}
	stream_free(st);
}
