/*
 * nsfloor: the kernel's share of a sandbox spawn and nothing more, as a
 * floor for bench/launcher.sh. It clones into new user, mount, pid, ipc,
 * uts and net namespaces (the flags crate-wl and bwrap --unshare-all use),
 * writes the same uid and gid maps, brings loopback up and execs COMMAND
 * in the child, then waits for it. No mounts, no seccomp, no pid-1 reaper,
 * no capability drop: what any launcher with this isolation pays at least
 * (its own exec included: nsfloor is a small glibc program, as bwrap is).
 *
 * Usage: nsfloor COMMAND [ARG]...   (exit status: COMMAND's)
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		_exit(126);
	}
	close(fd);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		fprintf(stderr, "usage: nsfloor COMMAND [ARG]...\n");
		return 2;
	}
	char uid_map[32], gid_map[32];
	snprintf(uid_map, sizeof(uid_map), "%u %u 1\n", getuid(), getuid());
	snprintf(gid_map, sizeof(gid_map), "%u %u 1\n", getgid(), getgid());
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS |
		CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET |
		SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		perror("clone");
		return 1;
	}
	if (pid == 0) {
		put("/proc/self/uid_map", uid_map);
		put("/proc/self/setgroups", "deny");
		put("/proc/self/gid_map", gid_map);
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct ifreq ifr = { 0 };
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
		if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
			perror("lo");
			_exit(126);
		}
		close(s);
		execvp(argv[1], &argv[1]);
		perror(argv[1]);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
