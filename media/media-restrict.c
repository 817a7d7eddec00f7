/* Self-restricted PipeWire connections (see media-restrict.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pipewire/pipewire.h>
#include <spa/utils/result.h>
#include "log.h"
#include "media-restrict.h"

enum stage {
	STAGE_FACTORY, /* waiting for the registry's first batch */
	STAGE_RESTRICT, /* permissions sent, waiting for them to apply */
	STAGE_DONE,
};

struct cw_media_restrict {
	struct cw_media_pw *pw;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener;
	struct spa_hook registry_listener;
	uint32_t *ids;
	size_t nids;
	uint32_t factory_id;
	enum stage stage;
	int seq;
	cw_media_restrict_func done;
	void *data;
	struct spa_source *later; /* leaves PipeWire callbacks first */
	int fd;
	uint32_t client_id;
	char err[512];
	bool in_done;
	bool cancelled;
};

static void disconnect(struct cw_media_restrict *r)
{
	if (r->registry != NULL) {
		spa_hook_remove(&r->registry_listener);
		pw_proxy_destroy((struct pw_proxy *)r->registry);
		r->registry = NULL;
	}
	if (r->core != NULL) {
		spa_hook_remove(&r->core_listener);
		pw_core_disconnect(r->core);
		r->core = NULL;
	}
}

static void free_restrict(struct cw_media_restrict *r)
{
	disconnect(r);
	if (r->later != NULL) {
		pw_loop_destroy_source(r->pw->pw_loop, r->later);
	}
	free(r->ids);
	free(r);
}

/*
 * Outside the callback that decided it: taking the socket or dropping
 * the connection while PipeWire reads from it is not safe.
 */
static void finish_later(void *data, uint64_t count)
{
	struct cw_media_restrict *r = data;
	int fd = -1;
	if (r->stage == STAGE_DONE || r->cancelled) {
		return;
	}
	if (r->err[0] == '\0') {
		r->client_id = pw_proxy_get_bound_id(
			(struct pw_proxy *)pw_core_get_client(r->core));
		fd = pw_core_steal_fd(r->core);
		if (fd < 0) {
			snprintf(r->err, sizeof(r->err), "cannot take the "
				"PipeWire connection's socket");
		}
	}
	r->stage = STAGE_DONE;
	disconnect(r);
	r->in_done = true;
	r->done(r->data, fd, fd < 0 ? SPA_ID_INVALID : r->client_id,
		fd < 0 ? r->err : NULL);
	r->in_done = false;
	if (r->cancelled) {
		free_restrict(r);
	}
}

static void finish(struct cw_media_restrict *r, const char *err)
{
	if (err != NULL) {
		snprintf(r->err, sizeof(r->err), "%s", err);
	}
	pw_loop_signal_event(r->pw->pw_loop, r->later);
}

