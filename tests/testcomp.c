/*
 * A small compositor on libwayland-server for what no Debian compositor
 * speaks (ext-image-copy-capture, ext-data-control, security-context, an
 * interface nobody knows) and for scripted bad events. On Debian 13 (seen
 * with wayland-info, 2026-12-03) sway 1.10.1 (wlroots 0.18.2) offers
 * zwlr_screencopy_manager_v1 3 and zwlr_data_control_manager_v1 2, and
 * weston 14.0.2 only weston_capture_v1 1: neither has
 * ext_image_copy_capture_manager_v1 or ext_data_control_manager_v1, nor
 * does trixie-backports a newer one. sway 1.10 speaks security-context
 * (the secctx tests use it there); Debian 12's sway 1.7 does not.
 *
 * ext-image-copy-capture is served for real, on shm buffers: one output of
 * CAPTURE_W x CAPTURE_H, and each frame is painted with testcomp_pixel()
 * (tests/clients/ext-capture.c checks it) from an idle callback, as a
 * compositor answers after its next repaint.
 *
 * security-context-v1 is served for real too: a committed context's
 * listening socket is accepted on, its clients do not see the manager nor
 * ext-data-control (as sway hides privileged protocols from them), and
 * what arrived is printed on stdout, one "security-context: ..." line
 * each: the fds, the three properties, the commit, each client accepted,
 * the close_fd's hangup.
 *
 * zkde_screencast_unstable_v1 (KWin's) is served with --kde-screencast,
 * on a real PipeWire (testcomp-kde.c); wl_output then tells its mode, of
 * CAPTURE_W x CAPTURE_H, as KWin's does.
 *
 * usage: testcomp SOCKET-NAME [--bad CASE] [--no-security-context]
 *                             [--refuse-security-context]
 *                             [--kde-screencast | --kde-screencast-fail |
 *                              --kde-screencast-end]
 * With --bad, the first client that stays 100 ms gets CASE's malformed
 * bytes then (one that leaves sooner, as a proxy's security-context
 * set-up does, passes the turn on); later clients are served normally.
 * --no-security-context: no wp_security_context_manager_v1 global.
 * --refuse-security-context: the global, but create_listener is answered
 * with the invalid_listen_fd error.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server.h>
#include "ext-data-control-server-protocol.h"
#include "ext-image-capture-source-server-protocol.h"
#include "ext-image-copy-capture-server-protocol.h"
#include "security-context-server-protocol.h"
#include "testcomp-kde.h"
#include "testcomp-pixel.h"

static const struct wl_interface unknown_interface = {
	"zcw_unknown_v1", 1, 0, NULL, 0, NULL,
};

static const char *bad_case;
static int clients_seen;
static struct wl_global *data_control_global, *security_manager_global;
static bool refuse_contexts;
static bool output_mode; /* wl_output tells its mode */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

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
	if (iface == &wl_output_interface && output_mode) {
		wl_output_send_geometry(resource, 0, 0, 0, 0,
			WL_OUTPUT_SUBPIXEL_UNKNOWN, "testcomp", "testcomp",
			WL_OUTPUT_TRANSFORM_NORMAL);
		wl_output_send_mode(resource, WL_OUTPUT_MODE_CURRENT,
			CAPTURE_W, CAPTURE_H, 60000);
	}
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

/* ---- security-context-v1 ---- */

struct context {
	struct wl_display *display;
	struct wl_resource *resource; /* NULL once destroyed */
	char *engine, *app_id, *instance_id;
	int listen_fd, close_fd;
	bool committed;
	struct wl_event_source *listen_source, *close_source;
	unsigned accepted;
};

/* A client of a context: marked by this destroy listener. */
struct context_client {
	struct wl_listener destroy;
};

static void context_client_destroyed(struct wl_listener *listener,
	void *data)
{
	struct context_client *cc = wl_container_of(listener, cc, destroy);
	wl_list_remove(&cc->destroy.link);
	free(cc);
}

static bool in_context(const struct wl_client *client)
{
	return wl_client_get_destroy_listener((struct wl_client *)client,
		context_client_destroyed) != NULL;
}

/* what sway hides from clients of a security context, or some of it */
static bool global_filter(const struct wl_client *client,
	const struct wl_global *global, void *data)
{
	return !in_context(client) || (global != security_manager_global &&
		global != data_control_global);
}

static void context_free(struct context *c)
{
	if (c->resource != NULL) {
		wl_resource_set_user_data(c->resource, NULL);
	}
	if (c->listen_source != NULL) {
		wl_event_source_remove(c->listen_source);
	}
	if (c->close_source != NULL) {
		wl_event_source_remove(c->close_source);
	}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
	}
	if (c->close_fd >= 0) {
		close(c->close_fd);
	}
	free(c->engine);
	free(c->app_id);
	free(c->instance_id);
	free(c);
}

