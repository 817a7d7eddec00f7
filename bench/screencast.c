/*
 * The ScreenCast stream's cost per frame: from the compositor's `ready`
 * (read by crate-wl's capture client) to the frame queued in PipeWire,
 * through the same capture and stream code the portal runs (no pacing:
 * each frame is asked for as soon as the last was queued). Next to it, the
 * floor: one memcpy of a frame of the same size, timed right after.
 *
 * usage: screencast COMPOSITOR FRAMES
 * stdout: "node ID" once the node exists (start a consumer then), then
 * one line per frame: "queued US" and "memcpy US".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "loop.h"
#include "media-pw.h"
#include "screencast-private.h"

struct bench {
	struct cw_loop *loop;
	struct cw_media_pw *pw;
	struct cw_sc_capture *cap;
	struct cw_sc_stream *stream;
	bool ready;
	int left;
	int failed;
	void *scratch;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_stream(void *data, enum cw_sc_stream_event ev,
	const char *why)
{
	struct bench *b = data;
	if (ev == CW_SC_STREAM_READY) {
		b->ready = true;
		printf("node %u\n", cw_sc_stream_node_id(b->stream));
		fflush(stdout);
	} else {
		fprintf(stderr, "screencast: the stream failed: %s\n", why);
		b->failed = 1;
	}
}

static void on_frame(void *data, const struct cw_sc_frame *frame,
	const char *why)
{
	struct bench *b = data;
	if (frame == NULL) {
		fprintf(stderr, "screencast: the capture failed: %s\n", why);
		b->failed = 1;
		return;
	}
	size_t size = (size_t)frame->stride * frame->height;
	if (b->stream == NULL) {
		char err[512];
		b->scratch = malloc(size);
		b->stream = cw_sc_stream_create(b->pw, "crate-wl-bench.screen",
			frame, on_stream, b, err, sizeof(err));
		if (b->stream == NULL || b->scratch == NULL) {
			fprintf(stderr, "screencast: %s\n", err);
			b->failed = 1;
			return;
		}
	} else if (b->ready && cw_sc_stream_push(b->stream, frame)) {
		uint64_t queued = now_ns();
		printf("queued %.1f\n", (double)(queued - frame->ready_ns) /
			1e3);
		uint64_t t0 = now_ns();
		memcpy(b->scratch, frame->data, size);
		uint64_t t1 = now_ns();
		/* keep the copy */
		__asm__ volatile("" : : "r"(b->scratch) : "memory");
		printf("memcpy %.1f\n", (double)(t1 - t0) / 1e3);
		b->left--;
	}
	cw_sc_capture_next(b->cap);
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: screencast COMPOSITOR FRAMES\n");
		return 2;
	}
	struct bench b = { .left = atoi(argv[2]) };
	char err[512];
	b.loop = cw_loop_create();
	b.pw = cw_media_pw_create(b.loop, err, sizeof(err));
	if (b.pw == NULL) {
		fprintf(stderr, "screencast: %s\n", err);
		return 1;
	}
	bool unsupported;
	b.cap = cw_sc_capture_create(b.loop, argv[1], false, on_frame, &b,
		&unsupported, err, sizeof(err));
	if (b.cap == NULL) {
		fprintf(stderr, "screencast: %s\n", err);
		return 1;
	}
	cw_sc_capture_next(b.cap);
	while (b.left > 0 && !b.failed) {
		if (cw_loop_dispatch(b.loop, 10000) == 0) {
			fprintf(stderr, "screencast: no frame for 10 s\n");
			b.failed = 1;
		}
	}
	cw_sc_stream_destroy(b.stream);
	cw_sc_capture_destroy(b.cap);
	cw_media_pw_destroy(b.pw);
	cw_loop_destroy(b.loop);
	free(b.scratch);
	return b.failed;
}
