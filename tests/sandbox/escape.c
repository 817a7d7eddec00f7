/*
 * One named escape attempt from inside a sandbox. Exit status:
 *   10  blocked (the attempt failed, as it must)
 *   11  ESCAPED (the attempt worked)
 *   77  not applicable here (says why)
 *    2  usage or setup error
 * Modes that run outside, as the test's fixtures: wait, serve-unix,
 * serve-abstract, serve-tcp, serve-udp. A server writes its port to a
 * file once it listens, and tells each client its own address.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
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

/* host and port as a socket address; false if host is not an address */
static bool parse_addr(const char *host, const char *port,
	struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)atoi(port));
		*len = sizeof(*in4);
		return true;
	}
	/* IPv6, link-local ones with their interface: fe80::1%eth0 */
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	snprintf(addr, sizeof(addr), "%s", host);
	char *scope = strchr(addr, '%');
	if (scope != NULL) {
		*scope++ = '\0';
		in6->sin6_scope_id = if_nametoindex(scope);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1 &&
			(scope == NULL || in6->sin6_scope_id != 0)) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		*len = sizeof(*in6);
		return true;
	}
	fprintf(stderr, "%s: not an address\n", host);
	return false;
}

#define NET_TIMEOUT_MS 3000

/* Up to len - 1 bytes from fd within NET_TIMEOUT_MS, as a string. */
static void read_reply(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = -1;
	if (poll(&p, 1, NET_TIMEOUT_MS) > 0) {
		n = recv(fd, buf, len - 1, 0);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * A TCP connection, bounded in time (a silently dropped SYN counts as
 * blocked). The server's greeting (serve-tcp's: its own address) is
 * printed, to tell which server answered.
 */
static int try_connect_tcp(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!parse_addr(host, port, &ss, &len)) {
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		SOCK_NONBLOCK, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0;
	if (fd >= 0 && !ok && errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = ETIMEDOUT;
		socklen_t elen = sizeof(err);
		if (poll(&p, 1, NET_TIMEOUT_MS) > 0) {
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
		}
		ok = err == 0;
		errno = err;
	}
	char what[256], reply[64] = "";
	if (ok) {
		read_reply(fd, reply, sizeof(reply));
	}
	snprintf(what, sizeof(what), "%s port %s%s%s", host, port,
		ok ? ", served by " : "", ok ? reply : "");
	return verdict(ok, what);
}

/*
 * A UDP datagram, and a reply within NET_TIMEOUT_MS (serve-udp's: its
 * own address). No reply, or an ICMP refusal, counts as blocked.
 */
static int try_udp(const char *host, const char *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!parse_addr(host, port, &ss, &len)) {
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char what[256], reply[64] = "";
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) == 0 &&
		send(fd, "ping\n", 5, 0) == 5;
	if (ok) {
		errno = 0;
		read_reply(fd, reply, sizeof(reply));
		ok = reply[0] != '\0';
		if (!ok && errno == 0) {
			errno = ETIMEDOUT;
		}
	}
	snprintf(what, sizeof(what), "%s port %s%s%s", host, port,
		ok ? ", answered by " : "", ok ? reply : "");
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

/*
 * A global sysctl written back with its own value (the host keeps it):
 * the attack on kernel.core_pattern, harmlessly.
 */
static int try_sysctl_write(void)
{
	const char *path = "/proc/sys/kernel/printk_ratelimit_burst";
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0) {
		close(fd);
	}
	if (n <= 0) {
		printf("%s: cannot read %s: %s\n", mode, path, strerror(errno));
		return 77;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && write(fd, buf, (size_t)n) == n;
	if (fd >= 0) {
		close(fd);
	}
	return verdict(ok, path);
}

/* the proc entries that must be read-only, and /sys */
static const char *const ro_paths[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
	"/proc/fs", "/proc/acpi", "/proc/scsi", "/proc/asound",
	"/proc/latency_stats", "/sys",
};
static int writable_found;
static int files_tried;

static int try_open_for_write(const char *path, const struct stat *st,
	int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) ||
			!(st->st_mode & 0222)) {
		return 0;
	}
	/* opening writes nothing: the knob changes only on write() */
	int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		printf("%s: opened for writing: %s\n", mode, path);
		writable_found = 1;
		return 1;
	}
	return ++files_tried >= 300;
}

/* Every one of ro_paths read-only or absent: its mount, every mount
 * below /sys, and a try to open its writable files for writing. */
