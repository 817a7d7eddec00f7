/*
 * org.freedesktop.portal.Settings on the sandbox's bus (Read, ReadAll,
 * ReadOne, SettingChanged; version 2, as xdg-desktop-portal 1.20): the
 * desktop's appearance (org.freedesktop.appearance: color-scheme,
 * accent-color, contrast) and the GNOME interface keys GTK reads (fonts,
 * themes, cursor), from a short allowlist. Nothing else of the user's
 * settings is read or shown.
 *
 * Where they come from: the host's own Settings portal when it has one,
 * since its backend (GNOME's, KDE's, GTK's, darkman...) already knows
 * how its desktop keeps them, and follows their changes; else GSettings,
 * through the host's `gsettings` (list-recursively once, then monitor),
 * which is where GNOME and most GTK-based desktops keep them. Values are
 * checked against the allowlist's types and bounded; the app sends only
 * names to look up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bus.h"
#include "list.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#define IFACE "org.freedesktop.portal.Settings"
#define VERSION 2
#define HOST_NAME "org.freedesktop.portal.Desktop"
#define HOST_PATH "/org/freedesktop/portal/desktop"
#define APPEARANCE "org.freedesktop.appearance"
#define INTERFACE "org.gnome.desktop.interface"
#define WM "org.gnome.desktop.wm.preferences"
#define CALL_USEC (5 * 1000 * 1000ULL)
#define MAX_WAITING 32
#define MAX_VALUE 256  /* a string's bytes */
#define MAX_LINE 4096

