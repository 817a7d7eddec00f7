/* The trusted view of the PipeWire graph (see media-graph.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pipewire/pipewire.h>
#include <pipewire/extensions/metadata.h>
#include <spa/utils/result.h>
#include "log.h"
#include "util.h"
#include "media-graph.h"

enum kind {
	KIND_OTHER,
	KIND_NODE,
	KIND_LINK,
	KIND_CLIENT,
};

/* A client the daemon accepted on a crate-wl security-context socket:
 * its global shows only pipewire.access, so it is bound to read the rest
 * of its properties (pipewire.sec.engine and instance id) from its info. */
struct client_bind {
	struct cw_media_graph *g;
	uint32_t id;
	struct pw_client *proxy;
	struct spa_hook listener;
	bool told;
};

/* Every global by id: a sparse table, ids are small and reused. */
struct entry {
	enum kind kind;
	union {
		struct cw_media_node *node;
		struct cw_media_link *link;
		struct client_bind *client; /* NULL: not bound */
	};
};

struct cw_media_graph {
	struct cw_media_pw *pw;
	const struct cw_media_graph_events *events;
	void *data;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener, registry_listener;
	struct pw_metadata *metadata; /* "default" */
	uint32_t metadata_id;
	struct spa_hook metadata_listener;
	uint32_t factory_id;
	uint32_t security_context_id;
	struct entry *table;
	uint32_t ntable;
	uint32_t *targeted; /* nodes crate-wl set target.object for */
	size_t ntargeted, captargeted;
	int seq;
	bool synced;
	bool lost;
};

static struct entry *slot(struct cw_media_graph *g, uint32_t id, bool grow)
{
	if (id >= g->ntable) {
		if (!grow || id > 1000000) {
			return NULL;
		}
		uint32_t n = g->ntable ? g->ntable : 256;
		while (n <= id) {
			n *= 2;
		}
		struct entry *t = realloc(g->table, n * sizeof(*t));
		if (t == NULL) {
			return NULL;
		}
		memset(t + g->ntable, 0, (n - g->ntable) * sizeof(*t));
		g->table = t;
		g->ntable = n;
	}
	return &g->table[id];
}

static uint32_t dict_id(const struct spa_dict *props, const char *key)
{
	const char *s = props ? spa_dict_lookup(props, key) : NULL;
	char *end;
	if (s == NULL || *s == '\0') {
		return CW_MEDIA_NO_ID;
	}
	unsigned long v = strtoul(s, &end, 10);
	return *end == '\0' && v < CW_MEDIA_NO_ID ? (uint32_t)v :
		CW_MEDIA_NO_ID;
}

static char *dict_dup(const struct spa_dict *props, const char *key)
{
	const char *s = props ? spa_dict_lookup(props, key) : NULL;
	return strdup(s ? s : "");
}

static void free_entry(struct entry *e)
{
	if (e->kind == KIND_NODE) {
		free(e->node->name);
		free(e->node->media_class);
		free(e->node);
	} else if (e->kind == KIND_LINK) {
		free(e->link);
	} else if (e->kind == KIND_CLIENT && e->client != NULL) {
		spa_hook_remove(&e->client->listener);
		pw_proxy_destroy((struct pw_proxy *)e->client->proxy);
		free(e->client);
	}
	e->kind = KIND_OTHER;
	e->node = NULL;
}

static void metadata_bind(struct cw_media_graph *g, uint32_t id)
{
	g->metadata = pw_registry_bind(g->registry, id,
		PW_TYPE_INTERFACE_Metadata, PW_VERSION_METADATA, 0);
	g->metadata_id = g->metadata ? id : CW_MEDIA_NO_ID;
}

static void client_info(void *data, const struct pw_client_info *info)
{
	struct client_bind *c = data;
	if (c->told || info == NULL || info->props == NULL) {
		return;
	}
	c->told = true;
	if (c->g->events->client_added != NULL) {
		c->g->events->client_added(c->g->data, c->id, info->props);
	}
}

static const struct pw_client_events client_events = {
	PW_VERSION_CLIENT_EVENTS,
	.info = client_info,
};