static int try_proc_ro(void)
{
	int ret = BLOCKED;
	for (size_t i = 0; i < sizeof(ro_paths) / sizeof(*ro_paths); i++) {
		const char *p = ro_paths[i];
		struct statvfs sv;
		if (statvfs(p, &sv) < 0) {
			printf("%s: %s: %s\n", mode, p, strerror(errno));
			continue;
		}
		errno = EROFS;
		if (verdict(!(sv.f_flag & ST_RDONLY), p) == ESCAPED) {
			ret = ESCAPED;
		}
		if (strcmp(p, "/sys") == 0) {
			continue; /* tens of thousands: its mounts below */
		}
		writable_found = files_tried = 0;
		nftw(p, try_open_for_write, 16, FTW_PHYS);
		errno = EROFS;
		if (verdict(writable_found, "a file below it for writing") ==
				ESCAPED) {
			ret = ESCAPED;
		}
	}
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char point[2048], opts[256];
		if (sscanf(line, "%*s %*s %*s %*s %2047s %255s", point,
				opts) != 2 || strncmp(point, "/sys", 4) != 0 ||
				(point[4] != '/' && point[4] != '\0')) {
			continue;
		}
		errno = EROFS;
		if (verdict(strncmp(opts, "ro", 2) != 0 ||
				(opts[2] != ',' && opts[2] != '\0'), point) ==
				ESCAPED) {
			ret = ESCAPED;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return ret;
}

/* A field of /proc/PID/status (0: ours), as a number; -1 when absent. */
static long status_field(pid_t pid, const char *name)
{
	char path[64], line[256];
	if (pid == 0) {
		snprintf(path, sizeof(path), "/proc/self/status");
	} else {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	}
	FILE *f = fopen(path, "re");
	long v = -1;
	size_t n = strlen(name);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	return v;
}

/*
 * The sandbox's pid 1, as the app sees it: its memory and its fds (the
 * launcher's status pipe among them) out of reach, and no less
 * restricted than the app.
 */
static int try_init(void)
{
	int ret = BLOCKED;
	int fd = open("/proc/1/mem", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
	}
	if (verdict(fd >= 0, "/proc/1/mem opened for writing") == ESCAPED) {
		ret = ESCAPED;
	}
	int got = 0;
	for (int i = 0; i < 64 && !got; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/1/fd/%d", i);
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0) {
			struct stat st;
			got = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
			close(fd);
		}
	}
	errno = EACCES;
	if (verdict(got, "a pipe of the init's opened for writing") ==
			ESCAPED) {
		ret = ESCAPED;
	}
	long seccomp = status_field(1, "Seccomp");
	long nnp = status_field(1, "NoNewPrivs");
	printf("%s: init: Seccomp %ld, NoNewPrivs %ld, session %d\n", mode,
		seccomp, nnp, (int)getsid(1));
	errno = EPERM;
	if (verdict(seccomp != 2 || nnp != 1, "an init without seccomp "
			"or no_new_privs") == ESCAPED) {
		ret = ESCAPED;
	}
	/* another namespace's session leader reads as 0 here */
	if (verdict(getsid(1) != 1, "an init in the caller's session") ==
			ESCAPED) {
		ret = ESCAPED;
	}
	return ret;
}

/* Outside: a session keyring of our own with a key only its possessors
 * see, then COMMAND. */
static int with_key(const char *marker, char **argv)
{
	long key;
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 ||
			(key = syscall(SYS_add_key, "user", marker, "secret", 6,
			KEY_SPEC_SESSION_KEYRING)) < 0 ||
			syscall(SYS_keyctl, KEYCTL_SETPERM, key,
			0x3f000000 /* possessor: all; nobody else */) < 0) {
		printf("%s: keyrings: %s\n", mode, strerror(errno));
		return 77;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 2;
}

/* Whether we possess the key with this description (/proc/keys lists
 * it only then). */
static int try_keyring(const char *marker)
{
	FILE *f = fopen("/proc/keys", "re");
	char line[512];
	int found = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		found |= strstr(line, marker) != NULL;
	}
	if (f != NULL) {
		fclose(f);
	}
	errno = ENOENT;
	return verdict(found, "a key of the caller's session keyring");
}

/* A process entered into the sandbox: as confined as the app, in a
 * session of its own, without the caller's keyring. */
static int try_entered(const char *marker)
{
	int ret = try_keyring(marker);
	long seccomp = status_field(0, "Seccomp");
	long filters = status_field(0, "Seccomp_filters");
	long nnp = status_field(0, "NoNewPrivs");
	printf("%s: Seccomp %ld (%ld filters), NoNewPrivs %ld\n", mode,
		seccomp, filters, nnp);
	errno = EPERM;
	if (verdict(seccomp != 2 || filters != 1 || nnp != 1, "not the app's "
			"filter and no_new_privs") == ESCAPED) {
		ret = ESCAPED;
	}
	if (verdict(getsid(0) != getpid(), "the caller's session") ==
			ESCAPED) {
		ret = ESCAPED;
	}
	return ret;
}