static const struct key {
	const char *ns, *key, *sig;
} keys[] = {
	{ APPEARANCE, "color-scheme", "u" },
	{ APPEARANCE, "accent-color", "(ddd)" },
	{ APPEARANCE, "contrast", "u" },
	{ INTERFACE, "color-scheme", "s" },
	{ INTERFACE, "accent-color", "s" },
	{ INTERFACE, "gtk-theme", "s" },
	{ INTERFACE, "icon-theme", "s" },
	{ INTERFACE, "cursor-theme", "s" },
	{ INTERFACE, "cursor-size", "i" },
	{ INTERFACE, "font-name", "s" },
	{ INTERFACE, "document-font-name", "s" },
	{ INTERFACE, "monospace-font-name", "s" },
	{ INTERFACE, "text-scaling-factor", "d" },
	{ INTERFACE, "font-antialiasing", "s" },
	{ INTERFACE, "font-hinting", "s" },
	{ INTERFACE, "font-rgba-order", "s" },
	{ INTERFACE, "enable-animations", "b" },
	{ INTERFACE, "gtk-enable-primary-paste", "b" },
	{ INTERFACE, "overlay-scrolling", "b" },
	{ WM, "button-layout", "s" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
static const char *const namespaces[] = { APPEARANCE, INTERFACE, WM };

struct value {
	bool set;
	uint32_t u;
	int32_t i;
	int b;
	double d[3];
	char s[MAX_VALUE + 1];
};

/* a host program whose output is read line by line (gsettings) */
struct child {
	struct settings *st;
	pid_t pid;
	struct cw_source out, exit;
	char buf[MAX_LINE];
	size_t len;
	bool monitor; /* gsettings monitor: lines "key: value" */
};

struct settings {
	struct cw_portal_host *host;
	const struct cw_portal_env *env;
	sd_bus_slot *slot;
	struct cw_bus hostbus;
	sd_bus_slot *read_call, *changed_match;
	bool loaded; /* answers come from values now */
	bool from_gsettings;
	struct value values[NKEYS];
	sd_bus_message *waiting[MAX_WAITING]; /* calls before loaded */
	size_t nwaiting;
	struct child list, monitor;
	char gsettings[PATH_MAX];
};


static int find_key(const char *ns, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].ns, ns) == 0 &&
				strcmp(keys[i].key, key) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* ---- the app's side ---- */

static int append_value(sd_bus_message *m, size_t k, const struct value *v)
{
	const char *sig = keys[k].sig;
	switch (sig[0]) {
	case 'u':
		return sd_bus_message_append(m, "v", "u", v->u);
	case 'i':
		return sd_bus_message_append(m, "v", "i", v->i);
	case 'b':
		return sd_bus_message_append(m, "v", "b", v->b);
	case 'd':
		return sd_bus_message_append(m, "v", "d", v->d[0]);
	case 's':
		return sd_bus_message_append(m, "v", "s", v->s);
	case '(':
		return sd_bus_message_append(m, "v", "(ddd)", v->d[0],
			v->d[1], v->d[2]);
	}
	return -EINVAL;
}

/* "org.gnome.*" matches by prefix, as xdg-desktop-portal's */
static bool ns_matches(const char *pattern, const char *ns)
{
	size_t n = strlen(pattern);
	if (n > 0 && pattern[n - 1] == '*') {
		return strncmp(pattern, ns, n - 1) == 0;
	}
	return strcmp(pattern, ns) == 0;
}

static int reply_all(struct settings *st, sd_bus_message *call)
{
	/* the namespaces asked for, at most 16 (an empty list: all) */
	const char *want[16];
	size_t nwant = 0;
	int r = sd_bus_message_enter_container(call, 'a', "s");
	const char *p;
	while (r >= 0 && (r = sd_bus_message_read(call, "s", &p)) > 0) {
		if (nwant < sizeof(want) / sizeof(want[0])) {
			want[nwant++] = p;
		}
	}
	if (r < 0 || (r = sd_bus_message_exit_container(call)) < 0) {
		return r;
	}
	sd_bus_message *reply = NULL;
	r = sd_bus_message_new_method_return(call, &reply);
	if (r >= 0) {
		r = sd_bus_message_open_container(reply, 'a', "{sa{sv}}");
	}
	for (size_t n = 0; r >= 0 && n < sizeof(namespaces) /
			sizeof(namespaces[0]); n++) {
		bool asked = nwant == 0;
		for (size_t i = 0; i < nwant && !asked; i++) {
			asked = want[i][0] == '\0' ||
				ns_matches(want[i], namespaces[n]);
		}
		if (!asked) {
			continue;
		}
		r = sd_bus_message_open_container(reply, 'e', "sa{sv}");
		if (r >= 0) {
			r = sd_bus_message_append(reply, "s", namespaces[n]);
		}
		if (r >= 0) {
			r = sd_bus_message_open_container(reply, 'a', "{sv}");
		}
		for (size_t k = 0; r >= 0 && k < NKEYS; k++) {
			if (strcmp(keys[k].ns, namespaces[n]) != 0 ||
					!st->values[k].set) {
				continue;
			}
			r = sd_bus_message_open_container(reply, 'e', "sv");
			if (r >= 0) {
				r = sd_bus_message_append(reply, "s",
					keys[k].key);
			}
			if (r >= 0) {
				r = append_value(reply, k, &st->values[k]);
			}
			if (r >= 0) {
				r = sd_bus_message_close_container(reply);
			}
		}
		if (r >= 0) {
			r = sd_bus_message_close_container(reply);
		}
		if (r >= 0) {
			r = sd_bus_message_close_container(reply);
		}
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(reply);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

/* Read wraps the value in one more variant (xdg-desktop-portal's, kept
 * for the clients that expect it); ReadOne does not */
static int reply_one(struct settings *st, sd_bus_message *call, bool twice)
{
	const char *ns, *key;
	int r = sd_bus_message_read(call, "ss", &ns, &key);
	if (r < 0) {
		return r;
	}
	int k = find_key(ns, key);
	if (k < 0 || !st->values[k].set) {
		return sd_bus_reply_method_errorf(call, CW_PORTAL_ERR_NOT_FOUND,
			"Requested setting not found");
	}
	sd_bus_message *reply = NULL;
	r = sd_bus_message_new_method_return(call, &reply);
	if (r >= 0 && twice) {
		r = sd_bus_message_open_container(reply, 'v', "v");
	}
	if (r >= 0) {
		r = append_value(reply, (size_t)k, &st->values[k]);
	}
	if (r >= 0 && twice) {
		r = sd_bus_message_close_container(reply);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int answer(struct settings *st, sd_bus_message *call)
{
	const char *member = sd_bus_message_get_member(call);
	if (strcmp(member, "ReadAll") == 0) {
		return reply_all(st, call);
	}
	return reply_one(st, call, strcmp(member, "Read") == 0);
}

/* The values are in (or will not come): every call waiting is answered. */
static void loaded(struct settings *st)
{
	if (st->loaded) {
		return;
	}
	st->loaded = true;
	for (size_t i = 0; i < st->nwaiting; i++) {
		if (answer(st, st->waiting[i]) < 0) {
			sd_bus_reply_method_errorf(st->waiting[i],
				CW_PORTAL_ERR_FAILED, "cannot answer");
		}
		sd_bus_message_unref(st->waiting[i]);
	}
	st->nwaiting = 0;
	cw_portal_flush(st->host);
}

static int method_read(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct settings *st = data;
	if (st->loaded) {
		return answer(st, m);
	}
	if (st->nwaiting == MAX_WAITING) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_FAILED,
			"too many reads before the settings came");
	}
	st->waiting[st->nwaiting++] = sd_bus_message_ref(m);
	return 1;
}

static int prop_version(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *data,
	sd_bus_error *error)
{
	return sd_bus_message_append(reply, "u", VERSION);
}

static sd_bus_vtable vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("ReadAll", "as", "a{sa{sv}}", method_read,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Read", "ss", "v", method_read,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ReadOne", "ss", "v", method_read,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("SettingChanged", "ssv", 0),
	SD_BUS_PROPERTY("version", "u", prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

/* A value changed: every client in the sandbox may hear it. */
static void changed(struct settings *st, size_t k)
{
	sd_bus *b = cw_portal_bus(st->host);
	sd_bus_message *m = NULL;
	if (b == NULL || !st->loaded) {
		return;
	}
	int r = sd_bus_message_new_signal(b, &m, CW_PORTAL_PATH, IFACE,
		"SettingChanged");
	if (r >= 0) {
		r = sd_bus_message_append(m, "ss", keys[k].ns, keys[k].key);
	}
	if (r >= 0) {
		r = append_value(m, k, &st->values[k]);
	}
	if (r >= 0) {
		sd_bus_send(b, m, NULL);
	}
	sd_bus_message_unref(m);
	cw_portal_flush(st->host);
}

/* ---- the values, checked ---- */

static bool text_ok(const char *s)
{
	if (strlen(s) > MAX_VALUE) {
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			return false;
		}
	}
	return true;
}

/* Sets key k from a variant of m if it has k's type; skips it else.
 * Returns whether the value changed (< 0: m does not parse). */
static int take_variant(struct settings *st, size_t k, sd_bus_message *m)
{
	char type;
	const char *contents = NULL;
	int r = sd_bus_message_peek_type(m, &type, &contents);
	if (r < 0) {
		return r;
	}
	if (contents == NULL || strcmp(contents, keys[k].sig) != 0) {
		r = sd_bus_message_skip(m, "v");
		return r < 0 ? r : 0;
	}
	struct value v = { .set = true };
	const char *s = NULL;
	switch (keys[k].sig[0]) {
	case 'u':
		r = sd_bus_message_read(m, "v", "u", &v.u);
		break;
	case 'i':
		r = sd_bus_message_read(m, "v", "i", &v.i);
		break;
	case 'b':
		r = sd_bus_message_read(m, "v", "b", &v.b);
		v.b = v.b != 0;
		break;
	case 'd':
		r = sd_bus_message_read(m, "v", "d", &v.d[0]);
		break;
	case 's':
		r = sd_bus_message_read(m, "v", "s", &s);
		if (r >= 0 && !text_ok(s)) {
			return 0;
		}
		if (r >= 0) {
			snprintf(v.s, sizeof(v.s), "%s", s);
		}
		break;
	default:
		r = sd_bus_message_read(m, "v", "(ddd)", &v.d[0], &v.d[1],
			&v.d[2]);
		break;
	}
	if (r < 0) {
		return r;
	}
	bool differs = memcmp(&v, &st->values[k], sizeof(v)) != 0;
	st->values[k] = v;
	return differs;
}

/* ---- from the host's Settings portal ---- */

static void use_gsettings(struct settings *st);

static int on_host_changed(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct settings *st = data;
	const char *ns, *key;
	if (st->from_gsettings ||
			sd_bus_message_read(m, "ss", &ns, &key) < 0) {
		return 0;
	}
	int k = find_key(ns, key);
	if (k >= 0 && take_variant(st, (size_t)k, m) > 0) {
		changed(st, (size_t)k);
	}
	return 0;
}

static int read_all_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct settings *st = data;
	st->read_call = sd_bus_slot_unref(st->read_call);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	if (e != NULL) {
		cw_log(CW_LOG_DEBUG, "Settings: the host's portal: %s; "
			"from gsettings", e->name);
		use_gsettings(st);
		return 0;
	}
	int r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e',
			"sa{sv}")) > 0) {
		const char *ns;
		if ((r = sd_bus_message_read(m, "s", &ns)) < 0 ||
				(r = sd_bus_message_enter_container(m, 'a',
				"{sv}")) < 0) {
			break;
		}
		while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			const char *key;
			if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
				break;
			}
			int k = find_key(ns, key);
			r = k >= 0 ? take_variant(st, (size_t)k, m) :
				sd_bus_message_skip(m, "v");
			if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
				break;
			}
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
				(r = sd_bus_message_exit_container(m)) < 0) {
			break;
		}
	}
	if (r < 0) {
		cw_msg("Settings: the host's portal sent settings that do not "
			"parse: %s", strerror(-r));
	}
	bool any = false;
	for (size_t k = 0; k < NKEYS; k++) {
		any = any || st->values[k].set;
	}
	if (!any) {
		/* a portal with no backend that knows them */
		cw_log(CW_LOG_DEBUG, "Settings: the host's portal has none of "
			"them; from gsettings");
		use_gsettings(st);
		return 0;
	}
	loaded(st);
	return 0;
}