static void client_bind(struct cw_media_graph *g, struct entry *e,
	uint32_t id)
{
	struct client_bind *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		return;
	}
	c->g = g;
	c->id = id;
	c->proxy = pw_registry_bind(g->registry, id, PW_TYPE_INTERFACE_Client,
		PW_VERSION_CLIENT, 0);
	if (c->proxy == NULL) {
		free(c);
		return;
	}
	pw_client_add_listener(c->proxy, &c->listener, &client_events, c);
	e->client = c;
}

static void registry_global(void *data, uint32_t id, uint32_t permissions,
	const char *type, uint32_t version, const struct spa_dict *props)
{
	struct cw_media_graph *g = data;
	struct entry *e = slot(g, id, true);
	if (e == NULL) {
		return;
	}
	free_entry(e);
	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
		struct cw_media_node *n = calloc(1, sizeof(*n));
		if (n == NULL) {
			return;
		}
		n->id = id;
		n->client_id = dict_id(props, PW_KEY_CLIENT_ID);
		n->name = dict_dup(props, PW_KEY_NODE_NAME);
		n->media_class = dict_dup(props, PW_KEY_MEDIA_CLASS);
		const char *api = props ? spa_dict_lookup(props,
			PW_KEY_DEVICE_API) : NULL;
		const char *role = props ? spa_dict_lookup(props,
			PW_KEY_MEDIA_ROLE) : NULL;
		n->camera = strcmp(n->media_class, "Video/Source") == 0 &&
			((api != NULL && (strcmp(api, "v4l2") == 0 ||
			strcmp(api, "libcamera") == 0)) ||
			(role != NULL && strcmp(role, "Camera") == 0));
		n->added_us = cw_now_us();
		if (n->name == NULL || n->media_class == NULL) {
			free(n->name);
			free(n->media_class);
			free(n);
			return;
		}
		e->kind = KIND_NODE;
		e->node = n;
		if (g->events->node_added != NULL) {
			g->events->node_added(g->data, n);
		}
	} else if (strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
		struct cw_media_link *l = calloc(1, sizeof(*l));
		if (l == NULL) {
			return;
		}
		l->added_us = cw_now_us();
		l->id = id;
		l->out_node = dict_id(props, PW_KEY_LINK_OUTPUT_NODE);
		l->in_node = dict_id(props, PW_KEY_LINK_INPUT_NODE);
		e->kind = KIND_LINK;
		e->link = l;
		if (g->events->link_added != NULL) {
			g->events->link_added(g->data, l);
		}
	} else if (strcmp(type, PW_TYPE_INTERFACE_Client) == 0) {
		e->kind = KIND_CLIENT;
		e->client = NULL;
		const char *access = props ? spa_dict_lookup(props,
			PW_KEY_ACCESS) : NULL;
		if (access != NULL && strcmp(access, CW_MEDIA_SEC_ENGINE) == 0) {
			client_bind(g, e, id); /* told from its info */
		} else if (g->events->client_added != NULL) {
			g->events->client_added(g->data, id, props);
		}
	} else if (strcmp(type, PW_TYPE_INTERFACE_Factory) == 0) {
		const char *name = props ? spa_dict_lookup(props,
			PW_KEY_FACTORY_NAME) : NULL;
		if (name != NULL && strcmp(name, "client-node") == 0) {
			g->factory_id = id;
		}
	} else if (strcmp(type, PW_TYPE_INTERFACE_Metadata) == 0) {
		const char *name = props ? spa_dict_lookup(props,
			PW_KEY_METADATA_NAME) : NULL;
		if (name != NULL && strcmp(name, "default") == 0 &&
				g->metadata == NULL) {
			metadata_bind(g, id);
		}
	} else if (strcmp(type, PW_TYPE_INFO_INTERFACE_BASE
			"SecurityContext") == 0) {
		g->security_context_id = id;
	}
}

