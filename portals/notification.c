/*
 * Notifications from the sandbox: org.freedesktop.portal.Notification
 * (AddNotification, RemoveNotification) at the portal's path and
 * org.freedesktop.Notifications itself (Notify, CloseNotification,
 * GetCapabilities, GetServerInformation) under its own well-known name,
 * both forwarded to the desktop's org.freedesktop.Notifications on the
 * host's session bus, and the desktop's signals (NotificationClosed,
 * ActionInvoked) sent back to the app that showed the notification.
 *
 * What reaches the desktop is rebuilt here, not passed on: the app's
 * name is crate-wl's for it (the app cannot pose as another), an icon
 * only as a theme icon's name (a path names a file in the app's view,
 * and the daemon would read it outside), summary and body cut to
 * bounds (the body's markup escaped where the daemon reads markup), at
 * most CW_NOTIFY_MAX_ACTIONS actions, and of the hints only
 * urgency, category and transient. The notifications capability decides
 * (default allow), and a token bucket limits the rate: a burst of
 * CW_NOTIFY_BURST, then one every CW_NOTIFY_EVERY_MS.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "list.h"
#include "log.h"
#include "rate.h"
#include "notification.h"
#include "permission.h"
#include "util.h"

#define FDO_NAME "org.freedesktop.Notifications"
#define FDO_PATH "/org/freedesktop/Notifications"
#define FDO_IFACE "org.freedesktop.Notifications"
#define PORTAL_IFACE "org.freedesktop.portal.Notification"
#define ERR_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define ERR_LIMITS "org.freedesktop.DBus.Error.LimitsExceeded"
#define ERR_UNKNOWN "org.freedesktop.DBus.Error.ServiceUnknown"
#define CALL_USEC (10 * 1000 * 1000ULL)

struct action {
	char *key;   /* the desktop's key */
	char *name;  /* what the app hears (the portal's action name) */
};

/* One notification shown (or on its way) for the app. */
struct note {
	struct cw_list link;
	struct notifications *n;
	uint32_t id;        /* the app's (Notify's) */
	char *portal_id;    /* AddNotification's id, or NULL */
	char *owner;        /* who showed it */
	uint32_t host_id;   /* the desktop's, 0 until Notify answers */
	sd_bus_slot *call;  /* Notify in flight */
	bool closing;       /* withdraw when the desktop's id comes */
	struct action actions[CW_NOTIFY_MAX_ACTIONS];
	size_t nactions;
};

struct notifications {
	struct cw_portal_host *host;
	const struct cw_portal_env *env;
	sd_bus_slot *fdo_slot, *portal_slot;
	struct cw_bus hostbus;
	bool matched;
	sd_bus_slot *closed_match, *action_match;
	/* the desktop's daemon reads markup in a body: -1 until it says */
	int markup;
	sd_bus_slot *caps_call;
	struct cw_list notes; /* struct note::link, oldest first */
	size_t nnotes;
	uint32_t next_id;
	struct cw_rate rate;
};

/* ---- what the app sends, bounded ---- */

/* s cut to at most max bytes, at a UTF-8 character's start */
static void cut(char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80) {
		max--;
	}
	s[max] = '\0';
}

/* A theme icon's name: [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool cw_notify_icon_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-') {
		return false;
	}
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '_' || c == '.' ||
				c == '-')) {
			return false;
		}
	}
	return true;
}

/* an action key or name: printable ASCII, bounded */
static bool token_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64) {
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			return false;
		}
	}
	return true;
}

/* What goes to the desktop, rebuilt from what the app sent. */
struct shown {
	char summary[CW_NOTIFY_MAX_SUMMARY + 1];
	char body[CW_NOTIFY_MAX_BODY + 1];
	char icon[65];
	int urgency; /* -1: not given */
	char category[65];
	bool transient;
	int32_t timeout;
	/* label and key pairs, the default action's label "" */
	char labels[CW_NOTIFY_MAX_ACTIONS][65];
	struct action actions[CW_NOTIFY_MAX_ACTIONS];
	size_t nactions;
};

