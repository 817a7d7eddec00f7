/*
 * Test helper, run inside the sandbox: a consumer of the screen cast that
 * tries the worst with the buffers it is handed. Each is a memfd crate-wl
 * writes every frame into; a consumer that could shrink one would make
 * crate-wl's next copy fault (SIGBUS) outside the sandbox. It tries to
 * shrink and to grow each, then counts the frames that still come.
 * usage: pw-shrink FD NODE FRAMES
 * prints "buffers N shrunk S grown G" and "frames F"; exit 0 once F
 * frames came, 1 if they stopped coming (10 s).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>

struct state {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_hook listener;
	unsigned buffers, shrunk, grown, frames, want;
};

static void on_add_buffer(void *data, struct pw_buffer *b)
{
	struct state *s = data;
	struct spa_data *d = &b->buffer->datas[0];
	s->buffers++;
	if (d->type != SPA_DATA_MemFd || d->fd < 0) {
		return;
	}
	if (ftruncate((int)d->fd, 0) == 0) {
		s->shrunk++;
	}
	if (ftruncate((int)d->fd, (off_t)d->maxsize * 2) == 0) {
		s->grown++;
	}
}

static void on_process(void *data)
{
	struct state *s = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(s->stream);
	if (b == NULL) {
		return;
	}
	if (b->buffer->datas[0].chunk->size > 0) {
		s->frames++;
	}
	pw_stream_queue_buffer(s->stream, b);
	if (s->frames >= s->want) {
		pw_main_loop_quit(s->loop);
	}
}

static void on_param_changed(void *data, uint32_t id,
	const struct spa_pod *param)
{
	struct state *s = data;
	if (id != SPA_PARAM_Format || param == NULL) {
		return;
	}
	uint8_t buf[256];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
		SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(
			1 << SPA_DATA_MemFd));
	pw_stream_update_params(s->stream, params, 1);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.param_changed = on_param_changed,
	.add_buffer = on_add_buffer,
	.process = on_process,
};

static void timeout(void *data, uint64_t expirations)
{
	struct state *s = data;
	pw_main_loop_quit(s->loop);
}

int main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: pw-shrink FD NODE FRAMES\n");
		return 2;
	}
	pw_init(&argc, &argv);
	struct state s = { .want = (unsigned)atoi(argv[3]) };
	s.loop = pw_main_loop_new(NULL);
	struct pw_loop *loop = pw_main_loop_get_loop(s.loop);
	struct pw_context *ctx = pw_context_new(loop, NULL, 0);
	struct pw_core *core = pw_context_connect_fd(ctx, atoi(argv[1]), NULL,
		0);
	if (core == NULL) {
		fprintf(stderr, "pw-shrink: cannot connect on fd %s\n", argv[1]);
		return 1;
	}
	s.stream = pw_stream_new(core, "shrink", pw_properties_new(
		PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
		NULL));
	pw_stream_add_listener(s.stream, &s.listener, &stream_events, &s);
	uint8_t buf[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	params[0] = spa_pod_builder_add_object(&b,
		SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
		SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
		SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
		SPA_FORMAT_VIDEO_format, SPA_POD_CHOICE_ENUM_Id(5,
			SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRx,
			SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
			SPA_VIDEO_FORMAT_RGBA),
		SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(
			&SPA_RECTANGLE(320, 240), &SPA_RECTANGLE(1, 1),
			&SPA_RECTANGLE(8192, 8192)),
		SPA_FORMAT_VIDEO_framerate, SPA_POD_CHOICE_RANGE_Fraction(
			&SPA_FRACTION(0, 1), &SPA_FRACTION(0, 1),
			&SPA_FRACTION(1000, 1)));
	if (pw_stream_connect(s.stream, PW_DIRECTION_INPUT,
			(uint32_t)atoi(argv[2]), PW_STREAM_FLAG_AUTOCONNECT,
			params, 1) < 0) {
		fprintf(stderr, "pw-shrink: cannot connect the stream\n");
		return 1;
	}
	struct spa_source *timer = pw_loop_add_timer(loop, timeout, &s);
	struct timespec ten = { .tv_sec = 10 };
	pw_loop_update_timer(loop, timer, &ten, NULL, false);
	pw_main_loop_run(s.loop);
	printf("buffers %u shrunk %u grown %u\n", s.buffers, s.shrunk,
		s.grown);
	printf("frames %u\n", s.frames);
	pw_stream_destroy(s.stream);
	pw_core_disconnect(core);
	pw_context_destroy(ctx);
	pw_main_loop_destroy(s.loop);
	return s.frames >= s.want ? 0 : 1;
}
