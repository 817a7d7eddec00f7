/*
 * crate-wl's own Wayland client of the real compositor, outside the
 * sandbox: it captures one output with wlr-screencopy into an shm buffer
 * of its own (dmabuf would need a GPU) and hands each ready frame on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "list.h"
#include "log.h"
#include "screencast-private.h"
#include "wlr-screencopy-client-protocol.h"

struct cw_sc_capture {
	struct cw_loop *loop;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_shm *shm;
	struct wl_output *output;
	struct zwlr_screencopy_manager_v1 *manager;
	struct zwlr_screencopy_frame_v1 *frame; /* in flight */
	struct cw_source source;
	bool cursor;
	char output_name[128];
	/* the shm buffer, remade when the size changes */
	struct wl_buffer *buffer;
	void *data;
	size_t size;
	uint32_t width, height, stride, format;
	cw_sc_frame_func func;
	void *func_data;
	bool ended;
	/* func may destroy us: then we go once dispatch returns */
	bool dispatching;
	bool destroy_pending;
};

static void capture_free(struct cw_sc_capture *cap);

static void output_geometry(void *data, struct wl_output *o, int32_t x,
	int32_t y, int32_t pw, int32_t ph, int32_t subpixel, const char *make,
	const char *model, int32_t transform)
{
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags,
	int32_t w, int32_t h, int32_t refresh)
{
}

static void output_done(void *data, struct wl_output *o)
{
}

static void output_scale(void *data, struct wl_output *o, int32_t factor)
{
}

static void output_name(void *data, struct wl_output *o, const char *name)
{
	struct cw_sc_capture *cap = data;
	snprintf(cap->output_name, sizeof(cap->output_name), "%s", name);
}

static void output_description(void *data, struct wl_output *o,
	const char *desc)
{
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
	.name = output_name,
	.description = output_description,
};

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	struct cw_sc_capture *cap = data;
	if (strcmp(iface, wl_shm_interface.name) == 0 && cap->shm == NULL) {
		cap->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	} else if (strcmp(iface, wl_output_interface.name) == 0 &&
			cap->output == NULL) {
		/* the first output: one monitor, as SelectSources offers */
		cap->output = wl_registry_bind(reg, name, &wl_output_interface,
			version < 4 ? version : 4);
		wl_output_add_listener(cap->output, &output_listener, cap);
	} else if (strcmp(iface,
			zwlr_screencopy_manager_v1_interface.name) == 0 &&
			cap->manager == NULL) {
		cap->manager = wl_registry_bind(reg, name,
			&zwlr_screencopy_manager_v1_interface, 1);
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = global,
	.global_remove = global_remove,
};

static void end(struct cw_sc_capture *cap, const char *why)
{
	if (cap->ended) {
		return;
	}
	cap->ended = true;
	if (cap->source.fd >= 0) {
		cw_loop_remove(cap->loop, &cap->source);
		cap->source.fd = -1;
	}
	cap->func(cap->func_data, NULL, why);
}

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
	if (!cap->ended) {
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

static void flush(struct cw_sc_capture *cap)
{
	if (cap->ended) {
		return;
	}
	int r = wl_display_flush(cap->display);
	if (r < 0 && errno == EAGAIN) {
		cw_loop_update(cap->loop, &cap->source, EPOLLIN | EPOLLOUT);
	} else if (r < 0) {
		end(cap, "lost the compositor");
	} else {
		cw_loop_update(cap->loop, &cap->source, EPOLLIN);
	}
}

static void display_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_sc_capture *cap = cw_container_of(source, cap, source);
	cap->dispatching = true;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (wl_display_dispatch(cap->display) < 0) {
			end(cap, "lost the compositor");
		}
	}
	flush(cap);
	cap->dispatching = false;
	if (cap->destroy_pending) {
		capture_free(cap);
	}
}

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
	cap->loop = loop;
	cap->cursor = cursor;
	cap->func = func;
	cap->func_data = data;
	cap->source.fd = -1;
	cap->display = wl_display_connect(compositor);
	if (cap->display == NULL) {
		snprintf(err, errlen, "cannot connect to the compositor at %s: "
			"%s", compositor, strerror(errno));
		goto fail;
	}
	cap->registry = wl_display_get_registry(cap->display);
	wl_registry_add_listener(cap->registry, &registry_listener, cap);
	/* globals, then the output's name */
	if (wl_display_roundtrip(cap->display) < 0 ||
			wl_display_roundtrip(cap->display) < 0) {
		snprintf(err, errlen, "lost the compositor at %s", compositor);
		goto fail;
	}
	if (cap->manager == NULL || cap->shm == NULL || cap->output == NULL) {
		*unsupported = cap->manager == NULL;
		snprintf(err, errlen, "the compositor offers no %s",
			cap->manager == NULL ? "wlr-screencopy" :
			cap->shm == NULL ? "wl_shm" : "output");
		goto fail;
	}
	if (!cw_loop_add(loop, &cap->source, wl_display_get_fd(cap->display),
			EPOLLIN, display_dispatch)) {
		snprintf(err, errlen, "cannot watch the compositor: %s",
			strerror(errno));
		cap->source.fd = -1;
		goto fail;
	}
	return cap;
fail:
	cw_sc_capture_destroy(cap);
	return NULL;
}

const char *cw_sc_capture_output_name(const struct cw_sc_capture *cap)
{
	return cap->output_name;
}

void cw_sc_capture_next(struct cw_sc_capture *cap)
{
	if (cap->ended || cap->frame != NULL) {
		return;
	}
	cap->frame = zwlr_screencopy_manager_v1_capture_output(cap->manager,
		cap->cursor, cap->output);
	zwlr_screencopy_frame_v1_add_listener(cap->frame, &frame_listener,
		cap);
	flush(cap);
}

void cw_sc_capture_destroy(struct cw_sc_capture *cap)
{
	if (cap == NULL) {
		return;
	}
	if (cap->dispatching) {
		cap->destroy_pending = true;
		cap->ended = true; /* no more callbacks */
		return;
	}
	capture_free(cap);
}

static void capture_free(struct cw_sc_capture *cap)
{
	if (cap->source.fd >= 0) {
		cw_loop_remove(cap->loop, &cap->source);
	}
	if (cap->frame != NULL) {
		zwlr_screencopy_frame_v1_destroy(cap->frame);
	}
	drop_buffer(cap);
	if (cap->manager != NULL) {
		zwlr_screencopy_manager_v1_destroy(cap->manager);
	}
	if (cap->output != NULL) {
		wl_output_destroy(cap->output);
	}
	if (cap->shm != NULL) {
		wl_shm_destroy(cap->shm);
	}
	if (cap->registry != NULL) {
		wl_registry_destroy(cap->registry);
	}
	if (cap->display != NULL) {
		wl_display_disconnect(cap->display);
	}
	free(cap);
}