static void shown_clear(struct shown *s)
{
	for (size_t i = 0; i < s->nactions; i++) {
		free(s->actions[i].key);
		free(s->actions[i].name);
	}
	s->nactions = 0;
}

static bool add_action(struct shown *s, const char *key, const char *name,
	const char *label)
{
	if (s->nactions == CW_NOTIFY_MAX_ACTIONS || !token_ok(key) ||
			!token_ok(name)) {
		return false;
	}
	struct action *a = &s->actions[s->nactions];
	a->key = strdup(key);
	a->name = strdup(name);
	if (a->key == NULL || a->name == NULL) {
		free(a->key);
		free(a->name);
		return false;
	}
	snprintf(s->labels[s->nactions], sizeof(s->labels[0]), "%s", label);
	cut(s->labels[s->nactions], 64);
	s->nactions++;
	return true;
}

/* ---- notes ---- */

static void note_free(struct note *note)
{
	cw_list_remove(&note->link);
	note->n->nnotes--;
	sd_bus_slot_unref(note->call);
	for (size_t i = 0; i < note->nactions; i++) {
		free(note->actions[i].key);
		free(note->actions[i].name);
	}
	free(note->portal_id);
	free(note->owner);
	free(note);
}

static struct note *find_id(struct notifications *n, uint32_t id)
{
	struct note *note;
	cw_list_for_each(note, &n->notes, link) {
		if (note->id == id && note->portal_id == NULL) {
			return note;
		}
	}
	return NULL;
}

static struct note *find_portal(struct notifications *n, const char *id)
{
	struct note *note;
	cw_list_for_each(note, &n->notes, link) {
		if (note->portal_id != NULL && strcmp(note->portal_id, id) == 0) {
			return note;
		}
	}
	return NULL;
}

static struct note *find_host(struct notifications *n, uint32_t host_id)
{
	struct note *note;
	cw_list_for_each(note, &n->notes, link) {
		if (note->host_id == host_id && host_id != 0) {
			return note;
		}
	}
	return NULL;
}

static void send_close(struct notifications *n, uint32_t host_id)
{
	sd_bus_message *m = NULL;
	if (n->hostbus.bus != NULL && sd_bus_message_new_method_call(
			n->hostbus.bus, &m, FDO_NAME, FDO_PATH, FDO_IFACE,
			"CloseNotification") >= 0 &&
			sd_bus_message_append(m, "u", host_id) >= 0 &&
			sd_bus_message_set_expect_reply(m, 0) >= 0) {
		sd_bus_send(n->hostbus.bus, m, NULL);
	}
	sd_bus_message_unref(m);
	cw_bus_update(&n->hostbus);
}

/* Withdraws it from the desktop (now, or when its id comes). */
static void note_close(struct note *note)
{
	if (note->host_id != 0) {
		send_close(note->n, note->host_id);
		note_free(note);
	} else {
		note->closing = true;
	}
}

/* ---- the app's side: signals back ---- */

/* ActionInvoked (action) or, for Notify's, NotificationClosed (reason) */
static void signal_app(struct notifications *n, struct note *note,
	const char *member, const char *action, uint32_t reason)
{
	sd_bus *b = cw_portal_bus(n->host);
	sd_bus_message *m = NULL;
	int r;
	if (b == NULL) {
		return;
	}
	if (note->portal_id != NULL) {
		r = sd_bus_message_new_signal(b, &m, CW_PORTAL_PATH,
			PORTAL_IFACE, "ActionInvoked");
		if (r >= 0) {
			r = sd_bus_message_append(m, "ssav", note->portal_id,
				action, 0);
		}
	} else {
		r = sd_bus_message_new_signal(b, &m, FDO_PATH, FDO_IFACE,
			member);
		if (r >= 0) {
			r = strcmp(member, "ActionInvoked") == 0 ?
				sd_bus_message_append(m, "us", note->id,
				action) : sd_bus_message_append(m, "uu",
				note->id, reason);
		}
	}
	/* to the whole bus, as a desktop's daemon sends them: every
	 * connection on it is the app's (notify-send has left by now; the
	 * app's main process may be the one listening) */
	if (r >= 0) {
		sd_bus_send(b, m, NULL);
	}
	sd_bus_message_unref(m);
	cw_portal_flush(n->host);
}

