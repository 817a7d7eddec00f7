/*
 * The file parsers read paths: each input is written to one file in a
 * private directory (made once per process), which the parser then reads.
 */
#ifndef CW_FUZZ_FILE_H
#define CW_FUZZ_FILE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *fuzz_write_file(const char *name,
	const uint8_t *data, size_t len)
{
	static char dir[64], path[128];
	if (dir[0] == '\0') {
		/* tmpfs where there is one: the store fsyncs what it writes */
		snprintf(dir, sizeof(dir), "%s/cw-fuzz-XXXXXX",
			access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	close(fd);
	return path;
}

#endif
