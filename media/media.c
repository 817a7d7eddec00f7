/* A sandbox's media: its socket, its nodes, its link rules (media.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pipewire/pipewire.h>
#include "list.h"
#include "log.h"
#include "util.h"
#include "media.h"
#include "media-graph.h"
#include "media-nodes.h"
#include "media-pw.h"
#include "media-relay.h"
#include "media-seccontext.h"
#include "notes.h"

#define MEDIA_MAX_CLIENTS 128
#define CONNECT_TIMEOUT_MS 3000
#define RETRY_MS 500

/* What the sandbox's streams can make crate-wl say (cw_notes). */
enum media_note {
	NOTE_NODE,     /* a node of a class the sandbox may not make */
	NOTE_UNLINKED, /* a link to a sandbox stream, undone */
};

struct cw_media {
	struct cw_media_pw *pw;
	struct cw_media_graph *graph; /* NULL while PipeWire is away */
	struct cw_media_relay *relay;
	struct cw_media_seccontext *seccontext;
	struct cw_media_nodes *nodes;
	char *app, *instance, *socket_path;
	bool playback;
	bool granted[2];
	uint32_t clients[MEDIA_MAX_CLIENTS];
	size_t nclients;
	uint32_t out_id, in_id; /* the nodes the sandbox links to */
	struct cw_loop *loop;
	struct cw_source timer; /* reconnects, from crate-wl's loop: never
				 * inside a PipeWire callback */
	bool have_timer;
	bool lost;
	cw_media_want_func want;
	void *data;
	struct cw_notes notes;
};

const char *cw_media_device_name(enum cw_media_device dev)
{
	return dev == CW_MEDIA_CAMERA ? "camera" : "microphone";
}

static bool is_sandbox_client(const struct cw_media *m, uint32_t id)
{
	for (size_t i = 0; i < m->nclients; i++) {
		if (m->clients[i] == id) {
			return true;
		}
	}
	return false;
}

static bool is_sandbox_node(const struct cw_media *m,
	const struct cw_media_node *n)
{
	return n != NULL && n->client_id != CW_MEDIA_NO_ID &&
		is_sandbox_client(m, n->client_id);
}

/* What the sandbox may see besides the core and the factory. */
struct visible {
	struct cw_media *m;
	uint32_t *ids;
	size_t n, max;
};

static void add_camera(void *data, struct cw_media_node *n)
{
	struct visible *v = data;
	if (n->camera && v->n < v->max) {
		v->ids[v->n++] = n->id;
	}
}

static size_t visible_ids(struct cw_media *m, uint32_t *ids, size_t max)
{
	struct visible v = { m, ids, 0, max };
	if (m->out_id != CW_MEDIA_NO_ID && v.n < max) {
		ids[v.n++] = m->out_id;
	}
	if (m->granted[CW_MEDIA_MICROPHONE] && m->in_id != CW_MEDIA_NO_ID &&
			v.n < max) {
		ids[v.n++] = m->in_id;
	}
	if (m->granted[CW_MEDIA_CAMERA] && m->graph != NULL) {
		cw_media_graph_each_node(m->graph, add_camera, &v);
	}
	return v.n;
}

/* One object's bits for every client of the sandbox. */
static void permit_all(struct cw_media *m, uint32_t object, uint32_t perms)
{
	for (size_t i = 0; i < m->nclients; i++) {
		cw_media_graph_permit(m->graph, m->clients[i], object, perms);
	}
}

/* The full set for one client: in the security-context mode, ours. */
static void permit_client(struct cw_media *m, uint32_t client)
{
	uint32_t ids[64], pairs[2 * 68];
	size_t n = visible_ids(m, ids, 64), k = 0;
	pairs[k++] = PW_ID_ANY;
	pairs[k++] = 0;
	pairs[k++] = PW_ID_CORE;
	pairs[k++] = PW_PERM_RWX;
	uint32_t factory = cw_media_graph_client_node_factory(m->graph);
	if (factory != CW_MEDIA_NO_ID) {
		pairs[k++] = factory;
		pairs[k++] = PW_PERM_R;
	}
	for (size_t i = 0; i < n; i++) {
		pairs[k++] = ids[i];
		pairs[k++] = PW_PERM_RWX;
	}
	/* itself, read only, as a relayed client (media-restrict.c) */
	pairs[k++] = client;
	pairs[k++] = PW_PERM_R;
	cw_media_graph_permit_many(m->graph, client, pairs, k / 2);
}

