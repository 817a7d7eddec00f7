/* crate-wl ps, enter and stop: the running sandboxes. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "args.h"
#include "commands.h"
#include "instance.h"
#include "json.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "reaper.h"
#include "sandbox.h"
#include "tty.h"

static void print_uptime(char *out, size_t len, long long started)
{
	long long s = (long long)time(NULL) - started;
	if (s < 0) {
		s = 0;
	}
	if (s < 3600) {
		snprintf(out, len, "%lld:%02lld", s / 60, s % 60);
	} else {
		snprintf(out, len, "%lld:%02lld:%02lld", s / 3600,
			s / 60 % 60, s % 60);
	}
}

static void json_grant(const char *path, void *data)
{
	bool *first = data;
	printf("%s", *first ? "" : ",");
	*first = false;
	cw_json_string(stdout, path);
}

static void text_grant(const char *path, void *data)
{
	printf("%-8s  granted %s\n", "", path);
}

static void print_json(const struct cw_instance *inst, void *data)
{
	printf("{\"id\":");
	cw_json_string(stdout, inst->id);
	printf(",\"app\":");
	cw_json_string(stdout, inst->app);
	printf(",\"pid\":%d,\"started\":%lld,\"uptime\":%lld,"
		"\"devel\":%s,\"policy\":", (int)inst->pid, inst->started,
		(long long)time(NULL) - inst->started,
		inst->devel ? "true" : "false");
	cw_json_string(stdout, inst->policy);
	printf(",\"command\":");
	cw_json_string(stdout, inst->command);
	printf(",\"home\":");
	cw_json_string(stdout, inst->home[0] ? inst->home : NULL);
	printf(",\"granted\":[");
	bool first = true;
	cw_instance_foreach_grant(inst, json_grant, &first);
	printf("]}\n");
}

static void print_one(const struct cw_instance *inst, void *data)
{
	char uptime[32];
	print_uptime(uptime, sizeof(uptime), inst->started);
	printf("%-8s  %-16s  %7d  %-12s  %8s  %s\n", inst->id, inst->app,
		(int)inst->pid, inst->policy, uptime, inst->command);
	/* the files the user gave it, one a line below it */
	cw_instance_foreach_grant(inst, text_grant, NULL);
}

