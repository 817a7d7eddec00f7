/*
 * org.freedesktop.portal.ScreenCast on the sandbox's private bus. Calls
 * answer through org.freedesktop.portal.Request objects and their
 * Response signal (0 granted, 1 cancelled or denied, 2 failed); sessions
 * are org.freedesktop.portal.Session objects that belong to the caller
 * that made them. Start asks through the launcher's gate (its prompt,
 * store and scopes for "screencopy").
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "list.h"
#include "log.h"
#include "media-pw.h"
#include "media-restrict.h"
#include "notes.h"
#include "portal.h"
#include "screencast.h"
#include "screencast-private.h"
#include "sd-bus-lazy.h"

#define IFACE_SCREENCAST "org.freedesktop.portal.ScreenCast"
#define IFACE_REQUEST "org.freedesktop.portal.Request"
#define IFACE_SESSION "org.freedesktop.portal.Session"
#define ERR_NOT_ALLOWED CW_PORTAL_ERR_NOT_ALLOWED
#define ERR_INVALID CW_PORTAL_ERR_INVALID
#define ERR_FAILED CW_PORTAL_ERR_FAILED

#define SOURCE_MONITOR 1u
#define CURSOR_HIDDEN 1u
#define CURSOR_EMBEDDED 2u
#define MAX_SESSIONS 16

/* What the app's calls can make the portal say (cw_notes). */
enum portal_note {
	NOTE_RESPONSE, /* a Response that could not be sent */
	NOTE_START,    /* Start failed */
	NOTE_ENDED,    /* a cast ended */
	NOTE_REMOTE,   /* OpenPipeWireRemote failed */
};

enum response {
	RESPONSE_OK = 0,
	RESPONSE_CANCELLED = 1,
	RESPONSE_OTHER = 2,
};

enum session_state {
	SESSION_NEW,      /* CreateSession done */
	SESSION_SELECTED, /* SelectSources done */
	SESSION_STARTING, /* Start: asking, or capturing the first frame */
	SESSION_STARTED,  /* the node is there */
};

struct session {
	struct cw_list link; /* cw_screencast::sessions */
	struct cw_screencast *sc;
	char *path;
	char *owner; /* the unique name that made it */
	sd_bus_slot *slot;
	enum session_state state;
	uint32_t cursor_mode;
	/* Start in flight */
	char *request_path;
	sd_bus_slot *request_slot;
	struct cw_consent_listener answer; /* on the gate's question */
	struct cw_sc_cast *cast;
	/* OpenPipeWireRemote in flight: answered once PipeWire has made
	 * the restricted connection */
	struct cw_media_restrict *remote;
	sd_bus_message *remote_call;
};

struct cw_screencast {
	struct cw_loop *loop;
	char *app, *instance, *compositor;
	struct cw_screencast_gate gate;
	struct cw_portal_host *host;
	sd_bus_slot *object_slot;
	struct cw_media_pw *pw; /* made at the first grant */
	struct cw_list sessions;
	size_t nsessions;
	unsigned next_node;
	struct cw_notes notes;
};

static void session_close(struct session *s, bool emit_closed);

/* ---- requests and responses ---- */

/* The options this portal reads: tokens, types, cursor_mode. */
struct options {
	char handle_token[80];
	char session_token[80];
	uint32_t types;
	uint32_t cursor_mode;
	bool multiple;
	bool bad;
	char why[128];
};