static void registry_global(void *data, uint32_t id, uint32_t permissions,
	const char *type, uint32_t version, const struct spa_dict *props)
{
	struct cw_media_restrict *r = data;
	if (strcmp(type, PW_TYPE_INTERFACE_Factory) != 0 || props == NULL) {
		return;
	}
	const char *name = spa_dict_lookup(props, PW_KEY_FACTORY_NAME);
	if (name != NULL && strcmp(name, "client-node") == 0) {
		r->factory_id = id;
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
};

static void restrict_self(struct cw_media_restrict *r)
{
	size_t n = 0;
	struct pw_permission *perms = calloc(r->nids + 4, sizeof(*perms));
	if (perms == NULL) {
		finish(r, "out of memory");
		return;
	}
	perms[n++] = PW_PERMISSION_INIT(PW_ID_CORE, PW_PERM_RWX);
	if (r->factory_id != SPA_ID_INVALID) {
		perms[n++] = PW_PERMISSION_INIT(r->factory_id, PW_PERM_R);
	}
	for (size_t i = 0; i < r->nids; i++) {
		perms[n++] = PW_PERMISSION_INIT(r->ids[i], PW_PERM_RWX);
	}
	/* its own client object, read only: PulseAudio clients need their
	 * index (pipewire-pulse takes it from the registry) */
	uint32_t self = pw_proxy_get_bound_id(
		(struct pw_proxy *)pw_core_get_client(r->core));
	if (self != SPA_ID_INVALID) {
		perms[n++] = PW_PERMISSION_INIT(self, PW_PERM_R);
	}
	/* everything else, now and later: nothing */
	perms[n++] = PW_PERMISSION_INIT(PW_ID_ANY, 0);
	pw_client_update_permissions(pw_core_get_client(r->core),
		(uint32_t)n, perms);
	free(perms);
	r->stage = STAGE_RESTRICT;
	r->seq = pw_core_sync(r->core, PW_ID_CORE, 0);
}

static void core_done(void *data, uint32_t id, int seq)
{
	struct cw_media_restrict *r = data;
	if (id != PW_ID_CORE || seq != r->seq) {
		return;
	}
	switch (r->stage) {
	case STAGE_FACTORY:
		if (r->factory_id == SPA_ID_INVALID) {
			finish(r, "the PipeWire daemon has no client-node "
				"factory");
			return;
		}
		restrict_self(r);
		return;
	case STAGE_RESTRICT:
		r->seq = -1;
		finish(r, NULL);
		return;
	case STAGE_DONE:
		return;
	}
}

static void core_error(void *data, uint32_t id, int seq, int res,
	const char *message)
{
	struct cw_media_restrict *r = data;
	if (id != PW_ID_CORE || r->stage == STAGE_DONE) {
		return;
	}
	char err[512];
	snprintf(err, sizeof(err), "PipeWire: %s (%s)", message ? message :
		"error", spa_strerror(res));
	finish(r, err);
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = core_done,
	.error = core_error,
};

struct cw_media_restrict *cw_media_restrict_start(struct cw_media_pw *pw,
	const uint32_t *ids, size_t nids, const char *const *props,
	cw_media_restrict_func done, void *data)
{
	struct cw_media_restrict *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		return NULL;
	}
	r->pw = pw;
	r->done = done;
	r->data = data;
	r->factory_id = SPA_ID_INVALID;
	r->later = pw_loop_add_event(pw->pw_loop, finish_later, r);
	if (r->later == NULL) {
		free(r);
		return NULL;
	}
	r->ids = calloc(nids ? nids : 1, sizeof(*ids));
	if (r->ids == NULL) {
		free_restrict(r);
		return NULL;
	}
	if (nids > 0) {
		memcpy(r->ids, ids, nids * sizeof(*ids));
	}
	r->nids = nids;
	struct pw_properties *p = pw_properties_new(
		PW_KEY_APP_NAME, "crate-wl", NULL);
	for (size_t i = 0; p != NULL && props != NULL && props[i] != NULL &&
			props[i + 1] != NULL; i += 2) {
		pw_properties_set(p, props[i], props[i + 1]);
	}
	r->core = pw_context_connect(pw->context, p, 0);
	if (r->core == NULL) {
		int e = errno;
		free_restrict(r);
		errno = e;
		return NULL;
	}
	pw_core_add_listener(r->core, &r->core_listener, &core_events, r);
	r->registry = pw_core_get_registry(r->core, PW_VERSION_REGISTRY, 0);
	if (r->registry == NULL) {
		free_restrict(r);
		return NULL;
	}
	pw_registry_add_listener(r->registry, &r->registry_listener,
		&registry_events, r);
	r->seq = pw_core_sync(r->core, PW_ID_CORE, 0);
	return r;
}

void cw_media_restrict_cancel(struct cw_media_restrict *r)
{
	if (r == NULL) {
		return;
	}
	if (r->in_done) {
		r->cancelled = true;
		return;
	}
	free_restrict(r);
}

struct sync_result {
	bool done;
	int fd;
	uint32_t client_id;
	char err[256];
};

static void sync_done(void *data, int fd, uint32_t client_id,
	const char *err)
{
	struct sync_result *res = data;
	res->done = true;
	res->fd = fd;
	res->client_id = client_id;
	if (err != NULL) {
		snprintf(res->err, sizeof(res->err), "%s", err);
	}
}

int cw_media_restrict_open(struct cw_media_pw *pw, const uint32_t *ids,
	size_t nids, const char *const *props, int timeout_ms,
	uint32_t *client_id, char *err, size_t errlen)
{
	struct sync_result res = { .fd = -1 };
	char path[512];
	struct cw_media_restrict *r = cw_media_restrict_start(pw, ids, nids,
		props, sync_done, &res);
	if (r == NULL) {
		cw_media_pw_socket_path(path, sizeof(path));
		snprintf(err, errlen, "cannot connect to PipeWire at %s: %s "
			"(is the pipewire daemon running?)", path,
			strerror(errno));
		return -1;
	}
	if (!cw_media_pw_wait(pw, &res.done, timeout_ms)) {
		cw_media_restrict_cancel(r);
		snprintf(err, errlen, "PipeWire did not answer in %d ms",
			timeout_ms);
		return -1;
	}
	cw_media_restrict_cancel(r);
	if (res.fd < 0) {
		snprintf(err, errlen, "%s", res.err);
		return -1;
	}
	if (client_id != NULL) {
		*client_id = res.client_id;
	}
	return res.fd;
}