static const char *camera_name(struct cw_media *m);

/* Points the session manager at the sandbox's own node for a stream. */
static void route(struct cw_media *m, struct cw_media_node *n)
{
	const char *cls = n->media_class;
	if (strcmp(cls, "Stream/Output/Audio") == 0) {
		cw_media_graph_set_target(m->graph, n->id,
			m->out_id != CW_MEDIA_NO_ID ?
			cw_media_nodes_name(m->nodes, CW_MEDIA_OUT) : NULL);
	} else if (strcmp(cls, "Stream/Input/Audio") == 0) {
		if (m->granted[CW_MEDIA_MICROPHONE] &&
				m->in_id != CW_MEDIA_NO_ID) {
			cw_media_graph_set_target(m->graph, n->id,
				cw_media_nodes_name(m->nodes, CW_MEDIA_IN));
		} else if (!m->granted[CW_MEDIA_MICROPHONE] &&
				m->want != NULL) {
			m->want(m->data, CW_MEDIA_MICROPHONE);
		}
	} else if (strcmp(cls, "Stream/Input/Video") == 0) {
		const char *cam = camera_name(m);
		if (m->granted[CW_MEDIA_CAMERA] && cam != NULL) {
			cw_media_graph_set_target(m->graph, n->id, cam);
		} else if (!m->granted[CW_MEDIA_CAMERA] && m->want != NULL) {
			m->want(m->data, CW_MEDIA_CAMERA);
		}
	}
}

static void route_each(void *data, struct cw_media_node *n)
{
	struct cw_media *m = data;
	if (is_sandbox_node(m, n)) {
		route(m, n);
	}
}

struct find_camera {
	const char *name;
};

static void first_camera(void *data, struct cw_media_node *n)
{
	struct find_camera *f = data;
	if (n->camera && f->name == NULL) {
		f->name = n->name;
	}
}

static const char *camera_name(struct cw_media *m)
{
	struct find_camera f = { NULL };
	cw_media_graph_each_node(m->graph, first_camera, &f);
	return f.name;
}

/*
 * The rule: a link that touches a sandbox stream joins it to one of the
 * sandbox's own nodes (out for playback; in, once the microphone is
 * granted, and cameras, once the camera is, for capture). Anything else
 * goes at once, whoever made it.
 */
static bool link_allowed(struct cw_media *m, const struct cw_media_link *l)
{
	struct cw_media_node *out = cw_media_graph_node(m->graph, l->out_node);
	struct cw_media_node *in = cw_media_graph_node(m->graph, l->in_node);
	bool s_out = is_sandbox_node(m, out), s_in = is_sandbox_node(m, in);
	if (!s_out && !s_in) {
		return true;
	}
	if (s_out && s_in) {
		return false;
	}
	if (s_out) {
		return in != NULL && in->id == m->out_id;
	}
	if (out == NULL) {
		return false;
	}
	if (out->id == m->in_id && m->granted[CW_MEDIA_MICROPHONE]) {
		return true;
	}
	return out->camera && m->granted[CW_MEDIA_CAMERA];
}

static void node_added(void *data, struct cw_media_node *n)
{
	struct cw_media *m = data;
	if (strcmp(n->name, cw_media_nodes_name(m->nodes, CW_MEDIA_OUT)) == 0 &&
			n->client_id != CW_MEDIA_NO_ID &&
			!is_sandbox_client(m, n->client_id)) {
		m->out_id = n->id;
		permit_all(m, n->id, PW_PERM_RWX);
		cw_media_graph_each_node(m->graph, route_each, m);
		return;
	}
	if (strcmp(n->name, cw_media_nodes_name(m->nodes, CW_MEDIA_IN)) == 0 &&
			n->client_id != CW_MEDIA_NO_ID &&
			!is_sandbox_client(m, n->client_id)) {
		m->in_id = n->id;
		if (m->granted[CW_MEDIA_MICROPHONE]) {
			permit_all(m, n->id, PW_PERM_RWX);
			cw_media_graph_each_node(m->graph, route_each, m);
		}
		return;
	}
	if (n->camera && m->granted[CW_MEDIA_CAMERA]) {
		permit_all(m, n->id, PW_PERM_RWX);
		cw_media_graph_each_node(m->graph, route_each, m);
		return;
	}
	if (!is_sandbox_node(m, n)) {
		return;
	}
	if (strncmp(n->media_class, "Stream/", 7) != 0) {
		/* a sink or source of the sandbox's own making would be a
		 * device for everyone else: streams only */
		cw_note(&m->notes, NOTE_NODE, "DENIED", "media: the sandbox "
			"made a %s node (%s): destroyed", n->media_class[0] ?
			n->media_class : "classless", n->name);
		cw_media_graph_destroy_object(m->graph, n->id);
		return;
	}
	/* a client sees its own streams (read only), as PulseAudio
	 * clients do (pipewire-pulse needs their index) */
	cw_media_graph_permit(m->graph, n->client_id, n->id, PW_PERM_R);
	route(m, n);
}

