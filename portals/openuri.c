/*
 * org.freedesktop.portal.OpenURI on the sandbox's bus: a web or mail link
 * the app gives opens with the user's own default handler, outside the
 * sandbox, after the open-uri permission (ask by default).
 *
 * The app chooses the URI and nothing else. It is checked here (see
 * cw_openuri_check), then given as one argument, after "--", to the
 * host's `gio open`, started without a shell in crate-wl's own
 * environment: GLib finds the handler the user chose for the scheme (the
 * mimeapps.list of the XDG specification, which every desktop writes),
 * and starts it as the desktop would. Files (OpenFile, OpenDirectory)
 * open only if the sandbox was granted them (cw_portal_env's granted);
 * without that hook they are all refused.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "listener.h"
#include "list.h"
#include "log.h"
#include "rate.h"
#include "openuri.h"
#include "permission.h"
#include "util.h"

#define IFACE "org.freedesktop.portal.OpenURI"
/* xdg-desktop-portal 1.16's version of the interface */
#define VERSION 4
/* links and files being asked about or opened at once, per sandbox */
#define MAX_PENDING 16
/* the rate: a burst of OPEN_BURST, then one every OPEN_EVERY_MS (each
 * starts a program outside; an allowed app could start a browser tab a
 * millisecond) */
#define OPEN_BURST 5
#define OPEN_EVERY_MS 1000


struct openuri {
	struct cw_portal_host *host;
	const struct cw_portal_env *env;
	sd_bus_slot *slot;
	char gio[PATH_MAX]; /* the host's gio, or "" */
	struct cw_list opens; /* struct open::link */
	size_t nopens;
	struct cw_rate rate; /* links started */
};

/* One OpenURI or OpenFile call: asked about, then the handler's run. */
struct open {
	struct cw_list link;
	struct openuri *ou;
	struct cw_portal_request *req; /* NULL once answered */
	struct cw_consent_listener answer;
	char *target; /* the checked URI, or the file's host path */
	pid_t pid;    /* gio, while it runs; else 0 */
	struct cw_source exit; /* its pidfd */
};

static const char *const schemes[] = { "http:", "https:", "mailto:" };

/* The fields a mailto link may carry (RFC 6068's, less what a mail
 * client reads from this machine): several clients (KMail, Evolution,
 * Claws, mutt's and others' command lines) have attached a local file
 * named by an "attach" or "attachment" field, which would mail out any
 * file the user can read. */
static const char *const mailto_fields[] = {
	"to", "cc", "bcc", "subject", "body", "in-reply-to",
};

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (unsigned char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Each field of ADDR?F=V&F=V (split at '&' and at ';', which some
 * clients also take) is one of mailto_fields once percent-decoded, in
 * any case: "%61ttach" is "attach" to a client that decodes it. */
static bool mailto_fields_ok(const char *rest, char *why, size_t len)
{
	const char *q = strchr(rest, '?');
	/* nor a '?' that a client decoding the address first would see */
	const char *enc = strcasestr(rest, "%3f");
	if (enc != NULL && (q == NULL || enc < q)) {
		snprintf(why, len, "a mailto link with an encoded '?' in its "
			"address");
		return false;
	}
	if (q == NULL) {
		return true;
	}
	for (const char *f = q + 1; *f != '\0';) {
		char name[16];
		size_t n = 0;
		bool toolong = false;
		const char *p = f;
		for (; *p != '\0' && *p != '=' && *p != '&' && *p != ';';
				p++) {
			int c = (unsigned char)*p;
			if (c == '%' && hex((unsigned char)p[1]) >= 0 &&
					hex((unsigned char)p[2]) >= 0) {
				c = hex((unsigned char)p[1]) * 16 +
					hex((unsigned char)p[2]);
				p += 2;
			}
			if (n + 1 < sizeof(name)) {
				name[n++] = (char)tolower(c);
			} else {
				toolong = true;
			}
		}
		name[n] = '\0';
		bool known = false;
		for (size_t i = 0; !toolong && n > 0 && i <
				sizeof(mailto_fields) / sizeof(*mailto_fields);
				i++) {
			known = known || strcmp(name, mailto_fields[i]) == 0;
		}
		if (!known && n > 0) {
			snprintf(why, len, "a mailto link with a field other "
				"than to, cc, bcc, subject, body and "
				"in-reply-to");
			return false;
		}
		/* to the next field */
		p += strcspn(p, "&;");
		f = *p != '\0' ? p + 1 : p;
	}
	return true;
}

bool cw_openuri_check(const char *uri, char *why, size_t len)
{
	size_t n = strlen(uri);
	if (n == 0 || n > CW_OPENURI_MAX) {
		snprintf(why, len, "a link of %zu bytes (1 to %d)", n,
			CW_OPENURI_MAX);
		return false;
	}
	if (uri[0] == '-') {
		snprintf(why, len, "a link that starts with '-'");
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)uri; *p; p++) {
		/* printable ASCII: no controls, spaces or raw UTF-8 (a link
		 * percent-encodes them) */
		if (*p <= 0x20 || *p >= 0x7f) {
			snprintf(why, len, "a link with byte 0x%02x at %zu",
				*p, (size_t)(p - (const unsigned char *)uri));
			return false;
		}
	}
	const char *rest = NULL;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t sl = strlen(schemes[i]);
		if (strncasecmp(uri, schemes[i], sl) == 0) {
			rest = uri + sl;
			break;
		}
	}
	if (rest == NULL) {
		snprintf(why, len, "only http, https and mailto links open "
			"outside the sandbox");
		return false;
	}
	if (strncasecmp(uri, "mailto:", 7) == 0) {
		if (rest[0] == '\0') {
			snprintf(why, len, "a mailto link with no address");
			return false;
		}
		return mailto_fields_ok(rest, why, len);
	}
	/* http(s)://HOST...: a host, not a path on this machine */
	if (strncmp(rest, "//", 2) != 0 || rest[2] == '\0' ||
			strchr("/?#@:", rest[2]) != NULL) {
		snprintf(why, len, "a web link with no host");
		return false;
	}
	return true;
}