static int on_host_closed(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct notifications *n = data;
	uint32_t id, reason;
	if (sd_bus_message_read(m, "uu", &id, &reason) < 0) {
		return 0;
	}
	struct note *note = find_host(n, id);
	if (note == NULL) {
		return 0;
	}
	if (note->portal_id == NULL) {
		signal_app(n, note, "NotificationClosed", NULL, reason);
	}
	note_free(note);
	return 0;
}

static int on_host_action(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct notifications *n = data;
	uint32_t id;
	const char *key;
	if (sd_bus_message_read(m, "us", &id, &key) < 0) {
		return 0;
	}
	struct note *note = find_host(n, id);
	if (note == NULL) {
		return 0;
	}
	for (size_t i = 0; i < note->nactions; i++) {
		if (strcmp(note->actions[i].key, key) == 0) {
			signal_app(n, note, "ActionInvoked",
				note->actions[i].name, 0);
			break;
		}
	}
	return 0;
}

/* ---- the desktop's side ---- */

static void hostbus_ready(struct cw_bus *bus)
{
	struct notifications *n = cw_container_of(bus, n, hostbus);
	if (cw_bus_process(bus) < 0) {
		/* gone: the calls in flight failed through their callbacks */
		n->matched = false;
		n->closed_match = sd_bus_slot_unref(n->closed_match);
		n->action_match = sd_bus_slot_unref(n->action_match);
		n->caps_call = sd_bus_slot_unref(n->caps_call);
	}
	cw_bus_update(bus);
}

/* The desktop daemon's capabilities: whether it reads a body as markup. */
static int caps_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct notifications *n = data;
	n->caps_call = sd_bus_slot_unref(n->caps_call);
	const char *cap;
	int r = sd_bus_message_get_error(m) != NULL ? -EIO :
		sd_bus_message_enter_container(m, 'a', "s");
	bool markup = false;
	while (r > 0 && (r = sd_bus_message_read(m, "s", &cap)) > 0) {
		markup = markup || strcmp(cap, "body-markup") == 0;
	}
	/* no answer: it may read markup, so the body stays escaped */
	n->markup = r < 0 ? 1 : markup;
	return 0;
}