static void node_removed(void *data, struct cw_media_node *n)
{
	struct cw_media *m = data;
	if (n->id == m->out_id) {
		m->out_id = CW_MEDIA_NO_ID;
	} else if (n->id == m->in_id) {
		m->in_id = CW_MEDIA_NO_ID;
	} else if (!is_sandbox_node(m, n) && strcmp(n->name,
			cw_media_nodes_peer_name(m->nodes, CW_MEDIA_OUT)) &&
			strcmp(n->name,
			cw_media_nodes_peer_name(m->nodes, CW_MEDIA_IN))) {
		return;
	}
	/* a later node with the same id must not inherit the routing */
	cw_media_graph_set_target(m->graph, n->id, NULL);
}

static void link_added(void *data, struct cw_media_link *l)
{
	struct cw_media *m = data;
	if (!link_allowed(m, l)) {
		cw_media_graph_refuse_link(m->graph, l);
		return;
	}
	/*
	 * A link the rule lets stand joins a sandbox stream to one of the
	 * sandbox's own nodes: the stream's client may see it (read only).
	 * pipewire-pulse answers a PulseAudio client's new stream only once
	 * it sees the stream linked.
	 */
	for (int i = 0; i < 2; i++) {
		struct cw_media_node *n = cw_media_graph_node(m->graph,
			i ? l->in_node : l->out_node);
		if (is_sandbox_node(m, n)) {
			cw_media_graph_permit(m->graph, n->client_id, l->id,
				PW_PERM_R);
		}
	}
}

static void link_removed(void *data, struct cw_media_link *l,
	int64_t lived_us)
{
	struct cw_media *m = data;
	if (!l->refused) {
		return;
	}
	struct cw_media_node *out = cw_media_graph_node(m->graph, l->out_node);
	struct cw_media_node *in = cw_media_graph_node(m->graph, l->in_node);
	cw_note(&m->notes, NOTE_UNLINKED, "UNLINKED", "media: unlinked %s -> "
		"%s (link %u, not the sandbox's own node): it existed %.3f ms",
		out ? out->name : "?", in ? in->name : "?", l->id,
		(double)lived_us / 1000.0);
}

static void client_added(void *data, uint32_t id,
	const struct spa_dict *props)
{
	struct cw_media *m = data;
	if (m->seccontext == NULL ||
			!cw_media_seccontext_owns(props, m->instance) ||
			m->nclients == MEDIA_MAX_CLIENTS) {
		return;
	}
	m->clients[m->nclients++] = id;
	permit_client(m, id);
}

static void forget_client(struct cw_media *m, uint32_t id)
{
	for (size_t i = 0; i < m->nclients; i++) {
		if (m->clients[i] == id) {
			m->clients[i] = m->clients[--m->nclients];
			return;
		}
	}
}

static void client_removed(void *data, uint32_t id)
{
	forget_client(data, id);
}

static void arm_retry(struct cw_media *m, int ms)
{
	cw_timer_set(&m->timer, ms);
}

static void graph_lost(void *data, const char *why)
{
	struct cw_media *m = data;
	cw_msg("media: lost PipeWire (%s); the sandbox's streams stop, "
		"crate-wl reconnects when it is back", why);
	m->lost = true;
	arm_retry(m, 0); /* tear down outside PipeWire's callback */
}

static const struct cw_media_graph_events graph_events = {
	.node_added = node_added,
	.node_removed = node_removed,
	.link_added = link_added,
	.link_removed = link_removed,
	.client_added = client_added,
	.client_removed = client_removed,
	.lost = graph_lost,
};

/* relay hooks */
static size_t relay_ids(void *data, uint32_t *ids, size_t max)
{
	return visible_ids(data, ids, max);
}

