/*
 * One malformed message per run, sent to the proxy by a raw client, while a
 * well-behaved libwayland client stays connected throughout.
 *
 * usage: badclient CASE EXPECTED-TEXT
 * Passes when the bad client gets a wl_display.error containing the text
 * and is disconnected, and the witness client keeps doing roundtrips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common.h"

static void bind_global(struct raw *r, const char *iface, uint32_t version,
	uint32_t id)
{
	uint32_t args[32];
	uint32_t n = 0;
	args[n++] = raw_global(r, iface, NULL);
	n += raw_string(args + n, iface, strlen(iface) + 1, true);
	args[n++] = version;
	args[n++] = id;
	raw_msg(r, 2, 0, args, n);
}

static int run_case(struct raw *r, const char *name)
{
	uint32_t a[1100];
	uint32_t n = 0;
	/* ids: 1 display, 2 registry, 3 first callback; next free is 4 */
	if (strcmp(name, "size-small") == 0) {
		uint32_t words[2] = { 1, (4u << 16) | 0 };
		raw_send(r, words, 2, NULL, 0);
	} else if (strcmp(name, "size-large") == 0) {
		uint32_t words[3] = { 1, (8192u << 16) | 0, 4 };
		raw_send(r, words, 3, NULL, 0);
	} else if (strcmp(name, "size-mismatch") == 0) {
		a[0] = 4;
		a[1] = 0;
		raw_msg(r, 1, 0, a, 2); /* sync with a word too many */
	} else if (strcmp(name, "string-unterminated") == 0) {
		a[n++] = raw_global(r, "wl_compositor", NULL);
		n += raw_string(a + n, "wl_compositor", 14, false);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(r, 2, 0, a, n);
	} else if (strcmp(name, "string-overlong") == 0) {
		a[n++] = raw_global(r, "wl_compositor", NULL);
		n += raw_string(a + n, "wl_compositor", 3000, true);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(r, 2, 0, a, n);
	} else if (strcmp(name, "unknown-object") == 0) {
		raw_msg(r, 77, 0, NULL, 0);
	} else if (strcmp(name, "unknown-opcode") == 0) {
		raw_msg(r, 1, 9, NULL, 0);
	} else if (strcmp(name, "missing-fd") == 0) {
		bind_global(r, "wl_shm", 1, 4);
		a[0] = 5;
		a[1] = 4096;
		raw_msg(r, 4, 0, a, 2); /* create_pool without its fd */
	} else if (strcmp(name, "surplus-fd") == 0) {
		int fd = memfd_create("surplus", MFD_CLOEXEC);
		uint32_t words[3] = { 1, (12u << 16) | 0, 4 };
		raw_send(r, words, 3, &fd, 1); /* sync takes no fd */
		close(fd);
		usleep(100000);
		words[2] = 5;
		raw_send(r, words, 3, NULL, 0);
	} else if (strcmp(name, "fd-hoard") == 0) {
		/* the start of a long message, fds with each piece, and
		 * never the rest */
		uint32_t header[2] = { 1, (4096u << 16) | 0 };
		raw_send(r, header, 2, NULL, 0);
		int fd = memfd_create("hoard", MFD_CLOEXEC);
		int fds[8] = { fd, fd, fd, fd, fd, fd, fd, fd };
		for (int i = 0; i < 6; i++) {
			uint32_t pad = 0;
			raw_send(r, &pad, 1, fds, 8);
			usleep(20000);
		}
		close(fd);
	} else if (strcmp(name, "newid-range") == 0) {
		a[0] = 0xff000005;
		raw_msg(r, 1, 0, a, 1);
	} else if (strcmp(name, "newid-not-next") == 0) {
		a[0] = 1000;
		raw_msg(r, 1, 0, a, 1);
	} else if (strcmp(name, "newid-in-use") == 0) {
		a[0] = 2;
		raw_msg(r, 1, 0, a, 1);
	} else if (strcmp(name, "destroyed-object") == 0) {
		bind_global(r, "wl_compositor", 1, 4);
		a[0] = 5;
		raw_msg(r, 4, 1, a, 1); /* create_region(5) */
		raw_msg(r, 5, 0, NULL, 0); /* wl_region.destroy */
		a[0] = 0;
		a[1] = 0;
		a[2] = 1;
		a[3] = 1;
		raw_msg(r, 5, 1, a, 4); /* wl_region.add on it */
	} else if (strcmp(name, "bind-hidden") == 0) {
		/* hidden globals never reach the client: bind by the real
		 * name, learned from the compositor directly by the test */
		const char *gname = getenv("HIDDEN_GLOBAL_NAME");
		a[n++] = gname ? (uint32_t)atoi(gname) : 0;
		n += raw_string(a + n, "zwlr_layer_shell_v1", 20, true);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(r, 2, 0, a, n);
	} else if (strcmp(name, "bind-name") == 0) {
		/* bind $BIND_NAME as $BIND_IFACE */
		const char *gname = getenv("BIND_NAME");
		const char *iface = getenv("BIND_IFACE");
		if (gname == NULL || iface == NULL || strlen(iface) > 1000) {
			fprintf(stderr, "bind-name: set BIND_NAME and "
				"BIND_IFACE\n");
			return 2;
		}
		a[n++] = (uint32_t)strtoul(gname, NULL, 10);
		n += raw_string(a + n, iface, strlen(iface) + 1, true);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(r, 2, 0, a, n);
	} else if (strcmp(name, "bind-version") == 0) {
		bind_global(r, "wl_compositor", 99, 4);
	} else if (strcmp(name, "bind-unknown-name") == 0) {
		a[n++] = 99999;
		n += raw_string(a + n, "wl_compositor", 14, true);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(r, 2, 0, a, n);
	} else if (strcmp(name, "wrong-type") == 0) {
		bind_global(r, "wl_compositor", 1, 4);
		a[0] = 5;
		raw_msg(r, 4, 0, a, 1); /* create_surface(5) */
		a[0] = 2;
		a[1] = 0;
		a[2] = 0;
		raw_msg(r, 5, 1, a, 3); /* attach(registry as the buffer) */
	} else if (strcmp(name, "null-object") == 0) {
		bind_global(r, "wl_compositor", 1, 4);
		a[0] = 0;
		raw_msg(r, 4, 0, a, 1); /* create_surface(null) */
	} else if (strcmp(name, "since-version") == 0) {
		bind_global(r, "wl_compositor", 1, 4);
		a[0] = 5;
		raw_msg(r, 4, 0, a, 1);
		a[0] = 2;
		raw_msg(r, 5, 8, a, 1); /* set_buffer_scale: since 3 */
	} else {
		fprintf(stderr, "unknown case %s\n", name);
		return 2;
	}
	return 0;
}

