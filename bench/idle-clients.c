/*
 * idle-clients: opens K connections, gets a registry on each and waits for
 * its globals with a roundtrip, prints "ready K" and then sleeps until a
 * signal. Used to measure a proxy's memory per idle client.
 *
 * Usage: idle-clients K
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wayland-client.h>

static void registry_global(void *data, struct wl_registry *registry,
		uint32_t name, const char *interface, uint32_t version)
{
}

static void registry_global_remove(void *data, struct wl_registry *registry,
		uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: idle-clients K\n");
		return 2;
	}
	long k = strtol(argv[1], NULL, 10);
	if (k <= 0 || k > 10000) {
		fprintf(stderr, "idle-clients: bad count\n");
		return 2;
	}
	struct wl_display **displays = calloc(k, sizeof(*displays));
	if (displays == NULL) {
		return 1;
	}
	for (long i = 0; i < k; i++) {
		displays[i] = wl_display_connect(NULL);
		if (displays[i] == NULL) {
			perror("idle-clients: wl_display_connect");
			return 1;
		}
		struct wl_registry *registry =
			wl_display_get_registry(displays[i]);
		wl_registry_add_listener(registry, &registry_listener, NULL);
		if (wl_display_roundtrip(displays[i]) < 0) {
			fprintf(stderr, "idle-clients: roundtrip failed\n");
			return 1;
		}
	}
	printf("ready %ld\n", k);
	fflush(stdout);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sig;
	sigwait(&mask, &sig);
	for (long i = 0; i < k; i++) {
		wl_display_disconnect(displays[i]);
	}
	free(displays);
	return 0;
}
