/*
 * roundtrip: times N wl_display_roundtrip calls (one wl_display.sync each)
 * and prints the median and p99 latency in µs.
 *
 * Usage: roundtrip [-n N] [-w WARMUP] [-o FILE]
 * -o FILE appends every sample (ns, one per line) to FILE, so that runs can
 * be interleaved and pooled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char *argv[])
{
	long n = 10000, warmup = 200;
	const char *out_path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "n:w:o:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtol(optarg, NULL, 10);
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: roundtrip [-n N] [-w WARMUP] [-o FILE]\n");
			return 2;
		}
	}
	if (n <= 0 || warmup < 0) {
		fprintf(stderr, "roundtrip: bad count\n");
		return 2;
	}
	uint64_t *samples = calloc(n, sizeof(*samples));
	if (samples == NULL) {
		return 1;
	}
	struct wl_display *display = wl_display_connect(NULL);
	if (display == NULL) {
		perror("roundtrip: wl_display_connect");
		return 1;
	}
	for (long i = 0; i < warmup; i++) {
		if (wl_display_roundtrip(display) < 0) {
			goto fail;
		}
	}
	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		if (wl_display_roundtrip(display) < 0) {
			goto fail;
		}
		samples[i] = now_ns() - t0;
	}
	wl_display_disconnect(display);

	if (out_path != NULL) {
		FILE *f = fopen(out_path, "a");
		if (f == NULL) {
			perror("roundtrip: fopen");
			return 1;
		}
		for (long i = 0; i < n; i++) {
			fprintf(f, "%llu\n", (unsigned long long)samples[i]);
		}
		fclose(f);
	}
	qsort(samples, n, sizeof(*samples), cmp_u64);
	uint64_t sum = 0;
	for (long i = 0; i < n; i++) {
		sum += samples[i];
	}
	printf("roundtrips %ld median_us %.2f p99_us %.2f mean_us %.2f\n", n,
		samples[n / 2] / 1e3, samples[(n * 99) / 100] / 1e3,
		(double)sum / n / 1e3);
	free(samples);
	return 0;
fail:
	fprintf(stderr, "roundtrip: connection failed (error %d)\n",
		wl_display_get_error(display));
	wl_display_disconnect(display);
	return 1;
}
