/*
 * A small compositor on libwayland-server for what no Debian compositor
 * speaks (ext-image-copy-capture, ext-data-control, security-context, an
 * interface nobody knows) and for scripted bad events.
 *
 * ext-image-copy-capture is served for real, on shm buffers: one output of
 * CAPTURE_W x CAPTURE_H, and each frame is painted with testcomp_pixel()
 * (tests/clients/ext-capture.c checks it) from an idle callback, as a
 * compositor answers after its next repaint.
 *
 * usage: testcomp SOCKET-NAME [--bad CASE]
 * With --bad, the first client gets CASE's malformed bytes 100 ms after it
 * connects; later clients are served normally.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server.h>
#include "ext-data-control-server-protocol.h"
#include "ext-image-capture-source-server-protocol.h"
#include "ext-image-copy-capture-server-protocol.h"
#include "security-context-server-protocol.h"
#include "testcomp-pixel.h"

static const struct wl_interface unknown_interface = {
	"zcw_unknown_v1", 1, 0, NULL, 0, NULL,
};

static const char *bad_case;
static int clients_seen;

static int ignore_requests(const void *impl, void *target, uint32_t opcode,
	const struct wl_message *msg, union wl_argument *args)
{
	struct wl_resource *resource = target;
	/* destructor-like requests end the resource; others are ignored */
	if (strcmp(msg->name, "destroy") == 0) {
		wl_resource_destroy(resource);
	}
	return 0;
}

