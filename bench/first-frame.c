/*
 * Times screen captures of the first output from the request to the
 * frame's ready event, on one connection, with one shm buffer reused:
 * wlr-screencopy (capture_output), or with -e ext-image-copy-capture on
 * crate-wl's test compositor (a new session per capture, everything sent
 * at once: create_session, create_frame, attach_buffer, damage, capture).
 * Prints one line per capture on stdout:
 *   REQUEST_NS READY_NS     (CLOCK_MONOTONIC)
 * The first capture is a warm-up and printed with a leading '#'. With -j,
 * each request waits a random 0-17 ms first, so that captures do not lock
 * to the compositor's 60 Hz frames.
 *
 * As a cmd: prompt program (--answer FILE CODE) it appends the time of its
 * answer (CLOCK_MONOTONIC, ns) to FILE and exits with CODE, so that the
 * bench can time from the answer to the frame.
 *
 * usage: first-frame [-e] [-j] [-n CAPTURES]
 *        first-frame --answer FILE CODE
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "ext-image-capture-source-client-protocol.h"
#include "ext-image-copy-capture-client-protocol.h"
#include "testcomp-pixel.h"
#include "wlr-screencopy-client-protocol.h"

static struct wl_shm *shm;
static struct wl_output *output;
static struct zwlr_screencopy_manager_v1 *manager;
static struct ext_image_copy_capture_manager_v1 *ext_manager;
static struct ext_output_image_capture_source_manager_v1 *ext_sources;
static struct wl_buffer *buffer;
static int state; /* 0 waiting, 1 ready, 2 failed */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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
	} else if (strcmp(iface,
			ext_image_copy_capture_manager_v1_interface.name) == 0) {
		ext_manager = wl_registry_bind(reg, name,
			&ext_image_copy_capture_manager_v1_interface, 1);
	} else if (strcmp(iface,
			ext_output_image_capture_source_manager_v1_interface
			.name) == 0) {
		ext_sources = wl_registry_bind(reg, name,
			&ext_output_image_capture_source_manager_v1_interface,
			1);
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	global, global_remove,
};

static void make_buffer(uint32_t format, uint32_t width, uint32_t height,
	uint32_t stride)
{
	size_t size = (size_t)stride * height;
	int fd = memfd_create("first-frame", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		perror("first-frame: memfd");
		exit(1);
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, (int32_t)size);
	buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)width,
		(int32_t)height, (int32_t)stride, format);
	wl_shm_pool_destroy(pool);
	close(fd);
}

