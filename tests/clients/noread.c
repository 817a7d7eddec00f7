/*
 * A client that floods requests whose answers are events, and never reads.
 * usage: noread SECONDS
 * Prints how many bytes it managed to send and how it ended.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "common.h"

int main(int argc, char *argv[])
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	struct raw r;
	if (raw_connect(&r) < 0) {
		return 1;
	}
	time_t end = time(NULL) + seconds;
	uint32_t id = 2;
	unsigned long sent = 0;
	const char *how = "time limit";
	uint32_t words[3 * 64];
	size_t off = sizeof(words);
	while (time(NULL) < end) {
		if (off == sizeof(words)) {
			for (int i = 0; i < 64; i++) {
				words[3 * i] = 1;
				words[3 * i + 1] = (12u << 16) | 0; /* sync */
				words[3 * i + 2] = id++;
			}
			off = 0;
		}
		struct pollfd p = { .fd = r.fd, .events = POLLOUT };
		if (poll(&p, 1, 100) <= 0) {
			continue;
		}
		if (p.revents & (POLLERR | POLLHUP)) {
			how = "disconnected";
			break;
		}
		ssize_t n = send(r.fd, (char *)words + off, sizeof(words) - off,
			MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			how = strerror(errno);
			break;
		}
		if (n > 0) {
			sent += n;
			off += n;
		}
	}
	printf("sent %lu KiB of requests without reading: %s\n", sent / 1024,
		how);
	return 0;
}
