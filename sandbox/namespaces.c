/* The namespaces: same uid/gid inside, loopback up, and joining (enter). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

bool cw_namespaces_join(pid_t pid, char *err, size_t errlen)
{
	enum { N = sizeof(joined) / sizeof(joined[0]) };
	int fds[N];
	bool ok = false;
	for (size_t i = 0; i < N; i++) {
		fds[i] = -1;
	}
	for (size_t i = 0; i < N; i++) {
		char path[64], self[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			joined[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s",
			joined[i].name);
		struct stat a, b;
		if (stat(path, &a) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino &&
				a.st_dev == b.st_dev) {
			continue; /* shared with us (--net host) */
		}
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
	}
	for (size_t i = 0; i < N; i++) {
		if (fds[i] >= 0 && setns(fds[i], joined[i].type) < 0) {
			snprintf(err, errlen, "cannot join the %s namespace: "
				"%s", joined[i].name, strerror(errno));
			goto out;
		}
	}
	ok = true;
out:
	for (size_t i = 0; i < N; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	return ok;
}