static int read_options(sd_bus_message *m, struct options *o)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key;
		const char *s;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
			return r;
		}
		char *dst = NULL;
		if (strcmp(key, "handle_token") == 0) {
			dst = o->handle_token;
		} else if (strcmp(key, "session_handle_token") == 0) {
			dst = o->session_token;
		}
		if (dst != NULL) {
			r = sd_bus_message_read(m, "v", "s", &s);
			if (r < 0 || !cw_portal_valid_token(s)) {
				o->bad = true;
				snprintf(o->why, sizeof(o->why), "%s: letters, "
					"digits and '_' only", key);
				return r < 0 ? r : 0;
			}
			snprintf(dst, 80, "%s", s);
		} else if (strcmp(key, "types") == 0) {
			r = sd_bus_message_read(m, "v", "u", &o->types);
		} else if (strcmp(key, "cursor_mode") == 0) {
			r = sd_bus_message_read(m, "v", "u", &o->cursor_mode);
		} else if (strcmp(key, "multiple") == 0) {
			int b;
			r = sd_bus_message_read(m, "v", "b", &b);
			o->multiple = b;
		} else {
			/* restore_token, persist_mode...: not kept */
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0) {
			o->bad = true;
			snprintf(o->why, sizeof(o->why), "%s: wrong type", key);
			return 0;
		}
		if ((r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	}
	if (r < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

static void request_path(struct cw_screencast *sc, const char *sender,
	const char *token, char *out, size_t len)
{
	cw_portal_handle_path(sc->host, "request", sender, token, out, len);
}

/* Response(code, results): results has the session handle or the
 * streams, or nothing. Sent to the caller only. */
static void respond(struct cw_screencast *sc, const char *path,
	const char *dest, enum response code, const struct session *s,
	bool with_session, bool with_streams)
{
	sd_bus *bus = cw_portal_bus(sc->host);
	if (bus == NULL) {
		return; /* the bus is gone, and the caller with it */
	}
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_signal(bus, &m, path, IFACE_REQUEST,
		"Response");
	if (r >= 0) {
		r = sd_bus_message_set_destination(m, dest);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "u", (uint32_t)code);
	}
	if (r >= 0) {
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	}
	if (r >= 0 && with_session) {
		r = sd_bus_message_append(m, "{sv}", "session_handle", "s",
			s->path);
	}
	if (r >= 0 && with_streams) {
		uint32_t w, h;
		cw_sc_cast_size(s->cast, &w, &h);
		r = sd_bus_message_open_container(m, 'e', "sv");
		if (r >= 0) {
			r = sd_bus_message_append(m, "s", "streams");
		}
		if (r >= 0) {
			r = sd_bus_message_open_container(m, 'v', "a(ua{sv})");
		}
		if (r >= 0) {
			r = sd_bus_message_append(m, "a(ua{sv})", 1,
				cw_sc_cast_node(s->cast), 3,
				"position", "(ii)", 0, 0,
				"size", "(ii)", (int32_t)w, (int32_t)h,
				"source_type", "u", SOURCE_MONITOR);
		}
		if (r >= 0) {
			r = sd_bus_message_close_container(m);
		}
		if (r >= 0) {
			r = sd_bus_message_close_container(m);
		}
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(m);
	}
	if (r >= 0) {
		r = sd_bus_send(bus, m, NULL);
	}
	if (r < 0) {
		cw_note(&sc->notes, NOTE_RESPONSE, "ERROR", "ScreenCast: "
			"cannot send a response: %s", strerror(-r));
	}
	sd_bus_message_unref(m);
	cw_portal_flush(sc->host);
}

/* ---- sessions ---- */

static struct session *find_session(struct cw_screencast *sc,
	const char *path)
{
	struct session *s;
	cw_list_for_each(s, &sc->sessions, link) {
		if (strcmp(s->path, path) == 0) {
			return s;
		}
	}
	return NULL;
}

static void end_start(struct session *s)
{
	cw_consent_unlisten(&s->answer);
	s->request_slot = sd_bus_slot_unref(s->request_slot);
	free(s->request_path);
	s->request_path = NULL;
}

static void session_close(struct session *s, bool emit_closed)
{
	struct cw_screencast *sc = s->sc;
	if (s->request_path != NULL) {
		/* a Start still out gets its answer: it did not happen */
		respond(sc, s->request_path, s->owner, RESPONSE_CANCELLED,
			s, false, false);
	}
	end_start(s);
	if (s->remote != NULL) {
		cw_media_restrict_cancel(s->remote);
		sd_bus_reply_method_errorf(s->remote_call, ERR_FAILED,
			"the session was closed");
		sd_bus_message_unref(s->remote_call);
	}
	cw_sc_cast_destroy(s->cast);
	sd_bus *bus = cw_portal_bus(sc->host);
	if (emit_closed && bus != NULL) {
		sd_bus_message *m = NULL;
		int r = sd_bus_message_new_signal(bus, &m, s->path,
			IFACE_SESSION, "Closed");
		if (r >= 0) {
			r = sd_bus_message_set_destination(m, s->owner);
		}
		if (r >= 0) {
			r = sd_bus_message_append(m, "a{sv}", 0);
		}
		if (r >= 0) {
			sd_bus_send(bus, m, NULL);
		}
		sd_bus_message_unref(m);
		cw_portal_flush(sc->host);
	}
	sd_bus_slot_unref(s->slot);
	cw_list_remove(&s->link);
	sc->nsessions--;
	free(s->path);
	free(s->owner);
	free(s);
}

/* Close on a Session, or on the Request of a Start in flight: either ends
 * the session (no Response follows a closed Request). */
static int close_method(sd_bus_message *m, struct session *s, bool request,
	sd_bus_error *error)
{
	if (strcmp(sd_bus_message_get_sender(m), s->owner) != 0) {
		return sd_bus_error_set(error, ERR_NOT_ALLOWED,
			"not your session");
	}
	int r = sd_bus_reply_method_return(m, NULL);
	if (request) {
		end_start(s);
	}
	session_close(s, request);
	return r;
}

static int session_method_close(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	return close_method(m, data, false, error);
}

static int session_prop_version(sd_bus *bus, const char *path,
	const char *iface, const char *prop, sd_bus_message *reply,
	void *data, sd_bus_error *error)
{
	return sd_bus_message_append(reply, "u", 1u);
}

static sd_bus_vtable session_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Close", "", "", session_method_close,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("Closed", "a{sv}", 0),
	SD_BUS_PROPERTY("version", "u", session_prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static int request_method_close(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	return close_method(m, data, true, error);
}

static sd_bus_vtable request_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Close", "", "", request_method_close,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("Response", "ua{sv}", 0),
	SD_BUS_VTABLE_END,
};

/* ---- the methods ---- */

static int method_create_session(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct cw_screencast *sc = data;
	struct options o = { 0 };
	int r = read_options(m, &o);
	if (r < 0) {
		return r;
	}
	if (o.bad) {
		return sd_bus_error_set(error, ERR_INVALID, o.why);
	}
	const char *sender = sd_bus_message_get_sender(m);
	if (sc->nsessions >= MAX_SESSIONS) {
		return sd_bus_error_setf(error, ERR_FAILED, "at most %d "
			"sessions at a time", MAX_SESSIONS);
	}
	char path[512], req[512];
	cw_portal_handle_path(sc->host, "session", sender, o.session_token,
		path, sizeof(path));
	if (find_session(sc, path) != NULL) {
		return sd_bus_error_setf(error, ERR_INVALID, "session %s "
			"exists", path);
	}
	struct session *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->path = strdup(path)) == NULL ||
			(s->owner = strdup(sender)) == NULL) {
		if (s != NULL) {
			free(s->path);
			free(s);
		}
		return -ENOMEM;
	}
	s->sc = sc;
	s->cursor_mode = CURSOR_HIDDEN;
	r = sd_bus_add_object_vtable(cw_portal_bus(sc->host), &s->slot, s->path,
		IFACE_SESSION, session_vtable, s);
	if (r < 0) {
		free(s->path);
		free(s->owner);
		free(s);
		return r;
	}
	cw_list_insert(sc->sessions.prev, &s->link);
	sc->nsessions++;
	request_path(sc, sender, o.handle_token, req, sizeof(req));
	r = sd_bus_reply_method_return(m, "o", req);
	respond(sc, req, sender, RESPONSE_OK, s, true, false);
	return r;
}

