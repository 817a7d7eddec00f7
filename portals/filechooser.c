/*
 * org.freedesktop.portal.FileChooser on the sandbox's bus: the desktop's
 * own dialog, outside the sandbox, through the host's
 * org.freedesktop.impl.portal.FileChooser backend (called directly on
 * the session bus; crate-wl is its only client here). The files the user
 * picks are granted (cw_portal_env.grant: shown in the sandbox at their
 * real paths) before the app hears of them, and the app gets their real
 * paths' URIs.
 *
 * What the app sends is rebuilt, not forwarded: the options the dialog
 * understands, each type-checked (accept_label, modal, multiple, filters,
 * current_filter, current_name, files for SaveFiles, directory for
 * OpenFile); current_folder and current_file are paths in the sandbox's
 * view and are dropped. A parent window is passed on only as a Wayland
 * handle (an X11 one names the sandbox's own Xwayland).
 *
 * With directory, the folders chosen are granted whole (grant_dir:
 * sandbox/grant-check.c refuses the home, crate-wl's state and the
 * like), read-write unless the dialog said writable false.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bus.h"
#include "list.h"
#include "log.h"
#include "portal.h"

#define IFACE "org.freedesktop.portal.FileChooser"
#define IMPL_IFACE "org.freedesktop.impl.portal.FileChooser"
#define IMPL_REQUEST_IFACE "org.freedesktop.impl.portal.Request"
#define MAX_FILES 64

/* the names xdg-desktop-portal backends own, in the order tried */
static const char *const backends[] = {
	"org.freedesktop.impl.portal.desktop.gtk",
	"org.freedesktop.impl.portal.desktop.gnome",
	"org.freedesktop.impl.portal.desktop.kde",
};
#define N_BACKENDS (sizeof(backends) / sizeof(backends[0]))

enum kind { KIND_OPEN, KIND_SAVE, KIND_SAVE_FILES };

struct filechooser {
	struct cw_portal_host *host;
	const struct cw_portal_env *env;
	sd_bus_slot *slot;
	struct cw_bus bus; /* the host's session bus */
	struct cw_list calls; /* call::link */
	unsigned serial;
};

/* one dialog */
struct call {
	struct cw_list link;
	struct filechooser *fc;
	struct cw_portal_request *req;
	enum kind kind;
	bool directory; /* OpenFile of folders */
	bool readonly; /* the dialog said writable false */
	sd_bus_slot *slot; /* the backend's call in flight */
	size_t backend;
	sd_bus_message *out; /* the call, rebuilt, for each backend tried */
	char handle[160];
	char *uris[MAX_FILES]; /* granted, as real paths' URIs */
	size_t nuris;
};

static void call_free(struct call *c)
{
	cw_list_remove(&c->link);
	sd_bus_slot_unref(c->slot);
	sd_bus_message_unref(c->out);
	for (size_t i = 0; i < c->nuris; i++) {
		free(c->uris[i]);
	}
	free(c);
}

static void process(struct filechooser *fc)
{
	if (cw_bus_process(&fc->bus) < 0) {
		cw_msg("FileChooser: lost the session bus");
	}
	cw_bus_update(&fc->bus);
}

static void bus_ready(struct cw_bus *bus)
{
	struct filechooser *fc = cw_container_of(bus, fc, bus);
	process(fc);
}

static const char *method_name(enum kind kind)
{
	switch (kind) {
	case KIND_OPEN:
		return "OpenFile";
	case KIND_SAVE:
		return "SaveFile";
	case KIND_SAVE_FILES:
		return "SaveFiles";
	}
	return "?";
}

/* The app's Close: the dialog goes, and its answer finds nothing. */
static void call_cancel(void *data)
{
	struct call *c = data;
	struct filechooser *fc = c->fc;
	sd_bus_message *m = NULL;
	if (c->slot != NULL && fc->bus.bus != NULL &&
			sd_bus_message_new_method_call(fc->bus.bus, &m,
			backends[c->backend], c->handle, IMPL_REQUEST_IFACE,
			"Close") >= 0 &&
			sd_bus_message_set_expect_reply(m, 0) >= 0) {
		sd_bus_send(fc->bus.bus, m, NULL);
	}
	sd_bus_message_unref(m);
	c->req = NULL; /* freed by request.c */
	call_free(c);
	cw_bus_update(&fc->bus);
}