char *cw_notify_markup_escape(const char *s)
{
	size_t len = 1;
	for (const char *p = s; *p; p++) {
		len += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : 1;
	}
	char *out = malloc(len), *o = out;
	if (out == NULL) {
		return NULL;
	}
	for (const char *p = s; *p; p++) {
		const char *e = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" :
			*p == '>' ? "&gt;" : NULL;
		if (e != NULL) {
			o = stpcpy(o, e);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static bool hostbus_up(struct notifications *n, char *why, size_t len)
{
	if (!cw_bus_connect(&n->hostbus, "notifications", why, len)) {
		return false;
	}
	if (!n->matched) {
		int r = sd_bus_match_signal(n->hostbus.bus, &n->closed_match,
			NULL, FDO_PATH, FDO_IFACE, "NotificationClosed",
			on_host_closed, n);
		if (r >= 0) {
			r = sd_bus_match_signal(n->hostbus.bus,
				&n->action_match, NULL, FDO_PATH, FDO_IFACE,
				"ActionInvoked", on_host_action, n);
		}
		if (r < 0) {
			snprintf(why, len, "cannot hear the desktop's "
				"notifications: %s", strerror(-r));
			return false;
		}
		n->matched = true;
		/* asked once a connection; until it answers, a body is
		 * escaped as for a daemon that reads markup */
		n->markup = -1;
		sd_bus_message *m = NULL;
		r = sd_bus_message_new_method_call(n->hostbus.bus, &m,
			FDO_NAME, FDO_PATH, FDO_IFACE, "GetCapabilities");
		if (r >= 0) {
			r = sd_bus_call_async(n->hostbus.bus, &n->caps_call, m,
				caps_reply, n, CALL_USEC);
		}
		sd_bus_message_unref(m);
		if (r < 0) {
			n->markup = 1;
		}
	}
	return true;
}

static int notify_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct note *note = data;
	struct notifications *n = note->n;
	note->call = sd_bus_slot_unref(note->call);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	uint32_t id;
	if (e != NULL || sd_bus_message_read(m, "u", &id) < 0 || id == 0) {
		cw_log(CW_LOG_DEBUG, "notifications: the desktop showed none: %s",
			e != NULL ? e->name : "a reply that does not parse");
		note_free(note);
		return 0;
	}
	/* a replacement keeps its id; another note may hold it no more */
	struct note *other = find_host(n, id);
	if (other != NULL && other != note) {
		other->host_id = 0;
		note_free(other);
	}
	note->host_id = id;
	if (note->closing) {
		note_close(note);
	}
	return 0;
}

static int append_hints(sd_bus_message *m, const struct shown *s)
{
	int r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r >= 0 && s->urgency >= 0) {
		r = sd_bus_message_append(m, "{sv}", "urgency", "y",
			(uint8_t)s->urgency);
	}
	if (r >= 0 && s->category[0] != '\0') {
		r = sd_bus_message_append(m, "{sv}", "category", "s",
			s->category);
	}
	if (r >= 0 && s->transient) {
		r = sd_bus_message_append(m, "{sv}", "transient", "b", 1);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(m);
	}
	return r;
}

/* Sends Notify for note (replacing what it showed), taking s's actions. */
static int forward(struct notifications *n, struct note *note,
	struct shown *s, char *why, size_t len)
{
	if (!hostbus_up(n, why, len)) {
		return -ENOTCONN;
	}
	/* the app's name as crate-wl knows it, never what it says */
	const char *name = n->env->app;
	/* the app was told there is no body markup (GetCapabilities, and
	 * the portal's body is plain text): where the daemon reads markup,
	 * the body's < > & are text, never a link to open or an image
	 * file to read outside */
	char *body = n->markup != 0 ? cw_notify_markup_escape(s->body) :
		NULL;
	if (n->markup != 0 && body == NULL) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(n->hostbus.bus, &m, FDO_NAME,
		FDO_PATH, FDO_IFACE, "Notify");
	if (r >= 0) {
		r = sd_bus_message_append(m, "susss", name != NULL &&
			strcmp(name, "-") != 0 ? name : "crate-wl",
			note->host_id, s->icon, s->summary,
			body != NULL ? body : s->body);
	}
	free(body);
	if (r >= 0) {
		r = sd_bus_message_open_container(m, 'a', "s");
	}
	for (size_t i = 0; r >= 0 && i < s->nactions; i++) {
		r = sd_bus_message_append(m, "ss", s->actions[i].key,
			s->labels[i]);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(m);
	}
	if (r >= 0) {
		r = append_hints(m, s);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "i", s->timeout);
	}
	if (r >= 0) {
		note->call = sd_bus_slot_unref(note->call);
		r = sd_bus_call_async(n->hostbus.bus, &note->call, m,
			notify_reply, note, CALL_USEC);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		snprintf(why, len, "cannot call the desktop's Notify: %s",
			strerror(-r));
		return r;
	}
	for (size_t i = 0; i < note->nactions; i++) {
		free(note->actions[i].key);
		free(note->actions[i].name);
	}
	memcpy(note->actions, s->actions, sizeof(s->actions));
	note->nactions = s->nactions;
	s->nactions = 0;
	cw_bus_update(&n->hostbus);
	return 0;
}

/* forward(), or the caller's error (errname) when the desktop cannot take
 * it: a note not yet shown goes */
static int forward_or_fail(struct notifications *n, struct note *note,
	struct shown *s, sd_bus_error *error, const char *errname)
{
	char why[512];
	if (forward(n, note, s, why, sizeof(why)) >= 0) {
		return 0;
	}
	cw_log(CW_LOG_DEBUG, "notifications: %s", why);
	if (note->host_id == 0) {
		note_free(note);
	}
	return sd_bus_error_setf(error, errname, "no desktop notifications: %s",
		why);
}