/* The caller's own session, else an error set. */
static struct session *own_session(struct cw_screencast *sc,
	sd_bus_message *m, const char *path, sd_bus_error *error)
{
	struct session *s = find_session(sc, path);
	if (s == NULL || strcmp(s->owner, sd_bus_message_get_sender(m)) != 0) {
		sd_bus_error_setf(error, ERR_NOT_ALLOWED, "no session %s of "
			"yours", path);
		return NULL;
	}
	return s;
}

/*
 * The start of every call on a session: its handle (and for Start the
 * parent window, unused), the options, and the caller's own session. NULL
 * with *r the handler's return value.
 */
static struct session *session_call(struct cw_screencast *sc,
	sd_bus_message *m, bool parent, struct options *o, sd_bus_error *error,
	int *r)
{
	const char *path, *window;
	*r = parent ? sd_bus_message_read(m, "os", &path, &window) :
		sd_bus_message_read(m, "o", &path);
	if (*r < 0 || (*r = read_options(m, o)) < 0) {
		return NULL;
	}
	if (o->bad) {
		*r = sd_bus_error_set(error, ERR_INVALID, o->why);
		return NULL;
	}
	struct session *s = own_session(sc, m, path, error);
	if (s == NULL) {
		*r = -EPERM;
	}
	return s;
}

