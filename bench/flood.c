/*
 * flood: request throughput. Sends many small requests that need no reply
 * (wl_region.add of the same rectangle, 24 bytes each, on a fresh region
 * every REGION_RECTS: crate-wl refuses more than 2048 on one region),
 * flushing every FLUSH requests and waiting for the socket when it is full,
 * with a roundtrip every SYNC requests and one at the end, so that the time
 * covers the compositor having processed every request.
 *
 * Usage: flood [-n MESSAGES] [-s SYNC_EVERY]
 * Prints: messages, seconds, msgs_per_s.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

/* libwayland 1.21 treats EAGAIN during an implicit flush (its 4 KiB buffer
 * full) as fatal: flush ourselves well before that. 128 * 24 B = 3 KiB. */
#define FLUSH_EVERY 128
#define REGION_RECTS 2000

struct flood {
	struct wl_compositor *compositor;
};

static void registry_global(void *data, struct wl_registry *registry,
		uint32_t name, const char *interface, uint32_t version)
{
	struct flood *flood = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		flood->compositor = wl_registry_bind(registry, name,
			&wl_compositor_interface, 1);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry,
		uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flush_all(struct wl_display *display)
{
	while (wl_display_flush(display) < 0) {
		if (errno != EAGAIN) {
			return -1;
		}
		struct pollfd pfd = {
			.fd = wl_display_get_fd(display),
			.events = POLLOUT,
		};
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char *argv[])
{
	long n = 1000000, sync_every = 16384;
	int opt;
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 's':
			sync_every = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: flood [-n MESSAGES] [-s SYNC]\n");
			return 2;
		}
	}
	if (n <= 0 || sync_every <= 0) {
		fprintf(stderr, "flood: bad count\n");
		return 2;
	}
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		perror("flood: wl_display_connect");
		return 1;
	}
	struct flood flood = { 0 };
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &flood);
	if (wl_display_roundtrip(display) < 0 || flood.compositor == NULL) {
		fprintf(stderr, "flood: no wl_compositor\n");
		return 1;
	}
	struct wl_region *region =
		wl_compositor_create_region(flood.compositor);
	/* warm up: caches, allocations in every hop */
	for (int i = 0; i < 4 * FLUSH_EVERY; i++) {
		wl_region_add(region, 0, 0, 64, 64);
		if ((i + 1) % FLUSH_EVERY == 0 && flush_all(display) < 0) {
			goto fail;
		}
	}
	if (wl_display_roundtrip(display) < 0) {
		goto fail;
	}

	double t0 = now_s();
	for (long i = 1; i <= n; i++) {
		if ((i - 1) % REGION_RECTS == 0) {
			wl_region_destroy(region);
			region = wl_compositor_create_region(flood.compositor);
		}
		wl_region_add(region, 0, 0, 64, 64);
		if (i % FLUSH_EVERY == 0 && flush_all(display) < 0) {
			goto fail;
		}
		if (i % sync_every == 0 && wl_display_roundtrip(display) < 0) {
			goto fail;
		}
	}
	if (flush_all(display) < 0 || wl_display_roundtrip(display) < 0) {
		goto fail;
	}
	double dt = now_s() - t0;
	printf("messages %ld seconds %.4f msgs_per_s %.0f\n", n, dt, n / dt);

	wl_region_destroy(region);
	wl_compositor_destroy(flood.compositor);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return 0;
fail:
	fprintf(stderr, "flood: connection failed (error %d)\n",
		wl_display_get_error(display));
	wl_display_disconnect(display);
	return 1;
}
