/*
 * N concurrent clients, each doing M wl_display_sync roundtrips.
 * usage: stress N M
 * Exits 0 only if every roundtrip of every client completed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <wayland-client.h>

static int rounds;
static int failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

static void *client(void *arg)
{
	struct wl_display *d = wl_display_connect(NULL);
	pthread_barrier_wait(&start);
	int ok = 0;
	if (d != NULL) {
		for (; ok < rounds; ok++) {
			if (wl_display_roundtrip(d) < 0) {
				break;
			}
		}
		wl_display_disconnect(d);
	}
	if (ok != rounds) {
		pthread_mutex_lock(&lock);
		failed++;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: stress CLIENTS ROUNDTRIPS\n");
		return 2;
	}
	int n = atoi(argv[1]);
	rounds = atoi(argv[2]);
	pthread_t *threads = calloc(n, sizeof(*threads));
	pthread_barrier_init(&start, NULL, n);
	for (int i = 0; i < n; i++) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		pthread_create(&threads[i], &attr, client, NULL);
		pthread_attr_destroy(&attr);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
	}
	free(threads);
	printf("%d clients x %d roundtrips: %d failed\n", n, rounds, failed);
	return failed ? 1 : 0;
}
