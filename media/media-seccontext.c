/* The security-context socket (see media-seccontext.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pipewire/pipewire.h>
#include "media-seccontext.h"
#include "util.h"

#define SEC_ENGINE CW_MEDIA_SEC_ENGINE

bool cw_media_seccontext_owns(const struct spa_dict *props,
	const char *instance)
{
	const char *engine = props ? spa_dict_lookup(props,
		"pipewire.sec.engine") : NULL;
	const char *id = props ? spa_dict_lookup(props,
		"pipewire.sec.instance-id") : NULL;
	return engine != NULL && id != NULL &&
		strcmp(engine, SEC_ENGINE) == 0 && strcmp(id, instance) == 0;
}

#ifdef CW_HAVE_PW_SECURITY_CONTEXT
#include <pipewire/extensions/security-context.h>

struct cw_media_seccontext {
	struct pw_security_context *proxy; /* on the graph attached to */
	int listen_fd; /* kept: a new daemon serves the same socket */
	int close_fd; /* the pipe's read end: closing it ends the context */
	char path[108];
	char *app, *instance;
};

bool cw_media_seccontext_supported(void)
{
	return true;
}

void cw_media_seccontext_detach(struct cw_media_seccontext *sc)
{
	if (sc == NULL) {
		return;
	}
	if (sc->proxy != NULL) {
		pw_proxy_destroy((struct pw_proxy *)sc->proxy);
		sc->proxy = NULL;
	}
	if (sc->close_fd >= 0) {
		close(sc->close_fd);
		sc->close_fd = -1;
	}
}

bool cw_media_seccontext_attach(struct cw_media_seccontext *sc,
	struct cw_media_graph *graph, char *err, size_t errlen)
{
	cw_media_seccontext_detach(sc);
	if (!cw_media_graph_has_security_context(graph)) {
		snprintf(err, errlen, "PipeWire no longer offers the security "
			"context");
		return false;
	}
	int fds[2] = { -1, -1 };
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
		return false;
	}
	sc->proxy = pw_registry_bind(cw_media_graph_registry(graph),
		cw_media_graph_security_context_id(graph),
		PW_TYPE_INTERFACE_SecurityContext,
		PW_VERSION_SECURITY_CONTEXT, 0);
	if (sc->proxy == NULL) {
		snprintf(err, errlen, "cannot bind PipeWire's security "
			"context: %s", strerror(errno));
		goto fail;
	}
	/* pipewire.access names no policy of the session manager's: only
	 * crate-wl sets these clients' permissions */
	struct spa_dict_item items[] = {
		SPA_DICT_ITEM_INIT(PW_KEY_SEC_ENGINE, SEC_ENGINE),
		SPA_DICT_ITEM_INIT(PW_KEY_SEC_APP_ID, sc->app),
		SPA_DICT_ITEM_INIT(PW_KEY_SEC_INSTANCE_ID, sc->instance),
		SPA_DICT_ITEM_INIT(PW_KEY_ACCESS, SEC_ENGINE),
	};
	struct spa_dict props = SPA_DICT_INIT_ARRAY(items);
	/* the daemon gets dups of both fds; it stops serving the socket
	 * when the pipe's write end it holds sees our read end close */
	int res = pw_security_context_create(sc->proxy, sc->listen_fd, fds[1],
		&props);
	if (res < 0) {
		snprintf(err, errlen, "PipeWire refused a security context: "
			"%s", strerror(-res));
		goto fail;
	}
	close(fds[1]);
	sc->close_fd = fds[0];
	return true;

fail:
	if (sc->proxy != NULL) {
		pw_proxy_destroy((struct pw_proxy *)sc->proxy);
		sc->proxy = NULL;
	}
	close(fds[0]);
	close(fds[1]);
	return false;
}

struct cw_media_seccontext *cw_media_seccontext_create(
	struct cw_media_graph *graph, const char *path, const char *app,
	const char *instance, char *err, size_t errlen)
{
	struct cw_media_seccontext *sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->close_fd = -1;
	sc->listen_fd = -1;
	sc->app = strdup(app);
	sc->instance = strdup(instance);
	if (sc->app == NULL || sc->instance == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	size_t len = strlen(path);
	if (len >= sizeof(sc->path)) {
		snprintf(err, errlen, "%s: the path is too long for a socket",
			path);
		goto fail;
	}
	memcpy(sc->path, path, len + 1);
	unlink(path);
	char why[256];
	sc->listen_fd = cw_unix_listen(path, 16, why, sizeof(why));
	if (sc->listen_fd < 0) {
		snprintf(err, errlen, "cannot listen on %s", why);
		goto fail;
	}
	if (!cw_media_seccontext_attach(sc, graph, err, errlen)) {
		goto fail;
	}
	return sc;

fail:
	cw_media_seccontext_destroy(sc);
	return NULL;
}

void cw_media_seccontext_destroy(struct cw_media_seccontext *sc)
{
	if (sc == NULL) {
		return;
	}
	cw_media_seccontext_detach(sc);
	if (sc->listen_fd >= 0) {
		close(sc->listen_fd);
		unlink(sc->path);
	}
	free(sc->app);
	free(sc->instance);
	free(sc);
}

#else

struct cw_media_seccontext {
	int unused;
};

bool cw_media_seccontext_supported(void)
{
	return false;
}

struct cw_media_seccontext *cw_media_seccontext_create(
	struct cw_media_graph *graph, const char *path, const char *app,
	const char *instance, char *err, size_t errlen)
{
	snprintf(err, errlen, "crate-wl was built against a libpipewire "
		"without the security context");
	return NULL;
}

void cw_media_seccontext_destroy(struct cw_media_seccontext *sc)
{
}

bool cw_media_seccontext_attach(struct cw_media_seccontext *sc,
	struct cw_media_graph *graph, char *err, size_t errlen)
{
	snprintf(err, errlen, "no security context compiled in");
	return false;
}

void cw_media_seccontext_detach(struct cw_media_seccontext *sc)
{
}

#endif