/* An AF_VSOCK socket through io_uring, which the socket() rule refuses. */
static int try_io_uring(void)
{
	struct io_uring_params p = { 0 };
	int ring = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (ring < 0) {
		return verdict(0, "io_uring_setup");
	}
	size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_len = p.cq_off.cqes + p.cq_entries *
		sizeof(struct io_uring_cqe);
	char *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		ring, IORING_OFF_SQ_RING);
	char *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		ring, IORING_OFF_CQ_RING);
	struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof(*sqes),
		PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) {
		return verdict(1, "io_uring_setup (its rings: no mmap)");
	}
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_SOCKET;
	sqes[0].fd = 40; /* AF_VSOCK */
	sqes[0].off = SOCK_STREAM;
	unsigned *tail = (unsigned *)(sq + p.sq_off.tail);
	unsigned *array = (unsigned *)(sq + p.sq_off.array);
	array[*tail & *(unsigned *)(sq + p.sq_off.ring_mask)] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	int res = -ENOSYS;
	if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS,
			NULL, 0) == 1) {
		struct io_uring_cqe *cqes =
			(struct io_uring_cqe *)(cq + p.cq_off.cqes);
		unsigned head = *(unsigned *)(cq + p.cq_off.head);
		res = cqes[head & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
	}
	if (res >= 0) {
		return verdict(1, "socket(AF_VSOCK) through io_uring");
	}
	printf("%s: IORING_OP_SOCKET AF_VSOCK: %s\n", mode, strerror(-res));
	return verdict(1, "io_uring_setup");
}

#if defined(__x86_64__)
/* A call of the i386 ABI, from this 64-bit process. */
static long i386_call(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b),
		"d"(c) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/* Whether this kernel runs i386 calls (without IA32 emulation, int 0x80
 * is a fault): tried in a child. */
static int i386_available(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		i386_call(20 /* getpid */, 0, 0, 0);
		_exit(0);
	}
	int status;
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
		WIFEXITED(status);
}

static int compat_verdict(long fd, const char *what)
{
	if (fd >= 0) {
		close((int)fd);
	} else {
		errno = (int)-fd;
	}
	return verdict(fd >= 0, what);
}

/* AF_VSOCK sockets through the other ABIs: i386's socket and socketcall
 * (whose arguments are in memory, out of the filter's sight), x32's. */
static int try_compat_socket(void)
{
	int ret = BLOCKED;
	int i386 = i386_available();
	errno = 0;
	int x32 = syscall(0x40000000 | SYS_getpid) >= 0 || errno != ENOSYS;
	if (!i386 && !x32) {
		printf("%s: this kernel runs neither i386 nor x32 calls\n",
			mode);
		return 77;
	}
	/* below 4 GiB, where an i386 call can point */
	unsigned *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	args[0] = 40; /* AF_VSOCK */
	args[1] = SOCK_STREAM;
	args[2] = 0;
	if (i386 && compat_verdict(i386_call(359, 40, SOCK_STREAM, 0),
			"i386 socket(AF_VSOCK)") == ESCAPED) {
		ret = ESCAPED;
	}
	if (i386 && compat_verdict(i386_call(102, 1 /* SYS_SOCKET */,
			(long)(uintptr_t)args, 0),
			"i386 socketcall(SYS_SOCKET, AF_VSOCK)") == ESCAPED) {
		ret = ESCAPED;
	}
	long fd = syscall(0x40000000 | SYS_socket, 40, SOCK_STREAM, 0);
	if (x32 && compat_verdict(fd < 0 ? -errno : fd,
			"x32 socket(AF_VSOCK)") == ESCAPED) {
		ret = ESCAPED;
	}
	return ret;
}
#else
static int try_compat_socket(void)
{
	printf("%s: no i386 or x32 ABI to try here\n", mode);
	return 77;
}
#endif

/* The page faults of our own memory, handled by us. */
static int try_userfaultfd(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC |
		UFFD_USER_MODE_ONLY);
	if (fd >= 0) {
		close(fd);
	}
	return verdict(fd >= 0, "userfaultfd");
}