static void bind_any(struct wl_client *client, void *data, uint32_t version,
	uint32_t id)
{
	const struct wl_interface *iface = data;
	struct wl_resource *resource = wl_resource_create(client, iface,
		version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_dispatcher(resource, ignore_requests, NULL, NULL, NULL);
}

/* ---- ext-image-copy-capture on shm ---- */

struct frame {
	struct wl_resource *resource;
	struct wl_resource *buffer;
	struct wl_event_source *idle; /* the capture in progress */
};

static uint32_t frame_seq;

static void frame_destroy_request(struct wl_client *client,
	struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static void frame_attach(struct wl_client *client, struct wl_resource *resource,
	struct wl_resource *buffer)
{
	struct frame *f = wl_resource_get_user_data(resource);
	f->buffer = buffer;
}

static void frame_damage(struct wl_client *client, struct wl_resource *resource,
	int32_t x, int32_t y, int32_t w, int32_t h)
{
}

static void frame_paint(void *data)
{
	struct frame *f = data;
	f->idle = NULL;
	struct wl_shm_buffer *shm = f->buffer ?
		wl_shm_buffer_get(f->buffer) : NULL;
	if (shm == NULL || wl_shm_buffer_get_width(shm) != CAPTURE_W ||
			wl_shm_buffer_get_height(shm) != CAPTURE_H ||
			wl_shm_buffer_get_format(shm) != WL_SHM_FORMAT_XRGB8888) {
		ext_image_copy_capture_frame_v1_send_failed(f->resource,
			EXT_IMAGE_COPY_CAPTURE_FRAME_V1_FAILURE_REASON_BUFFER_CONSTRAINTS);
		return;
	}
	uint32_t seq = ++frame_seq;
	int32_t stride = wl_shm_buffer_get_stride(shm);
	wl_shm_buffer_begin_access(shm);
	uint8_t *data8 = wl_shm_buffer_get_data(shm);
	for (uint32_t y = 0; y < CAPTURE_H; y++) {
		uint32_t *row = (uint32_t *)(data8 + (size_t)y * stride);
		for (uint32_t x = 0; x < CAPTURE_W; x++) {
			row[x] = testcomp_pixel(x, y, seq);
		}
	}
	wl_shm_buffer_end_access(shm);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ext_image_copy_capture_frame_v1_send_transform(f->resource,
		WL_OUTPUT_TRANSFORM_NORMAL);
	ext_image_copy_capture_frame_v1_send_damage(f->resource, 0, 0,
		CAPTURE_W, CAPTURE_H);
	ext_image_copy_capture_frame_v1_send_presentation_time(f->resource,
		(uint32_t)((uint64_t)now.tv_sec >> 32), (uint32_t)now.tv_sec,
		(uint32_t)now.tv_nsec);
	ext_image_copy_capture_frame_v1_send_ready(f->resource);
}

static void frame_capture(struct wl_client *client, struct wl_resource *resource)
{
	struct frame *f = wl_resource_get_user_data(resource);
	if (f->idle != NULL) {
		wl_resource_post_error(resource,
			EXT_IMAGE_COPY_CAPTURE_FRAME_V1_ERROR_ALREADY_CAPTURED,
			"capture already requested");
		return;
	}
	if (f->buffer == NULL) {
		wl_resource_post_error(resource,
			EXT_IMAGE_COPY_CAPTURE_FRAME_V1_ERROR_NO_BUFFER,
			"no buffer attached");
		return;
	}
	f->idle = wl_event_loop_add_idle(wl_display_get_event_loop(
		wl_client_get_display(client)), frame_paint, f);
}

static const struct ext_image_copy_capture_frame_v1_interface frame_impl = {
	.destroy = frame_destroy_request,
	.attach_buffer = frame_attach,
	.damage_buffer = frame_damage,
	.capture = frame_capture,
};

static void frame_resource_destroyed(struct wl_resource *resource)
{
	struct frame *f = wl_resource_get_user_data(resource);
	if (f->idle != NULL) {
		wl_event_source_remove(f->idle);
	}
	free(f);
}

static void session_create_frame(struct wl_client *client,
	struct wl_resource *resource, uint32_t id)
{
	struct frame *f = calloc(1, sizeof(*f));
	f->resource = wl_resource_create(client,
		&ext_image_copy_capture_frame_v1_interface, 1, id);
	if (f->resource == NULL) {
		free(f);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(f->resource, &frame_impl, f,
		frame_resource_destroyed);
}

static void destroy_request(struct wl_client *client,
	struct wl_resource *resource)
{
	wl_resource_destroy(resource);
}

static const struct ext_image_copy_capture_session_v1_interface session_impl = {
	.create_frame = session_create_frame,
	.destroy = destroy_request,
};

static void manager_create_session(struct wl_client *client,
	struct wl_resource *resource, uint32_t id, struct wl_resource *source,
	uint32_t options)
{
	struct wl_resource *session = wl_resource_create(client,
		&ext_image_copy_capture_session_v1_interface, 1, id);
	if (session == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(session, &session_impl, NULL, NULL);
	ext_image_copy_capture_session_v1_send_buffer_size(session, CAPTURE_W,
		CAPTURE_H);
	ext_image_copy_capture_session_v1_send_shm_format(session,
		WL_SHM_FORMAT_XRGB8888);
	ext_image_copy_capture_session_v1_send_done(session);
}

static void manager_create_cursor_session(struct wl_client *client,
	struct wl_resource *resource, uint32_t id, struct wl_resource *source,
	struct wl_resource *pointer)
{
	wl_resource_post_error(resource, 0, "testcomp: no cursor sessions");
}

static const struct ext_image_copy_capture_manager_v1_interface manager_impl = {
	.create_session = manager_create_session,
	.create_pointer_cursor_session = manager_create_cursor_session,
	.destroy = destroy_request,
};

static void source_manager_create(struct wl_client *client,
	struct wl_resource *resource, uint32_t id, struct wl_resource *output)
{
	struct wl_resource *source = wl_resource_create(client,
		&ext_image_capture_source_v1_interface, 1, id);
	if (source == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_dispatcher(source, ignore_requests, NULL, NULL, NULL);
}

static const struct ext_output_image_capture_source_manager_v1_interface
source_manager_impl = {
	.create_source = source_manager_create,
	.destroy = destroy_request,
};

static void bind_capture(struct wl_client *client, void *data,
	uint32_t version, uint32_t id)
{
	const struct wl_interface *iface = data;
	struct wl_resource *resource = wl_resource_create(client, iface,
		version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	if (iface == &ext_image_copy_capture_manager_v1_interface) {
		wl_resource_set_implementation(resource, &manager_impl, NULL,
			NULL);
	} else {
		wl_resource_set_implementation(resource, &source_manager_impl,
			NULL, NULL);
	}
}

static void send_words(int fd, const uint32_t *words, size_t n)
{
	ssize_t ignored = write(fd, words, n * 4);
	(void)ignored;
}

static int send_bad(void *data)
{
	struct wl_client *client = data;
	int fd = wl_client_get_fd(client);
	wl_client_flush(client);
	if (strcmp(bad_case, "unknown-object") == 0) {
		uint32_t w[] = { 0x1234, (8u << 16) | 0 };
		send_words(fd, w, 2);
	} else if (strcmp(bad_case, "bad-size") == 0) {
		uint32_t w[] = { 1, (2u << 16) | 0 };
		send_words(fd, w, 2);
	} else if (strcmp(bad_case, "bad-args") == 0) {
		/* wl_display.delete_id with a word too many */
		uint32_t w[] = { 1, (16u << 16) | 1, 3, 4 };
		send_words(fd, w, 4);
	} else if (strcmp(bad_case, "unterminated") == 0) {
		/* wl_display.error whose string has no NUL */
		uint32_t w[] = { 1, (24u << 16) | 0, 1, 0, 4, 0x61616161 };
		send_words(fd, w, 6);
	} else if (strcmp(bad_case, "unknown-event") == 0) {
		/* wl_display has no event 7 */
		uint32_t w[] = { 1, (12u << 16) | 7, 0 };
		send_words(fd, w, 3);
	}
	return 0;
}

static void client_created(struct wl_listener *listener, void *data)
{
	struct wl_client *client = data;
	if (bad_case == NULL || clients_seen++ > 0) {
		return;
	}
	struct wl_display *display = wl_client_get_display(client);
	struct wl_event_source *timer = wl_event_loop_add_timer(
		wl_display_get_event_loop(display), send_bad, client);
	wl_event_source_timer_update(timer, 100);
}

static struct wl_listener client_listener = { .notify = client_created };

static int on_signal(int sig, void *data)
{
	wl_display_terminate(data);
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: testcomp SOCKET-NAME [--bad CASE]\n");
		return 2;
	}
	if (argc == 4 && strcmp(argv[2], "--bad") == 0) {
		bad_case = argv[3];
	}
	struct wl_display *display = wl_display_create();
	if (wl_display_add_socket(display, argv[1]) != 0) {
		fprintf(stderr, "testcomp: cannot add socket %s\n", argv[1]);
		return 1;
	}
	wl_display_init_shm(display);
	wl_global_create(display, &ext_image_copy_capture_manager_v1_interface,
		1, (void *)&ext_image_copy_capture_manager_v1_interface,
		bind_capture);
	wl_global_create(display,
		&ext_output_image_capture_source_manager_v1_interface, 1,
		(void *)&ext_output_image_capture_source_manager_v1_interface,
		bind_capture);
	static const struct {
		const struct wl_interface *iface;
		int version;
	} globals[] = {
		{ &wl_compositor_interface, 4 },
		{ &wl_output_interface, 1 },
		{ &ext_data_control_manager_v1_interface, 1 },
		{ &wp_security_context_manager_v1_interface, 1 },
		{ &unknown_interface, 1 },
	};
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
		wl_global_create(display, globals[i].iface, globals[i].version,
			(void *)globals[i].iface, bind_any);
	}
	wl_display_add_client_created_listener(display, &client_listener);
	struct wl_event_loop *loop = wl_display_get_event_loop(display);
	struct wl_event_source *sigs[] = {
		wl_event_loop_add_signal(loop, SIGTERM, on_signal, display),
		wl_event_loop_add_signal(loop, SIGINT, on_signal, display),
	};
	printf("ready\n");
	fflush(stdout);
	wl_display_run(display);
	wl_event_source_remove(sigs[0]);
	wl_event_source_remove(sigs[1]);
	wl_display_destroy_clients(display);
	wl_display_destroy(display);
	return 0;
}
