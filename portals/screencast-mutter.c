/*
 * The stream from GNOME's compositor, where it offers no wlr-screencopy:
 * crate-wl itself, outside the sandbox, asks mutter over the user's session
 * bus (org.gnome.Mutter.ScreenCast, as GNOME's own portal backend does) for
 * a session recording the primary monitor. Mutter makes the PipeWire node;
 * the sandbox's PipeWire connection is restricted to exactly that node.
 * Stopping the session (or crate-wl's connection leaving the bus) makes
 * mutter remove the node, which ends the app's stream.
 *
 * Creating the session is a few calls on a connection of its own, waited
 * for (bounded): Start then asks the user before anything is recorded, so
 * that a desktop without the API fails before a question is asked. From
 * Start on, everything runs from the crate-wl loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "list.h"
#include "screencast-private.h"
#include "sd-bus-lazy.h"

#define MUTTER_NAME "org.gnome.Mutter.ScreenCast"
#define MUTTER_PATH "/org/gnome/Mutter/ScreenCast"
#define MUTTER_SESSION MUTTER_NAME ".Session"
#define MUTTER_STREAM MUTTER_NAME ".Stream"
/* each call made before Start, waited for */
#define SETUP_USEC (2 * 1000 * 1000ULL)
#define CALL_USEC (10 * 1000 * 1000ULL)
/* mutter's cursor-mode option: 0 hidden, 1 embedded */
#define CURSOR_HIDDEN 0
#define CURSOR_EMBEDDED 1

struct cw_sc_mutter {
	struct cw_bus bus;
	sd_bus_slot *added;   /* the stream's PipeWireStreamAdded */
	sd_bus_slot *closed;  /* the session's Closed */
	sd_bus_slot *start;   /* Start, in flight */
	char *session;
	char *stream;
	uint32_t node;
	int32_t width, height;
	cw_sc_mutter_func func;
	void *data;
	bool ended;
	bool in_dispatch;
	bool destroy_pending;
};

static void mutter_free(struct cw_sc_mutter *m);

static void end(struct cw_sc_mutter *m, const char *why)
{
	if (m->ended || m->destroy_pending) {
		return;
	}
	m->ended = true;
	m->func(m->data, 0, why);
}

static void bus_ready(struct cw_bus *bus)
{
	struct cw_sc_mutter *m = cw_container_of(bus, m, bus);
	m->in_dispatch = true;
	int r = cw_bus_process(bus);
	m->in_dispatch = false;
	if (m->destroy_pending) {
		mutter_free(m);
		return;
	}
	if (r < 0) {
		end(m, "lost the session bus, and with it mutter's screen cast");
		if (m->destroy_pending) {
			mutter_free(m);
			return;
		}
	}
	cw_bus_update(bus);
}

/* A method call on b with no arguments, or two strings (a, b), waited
 * for at most SETUP_USEC; reply: the answer (the caller unrefs it) or
 * NULL to drop it. */
static int call(sd_bus *b, const char *path, const char *iface,
	const char *method, sd_bus_message **reply, sd_bus_error *error,
	const char *s1, const char *s2)
{
	sd_bus_message *msg = NULL, *ans = NULL;
	int r = sd_bus_message_new_method_call(b, &msg, MUTTER_NAME, path,
		iface, method);
	if (r >= 0 && s1 != NULL) {
		r = sd_bus_message_append(msg, "ss", s1, s2);
	}
	if (r >= 0) {
		r = sd_bus_call(b, msg, SETUP_USEC, error, &ans);
	}
	sd_bus_message_unref(msg);
	if (reply != NULL && r >= 0) {
		*reply = ans;
	} else {
		sd_bus_message_unref(ans);
	}
	return r;
}

/* an empty a{sv}, or one with cursor-mode */
static int options(sd_bus_message *msg, bool cursor)
{
	int r = sd_bus_message_open_container(msg, 'a', "{sv}");
	if (r >= 0) {
		r = sd_bus_message_append(msg, "{sv}", "cursor-mode", "u",
			cursor ? CURSOR_EMBEDDED : CURSOR_HIDDEN);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(msg);
	}
	return r;
}

