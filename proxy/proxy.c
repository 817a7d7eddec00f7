#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include "capture.h"
#include "capturing.h"
#include "clipboard.h"
#include "conn.h"
#include "filters.h"
#include "permission.h"
#include "policy.h"
#include "prompt.h"
#include "seccontext.h"
#include "log.h"
#include "proxy.h"
#include "util.h"
#include "wire.h"

#define LISTEN_BACKLOG 128
/* How long connect() to the compositor may block. */
#define UPSTREAM_CONNECT_TIMEOUT_S 2

bool cw_resolve_wayland_display(const char *display, char *out, size_t len,
	char *err, size_t errlen)
{
	if (display == NULL || display[0] == '\0') {
		display = "wayland-0";
	}
	int n;
	if (display[0] == '/') {
		n = snprintf(out, len, "%s", display);
	} else {
		const char *dir = getenv("XDG_RUNTIME_DIR");
		if (dir == NULL || dir[0] == '\0') {
			snprintf(err, errlen, "XDG_RUNTIME_DIR is not set, so "
				"WAYLAND_DISPLAY=%s cannot be found", display);
			return false;
		}
		n = snprintf(out, len, "%s/%s", dir, display);
	}
	if (n < 0 || (size_t)n >= len ||
			(size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "Wayland socket path too long: %s",
			display);
		return false;
	}
	return true;
}

static int connect_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct timeval tv = { .tv_sec = UPSTREAM_CONNECT_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		snprintf(err, errlen, "cannot connect to the compositor at %s: "
			"%s", path, strerror(errno));
		close(fd);
		return -1;
	}
	tv.tv_sec = 0;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

bool cw_compositor_check(const char *path, char *err, size_t errlen)
{
	int fd = connect_unix(path, err, errlen);
	if (fd < 0) {
		return false;
	}
	/* wl_display@1.sync(new_id 2), then wait for wl_callback@2.done;
	 * whatever else comes first (the display's delete_id) is skipped */
	uint32_t sync[3] = { 1, (12u << 16) | 0, 2 };
	bool ok = false;
	if (send(fd, sync, sizeof(sync), MSG_NOSIGNAL) != sizeof(sync)) {
		snprintf(err, errlen, "the compositor at %s closed the "
			"connection: %s", path, strerror(errno));
		goto out;
	}
	int64_t deadline = cw_now_ms() + CW_COMPOSITOR_CHECK_MS;
	uint8_t buf[4096];
	size_t have = 0;
	for (;;) {
		int64_t left = deadline - cw_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			snprintf(err, errlen, "the compositor at %s does not "
				"answer (%d ms)", path, CW_COMPOSITOR_CHECK_MS);
			goto out;
		}
		ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			continue;
		}
		if (n <= 0) {
			snprintf(err, errlen, "the compositor at %s closed the "
				"connection%s%s", path, n < 0 ? ": " : "",
				n < 0 ? strerror(errno) : "");
			goto out;
		}
		have += (size_t)n;
		while (have >= 8) {
			uint32_t head[2];
			memcpy(head, buf, sizeof(head));
			size_t size = head[1] >> 16;
			if (size < 8 || size > sizeof(buf)) {
				snprintf(err, errlen, "%s is not a Wayland "
					"compositor's socket", path);
				goto out;
			}
			if (have < size) {
				break;
			}
			if (head[0] == 2 && (head[1] & 0xffff) == 0) {
				ok = true;
				goto out;
			}
			memmove(buf, buf + size, have - size);
			have -= size;
		}
	}
out:
	close(fd);
	return ok;
}

