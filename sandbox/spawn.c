/* The clone into new namespaces, and the sandbox's init up to the reaper. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cgroup.h"
#include "die.h"
#include "namespaces.h"
#include "pulse.h"
#include "reaper.h"
#include "sandbox.h"

pid_t cw_raw_clone(unsigned long flags)
{
#if defined(__s390__) || defined(__CRIS__)
	return (pid_t)syscall(SYS_clone, NULL, flags);
#else
	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
#endif
}

/* Everything but stdio and the two pipes to the caller. */
static void close_inherited(int keep_a, int keep_b)
{
	int lo = keep_a < keep_b ? keep_a : keep_b;
	int hi = keep_a < keep_b ? keep_b : keep_a;
	if (lo > 3) {
		close_range(3, (unsigned)lo - 1, 0);
	}
	if (hi > lo + 1) {
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	}
	close_range((unsigned)hi + 1, ~0u, 0);
}

void cw_stdio_install(const struct cw_stdio *stdio)
{
	for (int i = 0; stdio != NULL && i < 3; i++) {
		if (stdio->fd[i] >= 0 && dup2(stdio->fd[i], i) < 0) {
			cw_die_errno("dup2");
		}
	}
}

_Noreturn void cw_sandbox_exec(const struct cw_seccomp *sc,
	char *const argv[], char **envp, const char *cwd, int error_fd,
	int ctty)
{
	if (setsid() < 0) {
		cw_die_errno("setsid");
	}
	/* the pty crate-wl relays: job control and ^C inside it */
	if (ctty >= 0 && ioctl(ctty, TIOCSCTTY, 0) < 0) {
		cw_die_errno("cannot take the terminal");
	}
	cw_die_with_parent();
	for (size_t i = 0; i < cw_forwarded_signals_len; i++) {
		signal(cw_forwarded_signals[i], SIG_DFL);
	}
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	const char *home = NULL;
	for (char **e = envp; *e != NULL; e++) {
		if (strncmp(*e, "HOME=", 5) == 0) {
			home = *e + 5;
		}
	}
	if (cwd == NULL || chdir(cwd) < 0) {
		if (home == NULL || chdir(home) < 0) {
			if (chdir("/") < 0) {
				cw_die_errno("chdir /");
			}
		}
	}
	if (sc != NULL) {
		cw_confine(sc);
	}
	/* execvpe, not environ = envp: the caller may share our memory */
	execvpe(argv[0], argv, envp);
	int err = errno;
	char line[512];
	int len = snprintf(line, sizeof(line), "error cannot run %s: %s\n",
		argv[0], strerror(err));
	if (error_fd < 0 || write(error_fd, line, (size_t)len) != len) {
		cw_msg("cannot run %s: %s", argv[0], strerror(err));
	}
	_exit(err == ENOENT ? 127 : 126);
}

/* one field of an Xauthority record: a 16-bit big-endian length, then
 * the bytes */
static size_t xauth_field(unsigned char *out, const void *data, size_t len)
{
	out[0] = (unsigned char)(len >> 8);
	out[1] = (unsigned char)len;
	memcpy(out + 2, data, len);
	return 2 + len;
}

/*
 * The X server's one cookie, in PATH (the sandbox's XAUTHORITY): a
 * MIT-MAGIC-COOKIE-1 of 16 random bytes for any address (FamilyWild).
 * Without -auth, Xwayland lets in the local connections of its own user
 * by name (si:localuser), which needs that user in the sandbox's
 * /etc/passwd: a user only in LDAP, or an OCI image's root, would get
 * "Authorization required" and no window. With it, only the cookie
 * counts, whatever the user database says.
 */
static void write_xauthority(const char *path)
{
	unsigned char cookie[16];
	size_t got = 0;
	while (got < sizeof(cookie)) {
		ssize_t n = getrandom(cookie + got, sizeof(cookie) - got, 0);
		if (n < 0 && errno != EINTR) {
			cw_die_errno("getrandom");
		}
		got += n > 0 ? (size_t)n : 0;
	}
	static const char name[] = "MIT-MAGIC-COOKIE-1";
	unsigned char rec[64];
	size_t len = 0;
	rec[len++] = 0xff; /* FamilyWild */
	rec[len++] = 0xff;
	len += xauth_field(rec + len, "", 0);  /* any address */
	len += xauth_field(rec + len, "0", 1); /* display :0 */
	len += xauth_field(rec + len, name, sizeof(name) - 1);
	len += xauth_field(rec + len, cookie, sizeof(cookie));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, 0600);
	if (fd < 0) {
		cw_die_errno("%s", path);
	}
	if (write(fd, rec, len) != (ssize_t)len || close(fd) < 0) {
		cw_die_errno("%s", path);
	}
}