static void hostbus_ready(struct cw_bus *bus)
{
	struct settings *st = cw_container_of(bus, st, hostbus);
	if (cw_bus_process(bus) < 0) {
		st->changed_match = sd_bus_slot_unref(st->changed_match);
		st->read_call = sd_bus_slot_unref(st->read_call);
		loaded(st);
	}
	cw_bus_update(bus);
}

static bool ask_host(struct settings *st, char *why, size_t len)
{
	if (!cw_bus_connect(&st->hostbus, "the Settings portal", why, len)) {
		return false;
	}
	/* the signal first, so that no change falls between */
	int r = sd_bus_match_signal(st->hostbus.bus, &st->changed_match,
		HOST_NAME, HOST_PATH, IFACE, "SettingChanged",
		on_host_changed, st);
	sd_bus_message *m = NULL;
	if (r >= 0) {
		r = sd_bus_message_new_method_call(st->hostbus.bus, &m,
			HOST_NAME, HOST_PATH, IFACE, "ReadAll");
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "as", 3, namespaces[0],
			namespaces[1], namespaces[2]);
	}
	if (r >= 0) {
		r = sd_bus_call_async(st->hostbus.bus, &st->read_call, m,
			read_all_reply, st, CALL_USEC);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		snprintf(why, len, "cannot call the host's Settings portal: %s",
			strerror(-r));
		return false;
	}
	cw_bus_update(&st->hostbus);
	return true;
}