static int context_listen(int fd, uint32_t mask, void *data)
{
	struct context *c = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		return 0;
	}
	struct wl_client *client = wl_client_create(c->display, client_fd);
	struct context_client *cc = calloc(1, sizeof(*cc));
	if (client == NULL || cc == NULL) {
		free(cc);
		return 0;
	}
	cc->destroy.notify = context_client_destroyed;
	wl_client_add_destroy_listener(client, &cc->destroy);
	say("security-context: client %u accepted (engine %s, app_id %s, "
		"instance_id %s)", ++c->accepted, c->engine ? c->engine : "-",
		c->app_id ? c->app_id : "-",
		c->instance_id ? c->instance_id : "-");
	return 0;
}

static int context_closed(int fd, uint32_t mask, void *data)
{
	struct context *c = data;
	say("security-context: closed (close_fd hung up), %u clients "
		"accepted", c->accepted);
	/* new connections are refused from now on; ours stay */
	context_free(c);
	return 0;
}

static void context_set(struct wl_resource *resource, char **field,
	const char *value, const char *what)
{
	struct context *c = wl_resource_get_user_data(resource);
	if (c == NULL || c->committed) {
		wl_resource_post_error(resource,
			WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"already committed");
		return;
	}
	if (*field != NULL) {
		wl_resource_post_error(resource,
			WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_SET,
			"%s already set", what);
		return;
	}
	*field = strdup(value);
	say("security-context: %s %s", what, value);
}

static void context_set_engine(struct wl_client *client,
	struct wl_resource *resource, const char *name)
{
	struct context *c = wl_resource_get_user_data(resource);
	context_set(resource, c ? &c->engine : NULL, name, "sandbox_engine");
}

static void context_set_app_id(struct wl_client *client,
	struct wl_resource *resource, const char *app_id)
{
	struct context *c = wl_resource_get_user_data(resource);
	context_set(resource, c ? &c->app_id : NULL, app_id, "app_id");
}

static void context_set_instance_id(struct wl_client *client,
	struct wl_resource *resource, const char *instance_id)
{
	struct context *c = wl_resource_get_user_data(resource);
	context_set(resource, c ? &c->instance_id : NULL, instance_id,
		"instance_id");
}

static void context_commit(struct wl_client *client,
	struct wl_resource *resource)
{
	struct context *c = wl_resource_get_user_data(resource);
	if (c == NULL || c->committed) {
		wl_resource_post_error(resource,
			WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"already committed");
		return;
	}
	c->committed = true;
	struct wl_event_loop *loop = wl_display_get_event_loop(c->display);
	c->listen_source = wl_event_loop_add_fd(loop, c->listen_fd,
		WL_EVENT_READABLE, context_listen, c);
	c->close_source = wl_event_loop_add_fd(loop, c->close_fd, 0,
		context_closed, c);
	say("security-context: commit");
}

static const struct wp_security_context_v1_interface context_impl = {
	.destroy = destroy_request,
	.set_sandbox_engine = context_set_engine,
	.set_app_id = context_set_app_id,
	.set_instance_id = context_set_instance_id,
	.commit = context_commit,
};

static void context_resource_destroyed(struct wl_resource *resource)
{
	struct context *c = wl_resource_get_user_data(resource);
	if (c == NULL) {
		return;
	}
	c->resource = NULL;
	/* a committed context outlives its object, until close_fd */
	if (!c->committed) {
		context_free(c);
	}
}

static const char *fd_kind(int fd)
{
	struct stat st;
	int listening = 0;
	socklen_t len = sizeof(listening);
	if (fstat(fd, &st) != 0) {
		return "bad";
	}
	if (S_ISFIFO(st.st_mode)) {
		return "pipe";
	}
	if (S_ISSOCK(st.st_mode) && getsockopt(fd, SOL_SOCKET,
			SO_ACCEPTCONN, &listening, &len) == 0) {
		return listening ? "listening-socket" : "socket";
	}
	return "other";
}

static void manager_create_listener(struct wl_client *client,
	struct wl_resource *resource, uint32_t id, int32_t listen_fd,
	int32_t close_fd)
{
	say("security-context: listener %s, close_fd %s", fd_kind(listen_fd),
		fd_kind(close_fd));
	if (refuse_contexts ||
			strcmp(fd_kind(listen_fd), "listening-socket") != 0) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource,
			WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_INVALID_LISTEN_FD,
			"not a listening socket");
		return;
	}
	struct context *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(listen_fd);
		close(close_fd);
		wl_client_post_no_memory(client);
		return;
	}
	c->display = wl_client_get_display(client);
	c->listen_fd = listen_fd;
	c->close_fd = close_fd;
	c->resource = wl_resource_create(client,
		&wp_security_context_v1_interface, 1, id);
	if (c->resource == NULL) {
		context_free(c);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(c->resource, &context_impl, c,
		context_resource_destroyed);
}

