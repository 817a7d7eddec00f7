/* The namespaces: same uid/gid inside, loopback up, and joining (enter). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "die.h"
#include "namespaces.h"
#include "sandbox.h"

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		cw_die_errno("cannot open %s", path);
	}
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len) {
		cw_die_errno("cannot write %s", path);
	}
	close(fd);
}

void cw_namespaces_map_ids(uid_t uid, gid_t gid)
{
	char line[64];
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid,
		(unsigned)uid);
	write_file("/proc/self/uid_map", line);
	write_file("/proc/self/setgroups", "deny");
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid,
		(unsigned)gid);
	write_file("/proc/self/gid_map", line);
}

void cw_namespaces_loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cw_die_errno("socket for lo");
	}
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		cw_die_errno("lo: SIOCGIFFLAGS");
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		cw_die_errno("lo: SIOCSIFFLAGS");
	}
	close(fd);
}

static const struct {
	const char *name;
	int type;
} joined[] = {
	/* the user namespace first: it grants what the others need */
	{ "user", CLONE_NEWUSER },
	{ "mnt", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID },
	{ "cgroup", CLONE_NEWCGROUP },
};

enum { N_JOINED = sizeof(joined) / sizeof(joined[0]) };

static void close_all(int fds[N_JOINED])
{
	for (size_t i = 0; i < N_JOINED; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

/* The namespace files of pid that are not ours already; false with
 * errno and a message. */
static bool open_namespaces(pid_t pid, int fds[N_JOINED], char *err,
	size_t errlen)
{
	for (size_t i = 0; i < N_JOINED; i++) {
		fds[i] = -1;
	}
	for (size_t i = 0; i < N_JOINED; i++) {
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			joined[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s",
			joined[i].name);
		struct stat a, b;
		if (stat(path, &a) < 0) {
			goto fail;
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino &&
				a.st_dev == b.st_dev) {
			continue; /* shared with us (--net host) */
		}
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			goto fail;
		}
	}
	return true;
fail:;
	int e = errno;
	snprintf(err, errlen, "/proc/%d/ns: %s", (int)pid, strerror(e));
	close_all(fds);
	errno = e;
	return false;
}

/* The parent of pid, from its status; -1 when unknown. */
static pid_t parent_of(pid_t pid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	pid_t ppid = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "PPid:", 5) == 0) {
			ppid = (pid_t)atoi(line + 5);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return ppid;
}

/*
 * The init is non-dumpable: its namespace files open only with
 * CAP_SYS_PTRACE. Its children are in the same namespaces (nothing in the
 * sandbox can make or join others), and the command's are open to its
 * user. A child counts once its files are open and it is still alive
 * (its pidfd says so) and still the init's: the files were its own.
 */
static bool open_through_child(pid_t init, int fds[N_JOINED], char *err,
	size_t errlen)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)init,
		(int)init);
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return false; /* err says why the init's own failed */
	}
	bool ok = false;
	int child;
	while (!ok && fscanf(f, "%d", &child) == 1) {
		int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
		if (pidfd < 0) {
			continue;
		}
		char why[128];
		ok = open_namespaces(child, fds, why, sizeof(why)) &&
			parent_of(child) == init &&
			syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0;
		if (!ok) {
			close_all(fds);
		}
		close(pidfd);
	}
	fclose(f);
	if (!ok) {
		snprintf(err + strlen(err), errlen - strlen(err), " (and no "
			"process of the sandbox lets its own be opened)");
	}
	return ok;
}

bool cw_namespaces_join(pid_t pid, char *err, size_t errlen)
{
	int fds[N_JOINED];
	if (!open_namespaces(pid, fds, err, errlen) &&
			((errno != EACCES && errno != EPERM) ||
			!open_through_child(pid, fds, err, errlen))) {
		return false;
	}
	bool ok = true;
	for (size_t i = 0; ok && i < N_JOINED; i++) {
		if (fds[i] >= 0 && setns(fds[i], joined[i].type) < 0) {
			snprintf(err, errlen, "cannot join the %s namespace: "
				"%s", joined[i].name, strerror(errno));
			ok = false;
		}
	}
	close_all(fds);
	return ok;
}
