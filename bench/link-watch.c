/*
 * Every PipeWire link as a second, unsandboxed observer sees it: one line
 * per link that goes, "link ID OUT_NODE IN_NODE LIVED_US", LIVED_US from
 * its global's arrival here to its removal's, on CLOCK_MONOTONIC. A check
 * on crate-wl's own figure (it times the same two events on its side).
 *   link-watch             until SIGINT or SIGTERM; "ready" once synced
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pipewire/pipewire.h>

#define MAX_ID 4096

struct object {
	bool link;
	char *name; /* a node's */
	uint32_t out, in; /* a link's nodes */
	double added_us;
};

struct watch {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener, registry_listener;
	struct object objects[MAX_ID];
	int seq;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint32_t dict_id(const struct spa_dict *props, const char *key)
{
	const char *s = props ? spa_dict_lookup(props, key) : NULL;
	return s ? (uint32_t)strtoul(s, NULL, 10) : SPA_ID_INVALID;
}

static const char *name_of(struct watch *w, uint32_t id)
{
	if (id >= MAX_ID || w->objects[id].name == NULL) {
		return "?";
	}
	return w->objects[id].name;
}

static void on_global(void *data, uint32_t id, uint32_t permissions,
	const char *type, uint32_t version, const struct spa_dict *props)
{
	struct watch *w = data;
	double t = now_us();
	if (id >= MAX_ID) {
		return;
	}
	struct object *o = &w->objects[id];
	free(o->name);
	memset(o, 0, sizeof(*o));
	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
		const char *name = props ?
			spa_dict_lookup(props, PW_KEY_NODE_NAME) : NULL;
		o->name = strdup(name ? name : "?");
	} else if (strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
		o->link = true;
		o->out = dict_id(props, PW_KEY_LINK_OUTPUT_NODE);
		o->in = dict_id(props, PW_KEY_LINK_INPUT_NODE);
		o->added_us = t;
	}
}

static void on_global_remove(void *data, uint32_t id)
{
	struct watch *w = data;
	double t = now_us();
	if (id >= MAX_ID) {
		return;
	}
	struct object *o = &w->objects[id];
	if (o->link) {
		printf("link %u %s %s %.0f\n", id, name_of(w, o->out),
			name_of(w, o->in), t - o->added_us);
		fflush(stdout);
	}
	free(o->name);
	memset(o, 0, sizeof(*o));
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
	.global_remove = on_global_remove,
};

static void on_done(void *data, uint32_t id, int seq)
{
	struct watch *w = data;
	if (id == PW_ID_CORE && seq == w->seq) {
		printf("ready\n");
		fflush(stdout);
	}
}

static void on_error(void *data, uint32_t id, int seq, int res,
	const char *message)
{
	struct watch *w = data;
	if (id == PW_ID_CORE) {
		fprintf(stderr, "link-watch: %s\n", message);
		pw_main_loop_quit(w->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_done,
	.error = on_error,
};

static void on_signal(void *data, int signo)
{
	struct watch *w = data;
	pw_main_loop_quit(w->loop);
}

int main(int argc, char **argv)
{
	static struct watch w;
	pw_init(&argc, &argv);
	w.loop = pw_main_loop_new(NULL);
	struct pw_loop *loop = pw_main_loop_get_loop(w.loop);
	pw_loop_add_signal(loop, SIGINT, on_signal, &w);
	pw_loop_add_signal(loop, SIGTERM, on_signal, &w);
	struct pw_context *context = pw_context_new(loop, NULL, 0);
	w.core = pw_context_connect(context, NULL, 0);
	if (w.core == NULL) {
		perror("link-watch: cannot connect to PipeWire");
		return 1;
	}
	pw_core_add_listener(w.core, &w.core_listener, &core_events, &w);
	w.registry = pw_core_get_registry(w.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(w.registry, &w.registry_listener,
		&registry_events, &w);
	w.seq = pw_core_sync(w.core, PW_ID_CORE, 0);
	pw_main_loop_run(w.loop);
	for (uint32_t i = 0; i < MAX_ID; i++) {
		free(w.objects[i].name);
	}
	pw_proxy_destroy((struct pw_proxy *)w.registry);
	pw_core_disconnect(w.core);
	pw_context_destroy(context);
	pw_main_loop_destroy(w.loop);
	pw_deinit();
	return 0;
}