/* May the app show one now? Sets error when not. */
static int gate(struct notifications *n, sd_bus_error *error)
{
	enum cw_decision d = n->env->perms != NULL ?
		cw_permissions_check(n->env->perms, CW_CAP_NOTIFICATIONS) :
		CW_DECISION_DENY;
	if (d != CW_DECISION_ALLOW) {
		return sd_bus_error_set(error, ERR_DENIED, "notifications "
			"from this app are not allowed "
			"(portals.notifications)");
	}
	if (!cw_rate_take(&n->rate)) {
		return sd_bus_error_setf(error, ERR_LIMITS, "more than %d "
			"notifications at once, or more than one every %d ms",
			CW_NOTIFY_BURST, CW_NOTIFY_EVERY_MS);
	}
	return 0;
}

static struct note *note_new(struct notifications *n, const char *owner)
{
	if (n->nnotes >= CW_NOTIFY_MAX_NOTES) {
		/* the oldest is forgotten (still shown, no longer
		 * followed) */
		struct note *old = cw_container_of(n->notes.next, old, link);
		note_free(old);
	}
	struct note *note = calloc(1, sizeof(*note));
	if (note == NULL) {
		return NULL;
	}
	note->owner = strdup(owner != NULL ? owner : "");
	if (note->owner == NULL) {
		free(note);
		return NULL;
	}
	note->n = n;
	cw_list_insert(n->notes.prev, &note->link);
	n->nnotes++;
	return note;
}

/* ---- org.freedesktop.Notifications ---- */

static int read_string(sd_bus_message *m, char *out, size_t max)
{
	const char *s;
	int r = sd_bus_message_read(m, "s", &s);
	if (r >= 0) {
		snprintf(out, max + 1, "%s", s);
		cut(out, max);
	}
	return r;
}

/* the fdo hints worth passing on; the rest is skipped */
static int read_fdo_hints(sd_bus_message *m, struct shown *s)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
			return r;
		}
		char type = 0;
		const char *contents = NULL;
		if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0) {
			return r;
		}
		bool done = false;
		if (contents != NULL && strcmp(key, "urgency") == 0 &&
				strcmp(contents, "y") == 0) {
			uint8_t u;
			if ((r = sd_bus_message_read(m, "v", "y", &u)) < 0) {
				return r;
			}
			s->urgency = u > 2 ? 2 : u;
			done = true;
		} else if (contents != NULL && strcmp(key, "category") == 0 &&
				strcmp(contents, "s") == 0) {
			const char *c;
			if ((r = sd_bus_message_read(m, "v", "s", &c)) < 0) {
				return r;
			}
			if (token_ok(c)) {
				snprintf(s->category, sizeof(s->category), "%s",
					c);
			}
			done = true;
		} else if (contents != NULL && strcmp(key, "transient") == 0 &&
				strcmp(contents, "b") == 0) {
			int b;
			if ((r = sd_bus_message_read(m, "v", "b", &b)) < 0) {
				return r;
			}
			s->transient = b != 0;
			done = true;
		}
		if (!done && (r = sd_bus_message_skip(m, "v")) < 0) {
			return r;
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

static int method_notify(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct notifications *n = data;
	struct shown *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return -ENOMEM;
	}
	s->urgency = -1;
	const char *app_name, *icon;
	uint32_t replaces;
	int r = sd_bus_message_read(m, "sus", &app_name, &replaces, &icon);
	if (r >= 0 && cw_notify_icon_name_ok(icon)) {
		snprintf(s->icon, sizeof(s->icon), "%s", icon);
	}
	if (r >= 0) {
		r = read_string(m, s->summary, CW_NOTIFY_MAX_SUMMARY);
	}
	if (r >= 0) {
		r = read_string(m, s->body, CW_NOTIFY_MAX_BODY);
	}
	if (r >= 0) {
		r = sd_bus_message_enter_container(m, 'a', "s");
	}
	while (r >= 0) {
		const char *key, *label;
		r = sd_bus_message_read(m, "s", &key);
		if (r <= 0) {
			break;
		}
		if ((r = sd_bus_message_read(m, "s", &label)) <= 0) {
			r = r < 0 ? r : -EINVAL;
			break;
		}
		/* the same key both ways: the app hears what it sent */
		if (!add_action(s, key, key, label)) {
			r = sd_bus_error_setf(error, CW_PORTAL_ERR_INVALID,
				"at most %d actions, keys of 1 to 64 "
				"printable characters", CW_NOTIFY_MAX_ACTIONS);
			break;
		}
	}
	if (r >= 0) {
		r = sd_bus_message_exit_container(m);
	}
	if (r >= 0) {
		r = read_fdo_hints(m, s);
	}
	if (r >= 0) {
		r = sd_bus_message_read(m, "i", &s->timeout);
	}
	if (r >= 0) {
		r = gate(n, error);
	}
	struct note *note = NULL;
	if (r >= 0) {
		note = replaces != 0 ? find_id(n, replaces) : NULL;
		if (note == NULL) {
			note = note_new(n, sd_bus_message_get_sender(m));
			if (note == NULL) {
				r = -ENOMEM;
			} else {
				note->id = ++n->next_id;
			}
		}
	}
	if (r >= 0) {
		r = forward_or_fail(n, note, s, error, ERR_UNKNOWN);
	}
	if (r >= 0) {
		r = sd_bus_reply_method_return(m, "u", note->id);
	}
	shown_clear(s);
	free(s);
	return r;
}

