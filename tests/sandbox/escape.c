/*
 * One named escape attempt from inside a sandbox. Exit status:
 *   10  blocked (the attempt failed, as it must)
 *   11  ESCAPED (the attempt worked)
 *   77  not applicable here (says why)
 *    2  usage or setup error
 * Modes that run outside, as the test's fixtures: wait, serve-unix,
 * serve-abstract, serve-tcp.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCKED 10
#define ESCAPED 11

static const char *mode;

static int verdict(int ok, const char *what)
{
	int err = errno;
	if (ok) {
		printf("%s: ESCAPED: %s\n", mode, what);
		return ESCAPED;
	}
	printf("%s: blocked: %s: %s\n", mode, what, strerror(err));
	return BLOCKED;
}

static int try_write(int argc, char **argv)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		int fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
		if (fd >= 0) {
			close(fd);
			unlink(argv[i]);
		}
		if (verdict(fd >= 0, argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

static int try_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char c;
	int ok = fd >= 0 && read(fd, &c, 1) >= 0;
	if (fd >= 0) {
		close(fd);
	}
	return verdict(ok, path);
}

static int try_read_all(int argc, char **argv)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		if (try_read(argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

/* Replaces every seccomp-*.bpf in dir with a program that allows all. */
static int plant_bpf(const char *dir)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ALLOW);
	DIR *d = opendir(dir);
	int planted = 0;
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "seccomp-", 8) != 0) {
			continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd >= 0 && write(fd, &allow, sizeof(allow)) ==
				sizeof(allow)) {
			printf("planted %s\n", path);
			planted++;
		}
		if (fd >= 0) {
			close(fd);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	errno = d == NULL ? errno : ENOENT;
	return verdict(planted > 0, "an allow-all filter in the cache");
}

/* crate-wl's state dirs: ESCAPED when one shows anything or takes a
 * file. */