static int append_uris(sd_bus_message *m, void *data)
{
	struct call *c = data;
	int r = sd_bus_message_open_container(m, 'e', "sv");
	r = r < 0 ? r : sd_bus_message_append(m, "s", "uris");
	r = r < 0 ? r : sd_bus_message_open_container(m, 'v', "as");
	r = r < 0 ? r : sd_bus_message_open_container(m, 'a', "s");
	for (size_t i = 0; r >= 0 && i < c->nuris; i++) {
		r = sd_bus_message_append(m, "s", c->uris[i]);
	}
	r = r < 0 ? r : sd_bus_message_close_container(m);
	r = r < 0 ? r : sd_bus_message_close_container(m);
	r = r < 0 ? r : sd_bus_message_close_container(m);
	r = r < 0 ? r : sd_bus_message_append(m, "{sv}", "writable", "b",
		c->readonly ? 0 : 1);
	return r;
}

/* Every answer has its uris, empty unless it is 0, as
 * xdg-desktop-portal's have: GTK's and Qt's portal choosers read the
 * list without looking whether it came (an answer of 1 or 2 without one
 * crashes the app). */
static void respond(struct call *c, enum cw_portal_response code)
{
	if (code != CW_PORTAL_OK) {
		while (c->nuris > 0) {
			free(c->uris[--c->nuris]);
		}
	}
	if (c->req != NULL) {
		cw_portal_request_respond(c->req, code, append_uris, c);
		c->req = NULL;
	}
	struct filechooser *fc = c->fc;
	call_free(c);
	cw_portal_flush(fc->host);
}

static int hexval(char h)
{
	if (h >= '0' && h <= '9') {
		return h - '0';
	}
	if (h >= 'a' && h <= 'f') {
		return h - 'a' + 10;
	}
	if (h >= 'A' && h <= 'F') {
		return h - 'A' + 10;
	}
	return -1;
}

/* file:///path (or file://localhost/path) to the path; false for
 * anything else, a NUL or a "." or ".." name in it. */