static void frame_buffer(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t format, uint32_t width, uint32_t height, uint32_t stride)
{
	if (buffer == NULL) {
		make_buffer(format, width, height, stride);
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
	state = 1;
}

static void frame_failed(void *data, struct zwlr_screencopy_frame_v1 *frame)
{
	state = 2;
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
	.buffer = frame_buffer,
	.flags = frame_flags,
	.ready = frame_ready,
	.failed = frame_failed,
};

/* only ready and failed matter; the constraints are testcomp's, known */
static void ext_transform(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t t)
{
}

static void ext_damage(void *data, struct ext_image_copy_capture_frame_v1 *f,
	int32_t x, int32_t y, int32_t w, int32_t h)
{
}

static void ext_time(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t hi, uint32_t lo, uint32_t ns)
{
}

static void ext_ready(void *data, struct ext_image_copy_capture_frame_v1 *f)
{
	state = 1;
}

static void ext_failed(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t reason)
{
	state = 2;
}

static const struct ext_image_copy_capture_frame_v1_listener ext_frame_listener = {
	.transform = ext_transform,
	.damage = ext_damage,
	.presentation_time = ext_time,
	.ready = ext_ready,
	.failed = ext_failed,
};

static void ext_size(void *data, struct ext_image_copy_capture_session_v1 *s,
	uint32_t w, uint32_t h)
{
}

static void ext_format(void *data, struct ext_image_copy_capture_session_v1 *s,
	uint32_t f)
{
}

static void ext_device(void *data, struct ext_image_copy_capture_session_v1 *s,
	struct wl_array *dev)
{
}

static void ext_dmabuf(void *data, struct ext_image_copy_capture_session_v1 *s,
	uint32_t f, struct wl_array *mods)
{
}

static void ext_session_event(void *data,
	struct ext_image_copy_capture_session_v1 *s)
{
}

static const struct ext_image_copy_capture_session_v1_listener
ext_session_listener = {
	.buffer_size = ext_size,
	.shm_format = ext_format,
	.dmabuf_device = ext_device,
	.dmabuf_format = ext_dmabuf,
	.done = ext_session_event,
	.stopped = ext_session_event,
};

static int answer(const char *path, int code)
{
	uint64_t t = now_ns();
	FILE *f = fopen(path, "a");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	fprintf(f, "%llu\n", (unsigned long long)t);
	fclose(f);
	return code;
}

int main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "--answer") == 0) {
		return answer(argv[2], atoi(argv[3]));
	}
	int n = 20, opt;
	bool ext = false, jitter = false;
	while ((opt = getopt(argc, argv, "ejn:")) != -1) {
		switch (opt) {
		case 'e':
			ext = true;
			break;
		case 'j':
			jitter = true;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: first-frame [-e] [-j] "
				"[-n CAPTURES]\n"
				"       first-frame --answer FILE CODE\n");
			return 2;
		}
	}
	srand((unsigned)now_ns());
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		fprintf(stderr, "first-frame: cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(display);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	wl_display_roundtrip(display);
	if (shm == NULL || output == NULL || (ext ? ext_manager == NULL ||
			ext_sources == NULL : manager == NULL)) {
		fprintf(stderr, "first-frame: no %s\n", ext ?
			"ext-image-copy-capture" : "wlr-screencopy");
		return 1;
	}
	struct ext_image_capture_source_v1 *source = NULL;
	if (ext) {
		source = ext_output_image_capture_source_manager_v1_create_source(
			ext_sources, output);
		make_buffer(WL_SHM_FORMAT_XRGB8888, CAPTURE_W, CAPTURE_H,
			CAPTURE_W * 4);
	}
	for (int i = 0; i <= n; i++) {
		state = 0;
		if (jitter) {
			usleep((useconds_t)(rand() % 17000));
		}
		uint64_t t0 = now_ns();
		struct zwlr_screencopy_frame_v1 *frame = NULL;
		struct ext_image_copy_capture_session_v1 *session = NULL;
		struct ext_image_copy_capture_frame_v1 *eframe = NULL;
		if (ext) {
			session = ext_image_copy_capture_manager_v1_create_session(
				ext_manager, source, 0);
			ext_image_copy_capture_session_v1_add_listener(session,
				&ext_session_listener, NULL);
			eframe = ext_image_copy_capture_session_v1_create_frame(
				session);
			ext_image_copy_capture_frame_v1_add_listener(eframe,
				&ext_frame_listener, NULL);
			ext_image_copy_capture_frame_v1_attach_buffer(eframe,
				buffer);
			ext_image_copy_capture_frame_v1_damage_buffer(eframe, 0,
				0, CAPTURE_W, CAPTURE_H);
			ext_image_copy_capture_frame_v1_capture(eframe);
		} else {
			frame = zwlr_screencopy_manager_v1_capture_output(
				manager, 0, output);
			zwlr_screencopy_frame_v1_add_listener(frame,
				&frame_listener, NULL);
		}
		wl_display_flush(display);
		while (state == 0) {
			if (wl_display_dispatch(display) < 0) {
				fprintf(stderr, "first-frame: connection "
					"lost\n");
				return 1;
			}
		}
		uint64_t t1 = now_ns();
		if (ext) {
			ext_image_copy_capture_frame_v1_destroy(eframe);
			ext_image_copy_capture_session_v1_destroy(session);
		} else {
			zwlr_screencopy_frame_v1_destroy(frame);
		}
		if (state != 1) {
			fprintf(stderr, "first-frame: capture %d failed\n", i);
			return 1;
		}
		printf("%s%llu %llu\n", i == 0 ? "#" : "",
			(unsigned long long)t0, (unsigned long long)t1);
	}
	wl_display_disconnect(display);
	return 0;
}