static void relay_client_added(void *data, uint32_t id)
{
	struct cw_media *m = data;
	if (m->nclients < MEDIA_MAX_CLIENTS) {
		m->clients[m->nclients++] = id;
	}
}

static const struct cw_media_relay_hooks relay_hooks = {
	.ids = relay_ids,
	.client_added = relay_client_added,
	.client_removed = client_removed,
};

struct wait_node {
	struct cw_media *m;
	const uint32_t *id;
	bool done;
};

static bool wait_for(struct cw_media *m, const uint32_t *id)
{
	int64_t end = cw_now_us() + CONNECT_TIMEOUT_MS * 1000;
	bool done = false;
	while (*id == CW_MEDIA_NO_ID && !m->lost) {
		int64_t left = (end - cw_now_us()) / 1000;
		if (left <= 0) {
			return false;
		}
		cw_media_pw_wait(m->pw, &done, left > 50 ? 50 : (int)left);
	}
	return *id != CW_MEDIA_NO_ID;
}

/* Connects and loads the nodes; wait: until they are there. */
static bool connect_graph(struct cw_media *m, bool wait, char *err,
	size_t errlen)
{
	m->lost = false;
	if (!cw_media_graph_connect(&m->graph, m->pw, &graph_events, m,
			CONNECT_TIMEOUT_MS, err, errlen)) {
		return false;
	}
	if (!cw_media_graph_has_session_manager(m->graph)) {
		snprintf(err, errlen, "PipeWire runs, but no session manager "
			"does (no \"default\" metadata): start WirePlumber, or "
			"give the sandbox no media (--audio none --microphone "
			"deny --camera deny)");
		goto fail;
	}
	if (m->playback && (!cw_media_nodes_load(m->nodes, CW_MEDIA_OUT, err,
			errlen) || (wait && !wait_for(m, &m->out_id)))) {
		if (wait && m->out_id == CW_MEDIA_NO_ID && err[0] == '\0') {
			snprintf(err, errlen, "the sandbox's output node did "
				"not appear");
		}
		goto fail;
	}
	if (m->granted[CW_MEDIA_MICROPHONE] && (!cw_media_nodes_load(
			m->nodes, CW_MEDIA_IN, err, errlen) ||
			(wait && !wait_for(m, &m->in_id)))) {
		if (wait && m->in_id == CW_MEDIA_NO_ID && err[0] == '\0') {
			snprintf(err, errlen, "the sandbox's input node did "
				"not appear");
		}
		goto fail;
	}
	return true;

fail:
	cw_media_nodes_unload(m->nodes, CW_MEDIA_OUT);
	cw_media_nodes_unload(m->nodes, CW_MEDIA_IN);
	cw_media_graph_destroy(m->graph);
	m->graph = NULL;
	return false;
}

static void disconnect_graph(struct cw_media *m)
{
	if (m->relay != NULL) {
		cw_media_relay_drop_all(m->relay);
	}
	cw_media_seccontext_detach(m->seccontext);
	cw_media_nodes_unload(m->nodes, CW_MEDIA_OUT);
	cw_media_nodes_unload(m->nodes, CW_MEDIA_IN);
	cw_media_graph_destroy(m->graph);
	m->graph = NULL;
	m->nclients = 0;
	m->out_id = m->in_id = CW_MEDIA_NO_ID;
}

static void retry(struct cw_source *source, uint32_t events)
{
	struct cw_media *m = cw_container_of(source, m, timer);
	cw_timer_ack(source);
	if (m->lost) {
		disconnect_graph(m);
		m->lost = false;
	}
	if (m->graph != NULL) {
		return;
	}
	char err[512] = "";
	if (connect_graph(m, false, err, sizeof(err))) {
		if (m->seccontext != NULL && !cw_media_seccontext_attach(
				m->seccontext, m->graph, err, sizeof(err))) {
			cw_msg("media: %s; reconnecting", err);
			disconnect_graph(m);
			arm_retry(m, RETRY_MS);
			return;
		}
		cw_msg("media: PipeWire is back");
		return;
	}
	cw_log(CW_LOG_DEBUG, "media: reconnecting: %s", err);
	arm_retry(m, RETRY_MS);
}