static bool uri_path(const char *uri, char *out, size_t len)
{
	if (strncmp(uri, "file://", 7) != 0) {
		return false;
	}
	const char *p = uri + 7;
	if (strncmp(p, "localhost/", 10) == 0) {
		p += 9;
	}
	if (*p != '/') {
		return false;
	}
	size_t n = 0;
	for (; *p != '\0'; p++) {
		if (n + 1 >= len) {
			return false;
		}
		if (*p == '%') {
			int a = hexval(p[1]), b = a < 0 ? -1 : hexval(p[2]);
			if (b < 0 || (a == 0 && b == 0)) {
				return false;
			}
			out[n++] = (char)(a * 16 + b);
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return true;
}

/* The real path of path's directory, with its name: where the grant
 * shows it (the sandbox sees no symlink of the host's). */
static bool real_target(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash + 1;
	if (*name == '\0' || strcmp(name, ".") == 0 ||
			strcmp(name, "..") == 0 || strchr(path, '\n') != NULL) {
		return false;
	}
	char dir[PATH_MAX], real[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		(int)(slash - path), path);
	if (realpath(dir, real) == NULL) {
		return false;
	}
	return (size_t)snprintf(out, len, "%s%s%s", real,
		strcmp(real, "/") == 0 ? "" : "/", name) < len;
}

static char *path_uri(const char *path)
{
	size_t len = strlen(path);
	char *uri = malloc(7 + 3 * len + 1);
	if (uri == NULL) {
		return NULL;
	}
	char *o = uri + sprintf(uri, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				(*p >= '0' && *p <= '9') ||
				strchr("/-._~!$&'()*+,;=:@", *p) != NULL) {
			*o++ = (char)*p;
		} else {
			o += sprintf(o, "%%%02X", *p);
		}
	}
	*o = '\0';
	return uri;
}

/* The dialog's answer: the chosen files granted, then told the app. */
static int impl_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct call *c = data;
	struct filechooser *fc = c->fc;
	c->slot = sd_bus_slot_unref(c->slot);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	if (e != NULL) {
		bool absent = sd_bus_error_has_name(e,
			"org.freedesktop.DBus.Error.ServiceUnknown") ||
			sd_bus_error_has_name(e,
			"org.freedesktop.DBus.Error.NameHasNoOwner") ||
			sd_bus_error_has_name(e,
			"org.freedesktop.DBus.Error.UnknownMethod") ||
			sd_bus_error_has_name(e,
			"org.freedesktop.DBus.Error.UnknownObject") ||
			sd_bus_error_has_name(e,
			"org.freedesktop.DBus.Error.UnknownInterface");
		/* the first backend only: a sent call cannot be sent
		 * again, and the gtk one is on every desktop that has
		 * portals */
		cw_msg("FileChooser: %s%s", absent ? "no file chooser on the "
			"session bus: " : "", "");
		cw_msg("FileChooser: %s: %s", e->name, e->message ?
			e->message : "");
		respond(c, CW_PORTAL_OTHER);
		return 0;
	}
	uint32_t response;
	int r = sd_bus_message_read(m, "u", &response);
	if (r < 0 || response != 0) {
		respond(c, response == 1 ? CW_PORTAL_CANCELLED :
			CW_PORTAL_OTHER);
		return 0;
	}
	bool ok = true;
	/* the dialog's answer, whole, before anything is granted: its
	 * writable may come after its uris */
	char *paths[MAX_FILES];
	size_t npaths = 0;
	int writable = 1;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e',
			"sv")) > 0) {
		const char *key;
		r = sd_bus_message_read(m, "s", &key);
		if (r < 0) {
			break;
		}
		if (strcmp(key, "writable") == 0) {
			r = sd_bus_message_read(m, "v", "b", &writable);
		} else if (strcmp(key, "uris") != 0) {
			r = sd_bus_message_skip(m, "v");
		} else if ((r = sd_bus_message_enter_container(m, 'v',
				"as")) > 0 &&
				(r = sd_bus_message_enter_container(m, 'a',
				"s")) > 0) {
			const char *uri;
			while ((r = sd_bus_message_read(m, "s", &uri)) > 0) {
				char path[PATH_MAX];
				if (npaths >= MAX_FILES || !uri_path(uri, path,
						sizeof(path)) ||
						(paths[npaths] = strdup(path)) ==
						NULL) {
					cw_msg("FileChooser: not granted: %s",
						uri);
					ok = false;
					continue;
				}
				npaths++;
			}
			/* the list's end (0) is not the answer's: go on to
			 * the keys after it */
			r = r < 0 ? r : sd_bus_message_exit_container(m);
			r = r < 0 ? r : sd_bus_message_exit_container(m);
		}
		r = r < 0 ? r : sd_bus_message_exit_container(m);
	}
	c->readonly = !writable;
	for (size_t i = 0; i < npaths; i++) {
		char real[PATH_MAX];
		char err[PATH_MAX + 512];
		bool granted;
		if (c->directory) {
			/* the folder itself at its real path */
			bool found = realpath(paths[i], real) != NULL;
			granted = found && fc->env->grant_dir != NULL &&
				fc->env->grant_dir(fc->env->grant_data, real,
				writable != 0, err, sizeof(err));
			if (!granted) {
				cw_msg("FileChooser: %s%s",
					fc->env->grant_dir == NULL ?
					"no folder can be granted" :
					found ? err : paths[i],
					found ? "" : ": not found");
			}
		} else if (!real_target(paths[i], real, sizeof(real))) {
			cw_msg("FileChooser: not granted: %s", paths[i]);
			granted = false;
		} else {
			/* an open file read-only where the dialog said
			 * writable false ("Open files read-only") */
			granted = fc->env->grant != NULL && fc->env->grant(
				fc->env->grant_data, real,
				c->kind != KIND_OPEN ? CW_PORTAL_GRANT_CREATE :
				writable ? 0 : CW_PORTAL_GRANT_READONLY, err,
				sizeof(err));
			if (!granted) {
				cw_msg("FileChooser: %s", fc->env->grant ?
					err : "no file can be granted");
			}
		}
		char *u = granted ? path_uri(real) : NULL;
		if (u == NULL) {
			ok = false;
		} else {
			c->uris[c->nuris++] = u;
		}
		free(paths[i]);
	}
	respond(c, ok && r >= 0 ? CW_PORTAL_OK : CW_PORTAL_OTHER);
	return 0;
}