struct cw_proxy *cw_proxy_create(struct cw_loop *loop,
	const struct cw_policy *policy, const char *upstream_path,
	int upstream_fd)
{
	if (!cw_registry_filter_init() || !cw_capture_filter_init() ||
			!cw_clipboard_filter_init() ||
			!cw_clipboard_manager_filter_init()) {
		return NULL;
	}
	/*
	 * The queues of a client that stops reading grow to a few hundred
	 * KiB and are freed when it goes. A fixed threshold keeps them
	 * mapped, so that they go back to the system then; by default glibc
	 * raises the threshold after the first such free, and the heap keeps
	 * what later bursts leave between live chunks.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	struct cw_proxy *proxy = calloc(1, sizeof(*proxy));
	if (proxy == NULL) {
		return NULL;
	}
	proxy->loop = loop;
	proxy->policy = policy;
	proxy->upstream_fd = upstream_fd;
	proxy->listener.fd = -1;
	if (upstream_path != NULL) {
		proxy->upstream_path = strdup(upstream_path);
		if (proxy->upstream_path == NULL) {
			free(proxy);
			return NULL;
		}
	}
	cw_list_init(&proxy->conns);
	cw_list_init(&proxy->graveyard);
	if (!cw_proxy_set_permissions(proxy, "unknown", NULL, NULL)) {
		free(proxy->upstream_path);
		free(proxy);
		return NULL;
	}
	return proxy;
}

/* The permission state speaks through the proxy's trace and notes. */
static void perms_trace(void *data, const char *what, const char *text)
{
	cw_proxy_trace(data, what, "%s", text);
}

static void perms_denied(void *data, const char *text)
{
	cw_proxy_note(data, CW_NOTE_DENIED, "%s", text);
}

bool cw_proxy_set_permissions(struct cw_proxy *proxy, const char *app,
	struct cw_prompter *prompter, const char *store_path)
{
	struct cw_consent_sink sink = {
		.trace = perms_trace,
		.denied = perms_denied,
		.data = proxy,
	};
	struct cw_permissions *perms = cw_permissions_create(
		proxy->policy->rules, &sink, app, prompter, store_path);
	if (perms == NULL) {
		cw_prompter_destroy(prompter);
		return false;
	}
	cw_consent_unlisten(&proxy->capture_listener);
	cw_consent_unlisten(&proxy->clipboard_manager_listener);
	cw_permissions_destroy(proxy->perms);
	proxy->perms = perms;
	/* first on the list: the proxy's own captures end before anything
	 * else hears of a revoke */
	cw_capture_listen(proxy);
	cw_clipboard_manager_listen(proxy);
	return true;
}

void cw_proxy_vtrace(struct cw_proxy *proxy, const char *who,
	const char *what, const char *fmt, va_list ap)
{
	if (!proxy->trace) {
		return;
	}
	char text[512], name[128];
	vsnprintf(text, sizeof(text), fmt, ap);
	cw_text_sanitize(text);
	if (who != NULL) {
		snprintf(name, sizeof(name), "%s", who);
		cw_text_sanitize(name);
		cw_log_line("crate-wl[%s]: %s %s", name, what, text);
	} else {
		cw_log_line("crate-wl: %s %s", what, text);
	}
}

void cw_proxy_note(struct cw_proxy *proxy, enum cw_proxy_note_kind kind,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cw_vmsg_limited(&proxy->notes[kind], fmt, ap);
	va_end(ap);
}

/* Prints what the rate limits held back; returns the next deadline. */
static int64_t flush_notes(struct cw_proxy *proxy, bool force)
{
	return cw_ratelimit_flush_all(proxy->notes, CW_NOTE_COUNT, force);
}

void cw_proxy_trace(struct cw_proxy *proxy, const char *what,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cw_proxy_vtrace(proxy, NULL, what, fmt, ap);
	va_end(ap);
}

static void reap(struct cw_proxy *proxy)
{
	struct cw_conn *conn, *tmp;
	bool freed = false;
	cw_list_for_each_safe(conn, tmp, &proxy->graveyard, link) {
		cw_list_remove(&conn->link);
		free(conn);
		freed = true;
	}
	if (freed && proxy->accept_paused && proxy->listener.fd >= 0) {
		proxy->accept_paused = false;
		cw_loop_update(proxy->loop, &proxy->listener, EPOLLIN);
	}
}

void cw_proxy_stop_listening(struct cw_proxy *proxy)
{
	if (proxy->listener.fd >= 0) {
		if (!proxy->released) {
			cw_loop_remove(proxy->loop, &proxy->listener);
		}
		close(proxy->listener.fd);
		proxy->listener.fd = -1;
		unlink(proxy->listen_path);
	}
}

void cw_proxy_destroy(struct cw_proxy *proxy)
{
	if (proxy == NULL) {
		return;
	}
	struct cw_conn *conn, *tmp;
	cw_list_for_each_safe(conn, tmp, &proxy->conns, link) {
		cw_conn_destroy(conn);
	}
	reap(proxy);
	if (!proxy->released) {
		flush_notes(proxy, true);
	}
	if (proxy->released) {
		cw_capturing_release(proxy);
	} else {
		cw_capturing_destroy(proxy);
	}
	cw_permissions_destroy(proxy->perms);
	cw_proxy_stop_listening(proxy);
	if (proxy->released) {
		/* the child that serves on keeps the context */
		cw_seccontext_release(proxy->seccontext);
	} else {
		cw_seccontext_destroy(proxy->seccontext);
		if (proxy->sc_own_dir && proxy->sc_dir != NULL) {
			rmdir(proxy->sc_dir);
		}
	}
	free(proxy->sc_dir);
	free(proxy->sc_instance);
	if (proxy->upstream_fd >= 0) {
		close(proxy->upstream_fd);
	}
	free(proxy->listen_path);
	free(proxy->upstream_path);
	free(proxy->record_dir);
	free(proxy);
}

void cw_proxy_release(struct cw_proxy *proxy)
{
	if (proxy == NULL) {
		return;
	}
	proxy->released = true;
	cw_proxy_destroy(proxy);
}

bool cw_proxy_set_security_context(struct cw_proxy *proxy, const char *dir,
	const char *instance_id)
{
	if (proxy->upstream_path == NULL) {
		cw_proxy_trace(proxy, "SECURITY-CONTEXT", "none: the compositor "
			"connection came made (WAYLAND_SOCKET), there is no "
			"socket to ask for one on");
		return true;
	}
	free(proxy->sc_dir);
	free(proxy->sc_instance);
	proxy->sc_dir = dir ? strdup(dir) : NULL;
	proxy->sc_instance = strdup(instance_id);
	proxy->sc_own_dir = dir == NULL;
	proxy->sc_wanted = proxy->sc_instance != NULL &&
		(dir == NULL || proxy->sc_dir != NULL);
	return proxy->sc_wanted;
}

/* The directory for the context's socket: ours is made on first use. */
static bool seccontext_dir(struct cw_proxy *proxy, char *err, size_t errlen)
{
	if (proxy->sc_dir != NULL) {
		return true;
	}
	const char *rt = getenv("XDG_RUNTIME_DIR");
	rt = rt && rt[0] ? rt : "/tmp";
	/* what a killed proxy (SIGKILL gives it no time) left there */
	cw_seccontext_sweep(rt);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/crate-wl-sc-XXXXXX", rt);
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "cannot create a directory for the "
			"security context's socket: %s", strerror(errno));
		return false;
	}
	proxy->sc_dir = strdup(dir);
	if (proxy->sc_dir == NULL) {
		rmdir(dir);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

/*
 * A new compositor connection: through the security context where there
 * is one (made now if not yet), else to the compositor's socket.
 */
static int connect_upstream(struct cw_proxy *proxy, char *err, size_t errlen)
{
	if (proxy->seccontext != NULL) {
		int fd = connect_unix(proxy->seccontext->path, err, errlen);
		if (fd >= 0) {
			return fd;
		}
		/* the compositor that held it is gone (restarted, or
		 * dropped the context): the next one gets a new one */
		cw_proxy_trace(proxy, "SECURITY-CONTEXT", "gone (%s): a new "
			"one is made", err);
		cw_seccontext_destroy(proxy->seccontext);
		proxy->seccontext = NULL;
	}
	int fd = connect_unix(proxy->upstream_path, err, errlen);
	if (fd < 0) {
		/* the next compositor may offer what this one did not */
		proxy->sc_absent = false;
		return -1;
	}
	if (!proxy->sc_wanted || proxy->sc_absent) {
		return fd;
	}
	char path[PATH_MAX];
	if (!seccontext_dir(proxy, err, errlen)) {
		close(fd);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/upstream-%u", proxy->sc_dir,
		proxy->sc_serial++);
	unlink(path); /* ours, left by a context that is gone */
	char why[512];
	const char *app = proxy->perms->app;
	switch (cw_seccontext_create(fd, path, app, proxy->sc_instance,
			&proxy->seccontext, why, sizeof(why))) {
	case CW_SECCONTEXT_MADE:
		cw_proxy_trace(proxy, "SECURITY-CONTEXT", "made: sandbox_engine "
			"%s, app_id %s, instance_id %s; the compositor's "
			"restrictions apply too", CW_SECCONTEXT_ENGINE, app,
			proxy->sc_instance);
		break;
	case CW_SECCONTEXT_ABSENT:
		cw_proxy_trace(proxy, "SECURITY-CONTEXT", "none: the "
			"compositor does not offer "
			"wp_security_context_manager_v1; clients connect as "
			"ordinary ones");
		proxy->sc_absent = true;
		return connect_unix(proxy->upstream_path, err, errlen);
	case CW_SECCONTEXT_FAILED:
		snprintf(err, errlen, "the compositor offers a security "
			"context, but making one failed: %.*s "
			"(--no-security-context goes without)", 300, why);
		return -1;
	}
	return connect_unix(proxy->seccontext->path, err, errlen);
}

bool cw_proxy_add_client(struct cw_proxy *proxy, int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	char err[512] = "";
	int server_fd = -1;
	unsigned max = proxy->policy->max_connections;
	bool refused = proxy->linked_conns >= max;
	if (refused) {
		proxy->refused_clients++;
		snprintf(err, sizeof(err), "too many Wayland connections from "
			"this sandbox (max-connections = %u)", max);
	} else if (proxy->upstream_path != NULL) {
		server_fd = connect_upstream(proxy, err, sizeof(err));
	} else if (proxy->upstream_fd >= 0) {
		/* WAYLAND_SOCKET is one connection: the first client has it */
		server_fd = proxy->upstream_fd;
		proxy->upstream_fd = -1;
		fcntl(server_fd, F_SETFL, fcntl(server_fd, F_GETFL) | O_NONBLOCK);
	} else {
		snprintf(err, sizeof(err), "the compositor connection given "
			"by WAYLAND_SOCKET is already in use by another client");
	}
	struct cw_conn *conn = cw_conn_create(proxy, fd, server_fd);
	if (conn == NULL) {
		return false;
	}
	if (refused) {
		cw_conn_trace(conn, "REFUSED", "%s", err);
		if (!proxy->trace) {
			cw_proxy_note(proxy, CW_NOTE_REFUSED, "client %u refused: "
				"the sandbox has %u Wayland connections already "
				"(max-connections)", conn->id, max);
		}
		cw_conn_refuse(conn, CW_ERROR_NO_MEMORY, "%s", err);
	} else if (server_fd < 0) {
		proxy->upstream_failures++;
		cw_proxy_note(proxy, CW_NOTE_UPSTREAM, "client %u: %s",
			conn->id, err);
		cw_conn_refuse(conn, CW_ERROR_IMPLEMENTATION, "%s", err);
	}
	return true;
}

static void listener_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_proxy *proxy = cw_container_of(source, proxy, listener);
	for (int i = 0; i < 32; i++) {
		/* a client costs two fds (its own and the compositor's):
		 * take one only when both are there */
		int spare[2] = {
			fcntl(source->fd, F_DUPFD_CLOEXEC, 0),
			fcntl(source->fd, F_DUPFD_CLOEXEC, 0),
		};
		for (int k = 0; k < 2; k++) {
			if (spare[k] >= 0) {
				close(spare[k]);
			}
		}
		int fd = spare[0] < 0 || spare[1] < 0 ? (errno = EMFILE, -1) :
			accept4(source->fd, NULL, NULL,
				SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* out of fds: stop accepting until a client
				 * leaves, rather than spin on the listener */
				cw_proxy_note(proxy, CW_NOTE_OUT_OF_FDS,
					"out of file descriptors with %zu "
					"clients: new clients wait",
					proxy->nconns);
				cw_loop_update(proxy->loop, source, 0);
				proxy->accept_paused = true;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK &&
					errno != EINTR) {
				cw_log_errno(CW_LOG_ERROR, "accept");
			}
			return;
		}
		cw_proxy_add_client(proxy, fd);
	}
}

