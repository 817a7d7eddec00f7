#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "control.h"
#include "log.h"
#include "paths.h"
#include "util.h"
#include "loop.h"
#include "permission.h"

struct cw_control {
	struct cw_loop *loop;
	struct cw_permissions *perms;
	struct cw_source listener;
	char path[108];
};

/* control/ in crate-wl's runtime directory, which is checked to be the
 * user's own and private (cw_path_runtime_dir): another user must not be
 * able to plant a socket that hears revokes, nor take them away */
static bool control_dir(char *out, size_t len, char *err, size_t errlen)
{
	if (!cw_path_runtime_dir(out, len, err, errlen)) {
		return false;
	}
	size_t n = strlen(out);
	if ((size_t)snprintf(out + n, len - n, "/control") >= len - n) {
		snprintf(err, errlen, "runtime directory path too long");
		return false;
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", out,
			strerror(errno));
		return false;
	}
	return true;
}

static void control_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_control *control = cw_container_of(source, control, listener);
	int fd = accept4(source->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		return;
	}
	/* a short line from a local process of the same user; never wait
	 * long for it */
	struct timeval tv = { .tv_usec = 200000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char line[256];
	ssize_t n = recv(fd, line, sizeof(line) - 1, 0);
	const char *reply = "error\n";
	if (n > 0) {
		line[n] = '\0';
		line[strcspn(line, "\n")] = '\0';
		char verb[16], app[128], perm[64] = "";
		int words = sscanf(line, "%15s %127s %63s", verb, app, perm);
		struct cw_permissions *perms = control->perms;
		enum cw_capability cap;
		if (words >= 2 && strcmp(app, perms->app) != 0) {
			reply = "ignored\n";
		} else if (words == 3 && strcmp(verb, "revoke") == 0 &&
				cw_capability_from_name(perm, &cap)) {
			cw_permissions_revoke(perms, cap);
			reply = "ok\n";
		} else if (words == 2 && strcmp(verb, "reset") == 0) {
			for (int i = 0; i < CW_CAP_COUNT; i++) {
				cw_permissions_revoke(perms, i);
			}
			reply = "ok\n";
		} else if (words == 3 && strcmp(verb, "refresh") == 0 &&
				cw_capability_from_name(perm, &cap)) {
			/* a new grant: read the store again next time */
			cw_permissions_refresh(perms, cap);
			reply = "ok\n";
		} else if (words == 3 && (strcmp(verb, "revoke") == 0 ||
				strcmp(verb, "refresh") == 0)) {
			/* a permission this proxy does not handle */
			reply = "ok\n";
		}
	}
	send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	close(fd);
}

struct cw_control *cw_control_create(struct cw_loop *loop,
	struct cw_permissions *perms, char *err, size_t errlen)
{
	char dir[96], why[160];
	if (!control_dir(dir, sizeof(dir), why, sizeof(why))) {
		snprintf(err, errlen, "no control socket: %s", why);
		return NULL;
	}
	struct cw_control *control = calloc(1, sizeof(*control));
	if (control == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	control->loop = loop;
	control->perms = perms;
	snprintf(control->path, sizeof(control->path), "%s/%d.sock", dir,
		(int)getpid());
	unlink(control->path);
	int fd = cw_unix_listen(control->path, 16, why, sizeof(why));
	if (fd >= 0 && !cw_loop_add(loop, &control->listener, fd,
			EPOLLIN, control_dispatch)) {
		snprintf(why, sizeof(why), "%s: %s", control->path,
			strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot create the control socket %s", why);
		free(control);
		return NULL;
	}
	return control;
}

void cw_control_destroy(struct cw_control *control, bool released)
{
	if (control == NULL) {
		return;
	}
	if (!released) {
		cw_loop_remove(control->loop, &control->listener);
		unlink(control->path);
	}
	close(control->listener.fd);
	free(control);
}

int cw_control_notify(const char *verb, const char *app,
	const char *permission)
{
	char dir[96], why[160];
	if (!control_dir(dir, sizeof(dir), why, sizeof(why))) {
		return 0;
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		return 0;
	}
	int acted = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, ".sock") == NULL) {
			continue;
		}
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		char path[512];
		int len = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (len < 0 || (size_t)len >= sizeof(addr.sun_path)) {
			continue;
		}
		memcpy(addr.sun_path, path, (size_t)len + 1);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
			if (errno == ECONNREFUSED) {
				/* a proxy that died without cleaning up */
				unlink(addr.sun_path);
			}
			close(fd);
			continue;
		}
		char line[256];
		if (permission != NULL) {
			snprintf(line, sizeof(line), "%s %s %s\n", verb, app,
				permission);
		} else {
			snprintf(line, sizeof(line), "reset %s\n", app);
		}
		send(fd, line, strlen(line), MSG_NOSIGNAL);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char reply[16] = "";
		if (poll(&p, 1, 1000) > 0 &&
				recv(fd, reply, sizeof(reply) - 1, 0) > 0 &&
				strncmp(reply, "ok", 2) == 0) {
			acted++;
		}
		close(fd);
	}
	closedir(d);
	return acted;
}