static int try_state(int argc, char **argv)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		int seen = 0;
		struct dirent *de;
		while (d != NULL && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") != 0 &&
					strcmp(de->d_name, "..") != 0) {
				printf("%s: sees %s\n", argv[i], de->d_name);
				seen++;
			}
		}
		if (d != NULL) {
			closedir(d);
		}
		char path[4096];
		snprintf(path, sizeof(path), "%s/planted", argv[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			0600);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		if (verdict(seen > 0 || fd >= 0, argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

/* Moves each path aside (and back): whoever can, can put another in its
 * place. */
static int try_rename(int argc, char **argv)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		char aside[4096];
		snprintf(aside, sizeof(aside), "%s.aside", argv[i]);
		int ok = rename(argv[i], aside) == 0;
		if (ok) {
			rename(aside, argv[i]);
		}
		if (verdict(ok, argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

/* ESCAPED when one of the variables is set. */
static int try_env(int argc, char **argv)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		const char *v = getenv(argv[i]);
		errno = ENOENT;
		if (verdict(v != NULL, argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

static int unix_socket(const char *path, int abstract,
	struct sockaddr_un *addr, socklen_t *len)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	size_t n = strlen(path);
	if (n + 2 > sizeof(addr->sun_path)) {
		fprintf(stderr, "%s: name too long\n", path);
		exit(2);
	}
	memcpy(addr->sun_path + (abstract ? 1 : 0), path, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
		(abstract ? 1 : 0));
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int try_connect_unix(int argc, char **argv, int abstract)
{
	int ret = BLOCKED;
	for (int i = 0; i < argc; i++) {
		struct sockaddr_un addr;
		socklen_t len;
		int fd = unix_socket(argv[i], abstract, &addr, &len);
		int ok = fd >= 0 &&
			connect(fd, (struct sockaddr *)&addr, len) == 0;
		if (fd >= 0) {
			close(fd);
		}
		if (verdict(ok, argv[i]) == ESCAPED) {
			ret = ESCAPED;
		}
	}
	return ret;
}

static int try_connect_tcp(const char *host, const char *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)atoi(port));
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*in6);
	} else {
		fprintf(stderr, "%s: not an address\n", host);
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;
	char what[128];
	snprintf(what, sizeof(what), "%s port %s", host, port);
	return verdict(ok, what);
}

/* Whether pid, seen from here, is the host process carrying marker. */
static int is_marked(pid_t pid, const char *marker)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return 0;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\0') {
			buf[i] = ' ';
		}
	}
	buf[n] = '\0';
	return strstr(buf, marker) != NULL;
}

static int try_ptrace(pid_t pid)
{
	long r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	if (r == 0) {
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	return verdict(r == 0, "PTRACE_ATTACH");
}

static int try_signal(pid_t pid, const char *marker)
{
	if (kill(pid, 0) == 0 && !is_marked(pid, marker)) {
		errno = ESRCH;
		printf("%s: (pid %d is a process of the sandbox)\n", mode,
			(int)pid);
		return verdict(0, "kill");
	}
	return verdict(kill(pid, 0) == 0, "kill");
}

static int try_proc(pid_t pid, const char *marker)
{
	errno = ENOENT;
	return verdict(is_marked(pid, marker), "/proc/PID of the host process");
}

static int try_tty(unsigned long request)
{
	if (!isatty(STDIN_FILENO)) {
		printf("%s: stdin is not a terminal, nothing to try\n", mode);
		return 77;
	}
	if (request == TIOCSTI) {
		char c = '\n';
		return verdict(ioctl(STDIN_FILENO, TIOCSTI, &c) == 0, "TIOCSTI");
	}
	char sub = 6; /* TIOCL_GETSHIFTSTATE */
	return verdict(ioctl(STDIN_FILENO, TIOCLINUX, &sub) == 0,
		"TIOCLINUX");
}

static int try_clone_newuser(void)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL,
		NULL, NULL, NULL);
	if (pid == 0) {
		_exit(0);
	}
	if (pid > 0) {
		waitpid(pid, NULL, 0);
	}
	return verdict(pid > 0, "clone(CLONE_NEWUSER)");
}

static int try_clone3(void)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		_exit(0);
	}
	if (pid > 0) {
		waitpid((pid_t)pid, NULL, 0);
	}
	return verdict(pid > 0, "clone3");
}

static int try_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd >= 0) {
		close((int)fd);
	}
	return verdict(fd >= 0, "perf_event_open");
}

/* Run after exec of a setuid copy: did it gain anything? */
static int report_ids(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long eff = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			eff = strtoull(line + 7, NULL, 16);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	printf("%s: ruid %u euid %u CapEff %llx\n", mode, getuid(),
		geteuid(), eff);
	errno = EPERM;
	return verdict(geteuid() != getuid() || eff != 0,
		"privileges from a setuid binary");
}

static int serve_unix(const char *path, int abstract)
{
	struct sockaddr_un addr;
	socklen_t len;
	int fd = unix_socket(path, abstract, &addr, &len);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) < 0 ||
			listen(fd, 16) < 0) {
		perror(path);
		return 2;
	}
	/* the socket's file is there from bind() on: connects are refused
	 * until listen(), so the test waits for this line */
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		pause();
	}
}

