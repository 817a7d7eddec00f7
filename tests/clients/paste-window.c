/*
 * A window that uses the clipboard the way apps do (wl_data_device), to
 * test the focus rules.
 *
 * usage: paste-window APP-ID paste SECONDS
 *          every 200 ms, reads the current selection and prints
 *          "paste [focused|unfocused]: TEXT" ("<empty>" when refused);
 *          with PASTE_TIMES set, "SECONDS.MICROS ok|no" instead, the time
 *          (CLOCK_REALTIME) each paste was asked for. PASTE_INTERVAL_MS:
 *          another interval
 *        paste-window APP-ID paste-release-keyboard|paste-release-seat SECONDS
 *          the same, but once a paste with focus worked, releases its
 *          wl_keyboard (or its wl_seat) and prints "released"; once the
 *          file $PASTE_MARKER exists, prints "marker" between pastes
 *        paste-window APP-ID copy-own|copy-forged TEXT
 *          on keyboard focus, offers TEXT with the focus serial (own) or
 *          a made-up one (forged); prints "copy kept" or "copy cancelled"
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "xdg-shell-client-protocol.h"

static struct wl_compositor *compositor;
static struct wl_shm *shm;
static struct xdg_wm_base *wm_base;
static struct wl_seat *seat;
static struct wl_data_device_manager *ddm;
static struct wl_data_device *device;
static struct wl_keyboard *keyboard;
static struct wl_surface *surface;
static struct wl_data_offer *selection;
static bool focused, configured, cancelled;
static uint32_t focus_serial;
static const char *copy_text;
static bool released; /* never makes a new keyboard after its release */



static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = { wm_ping };

static void global(void *data, struct wl_registry *reg, uint32_t name,
	const char *iface, uint32_t version)
{
	if (strcmp(iface, "wl_compositor") == 0) {
		compositor = wl_registry_bind(reg, name,
			&wl_compositor_interface, 4);
	} else if (strcmp(iface, "wl_shm") == 0) {
		shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
	} else if (strcmp(iface, "xdg_wm_base") == 0) {
		wm_base = wl_registry_bind(reg, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
	} else if (strcmp(iface, "wl_seat") == 0 && seat == NULL) {
		seat = wl_registry_bind(reg, name, &wl_seat_interface, 5);
	} else if (strcmp(iface, "wl_data_device_manager") == 0) {
		ddm = wl_registry_bind(reg, name,
			&wl_data_device_manager_interface, 3);
	}
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	global, global_remove,
};

static void kb_keymap(void *d, struct wl_keyboard *k, uint32_t format,
	int32_t fd, uint32_t size)
{
	close(fd);
}

static void kb_enter(void *d, struct wl_keyboard *k, uint32_t serial,
	struct wl_surface *s, struct wl_array *keys)
{
	focused = true;
	focus_serial = serial;
	printf("focus in\n");
	fflush(stdout);
}

static void kb_leave(void *d, struct wl_keyboard *k, uint32_t serial,
	struct wl_surface *s)
{
	focused = false;
	printf("focus out\n");
	fflush(stdout);
}

static void kb_key(void *d, struct wl_keyboard *k, uint32_t serial,
	uint32_t time, uint32_t key, uint32_t state)
{
}

static void kb_mods(void *d, struct wl_keyboard *k, uint32_t serial,
	uint32_t dep, uint32_t lat, uint32_t lock, uint32_t group)
{
}

static void kb_repeat(void *d, struct wl_keyboard *k, int32_t rate,
	int32_t delay)
{
}

static const struct wl_keyboard_listener kb_listener = {
	kb_keymap, kb_enter, kb_leave, kb_key, kb_mods, kb_repeat,
};

static void seat_caps(void *data, struct wl_seat *s, uint32_t caps)
{
	if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && keyboard == NULL &&
			!released) {
		keyboard = wl_seat_get_keyboard(s);
		wl_keyboard_add_listener(keyboard, &kb_listener, NULL);
	}
}