/* What ptrace gives, without it: a child's memory and fds. */
static int try_process_vm(void)
{
	static char secret[] = "secret";
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	char buf[sizeof(secret)] = { 0 };
	struct iovec local = { buf, sizeof(buf) };
	struct iovec remote = { secret, sizeof(secret) };
	int ret = BLOCKED;
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (verdict(n == (ssize_t)sizeof(secret), "process_vm_readv") ==
			ESCAPED) {
		ret = ESCAPED;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int fd = pidfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pidfd, 1, 0) : -1;
	if (verdict(fd >= 0, "pidfd_getfd") == ESCAPED) {
		ret = ESCAPED;
	}
	if (fd >= 0) {
		close(fd);
	}
	if (pidfd >= 0) {
		close(pidfd);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return ret;
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

/* port into portfile, atomically: the test waits for the file */
static bool write_port(const char *portfile, unsigned port)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	FILE *f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 ||
			rename(tmp, portfile) < 0) {
		perror(portfile);
		return false;
	}
	return true;
}

/*
 * PORTFILE.seen, created empty: a line per client, with its address, so
 * that a test sees what got through even where no answer got back.
 */
static int open_seen(const char *portfile)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s.seen", portfile);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
		O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(path);
	}
	return fd;
}

static void note_peer(int seen, const struct sockaddr_storage *peer)
{
	char addr[INET6_ADDRSTRLEN + 2] = "?";
	const void *a = peer->ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)peer)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr;
	inet_ntop(peer->ss_family, a, addr, INET6_ADDRSTRLEN);
	strcat(addr, "\n");
	if (write(seen, addr, strlen(addr)) < 0) {
		perror("seen");
	}
}

/* Greets every connection with its own address, for connect-tcp. */
static int serve_tcp(const char *host, const char *portfile)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!parse_addr(host, "0", &ss, &len)) {
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
			listen(fd, 16) < 0 ||
			getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror(host);
		return 2;
	}
	unsigned port = ntohs(ss.ss_family == AF_INET ?
		((struct sockaddr_in *)&ss)->sin_port :
		((struct sockaddr_in6 *)&ss)->sin6_port);
	int seen = open_seen(portfile);
	if (seen < 0 || !write_port(portfile, port)) {
		return 2;
	}
	char greeting[128];
	int glen = snprintf(greeting, sizeof(greeting), "%s\n", host);
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int c = accept(fd, (struct sockaddr *)&peer, &plen);
		if (c >= 0) {
			note_peer(seen, &peer);
			send(c, greeting, (size_t)glen, MSG_NOSIGNAL);
			close(c);
		}
	}
}

/* Answers every datagram with its own address, for udp. */
static int serve_udp(const char *host, const char *portfile,
	const char *want)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (!parse_addr(host, want, &ss, &len)) {
		return 2;
	}
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
			getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		perror(host);
		return 2;
	}
	unsigned port = ntohs(ss.ss_family == AF_INET ?
		((struct sockaddr_in *)&ss)->sin_port :
		((struct sockaddr_in6 *)&ss)->sin6_port);
	int seen = open_seen(portfile);
	if (seen < 0 || !write_port(portfile, port)) {
		return 2;
	}
	char reply[128], buf[512];
	int rlen = snprintf(reply, sizeof(reply), "%s\n", host);
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		if (recvfrom(fd, buf, sizeof(buf), 0,
				(struct sockaddr *)&from, &flen) >= 0) {
			note_peer(seen, &from);
			sendto(fd, reply, (size_t)rlen, 0,
				(struct sockaddr *)&from, flen);
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
	} else if (strcmp(mode, "udp") == 0 && n == 2) {
		return try_udp(a[0], a[1]);
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
	} else if (strcmp(mode, "sysctl-write") == 0) {
		return try_sysctl_write();
	} else if (strcmp(mode, "proc-ro") == 0) {
		return try_proc_ro();
	} else if (strcmp(mode, "init") == 0) {
		return try_init();
	} else if (strcmp(mode, "keyring") == 0 && n == 1) {
		return try_keyring(a[0]);
	} else if (strcmp(mode, "with-key") == 0 && n >= 2) {
		return with_key(a[0], a + 1);
	} else if (strcmp(mode, "entered") == 0 && n == 1) {
		return try_entered(a[0]);
	} else if (strcmp(mode, "io-uring") == 0) {
		return try_io_uring();
	} else if (strcmp(mode, "compat-socket") == 0) {
		return try_compat_socket();
	} else if (strcmp(mode, "userfaultfd") == 0) {
		return try_userfaultfd();
	} else if (strcmp(mode, "process-vm") == 0) {
		return try_process_vm();
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
	} else if (strcmp(mode, "serve-udp") == 0 && (n == 2 || n == 3)) {
		/* a port of its own, or the one asked for */
		return serve_udp(a[0], a[1], n == 3 ? a[2] : "0");
	}
	fprintf(stderr, "escape: unknown mode or arguments: %s\n", mode);
	return 2;
}
