/*
 * testcomp's zkde_screencast_unstable_v1 (--kde-screencast), as KWin
 * serves it to the programs it trusts: stream_output makes a PipeWire
 * node of its own (a driver, on the PipeWire of PIPEWIRE_RUNTIME_DIR),
 * names it in `created`, and feeds it a frame of CAPTURE_W x CAPTURE_H
 * every FRAME_MS, each pixel testcomp_pixel(x, y, frame number). Closing
 * the stream removes the node. Its buffers are a memfd each, as KWin's
 * and crate-wl's own are. With --kde-screencast-fail, stream_output
 * is answered with `failed` instead, as KWin answers when it cannot
 * stream; with --kde-screencast-end, each stream gets `closed` after
 * END_FRAMES frames, as KWin ends one (its output gone, say).
 *
 * PipeWire's loop runs inside libwayland's: its fd is watched there.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/pod/builder.h>
#include <wayland-server.h>
#include "kde-screencast-server-protocol.h"
#include "testcomp-kde.h"
#include "testcomp-pixel.h"

#define FRAME_MS 100
#define END_FRAMES 20

struct kde_stream {
	struct wl_resource *resource;
	struct pw_stream *stream;
	struct spa_hook listener;
	struct wl_event_source *timer;
	uint32_t seq;
	bool created;
};

static struct pw_loop *pw_loop;
static struct pw_context *pw_context;
static struct pw_core *pw_core;
static enum testcomp_kde_mode mode;

static void stream_free(struct kde_stream *s)
{
	if (s->timer != NULL) {
		wl_event_source_remove(s->timer);
	}
	if (s->stream != NULL) {
		spa_hook_remove(&s->listener);
		pw_stream_destroy(s->stream);
	}
	free(s);
}

static void on_state_changed(void *data, enum pw_stream_state old,
	enum pw_stream_state state, const char *error)
{
	struct kde_stream *s = data;
	uint32_t node = pw_stream_get_node_id(s->stream);
	if (!s->created && (state == PW_STREAM_STATE_PAUSED ||
			state == PW_STREAM_STATE_STREAMING) &&
			node != SPA_ID_INVALID) {
		s->created = true;
		printf("kde-screencast: node %u\n", node);
		fflush(stdout);
		zkde_screencast_stream_unstable_v1_send_created(s->resource,
			node);
		wl_client_flush(wl_resource_get_client(s->resource));
	} else if (state == PW_STREAM_STATE_ERROR) {
		zkde_screencast_stream_unstable_v1_send_failed(s->resource,
			error ? error : "stream error");
	}
}

#define STRIDE (CAPTURE_W * 4)
#define FRAME_SIZE (STRIDE * CAPTURE_H)

static void on_param_changed(void *data, uint32_t id,
	const struct spa_pod *param)
{
	struct kde_stream *s = data;
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
		SPA_PARAM_BUFFERS_size, SPA_POD_Int(FRAME_SIZE),
		SPA_PARAM_BUFFERS_stride, SPA_POD_Int(STRIDE),
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(
			1 << SPA_DATA_MemFd));
	pw_stream_update_params(s->stream, params, 1);
}

static void on_add_buffer(void *data, struct pw_buffer *b)
{
	struct spa_data *d = &b->buffer->datas[0];
	d->data = NULL;
	d->fd = -1;
	int fd = memfd_create("testcomp-screen", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, FRAME_SIZE) < 0) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	void *map = mmap(NULL, FRAME_SIZE, PROT_READ | PROT_WRITE,
		MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return;
	}
	d->type = SPA_DATA_MemFd;
	d->flags = SPA_DATA_FLAG_READWRITE;
	d->fd = fd;
	d->mapoffset = 0;
	d->maxsize = FRAME_SIZE;
	d->data = map;
}

static void on_remove_buffer(void *data, struct pw_buffer *b)
{
	struct spa_data *d = &b->buffer->datas[0];
	if (d->data != NULL) {
		munmap(d->data, d->maxsize);
	}
	if (d->fd >= 0) {
		close((int)d->fd);
	}
	d->data = NULL;
	d->fd = -1;
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.add_buffer = on_add_buffer,
	.remove_buffer = on_remove_buffer,
};

static int frame_due(void *data)
{
	struct kde_stream *s = data;
	wl_event_source_timer_update(s->timer, FRAME_MS);
	struct pw_buffer *b = pw_stream_dequeue_buffer(s->stream);
	if (b == NULL) {
		return 0; /* nobody reads yet */
	}
	struct spa_data *d = &b->buffer->datas[0];
	uint32_t stride = STRIDE;
	d->chunk->size = 0;
	if (d->data != NULL && d->maxsize >= FRAME_SIZE) {
		uint32_t *px = d->data;
		for (uint32_t y = 0; y < CAPTURE_H; y++) {
			for (uint32_t x = 0; x < CAPTURE_W; x++) {
				px[y * CAPTURE_W + x] =
					testcomp_pixel(x, y, s->seq);
			}
		}
		s->seq++;
		d->chunk->offset = 0;
		d->chunk->size = stride * CAPTURE_H;
		d->chunk->stride = (int32_t)stride;
	}
	pw_stream_queue_buffer(s->stream, b);
	pw_stream_trigger_process(s->stream);
	if (mode == TESTCOMP_KDE_END && s->seq == END_FRAMES) {
		printf("kde-screencast: ending the stream\n");
		fflush(stdout);
		wl_event_source_remove(s->timer);
		s->timer = NULL;
		spa_hook_remove(&s->listener);
		pw_stream_destroy(s->stream);
		s->stream = NULL;
		zkde_screencast_stream_unstable_v1_send_closed(s->resource);
		wl_client_flush(wl_resource_get_client(s->resource));
	}
	return 0;
}