static int method_close(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct notifications *n = data;
	uint32_t id;
	int r = sd_bus_message_read(m, "u", &id);
	if (r < 0) {
		return r;
	}
	struct note *note = find_id(n, id);
	if (note != NULL) {
		note_close(note);
	}
	return sd_bus_reply_method_return(m, NULL);
}

static int method_caps(sd_bus_message *m, void *data, sd_bus_error *error)
{
	/* no body-markup, no images, no sounds: they are not passed on */
	return sd_bus_reply_method_return(m, "as", 2, "actions", "body");
}

static int method_info(sd_bus_message *m, void *data, sd_bus_error *error)
{
	return sd_bus_reply_method_return(m, "ssss", "crate-wl", "crate-wl",
		"1", "1.2");
}

static sd_bus_vtable fdo_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", method_notify,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("CloseNotification", "u", "", method_close,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetCapabilities", "", "as", method_caps,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetServerInformation", "", "ssss", method_info,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("NotificationClosed", "uu", 0),
	SD_BUS_SIGNAL("ActionInvoked", "us", 0),
	SD_BUS_VTABLE_END,
};

/* ---- org.freedesktop.portal.Notification ---- */

/* icon: a serialized GIcon, ("themed", <["name", ...]>): its first
 * name that is a theme icon's */
