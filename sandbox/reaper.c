#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
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

/* The server on demand (cw_reaper_socket), while pid 1 runs. */
struct server {
	struct cw_reaper_socket *sock;
	pid_t pid; /* while it runs; else -1 */
	int64_t started_ms;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void server_start(struct server *s)
{
	s->pid = s->sock->start(s->sock->data, s->sock->fd);
	s->started_ms = now_ms();
	if (s->pid < 0) {
		close(s->sock->fd);
		s->sock->fd = -1;
	}
}

/* It ended: served again on the next client, unless it ended at once. */
static void server_ended(struct server *s, int status, int status_fd)
{
	s->pid = -1;
	if (now_ms() - s->started_ms >= 1000) {
		return;
	}
	close(s->sock->fd);
	s->sock->fd = -1;
	char line[256];
	int len = snprintf(line, sizeof(line), "error %s ended at once "
		"(%s %d): its socket refuses clients from now on\n",
		s->sock->name, WIFEXITED(status) ? "exit status" : "signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	if (write(status_fd, line, (size_t)len) != len) {
		/* the caller is gone; nobody to tell */
	}
}

/*
 * The next signal, as sigwaitinfo would give it; with a server on demand,
 * starts it when a client waits (signals through a signalfd, both polled).
 */
static int next_signal(const sigset_t *set, struct server *s, int sfd)
{
	if (sfd < 0) {
		siginfo_t si;
		return sigwaitinfo(set, &si);
	}
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n == sizeof(si)) {
			return (int)si.ssi_signo;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		}
		/* the socket only while no server runs (fd -1: ignored) */
		struct pollfd p[2] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = s->pid < 0 ? s->sock->fd : -1,
				.events = POLLIN },
		};
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			return -1;
		}
		if (p[1].revents & POLLIN) {
			server_start(s);
		}
		if (p[0].revents == 0) {
			/* a server's start is a child: SIGCHLD may be
			 * its failure; reaped before the next wait */
			errno = EINTR;
			return -1;
		}
	}
}

void cw_reaper_run(pid_t child, int status_fd, struct cw_reaper_socket *sock)
{
	sigset_t set;
	cw_signals_forwarded(&set);
	sigaddset(&set, SIGCHLD);
	/*
	 * A pid namespace's init only gets the signals it handles; they stay
	 * blocked and are taken with sigwaitinfo (or a signalfd), the handler
	 * never runs.
	 */
	struct sigaction sa = { .sa_handler = noop_handler };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < cw_forwarded_signals_len; i++) {
		sigaction(cw_forwarded_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct server server = { .sock = sock, .pid = -1 };
	int sfd = -1;
	if (sock != NULL && sock->fd >= 0) {
		sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sfd < 0) {
			cw_die_errno("signalfd");
		}
	}

	for (;;) {
		int status;
		pid_t pid;
		/* reap first: the child may have ended before we blocked */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == server.pid) {
				server_ended(&server, status, status_fd);
			}
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
		int sig = next_signal(&set, &server, sfd);
		if (sig < 0) {
			if (errno == EINTR) {
				continue;
			}
			cw_die_errno("waiting for signals");
		}
		if (sig != SIGCHLD) {
			kill(child, sig);
		}
	}
}