static void stream_close(struct wl_client *client,
	struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static const struct zkde_screencast_stream_unstable_v1_interface
		stream_impl = {
	.close = stream_close,
};

static void stream_resource_destroyed(struct wl_resource *resource)
{
	struct kde_stream *s = wl_resource_get_user_data(resource);
	if (s != NULL) {
		printf("kde-screencast: closed\n");
		fflush(stdout);
		stream_free(s);
	}
}

static bool start_stream(struct kde_stream *s)
{
	if (pw_core == NULL) {
		pw_core = pw_context_connect(pw_context, NULL, 0);
		if (pw_core == NULL) {
			return false;
		}
	}
	s->stream = pw_stream_new(pw_core, "testcomp-screen",
		pw_properties_new(PW_KEY_MEDIA_TYPE, "Video",
			PW_KEY_MEDIA_CATEGORY, "Capture", NULL));
	if (s->stream == NULL) {
		return false;
	}
	pw_stream_add_listener(s->stream, &s->listener, &stream_events, s);
	uint8_t buf[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_Id(SPA_VIDEO_FORMAT_BGRx),
		SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(
			&SPA_RECTANGLE(CAPTURE_W, CAPTURE_H)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(
			&SPA_FRACTION(0, 1)));
	return pw_stream_connect(s->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
		PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_ALLOC_BUFFERS, params,
		1) >= 0;
}

static void stream_output(struct wl_client *client,
	struct wl_resource *resource, uint32_t id,
	struct wl_resource *output, uint32_t pointer)
{
	struct wl_resource *sr = wl_resource_create(client,
		&zkde_screencast_stream_unstable_v1_interface,
		wl_resource_get_version(resource), id);
	if (sr == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	printf("kde-screencast: stream_output pointer %u\n", pointer);
	fflush(stdout);
	struct kde_stream *s = mode == TESTCOMP_KDE_FAIL ? NULL :
		calloc(1, sizeof(*s));
	wl_resource_set_implementation(sr, &stream_impl, s,
		stream_resource_destroyed);
	if (s == NULL) {
		zkde_screencast_stream_unstable_v1_send_failed(sr,
			"testcomp refuses to stream");
		return;
	}
	s->resource = sr;
	struct wl_event_loop *loop = wl_display_get_event_loop(
		wl_client_get_display(client));
	s->timer = wl_event_loop_add_timer(loop, frame_due, s);
	if (s->timer == NULL || !start_stream(s)) {
		zkde_screencast_stream_unstable_v1_send_failed(sr,
			"testcomp cannot reach PipeWire");
		wl_resource_set_user_data(sr, NULL);
		stream_free(s);
		return;
	}
	wl_event_source_timer_update(s->timer, FRAME_MS);
}

static void unsupported(struct wl_client *client, struct wl_resource *r)
{
	wl_resource_post_error(r, WL_DISPLAY_ERROR_INVALID_METHOD,
		"testcomp streams outputs only");
}

static void stream_window(struct wl_client *client, struct wl_resource *r,
	uint32_t id, const char *uuid, uint32_t pointer)
{
	unsupported(client, r);
}

static void stream_virtual_output(struct wl_client *client,
	struct wl_resource *r, uint32_t id, const char *name, int32_t w,
	int32_t h, wl_fixed_t scale, uint32_t pointer)
{
	unsupported(client, r);
}

static void stream_region(struct wl_client *client, struct wl_resource *r,
	uint32_t id, int32_t x, int32_t y, uint32_t w, uint32_t h,
	wl_fixed_t scale, uint32_t pointer)
{
	unsupported(client, r);
}

static void manager_destroy(struct wl_client *client, struct wl_resource *r)
{
	wl_resource_destroy(r);
}

static const struct zkde_screencast_unstable_v1_interface manager_impl = {
	.stream_output = stream_output,
	.stream_window = stream_window,
	.destroy = manager_destroy,
	.stream_virtual_output = stream_virtual_output,
	.stream_region = stream_region,
};

static void bind_manager(struct wl_client *client, void *data,
	uint32_t version, uint32_t id)
{
	struct wl_resource *r = wl_resource_create(client,
		&zkde_screencast_unstable_v1_interface, version, id);
	if (r == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(r, &manager_impl, NULL, NULL);
}

static int pw_ready(int fd, uint32_t mask, void *data)
{
	pw_loop_enter(pw_loop);
	pw_loop_iterate(pw_loop, 0);
	pw_loop_leave(pw_loop);
	return 0;
}

bool testcomp_kde_init(struct wl_display *display,
	enum testcomp_kde_mode how)
{
	mode = how;
	pw_init(NULL, NULL);
	pw_loop = pw_loop_new(NULL);
	if (pw_loop == NULL) {
		return false;
	}
	pw_context = pw_context_new(pw_loop, NULL, 0);
	if (pw_context == NULL) {
		return false;
	}
	wl_event_loop_add_fd(wl_display_get_event_loop(display),
		pw_loop_get_fd(pw_loop), WL_EVENT_READABLE, pw_ready, NULL);
	return wl_global_create(display,
		&zkde_screencast_unstable_v1_interface, 1, NULL,
		bind_manager) != NULL;
}
