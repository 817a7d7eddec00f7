#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bus.h"
#include "list.h"
#include "notify.h"
#include "util.h"

#define NOTIFY_NAME "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_IFACE "org.freedesktop.Notifications"
#define CALL_USEC (10 * 1000 * 1000ULL)
#define EXIT_WAIT_MS 1000

struct cw_notifier {
	struct cw_bus bus;
	void (*note)(void *data, const char *text);
	void *data;
	sd_bus_slot *slot; /* a Notify in flight */
	uint32_t id;       /* the shown notification's id, 0: none */
	bool wanted;       /* shown, or about to be */
};

static void note(struct cw_notifier *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct cw_notifier *n, const char *fmt, ...)
{
	if (n->note == NULL) {
		return;
	}
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	n->note(n->data, text);
}

static void send_close(struct cw_notifier *n)
{
	sd_bus_message *m = NULL;
	if (n->bus.bus != NULL && sd_bus_message_new_method_call(n->bus.bus,
			&m, NOTIFY_NAME, NOTIFY_PATH, NOTIFY_IFACE,
			"CloseNotification") >= 0 &&
			sd_bus_message_append(m, "u", n->id) >= 0 &&
			sd_bus_message_set_expect_reply(m, 0) >= 0 &&
			sd_bus_send(n->bus.bus, m, NULL) >= 0) {
		note(n, "withdrawn (id %" PRIu32 ")", n->id);
	}
	sd_bus_message_unref(m);
	n->id = 0;
}

static int notify_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct cw_notifier *n = data;
	n->slot = sd_bus_slot_unref(n->slot);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	if (e != NULL) {
		note(n, "none shown: %s: %s", e->name,
			e->message ? e->message : "");
		return 0;
	}
	uint32_t id;
	if (sd_bus_message_read(m, "u", &id) < 0) {
		note(n, "none shown: Notify sent a reply that does not parse");
		return 0;
	}
	n->id = id;
	note(n, "shown (id %" PRIu32 ")", id);
	if (!n->wanted) {
		/* it stopped while the call was out */
		send_close(n);
	}
	return 0;
}

static void bus_ready(struct cw_bus *bus)
{
	struct cw_notifier *n = cw_container_of(bus, n, bus);
	int r = cw_bus_process(bus);
	if (r < 0) {
		note(n, "lost the session bus: %s", strerror(-r));
		n->slot = sd_bus_slot_unref(n->slot);
		n->id = 0;
	}
	cw_bus_update(bus);
}

struct cw_notifier *cw_notifier_create(struct cw_loop *loop,
	void (*note_func)(void *data, const char *text), void *data)
{
	struct cw_notifier *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		return NULL;
	}
	n->note = note_func;
	n->data = data;
	if (!cw_bus_init(&n->bus, loop, bus_ready)) {
		free(n);
		return NULL;
	}
	return n;
}

static int append_hints(sd_bus_message *m)
{
	int r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0) {
		/* urgency normal; stays until withdrawn */
		r = sd_bus_message_append(m, "{sv}", "urgency", "y", 1);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "{sv}", "resident", "b", 1);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(m);
	}
	return r;
}

void cw_notifier_show(struct cw_notifier *n, const char *summary,
	const char *body)
{
	if (n == NULL || n->wanted) {
		return;
	}
	n->wanted = true;
	if (n->id != 0 || n->slot != NULL) {
		return; /* still up, or on its way */
	}
	char why[512];
	if (!cw_bus_connect(&n->bus, "the desktop notification", why,
			sizeof(why))) {
		note(n, "none shown: %s", why);
		return;
	}
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(n->bus.bus, &m, NOTIFY_NAME,
		NOTIFY_PATH, NOTIFY_IFACE, "Notify");
	if (r >= 0) {
		/* app_name, replaces_id, app_icon, summary, body, actions */
		r = sd_bus_message_append(m, "susssas", "crate-wl", 0,
			"dialog-warning", summary, body, 0);
	}
	if (r >= 0) {
		r = append_hints(m);
	}
	if (r >= 0) {
		/* expire_timeout 0: never, it goes when the capture stops */
		r = sd_bus_message_append(m, "i", 0);
	}
	if (r >= 0) {
		r = sd_bus_call_async(n->bus.bus, &n->slot, m, notify_reply, n,
			CALL_USEC);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		note(n, "none shown: cannot call Notify: %s", strerror(-r));
		return;
	}
	cw_bus_update(&n->bus);
}

void cw_notifier_close(struct cw_notifier *n)
{
	if (n == NULL || !n->wanted) {
		return;
	}
	n->wanted = false;
	if (n->id != 0) {
		send_close(n);
		cw_bus_update(&n->bus);
	}
	/* a Notify still out is withdrawn when its reply comes */
}

void cw_notifier_destroy(struct cw_notifier *n)
{
	if (n == NULL) {
		return;
	}
	n->wanted = false;
	/* the proxy is stopping, so waiting is allowed now, briefly: for
	 * the id of a notification still on its way, so it does not stay
	 * up for good, and for the withdrawal to leave */
	int64_t end = cw_now_ms() + EXIT_WAIT_MS;
	while (n->slot != NULL && n->bus.bus != NULL && cw_now_ms() < end) {
		if (cw_bus_process(&n->bus) < 0 || n->slot == NULL) {
			break;
		}
		sd_bus_wait(n->bus.bus, (uint64_t)(end - cw_now_ms()) * 1000);
	}
	if (n->id != 0) {
		send_close(n);
	}
	if (n->bus.bus != NULL) {
		sd_bus_flush(n->bus.bus);
	}
	n->slot = sd_bus_slot_unref(n->slot);
	cw_bus_finish(&n->bus);
	free(n);
}

void cw_notifier_release(struct cw_notifier *n)
{
	if (n == NULL) {
		return;
	}
	n->slot = sd_bus_slot_unref(n->slot);
	if (n->bus.bus != NULL) {
		/* the other process owns the connection now */
		n->bus.bus = sd_bus_unref(n->bus.bus);
	}
	/* closed without touching the epoll set the other one uses */
	close(n->bus.timer.fd);
	free(n);
}
