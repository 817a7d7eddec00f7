/*
 * One click through PipeWire, timed at both ends (media-latency.sh).
 *   impulse play [TARGET]   a stream (F32, 2 channels, 48 kHz, node.latency
 *                           256/48000) plays silence for PRE_MS, then a
 *                           click (one sample at 0.9) every SPACING_MS,
 *                           CLICKS of them, then silence for POST_MS: a
 *                           line "click TICKS QUEUED_NS" for each, then
 *                           "start START_NS" (from main() to the first
 *                           buffer asked for: the setup, which goes through
 *                           a relay). The graph may call a stream before its
 *                           links are made or while they are moved (to a
 *                           sandbox's node): the clicks played then are
 *                           lost, and the one heard is the last one played
 *                           before it.
 *   impulse record TARGET   captures TARGET (a sink's monitor): "ready" once
 *                           buffers flow, then at the first sample above
 *                           0.5: "heard TICKS PROCESS_NS", or "heard none"
 *                           after TIMEOUT_MS
 * TICKS: the graph driver's clock (the position of the cycle, from the
 * node's spa_io_position, plus the sample's offset in the buffer), the
 * same clock for every node the driver runs, so "heard - play" is the
 * path's latency in samples. (pw_time.ticks would not do: on 0.3.65 it
 * counts from the stream's own start.) *_NS:
 * CLOCK_MONOTONIC right after the click's buffer was queued, and at the
 * start of the process callback that found it. Both callbacks run on
 * libpipewire's real-time data thread (PW_STREAM_FLAG_RT_PROCESS).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#define RATE 48000
#define CHANNELS 2
#define PRE_MS 100
#define SPACING_MS 100
#define CLICKS 10
#define POST_MS 100
#define TIMEOUT_MS 5000

struct impulse {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_source *timer;
	/* the driver's, while set; set on the main thread (client-node's
	 * set_io), read once per cycle on the data thread */
	struct spa_io_position *_Atomic position;
	bool play;
	uint64_t frames;           /* played since the first buffer */
	uint64_t click_ticks[CLICKS];
	int64_t click_ns[CLICKS];
	int clicks;
	/* 0 waiting, 1 flowing, 2 clicked or heard, 3 played out */
	atomic_int state;
	bool said_ready;
	uint64_t ticks;
	int64_t ns;
	int64_t started_ns, first_ns;
	long waited_ms;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void play_process(struct impulse *im, struct pw_buffer *b)
{
	struct spa_data *d = &b->buffer->datas[0];
	uint32_t stride = sizeof(float) * CHANNELS;
	uint32_t n = d->maxsize / stride;
	if (b->requested > 0 && b->requested < n) {
		n = (uint32_t)b->requested;
	}
	float *dst = d->data;
	memset(dst, 0, (size_t)n * stride);
	struct spa_io_position *pos = atomic_load(&im->position);
	uint64_t due = (uint64_t)RATE * (PRE_MS + SPACING_MS * im->clicks) / 1000;
	bool click = pos != NULL && atomic_load(&im->state) == 1 &&
		im->clicks < CLICKS && im->frames >= due;
	if (click) {
		for (int c = 0; c < CHANNELS; c++) {
			dst[c] = 0.9f;
		}
	}
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)stride;
	d->chunk->size = n * stride;
	pw_stream_queue_buffer(im->stream, b);
	if (click) {
		im->click_ns[im->clicks] = now_ns();
		im->click_ticks[im->clicks] = pos->clock.position;
		im->clicks++;
	}
	im->frames += n;
	if (atomic_load(&im->state) == 0) {
		im->first_ns = now_ns();
		atomic_store(&im->state, 1);
	} else if (im->frames >= (uint64_t)RATE * (PRE_MS + POST_MS +
			SPACING_MS * (CLICKS - 1)) / 1000) {
		atomic_store(&im->state, 3);
	}
}

static void record_process(struct impulse *im, struct pw_buffer *b)
{
	int64_t ns = now_ns();
	struct spa_data *d = &b->buffer->datas[0];
	uint32_t stride = sizeof(float) * CHANNELS;
	if (d->data == NULL || d->chunk->offset > d->maxsize) {
		pw_stream_queue_buffer(im->stream, b);
		return;
	}
	uint32_t size = SPA_MIN(d->chunk->size, d->maxsize - d->chunk->offset);
	const float *src = SPA_PTROFF(d->data, d->chunk->offset, float);
	uint32_t n = size / stride;
	struct spa_io_position *pos = atomic_load(&im->position);
	if (pos == NULL) {
		n = 0;
	}
	if (atomic_load(&im->state) == 0 && n > 0) {
		atomic_store(&im->state, 1);
	}
	for (uint32_t i = 0; i < n && atomic_load(&im->state) == 1; i++) {
		if (fabsf(src[i * CHANNELS]) > 0.5f) {
			im->ticks = pos->clock.position + i;
			im->ns = ns;
			atomic_store(&im->state, 2);
		}
	}
	pw_stream_queue_buffer(im->stream, b);
}

