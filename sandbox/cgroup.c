/* The sandbox's own cgroup, where the caller's is delegated. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"
#include "log.h"
#include "sandbox.h"

/* The cgroup2 mount point, from mountinfo. */
static bool cgroup2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL) {
		return false;
	}
	char line[4096];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - TYPE ... */
		char *sep = strstr(line, " - cgroup2 ");
		char mnt[PATH_MAX];
		if (sep != NULL && sscanf(line, "%*s %*s %*s %*s %4095s",
				mnt) == 1) {
			found = (size_t)snprintf(out, len, "%s", mnt) < len;
		}
	}
	fclose(f);
	return found;
}

/* "0::PATH" of /proc/self/cgroup */
static bool own_cgroup(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (f == NULL) {
		return false;
	}
	char line[PATH_MAX + 8];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			found = (size_t)snprintf(out, len, "%s", line + 3) < len;
		}
	}
	fclose(f);
	return found;
}

bool cw_cgroup_create(struct cw_cgroup *cg, const char *id, char *why,
	size_t len)
{
	char mnt[PATH_MAX], own[PATH_MAX], procs[PATH_MAX + 16];
	if (!cgroup2_mount(mnt, sizeof(mnt)) ||
			!own_cgroup(own, sizeof(own))) {
		snprintf(why, len, "no cgroup v2 hierarchy");
		return false;
	}
	if ((size_t)snprintf(cg->parent, sizeof(cg->parent), "%s%s", mnt,
			strcmp(own, "/") == 0 ? "" : own) >= sizeof(cg->parent) ||
			(size_t)snprintf(cg->path, sizeof(cg->path),
			"%s/crate-wl-%s", cg->parent, id) >= sizeof(cg->path)) {
		snprintf(why, len, "the cgroup path is too long");
		return false;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg->parent);
	if (access(cg->parent, W_OK) < 0 || access(procs, W_OK) < 0) {
		snprintf(why, len, "the caller's cgroup %s is not delegated to "
			"it", cg->parent);
		return false;
	}
	if (mkdir(cg->path, 0755) < 0) {
		snprintf(why, len, "%s: %s", cg->path, strerror(errno));
		return false;
	}
	cg->why[0] = '\0';
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		snprintf(why, len, "%s: %s", cg->path, strerror(errno));
		rmdir(cg->path);
		return false;
	}
	return true;
}

static bool write_pid(const char *dir)
{
	char path[PATH_MAX + 16], pid[32];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, pid, (size_t)n) == n;
	if (fd >= 0) {
		close(fd);
	}
	return ok;
}

pid_t cw_cgroup_clone(struct cw_cgroup *cg, unsigned long flags)
{
	/* born in cg: crate-wl itself never moves, and a move (a write to
	 * cgroup.procs) is what costs, taking the cgroup tree's lock */
	struct clone_args args = {
		.flags = (flags & ~(unsigned long)CSIGNAL) | CLONE_INTO_CGROUP,
		.exit_signal = flags & CSIGNAL,
		.cgroup = (uint64_t)cg->fd,
	};
	cg->why[0] = '\0';
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid >= 0) {
		return pid;
	}
	/* no clone3 (before Linux 5.3, or a filter's ENOSYS), no
	 * CLONE_INTO_CGROUP (before 5.7), or the cgroup refused: clone
	 * from inside it, and go back */
	if (!write_pid(cg->path)) {
		snprintf(cg->why, sizeof(cg->why), "cannot enter %.300s: %s",
			cg->path, strerror(errno));
		return cw_raw_clone(flags);
	}
	pid = cw_raw_clone(flags);
	if (pid != 0) {
		int e = errno;
		if (!write_pid(cg->parent)) {
			cw_msg("crate-wl stays in the sandbox's cgroup %s: %s",
				cg->path, strerror(errno));
		}
		errno = e;
	}
	return pid;
}

/* cgroup.events says "populated 1" */
static bool populated(int events)
{
	char buf[256];
	ssize_t n = pread(events, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	return strstr(buf, "populated 1") != NULL;
}

/* Empty crate-wl-ID cgroups that a killed crate-wl left (SIGKILL gives it
 * no time to remove its own) go with the next sandbox's end: a minute old
 * at least, so that none is taken from a crate-wl between making it and
 * cloning into it. A cgroup with anything in it refuses. */
static void sweep(const char *parent)
{
	DIR *d = opendir(parent);
	if (d == NULL) {
		return;
	}
	time_t old = time(NULL) - 60;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_type == DT_DIR &&
				strncmp(e->d_name, "crate-wl-", 9) == 0 &&
				fstatat(dirfd(d), e->d_name, &st,
				AT_SYMLINK_NOFOLLOW) == 0 && st.st_mtime < old) {
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* Waits until cgroup.events (EVENTS) says the cgroup is empty, a second
 * at most. The kernel signals each change of cgroup.events, but at most
 * one every 10 ms (cgroup_file_notify): a short run's "populated 0" comes
 * within 10 ms of its "populated 1" and its signal waits out the rest. So
 * the file is read again every 0.2 ms as well. Async-signal-safe: it runs
 * in a child forked from a process that may have threads. */
static void wait_empty(int events)
{
	struct timespec end, now;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += 1;
	while (populated(events)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = (end.tv_sec - now.tv_sec) * 1000 +
			(end.tv_nsec - now.tv_nsec) / 1000000;
		struct pollfd p = { .fd = events, .events = POLLPRI };
		struct timespec step = { .tv_nsec = 200 * 1000 };
		if (ms <= 0 || (ppoll(&p, 1, &step, NULL) < 0 &&
				errno != EINTR)) {
			return;
		}
	}
}

void cw_cgroup_remove(struct cw_cgroup *cg)
{
	int events = -1;
	if (rmdir(cg->path) == 0 || errno != EBUSY) {
		goto out;
	}
	/* what is left goes now. Mostly that is only the init, ending: it
	 * leaves the cgroup once the kernel has freed its namespaces, which
	 * waits for an RCU grace period (about 1.5 ms, a quarter of a run) */
	int fd = openat(cg->fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1) {
			/* an older kernel: the processes end by themselves */
		}
		close(fd);
	}
	events = openat(cg->fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (events < 0 || !populated(events)) {
		rmdir(cg->path);
		goto out;
	}
	/* Every process in it has been sent SIGKILL and runs no code of its
	 * own again, so the caller need not wait for the kernel to finish
	 * with them: a child of crate-wl's, with none of its descriptors (a
	 * pipe kept open would hold up whoever reads crate-wl's output),
	 * waits and removes the empty cgroup. Whoever reaps crate-wl's
	 * orphans reaps it. Should it be killed first, sweep() removes the
	 * cgroup after a later sandbox. */
	pid_t pid = fork();
	if (pid == 0) {
		if (events != 3 && dup2(events, 3) < 0) {
			_exit(1);
		}
		close_range(0, 2, 0);
		close_range(4, ~0u, 0);
		prctl(PR_SET_NAME, "crate-wl-rmcg");
		wait_empty(3);
		rmdir(cg->path);
		_exit(0);
	}
	if (pid < 0) {
		wait_empty(events);
		rmdir(cg->path);
	}
out:
	if (events >= 0) {
		close(events);
	}
	close(cg->fd);
	cg->fd = -1;
	sweep(cg->parent);
}