static int read_icon(sd_bus_message *m, struct shown *s)
{
	int r = sd_bus_message_enter_container(m, 'v', "(sv)");
	if (r < 0) {
		return r;
	}
	const char *kind;
	if ((r = sd_bus_message_enter_container(m, 'r', "sv")) < 0 ||
			(r = sd_bus_message_read(m, "s", &kind)) < 0) {
		return r;
	}
	char type;
	const char *contents = NULL;
	if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0) {
		return r;
	}
	if (strcmp(kind, "themed") == 0 && contents != NULL &&
			strcmp(contents, "as") == 0 &&
			(r = sd_bus_message_enter_container(m, 'v', "as")) > 0) {
		if ((r = sd_bus_message_enter_container(m, 'a', "s")) < 0) {
			return r;
		}
		const char *name;
		while ((r = sd_bus_message_read(m, "s", &name)) > 0) {
			if (s->icon[0] == '\0' && cw_notify_icon_name_ok(name)) {
				snprintf(s->icon, sizeof(s->icon), "%s", name);
			}
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
				(r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	} else if (r < 0 || (r = sd_bus_message_skip(m, "v")) < 0) {
		return r;
	}
	if ((r = sd_bus_message_exit_container(m)) < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

/* buttons: aa{sv} of label and action (targets are not kept) */
static int read_buttons(sd_bus_message *m, struct shown *s,
	sd_bus_error *error)
{
	int r = sd_bus_message_enter_container(m, 'v', "aa{sv}");
	if (r < 0) {
		return r;
	}
	if ((r = sd_bus_message_enter_container(m, 'a', "a{sv}")) < 0) {
		return r;
	}
	size_t i = 0;
	while ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) > 0) {
		const char *label = "", *action = "";
		while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			const char *key;
			if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
				return r;
			}
			char type;
			const char *contents = NULL;
			if ((r = sd_bus_message_peek_type(m, &type,
					&contents)) < 0) {
				return r;
			}
			const char **into = strcmp(key, "label") == 0 ? &label :
				strcmp(key, "action") == 0 ? &action : NULL;
			if (into != NULL && contents != NULL &&
					strcmp(contents, "s") == 0) {
				r = sd_bus_message_read(m, "v", "s", into);
			} else {
				r = sd_bus_message_skip(m, "v");
			}
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
				return r;
			}
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
		char key[32];
		snprintf(key, sizeof(key), "button%zu", i++);
		if (!add_action(s, key, action, label)) {
			return sd_bus_error_setf(error, CW_PORTAL_ERR_INVALID,
				"at most %d buttons, actions of 1 to 64 "
				"printable characters", CW_NOTIFY_MAX_ACTIONS);
		}
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

static int read_portal_note(sd_bus_message *m, struct shown *s,
	sd_bus_error *error)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	const char *dflt = NULL;
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *v;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
			return r;
		}
		char type;
		const char *contents = NULL;
		if ((r = sd_bus_message_peek_type(m, &type, &contents)) < 0) {
			return r;
		}
		bool str = contents != NULL && strcmp(contents, "s") == 0;
		if (strcmp(key, "title") == 0 && str) {
			r = sd_bus_message_read(m, "v", "s", &v);
			snprintf(s->summary, sizeof(s->summary), "%s",
				r >= 0 ? v : "");
			cut(s->summary, CW_NOTIFY_MAX_SUMMARY);
		} else if (strcmp(key, "body") == 0 && str) {
			r = sd_bus_message_read(m, "v", "s", &v);
			snprintf(s->body, sizeof(s->body), "%s", r >= 0 ? v : "");
			cut(s->body, CW_NOTIFY_MAX_BODY);
		} else if (strcmp(key, "priority") == 0 && str) {
			r = sd_bus_message_read(m, "v", "s", &v);
			if (r >= 0) {
				s->urgency = strcmp(v, "low") == 0 ? 0 :
					strcmp(v, "urgent") == 0 ? 2 : 1;
			}
		} else if (strcmp(key, "default-action") == 0 && str) {
			r = sd_bus_message_read(m, "v", "s", &dflt);
		} else if (strcmp(key, "icon") == 0 && contents != NULL &&
				strcmp(contents, "(sv)") == 0) {
			r = read_icon(m, s);
		} else if (strcmp(key, "buttons") == 0 && contents != NULL &&
				strcmp(contents, "aa{sv}") == 0) {
			r = read_buttons(m, s, error);
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	}
	if (r < 0) {
		return r;
	}
	if (dflt != NULL && !add_action(s, "default", dflt, "")) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_INVALID,
			"default-action: 1 to 64 printable characters");
	}
	return sd_bus_message_exit_container(m);
}

