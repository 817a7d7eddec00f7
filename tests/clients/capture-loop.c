/*
 * Captures the first output again and again with wlr-screencopy and prints
 * "ready" or "failed" for each frame, so a test can see a running capture
 * stop. usage: capture-loop MAX-FRAMES STOP-AFTER-FAILURES
 * With CAPTURE_LOOP_TIMES set: "SECONDS.MICROS ok|no" instead, the time
 * (CLOCK_REALTIME) each frame's answer came.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "wlr-screencopy-client-protocol.h"

static struct wl_shm *shm;
static struct wl_output *output;
static struct zwlr_screencopy_manager_v1 *manager;
static struct wl_buffer *buffer;
static int frame_state; /* 0 waiting, 1 ready, 2 failed */

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	if (strcmp(iface, wl_shm_interface.name) == 0) {
		shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	} else if (strcmp(iface, wl_output_interface.name) == 0 && !output) {
		output = wl_registry_bind(reg, name, &wl_output_interface, 1);
	} else if (strcmp(iface,
			zwlr_screencopy_manager_v1_interface.name) == 0) {
		manager = wl_registry_bind(reg, name,
			&zwlr_screencopy_manager_v1_interface, 1);
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	global, global_remove,
};

static void frame_buffer(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t format, uint32_t width, uint32_t height, uint32_t stride)
{
	if (buffer == NULL) {
		size_t size = (size_t)stride * height;
		int fd = memfd_create("capture", MFD_CLOEXEC);
		if (ftruncate(fd, size) != 0) {
			exit(1);
		}
		struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
		buffer = wl_shm_pool_create_buffer(pool, 0, width, height,
			stride, format);
		wl_shm_pool_destroy(pool);
		close(fd);
	}
	zwlr_screencopy_frame_v1_copy(frame, buffer);
}

static void frame_flags(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t flags)
{
}

static void frame_ready(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec)
{
	frame_state = 1;
}

static void frame_failed(void *data, struct zwlr_screencopy_frame_v1 *frame)
{
	frame_state = 2;
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
	.buffer = frame_buffer,
	.flags = frame_flags,
	.ready = frame_ready,
	.failed = frame_failed,
};

int main(int argc, char *argv[])
{
	int max = argc > 1 ? atoi(argv[1]) : 100;
	int stop_after = argc > 2 ? atoi(argv[2]) : 3;
	bool times = getenv("CAPTURE_LOOP_TIMES") != NULL;
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		fprintf(stderr, "cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(display);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	wl_display_roundtrip(display);
	if (manager == NULL || shm == NULL || output == NULL) {
		fprintf(stderr, "no screencopy manager\n");
		return 1;
	}
	int failures = 0, ready = 0;
	for (int i = 0; i < max && failures < stop_after; i++) {
		frame_state = 0;
		struct zwlr_screencopy_frame_v1 *frame =
			zwlr_screencopy_manager_v1_capture_output(manager, 0,
				output);
		zwlr_screencopy_frame_v1_add_listener(frame, &frame_listener,
			NULL);
		while (frame_state == 0) {
			if (wl_display_dispatch(display) < 0) {
				fprintf(stderr, "connection lost\n");
				return 1;
			}
		}
		if (times) {
			/* CLOCK_REALTIME: a shell's $EPOCHREALTIME */
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			printf("%lld.%06ld %s\n", (long long)ts.tv_sec,
				ts.tv_nsec / 1000, frame_state == 1 ? "ok" :
				"no");
		} else {
			printf("%s\n", frame_state == 1 ? "ready" : "failed");
		}
		fflush(stdout);
		if (frame_state == 1) {
			ready++;
		} else {
			failures++;
		}
		zwlr_screencopy_frame_v1_destroy(frame);
		usleep(20000);
	}
	fprintf(stderr, "%d frames ready, %d failed\n", ready, failures);
	return 0;
}
