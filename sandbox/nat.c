#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nat.h"

static bool find_in_path(const char *name, char *out, size_t len)
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

bool cw_nat_available(char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (!find_in_path("pasta", path, sizeof(path))) {
		snprintf(err, errlen, "--net nat needs pasta, from the Debian "
			"package passt (apt-get install passt)");
		return false;
	}
	return true;
}

bool cw_nat_attach(pid_t pid, char *err, size_t errlen)
{
	(void)pid;
	snprintf(err, errlen, "--net nat is not implemented yet");
	return false;
}
