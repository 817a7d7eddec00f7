/*
 * A helper outside the sandbox that takes input from the app (see
 * confined.h), as confined as the app: its own user namespace (the same
 * uid mapped, so no capability over the host even when crate-wl runs as
 * root), mount namespace (a read-only root of the system's software and
 * the one directory it reads), pid namespace (it sees no process of the
 * host, and the pids it reports are no host pids), network, ipc and uts
 * namespaces (it uses only the fds it is given), no capabilities,
 * no_new_privs, the sandbox's seccomp filter, its own session, a bound
 * on its heap, and it dies with crate-wl. The same steps as the sandbox's own (namespaces.c,
 * ops.c, privs.c, cw_sandbox_exec), with a plan of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "confined.h"
#include "die.h"
#include "namespaces.h"
#include "plan-ops.h"
#include "sandbox.h"

/* The system's software: what a dynamically linked program needs. */
static const char *const system_top[] = {
	"usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
};

#define N(a) (sizeof(a) / sizeof(*(a)))

static bool is_system_path(const char *path)
{
	size_t len = strcspn(path + 1, "/");
	for (size_t i = 0; i < N(system_top); i++) {
		if (strlen(system_top[i]) == len &&
				strncmp(path + 1, system_top[i], len) == 0) {
			return true;
		}
	}
	return false;
}

static bool add_system(struct cw_plan *plan)
{
	for (size_t i = 0; i < N(system_top); i++) {
		char path[64], target[PATH_MAX];
		snprintf(path, sizeof(path), "/%s", system_top[i]);
		struct stat st;
		if (lstat(path, &st) < 0) {
			continue;
		}
		bool ok = true;
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			if (n < 0) {
				continue;
			}
			target[n] = '\0';
			ok = cw_plan_add_op(plan, CW_OP_SYMLINK, target, path,
				0, 0);
		} else if (S_ISDIR(st.st_mode)) {
			ok = cw_plan_add_op(plan, CW_OP_RO_BIND, path, path, 0,
				0);
		}
		if (!ok) {
			return false;
		}
	}
	return true;
}

/* The devices every program may expect (dbus-daemon opens /dev/null). */
static const char *const devices[] = { "/dev/null", "/dev/urandom" };

/* A tmpfs root, read-only at the end: the system's software, two devices,
 * the program (when it lives elsewhere), what.ro_dir and (writable)
 * what.rw_dir. */
static struct cw_plan *plan_for(const struct cw_confined *what)
{
	struct cw_plan *plan = calloc(1, sizeof(*plan));
	if (plan == NULL) {
		return NULL;
	}
	plan->uid = getuid();
	plan->gid = getgid();
	const char *program = what->argv[0];
	for (size_t i = 0; i < N(devices); i++) {
		if (!cw_plan_add_op(plan, CW_OP_DEV_BIND, devices[i],
				devices[i], 0, 0)) {
			cw_plan_destroy(plan);
			return NULL;
		}
	}
	if (!add_system(plan) || (!is_system_path(program) &&
			!cw_plan_add_op(plan, CW_OP_RO_BIND, program, program,
			0, 0)) || (what->ro_dir != NULL &&
			!cw_plan_add_op(plan, CW_OP_RO_BIND, what->ro_dir,
			what->ro_dir, 0, 0)) || (what->rw_dir != NULL &&
			!cw_plan_add_op(plan, CW_OP_BIND, what->rw_dir,
			what->rw_dir, 0, 0)) ||
			!cw_plan_add_op(plan, CW_OP_REMOUNT_RO_ROOT, NULL, "/",
			0, 0)) {
		cw_plan_destroy(plan);
		return NULL;
	}
	return plan;
}

/* stdin /dev/null, stdout and stderr as asked, what->fds at 3, 4...; no
 * other fd stays open. */
static void place_fds(const struct cw_confined *what, int null)
{
	int high = 3 + (int)what->nfds + 2;
	int log = what->log_fd >= 0 ? what->log_fd : null;
	int out = what->out_fd >= 0 ? what->out_fd : log;
	int moved[16];
	if (what->nfds > N(moved)) {
		cw_die("too many fds for %s", what->argv[0]);
	}
	/* first all out of the way, so that no target is a source */
	null = fcntl(null, F_DUPFD_CLOEXEC, high);
	log = fcntl(log, F_DUPFD_CLOEXEC, high);
	out = fcntl(out, F_DUPFD_CLOEXEC, high);
	for (size_t i = 0; i < what->nfds; i++) {
		moved[i] = fcntl(what->fds[i], F_DUPFD_CLOEXEC, high);
		if (moved[i] < 0) {
			cw_die_errno("fd %d", what->fds[i]);
		}
	}
	if (null < 0 || log < 0 || out < 0 ||
			dup2(null, STDIN_FILENO) < 0 ||
			dup2(out, STDOUT_FILENO) < 0 ||
			dup2(log, STDERR_FILENO) < 0) {
		cw_die_errno("cannot set up %s's stdio", what->argv[0]);
	}
	for (size_t i = 0; i < what->nfds; i++) {
		if (dup2(moved[i], 3 + (int)i) < 0) {
			cw_die_errno("fd %d", 3 + (int)i);
		}
	}
	close_range(3 + (unsigned)what->nfds, ~0u, 0);
}

static _Noreturn void confined_main(const struct cw_confined *what,
	struct cw_plan *plan, const struct cw_seccomp *sc, int null)
{
	cw_die_with_parent();
	/* what it says before the exec goes to its log */
	place_fds(what, null);
	cw_namespaces_map_ids(plan->uid, plan->gid);
	cw_plan_run(plan);
	/* nothing to read in it (the exec makes it dumpable again, where
	 * only its own namespaces could reach it) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		cw_die_errno("cannot make %s non-dumpable", what->argv[0]);
	}
	/* the app feeds it: what it holds is bounded */
	struct rlimit mem = { what->max_memory, what->max_memory };
	if (what->max_memory > 0 && setrlimit(RLIMIT_DATA, &mem) < 0) {
		cw_die_errno("cannot bound %s's memory", what->argv[0]);
	}
	cw_sandbox_exec(sc, what->argv, (char **)what->envp, "/", -1, -1);
}

pid_t cw_confined_spawn(const struct cw_confined *what, char *err,
	size_t errlen)
{
	pid_t pid = -1;
	int null = -1;
	struct cw_plan *plan = plan_for(what);
	if (plan == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		goto out;
	}
	pid = cw_raw_clone(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
		CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD);
	if (pid < 0) {
		snprintf(err, errlen, "cannot create %s's namespaces: %s",
			what->argv[0], strerror(errno));
		goto out;
	}
	if (pid == 0) {
		cw_die_set_fd(-1);
		/* the sandbox's own filter, without --devel's exceptions */
		confined_main(what, plan, cw_seccomp_get(false, false), null);
	}
out:
	if (null >= 0) {
		close(null);
	}
	cw_plan_destroy(plan);
	return pid;
}
