/*
 * Test helper: what one PipeWire connection can see.
 *   pw-objects                 the caller's daemon, unrestricted
 *   pw-objects --restrict NAME...  through a connection crate-wl restricted
 *                              to the nodes with these node.name values
 * Prints one line per global: "ID TYPE NAME" (NAME: node.name,
 * factory.name or -), and exits 0; 1 with a message on errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pipewire/pipewire.h>
#include "media-restrict.h"

struct state {
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener, registry_listener;
	int seq;
	bool done;
	bool print;
	char **names;
	int nnames;
	uint32_t ids[16];
	size_t nids;
};

static void global(void *data, uint32_t id, uint32_t perms, const char *type,
	uint32_t version, const struct spa_dict *props)
{
	struct state *s = data;
	const char *name = props ? spa_dict_lookup(props, PW_KEY_NODE_NAME) :
		NULL;
	if (name == NULL && props != NULL) {
		name = spa_dict_lookup(props, PW_KEY_FACTORY_NAME);
	}
	const char *t = strrchr(type, ':');
	if (s->print) {
		printf("%u %s %s\n", id, t ? t + 1 : type, name ? name : "-");
	}
	for (int i = 0; name && i < s->nnames && s->nids < 16; i++) {
		if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0 &&
				strcmp(name, s->names[i]) == 0) {
			s->ids[s->nids++] = id;
		}
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = global,
};

static void done(void *data, uint32_t id, int seq)
{
	struct state *s = data;
	if (seq == s->seq) {
		s->done = true;
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = done,
};

static bool list(struct cw_media_pw *pw, struct state *s, int fd)
{
	s->core = fd < 0 ? pw_context_connect(pw->context, NULL, 0) :
		pw_context_connect_fd(pw->context, fd, NULL, 0);
	if (s->core == NULL) {
		perror("pw-objects: connect");
		return false;
	}
	pw_core_add_listener(s->core, &s->core_listener, &core_events, s);
	s->registry = pw_core_get_registry(s->core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(s->registry, &s->registry_listener,
		&registry_events, s);
	s->done = false;
	s->seq = pw_core_sync(s->core, PW_ID_CORE, 0);
	bool ok = cw_media_pw_wait(pw, &s->done, 5000);
	spa_hook_remove(&s->registry_listener);
	pw_proxy_destroy((struct pw_proxy *)s->registry);
	spa_hook_remove(&s->core_listener);
	pw_core_disconnect(s->core);
	return ok;
}

int main(int argc, char *argv[])
{
	char err[512];
	struct cw_media_pw *pw = cw_media_pw_create(NULL, err, sizeof(err));
	if (pw == NULL) {
		fprintf(stderr, "pw-objects: %s\n", err);
		return 1;
	}
	struct state s = { .print = argc < 2 };
	int fd = -1;
	if (argc >= 2 && strcmp(argv[1], "--restrict") == 0) {
		s.names = argv + 2;
		s.nnames = argc - 2;
		if (!list(pw, &s, -1)) {
			return 1;
		}
		if (s.nids != (size_t)s.nnames) {
			fprintf(stderr, "pw-objects: not every node found\n");
			return 1;
		}
		fd = cw_media_restrict_open(pw, s.ids, s.nids, NULL, 5000,
			NULL, err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "pw-objects: %s\n", err);
			return 1;
		}
		s.print = true;
	}
	bool ok = list(pw, &s, fd);
	cw_media_pw_destroy(pw);
	return ok ? 0 : 1;
}