static void open_free(struct open *o)
{
	if (o == NULL) {
		return;
	}
	cw_consent_unlisten(&o->answer);
	if (o->pid > 0) {
		/* the portal stops (the sandbox ended) while gio still
		 * starts the handler: the user allowed it, so it goes on,
		 * no longer watched (crate-wl ends next, and init reaps it) */
		cw_loop_remove(o->ou->env->loop, &o->exit);
		close(o->exit.fd);
	}
	cw_list_remove(&o->link);
	o->ou->nopens--;
	free(o->target);
	free(o);
}

static void respond(struct open *o, enum cw_portal_response code)
{
	if (o->req != NULL) {
		cw_portal_request_respond(o->req, code, NULL, NULL);
		o->req = NULL;
		cw_portal_flush(o->ou->host);
	}
}

static void gio_exited(struct cw_source *source, uint32_t events)
{
	struct open *o = cw_container_of(source, o, exit);
	int status;
	if (waitpid(o->pid, &status, WNOHANG) != o->pid) {
		return;
	}
	o->pid = 0;
	cw_loop_remove(o->ou->env->loop, &o->exit);
	close(o->exit.fd);
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok) {
		cw_msg("OpenURI: gio open could not open it (%s %d)",
			WIFEXITED(status) ? "status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) :
			WTERMSIG(status));
	}
	respond(o, ok ? CW_PORTAL_OK : CW_PORTAL_OTHER);
	open_free(o);
}

/* gio open -- TARGET: no shell, crate-wl's own environment, its own
 * session (no signals from crate-wl's terminal), stdin /dev/null */