int cw_cmd_ps(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		if (c == 'j') {
			json = true;
			continue;
		}
		if (c == 'h') {
			printf("usage: crate-wl ps [--json]\n");
			return 0;
		}
		return cw_args_bad_option("ps", argv, longopts);
	}
	if (optind < argc) {
		cw_msg("ps: takes no arguments, got '%s' (see crate-wl ps "
			"--help)", argv[optind]);
		return 2;
	}
	char err[512];
	if (!json) {
		printf("%-8s  %-16s  %7s  %-12s  %8s  %s\n", "ID", "APP",
			"PID", "POLICY", "UPTIME", "COMMAND");
	}
	if (!cw_instance_foreach(json ? print_json : print_one, NULL, err,
			sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	return 0;
}

struct entered {
	struct cw_source signals;
	struct cw_tty *tty;
	pid_t pid;
	bool done;
	int status;
};

static void enter_signal(struct cw_source *source, uint32_t events)
{
	struct entered *e = cw_container_of(source, e, signals);
	struct signalfd_siginfo si;
	while (read(source->fd, &si, sizeof(si)) == sizeof(si)) {
		if (cw_tty_signal(e->tty, (int)si.ssi_signo)) {
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(e->pid, (int)si.ssi_signo);
		} else if (waitpid(e->pid, &e->status, WNOHANG) == e->pid) {
			e->done = true;
		}
	}
}

/* Until the entered command ends: its terminal relayed, our signals
 * passed on, as crate-wl run does. mask is blocked already. */
static int relay_until_exit(struct cw_tty *tty, pid_t pid,
	const sigset_t *mask)
{
	struct entered e = { .tty = tty, .pid = pid };
	struct cw_loop *loop = cw_loop_create();
	int sfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (loop == NULL || sfd < 0 ||
			!cw_loop_add(loop, &e.signals, sfd, EPOLLIN,
				enter_signal) ||
			!cw_tty_start(tty, loop)) {
		cw_msg("cannot wait for the command: %s", strerror(errno));
		kill(pid, SIGKILL);
	}
	/* its end may have come before the signalfd */
	if (waitpid(pid, &e.status, WNOHANG) == pid) {
		e.done = true;
	}
	while (!e.done) {
		if (loop == NULL || sfd < 0 || cw_loop_dispatch(loop, -1) < 0) {
			while (waitpid(pid, &e.status, 0) < 0 &&
					errno == EINTR) {
			}
			break;
		}
	}
	cw_tty_drain(tty);
	cw_tty_close(tty);
	if (sfd >= 0) {
		close(sfd);
	}
	cw_loop_destroy(loop);
	return WIFEXITED(e.status) ? WEXITSTATUS(e.status) :
		128 + WTERMSIG(e.status);
}

int cw_cmd_enter(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: crate-wl enter ID [COMMAND [ARG]...]\n");
			return 0;
		}
		return cw_args_bad_option("enter", argv, longopts);
	}
	if (optind >= argc) {
		cw_msg("enter: which sandbox? crate-wl enter ID [COMMAND] "
			"(crate-wl ps lists them)");
		return 2;
	}
	argv += optind - 1;
	argc -= optind - 1;
	char err[512];
	struct cw_instance inst;
	if (!cw_instance_find(argv[1], &inst, err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	char *shell[] = { "/bin/sh", NULL };
	char *const *command = argc > 2 ? &argv[2] : shell;
	char **envp = cw_instance_load_env(&inst);
	if (envp == NULL) {
		cw_msg("cannot read the environment of sandbox %s", inst.id);
		return 1;
	}
	/* the same filter as the sandbox's command */
	const struct cw_seccomp *sc = cw_seccomp_get(inst.devel, inst.nested);
	/* the pty from the host's /dev/ptmx, before we join the sandbox */
	struct cw_tty tty;
	if (!cw_tty_open(&tty, true, err, sizeof(err))) {
		cw_msg("%s", err);
		free(envp);
		return 1;
	}
	sigset_t mask, oldmask;
	cw_signals_forwarded(&mask);
	sigaddset(&mask, SIGCHLD);
	cw_tty_signals(&tty, &mask);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	int ret = 1;
	int pidfd = (int)syscall(SYS_pidfd_open, inst.pid, 0);
	if (pidfd < 0 || !cw_instance_alive(&inst)) {
		cw_msg("sandbox %s is gone", inst.id);
		goto out;
	}
	if (!cw_namespaces_join(inst.pid, err, sizeof(err))) {
		cw_msg("%s", err);
		goto out;
	}
	/* still the same init: what was joined was its sandbox */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
		cw_msg("sandbox %s is gone", inst.id);
		goto out;
	}
	/* a pid namespace is entered by the children only */
	pid_t pid = fork();
	if (pid < 0) {
		cw_msg("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		cw_die_with_parent();
		/* what run's command gets: fds 0, 1 and 2, none of them
		 * our terminal */
		const struct cw_stdio *stdio = cw_tty_stdio(&tty);
		cw_stdio_install(stdio);
		close_range(3, ~0u, 0);
		cw_sandbox_exec(sc, command, envp, inst.home, -1,
			stdio != NULL ? stdio->ctty : -1);
	}
	ret = relay_until_exit(&tty, pid, &mask);

out:
	cw_tty_close(&tty);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if (pidfd >= 0) {
		close(pidfd);
	}
	free(envp);
	return ret;
}

static bool wait_gone(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r > 0;
}

int cw_cmd_stop(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"usage: crate-wl stop [--timeout SECONDS] ID...\n";
	double timeout = 5;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			timeout = strtod(optarg, &end);
			if (*end != '\0' || timeout < 0 || timeout > 3600) {
				cw_msg("--timeout %s: not a number of seconds",
					optarg);
				return 2;
			}
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cw_args_bad_option("stop", argv, longopts);
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	int ret = 0;
	for (int i = optind; i < argc; i++) {
		char err[512];
		struct cw_instance inst;
		if (!cw_instance_find(argv[i], &inst, err, sizeof(err))) {
			cw_msg("%s", err);
			ret = 1;
			continue;
		}
		int pidfd = (int)syscall(SYS_pidfd_open, inst.pid, 0);
		if (pidfd < 0 || !cw_instance_alive(&inst)) {
			if (pidfd >= 0) {
				close(pidfd);
			}
			continue; /* gone already */
		}
		/* the init passes SIGTERM on to the command; past the
		 * timeout, SIGKILL to the init ends the whole namespace */
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		if (!wait_gone(pidfd, (int)(timeout * 1000))) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			if (!wait_gone(pidfd, 5000)) {
				cw_msg("sandbox %s (pid %d) does not end",
					inst.id, (int)inst.pid);
				ret = 1;
			}
		}
		close(pidfd);
	}
	return ret;
}