/* ---- from gsettings ---- */

/* GVariant text as gsettings prints it, for key k: 'text' or "text",
 * uint32 N, N, N.N, true, false. False if it is not k's type. */
static bool parse_text(size_t k, const char *t, struct value *v)
{
	char *end;
	v->set = true;
	switch (keys[k].sig[0]) {
	case 's': {
		size_t n = strlen(t);
		if (n < 2 || (t[0] != '\'' && t[0] != '"') || t[n - 1] != t[0]) {
			return false;
		}
		size_t o = 0;
		for (size_t i = 1; i < n - 1 && o < MAX_VALUE; i++) {
			if (t[i] == '\\' && i + 1 < n - 1) {
				i++;
			}
			v->s[o++] = t[i];
		}
		v->s[o] = '\0';
		return text_ok(v->s);
	}
	case 'i': {
		long l = strtol(t, &end, 10);
		v->i = (int32_t)l;
		return end != t && *end == '\0' && l >= INT32_MIN &&
			l <= INT32_MAX;
	}
	case 'u': {
		if (strncmp(t, "uint32 ", 7) == 0) {
			t += 7;
		}
		unsigned long l = strtoul(t, &end, 10);
		v->u = (uint32_t)l;
		return end != t && *end == '\0' && l <= UINT32_MAX;
	}
	case 'd':
		v->d[0] = strtod(t, &end);
		return end != t && *end == '\0';
	case 'b':
		v->b = strcmp(t, "true") == 0;
		return v->b || strcmp(t, "false") == 0;
	}
	return false;
}