/*
 * A private rootful Xwayland on :0, a client of the sandbox's proxy with
 * the command's restrictions (the init's, inherited); ready when it writes
 * its display number to the -displayfd pipe. Clients need the cookie of
 * $XDG_RUNTIME_DIR/Xauthority (XAUTHORITY). The reaper reaps it; it ends
 * with the sandbox.
 */
static void start_xwayland(struct cw_plan *plan, int status_fd)
{
	char auth[PATH_MAX];
	snprintf(auth, sizeof(auth), "%s/Xauthority", plan->runtime_dir);
	write_xauthority(auth);
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		cw_die_errno("pipe");
	}
	pid_t pid = fork();
	if (pid < 0) {
		cw_die_errno("fork");
	}
	if (pid == 0) {
		close(ready[0]);
		int fd = dup(ready[1]); /* without O_CLOEXEC */
		char fdnum[16];
		snprintf(fdnum, sizeof(fdnum), "%d", fd);
		char *argv[] = {
			"Xwayland", ":0", "-displayfd", fdnum, "-nolisten",
			"tcp", "-noreset", "-auth", auth, NULL,
		};
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		cw_sandbox_exec(NULL, argv, plan->envp, "/", status_fd, -1);
	}
	close(ready[1]);
	/* the number, then a newline, maybe in two writes: closing the
	 * pipe before the newline would kill Xwayland with EPIPE */
	char c = 0;
	ssize_t n;
	do {
		n = read(ready[0], &c, 1);
	} while ((n == 1 && c != '\n') || (n < 0 && errno == EINTR));
	close(ready[0]);
	if (n <= 0) {
		cw_die("Xwayland did not start (is the package xwayland "
			"installed?)");
	}
}

struct command {
	char *const *argv;
	struct cw_plan *plan;
	int status_fd;
	int ctty;
};

/*
 * Runs on the clone's own stack, which ASan does not know: left out of its
 * instrumentation, so that the noreturn call below does not make ASan
 * unpoison (and warn about) what it takes for a huge stack.
 */
__attribute__((no_sanitize_address))
static int command_main(void *data)
{
	const struct command *c = data;
	cw_sandbox_exec(NULL, c->argv, c->plan->envp, c->plan->cwd,
		c->status_fd, c->ctty);
}

/*
 * The command, as posix_spawn starts a program: the child borrows the
 * init's memory and the init waits (CLONE_VM | CLONE_VFORK) until it has
 * exec'd or died, so nothing of the init's address space is copied.
 * cw_sandbox_exec() writes nothing the init reads, and allocates nothing.
 */
static pid_t spawn_command(struct cw_plan *plan, char *const argv[],
	int status_fd, int ctty)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct command c = {
		.argv = argv, .plan = plan, .status_fd = status_fd,
		.ctty = ctty,
	};
	return clone(command_main, stack + sizeof(stack),
		CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
}

/* The sandbox's PulseAudio server, started by the reaper on demand. */
struct pulse {
	const struct cw_plan *plan;
	int status_fd;
};

static pid_t pulse_start(void *data, int fd)
{
	const struct pulse *p = data;
	return cw_pulse_start(p->plan, fd, p->status_fd);
}

