#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nat.h"
#include "util.h"

#define NAT_TIMEOUT_MS 10000
#define CW_TUN_PATH "/dev/net/tun"

/*
 * pasta opens /dev/net/tun from inside the sandbox's namespaces, as the
 * caller: the node's own mode decides. Being root in the sandbox's user
 * namespace does not help, since CAP_DAC_OVERRIDE there only reaches files
 * whose owner is mapped into it, and the node's owner (root) is not.
 */
static bool tun_usable(char *err, size_t errlen)
{
	if (access(CW_TUN_PATH, R_OK | W_OK) == 0) {
		return true;
	}
	int e = errno;
	struct stat st;
	if (stat(CW_TUN_PATH, &st) < 0) {
		snprintf(err, errlen, "--net nat needs %s: %s (is the tun "
			"module loaded?)", CW_TUN_PATH, strerror(e));
		return false;
	}
	snprintf(err, errlen, "--net nat: %s is mode %04o, owned by uid %u: "
		"uid %u cannot open it, not even inside the sandbox's own "
		"user namespace (the node's owner is not mapped there). udev's "
		"default rules make it 0666; where nothing does, an "
		"administrator can run 'chmod 0666 %s'. Or use --net none or "
		"--net host", CW_TUN_PATH, (unsigned)(st.st_mode & 07777),
		(unsigned)st.st_uid, (unsigned)getuid(), CW_TUN_PATH);
	return false;
}

bool cw_nat_available(char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (!cw_find_program("pasta", path, sizeof(path))) {
		snprintf(err, errlen, "--net nat needs pasta, from the Debian "
			"package passt (apt-get install passt)");
		return false;
	}
	return tun_usable(err, errlen);
}

/* The last line pasta logged, for an error message. */
static void last_line(const char *path, char *out, size_t len)
{
	out[0] = '\0';
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return;
	}
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0') {
			snprintf(out, len, "%s", line);
		}
	}
	fclose(f);
}

bool cw_nat_attach(pid_t target, const char *dir, pid_t *pasta,
	char *err, size_t errlen)
{
	char path[PATH_MAX], log_path[PATH_MAX];
	if (!cw_find_program("pasta", path, sizeof(path))) {
		return cw_nat_available(err, errlen);
	}
	snprintf(log_path, sizeof(log_path), "%s/pasta.log", dir);
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	char runas[32], target_s[16], pidfile[32];
	snprintf(runas, sizeof(runas), "%u:%u", (unsigned)getuid(),
		(unsigned)getgid());
	snprintf(target_s, sizeof(target_s), "%d", (int)target);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		return false;
	}
	if (pid == 0) {
		/* the pid file is the pipe: written once the link is up.
		 * It is pasta's stdout: pasta since 2024 (Debian 13)
		 * closes every other fd it inherits before it opens the
		 * pid file. */
		snprintf(pidfile, sizeof(pidfile), "/proc/self/fd/%d",
			STDOUT_FILENO);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		dup2(ready[1], STDOUT_FILENO);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		char *argv[] = {
			"pasta", "--config-net", "--foreground", "--quiet",
			"--runas", runas,
			/* nothing from outside into the sandbox, and the
			 * sandbox's loopback is its own */
			"-t", "none", "-u", "none", "-T", "none", "-U", "none",
			/* the gateway's address is the real gateway, not the
			 * host's loopback; this also ends pasta's forwarding
			 * of DNS to a resolver on the host's loopback (it
			 * forwards to one only through the mapped gateway
			 * unless --dns-forward asks) */
			"--no-map-gw",
			"--log-file", (char *)log_path, "--pid", pidfile,
			target_s, NULL,
		};
		execv(path, argv);
		_exit(127);
	}
	close(ready[1]);
	struct pollfd p = { .fd = ready[0], .events = POLLIN };
	int r;
	do {
		r = poll(&p, 1, NAT_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	char buf[32];
	ssize_t n = r > 0 ? read(ready[0], buf, sizeof(buf)) : -1;
	close(ready[0]);
	if (n > 0) {
		*pasta = pid;
		return true;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	char why[512];
	last_line(log_path, why, sizeof(why));
	snprintf(err, errlen, "pasta could not set up the network%s%s%s",
		r == 0 ? " in time" : "", why[0] ? ": " : "", why);
	return false;
}

void cw_nat_stop(pid_t pasta)
{
	if (pasta <= 0) {
		return;
	}
	kill(pasta, SIGTERM);
	while (waitpid(pasta, NULL, 0) < 0 && errno == EINTR) {
	}
}
