/*
 * One sandbox trying to exhaust the compositor, through the proxy.
 *
 * usage: flood conns N SECONDS
 *          opens N connections one after the other and holds those that
 *          work for SECONDS; prints "connected K refused R" and the first
 *          refusal's error
 *        flood regions CONNS COUNT
 *          a libwayland witness connects first; then on each of CONNS
 *          connections binds wl_compositor and creates COUNT wl_regions;
 *          prints each connection's error ("conn I: object O code C:
 *          TEXT") or "conn I: no error", then checks the witness
 *        flood surfaces CONNS COUNT
 *          the same with wl_surfaces
 *        flood pools CONNS COUNT
 *          the same with wl_shm_pools of 4 KiB (one mapping each in
 *          the compositor)
 *        flood rects COUNT
 *          one wl_region given COUNT disjoint 1x1 rectangles; prints the
 *          error or "no error"
 *        flood garbage N
 *          N connections one after the other, each sends a message of a
 *          bad size and waits for the error; prints "errors E of N"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common.h"

static struct raw r;

static void raise_fd_limit(void)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
}

/* Connects and does a first roundtrip; false: refused (r.error says). */
static bool open_one(void)
{
	if (raw_connect(&r) < 0) {
		snprintf(r.error, sizeof(r.error), "connect failed");
		return false;
	}
	uint32_t arg = 2;
	raw_msg(&r, 1, 1, &arg, 1); /* get_registry(2) */
	return raw_roundtrip(&r, 3);
}

static int conns(int n, int seconds)
{
	int connected = 0, refused = 0;
	char first[4096] = "";
	int *fds = calloc(n, sizeof(*fds));
	for (int i = 0; i < n; i++) {
		if (open_one()) {
			fds[connected++] = r.fd;
			continue;
		}
		if (refused++ == 0) {
			snprintf(first, sizeof(first), "%s", r.error);
		}
		close(r.fd);
	}
	printf("connected %d refused %d\n", connected, refused);
	if (refused > 0) {
		printf("first refusal: %s\n", first);
	}
	fflush(stdout);
	sleep(seconds);
	for (int i = 0; i < connected; i++) {
		close(fds[i]);
	}
	free(fds);
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

/*
 * opcode: wl_compositor.create_surface (0) or create_region (1), or with
 * pools wl_shm.create_pool (0)
 */
static int objects(int nconns, int count, uint16_t opcode, bool pools)
{
	const char *global = pools ? "wl_shm" : "wl_compositor";
	int memfd = memfd_create("flood", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 4096) != 0) {
		return 1;
	}
	int fds[8];
	for (int i = 0; i < 8; i++) {
		fds[i] = memfd;
	}
	struct wl_display *witness = wl_display_connect(NULL);
	if (witness == NULL) {
		fprintf(stderr, "the witness cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(witness);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	if (wl_display_roundtrip(witness) < 0) {
		fprintf(stderr, "the witness's first roundtrip failed\n");
		return 1;
	}
	uint32_t *words = malloc(3 * 4 * 1024);
	for (int c = 0; c < nconns; c++) {
		if (!open_one()) {
			printf("conn %d: refused: %s\n", c, r.error);
			continue;
		}
		uint32_t a[32], n = 0;
		uint32_t name = raw_global(&r, global, NULL);
		a[n++] = name;
		n += raw_string(a + n, global, strlen(global) + 1, true);
		a[n++] = 1;
		a[n++] = 4;
		raw_msg(&r, 2, 0, a, n); /* bind as 4 */
		/* the requests on 4, 1024 (pools: 8, with their fds) a burst */
		uint32_t id = 5;
		int per = pools ? 8 : 1024, w = pools ? 4 : 3;
		for (int left = count; left > 0 && !r.got_error && !r.eof; ) {
			int burst = left < per ? left : per;
			for (int i = 0; i < burst; i++) {
				words[w * i] = 4;
				words[w * i + 1] = ((4u * w) << 16) | opcode;
				words[w * i + 2] = id++;
				if (pools) {
					words[w * i + 3] = 4096;
				}
			}
			raw_send(&r, words, w * burst, pools ? fds : NULL,
				pools ? burst : 0);
			left -= burst;
		}
		uint32_t cb = id;
		if (raw_roundtrip(&r, cb)) {
			printf("conn %d: no error\n", c);
		} else {
			printf("conn %d: %s\n", c, r.got_error ? r.error :
				"disconnected without an error");
		}
		fflush(stdout);
		/* stays connected: its objects stay alive */
	}
	for (int i = 0; i < 100; i++) {
		if (wl_display_roundtrip(witness) < 0) {
			printf("the witness broke\n");
			return 1;
		}
	}
	printf("the witness did 100 roundtrips\n");
	wl_display_disconnect(witness);
	free(words);
	return 0;
}

static int rects(int count)
{
	if (!open_one()) {
		printf("refused: %s\n", r.error);
		return 1;
	}
	uint32_t a[32], n = 0;
	a[n++] = raw_global(&r, "wl_compositor", NULL);
	n += raw_string(a + n, "wl_compositor", 14, true);
	a[n++] = 1;
	a[n++] = 4;
	raw_msg(&r, 2, 0, a, n);
	a[0] = 5;
	raw_msg(&r, 4, 1, a, 1); /* create_region(5) */
	uint32_t words[6 * 256];
	for (int i = 0; i < count && !r.eof; ) {
		int burst = 0;
		for (; burst < 256 && i < count; burst++, i++) {
			uint32_t *m = words + 6 * burst;
			m[0] = 5;
			m[1] = (24u << 16) | 1; /* wl_region.add */
			m[2] = (uint32_t)(i % 1000) * 2;
			m[3] = (uint32_t)(i / 1000) * 2;
			m[4] = 1;
			m[5] = 1;
		}
		raw_send(&r, words, 6 * burst, NULL, 0);
	}
	if (raw_roundtrip(&r, 6)) {
		printf("no error\n");
	} else {
		printf("%s\n", r.got_error ? r.error :
			"disconnected without an error");
	}
	return 0;
}

static int garbage(int n)
{
	int errors = 0;
	for (int i = 0; i < n; i++) {
		if (raw_connect(&r) < 0) {
			continue;
		}
		uint32_t words[2] = { 1, (4u << 16) | 0 };
		raw_send(&r, words, 2, NULL, 0);
		raw_wait_error(&r, 3000);
		errors += r.got_error;
		close(r.fd);
	}
	printf("errors %d of %d\n", errors, n);
	return 0;
}

int main(int argc, char *argv[])
{
	raise_fd_limit();
	if (argc == 4 && strcmp(argv[1], "conns") == 0) {
		return conns(atoi(argv[2]), atoi(argv[3]));
	} else if (argc == 4 && strcmp(argv[1], "regions") == 0) {
		return objects(atoi(argv[2]), atoi(argv[3]), 1, false);
	} else if (argc == 4 && strcmp(argv[1], "surfaces") == 0) {
		return objects(atoi(argv[2]), atoi(argv[3]), 0, false);
	} else if (argc == 4 && strcmp(argv[1], "pools") == 0) {
		return objects(atoi(argv[2]), atoi(argv[3]), 0, true);
	} else if (argc == 3 && strcmp(argv[1], "rects") == 0) {
		return rects(atoi(argv[2]));
	} else if (argc == 3 && strcmp(argv[1], "garbage") == 0) {
		return garbage(atoi(argv[2]));
	}
	fprintf(stderr, "usage: flood conns N SECONDS | regions|surfaces|pools CONNS "
		"COUNT | rects COUNT | "
		"garbage N\n");
	return 2;
}
