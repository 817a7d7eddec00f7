/*
 * crate-wl's own Wayland client of the real compositor, outside the
 * sandbox: it captures one output with wlr-screencopy into an shm buffer
 * of its own (dmabuf would need a GPU) and hands each ready frame on.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "log.h"
#include "screencast-private.h"
#include "screencast-wl.h"
#include "wlr-screencopy-client-protocol.h"

struct cw_sc_capture {
	struct cw_sc_wl wl; /* the connection and its first output */
	struct wl_shm *shm;
	struct zwlr_screencopy_manager_v1 *manager;
	struct zwlr_screencopy_frame_v1 *frame; /* in flight */
	bool cursor;
	/* the shm buffer, remade when the size changes */
	struct wl_buffer *buffer;
	void *data;
	size_t size;
	uint32_t width, height, stride, format;
	cw_sc_frame_func func;
	void *func_data;
};

static void capture_free_data(void *data);

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct cw_sc_capture *cap = data;
	if (strcmp(iface, wl_shm_interface.name) == 0 && cap->shm == NULL) {
		cap->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	} else if (strcmp(iface,
			zwlr_screencopy_manager_v1_interface.name) == 0 &&
			cap->manager == NULL) {
		cap->manager = wl_registry_bind(reg, name,
			&zwlr_screencopy_manager_v1_interface, 1);
	}
}

static void end(struct cw_sc_capture *cap, const char *why)
{
	if (cw_sc_wl_end(&cap->wl)) {
		cap->func(cap->func_data, NULL, why);
	}
}

static void lost(void *data, const char *why)
{
	struct cw_sc_capture *cap = data;
	cap->func(cap->func_data, NULL, why);
}

static const struct cw_sc_wl_owner owner = {
	.global = global,
	.lost = lost,
	.release = capture_free_data,
};

static void drop_buffer(struct cw_sc_capture *cap)
{
	if (cap->buffer != NULL) {
		wl_buffer_destroy(cap->buffer);
		cap->buffer = NULL;
	}
	if (cap->data != NULL) {
		munmap(cap->data, cap->size);
		cap->data = NULL;
	}
}

static bool make_buffer(struct cw_sc_capture *cap, uint32_t format,
	uint32_t width, uint32_t height, uint32_t stride)
{
	if (cap->buffer != NULL && cap->width == width &&
			cap->height == height && cap->stride == stride &&
			cap->format == format) {
		return true;
	}
	drop_buffer(cap);
	size_t size = (size_t)stride * height;
	int fd = memfd_create("crate-wl-screencast", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		if (fd >= 0) {
			close(fd);
		}
		return false;
	}
	void *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		0);
	if (data == MAP_FAILED) {
		close(fd);
		return false;
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(cap->shm, fd,
		(int32_t)size);
	cap->buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)width,
		(int32_t)height, (int32_t)stride, format);
	wl_shm_pool_destroy(pool);
	close(fd);
	cap->data = data;
	cap->size = size;
	cap->width = width;
	cap->height = height;
	cap->stride = stride;
	cap->format = format;
	return true;
}

static void frame_buffer(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t format, uint32_t width, uint32_t height, uint32_t stride)
{
	struct cw_sc_capture *cap = data;
	if (width == 0 || height == 0 || stride < width * 4 ||
			!make_buffer(cap, format, width, height, stride)) {
		zwlr_screencopy_frame_v1_destroy(frame);
		cap->frame = NULL;
		end(cap, "cannot make a buffer for the frame");
		return;
	}
	zwlr_screencopy_frame_v1_copy(frame, cap->buffer);
}

static void frame_flags(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t flags)
{
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void frame_ready(void *data, struct zwlr_screencopy_frame_v1 *frame,
	uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec)
{
	struct cw_sc_capture *cap = data;
	zwlr_screencopy_frame_v1_destroy(frame);
	cap->frame = NULL;
	struct cw_sc_frame f = {
		.data = cap->data,
		.width = cap->width,
		.height = cap->height,
		.stride = cap->stride,
		.shm_format = cap->format,
		.ready_ns = now_ns(),
	};
	if (!cap->wl.ended) {
		cap->func(cap->func_data, &f, NULL);
	}
}

static void frame_failed(void *data, struct zwlr_screencopy_frame_v1 *frame)
{
	struct cw_sc_capture *cap = data;
	zwlr_screencopy_frame_v1_destroy(frame);
	cap->frame = NULL;
	end(cap, "the compositor refused the capture");
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
	.buffer = frame_buffer,
	.flags = frame_flags,
	.ready = frame_ready,
	.failed = frame_failed,
};

struct cw_sc_capture *cw_sc_capture_create(struct cw_loop *loop,
	const char *compositor, bool cursor, cw_sc_frame_func func, void *data,
	bool *unsupported, char *err, size_t errlen)
{
	*unsupported = false;
	struct cw_sc_capture *cap = calloc(1, sizeof(*cap));
	if (cap == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cap->cursor = cursor;
	cap->func = func;
	cap->func_data = data;
	if (!cw_sc_wl_open(&cap->wl, loop, compositor, &owner, cap, err,
			errlen)) {
		goto fail;
	}
	if (cap->manager == NULL || cap->shm == NULL ||
			cap->wl.output == NULL) {
		*unsupported = cap->manager == NULL;
		snprintf(err, errlen, "the compositor offers no %s",
			cap->manager == NULL ? "wlr-screencopy" :
			cap->shm == NULL ? "wl_shm" : "output");
		goto fail;
	}
	if (!cw_sc_wl_watch(&cap->wl, err, errlen)) {
		goto fail;
	}
	return cap;
fail:
	cw_sc_capture_destroy(cap);
	return NULL;
}

const char *cw_sc_capture_output_name(const struct cw_sc_capture *cap)
{
	return cap->wl.output_name;
}

void cw_sc_capture_next(struct cw_sc_capture *cap)
{
	if (cap->wl.ended || cap->frame != NULL) {
		return;
	}
	cap->frame = zwlr_screencopy_manager_v1_capture_output(cap->manager,
		cap->cursor, cap->wl.output);
	zwlr_screencopy_frame_v1_add_listener(cap->frame, &frame_listener,
		cap);
	cw_sc_wl_flush(&cap->wl);
}

void cw_sc_capture_destroy(struct cw_sc_capture *cap)
{
	if (cap != NULL) {
		cw_sc_wl_destroy(&cap->wl);
	}
}

static void capture_free_data(void *data)
{
	struct cw_sc_capture *cap = data;
	if (cap->frame != NULL) {
		zwlr_screencopy_frame_v1_destroy(cap->frame);
	}
	drop_buffer(cap);
	if (cap->manager != NULL) {
		zwlr_screencopy_manager_v1_destroy(cap->manager);
	}
	if (cap->shm != NULL) {
		wl_shm_destroy(cap->shm);
	}
	cw_sc_wl_close(&cap->wl);
	free(cap);
}
