/* The sandbox's own nodes (see media-nodes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pipewire/pipewire.h>
#include <pipewire/impl-module.h>
#include "media-nodes.h"

struct side {
	struct cw_media_nodes *nodes;
	struct pw_impl_module *module;
	struct spa_hook listener;
	char name[256];
	char peer[256];
};

struct cw_media_nodes {
	struct cw_media_pw *pw;
	char app[128];
	struct side sides[2];
};

static void module_destroy(void *data)
{
	struct side *s = data;
	/* the module goes by itself when its connection fails */
	spa_hook_remove(&s->listener);
	s->module = NULL;
}

static const struct pw_impl_module_events module_events = {
	PW_VERSION_IMPL_MODULE_EVENTS,
	.destroy = module_destroy,
};

/* A name in SPA-JSON quotes: the app name is letters, digits, -_. */
static void quote(char *out, size_t len, const char *s)
{
	size_t j = 0;
	for (size_t i = 0; s[i] != '\0' && j + 2 < len; i++) {
		char c = s[i];
		out[j++] = (c == '"' || c == '\\') ? '_' : c;
	}
	out[j] = '\0';
}

struct cw_media_nodes *cw_media_nodes_create(struct cw_media_pw *pw,
	const char *prefix, const char *app)
{
	struct cw_media_nodes *n = calloc(1, sizeof(*n));
	if (n == NULL) {
		return NULL;
	}
	n->pw = pw;
	quote(n->app, sizeof(n->app), app);
	char q[200];
	quote(q, sizeof(q), prefix);
	snprintf(n->sides[CW_MEDIA_OUT].name, 256, "%s.out", q);
	snprintf(n->sides[CW_MEDIA_OUT].peer, 256, "%s.out.playback", q);
	snprintf(n->sides[CW_MEDIA_IN].name, 256, "%s.in", q);
	snprintf(n->sides[CW_MEDIA_IN].peer, 256, "%s.in.capture", q);
	for (int i = 0; i < 2; i++) {
		n->sides[i].nodes = n;
	}
	return n;
}

void cw_media_nodes_destroy(struct cw_media_nodes *nodes)
{
	if (nodes == NULL) {
		return;
	}
	cw_media_nodes_unload(nodes, CW_MEDIA_OUT);
	cw_media_nodes_unload(nodes, CW_MEDIA_IN);
	free(nodes);
}

bool cw_media_nodes_load(struct cw_media_nodes *nodes,
	enum cw_media_side side, char *err, size_t errlen)
{
	struct side *s = &nodes->sides[side];
	if (s->module != NULL) {
		return true;
	}
	char args[2048];
	/*
	 * Never a default device: priority 0. The stream side follows the
	 * user's default sink (or microphone); the side the sandbox sees
	 * is never linked by the session manager on its own.
	 */
	if (side == CW_MEDIA_OUT) {
		snprintf(args, sizeof(args),
			"{ node.description = \"%s (sandboxed) output\" "
			"audio.position = [ FL FR ] "
			"capture.props = { node.name = \"%s\" "
			"media.class = \"Audio/Sink\" priority.session = 0 "
			"priority.driver = 0 crate-wl.app = \"%s\" } "
			"playback.props = { node.name = \"%s\" "
			"media.role = \"Music\" crate-wl.app = \"%s\" } }",
			nodes->app, s->name, nodes->app, s->peer, nodes->app);
	} else {
		snprintf(args, sizeof(args),
			"{ node.description = \"%s (sandboxed) microphone\" "
			"audio.position = [ FL FR ] "
			"capture.props = { node.name = \"%s\" "
			"node.dont-reconnect = false crate-wl.app = \"%s\" } "
			"playback.props = { node.name = \"%s\" "
			"media.class = \"Audio/Source\" priority.session = 0 "
			"priority.driver = 0 crate-wl.app = \"%s\" } }",
			nodes->app, s->peer, nodes->app, s->name, nodes->app);
	}
	s->module = pw_context_load_module(nodes->pw->context,
		"libpipewire-module-loopback", args, NULL);
	if (s->module == NULL) {
		snprintf(err, errlen, "cannot load PipeWire's loopback module "
			"for %s: %s", s->name, strerror(errno));
		return false;
	}
	pw_impl_module_add_listener(s->module, &s->listener, &module_events,
		s);
	return true;
}

void cw_media_nodes_unload(struct cw_media_nodes *nodes,
	enum cw_media_side side)
{
	struct side *s = &nodes->sides[side];
	if (s->module != NULL) {
		struct pw_impl_module *m = s->module;
		spa_hook_remove(&s->listener);
		s->module = NULL;
		pw_impl_module_destroy(m);
	}
}

const char *cw_media_nodes_name(const struct cw_media_nodes *nodes,
	enum cw_media_side side)
{
	return nodes->sides[side].name;
}

const char *cw_media_nodes_peer_name(const struct cw_media_nodes *nodes,
	enum cw_media_side side)
{
	return nodes->sides[side].peer;
}