/* org.freedesktop.appearance's color-scheme from GNOME's */
static void derive_scheme(struct settings *st, bool tell)
{
	int from = find_key(INTERFACE, "color-scheme");
	int to = find_key(APPEARANCE, "color-scheme");
	if (!st->values[from].set) {
		return;
	}
	const char *s = st->values[from].s;
	struct value v = { .set = true };
	v.u = strcmp(s, "prefer-dark") == 0 ? 1 :
		strcmp(s, "prefer-light") == 0 ? 2 : 0;
	if (memcmp(&v, &st->values[to], sizeof(v)) != 0) {
		st->values[to] = v;
		if (tell) {
			changed(st, (size_t)to);
		}
	}
}

/* "org.gnome.desktop.interface KEY VALUE" (list) or "KEY: VALUE" */
static void gsettings_line(struct settings *st, char *line, bool monitor)
{
	char *key, *value;
	if (monitor) {
		key = line;
		value = strstr(line, ": ");
		if (value == NULL) {
			return;
		}
		*value = '\0';
		value += 2;
	} else {
		if (strncmp(line, INTERFACE " ", sizeof(INTERFACE)) != 0) {
			return;
		}
		key = line + sizeof(INTERFACE);
		value = strchr(key, ' ');
		if (value == NULL) {
			return;
		}
		*value++ = '\0';
	}
	int k = find_key(INTERFACE, key);
	struct value v = { 0 };
	if (k < 0 || !parse_text((size_t)k, value, &v)) {
		return;
	}
	if (memcmp(&v, &st->values[k], sizeof(v)) != 0) {
		st->values[k] = v;
		if (monitor) {
			changed(st, (size_t)k);
		}
	}
	if (strcmp(key, "color-scheme") == 0) {
		derive_scheme(st, monitor);
	}
}

static void child_end(struct child *c)
{
	struct cw_loop *loop = c->st->env->loop;
	if (c->out.fd >= 0) {
		cw_loop_remove(loop, &c->out);
		close(c->out.fd);
		c->out.fd = -1;
	}
	if (c->exit.fd >= 0) {
		cw_loop_remove(loop, &c->exit);
		close(c->exit.fd);
		c->exit.fd = -1;
	}
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
}

static void child_exited(struct cw_source *source, uint32_t events)
{
	struct child *c = cw_container_of(source, c, exit);
	if (waitpid(c->pid, NULL, WNOHANG) != c->pid) {
		return;
	}
	c->pid = 0;
	cw_loop_remove(c->st->env->loop, &c->exit);
	close(c->exit.fd);
	c->exit.fd = -1;
}

