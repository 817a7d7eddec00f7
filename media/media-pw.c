/* The PipeWire loop inside crate-wl's event loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <pipewire/pipewire.h>
#include "list.h"
#include "log.h"
#include "media-pw.h"
#include "util.h"

static void pw_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_media_pw *pw = cw_container_of(source, pw, source);
	cw_media_pw_iterate(pw);
}

struct cw_media_pw *cw_media_pw_create(struct cw_loop *loop, char *err,
	size_t errlen)
{
	static bool inited;
	if (!inited) {
		pw_init(NULL, NULL);
		inited = true;
	}
	struct cw_media_pw *pw = calloc(1, sizeof(*pw));
	if (pw == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pw->loop = loop;
	pw->source.fd = -1;
	pw->pw_loop = pw_loop_new(NULL);
	if (pw->pw_loop == NULL) {
		snprintf(err, errlen, "cannot create a PipeWire loop: %s",
			strerror(errno));
		goto fail;
	}
	pw->context = pw_context_new(pw->pw_loop, pw_properties_new(
		PW_KEY_CONFIG_NAME, "client.conf", NULL), 0);
	if (pw->context == NULL) {
		snprintf(err, errlen, "cannot create a PipeWire context: %s",
			strerror(errno));
		goto fail;
	}
	/* the nodes crate-wl runs itself (the loopbacks) process audio on
	 * the data loop's thread; it inherits the caller's signal mask */
	if (pw_data_loop_start(pw_context_get_data_loop(pw->context)) < 0) {
		snprintf(err, errlen, "cannot start PipeWire's data loop: %s",
			strerror(errno));
		goto fail;
	}
	pw_loop_enter(pw->pw_loop);
	if (loop != NULL && !cw_loop_add(loop, &pw->source,
			pw_loop_get_fd(pw->pw_loop), EPOLLIN, pw_dispatch)) {
		snprintf(err, errlen, "cannot watch the PipeWire loop: %s",
			strerror(errno));
		pw_loop_leave(pw->pw_loop);
		goto fail;
	}
	return pw;

fail:
	if (pw->context != NULL) {
		pw_context_destroy(pw->context);
	}
	if (pw->pw_loop != NULL) {
		pw_loop_destroy(pw->pw_loop);
	}
	free(pw);
	return NULL;
}

void cw_media_pw_destroy(struct cw_media_pw *pw)
{
	if (pw == NULL) {
		return;
	}
	if (pw->loop != NULL) {
		cw_loop_remove(pw->loop, &pw->source);
	}
	pw_context_destroy(pw->context);
	pw_loop_leave(pw->pw_loop);
	pw_loop_destroy(pw->pw_loop);
	free(pw);
}

void cw_media_pw_iterate(struct cw_media_pw *pw)
{
	while (pw_loop_iterate(pw->pw_loop, 0) > 0) {
	}
}

bool cw_media_pw_wait(struct cw_media_pw *pw, const bool *done,
	int timeout_ms)
{
	int64_t end = cw_now_ms() + timeout_ms;
	while (!*done) {
		int64_t left = end - cw_now_ms();
		if (left <= 0) {
			return false;
		}
		pw_loop_iterate(pw->pw_loop, (int)left);
	}
	return true;
}

void cw_media_pw_socket_path(char *out, size_t len)
{
	const char *dir = getenv("PIPEWIRE_RUNTIME_DIR");
	if (dir == NULL) {
		dir = getenv("XDG_RUNTIME_DIR");
	}
	const char *name = getenv("PIPEWIRE_REMOTE");
	if (name == NULL) {
		name = "pipewire-0";
	}
	if (name[0] == '/') {
		snprintf(out, len, "%s", name);
	} else {
		snprintf(out, len, "%s/%s", dir ? dir : "$XDG_RUNTIME_DIR",
			name);
	}
}
