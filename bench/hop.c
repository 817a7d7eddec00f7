/*
 * What a third process on the path costs at the least, on this CPU: a
 * client and an echo server ping-pong SIZE bytes over a socketpair, then
 * the same through a middle process that forwards each way with one
 * blocking read and one write (no epoll, no parsing, no fds): a floor for
 * any relay. Run it pinned, as the other processes are.
 *   hop SIZE N    "hop TWO_US THREE_US": microseconds per round trip
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static size_t size;
static char *buf;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* all of SIZE bytes, or exit */
static void xfer(int fd, int out)
{
	for (size_t done = 0; done < size;) {
		ssize_t n = out ? write(fd, buf + done, size - done) :
			read(fd, buf + done, size - done);
		if (n <= 0) {
			perror("hop");
			exit(1);
		}
		done += (size_t)n;
	}
}

static void echo(int fd, long n)
{
	for (long i = 0; i < n; i++) {
		xfer(fd, 0);
		xfer(fd, 1);
	}
	_exit(0);
}

static void relay(int front, int back, long n)
{
	for (long i = 0; i < n; i++) {
		xfer(front, 0);
		xfer(back, 1);
		xfer(back, 0);
		xfer(front, 1);
	}
	_exit(0);
}

static double rounds(int fd, long n)
{
	double t0 = now_us();
	for (long i = 0; i < n; i++) {
		xfer(fd, 1);
		xfer(fd, 0);
	}
	return (now_us() - t0) / n;
}

int main(int argc, char *argv[])
{
	if (argc != 3 || atol(argv[1]) < 1 || atol(argv[2]) < 1) {
		fprintf(stderr, "usage: hop SIZE N\n");
		return 2;
	}
	size = (size_t)atol(argv[1]);
	long n = atol(argv[2]);
	buf = calloc(1, size);
	int a[2], b[2], c[2];
	if (buf == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, a) ||
			socketpair(AF_UNIX, SOCK_STREAM, 0, b) ||
			socketpair(AF_UNIX, SOCK_STREAM, 0, c)) {
		perror("hop");
		return 1;
	}
	if (fork() == 0) {
		echo(a[1], n);
	}
	double two = rounds(a[0], n);
	if (fork() == 0) {
		echo(c[1], n);
	}
	if (fork() == 0) {
		relay(b[1], c[0], n);
	}
	double three = rounds(b[0], n);
	while (wait(NULL) > 0) {
	}
	printf("hop %.2f %.2f\n", two, three);
	return 0;
}
