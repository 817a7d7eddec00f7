/*
 * A client that stops in the middle of a message, to be killed there.
 * usage: partial header|body|fd
 *   header: half of a header
 *   body:   a whole header and half of the body
 *   fd:     wl_shm.create_pool's header and fd, without the rest
 * It does a roundtrip first, then sends the part, prints "ready" and waits
 * for its SIGKILL.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common.h"

int main(int argc, char *argv[])
{
	const char *mode = argc > 1 ? argv[1] : "body";
	struct raw r;
	if (raw_connect(&r) < 0) {
		return 1;
	}
	uint32_t args[4] = { 2 };
	raw_msg(&r, 1, 1, args, 1); /* get_registry(2) */
	if (!raw_roundtrip(&r, 3)) { /* sync(3) */
		fprintf(stderr, "partial: no roundtrip\n");
		return 1;
	}
	uint32_t version;
	uint32_t shm = raw_global(&r, "wl_shm", &version);
	uint32_t bind[6 + 4];
	uint32_t n = 0;
	bind[n++] = shm;
	n += raw_string(bind + n, "wl_shm", 7, true);
	bind[n++] = 1;
	bind[n++] = 4;
	raw_msg(&r, 2, 0, bind, n); /* bind wl_shm as 4 */
	/* wl_shm.create_pool(5, fd, 4096): 16 bytes */
	uint32_t msg[4] = { 4, (16u << 16) | 0, 5, 4096 };
	int memfd = memfd_create("partial", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 4096) != 0) {
		perror("partial: memfd");
		return 1;
	}
	ssize_t sent = 0;
	if (strcmp(mode, "header") == 0) {
		sent = write(r.fd, msg, 6);
	} else if (strcmp(mode, "fd") == 0) {
		raw_send(&r, msg, 2, &memfd, 1);
	} else {
		sent = write(r.fd, msg, 12);
	}
	if (sent < 0) {
		perror("partial: write");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