static int serve_tcp(const char *host, const char *portfile)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		len = sizeof(*in6);
	} else {
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
			listen(fd, 16) < 0 ||
			getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror(host);
		return 2;
	}
	unsigned port = ntohs(ss.ss_family == AF_INET ? in4->sin_port :
		in6->sin6_port);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
			rename(tmp, portfile) < 0) {
		perror(portfile);
		return 2;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);
		if (c >= 0) {
			close(c);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: escape MODE [ARG]...\n");
		return 2;
	}
	mode = argv[1];
	int n = argc - 2;
	char **a = argv + 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(mode, "write") == 0 && n >= 1) {
		return try_write(n, a);
	} else if (strcmp(mode, "read") == 0 && n >= 1) {
		return try_read_all(n, a);
	} else if (strcmp(mode, "plant-bpf") == 0 && n == 1) {
		return plant_bpf(a[0]);
	} else if (strcmp(mode, "state") == 0 && n >= 1) {
		return try_state(n, a);
	} else if (strcmp(mode, "rename") == 0 && n >= 1) {
		return try_rename(n, a);
	} else if (strcmp(mode, "env") == 0 && n >= 1) {
		return try_env(n, a);
	} else if (strcmp(mode, "connect-unix") == 0 && n >= 1) {
		return try_connect_unix(n, a, 0);
	} else if (strcmp(mode, "connect-abstract") == 0 && n >= 1) {
		return try_connect_unix(n, a, 1);
	} else if (strcmp(mode, "connect-tcp") == 0 && n == 2) {
		return try_connect_tcp(a[0], a[1]);
	} else if (strcmp(mode, "ptrace") == 0 && n == 2) {
		return try_ptrace((pid_t)atoi(a[0]));
	} else if (strcmp(mode, "signal") == 0 && n == 2) {
		return try_signal((pid_t)atoi(a[0]), a[1]);
	} else if (strcmp(mode, "proc") == 0 && n == 2) {
		return try_proc((pid_t)atoi(a[0]), a[1]);
	} else if (strcmp(mode, "tiocsti") == 0) {
		return try_tty(TIOCSTI);
	} else if (strcmp(mode, "tioclinux") == 0) {
		return try_tty(TIOCLINUX);
	} else if (strcmp(mode, "mount") == 0) {
		return verdict(mount("none", "/tmp", "tmpfs", 0, NULL) == 0,
			"mount tmpfs on /tmp");
	} else if (strcmp(mode, "unshare-user") == 0) {
		return verdict(unshare(CLONE_NEWUSER) == 0,
			"unshare(CLONE_NEWUSER)");
	} else if (strcmp(mode, "clone-newuser") == 0) {
		return try_clone_newuser();
	} else if (strcmp(mode, "setns") == 0) {
		int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		return verdict(fd >= 0 && setns(fd, 0) == 0, "setns");
	} else if (strcmp(mode, "pivot-root") == 0) {
		return verdict(syscall(SYS_pivot_root, "/tmp", "/tmp") == 0,
			"pivot_root");
	} else if (strcmp(mode, "chroot") == 0) {
		return verdict(chroot("/tmp") == 0, "chroot");
	} else if (strcmp(mode, "keyctl") == 0) {
		/* KEYCTL_GET_KEYRING_ID of the session keyring */
		return verdict(syscall(SYS_keyctl, 0, -3, 0) >= 0, "keyctl");
	} else if (strcmp(mode, "perf-event-open") == 0) {
		return try_perf();
	} else if (strcmp(mode, "af-packet") == 0) {
		int fd = socket(AF_PACKET, SOCK_RAW, 0);
		return verdict(fd >= 0, "socket(AF_PACKET)");
	} else if (strcmp(mode, "clone3") == 0) {
		return try_clone3();
	} else if (strcmp(mode, "setuid") == 0 && n == 1) {
		execl(a[0], a[0], "ids", (char *)NULL);
		perror(a[0]);
		return 2;
	} else if (strcmp(mode, "ids") == 0) {
		return report_ids();
	} else if (strcmp(mode, "wait") == 0 && n == 1) {
		for (;;) {
			pause();
		}
	} else if (strcmp(mode, "serve-unix") == 0 && n == 1) {
		return serve_unix(a[0], 0);
	} else if (strcmp(mode, "serve-abstract") == 0 && n == 1) {
		return serve_unix(a[0], 1);
	} else if (strcmp(mode, "serve-tcp") == 0 && n == 2) {
		return serve_tcp(a[0], a[1]);
	}
	fprintf(stderr, "escape: unknown mode or arguments: %s\n", mode);
	return 2;
}
