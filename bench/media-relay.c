/*
 * The PipeWire protocol through a sandbox's relay, or direct: core syncs
 * to the daemon.
 *   media-relay rtt N     N sequential roundtrips: one line "rtt US" each
 *   media-relay rate N [W]  N syncs, W in flight (default 64):
 *                         "rate MSGS_PER_S CPU_NS_PER_SYNC SWITCHES_PER_SYNC"
 *                         (this process's own CPU time and context switches)
 * It connects where libpipewire does (inside a sandbox: its pipewire-0;
 * PIPEWIRE_REMOTE names another socket).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <pipewire/pipewire.h>

#define WINDOW 64

static double cpu_ns(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
		(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

struct bench {
	struct pw_main_loop *loop;
	struct pw_core *core;
	struct spa_hook listener;
	int last_seq;
	long done, sent, total;
	bool pipelined;
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void on_done(void *data, uint32_t id, int seq)
{
	struct bench *b = data;
	if (id != PW_ID_CORE) {
		return;
	}
	b->done++;
	if (!b->pipelined || b->done == b->total) {
		pw_main_loop_quit(b->loop);
		return;
	}
	if (b->sent < b->total) {
		pw_core_sync(b->core, PW_ID_CORE, 0);
		b->sent++;
	}
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.done = on_done,
};

int main(int argc, char *argv[])
{
	if (argc < 3 || argc > 4 ||
			(strcmp(argv[1], "rtt") && strcmp(argv[1], "rate"))) {
		fprintf(stderr, "usage: media-relay rtt N | rate N [WINDOW]\n");
		return 2;
	}
	long window = argc == 4 ? atol(argv[3]) : WINDOW;
	if (atol(argv[2]) < 1 || window < 1) {
		fprintf(stderr, "media-relay: N and WINDOW are at least 1\n");
		return 2;
	}
	pw_init(NULL, NULL);
	struct bench b = { .total = atol(argv[2]) };
	b.loop = pw_main_loop_new(NULL);
	struct pw_context *ctx = pw_context_new(pw_main_loop_get_loop(b.loop),
		NULL, 0);
	b.core = pw_context_connect(ctx, NULL, 0);
	if (b.core == NULL) {
		perror("media-relay: connect");
		return 1;
	}
	pw_core_add_listener(b.core, &b.listener, &core_events, &b);
	/* the connection is up before anything is timed */
	pw_core_sync(b.core, PW_ID_CORE, 0);
	pw_main_loop_run(b.loop);
	b.done = 0;
	if (strcmp(argv[1], "rtt") == 0) {
		for (long i = 0; i < b.total; i++) {
			double t0 = now_us();
			pw_core_sync(b.core, PW_ID_CORE, 0);
			pw_main_loop_run(b.loop);
			printf("rtt %.1f\n", now_us() - t0);
		}
	} else {
		b.pipelined = true;
		struct rusage r0, r1;
		getrusage(RUSAGE_SELF, &r0);
		double t0 = now_us();
		for (; b.sent < window && b.sent < b.total; b.sent++) {
			pw_core_sync(b.core, PW_ID_CORE, 0);
		}
		pw_main_loop_run(b.loop);
		double t1 = now_us();
		getrusage(RUSAGE_SELF, &r1);
		long sw = r1.ru_nvcsw + r1.ru_nivcsw - r0.ru_nvcsw - r0.ru_nivcsw;
		printf("rate %.0f %.0f %.4f\n", b.total / ((t1 - t0) / 1e6),
			(cpu_ns(&r1) - cpu_ns(&r0)) / b.total,
			(double)sw / b.total);
	}
	pw_core_disconnect(b.core);
	pw_context_destroy(ctx);
	pw_main_loop_destroy(b.loop);
	return 0;
}