struct cw_media *cw_media_create(struct cw_loop *loop,
	const struct cw_media_config *cfg, cw_media_want_func want,
	void *data, char *err, size_t errlen)
{
	struct cw_media *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	err[0] = '\0';
	cw_notes_init(&m->notes, loop);
	m->want = want;
	m->data = data;
	m->playback = cfg->playback;
	m->granted[CW_MEDIA_MICROPHONE] = cfg->microphone;
	m->granted[CW_MEDIA_CAMERA] = cfg->camera;
	m->out_id = m->in_id = CW_MEDIA_NO_ID;
	m->app = strdup(cfg->app);
	m->instance = strdup(cfg->instance);
	m->socket_path = strdup(cfg->socket_path);
	char prefix[256];
	snprintf(prefix, sizeof(prefix), "crate-wl.%s.%s", cfg->app,
		cfg->instance);
	m->pw = cw_media_pw_create(loop, err, errlen);
	if (m->pw == NULL) {
		goto fail;
	}
	m->nodes = cw_media_nodes_create(m->pw, prefix, cfg->app);
	m->loop = loop;
	m->have_timer = cw_loop_add_timer(loop, &m->timer, retry);
	if (m->app == NULL || m->instance == NULL || m->socket_path == NULL ||
			m->nodes == NULL || !m->have_timer) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!connect_graph(m, true, err, errlen)) {
		goto fail;
	}
	if (cw_media_graph_has_security_context(m->graph) &&
			cw_media_seccontext_supported()) {
		m->seccontext = cw_media_seccontext_create(m->graph,
			m->socket_path, m->app, m->instance, err, errlen);
		if (m->seccontext == NULL) {
			goto fail;
		}
	} else {
		const char *props[] = {
			"crate-wl.app", m->app,
			"crate-wl.instance", m->instance,
			NULL,
		};
		m->relay = cw_media_relay_create(m->pw, m->socket_path, props,
			&relay_hooks, m, err, errlen);
		if (m->relay == NULL) {
			goto fail;
		}
	}
	return m;

fail:
	cw_media_destroy(m);
	return NULL;
}

void cw_media_destroy(struct cw_media *m)
{
	if (m == NULL) {
		return;
	}
	cw_media_relay_destroy(m->relay);
	cw_media_seccontext_destroy(m->seccontext);
	if (m->graph != NULL) {
		/* no stale routing for nodes whose ids come back */
		for (size_t i = 0; i < 2; i++) {
			uint32_t id = i ? m->in_id : m->out_id;
			if (id != CW_MEDIA_NO_ID) {
				cw_media_graph_set_target(m->graph, id, NULL);
			}
		}
		cw_media_graph_clear_targets(m->graph, 500);
	}
	cw_media_nodes_destroy(m->nodes);
	cw_media_graph_destroy(m->graph);
	if (m->have_timer) {
		cw_loop_remove_timer(m->loop, &m->timer);
	}
	cw_media_pw_destroy(m->pw);
	cw_notes_finish(&m->notes);
	free(m->app);
	free(m->instance);
	free(m->socket_path);
	free(m);
}

static void refuse_camera_link(void *data, struct cw_media_link *l)
{
	struct cw_media *m = data;
	if (!link_allowed(m, l)) {
		cw_media_graph_refuse_link(m->graph, l);
	}
}

static void camera_perms(void *data, struct cw_media_node *n)
{
	struct cw_media *m = data;
	if (n->camera) {
		permit_all(m, n->id, m->granted[CW_MEDIA_CAMERA] ?
			PW_PERM_RWX : 0);
	}
}

void cw_media_grant(struct cw_media *m, enum cw_media_device dev,
	bool granted)
{
	if (m->granted[dev] == granted) {
		return;
	}
	m->granted[dev] = granted;
	cw_log(CW_LOG_INFO, "media: %s %s", cw_media_device_name(dev),
		granted ? "granted" : "revoked");
	if (m->graph == NULL) {
		return; /* applied when PipeWire is back */
	}
	if (dev == CW_MEDIA_MICROPHONE) {
		char err[512];
		if (granted && !cw_media_nodes_load(m->nodes, CW_MEDIA_IN, err,
				sizeof(err))) {
			cw_msg("media: %s", err);
		} else if (!granted) {
			if (m->in_id != CW_MEDIA_NO_ID) {
				permit_all(m, m->in_id, 0);
			}
			/* its links go with it, at once */
			cw_media_nodes_unload(m->nodes, CW_MEDIA_IN);
		}
	} else {
		cw_media_graph_each_node(m->graph, camera_perms, m);
		if (granted) {
			cw_media_graph_each_node(m->graph, route_each, m);
		} else {
			cw_media_graph_each_link(m->graph, refuse_camera_link,
				m);
		}
	}
}