/* a(sa(us)) or (sa(us)): a filter's name and its patterns */
static int copy_filter(sd_bus_message *in, sd_bus_message *out)
{
	const char *name;
	int r = sd_bus_message_enter_container(in, 'r', "sa(us)");
	r = r <= 0 ? -EINVAL : sd_bus_message_read(in, "s", &name);
	r = r < 0 ? r : sd_bus_message_open_container(out, 'r', "sa(us)");
	r = r < 0 ? r : sd_bus_message_append(out, "s", name);
	r = r < 0 ? r : sd_bus_message_enter_container(in, 'a', "(us)");
	r = r < 0 ? r : sd_bus_message_open_container(out, 'a', "(us)");
	uint32_t type;
	const char *pattern;
	while (r >= 0 && (r = sd_bus_message_read(in, "(us)", &type,
			&pattern)) > 0) {
		if (type > 1) {
			return -EINVAL; /* 0 glob, 1 MIME type */
		}
		r = sd_bus_message_append(out, "(us)", type, pattern);
	}
	r = r < 0 ? r : sd_bus_message_close_container(out);
	r = r < 0 ? r : sd_bus_message_exit_container(in);
	r = r < 0 ? r : sd_bus_message_close_container(out);
	r = r < 0 ? r : sd_bus_message_exit_container(in);
	return r;
}

/* aay: file names for SaveFiles, each a name only */
static int copy_files(sd_bus_message *in, sd_bus_message *out)
{
	int r = sd_bus_message_enter_container(in, 'a', "ay");
	r = r < 0 ? r : sd_bus_message_open_container(out, 'a', "ay");
	while (r >= 0 && (r = sd_bus_message_enter_container(in, 'a',
			"y")) > 0) {
		char name[NAME_MAX + 1];
		size_t n = 0;
		uint8_t byte;
		while ((r = sd_bus_message_read(in, "y", &byte)) > 0) {
			if (n >= sizeof(name) - 1 || byte == '/') {
				return -EINVAL;
			}
			name[n++] = (char)byte;
		}
		/* as the portal has it: NUL-terminated */
		r = r < 0 ? r : sd_bus_message_exit_container(in);
		r = r < 0 ? r : sd_bus_message_open_container(out, 'a', "y");
		for (size_t i = 0; r >= 0 && i < n; i++) {
			if (name[i] != '\0') {
				r = sd_bus_message_append(out, "y",
					(uint8_t)name[i]);
			}
		}
		r = r < 0 ? r : sd_bus_message_append(out, "y", 0);
		r = r < 0 ? r : sd_bus_message_close_container(out);
	}
	r = r < 0 ? r : sd_bus_message_exit_container(in);
	r = r < 0 ? r : sd_bus_message_close_container(out);
	return r;
}

/* The options the dialog understands, each checked, into out's a{sv};
 * the handle_token in token. */
