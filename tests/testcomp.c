/*
 * A small compositor on libwayland-server for what no Debian compositor
 * speaks (ext-image-copy-capture, ext-data-control, security-context, an
 * interface nobody knows) and for scripted bad events.
 *
 * usage: testcomp SOCKET-NAME [--bad CASE]
 * With --bad, the first client gets CASE's malformed bytes 100 ms after it
 * connects; later clients are served normally.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-server.h>
#include "ext-data-control-server-protocol.h"
#include "ext-image-capture-source-server-protocol.h"
#include "ext-image-copy-capture-server-protocol.h"
#include "security-context-server-protocol.h"

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
	static const struct {
		const struct wl_interface *iface;
		int version;
	} globals[] = {
		{ &wl_compositor_interface, 4 },
		{ &ext_image_copy_capture_manager_v1_interface, 1 },
		{ &ext_output_image_capture_source_manager_v1_interface, 1 },
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
	wl_event_loop_add_signal(loop, SIGTERM, on_signal, display);
	wl_event_loop_add_signal(loop, SIGINT, on_signal, display);
	printf("ready\n");
	fflush(stdout);
	wl_display_run(display);
	wl_display_destroy_clients(display);
	wl_display_destroy(display);
	return 0;
}