static const struct wp_security_context_manager_v1_interface
security_manager_impl = {
	.destroy = destroy_request,
	.create_listener = manager_create_listener,
};

static void bind_security_manager(struct wl_client *client, void *data,
	uint32_t version, uint32_t id)
{
	struct wl_resource *resource = wl_resource_create(client,
		&wp_security_context_manager_v1_interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &security_manager_impl,
		NULL, NULL);
}

static void send_words(int fd, const uint32_t *words, size_t n)
{
	ssize_t ignored = write(fd, words, n * 4);
	(void)ignored;
}

/* the client --bad is for, until its turn comes or it leaves */
static struct {
	struct wl_client *client;
	struct wl_event_source *timer;
	struct wl_listener destroy;
} bad_target;

static int send_bad(void *data)
{
	struct wl_client *client = data;
	wl_list_remove(&bad_target.destroy.link);
	wl_event_source_remove(bad_target.timer);
	bad_target.client = NULL;
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

/* it left before its turn: the next client has it */
static void bad_target_destroyed(struct wl_listener *listener, void *data)
{
	wl_list_remove(&bad_target.destroy.link);
	wl_event_source_remove(bad_target.timer);
	bad_target.client = NULL;
	clients_seen = 0;
}

static void client_created(struct wl_listener *listener, void *data)
{
	struct wl_client *client = data;
	if (bad_case == NULL || clients_seen++ > 0) {
		return;
	}
	struct wl_display *display = wl_client_get_display(client);
	bad_target.client = client;
	bad_target.timer = wl_event_loop_add_timer(
		wl_display_get_event_loop(display), send_bad, client);
	bad_target.destroy.notify = bad_target_destroyed;
	wl_client_add_destroy_listener(client, &bad_target.destroy);
	wl_event_source_timer_update(bad_target.timer, 100);
}

static struct wl_listener client_listener = { .notify = client_created };

static int on_signal(int sig, void *data)
{
	wl_display_terminate(data);
	return 0;
}

int main(int argc, char *argv[])
{
	bool security_context = true;
	bool kde = false;
	enum testcomp_kde_mode kde_mode = TESTCOMP_KDE_STREAM;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--bad") == 0 && i + 1 < argc) {
			bad_case = argv[++i];
		} else if (strcmp(argv[i], "--no-security-context") == 0) {
			security_context = false;
		} else if (strcmp(argv[i], "--refuse-security-context") == 0) {
			refuse_contexts = true;
		} else if (strcmp(argv[i], "--kde-screencast") == 0) {
			kde = true;
		} else if (strcmp(argv[i], "--kde-screencast-fail") == 0) {
			kde = true;
			kde_mode = TESTCOMP_KDE_FAIL;
		} else if (strcmp(argv[i], "--kde-screencast-end") == 0) {
			kde = true;
			kde_mode = TESTCOMP_KDE_END;
		} else {
			argc = 0;
		}
	}
	if (argc < 2) {
		fprintf(stderr, "usage: testcomp SOCKET-NAME [--bad CASE] "
			"[--no-security-context] "
			"[--refuse-security-context] "
			"[--kde-screencast | --kde-screencast-fail | "
			"--kde-screencast-end]\n");
		return 2;
	}
	struct wl_display *display = wl_display_create();
	if (wl_display_add_socket(display, argv[1]) != 0) {
		fprintf(stderr, "testcomp: cannot add socket %s\n", argv[1]);
		return 1;
	}
	wl_display_init_shm(display);
	output_mode = kde;
	if (kde && !testcomp_kde_init(display, kde_mode)) {
		fprintf(stderr, "testcomp: cannot serve zkde_screencast\n");
		return 1;
	}
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
		{ &unknown_interface, 1 },
	};
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
		wl_global_create(display, globals[i].iface, globals[i].version,
			(void *)globals[i].iface, bind_any);
	}
	data_control_global = wl_global_create(display,
		&ext_data_control_manager_v1_interface, 1,
		(void *)&ext_data_control_manager_v1_interface, bind_any);
	if (security_context) {
		security_manager_global = wl_global_create(display,
			&wp_security_context_manager_v1_interface, 1, NULL,
			bind_security_manager);
	}
	wl_display_set_global_filter(display, global_filter, NULL);
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