static void child_output(struct cw_source *source, uint32_t events)
{
	struct child *c = cw_container_of(source, c, out);
	struct settings *st = c->st;
	ssize_t n = read(c->out.fd, c->buf + c->len, sizeof(c->buf) - 1 -
		c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n > 0) {
		c->len += (size_t)n;
		char *start = c->buf, *nl;
		while ((nl = memchr(start, '\n', c->len - (size_t)(start -
				c->buf))) != NULL) {
			*nl = '\0';
			gsettings_line(st, start, c->monitor);
			start = nl + 1;
		}
		c->len -= (size_t)(start - c->buf);
		memmove(c->buf, start, c->len);
		if (c->len == sizeof(c->buf) - 1) {
			c->len = 0; /* a line too long: dropped */
		}
		return;
	}
	/* the end of its output */
	cw_loop_remove(st->env->loop, &c->out);
	close(c->out.fd);
	c->out.fd = -1;
	if (!c->monitor) {
		loaded(st);
	}
}

static bool spawn_gsettings(struct settings *st, struct child *c,
	const char *verb)
{
	c->st = st;
	c->out.fd = c->exit.fd = -1;
	c->len = 0;
	if (st->gsettings[0] == '\0') {
		return false;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		return false;
	}
	char *argv[] = { "gsettings", (char *)verb, INTERFACE, NULL };
	int r = cw_spawn(st->gsettings, argv, p[1], &c->pid);
	close(p[1]);
	if (r != 0) {
		close(p[0]);
		c->pid = 0;
		return false;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (!cw_loop_add(st->env->loop, &c->out, p[0], EPOLLIN,
			child_output)) {
		close(p[0]);
		if (pidfd >= 0) {
			close(pidfd);
		}
		child_end(c);
		return false;
	}
	if (pidfd >= 0 && cw_loop_add(st->env->loop, &c->exit, pidfd,
			EPOLLIN, child_exited)) {
		fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	} else if (pidfd >= 0) {
		close(pidfd);
	}
	return true;
}

static void use_gsettings(struct settings *st)
{
	if (st->from_gsettings) {
		return;
	}
	st->from_gsettings = true;
	st->changed_match = sd_bus_slot_unref(st->changed_match);
	/* the monitor first, so that no change falls between */
	if (!spawn_gsettings(st, &st->monitor, "monitor")) {
		st->monitor.pid = 0;
	}
	st->monitor.monitor = true;
	if (!spawn_gsettings(st, &st->list, "list-recursively")) {
		cw_msg("Settings: neither the host's Settings portal nor "
			"gsettings (package libglib2.0-bin): the app sees "
			"none");
		st->list.pid = 0;
		loaded(st);
	}
}

static void settings_stop(void *state)
{
	struct settings *st = state;
	for (size_t i = 0; i < st->nwaiting; i++) {
		sd_bus_message_unref(st->waiting[i]);
	}
	if (st->list.st != NULL) {
		child_end(&st->list);
	}
	if (st->monitor.st != NULL) {
		child_end(&st->monitor);
	}
	sd_bus_slot_unref(st->read_call);
	sd_bus_slot_unref(st->changed_match);
	cw_bus_finish(&st->hostbus);
	sd_bus_slot_unref(st->slot);
	free(st);
}

static void *settings_start(struct cw_portal_host *host,
	const struct cw_portal_env *env, char *err, size_t errlen)
{
	struct settings *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	st->host = host;
	st->env = env;
	if (!cw_find_program("gsettings", st->gsettings,
			sizeof(st->gsettings))) {
		st->gsettings[0] = '\0';
	}
	if (!cw_bus_init(&st->hostbus, env->loop, hostbus_ready)) {
		snprintf(err, errlen, "cannot make a timer: %s",
			strerror(errno));
		free(st);
		return NULL;
	}
	int r = cw_portal_add_interface(host, &st->slot, IFACE, vtable, st);
	if (r < 0) {
		snprintf(err, errlen, "cannot add %s: %s", IFACE,
			strerror(-r));
		cw_bus_finish(&st->hostbus);
		free(st);
		return NULL;
	}
	char why[512];
	if (!ask_host(st, why, sizeof(why))) {
		cw_log(CW_LOG_DEBUG, "Settings: %s; from gsettings", why);
		use_gsettings(st);
	}
	return st;
}

const struct cw_portal cw_portal_settings = {
	.name = "Settings",
	.start = settings_start,
	.stop = settings_stop,
};