static void noop_global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
}

static void noop_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	noop_global, noop_remove,
};

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: badclient CASE EXPECTED-TEXT\n");
		return 2;
	}
	/* the witness: connected before, during and after */
	struct wl_display *witness = wl_display_connect(NULL);
	if (witness == NULL) {
		fprintf(stderr, "witness cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(witness);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	if (wl_display_roundtrip(witness) < 0) {
		fprintf(stderr, "witness roundtrip failed\n");
		return 1;
	}

	struct raw r;
	if (raw_connect(&r) < 0) {
		return 1;
	}
	uint32_t arg = 2;
	raw_msg(&r, 1, 1, &arg, 1); /* get_registry(2) */
	if (!raw_roundtrip(&r, 3)) {
		fprintf(stderr, "bad client: first roundtrip failed: %s\n",
			r.error);
		return 1;
	}
	int rc = run_case(&r, argv[1]);
	if (rc != 0) {
		return rc;
	}
	raw_wait_error(&r, 3000);
	/* after the error the proxy hangs up */
	raw_wait_eof(&r, 3000);
	int failures = 0;
	if (!r.got_error) {
		fprintf(stderr, "FAIL: no wl_display.error for %s\n", argv[1]);
		failures++;
	} else if (strstr(r.error, argv[2]) == NULL) {
		fprintf(stderr, "FAIL: error \"%s\" does not say \"%s\"\n",
			r.error, argv[2]);
		failures++;
	} else {
		printf("ok: %s: the client got \"%s\"\n", argv[1], r.error);
	}
	if (!r.eof) {
		fprintf(stderr, "FAIL: the bad client was not disconnected\n");
		failures++;
	} else {
		printf("ok: %s: the bad client was disconnected\n", argv[1]);
	}
	for (int i = 0; i < 100; i++) {
		if (wl_display_roundtrip(witness) < 0) {
			fprintf(stderr, "FAIL: the witness client broke\n");
			return 1;
		}
	}
	printf("ok: %s: the witness client did 100 more roundtrips\n",
		argv[1]);
	wl_registry_destroy(reg);
	wl_display_disconnect(witness);
	return failures ? 1 : 0;
}