static void seat_name(void *data, struct wl_seat *s, const char *name)
{
}

static const struct wl_seat_listener seat_listener = { seat_caps, seat_name };

static void dd_offer(void *d, struct wl_data_device *dd,
	struct wl_data_offer *offer)
{
}

static void dd_enter(void *d, struct wl_data_device *dd, uint32_t serial,
	struct wl_surface *s, wl_fixed_t x, wl_fixed_t y,
	struct wl_data_offer *offer)
{
}

static void dd_leave(void *d, struct wl_data_device *dd)
{
}

static void dd_motion(void *d, struct wl_data_device *dd, uint32_t t,
	wl_fixed_t x, wl_fixed_t y)
{
}

static void dd_drop(void *d, struct wl_data_device *dd)
{
}

static void dd_selection(void *d, struct wl_data_device *dd,
	struct wl_data_offer *offer)
{
	if (selection != NULL) {
		wl_data_offer_destroy(selection);
	}
	selection = offer;
}

static const struct wl_data_device_listener dd_listener = {
	dd_offer, dd_enter, dd_leave, dd_motion, dd_drop, dd_selection,
};

static void xdg_surface_configure(void *data, struct xdg_surface *xs,
	uint32_t serial)
{
	xdg_surface_ack_configure(xs, serial);
	configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	xdg_surface_configure,
};

static void draw(void)
{
	int w = 200, h = 100, stride = w * 4;
	int fd = memfd_create("window", MFD_CLOEXEC);
	if (ftruncate(fd, stride * h) != 0) {
		exit(1);
	}
	uint32_t *px = mmap(NULL, stride * h, PROT_WRITE, MAP_SHARED, fd, 0);
	for (int i = 0; i < w * h; i++) {
		px[i] = 0xff336699;
	}
	munmap(px, stride * h);
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, stride * h);
	struct wl_buffer *buf = wl_shm_pool_create_buffer(pool, 0, w, h,
		stride, WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_surface_attach(surface, buf, 0, 0);
	wl_surface_damage(surface, 0, 0, w, h);
	wl_surface_commit(surface);
}

static void source_target(void *d, struct wl_data_source *s, const char *m)
{
}

static void source_send(void *d, struct wl_data_source *s, const char *mime,
	int32_t fd)
{
	ssize_t n = write(fd, copy_text, strlen(copy_text));
	(void)n;
	close(fd);
}

static void source_cancelled(void *d, struct wl_data_source *s)
{
	cancelled = true;
}