static bool run_handler(struct open *o)
{
	struct openuri *ou = o->ou;
	if (ou->gio[0] == '\0') {
		cw_msg("OpenURI: no gio on this system (package "
			"libglib2.0-bin): cannot open links");
		return false;
	}
	char *argv[] = { "gio", "open", "--", o->target, NULL };
	pid_t pid;
	int r = cw_spawn(ou->gio, argv, -1, &pid);
	if (r != 0) {
		cw_msg("OpenURI: cannot run %s: %s", ou->gio, strerror(r));
		return false;
	}
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || !cw_loop_add(ou->env->loop, &o->exit, fd, EPOLLIN,
			gio_exited)) {
		cw_msg("OpenURI: cannot watch gio: %s", strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		/* it runs anyway; reaped here rather than left a zombie */
		waitpid(pid, NULL, 0);
		return true;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	o->pid = pid;
	return true;
}

static void decided(struct open *o, bool allowed)
{
	if (!allowed) {
		respond(o, CW_PORTAL_CANCELLED);
		open_free(o);
		return;
	}
	if (!run_handler(o)) {
		respond(o, CW_PORTAL_OTHER);
		open_free(o);
		return;
	}
	if (o->pid == 0) {
		respond(o, CW_PORTAL_OK);
		open_free(o);
	}
}

static void on_answer(struct cw_consent_listener *answer,
	enum cw_capability cap, enum cw_decision decision)
{
	struct open *o = cw_container_of(answer, o, answer);
	decided(o, decision == CW_DECISION_ALLOW);
}

/*
 * The Request ended before its answer: the app closed it, or left the bus.
 * The question stays, and the link opens if the user allows it: xdg-open
 * (gdbus call) leaves as soon as it has the Request's path, long before
 * anyone answered. Only the end of the sandbox withdraws it.
 */
static void on_cancel(void *data)
{
	struct open *o = data;
	o->req = NULL;
}

/* options: handle_token, if any (the rest: ask, writable, activation
 * token, are not the app's to decide outside) */
static int read_options(sd_bus_message *m, char *token, size_t len)
{
	token[0] = '\0';
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0) {
			return r;
		}
		if (strcmp(key, "handle_token") == 0 &&
				sd_bus_message_enter_container(m, 'v', "s") > 0) {
			const char *t;
			if ((r = sd_bus_message_read(m, "s", &t)) < 0) {
				return r;
			}
			if (cw_portal_valid_token(t)) {
				snprintf(token, len, "%s", t);
			}
			if ((r = sd_bus_message_exit_container(m)) < 0) {
				return r;
			}
		} else if ((r = sd_bus_message_skip(m, "v")) < 0) {
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

/* Is another link than o waiting for the user's answer? */
static bool asking(struct openuri *ou, const struct open *o)
{
	const struct open *other;
	cw_list_for_each(other, &ou->opens, link) {
		if (other != o && cw_consent_listening(&other->answer)) {
			return true;
		}
	}
	return false;
}

/* Asks (or not) and opens; replies with the Request's path. */
static int start_open(struct openuri *ou, sd_bus_message *m,
	const char *token, char *target, const char *what,
	sd_bus_error *error)
{
	if (ou->nopens >= MAX_PENDING) {
		free(target);
		return sd_bus_error_set(error, CW_PORTAL_ERR_FAILED,
			"too many links opening at once");
	}
	if (!cw_rate_take(&ou->rate)) {
		free(target);
		return sd_bus_error_setf(error, CW_PORTAL_ERR_FAILED,
			"more than %d links at once, or more than one every "
			"%d ms", OPEN_BURST, OPEN_EVERY_MS);
	}
	struct open *o = calloc(1, sizeof(*o));
	if (o == NULL) {
		free(target);
		return -ENOMEM;
	}
	o->ou = ou;
	o->target = target;
	o->exit.fd = -1;
	o->answer.changed = on_answer;
	cw_list_insert(&ou->opens, &o->link);
	ou->nopens++;
	o->req = cw_portal_request_new(ou->host, m, token, on_cancel, o);
	if (o->req == NULL) {
		open_free(o);
		return -ENOMEM;
	}
	int r = sd_bus_reply_method_return(m, "o",
		cw_portal_request_path(o->req));
	if (r < 0) {
		cw_portal_request_free(o->req);
		o->req = NULL;
		open_free(o);
		return r;
	}
	enum cw_decision d = ou->env->perms != NULL ?
		cw_permissions_check(ou->env->perms, CW_CAP_OPEN_URI) :
		CW_DECISION_DENY;
	if (d == CW_DECISION_ASK && asking(ou, o)) {
		/* one link a question: a second one would share the
		 * answer to a question that named only the first */
		cw_msg("OpenURI: %s refused: the user is being asked about "
			"another link", o->target);
		decided(o, false);
		return 1;
	}
	if (d == CW_DECISION_ASK) {
		/* the question names what opens: the link the user sees */
		char detail[CW_OPENURI_MAX + 64];
		snprintf(detail, sizeof(detail), "open %s %s outside the "
			"sandbox", what, o->target);
		cw_permissions_wait(ou->env->perms, CW_CAP_OPEN_URI, detail,
			&o->answer);
		return 1;
	}
	decided(o, d == CW_DECISION_ALLOW);
	return 1;
}

static int method_open_uri(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct openuri *ou = data;
	const char *parent, *uri;
	char token[128], why[128];
	int r = sd_bus_message_read(m, "ss", &parent, &uri);
	if (r < 0 || (r = read_options(m, token, sizeof(token))) < 0) {
		return r;
	}
	if (!cw_openuri_check(uri, why, sizeof(why))) {
		return sd_bus_error_setf(error, CW_PORTAL_ERR_INVALID,
			"not opened: %s", why);
	}
	char *target = strdup(uri);
	if (target == NULL) {
		return -ENOMEM;
	}
	return start_open(ou, m, token, target, "the link", error);
}

/* OpenFile, OpenDirectory: the fd's file, if it was granted to the
 * sandbox and has the same path here, outside */
static int open_fd(sd_bus_message *m, struct openuri *ou, bool dir,
	sd_bus_error *error)
{
	const char *parent;
	int fd;
	char token[128];
	int r = sd_bus_message_read(m, "sh", &parent, &fd);
	if (r < 0 || (r = read_options(m, token, sizeof(token))) < 0) {
		return r;
	}
	struct stat st, here;
	if (fstat(fd, &st) < 0) {
		return sd_bus_error_setf(error, CW_PORTAL_ERR_INVALID,
			"cannot stat the file: %s", strerror(errno));
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_INVALID, dir ?
			"not a directory" : "not a regular file");
	}
	if (ou->env->granted == NULL ||
			!ou->env->granted(ou->env->granted_data, st.st_dev,
			st.st_ino)) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_NOT_ALLOWED,
			"only files the sandbox was given open outside it");
	}
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_NOT_FOUND,
			"the file has no path");
	}
	path[n] = '\0';
	/* the path must name the same file out here, and be one argument
	 * gio reads as a path */
	char why[128];
	if (path[0] != '/' || stat(path, &here) < 0 ||
			here.st_dev != st.st_dev || here.st_ino != st.st_ino ||
			!cw_openuri_path_ok(path, why, sizeof(why))) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_NOT_FOUND,
			"the file is not at the same path outside the "
			"sandbox");
	}
	char *target = strdup(path);
	if (target == NULL) {
		return -ENOMEM;
	}
	return start_open(ou, m, token, target, dir ? "the folder" :
		"the file", error);
}

