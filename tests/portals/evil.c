/*
 * The attacker's library (bus-escape.sh): loaded into anything that runs
 * with it in LD_PRELOAD, it writes a marker where the sandbox cannot
 * (CW_EVIL_MARKER, outside every sandbox). No marker: nothing loaded it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor))
static void evil(void)
{
	const char *marker = getenv("CW_EVIL_MARKER");
	if (marker == NULL) {
		return;
	}
	int fd = open(marker, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		0666);
	if (fd < 0) {
		return;
	}
	char ns[64] = "?", line[256];
	ssize_t n = readlink("/proc/self/ns/user", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 1] = '\0';
	int len = snprintf(line, sizeof(line), "loaded in pid %d uid %d %s\n",
		(int)getpid(), (int)getuid(), ns);
	if (write(fd, line, (size_t)len) != len) {
		/* nothing to do about it */
	}
	close(fd);
}