static int copy_options(sd_bus_message *in, sd_bus_message *out,
	enum kind kind, bool *directory, char *token, size_t tokenlen)
{
	int r = sd_bus_message_enter_container(in, 'a', "{sv}");
	r = r < 0 ? r : sd_bus_message_open_container(out, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(in, 'e',
			"sv")) > 0) {
		const char *key, *s;
		int b;
		r = sd_bus_message_read(in, "s", &key);
		if (r < 0) {
			break;
		}
		if (strcmp(key, "handle_token") == 0) {
			r = sd_bus_message_read(in, "v", "s", &s);
			snprintf(token, tokenlen, "%s", r >= 0 ? s : "");
		} else if (strcmp(key, "accept_label") == 0 ||
				(strcmp(key, "current_name") == 0 &&
				kind == KIND_SAVE)) {
			r = sd_bus_message_read(in, "v", "s", &s);
			r = r < 0 ? r : sd_bus_message_append(out, "{sv}", key,
				"s", s);
		} else if (strcmp(key, "directory") == 0 &&
				kind == KIND_OPEN) {
			r = sd_bus_message_read(in, "v", "b", &b);
			*directory = r >= 0 && b;
			r = r < 0 ? r : sd_bus_message_append(out, "{sv}", key,
				"b", b);
		} else if (strcmp(key, "modal") == 0 ||
				(strcmp(key, "multiple") == 0 &&
				kind == KIND_OPEN)) {
			r = sd_bus_message_read(in, "v", "b", &b);
			r = r < 0 ? r : sd_bus_message_append(out, "{sv}", key,
				"b", b);
		} else if (strcmp(key, "filters") == 0 ||
				strcmp(key, "current_filter") == 0) {
			bool many = key[0] == 'f';
			const char *sig = many ? "a(sa(us))" : "(sa(us))";
			r = sd_bus_message_enter_container(in, 'v', sig);
			r = r < 0 ? r : sd_bus_message_open_container(out, 'e',
				"sv");
			r = r < 0 ? r : sd_bus_message_append(out, "s", key);
			r = r < 0 ? r : sd_bus_message_open_container(out, 'v',
				sig);
			if (many) {
				r = r < 0 ? r : sd_bus_message_enter_container(
					in, 'a', "(sa(us))");
				r = r < 0 ? r : sd_bus_message_open_container(
					out, 'a', "(sa(us))");
				while (r >= 0 && sd_bus_message_peek_type(in,
						NULL, NULL) > 0) {
					r = copy_filter(in, out);
				}
				r = r < 0 ? r : sd_bus_message_close_container(
					out);
				r = r < 0 ? r : sd_bus_message_exit_container(
					in);
			} else {
				r = r < 0 ? r : copy_filter(in, out);
			}
			r = r < 0 ? r : sd_bus_message_close_container(out);
			r = r < 0 ? r : sd_bus_message_close_container(out);
			r = r < 0 ? r : sd_bus_message_exit_container(in);
		} else if (strcmp(key, "files") == 0 &&
				kind == KIND_SAVE_FILES) {
			r = sd_bus_message_enter_container(in, 'v', "aay");
			r = r < 0 ? r : sd_bus_message_open_container(out, 'e',
				"sv");
			r = r < 0 ? r : sd_bus_message_append(out, "s", key);
			r = r < 0 ? r : sd_bus_message_open_container(out, 'v',
				"aay");
			r = r < 0 ? r : copy_files(in, out);
			r = r < 0 ? r : sd_bus_message_close_container(out);
			r = r < 0 ? r : sd_bus_message_close_container(out);
			r = r < 0 ? r : sd_bus_message_exit_container(in);
		} else {
			/* current_folder, current_file, choices and what no
			 * dialog knows */
			r = sd_bus_message_skip(in, "v");
		}
		r = r < 0 ? r : sd_bus_message_exit_container(in);
	}
	r = r < 0 ? r : sd_bus_message_exit_container(in);
	r = r < 0 ? r : sd_bus_message_close_container(out);
	return r;
}

