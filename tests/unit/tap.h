/* Minimal TAP output for unit tests. */
#ifndef CW_TAP_H
#define CW_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_count, tap_failed;

#define ok(cond, ...) do { \
	tap_count++; \
	if (cond) { \
		printf("ok %d - ", tap_count); \
	} else { \
		tap_failed++; \
		printf("not ok %d - ", tap_count); \
	} \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!(cond)) { \
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
	fflush(stdout); \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
