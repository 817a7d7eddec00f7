/*
 * crate-wl's trusted view of the PipeWire graph: one unrestricted
 * connection whose registry tracks nodes, links and clients as they come
 * and go, with the few actions the media rules need (destroy an object,
 * set a client's permissions, set or clear target.object metadata).
 */
#ifndef CW_MEDIA_GRAPH_H
#define CW_MEDIA_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "media-pw.h"

#define CW_MEDIA_NO_ID UINT32_MAX

struct spa_dict;

struct cw_media_node {
	uint32_t id;
	uint32_t client_id; /* CW_MEDIA_NO_ID: none */
	char *name;
	char *media_class;
	bool camera; /* a Video/Source of a device (v4l2, libcamera) */
	int64_t added_us;
};

struct cw_media_link {
	uint32_t id;
	uint32_t out_node, in_node;
	int64_t added_us;
	bool refused; /* crate-wl asked for it to go */
};

struct cw_media_graph_events {
	void (*node_added)(void *data, struct cw_media_node *node);
	void (*node_removed)(void *data, struct cw_media_node *node);
	void (*link_added)(void *data, struct cw_media_link *link);
	/* lived_us: from its global's arrival to its removal */
	void (*link_removed)(void *data, struct cw_media_link *link,
		int64_t lived_us);
	/* props: the global's; for a client of a crate-wl security context
	 * (pipewire.access crate-wl), its info's, which name the engine and
	 * the instance (a round trip later) */
	void (*client_added)(void *data, uint32_t id,
		const struct spa_dict *props);
	void (*client_removed)(void *data, uint32_t id);
	/* the connection failed (the daemon went away): destroy the graph,
	 * but not from here */
	void (*lost)(void *data, const char *why);
};

struct cw_media_graph;

/* pipewire.sec.engine of crate-wl's security contexts, and the
 * pipewire.access they give their clients */
#define CW_MEDIA_SEC_ENGINE "crate-wl"

/*
 * Connects and waits (timeout_ms) for the first view; *graph is set
 * before the first event. False with *graph NULL and a message in err.
 */
bool cw_media_graph_connect(struct cw_media_graph **graph,
	struct cw_media_pw *pw, const struct cw_media_graph_events *events,
	void *data, int timeout_ms, char *err, size_t errlen);
void cw_media_graph_destroy(struct cw_media_graph *graph);

struct cw_media_node *cw_media_graph_node(struct cw_media_graph *graph,
	uint32_t id);
/* Calls fn for every node (or link); fn must not change the graph. */
void cw_media_graph_each_node(struct cw_media_graph *graph,
	void (*fn)(void *data, struct cw_media_node *node), void *data);
void cw_media_graph_each_link(struct cw_media_graph *graph,
	void (*fn)(void *data, struct cw_media_link *link), void *data);

/* A session manager keeps the "default" metadata; none, no routing. */
bool cw_media_graph_has_session_manager(struct cw_media_graph *graph);
/* The daemon offers PipeWire:Interface:SecurityContext (1.2 and later). */
bool cw_media_graph_has_security_context(struct cw_media_graph *graph);
uint32_t cw_media_graph_security_context_id(struct cw_media_graph *graph);
uint32_t cw_media_graph_client_node_factory(struct cw_media_graph *graph);

void cw_media_graph_refuse_link(struct cw_media_graph *graph,
	struct cw_media_link *link);
void cw_media_graph_destroy_object(struct cw_media_graph *graph,
	uint32_t id);
/* Sets one object's bits for another client (a manager may raise them). */
void cw_media_graph_permit(struct cw_media_graph *graph, uint32_t client_id,
	uint32_t object_id, uint32_t perms);
/* Several at once: pairs of (object id, bits). */
void cw_media_graph_permit_many(struct cw_media_graph *graph,
	uint32_t client_id, const uint32_t *pairs, size_t npairs);
/* target.object of a node in the "default" metadata; NULL clears it. */
void cw_media_graph_set_target(struct cw_media_graph *graph, uint32_t node,
	const char *target);

/*
 * Clears every target.object crate-wl set and waits (timeout_ms) until the
 * daemon has it: nothing of a sandbox's routing outlives it. Not from a
 * PipeWire callback.
 */
void cw_media_graph_clear_targets(struct cw_media_graph *graph,
	int timeout_ms);

/* The connection's own pw_core, for objects crate-wl creates. */
struct pw_core *cw_media_graph_core(struct cw_media_graph *graph);
struct pw_registry *cw_media_graph_registry(struct cw_media_graph *graph);

#endif
