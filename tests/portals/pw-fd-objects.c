/*
 * Test helper, run inside the sandbox: what a PipeWire connection handed
 * out as an fd (OpenPipeWireRemote) lets its holder see, the way any
 * client sees it: connect on the fd, list the registry after a roundtrip.
 * usage: pw-fd-objects FD   prints "ID TYPE NAME" per global.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pipewire/pipewire.h>

struct state {
	struct pw_main_loop *loop;
	int seq;
};

static void global(void *data, uint32_t id, uint32_t perms, const char *type,
	uint32_t version, const struct spa_dict *props)
{
	const char *name = NULL;
	if (props != NULL) {
		name = spa_dict_lookup(props, PW_KEY_NODE_NAME);
		if (name == NULL) {
			name = spa_dict_lookup(props, PW_KEY_FACTORY_NAME);
		}
	}
	const char *t = strrchr(type, ':');
	printf("%u %s %s\n", id, t ? t + 1 : type, name ? name : "-");
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = global,
};

static void done(void *data, uint32_t id, int seq)
{
	struct state *s = data;
	if (id == PW_ID_CORE && seq == s->seq) {
		pw_main_loop_quit(s->loop);
	}
}

static void error(void *data, uint32_t id, int seq, int res, const char *msg)
{
	struct state *s = data;
	fprintf(stderr, "pw-fd-objects: error on %u: %s\n", id, msg);
	if (id == PW_ID_CORE) {
		pw_main_loop_quit(s->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = done,
	.error = error,
};

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: pw-fd-objects FD\n");
		return 2;
	}
	pw_init(&argc, &argv);
	struct state s = { 0 };
	s.loop = pw_main_loop_new(NULL);
	struct pw_context *ctx = pw_context_new(pw_main_loop_get_loop(s.loop),
		NULL, 0);
	struct pw_core *core = pw_context_connect_fd(ctx, atoi(argv[1]), NULL,
		0);
	if (core == NULL) {
		fprintf(stderr, "pw-fd-objects: cannot connect on fd %s\n",
			argv[1]);
		return 1;
	}
	struct spa_hook core_listener, registry_listener;
	pw_core_add_listener(core, &core_listener, &core_events, &s);
	struct pw_registry *reg = pw_core_get_registry(core,
		PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(reg, &registry_listener, &registry_events,
		&s);
	s.seq = pw_core_sync(core, PW_ID_CORE, 0);
	pw_main_loop_run(s.loop);
	pw_proxy_destroy((struct pw_proxy *)reg);
	pw_core_disconnect(core);
	pw_context_destroy(ctx);
	pw_main_loop_destroy(s.loop);
	return 0;
}