/* The stream's Parameters (a{sv}): its "size" (ii). */
static int read_size(sd_bus *b, struct cw_sc_mutter *m, sd_bus_error *error)
{
	sd_bus_message *ans = NULL;
	int r = call(b, m->stream, "org.freedesktop.DBus.Properties", "Get",
		&ans, error, MUTTER_STREAM, "Parameters");
	if (r < 0) {
		return r;
	}
	r = sd_bus_message_enter_container(ans, 'v', "a{sv}");
	if (r >= 0) {
		r = sd_bus_message_enter_container(ans, 'a', "{sv}");
	}
	while (r >= 0) {
		const char *key;
		r = sd_bus_message_enter_container(ans, 'e', "sv");
		if (r <= 0) {
			break;
		}
		r = sd_bus_message_read(ans, "s", &key);
		if (r >= 0 && strcmp(key, "size") == 0) {
			r = sd_bus_message_read(ans, "v", "(ii)", &m->width,
				&m->height);
		} else if (r >= 0) {
			r = sd_bus_message_skip(ans, "v");
		}
		if (r >= 0) {
			r = sd_bus_message_exit_container(ans);
		}
	}
	sd_bus_message_unref(ans);
	return r < 0 ? r : 0;
}

static int on_added(sd_bus_message *msg, void *data, sd_bus_error *error)
{
	struct cw_sc_mutter *m = data;
	uint32_t node;
	if (m->ended || m->destroy_pending || m->node != 0) {
		return 0;
	}
	if (sd_bus_message_read(msg, "u", &node) < 0 || node == 0) {
		end(m, "mutter named its PipeWire node in a signal that does "
			"not parse");
		return 0;
	}
	m->node = node;
	m->func(m->data, node, NULL);
	return 0;
}

static int on_closed(sd_bus_message *msg, void *data, sd_bus_error *error)
{
	end(data, "mutter closed the screen cast session");
	return 0;
}

static int on_start_reply(sd_bus_message *msg, void *data,
	sd_bus_error *error)
{
	struct cw_sc_mutter *m = data;
	m->start = sd_bus_slot_unref(m->start);
	const sd_bus_error *e = sd_bus_message_get_error(msg);
	if (e != NULL) {
		char why[512];
		snprintf(why, sizeof(why), "mutter refused Start: %s: %s",
			e->name, e->message ? e->message : "");
		end(m, why);
	}
	return 0;
}

