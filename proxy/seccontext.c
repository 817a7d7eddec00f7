/*
 * The security context (see seccontext.h), set up with libwayland-client
 * on a connection of its own that ends once the compositor has answered:
 * a one-off synchronous client, not part of the filtered traffic.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-client.h>
#include "security-context-client-protocol.h"
#include "seccontext.h"
#include "log.h"
#include "util.h"

struct setup {
	uint32_t manager_name; /* 0: not offered */
	struct wl_callback *sync; /* the roundtrip's, until done */
	bool done;
};

static void registry_global(void *data, struct wl_registry *registry,
	uint32_t name, const char *interface, uint32_t version)
{
	struct setup *s = data;
	if (strcmp(interface, wp_security_context_manager_v1_interface.name)
			== 0) {
		s->manager_name = name;
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry,
	uint32_t name)
{
	struct setup *s = data;
	if (name == s->manager_name) {
		s->manager_name = 0;
	}
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void sync_done(void *data, struct wl_callback *callback,
	uint32_t serial)
{
	struct setup *s = data;
	s->done = true;
	s->sync = NULL;
	wl_callback_destroy(callback);
}

static const struct wl_callback_listener sync_listener = {
	.done = sync_done,
};

/* wl_display_roundtrip with a deadline: false on error or timeout. */
static bool roundtrip(struct wl_display *display, struct setup *s,
	int64_t deadline, char *err, size_t errlen)
{
	struct wl_callback *cb = wl_display_sync(display);
	if (cb == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	s->done = false;
	s->sync = cb;
	wl_callback_add_listener(cb, &sync_listener, s);
	int fd = wl_display_get_fd(display);
	while (!s->done) {
		while (wl_display_prepare_read(display) != 0) {
			if (wl_display_dispatch_pending(display) < 0) {
				goto failed;
			}
		}
		if (s->done) {
			wl_display_cancel_read(display);
			break;
		}
		if (wl_display_flush(display) < 0 && errno != EAGAIN) {
			wl_display_cancel_read(display);
			goto failed;
		}
		int64_t left = deadline - cw_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (n <= 0 && !(n < 0 && errno == EINTR)) {
			wl_display_cancel_read(display);
			if (n == 0) {
				snprintf(err, errlen, "the compositor did not "
					"answer in %d ms",
					CW_SECCONTEXT_TIMEOUT_MS);
				return false;
			}
			goto failed;
		}
		if (wl_display_read_events(display) < 0 ||
				wl_display_dispatch_pending(display) < 0) {
			goto failed;
		}
	}
	return true;
failed:;
	const struct wl_interface *iface = NULL;
	uint32_t id = 0;
	int code = wl_display_get_error(display);
	if (code == EPROTO) {
		code = (int)wl_display_get_protocol_error(display, &iface,
			&id);
		/* the objects are destroyed by then: id 0, no interface */
		snprintf(err, errlen, "the compositor refused it (protocol "
			"error %d%s%s)", code, iface ? " on " : "",
			iface ? iface->name : "");
	} else {
		snprintf(err, errlen, "the compositor connection failed: %s",
			strerror(code ? code : errno));
	}
	return false;
}

/* libwayland-client's own complaints: the caller says what failed */
static void quiet_log(const char *fmt, va_list ap)
{
	char text[256];
	vsnprintf(text, sizeof(text), fmt, ap);
	cw_log(CW_LOG_DEBUG, "security context: %s", text);
}

enum cw_seccontext_status cw_seccontext_create(int fd, const char *path,
	const char *app_id, const char *instance_id,
	struct cw_seccontext **out, char *err, size_t errlen)
{
	enum cw_seccontext_status status = CW_SECCONTEXT_FAILED;
	int listen_fd = -1, pipe_fds[2] = { -1, -1 };
	struct cw_seccontext *sc = NULL;
	struct setup s = { 0 };
	struct wp_security_context_manager_v1 *manager = NULL;
	int64_t deadline = cw_now_ms() + CW_SECCONTEXT_TIMEOUT_MS;
	*out = NULL;
	wl_log_set_handler_client(quiet_log);
	struct wl_display *display = wl_display_connect_to_fd(fd);
	if (display == NULL) {
		snprintf(err, errlen, "cannot speak to the compositor: %s",
			strerror(errno));
		close(fd);
		return CW_SECCONTEXT_FAILED;
	}
	struct wl_registry *registry = wl_display_get_registry(display);
	if (registry == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	wl_registry_add_listener(registry, &registry_listener, &s);
	if (!roundtrip(display, &s, deadline, err, errlen)) {
		goto out;
	}
	if (s.manager_name == 0) {
		status = CW_SECCONTEXT_ABSENT;
		goto out;
	}
	manager = wl_registry_bind(registry, s.manager_name,
		&wp_security_context_manager_v1_interface, 1);
	sc = calloc(1, sizeof(*sc));
	if (manager == NULL || sc == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	sc->close_fd = -1;
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	listen_fd = cw_unix_listen(sc->path, 128, err, errlen);
	if (listen_fd < 0) {
		goto out;
	}
	if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		goto out;
	}
	/* the compositor gets the read end: it sees a hangup once every
	 * copy of the write end (ours) is closed */
	struct wp_security_context_v1 *context =
		wp_security_context_manager_v1_create_listener(manager,
			listen_fd, pipe_fds[0]);
	wp_security_context_v1_set_sandbox_engine(context,
		CW_SECCONTEXT_ENGINE);
	wp_security_context_v1_set_app_id(context, app_id);
	wp_security_context_v1_set_instance_id(context, instance_id);
	wp_security_context_v1_commit(context);
	wp_security_context_v1_destroy(context);
	wp_security_context_manager_v1_destroy(manager);
	manager = NULL;
	if (!roundtrip(display, &s, deadline, err, errlen)) {
		goto out;
	}
	sc->close_fd = pipe_fds[1];
	pipe_fds[1] = -1;
	*out = sc;
	sc = NULL;
	status = CW_SECCONTEXT_MADE;
out:
	if (listen_fd >= 0) {
		/* the compositor holds its own copy now */
		close(listen_fd);
	}
	for (int i = 0; i < 2; i++) {
		if (pipe_fds[i] >= 0) {
			close(pipe_fds[i]);
		}
	}
	if (sc != NULL && listen_fd >= 0) {
		unlink(sc->path);
	}
	free(sc);
	/* the client side's objects, which disconnecting does not free */
	if (manager != NULL) {
		wp_security_context_manager_v1_destroy(manager);
	}
	if (s.sync != NULL) {
		wl_callback_destroy(s.sync);
	}
	if (registry != NULL) {
		wl_registry_destroy(registry);
	}
	wl_display_disconnect(display);
	return status;
}

void cw_seccontext_release(struct cw_seccontext *sc)
{
	if (sc == NULL) {
		return;
	}
	if (sc->close_fd >= 0) {
		close(sc->close_fd);
	}
	free(sc);
}

void cw_seccontext_destroy(struct cw_seccontext *sc)
{
	if (sc == NULL) {
		return;
	}
	unlink(sc->path);
	cw_seccontext_release(sc);
}

/* Whether a socket path in /proc/net/unix (this network namespace's) is
 * below dir/. */
static bool listened_below(FILE *unix_list, const char *dir)
{
	char line[PATH_MAX + 128];
	size_t dl = strlen(dir);
	rewind(unix_list);
	while (fgets(line, sizeof(line), unix_list) != NULL) {
		char *p = strstr(line, dir);
		if (p != NULL && p[dl] == '/') {
			return true;
		}
	}
	return false;
}

void cw_seccontext_sweep(const char *parent)
{
	DIR *d = opendir(parent);
	if (d == NULL) {
		return;
	}
	FILE *unix_list = NULL;
	time_t old = time(NULL) - 60;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (strncmp(e->d_name, "crate-wl-sc-", 12) != 0 ||
				fstatat(dirfd(d), e->d_name, &st,
				AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
				st.st_uid != getuid() || st.st_mtime >= old) {
			continue;
		}
		char dir[PATH_MAX];
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", parent,
				e->d_name) >= sizeof(dir)) {
			continue;
		}
		if (unix_list == NULL &&
				(unix_list = fopen("/proc/net/unix", "re")) == NULL) {
			break; /* cannot tell what lives: leave it all */
		}
		if (listened_below(unix_list, dir)) {
			continue;
		}
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
		DIR *sub = fd >= 0 ? fdopendir(fd) : NULL;
		if (sub == NULL) {
			if (fd >= 0) {
				close(fd);
			}
			continue;
		}
		struct dirent *f;
		while ((f = readdir(sub)) != NULL) {
			struct stat fst;
			if (strncmp(f->d_name, "upstream-", 9) == 0 &&
					fstatat(dirfd(sub), f->d_name, &fst,
					AT_SYMLINK_NOFOLLOW) == 0 &&
					S_ISSOCK(fst.st_mode)) {
				unlinkat(dirfd(sub), f->d_name, 0);
			}
		}
		closedir(sub);
		/* fails, and leaves it, when anything else is in it */
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	if (unix_list != NULL) {
		fclose(unix_list);
	}
	closedir(d);
}