static void on_process(void *data)
{
	struct impulse *im = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(im->stream);
	if (b == NULL) {
		return;
	}
	if (im->play) {
		play_process(im, b);
	} else {
		record_process(im, b);
	}
}

static void on_state(void *data, enum pw_stream_state old,
	enum pw_stream_state state, const char *error)
{
	struct impulse *im = data;
	(void)old;
	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "impulse: stream error: %s\n",
			error ? error : "?");
		pw_main_loop_quit(im->loop);
	}
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct impulse *im = data;
	if (id == SPA_IO_Position) {
		atomic_store(&im->position,
			size >= sizeof(struct spa_io_position) ? area : NULL);
	}
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state,
	.io_changed = on_io_changed,
	.process = on_process,
};

/* every 5 ms on the main thread: reports what the data thread saw */
static void on_tick(void *data, uint64_t expirations)
{
	struct impulse *im = data;
	(void)expirations;
	im->waited_ms += 5;
	int state = atomic_load(&im->state);
	if (!im->play && state >= 1 && !im->said_ready) {
		printf("ready\n");
		fflush(stdout);
		im->said_ready = true;
	}
	if (state == 3) {
		for (int i = 0; i < im->clicks; i++) {
			printf("click %llu %lld\n",
				(unsigned long long)im->click_ticks[i],
				(long long)im->click_ns[i]);
		}
		printf("start %lld\n", (long long)(im->first_ns - im->started_ns));
		pw_main_loop_quit(im->loop);
	} else if (state == 2) {
		printf("heard %llu %lld\n", (unsigned long long)im->ticks,
			(long long)im->ns);
		pw_main_loop_quit(im->loop);
	} else if (im->waited_ms > TIMEOUT_MS) {
		printf("%s none\n", im->play ? "play" : "heard");
		pw_main_loop_quit(im->loop);
	}
}

int main(int argc, char *argv[])
{
	bool play = argc >= 2 && strcmp(argv[1], "play") == 0;
	if (!(play && argc <= 3) && !(argc == 3 &&
			strcmp(argv[1], "record") == 0)) {
		fprintf(stderr, "usage: impulse play [TARGET] | "
			"impulse record TARGET\n");
		return 2;
	}
	struct impulse im = { .play = play, .started_ns = now_ns() };
	pw_init(NULL, NULL);
	im.loop = pw_main_loop_new(NULL);
	struct pw_properties *props = pw_properties_new(
		PW_KEY_MEDIA_TYPE, "Audio",
		PW_KEY_MEDIA_CATEGORY, play ? "Playback" : "Capture",
		PW_KEY_MEDIA_ROLE, "Music",
		/* what it asks for; media-latency.sh forces the quantum */
		PW_KEY_NODE_LATENCY, "256/48000",
		NULL);
	if (argc == 3) {
		pw_properties_set(props, PW_KEY_TARGET_OBJECT, argv[2]);
	}
	if (!play) {
		pw_properties_set(props, PW_KEY_STREAM_CAPTURE_SINK, "true");
	}
	im.stream = pw_stream_new_simple(pw_main_loop_get_loop(im.loop),
		play ? "crate-wl-impulse" : "crate-wl-impulse-monitor", props,
		&stream_events, &im);
	uint8_t pod[1024];
	struct spa_pod_builder builder = SPA_POD_BUILDER_INIT(pod, sizeof(pod));
	const struct spa_pod *params[1] = {
		spa_format_audio_raw_build(&builder, SPA_PARAM_EnumFormat,
			&SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.channels = CHANNELS, .rate = RATE,
			.position = { SPA_AUDIO_CHANNEL_FL,
				SPA_AUDIO_CHANNEL_FR })),
	};
	if (im.stream == NULL || pw_stream_connect(im.stream,
			play ? PW_DIRECTION_OUTPUT : PW_DIRECTION_INPUT, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS, params, 1) < 0) {
		fprintf(stderr, "impulse: cannot connect a stream\n");
		return 1;
	}
	struct pw_loop *l = pw_main_loop_get_loop(im.loop);
	im.timer = pw_loop_add_timer(l, on_tick, &im);
	struct timespec every = { 0, 5000000 };
	pw_loop_update_timer(l, im.timer, &every, &every, false);
	pw_main_loop_run(im.loop);
	pw_stream_destroy(im.stream);
	pw_main_loop_destroy(im.loop);
	pw_deinit();
	return 0;
}