static const struct wl_data_source_listener source_listener = {
	.target = source_target,
	.send = source_send,
	.cancelled = source_cancelled,
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Dispatch for up to ms milliseconds. */
static void pump(struct wl_display *display, int ms)
{
	double end = now() + ms / 1000.0;
	while (now() < end) {
		while (wl_display_prepare_read(display) != 0) {
			wl_display_dispatch_pending(display);
		}
		wl_display_flush(display);
		struct pollfd p = { .fd = wl_display_get_fd(display),
			.events = POLLIN };
		int left = (int)((end - now()) * 1000);
		if (poll(&p, 1, left > 0 ? left : 0) > 0) {
			wl_display_read_events(display);
		} else {
			wl_display_cancel_read(display);
		}
		wl_display_dispatch_pending(display);
	}
}

/* false: nothing came */
static bool paste_once(struct wl_display *display)
{
	struct timespec asked;
	clock_gettime(CLOCK_REALTIME, &asked);
	char text[256] = "";
	if (selection != NULL) {
		int p[2];
		if (pipe(p) != 0) {
			exit(1);
		}
		wl_data_offer_receive(selection, "text/plain;charset=utf-8", p[1]);
		close(p[1]);
		wl_display_flush(display);
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		size_t len = 0;
		while (len < sizeof(text) - 1) {
			pump(display, 0);
			if (poll(&pf, 1, 300) <= 0) {
				break;
			}
			ssize_t n = read(p[0], text + len, sizeof(text) - 1 - len);
			if (n <= 0) {
				break;
			}
			len += n;
		}
		text[len] = '\0';
		close(p[0]);
		text[strcspn(text, "\n")] = '\0';
	}
	if (getenv("PASTE_TIMES") != NULL) {
		/* CLOCK_REALTIME: a shell's $EPOCHREALTIME */
		printf("%lld.%06ld %s\n", (long long)asked.tv_sec,
			asked.tv_nsec / 1000, text[0] ? "ok" : "no");
	} else {
		printf("paste [%s]: %s\n", focused ? "focused" :
			"unfocused", text[0] ? text : "<empty>");
	}
	fflush(stdout);
	return text[0] != '\0';
}

int main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: paste-window APP-ID MODE ARG\n");
		return 2;
	}
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		fprintf(stderr, "cannot connect\n");
		return 1;
	}
	struct wl_registry *reg = wl_display_get_registry(display);
	wl_registry_add_listener(reg, &registry_listener, NULL);
	wl_display_roundtrip(display);
	if (!compositor || !shm || !wm_base || !seat || !ddm) {
		fprintf(stderr, "missing globals\n");
		return 1;
	}
	wl_seat_add_listener(seat, &seat_listener, NULL);
	device = wl_data_device_manager_get_data_device(ddm, seat);
	wl_data_device_add_listener(device, &dd_listener, NULL);
	surface = wl_compositor_create_surface(compositor);
	struct xdg_surface *xs = xdg_wm_base_get_xdg_surface(wm_base, surface);
	xdg_surface_add_listener(xs, &xdg_surface_listener, NULL);
	struct xdg_toplevel *top = xdg_surface_get_toplevel(xs);
	xdg_toplevel_set_app_id(top, argv[1]);
	wl_surface_commit(surface);
	while (!configured) {
		if (wl_display_dispatch(display) < 0) {
			return 1;
		}
	}
	draw();

	if (strncmp(argv[2], "paste", 5) == 0) {
		bool release_kb = strcmp(argv[2], "paste-release-keyboard") == 0;
		bool release_seat = strcmp(argv[2], "paste-release-seat") == 0;
		const char *marker = getenv("PASTE_MARKER");
		double end = now() + atof(argv[3]);
		const char *interval = getenv("PASTE_INTERVAL_MS");
		int every = interval ? atoi(interval) : 200;
		while (now() < end) {
			pump(display, every);
			if (marker != NULL && access(marker, F_OK) == 0) {
				marker = NULL;
				printf("marker\n");
				fflush(stdout);
			}
			if (!paste_once(display) || !focused ||
					(!release_kb && !release_seat)) {
				continue;
			}
			if (release_kb && keyboard != NULL) {
				wl_keyboard_release(keyboard);
				keyboard = NULL;
			} else if (release_seat && seat != NULL) {
				wl_seat_release(seat);
				seat = NULL;
			}
			release_kb = release_seat = false;
			released = true;
			printf("released\n");
			fflush(stdout);
		}
		return 0;
	}
	bool forged = strcmp(argv[2], "copy-forged") == 0;
	copy_text = argv[3];
	double end = now() + 5;
	while (!focused && now() < end) {
		pump(display, 50);
	}
	if (!focused) {
		printf("never focused\n");
		return 1;
	}
	struct wl_data_source *source = wl_data_device_manager_create_data_source(
		ddm);
	wl_data_source_add_listener(source, &source_listener, NULL);
	wl_data_source_offer(source, "text/plain;charset=utf-8");
	wl_data_device_set_selection(device, source,
		forged ? focus_serial + 1000 : focus_serial);
	pump(display, 1500);
	printf("copy %s\n", cancelled ? "cancelled" : "kept");
	fflush(stdout);
	/* serve pastes while the test reads */
	pump(display, 1500);
	return 0;
}