bool cw_proxy_listen(struct cw_proxy *proxy, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		cw_msg("socket path too long: %s", path);
		return false;
	}
	/* bind under a temporary name and rename once listening, so that a
	 * client never finds a socket that refuses it */
	errno = 0;
	char tmp[sizeof(addr.sun_path)];
	int n = snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	bool renamed = n > 0 && (size_t)n < sizeof(tmp);
	strcpy(addr.sun_path, renamed ? tmp : path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		cw_msg("socket: %s", strerror(errno));
		return false;
	}
	if (access(path, F_OK) == 0) {
		errno = EEXIST; /* the rename would replace it silently */
	}
	if (errno == EEXIST || bind(fd, (struct sockaddr *)&addr,
			sizeof(addr)) != 0) {
		cw_msg("cannot create the socket %s: %s", path,
			strerror(errno));
		close(fd);
		return false;
	}
	if (listen(fd, LISTEN_BACKLOG) != 0 ||
			(renamed && rename(tmp, path) != 0) ||
			!cw_loop_add(proxy->loop, &proxy->listener, fd, EPOLLIN,
			listener_dispatch)) {
		cw_msg("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(addr.sun_path);
		unlink(path);
		return false;
	}
	proxy->listen_path = strdup(path);
	return true;
}


int cw_proxy_dispatch(struct cw_proxy *proxy, int timeout_ms)
{
	/* connections that sent an error get a moment to be read */
	int64_t now = cw_now_ms();
	int64_t next = -1;
	struct cw_conn *conn, *tmp;
	cw_list_for_each_safe(conn, tmp, &proxy->conns, link) {
		if (!conn->closing) {
			continue;
		}
		if (conn->close_deadline_ms <= now) {
			cw_conn_destroy(conn);
		} else if (next < 0 || conn->close_deadline_ms < next) {
			next = conn->close_deadline_ms;
		}
	}
	reap(proxy);
	int64_t notes = flush_notes(proxy, false);
	if (notes >= 0 && (next < 0 || notes < next)) {
		next = notes;
	}
	if (next >= 0 && (timeout_ms < 0 || next - now < timeout_ms)) {
		timeout_ms = (int)(next - now);
	}
	int ret = cw_loop_dispatch(proxy->loop, timeout_ms);
	reap(proxy);
	return ret;
}