static int method_select_sources(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct cw_screencast *sc = data;
	struct options o = { .types = SOURCE_MONITOR,
		.cursor_mode = CURSOR_HIDDEN };
	int r;
	struct session *s = session_call(sc, m, false, &o, error, &r);
	if (s == NULL) {
		return r;
	}
	if (s->state > SESSION_SELECTED) {
		return sd_bus_error_set(error, ERR_FAILED, "sources are "
			"selected before Start");
	}
	if (!(o.types & SOURCE_MONITOR)) {
		return sd_bus_error_set(error, ERR_INVALID, "only monitors "
			"(types 1) can be shared here");
	}
	if (o.cursor_mode != CURSOR_HIDDEN && o.cursor_mode != CURSOR_EMBEDDED) {
		return sd_bus_error_setf(error, ERR_INVALID, "cursor_mode %u: "
			"1 (hidden) or 2 (embedded)", o.cursor_mode);
	}
	s->cursor_mode = o.cursor_mode;
	s->state = SESSION_SELECTED;
	char req[512];
	request_path(sc, sd_bus_message_get_sender(m), o.handle_token, req,
		sizeof(req));
	r = sd_bus_reply_method_return(m, "o", req);
	respond(sc, req, s->owner, RESPONSE_OK, s, false, false);
	return r;
}

static void on_cast(void *data, enum cw_sc_cast_event ev, const char *why)
{
	struct session *s = data;
	struct cw_screencast *sc = s->sc;
	switch (ev) {
	case CW_SC_CAST_STARTED:
		s->state = SESSION_STARTED;
		cw_log(CW_LOG_INFO, "ScreenCast: %s shares node %u", sc->app,
			cw_sc_cast_node(s->cast));
		respond(sc, s->request_path, s->owner, RESPONSE_OK, s, false,
			true);
		end_start(s);
		break;
	case CW_SC_CAST_FRAME:
		if (sc->gate.frame != NULL) {
			sc->gate.frame(sc->gate.data);
		}
		break;
	case CW_SC_CAST_ENDED:
		cw_note(&sc->notes, NOTE_ENDED, "ENDED", "%s: screen cast "
			"ended: %s", sc->app, why);
		if (s->request_path != NULL) {
			respond(sc, s->request_path, s->owner, RESPONSE_OTHER,
				s, false, false);
			end_start(s);
		}
		session_close(s, true);
		break;
	}
}

static void begin_cast(struct session *s)
{
	struct cw_screencast *sc = s->sc;
	char err[512], name[256];
	if (sc->pw == NULL) {
		sc->pw = cw_media_pw_create(sc->loop, err, sizeof(err));
		if (sc->pw == NULL) {
			on_cast(s, CW_SC_CAST_ENDED, err);
			return;
		}
	}
	snprintf(name, sizeof(name), "crate-wl.%s.%s.screen%u", sc->app,
		sc->instance, sc->next_node++);
	cw_sc_cast_start(s->cast, sc->pw, name);
}

