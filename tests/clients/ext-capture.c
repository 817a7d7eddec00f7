/*
 * Captures the first output with ext-image-copy-capture on shm, frame after
 * frame, and checks each frame's pixels against what testcomp paints
 * (testcomp-pixel.h). One line per frame on stdout:
 *   ready N       every pixel is testcomp's, of frame N
 *   bad X,Y       a pixel that is not (the frame's content is wrong)
 *   failed R untouched|TOUCHED
 *                 the failed event with its reason; whether the buffer
 *                 (zeroed before each capture) stayed all zero
 * and "stopped" when the session is stopped. Before the first frame, with
 * -t, the time the session's constraints arrived.
 *
 * usage: ext-capture MAX-FRAMES STOP-AFTER-FAILURES [DELAY-MS]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "ext-image-capture-source-client-protocol.h"
#include "ext-image-copy-capture-client-protocol.h"
#include "testcomp-pixel.h"

static struct wl_shm *shm;
static struct wl_output *output;
static struct ext_image_copy_capture_manager_v1 *manager;
static struct ext_output_image_capture_source_manager_v1 *sources;
static uint32_t width, height, format = UINT32_MAX;
static bool constraints_done, stopped;
static int frame_state; /* 0 waiting, 1 ready, 2 failed */
static uint32_t fail_reason;

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	if (strcmp(iface, wl_shm_interface.name) == 0) {
		shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	} else if (strcmp(iface, wl_output_interface.name) == 0 && !output) {
		output = wl_registry_bind(reg, name, &wl_output_interface, 1);
	} else if (strcmp(iface,
			ext_image_copy_capture_manager_v1_interface.name) == 0) {
		manager = wl_registry_bind(reg, name,
			&ext_image_copy_capture_manager_v1_interface, 1);
	} else if (strcmp(iface,
			ext_output_image_capture_source_manager_v1_interface
			.name) == 0) {
		sources = wl_registry_bind(reg, name,
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

static void session_buffer_size(void *data,
	struct ext_image_copy_capture_session_v1 *s, uint32_t w, uint32_t h)
{
	width = w;
	height = h;
}

static void session_shm_format(void *data,
	struct ext_image_copy_capture_session_v1 *s, uint32_t f)
{
	if (format == UINT32_MAX) {
		format = f;
	}
}

static void session_dmabuf_device(void *data,
	struct ext_image_copy_capture_session_v1 *s, struct wl_array *dev)
{
}

static void session_dmabuf_format(void *data,
	struct ext_image_copy_capture_session_v1 *s, uint32_t f,
	struct wl_array *mods)
{
}

static void session_done(void *data, struct ext_image_copy_capture_session_v1 *s)
{
	constraints_done = true;
}

static void session_stopped(void *data,
	struct ext_image_copy_capture_session_v1 *s)
{
	stopped = true;
	printf("stopped\n");
	fflush(stdout);
}

static const struct ext_image_copy_capture_session_v1_listener
session_listener = {
	.buffer_size = session_buffer_size,
	.shm_format = session_shm_format,
	.dmabuf_device = session_dmabuf_device,
	.dmabuf_format = session_dmabuf_format,
	.done = session_done,
	.stopped = session_stopped,
};

static void frame_transform(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t t)
{
}

static void frame_damage(void *data, struct ext_image_copy_capture_frame_v1 *f,
	int32_t x, int32_t y, int32_t w, int32_t h)
{
}

static void frame_time(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t hi, uint32_t lo, uint32_t ns)
{
}

static void frame_ready(void *data, struct ext_image_copy_capture_frame_v1 *f)
{
	frame_state = 1;
}

static void frame_failed(void *data, struct ext_image_copy_capture_frame_v1 *f,
	uint32_t reason)
{
	frame_state = 2;
	fail_reason = reason;
}

static const struct ext_image_copy_capture_frame_v1_listener frame_listener = {
	.transform = frame_transform,
	.damage = frame_damage,
	.presentation_time = frame_time,
	.ready = frame_ready,
	.failed = frame_failed,
};

/* "ready N" if every pixel is testcomp's for one frame N, else "bad X,Y" */
static void check_pixels(const uint32_t *pixels, uint32_t stride_px)
{
	uint32_t seq = pixels[0] & 0xff;
	for (uint32_t y = 0; y < height; y++) {
		for (uint32_t x = 0; x < width; x++) {
			if (pixels[y * stride_px + x] !=
					testcomp_pixel(x, y, seq)) {
				printf("bad %u,%u\n", x, y);
				return;
			}
		}
	}
	printf("ready %u\n", seq);
}

static bool all_zero(const uint32_t *pixels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (pixels[i] != 0) {
			return false;
		}
	}
	return true;
}

static int dispatch_until(struct wl_display *display, const int *state)
{
	while (*state == 0) {
		if (wl_display_dispatch(display) < 0) {
			fprintf(stderr, "ext-capture: connection lost\n");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int max = argc > 1 ? atoi(argv[1]) : 1;
	int stop_after = argc > 2 ? atoi(argv[2]) : 1;
	int delay_ms = argc > 3 ? atoi(argv[3]) : 20;
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		fprintf(stderr, "ext-capture: cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(display);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	wl_display_roundtrip(display);
	if (manager == NULL || sources == NULL || shm == NULL ||
			output == NULL) {
		fprintf(stderr, "ext-capture: no ext-image-copy-capture "
			"(manager %s, source manager %s)\n",
			manager ? "yes" : "no", sources ? "yes" : "no");
		return 1;
	}
	struct ext_image_capture_source_v1 *source =
		ext_output_image_capture_source_manager_v1_create_source(
			sources, output);
	struct ext_image_copy_capture_session_v1 *session =
		ext_image_copy_capture_manager_v1_create_session(manager,
			source, 0);
	ext_image_copy_capture_session_v1_add_listener(session,
		&session_listener, NULL);
	/* the constraints, or the session is stopped at once */
	while (!constraints_done && !stopped) {
		if (wl_display_dispatch(display) < 0) {
			fprintf(stderr, "ext-capture: connection lost\n");
			return 1;
		}
	}
	if (constraints_done && (width != CAPTURE_W || height != CAPTURE_H ||
			format != WL_SHM_FORMAT_XRGB8888)) {
		fprintf(stderr, "ext-capture: constraints %ux%u format %u are "
			"not testcomp's\n", width, height, format);
		return 1;
	}
	/* a buffer of testcomp's size either way: the frames of a stopped
	 * session must fail without touching it */
	width = CAPTURE_W;
	height = CAPTURE_H;
	uint32_t stride = width * 4;
	size_t size = (size_t)stride * height;
	int fd = memfd_create("ext-capture", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, size) != 0) {
		perror("ext-capture: memfd");
		return 1;
	}
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		fd, 0);
	if (pixels == MAP_FAILED) {
		perror("ext-capture: mmap");
		return 1;
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, size);
	struct wl_buffer *buffer = wl_shm_pool_create_buffer(pool, 0, width,
		height, stride, WL_SHM_FORMAT_XRGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);

	int failures = 0, ready = 0;
	for (int i = 0; i < max && failures < stop_after; i++) {
		memset(pixels, 0, size);
		frame_state = 0;
		struct ext_image_copy_capture_frame_v1 *frame =
			ext_image_copy_capture_session_v1_create_frame(session);
		ext_image_copy_capture_frame_v1_add_listener(frame,
			&frame_listener, NULL);
		ext_image_copy_capture_frame_v1_attach_buffer(frame, buffer);
		ext_image_copy_capture_frame_v1_damage_buffer(frame, 0, 0,
			(int32_t)width, (int32_t)height);
		ext_image_copy_capture_frame_v1_capture(frame);
		if (dispatch_until(display, &frame_state) < 0) {
			return 1;
		}
		if (frame_state == 1) {
			check_pixels(pixels, width);
			ready++;
		} else {
			printf("failed %u %s\n", fail_reason,
				all_zero(pixels, size / 4) ? "untouched" :
				"TOUCHED");
			failures++;
		}
		fflush(stdout);
		ext_image_copy_capture_frame_v1_destroy(frame);
		if (delay_ms > 0) {
			usleep((useconds_t)delay_ms * 1000);
		}
	}
	/* what a revoke or a deny left behind has had its say */
	wl_display_roundtrip(display);
	fprintf(stderr, "ext-capture: %d frames ready, %d failed\n", ready,
		failures);
	ext_image_copy_capture_session_v1_destroy(session);
	ext_image_capture_source_v1_destroy(source);
	wl_buffer_destroy(buffer);
	munmap(pixels, size);
	wl_display_roundtrip(display);
	/* the client side of each object too (LeakSanitizer in CI) */
	ext_image_copy_capture_manager_v1_destroy(manager);
	ext_output_image_capture_source_manager_v1_destroy(sources);
	wl_output_destroy(output);
	wl_shm_destroy(shm);
	wl_registry_destroy(reg);
	wl_display_disconnect(display);
	return 0;
}
