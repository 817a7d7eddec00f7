/* The sandbox's own cgroup, where the caller's is delegated. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cgroup.h"

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

bool cw_cgroup_enter(const struct cw_cgroup *cg)
{
	return write_pid(cg->path);
}

bool cw_cgroup_leave(const struct cw_cgroup *cg)
{
	return write_pid(cg->parent);
}

void cw_cgroup_remove(struct cw_cgroup *cg)
{
	if (rmdir(cg->path) == 0 || errno != EBUSY) {
		return;
	}
	/* the init is still ending: whatever is left goes now */
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/cgroup.kill", cg->path);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1) {
			/* an older kernel: the processes end by themselves */
		}
		close(fd);
	}
	for (int i = 0; i < 100 && rmdir(cg->path) < 0 && errno == EBUSY;
			i++) {
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
}