static _Noreturn void init_main(struct cw_plan *plan,
	const struct cw_seccomp *sc, char *const argv[], int status_fd,
	int sync_fd, bool net, const struct cw_stdio *stdio)
{
	cw_die_set_fd(status_fd);
	cw_die_with_parent();
	/* a session of its own: terminal signals reach crate-wl only, which
	 * passes them on once, and the caller's terminal is no longer ours
	 * to control (TIOCSTI needs it) */
	if (setsid() < 0) {
		cw_die_errno("setsid");
	}
	cw_stdio_install(stdio);
	close_inherited(status_fd, sync_fd);
	cw_namespaces_map_ids(plan->uid, plan->gid);
	if (net) {
		cw_namespaces_loopback_up();
	}
	cw_plan_run(plan);
	/* the view is whole: the launcher may mount granted files in it
	 * before the release */
	if (write(status_fd, "setup\n", 6) != 6) {
		_exit(1);
	}

	/* released by the caller; end of file: it died */
	char go;
	ssize_t n;
	do {
		n = read(sync_fd, &go, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1) {
		_exit(1);
	}
	close(sync_fd);

	/* the init needs no privilege from here on: confined once, before
	 * anything of the app's runs, as the app is; what it starts
	 * (Xwayland, the command) inherits it all. Not before the release:
	 * pasta joins our namespaces through /proc/PID/ns as the caller,
	 * which a non-dumpable init closes to all but root */
	cw_confine(sc);

	if (plan->x11) {
		start_xwayland(plan, status_fd);
	}

	/* listening before the command runs: it never finds no server */
	struct pulse pulse = { .plan = plan, .status_fd = status_fd };
	struct cw_reaper_socket sock = {
		.fd = plan->pulse ? cw_pulse_listen(plan, status_fd) : -1,
		.name = "pipewire-pulse",
		.start = pulse_start,
		.data = &pulse,
	};

	pid_t child = spawn_command(plan, argv, status_fd,
		stdio != NULL ? stdio->ctty : -1);
	if (child < 0) {
		cw_die_errno("cannot start the command");
	}
	/* whole: the launcher lists the sandbox from now on, and only now
	 * may anything join it */
	if (write(status_fd, "ready\n", 6) != 6) {
		/* the caller is gone; the command's end ends us */
	}
	prctl(PR_SET_NAME, "crate-wl-init", 0, 0, 0);
	cw_reaper_run(child, status_fd, sock.fd >= 0 ? &sock : NULL);
}

struct cw_sandbox *cw_sandbox_spawn(struct cw_plan *plan,
	const struct cw_seccomp *sc, char *const argv[], bool net_ns,
	const struct cw_stdio *stdio, struct cw_cgroup *cg, char *err,
	size_t errlen)
{
	struct cw_sandbox *sb = calloc(1, sizeof(*sb));
	if (sb == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sb->status_fd = sb->sync_fd = -1;
	int status[2], sync[2];
	if (pipe2(status, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(sb);
		return NULL;
	}
	if (pipe2(sync, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(status[0]);
		close(status[1]);
		free(sb);
		return NULL;
	}
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
		CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
	if (net_ns) {
		flags |= CLONE_NEWNET;
	}
	pid_t pid = cg != NULL ? cw_cgroup_clone(cg, flags) :
		cw_raw_clone(flags);
	if (pid < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create the namespaces: %s%s",
			strerror(e), e == EPERM || e == ENOSPC ? " (are "
			"unprivileged user namespaces disabled? see "
			"kernel.unprivileged_userns_clone and "
			"user.max_user_namespaces)" : "");
		close(status[0]);
		close(status[1]);
		close(sync[0]);
		close(sync[1]);
		free(sb);
		return NULL;
	}
	if (pid == 0) {
		close(status[0]);
		close(sync[1]);
		init_main(plan, sc, argv, status[1], sync[0], net_ns, stdio);
	}
	close(status[1]);
	close(sync[0]);
	sb->pid = pid;
	sb->status_fd = status[0];
	sb->sync_fd = sync[1];
	return sb;
}

void cw_sandbox_release(struct cw_sandbox *sb)
{
	if (sb->sync_fd < 0) {
		return;
	}
	if (write(sb->sync_fd, "1", 1) != 1) {
		/* the init is gone; its status says why */
	}
	close(sb->sync_fd);
	sb->sync_fd = -1;
}

void cw_sandbox_destroy(struct cw_sandbox *sb)
{
	if (sb == NULL) {
		return;
	}
	if (sb->sync_fd >= 0) {
		close(sb->sync_fd);
	}
	if (sb->status_fd >= 0) {
		close(sb->status_fd);
	}
	free(sb);
}
