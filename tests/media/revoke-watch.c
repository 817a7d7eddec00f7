/*
 * How long a device stays linked after a revoke, as an unsandboxed
 * PipeWire client sees it (issue 19).
 *   revoke-watch NODE SETTLE_MS WINDOW_MS -- COMMAND...
 * Waits until a link out of a node named NODE (a glob: the fake
 * microphone or camera, a sandbox's screen-sharing node) has lived
 * SETTLE_MS, runs COMMAND (the revoke), and times on
 * CLOCK_MONOTONIC how long until no link out of NODE is left. Then it
 * watches WINDOW_MS more for links the session manager makes again. It
 * prints, one a line:
 *   unlink-ms MS            from just before COMMAND to the last unlink
 *   relinks N longest-ms MS links out of NODE made after that
 *   still-linked 0|1        one at the end of the window
 *   command-exit STATUS
 * Exit 0, or 2 when NODE was never linked, 3 when the links stayed 5 s.
 */
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <pipewire/pipewire.h>

#define MAX_ID 4096
#define LINK_WAIT_MS 30000
#define UNLINK_WAIT_MS 5000

struct object {
	bool link;
	char *name; /* a node's */
	uint32_t out; /* a link's output node */
	double added_ms;
};

enum phase { WAITING, REVOKED, AFTER };

struct watch {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct pw_registry *registry;
	struct spa_hook core_listener, registry_listener;
	struct object objects[MAX_ID];
	const char *node;
	double settle_ms, window_ms, start_ms;
	char **command;
	enum phase phase;
	double revoke_ms, unlinked_ms;
	pid_t child;
	int relinks;
	double longest_relink_ms;
	int status;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool from_node(struct watch *w, const struct object *o)
{
	return o->link && o->out < MAX_ID && w->objects[o->out].name != NULL &&
		fnmatch(w->node, w->objects[o->out].name, 0) == 0;
}

/* links out of the node; the age of the oldest in *oldest_ms */
static int links(struct watch *w, double now, double *oldest_ms)
{
	int n = 0;
	*oldest_ms = 0;
	for (uint32_t id = 0; id < MAX_ID; id++) {
		struct object *o = &w->objects[id];
		if (from_node(w, o)) {
			n++;
			if (now - o->added_ms > *oldest_ms) {
				*oldest_ms = now - o->added_ms;
			}
		}
	}
	return n;
}

static void run_revoke(struct watch *w)
{
	w->revoke_ms = now_ms();
	w->child = fork();
	if (w->child == 0) {
		execvp(w->command[0], w->command);
		_exit(127);
	}
	w->phase = REVOKED;
}

static void on_global(void *data, uint32_t id, uint32_t permissions,
	const char *type, uint32_t version, const struct spa_dict *props)
{
	struct watch *w = data;
	if (id >= MAX_ID) {
		return;
	}
	struct object *o = &w->objects[id];
	free(o->name);
	memset(o, 0, sizeof(*o));
	o->added_ms = now_ms();
	if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0) {
		const char *name = props ?
			spa_dict_lookup(props, PW_KEY_NODE_NAME) : NULL;
		o->name = strdup(name ? name : "?");
	} else if (strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
		const char *s = props ?
			spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE) : NULL;
		o->link = true;
		o->out = s ? (uint32_t)strtoul(s, NULL, 10) : SPA_ID_INVALID;
		if (w->phase == AFTER && from_node(w, o)) {
			w->relinks++;
		}
	}
}

static void on_global_remove(void *data, uint32_t id)
{
	struct watch *w = data;
	if (id >= MAX_ID) {
		return;
	}
	double t = now_ms();
	struct object *o = &w->objects[id];
	bool ours = from_node(w, o);
	if (ours && w->phase == AFTER && t - o->added_ms >
			w->longest_relink_ms) {
		w->longest_relink_ms = t - o->added_ms;
	}
	free(o->name);
	memset(o, 0, sizeof(*o));
	double oldest;
	if (ours && w->phase == REVOKED && links(w, t, &oldest) == 0) {
		w->unlinked_ms = t;
		w->phase = AFTER;
	}
}

static const struct pw_registry_events registry_events = {
	PW_VERSION_REGISTRY_EVENTS,
	.global = on_global,
	.global_remove = on_global_remove,
};

static void on_error(void *data, uint32_t id, int seq, int res,
	const char *message)
{
	struct watch *w = data;
	if (id == PW_ID_CORE) {
		fprintf(stderr, "revoke-watch: %s\n", message);
		w->status = 1;
		pw_main_loop_quit(w->loop);
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_error,
};

static void on_tick(void *data, uint64_t expirations)
{
	struct watch *w = data;
	double t = now_ms(), oldest;
	int n = links(w, t, &oldest);
	switch (w->phase) {
	case WAITING:
		if (n > 0 && oldest >= w->settle_ms) {
			run_revoke(w);
		} else if (t - w->start_ms > LINK_WAIT_MS) {
			fprintf(stderr, "revoke-watch: %s was never linked\n",
				w->node);
			w->status = 2;
			pw_main_loop_quit(w->loop);
		}
		break;
	case REVOKED:
		if (t - w->revoke_ms > UNLINK_WAIT_MS) {
			printf("unlink-ms never\n");
			w->status = 3;
			pw_main_loop_quit(w->loop);
		}
		break;
	case AFTER:
		if (t - w->unlinked_ms >= w->window_ms) {
			printf("unlink-ms %.1f\n", w->unlinked_ms - w->revoke_ms);
			printf("relinks %d longest-ms %.1f\n", w->relinks,
				w->longest_relink_ms);
			printf("still-linked %d\n", n > 0);
			pw_main_loop_quit(w->loop);
		}
		break;
	}
}

int main(int argc, char **argv)
{
	static struct watch w;
	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: revoke-watch NODE SETTLE_MS WINDOW_MS "
			"-- COMMAND...\n");
		return 1;
	}
	w.node = argv[1];
	w.settle_ms = atof(argv[2]);
	w.window_ms = atof(argv[3]);
	w.command = argv + 5;
	w.child = -1;
	pw_init(&argc, &argv);
	w.loop = pw_main_loop_new(NULL);
	struct pw_loop *loop = pw_main_loop_get_loop(w.loop);
	struct pw_context *context = pw_context_new(loop, NULL, 0);
	w.core = pw_context_connect(context, NULL, 0);
	if (w.core == NULL) {
		fprintf(stderr, "revoke-watch: cannot connect to PipeWire\n");
		return 1;
	}
	pw_core_add_listener(w.core, &w.core_listener, &core_events, &w);
	w.registry = pw_core_get_registry(w.core, PW_VERSION_REGISTRY, 0);
	pw_registry_add_listener(w.registry, &w.registry_listener,
		&registry_events, &w);
	struct spa_source *timer = pw_loop_add_timer(loop, on_tick, &w);
	struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };
	pw_loop_update_timer(loop, timer, &tick, &tick, false);
	w.start_ms = now_ms();
	pw_main_loop_run(w.loop);
	if (w.child > 0) {
		int st;
		waitpid(w.child, &st, 0);
		printf("command-exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) :
			128 + WTERMSIG(st));
	}
	fflush(stdout);
	pw_proxy_destroy((struct pw_proxy *)w.registry);
	pw_core_disconnect(w.core);
	pw_context_destroy(context);
	pw_main_loop_destroy(w.loop);
	pw_deinit();
	return w.status;
}