static void registry_global_remove(void *data, uint32_t id)
{
	struct cw_media_graph *g = data;
	struct entry *e = slot(g, id, false);
	if (id == g->metadata_id && g->metadata != NULL) {
		pw_proxy_destroy((struct pw_proxy *)g->metadata);
		g->metadata = NULL;
		g->metadata_id = CW_MEDIA_NO_ID;
	}
	if (id == g->security_context_id) {
		g->security_context_id = CW_MEDIA_NO_ID;
	}
	if (e == NULL) {
		return;
	}
	if (e->kind == KIND_NODE && g->events->node_removed != NULL) {
		g->events->node_removed(g->data, e->node);
	} else if (e->kind == KIND_LINK && g->events->link_removed != NULL) {
		g->events->link_removed(g->data, e->link,
			cw_now_us() - e->link->added_us);
	} else if (e->kind == KIND_CLIENT &&
			g->events->client_removed != NULL) {
		g->events->client_removed(g->data, id);
	}
	free_entry(e);
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void core_done(void *data, uint32_t id, int seq)
{
	struct cw_media_graph *g = data;
	if (id == PW_ID_CORE && seq == g->seq) {
		g->synced = true;
	}
}

static void core_error(void *data, uint32_t id, int seq, int res,
	const char *message)
{
	struct cw_media_graph *g = data;
	if (id != PW_ID_CORE || g->lost) {
		cw_log(CW_LOG_DEBUG, "media: PipeWire error on %u: %s", id,
			message ? message : spa_strerror(res));
		return;
	}
	g->lost = true;
	char why[256];
	snprintf(why, sizeof(why), "%s", message ? message :
		spa_strerror(res));
	if (g->events->lost != NULL) {
		g->events->lost(g->data, why);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = core_done,
	.error = core_error,
};

bool cw_media_graph_connect(struct cw_media_graph **graph,
	struct cw_media_pw *pw, const struct cw_media_graph_events *events,
	void *data, int timeout_ms, char *err, size_t errlen)
{
	struct cw_media_graph *g = calloc(1, sizeof(*g));
	*graph = NULL;
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	g->pw = pw;
	g->events = events;
	g->data = data;
	g->metadata_id = CW_MEDIA_NO_ID;
	g->factory_id = CW_MEDIA_NO_ID;
	g->security_context_id = CW_MEDIA_NO_ID;
	g->core = pw_context_connect(pw->context, pw_properties_new(
		PW_KEY_APP_NAME, "crate-wl (media monitor)", NULL), 0);
	if (g->core == NULL) {
		char path[512];
		cw_media_pw_socket_path(path, sizeof(path));
		snprintf(err, errlen, "cannot connect to PipeWire at %s: %s "
			"(is the pipewire daemon running?)", path,
			strerror(errno));
		free(g);
		return false;
	}
	*graph = g;
	pw_core_add_listener(g->core, &g->core_listener, &core_events, g);
	g->registry = pw_core_get_registry(g->core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(g->registry, &g->registry_listener,
		&registry_events, g);
	g->seq = pw_core_sync(g->core, PW_ID_CORE, 0);
	if (!cw_media_pw_wait(pw, &g->synced, timeout_ms) || g->lost) {
		snprintf(err, errlen, "PipeWire did not answer in %d ms",
			timeout_ms);
		cw_media_graph_destroy(g);
		*graph = NULL;
		return false;
	}
	return true;
}

void cw_media_graph_destroy(struct cw_media_graph *g)
{
	if (g == NULL) {
		return;
	}
	if (g->metadata != NULL) {
		pw_proxy_destroy((struct pw_proxy *)g->metadata);
	}
	/* the entries' proxies first: the core frees them with itself */
	for (uint32_t i = 0; i < g->ntable; i++) {
		free_entry(&g->table[i]);
	}
	spa_hook_remove(&g->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)g->registry);
	spa_hook_remove(&g->core_listener);
	pw_core_disconnect(g->core);
	free(g->table);
	free(g->targeted);
	free(g);
}

struct cw_media_node *cw_media_graph_node(struct cw_media_graph *g,
	uint32_t id)
{
	struct entry *e = slot(g, id, false);
	return e != NULL && e->kind == KIND_NODE ? e->node : NULL;
}

void cw_media_graph_each_node(struct cw_media_graph *g,
	void (*fn)(void *data, struct cw_media_node *node), void *data)
{
	for (uint32_t i = 0; i < g->ntable; i++) {
		if (g->table[i].kind == KIND_NODE) {
			fn(data, g->table[i].node);
		}
	}
}

void cw_media_graph_each_link(struct cw_media_graph *g,
	void (*fn)(void *data, struct cw_media_link *link), void *data)
{
	for (uint32_t i = 0; i < g->ntable; i++) {
		if (g->table[i].kind == KIND_LINK) {
			fn(data, g->table[i].link);
		}
	}
}

bool cw_media_graph_has_session_manager(struct cw_media_graph *g)
{
	return g->metadata != NULL;
}

bool cw_media_graph_has_security_context(struct cw_media_graph *g)
{
	return g->security_context_id != CW_MEDIA_NO_ID;
}

uint32_t cw_media_graph_security_context_id(struct cw_media_graph *g)
{
	return g->security_context_id;
}

uint32_t cw_media_graph_client_node_factory(struct cw_media_graph *g)
{
	return g->factory_id;
}

void cw_media_graph_refuse_link(struct cw_media_graph *g,
	struct cw_media_link *link)
{
	if (!link->refused) {
		link->refused = true;
		pw_registry_destroy(g->registry, link->id);
	}
}

void cw_media_graph_destroy_object(struct cw_media_graph *g, uint32_t id)
{
	pw_registry_destroy(g->registry, id);
}

void cw_media_graph_permit_many(struct cw_media_graph *g,
	uint32_t client_id, const uint32_t *pairs, size_t npairs)
{
	struct pw_client *client = pw_registry_bind(g->registry, client_id,
		PW_TYPE_INTERFACE_Client, PW_VERSION_CLIENT, 0);
	if (client == NULL) {
		return;
	}
	struct pw_permission perms[64];
	size_t n = 0;
	for (size_t i = 0; i < npairs && n < 64; i++) {
		perms[n++] = PW_PERMISSION_INIT(pairs[2 * i],
			pairs[2 * i + 1]);
	}
	pw_client_update_permissions(client, (uint32_t)n, perms);
	/* the daemon handles the update before the proxy goes */
	pw_proxy_destroy((struct pw_proxy *)client);
}

void cw_media_graph_permit(struct cw_media_graph *g, uint32_t client_id,
	uint32_t object_id, uint32_t perms)
{
	uint32_t pair[2] = { object_id, perms };
	cw_media_graph_permit_many(g, client_id, pair, 1);
}

static void remember_target(struct cw_media_graph *g, uint32_t node,
	bool set)
{
	for (size_t i = 0; i < g->ntargeted; i++) {
		if (g->targeted[i] == node) {
			if (!set) {
				g->targeted[i] = g->targeted[--g->ntargeted];
			}
			return;
		}
	}
	if (!set) {
		return;
	}
	if (g->ntargeted == g->captargeted) {
		size_t cap = g->captargeted ? g->captargeted * 2 : 16;
		uint32_t *t = realloc(g->targeted, cap * sizeof(*t));
		if (t == NULL) {
			return;
		}
		g->targeted = t;
		g->captargeted = cap;
	}
	g->targeted[g->ntargeted++] = node;
}

void cw_media_graph_clear_targets(struct cw_media_graph *g, int timeout_ms)
{
	while (g->ntargeted > 0) {
		cw_media_graph_set_target(g, g->targeted[0], NULL);
	}
	if (g->metadata != NULL && !g->lost) {
		/* sent before the connection goes */
		g->synced = false;
		g->seq = pw_core_sync(g->core, PW_ID_CORE, 0);
		cw_media_pw_wait(g->pw, &g->synced, timeout_ms);
	}
}

void cw_media_graph_set_target(struct cw_media_graph *g, uint32_t node,
	const char *target)
{
	remember_target(g, node, target != NULL);
	if (g->metadata == NULL) {
		return;
	}
	pw_metadata_set_property(g->metadata, node, "target.object",
		target ? "Spa:String" : NULL, target);
	if (target == NULL) {
		pw_metadata_set_property(g->metadata, node, "target.node",
			NULL, NULL);
	}
}

struct pw_core *cw_media_graph_core(struct cw_media_graph *g)
{
	return g->core;
}

struct pw_registry *cw_media_graph_registry(struct cw_media_graph *g)
{
	return g->registry;
}