static int method_add(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct notifications *n = data;
	struct shown *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return -ENOMEM;
	}
	s->urgency = -1;
	s->timeout = -1;
	const char *id;
	int r = sd_bus_message_read(m, "s", &id);
	if (r >= 0 && !token_ok(id)) {
		r = sd_bus_error_set(error, CW_PORTAL_ERR_INVALID,
			"an id of 1 to 64 printable characters");
	}
	if (r >= 0) {
		r = read_portal_note(m, s, error);
	}
	if (r >= 0) {
		r = gate(n, error);
	}
	struct note *note = NULL;
	if (r >= 0) {
		note = find_portal(n, id);
		if (note == NULL) {
			note = note_new(n, sd_bus_message_get_sender(m));
			if (note == NULL || (note->portal_id = strdup(id)) ==
					NULL) {
				if (note != NULL) {
					note_free(note);
				}
				r = -ENOMEM;
			}
		} else {
			free(note->owner);
			note->owner = strdup(sd_bus_message_get_sender(m));
		}
	}
	if (r >= 0) {
		r = forward_or_fail(n, note, s, error, CW_PORTAL_ERR_FAILED);
	}
	if (r >= 0) {
		r = sd_bus_reply_method_return(m, NULL);
	}
	shown_clear(s);
	free(s);
	return r;
}

static int method_remove(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct notifications *n = data;
	const char *id;
	int r = sd_bus_message_read(m, "s", &id);
	if (r < 0) {
		return r;
	}
	struct note *note = find_portal(n, id);
	if (note != NULL) {
		note_close(note);
	}
	return sd_bus_reply_method_return(m, NULL);
}

static int prop_version(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *data,
	sd_bus_error *error)
{
	/* xdg-desktop-portal 1.16's */
	return sd_bus_message_append(reply, "u", 1);
}

static sd_bus_vtable portal_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("AddNotification", "sa{sv}", "", method_add,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RemoveNotification", "s", "", method_remove,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("ActionInvoked", "ssav", 0),
	SD_BUS_PROPERTY("version", "u", prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

/* ---- the whole ---- */

static void notifications_revoke(void *state, enum cw_capability cap)
{
	struct notifications *n = state;
	if (cap != CW_CAP_NOTIFICATIONS) {
		return;
	}
	/* revoked: what it showed goes too, and what is on its way goes
	 * when the desktop says its id */
	struct note *note, *tmp;
	cw_list_for_each_safe(note, tmp, &n->notes, link) {
		if (note->host_id == 0 && note->call != NULL) {
			note->closing = true;
		} else {
			note_close(note);
		}
	}
}

static void notifications_stop(void *state)
{
	struct notifications *n = state;
	/* what was shown stays on the desktop, as an app's does when it
	 * exits */
	while (!cw_list_empty(&n->notes)) {
		struct note *note = cw_container_of(n->notes.next, note,
			link);
		note_free(note);
	}
	sd_bus_slot_unref(n->closed_match);
	sd_bus_slot_unref(n->action_match);
	sd_bus_slot_unref(n->caps_call);
	if (n->hostbus.bus != NULL) {
		sd_bus_flush(n->hostbus.bus);
	}
	cw_bus_finish(&n->hostbus);
	sd_bus_slot_unref(n->fdo_slot);
	sd_bus_slot_unref(n->portal_slot);
	free(n);
}

static void *notifications_start(struct cw_portal_host *host,
	const struct cw_portal_env *env, char *err, size_t errlen)
{
	struct notifications *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->host = host;
	n->env = env;
	n->markup = -1;
	cw_list_init(&n->notes);
	cw_rate_init(&n->rate, CW_NOTIFY_BURST, CW_NOTIFY_EVERY_MS);
	if (!cw_bus_init(&n->hostbus, env->loop, hostbus_ready)) {
		snprintf(err, errlen, "cannot make a timer: %s",
			strerror(errno));
		free(n);
		return NULL;
	}
	cw_sd_bus_vtable_fix(fdo_vtable);
	int r = sd_bus_add_object_vtable(cw_portal_bus(host), &n->fdo_slot,
		FDO_PATH, FDO_IFACE, fdo_vtable, n);
	if (r >= 0) {
		r = cw_portal_add_interface(host, &n->portal_slot,
			PORTAL_IFACE, portal_vtable, n);
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot serve notifications: %s",
			strerror(-r));
		notifications_stop(n);
		return NULL;
	}
	return n;
}

const struct cw_portal cw_portal_notification = {
	.name = "Notification",
	.own = FDO_NAME,
	.start = notifications_start,
	.revoke = notifications_revoke,
	.stop = notifications_stop,
};