static void answered(struct session *s, bool allowed)
{
	if (allowed) {
		begin_cast(s);
		return;
	}
	respond(s->sc, s->request_path, s->owner, RESPONSE_CANCELLED, s,
		false, false);
	end_start(s);
	s->state = SESSION_SELECTED;
	cw_sc_cast_destroy(s->cast);
	s->cast = NULL;
}

static void on_answer(struct cw_consent_listener *answer,
	enum cw_capability cap, enum cw_decision decision)
{
	struct session *s = cw_container_of(answer, s, answer);
	answered(s, decision == CW_DECISION_ALLOW);
}

static int method_start(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct cw_screencast *sc = data;
	struct options o = { 0 };
	int r;
	struct session *s = session_call(sc, m, true, &o, error, &r);
	if (s == NULL) {
		return r;
	}
	if (s->state != SESSION_SELECTED) {
		return sd_bus_error_set(error, ERR_FAILED, s->state ==
			SESSION_NEW ? "SelectSources comes before Start" :
			"this session has started already");
	}
	char req[512];
	request_path(sc, s->owner, o.handle_token, req, sizeof(req));
	s->request_path = strdup(req);
	if (s->request_path == NULL) {
		return -ENOMEM;
	}
	r = sd_bus_add_object_vtable(cw_portal_bus(sc->host), &s->request_slot, req,
		IFACE_REQUEST, request_vtable, s);
	if (r < 0) {
		free(s->request_path);
		s->request_path = NULL;
		return r;
	}
	s->state = SESSION_STARTING;
	r = sd_bus_reply_method_return(m, "o", req);

	enum cw_decision v = sc->gate.check(sc->gate.data);
	if (v == CW_DECISION_DENY) {
		answered(s, false);
		return r;
	}
	char err[512];
	s->cast = cw_sc_cast_create(sc->loop, sc->compositor,
		s->cursor_mode == CURSOR_EMBEDDED, on_cast, s, err,
		sizeof(err));
	if (s->cast == NULL) {
		cw_note(&sc->notes, NOTE_START, "ERROR", "%s: cannot share "
			"the screen: %s", sc->app, err);
		respond(sc, s->request_path, s->owner, RESPONSE_OTHER, s,
			false, false);
		end_start(s);
		s->state = SESSION_SELECTED;
		return r;
	}
	if (v == CW_DECISION_ALLOW) {
		begin_cast(s);
		return r;
	}
	char detail[256];
	const char *output = cw_sc_cast_output(s->cast);
	snprintf(detail, sizeof(detail), "share output %s through the "
		"ScreenCast portal", output[0] ? output : "(unnamed)");
	/* the answer may come at once (nobody to ask) */
	s->answer.changed = on_answer;
	sc->gate.ask(sc->gate.data, detail, &s->answer);
	return r;
}

static void on_remote(void *data, int fd, uint32_t client_id,
	const char *err)
{
	struct session *s = data;
	struct cw_screencast *sc = s->sc;
	sd_bus_message *m = s->remote_call;
	cw_media_restrict_cancel(s->remote); /* frees it */
	s->remote = NULL;
	s->remote_call = NULL;
	if (fd < 0) {
		cw_note(&sc->notes, NOTE_REMOTE, "REFUSED", "%s: "
			"OpenPipeWireRemote: %s", sc->app, err);
		sd_bus_reply_method_errorf(m, ERR_FAILED, "%s", err);
	} else {
		sd_bus_reply_method_return(m, "h", fd);
		close(fd);
	}
	sd_bus_message_unref(m);
	cw_portal_flush(sc->host);
}

