#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

bool cw_parse_uint(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0 || v > INT_MAX) {
		return false;
	}
	*out = (int)v;
	return true;
}

int64_t cw_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cw_now_ms(void)
{
	return cw_now_us() / 1000;
}

bool cw_find_program(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	if (path == NULL || path[0] == '\0') {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	while (*path != '\0') {
		size_t n = strcspn(path, ":");
		if (n > 0 && (size_t)snprintf(out, len, "%.*s/%s", (int)n, path,
				name) < len && access(out, X_OK) == 0) {
			return true;
		}
		path += n + (path[n] == ':');
	}
	return false;
}
