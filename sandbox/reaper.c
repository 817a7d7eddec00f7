#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "die.h"
#include "reaper.h"

const int cw_forwarded_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};
const size_t cw_forwarded_signals_len =
	sizeof(cw_forwarded_signals) / sizeof(cw_forwarded_signals[0]);

void cw_signals_forwarded(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < cw_forwarded_signals_len; i++) {
		sigaddset(set, cw_forwarded_signals[i]);
	}
}

static void noop_handler(int sig)
{
	(void)sig;
}

/*
 * Whether any process but us (1) and child was ever made in our pid
 * namespace: none when child is 2 and the namespace's last pid is still
 * 2. kill(-1) goes through every process of the host to find the
 * namespace's, a good part of what the reaper's end costs.
 */
static bool others_ever(pid_t child)
{
	if (child != 2) {
		return true; /* Xwayland came first */
	}
	int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return true;
	}
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return true;
	}
	buf[n] = '\0';
	return atoi(buf) != (int)child;
}

/* Every other process of the pid namespace, dead and reaped: those that
 * joined it (enter) are not ours to reap, but die all the same. */
static void end_the_rest(pid_t child)
{
	if (others_ever(child)) {
		kill(-1, SIGKILL);
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
	}
}

void cw_reaper_run(pid_t child, int status_fd)
{
	sigset_t set;
	cw_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	/*
	 * A pid namespace's init only gets the signals it handles; they stay
	 * blocked and are taken with sigwaitinfo, the handler never runs.
	 */
	struct sigaction sa = { .sa_handler = noop_handler };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < cw_forwarded_signals_len; i++) {
		sigaction(cw_forwarded_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		int status;
		pid_t pid;
		/* reap first: the child may have ended before we blocked */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid != child) {
				continue;
			}
			end_the_rest(child);
			char line[32];
			int len = snprintf(line, sizeof(line), "exit %d\n",
				status);
			if (write(status_fd, line, (size_t)len) != len) {
				/* the caller is gone; nobody to tell */
			}
			/* the caller is done at this line: let it run before
			 * our own end (the namespaces freed) */
			sched_yield();
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) :
				128 + WTERMSIG(status));
		}
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0) {
			if (errno == EINTR) {
				continue;
			}
			cw_die_errno("sigwaitinfo");
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
		}
	}
}