static int method_open_remote(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct cw_screencast *sc = data;
	struct options o = { 0 };
	int r;
	struct session *s = session_call(sc, m, false, &o, error, &r);
	if (s == NULL) {
		return r;
	}
	if (s->state != SESSION_STARTED) {
		return sd_bus_error_set(error, ERR_NOT_ALLOWED, "no stream: "
			"the session has not started");
	}
	if (s->remote != NULL) {
		return sd_bus_error_set(error, ERR_FAILED, "an "
			"OpenPipeWireRemote of this session is in flight");
	}
	uint32_t node = cw_sc_cast_node(s->cast);
	s->remote = cw_media_restrict_start(sc->pw, &node, 1, NULL,
		on_remote, s);
	if (s->remote == NULL) {
		return sd_bus_error_set(error, ERR_FAILED, "cannot reach "
			"PipeWire");
	}
	s->remote_call = sd_bus_message_ref(m);
	return 1; /* answered later */
}

static int prop_u(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *data,
	sd_bus_error *error)
{
	uint32_t value = 0;
	if (strcmp(prop, "AvailableSourceTypes") == 0) {
		value = SOURCE_MONITOR;
	} else if (strcmp(prop, "AvailableCursorModes") == 0) {
		value = CURSOR_HIDDEN | CURSOR_EMBEDDED;
	} else if (strcmp(prop, "version") == 0) {
		value = 4;
	}
	return sd_bus_message_append(reply, "u", value);
}

static sd_bus_vtable screencast_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("CreateSession", "a{sv}", "o", method_create_session,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SelectSources", "oa{sv}", "o", method_select_sources,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Start", "osa{sv}", "o", method_start,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("OpenPipeWireRemote", "oa{sv}", "h", method_open_remote,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("AvailableSourceTypes", "u", prop_u, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("AvailableCursorModes", "u", prop_u, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("version", "u", prop_u, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

/* A caller left the bus: its sessions go with it. */
static void caller_gone(void *data, const char *unique)
{
	struct cw_screencast *sc = data;
	struct session *s, *tmp;
	cw_list_for_each_safe(s, tmp, &sc->sessions, link) {
		if (strcmp(s->owner, unique) == 0) {
			session_close(s, false);
		}
	}
}

/* ---- the whole ---- */

struct cw_screencast *cw_screencast_create(
	const struct cw_screencast_config *cfg, char *err, size_t errlen)
{
	struct cw_screencast *sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->loop = cfg->loop;
	sc->host = cfg->host;
	cw_notes_init(&sc->notes, sc->loop);
	sc->gate = cfg->gate;
	cw_list_init(&sc->sessions);
	sc->app = strdup(cfg->app);
	sc->instance = strdup(cfg->instance);
	sc->compositor = strdup(cfg->compositor);
	if (sc->app == NULL || sc->instance == NULL ||
			sc->compositor == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	cw_sd_bus_vtable_fix(session_vtable);
	cw_sd_bus_vtable_fix(request_vtable);
	int r = cw_portal_add_interface(sc->host, &sc->object_slot,
		IFACE_SCREENCAST, screencast_vtable, sc);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		goto fail;
	}
	if (!cw_portal_on_gone(sc->host, caller_gone, sc)) {
		snprintf(err, errlen, "too many portals");
		goto fail;
	}
	return sc;
fail:
	cw_screencast_destroy(sc);
	return NULL;
}

void cw_screencast_revoke(struct cw_screencast *sc)
{
	struct session *s, *tmp;
	cw_list_for_each_safe(s, tmp, &sc->sessions, link) {
		if (s->state == SESSION_STARTING || s->state ==
				SESSION_STARTED) {
			cw_msg("%s: screen cast ended: screencopy revoked",
				sc->app);
			session_close(s, true);
		}
	}
}

void cw_screencast_destroy(struct cw_screencast *sc)
{
	if (sc == NULL) {
		return;
	}
	struct session *s, *tmp;
	cw_list_for_each_safe(s, tmp, &sc->sessions, link) {
		session_close(s, false);
	}
	sd_bus_slot_unref(sc->object_slot);
	cw_media_pw_destroy(sc->pw);
	cw_notes_finish(&sc->notes);
	free(sc->app);
	free(sc->instance);
	free(sc->compositor);
	free(sc);
}