static int method(sd_bus_message *m, void *data, sd_bus_error *ret,
	enum kind kind)
{
	struct filechooser *fc = data;
	const char *parent, *title;
	char token[128] = "";
	char why[512];
	int r = sd_bus_message_read(m, "ss", &parent, &title);
	if (r < 0) {
		return sd_bus_reply_method_errorf(m, CW_PORTAL_ERR_INVALID,
			"parent_window and title: %s", strerror(-r));
	}
	if (!cw_bus_connect(&fc->bus, "the file chooser", why,
			sizeof(why))) {
		return sd_bus_reply_method_errorf(m, CW_PORTAL_ERR_FAILED,
			"%s", why);
	}
	struct call *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return -ENOMEM;
	}
	c->fc = fc;
	c->kind = kind;
	cw_list_init(&c->link);
	snprintf(c->handle, sizeof(c->handle), CW_PORTAL_PATH
		"/request/crate_wl_%ld/f%u", (long)getpid(), ++fc->serial);
	r = sd_bus_message_new_method_call(fc->bus.bus, &c->out,
		backends[0], CW_PORTAL_PATH, IMPL_IFACE, method_name(kind));
	r = r < 0 ? r : sd_bus_message_append(c->out, "oss", c->handle, "",
		strncmp(parent, "wayland:", 8) == 0 ? parent : "");
	r = r < 0 ? r : sd_bus_message_append(c->out, "s", title);
	r = r < 0 ? r : copy_options(m, c->out, kind, &c->directory, token,
		sizeof(token));
	if (r < 0) {
		call_free(c);
		return sd_bus_reply_method_errorf(m, CW_PORTAL_ERR_INVALID,
			"options: %s", strerror(-r));
	}
	c->req = cw_portal_request_new(fc->host, m, token, call_cancel, c);
	if (c->req == NULL) {
		call_free(c);
		return sd_bus_reply_method_errorf(m, CW_PORTAL_ERR_FAILED,
			"too many dialogs");
	}
	/* a dialog stays up as long as the user takes */
	r = sd_bus_call_async(fc->bus.bus, &c->slot, c->out, impl_reply, c,
		UINT64_MAX);
	if (r < 0) {
		cw_portal_request_free(c->req);
		c->req = NULL;
		call_free(c);
		return sd_bus_reply_method_errorf(m, CW_PORTAL_ERR_FAILED,
			"cannot call the desktop's file chooser: %s",
			strerror(-r));
	}
	cw_list_insert(fc->calls.prev, &c->link);
	cw_bus_update(&fc->bus);
	return sd_bus_reply_method_return(m, "o",
		cw_portal_request_path(c->req));
}

static int method_open(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	return method(m, data, ret, KIND_OPEN);
}

static int method_save(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	return method(m, data, ret, KIND_SAVE);
}

static int method_save_files(sd_bus_message *m, void *data,
	sd_bus_error *ret)
{
	return method(m, data, ret, KIND_SAVE_FILES);
}

static int prop_version(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *data,
	sd_bus_error *ret)
{
	return sd_bus_message_append(reply, "u", 3);
}

static sd_bus_vtable vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("OpenFile", "ssa{sv}", "o", method_open,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SaveFile", "ssa{sv}", "o", method_save,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SaveFiles", "ssa{sv}", "o", method_save_files,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("version", "u", prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static void fc_stop(void *state)
{
	struct filechooser *fc = state;
	if (fc == NULL) {
		return;
	}
	struct call *c, *tmp;
	cw_list_for_each_safe(c, tmp, &fc->calls, link) {
		if (c->req != NULL) {
			cw_portal_request_free(c->req);
			c->req = NULL;
		}
		call_free(c);
	}
	sd_bus_slot_unref(fc->slot);
	cw_bus_finish(&fc->bus);
	free(fc);
}

static void *fc_start(struct cw_portal_host *host,
	const struct cw_portal_env *env, char *err, size_t errlen)
{
	if (!cw_bus_findable()) {
		snprintf(err, errlen, "no session bus outside for the "
			"desktop's dialog");
		return NULL;
	}
	struct filechooser *fc = calloc(1, sizeof(*fc));
	if (fc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fc->host = host;
	fc->env = env;
	cw_list_init(&fc->calls);
	if (!cw_bus_init(&fc->bus, env->loop, bus_ready)) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(fc);
		return NULL;
	}
	int r = cw_portal_add_interface(host, &fc->slot, IFACE, vtable, fc);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		fc_stop(fc);
		return NULL;
	}
	return fc;
}

const struct cw_portal cw_portal_filechooser = {
	.name = "FileChooser",
	.start = fc_start,
	.stop = fc_stop,
};