struct cw_sc_mutter *cw_sc_mutter_create(struct cw_loop *loop, bool cursor,
	cw_sc_mutter_func func, void *data, char *err, size_t errlen)
{
	struct cw_sc_mutter *m = calloc(1, sizeof(*m));
	if (m == NULL || !cw_bus_init(&m->bus, loop, bus_ready)) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->func = func;
	m->data = data;
	sd_bus *b = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *ans = NULL;
	const char *path;
	int r;
	if (!cw_bus_findable()) {
		snprintf(err, errlen, "no session bus to reach GNOME's "
			"org.gnome.Mutter.ScreenCast on");
		goto fail;
	}
	char lib_err[256];
	if (!cw_sd_bus_load(lib_err, sizeof(lib_err))) {
		snprintf(err, errlen, "%s", lib_err);
		goto fail;
	}
	r = sd_bus_open_user(&b);
	if (r < 0) {
		snprintf(err, errlen, "cannot reach the session bus: %s",
			strerror(-r));
		goto fail;
	}
	/* CreateSession(a{sv}) -> o */
	sd_bus_message *msg = NULL;
	r = sd_bus_message_new_method_call(b, &msg, MUTTER_NAME, MUTTER_PATH,
		MUTTER_NAME, "CreateSession");
	if (r >= 0) {
		r = sd_bus_message_append(msg, "a{sv}", 0);
	}
	if (r >= 0) {
		r = sd_bus_call(b, msg, SETUP_USEC, &error, &ans);
	}
	msg = sd_bus_message_unref(msg);
	if (r >= 0) {
		r = sd_bus_message_read(ans, "o", &path);
	}
	if (r >= 0 && (m->session = strdup(path)) == NULL) {
		r = -ENOMEM;
	}
	ans = sd_bus_message_unref(ans);
	if (r < 0) {
		snprintf(err, errlen, "no org.gnome.Mutter.ScreenCast on the "
			"session bus either (%s)", error.message ?
			error.message : strerror(-r));
		goto fail;
	}
	/* RecordMonitor(s connector, a{sv}) -> o; "" is the primary one */
	r = sd_bus_message_new_method_call(b, &msg, MUTTER_NAME, m->session,
		MUTTER_SESSION, "RecordMonitor");
	if (r >= 0) {
		r = sd_bus_message_append(msg, "s", "");
	}
	if (r >= 0) {
		r = options(msg, cursor);
	}
	if (r >= 0) {
		r = sd_bus_call(b, msg, SETUP_USEC, &error, &ans);
	}
	sd_bus_message_unref(msg);
	if (r >= 0) {
		r = sd_bus_message_read(ans, "o", &path);
	}
	if (r >= 0 && (m->stream = strdup(path)) == NULL) {
		r = -ENOMEM;
	}
	ans = sd_bus_message_unref(ans);
	if (r < 0) {
		snprintf(err, errlen, "mutter's RecordMonitor failed: %s",
			error.message ? error.message : strerror(-r));
		goto fail;
	}
	r = read_size(b, m, &error);
	if (r < 0 || m->width <= 0 || m->height <= 0) {
		snprintf(err, errlen, "mutter's stream has no size: %s",
			error.message ? error.message : strerror(r < 0 ? -r :
			EINVAL));
		goto fail;
	}
	r = sd_bus_match_signal(b, &m->added, MUTTER_NAME, m->stream,
		MUTTER_STREAM, "PipeWireStreamAdded", on_added, m);
	if (r >= 0) {
		r = sd_bus_match_signal(b, &m->closed, MUTTER_NAME, m->session,
			MUTTER_SESSION, "Closed", on_closed, m);
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot watch mutter's signals: %s",
			strerror(-r));
		goto fail;
	}
	char why[512];
	sd_bus *adopted = b;
	b = NULL;
	if (!cw_bus_adopt(&m->bus, adopted, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		goto fail;
	}
	sd_bus_error_free(&error);
	return m;
fail:
	sd_bus_error_free(&error);
	if (b != NULL) {
		m->added = sd_bus_slot_unref(m->added);
		m->closed = sd_bus_slot_unref(m->closed);
		if (m->session != NULL) {
			call(b, m->session, MUTTER_SESSION, "Stop", NULL, NULL,
				NULL, NULL);
		}
		sd_bus_close_unref(b);
	}
	mutter_free(m);
	return NULL;
}

void cw_sc_mutter_size(const struct cw_sc_mutter *m, uint32_t *w,
	uint32_t *h)
{
	*w = (uint32_t)m->width;
	*h = (uint32_t)m->height;
}

void cw_sc_mutter_start(struct cw_sc_mutter *m)
{
	sd_bus_message *msg = NULL;
	int r = sd_bus_message_new_method_call(m->bus.bus, &msg, MUTTER_NAME,
		m->session, MUTTER_SESSION, "Start");
	if (r >= 0) {
		r = sd_bus_call_async(m->bus.bus, &m->start, msg,
			on_start_reply, m, CALL_USEC);
	}
	sd_bus_message_unref(msg);
	if (r < 0) {
		char why[256];
		snprintf(why, sizeof(why), "cannot call mutter's Start: %s",
			strerror(-r));
		end(m, why);
		return;
	}
	cw_bus_update(&m->bus);
}

static void mutter_free(struct cw_sc_mutter *m)
{
	m->added = sd_bus_slot_unref(m->added);
	m->closed = sd_bus_slot_unref(m->closed);
	m->start = sd_bus_slot_unref(m->start);
	if (m->bus.bus != NULL && m->session != NULL) {
		/* the node goes with the session; no reply is waited for */
		sd_bus_message *msg = NULL;
		if (sd_bus_message_new_method_call(m->bus.bus, &msg,
				MUTTER_NAME, m->session, MUTTER_SESSION,
				"Stop") >= 0 &&
				sd_bus_message_set_expect_reply(msg, 0) >= 0) {
			sd_bus_send(m->bus.bus, msg, NULL);
			sd_bus_flush(m->bus.bus);
		}
		sd_bus_message_unref(msg);
	}
	cw_bus_finish(&m->bus);
	free(m->session);
	free(m->stream);
	free(m);
}

void cw_sc_mutter_destroy(struct cw_sc_mutter *m)
{
	if (m == NULL || m->destroy_pending) {
		return;
	}
	if (m->in_dispatch) {
		m->destroy_pending = true;
		return;
	}
	mutter_free(m);
}
