/*
 * timeit: runs a command and prints its wall time from spawn to exit in µs,
 * with stdout and stdin on /dev/null. A run longer than 30 s is killed and
 * reported as a failure.
 *
 * Usage: timeit [-n RUNS] [-f FD:PATH]... -- COMMAND [ARG]...
 * -f opens PATH read-only as FD in each run's process (bwrap --seccomp FD
 * reads its filter from an fd, to the end, once per run).
 * Prints one line per run; exits 1 if any run failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_S 30

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pid_t child = -1;

static void on_alarm(int sig)
{
	if (child > 0) {
		kill(child, SIGKILL);
	}
}

int main(int argc, char *argv[])
{
	long runs = 1;
	int opt;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	while ((opt = getopt(argc, argv, "+n:f:")) != -1) {
		switch (opt) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'f': {
			char *end;
			long fd = strtol(optarg, &end, 10);
			if (end == optarg || *end != ':' || fd < 3 ||
					fd > 1000) {
				goto usage;
			}
			posix_spawn_file_actions_addopen(&actions, (int)fd,
				end + 1, O_RDONLY, 0);
			break;
		}
		default:
			goto usage;
		}
	}
	if (optind >= argc || runs <= 0) {
		goto usage;
	}
	signal(SIGALRM, on_alarm);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
		O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
		O_WRONLY, 0);
	bool failed = false;
	for (long i = 0; i < runs; i++) {
		uint64_t t0 = now_ns();
		int err = posix_spawnp(&child, argv[optind], &actions, NULL,
			argv + optind, environ);
		if (err != 0) {
			fprintf(stderr, "timeit: %s: spawn failed (%d)\n",
				argv[optind], err);
			return 1;
		}
		alarm(TIMEOUT_S);
		int status;
		pid_t r;
		do {
			r = waitpid(child, &status, 0);
		} while (r < 0 && errno == EINTR);
		uint64_t dt = now_ns() - t0;
		alarm(0);
		child = -1;
		if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "timeit: %s failed\n", argv[optind]);
			failed = true;
			continue;
		}
		printf("%.1f\n", dt / 1e3);
	}
	posix_spawn_file_actions_destroy(&actions);
	return failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: timeit [-n RUNS] [-f FD:PATH]... -- COMMAND "
		"[ARG]...\n");
	return 2;
}