bool cw_openuri_path_ok(const char *path, char *why, size_t len)
{
	if (path[0] != '/' || strlen(path) > CW_OPENURI_MAX) {
		snprintf(why, len, "not an absolute path of at most %d bytes",
			CW_OPENURI_MAX);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(why, len, "a control character in the path");
			return false;
		}
	}
	return true;
}

static int method_open_file(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	return open_fd(m, data, false, error);
}

static int method_open_directory(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	return open_fd(m, data, true, error);
}

static int prop_version(sd_bus *bus, const char *path, const char *iface,
	const char *prop, sd_bus_message *reply, void *data,
	sd_bus_error *error)
{
	return sd_bus_message_append(reply, "u", VERSION);
}

static sd_bus_vtable vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("OpenURI", "ssa{sv}", "o", method_open_uri,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("OpenFile", "sha{sv}", "o", method_open_file,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("OpenDirectory", "sha{sv}", "o",
		method_open_directory, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("version", "u", prop_version, 0,
		SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static void openuri_stop(void *state)
{
	struct openuri *ou = state;
	while (!cw_list_empty(&ou->opens)) {
		struct open *o = cw_container_of(ou->opens.next, o, link);
		if (o->req != NULL) {
			cw_portal_request_free(o->req);
			o->req = NULL;
		}
		open_free(o);
	}
	sd_bus_slot_unref(ou->slot);
	free(ou);
}

static void *openuri_start(struct cw_portal_host *host,
	const struct cw_portal_env *env, char *err, size_t errlen)
{
	struct openuri *ou = calloc(1, sizeof(*ou));
	if (ou == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ou->host = host;
	ou->env = env;
	cw_list_init(&ou->opens);
	cw_rate_init(&ou->rate, OPEN_BURST, OPEN_EVERY_MS);
	if (!cw_find_program("gio", ou->gio, sizeof(ou->gio))) {
		/* the portal answers; opening says why it cannot */
		ou->gio[0] = '\0';
	}
	int r = cw_portal_add_interface(host, &ou->slot, IFACE, vtable, ou);
	if (r < 0) {
		snprintf(err, errlen, "cannot add %s: %s", IFACE,
			strerror(-r));
		free(ou);
		return NULL;
	}
	return ou;
}

const struct cw_portal cw_portal_openuri = {
	.name = "OpenURI",
	.start = openuri_start,
	.stop = openuri_stop,
};
