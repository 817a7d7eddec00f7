/*
 * The seccomp baseline (../shared/reference/seccomp.md) as data. The rules
 * are rendered to text once: that text is what --dry-run prints and what
 * the BPF cache is keyed by, so a changed rule never loads a stale program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "paths.h"
#include "sandbox.h"

#define CACHE_FORMAT "crate-wl seccomp 3 (binary tree)"

enum rule_cmp {
	CMP_NONE,
	CMP_MASKED_EQ, /* (arg & mask) == value */
	CMP_NE,        /* arg != value */
	CMP_GE,        /* arg >= value */
	CMP_EQ,        /* arg == value */
};

struct rule {
	const char *syscall;
	bool devel; /* lifted by --devel */
	int err;
	enum rule_cmp cmp;
	unsigned arg;
	uint64_t mask;
	uint64_t value;
};

#define BLOCK(name, e) { name, false, e, CMP_NONE, 0, 0, 0 }
#define DEVEL(name, e) { name, true, e, CMP_NONE, 0, 0, 0 }
#define FAMILY(af) { "socket", false, EAFNOSUPPORT, CMP_EQ, 0, 0, af }

static const struct rule rules[] = {
	BLOCK("syslog", EPERM),
	BLOCK("uselib", EPERM),
	BLOCK("acct", EPERM),
	BLOCK("quotactl", EPERM),
	BLOCK("quotactl_fd", EPERM),
	BLOCK("add_key", EPERM),
	BLOCK("keyctl", EPERM),
	BLOCK("request_key", EPERM),
	BLOCK("move_pages", EPERM),
	BLOCK("mbind", EPERM),
	BLOCK("get_mempolicy", EPERM),
	BLOCK("set_mempolicy", EPERM),
	BLOCK("set_mempolicy_home_node", EPERM),
	BLOCK("migrate_pages", EPERM),
	BLOCK("unshare", EPERM),
	BLOCK("setns", EPERM),
	BLOCK("mount", EPERM),
	BLOCK("umount", EPERM),
	BLOCK("umount2", EPERM),
	BLOCK("pivot_root", EPERM),
	BLOCK("chroot", EPERM),
	{ "clone", false, EPERM, CMP_MASKED_EQ, 0, CLONE_NEWUSER,
		CLONE_NEWUSER },
	{ "ioctl", false, EPERM, CMP_MASKED_EQ, 1, 0xFFFFFFFFu, TIOCSTI },
	{ "ioctl", false, EPERM, CMP_MASKED_EQ, 1, 0xFFFFFFFFu, TIOCLINUX },
	/* ENOSYS: libc falls back to calls the filter can inspect */
	BLOCK("clone3", ENOSYS),
	BLOCK("open_tree", ENOSYS),
	BLOCK("move_mount", ENOSYS),
	BLOCK("fsopen", ENOSYS),
	BLOCK("fsconfig", ENOSYS),
	BLOCK("fsmount", ENOSYS),
	BLOCK("fspick", ENOSYS),
	BLOCK("mount_setattr", ENOSYS),
	/* io_uring runs system calls of its own (IORING_OP_SOCKET,
	 * IORING_OP_OPENAT...) that no rule here sees; ENOSYS: its users
	 * fall back to epoll and plain calls, as under Docker's profile */
	BLOCK("io_uring_setup", ENOSYS),
	BLOCK("io_uring_enter", ENOSYS),
	BLOCK("io_uring_register", ENOSYS),
	/* BPF objects pinned on the host (a root sandbox opens them by
	 * their file's mode alone); a file by handle, past every path and
	 * mount; page faults under the caller's control, a kernel
	 * exploit's favourite */
	BLOCK("bpf", EPERM),
	BLOCK("open_by_handle_at", EPERM),
	BLOCK("userfaultfd", EPERM),
	/* development tools: allowed with --devel (and then only on the
	 * sandbox's own processes: the pid namespace hides the others) */
	DEVEL("perf_event_open", EPERM),
	DEVEL("ptrace", EPERM),
	/* what ptrace gives without it: another process's memory, fds */
	DEVEL("process_vm_readv", EPERM),
	DEVEL("process_vm_writev", EPERM),
	DEVEL("pidfd_getfd", EPERM),
	BLOCK("modify_ldt", EPERM),
	{ "personality", false, EPERM, CMP_NE, 0, 0, 0 /* PER_LINUX */ },
	/* socket(): only UNSPEC, UNIX, INET, INET6 and NETLINK */
	FAMILY(3), FAMILY(4), FAMILY(5), FAMILY(6), FAMILY(7), FAMILY(8),
	FAMILY(9), FAMILY(11), FAMILY(12), FAMILY(13), FAMILY(14),
	FAMILY(15),
	{ "socket", false, EAFNOSUPPORT, CMP_GE, 0, 0, AF_NETLINK + 1 },
	/* the other call that makes sockets of a family: only AF_UNIX has
	 * pairs among the families above, AF_TIPC among the others */
	{ "socketpair", false, EAFNOSUPPORT, CMP_NE, 0, 0, AF_UNIX },
};

/* The secondary ABIs whose syscalls must not bypass the filter. */
static const uint32_t extra_arches[] = {
#if defined(__x86_64__)
	SCMP_ARCH_X86, SCMP_ARCH_X32,
#elif defined(__aarch64__)
	SCMP_ARCH_ARM,
#endif
};

static const char *cmp_text(enum rule_cmp cmp)
{
	switch (cmp) {
	case CMP_NONE:
		return "";
	case CMP_MASKED_EQ:
		return "&";
	case CMP_NE:
		return "!=";
	case CMP_GE:
		return ">=";
	case CMP_EQ:
		return "==";
	}
	return "?";
}

static void print_rules(FILE *f, bool devel)
{
	const struct scmp_version *v = seccomp_version();
	fprintf(f, "# %s, libseccomp %u.%u.%u%s\n", CACHE_FORMAT, v->major,
		v->minor, v->micro, devel ? ", --devel" : "");
	fprintf(f, "default allow\narch native");
	for (size_t i = 0; i < sizeof(extra_arches) / sizeof(*extra_arches);
			i++) {
		fprintf(f, " 0x%08x", extra_arches[i]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		const struct rule *r = &rules[i];
		if (devel && r->devel) {
			continue;
		}
		fprintf(f, "%s -> %s", r->syscall, strerrorname_np(r->err));
		switch (r->cmp) {
		case CMP_NONE:
			break;
		case CMP_MASKED_EQ:
			fprintf(f, " if (arg%u & 0x%llx) == 0x%llx", r->arg,
				(unsigned long long)r->mask,
				(unsigned long long)r->value);
			break;
		case CMP_NE:
		case CMP_GE:
		case CMP_EQ:
			fprintf(f, " if arg%u %s %llu", r->arg, cmp_text(r->cmp),
				(unsigned long long)r->value);
			break;
		}
		fputc('\n', f);
	}
}

void cw_seccomp_print_rules(FILE *f, bool devel)
{
	print_rules(f, devel);
}

static uint64_t rules_hash(bool devel)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL) {
		return 0;
	}
	print_rules(f, devel);
	fclose(f);
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ull;
	}
	free(text);
	return h;
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->syscall);
	if (nr == __NR_SCMP_ERROR) {
		return 0; /* no such call anywhere we filter */
	}
	uint32_t action = SCMP_ACT_ERRNO((uint32_t)r->err);
	int ret = 0;
	switch (r->cmp) {
	case CMP_NONE:
		ret = seccomp_rule_add(ctx, action, nr, 0);
		break;
	case CMP_MASKED_EQ:
		ret = seccomp_rule_add(ctx, action, nr, 1,
			SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value));
		break;
	case CMP_NE:
		ret = seccomp_rule_add(ctx, action, nr, 1,
			SCMP_CMP(r->arg, SCMP_CMP_NE, r->value));
		break;
	case CMP_GE:
		ret = seccomp_rule_add(ctx, action, nr, 1,
			SCMP_CMP(r->arg, SCMP_CMP_GE, r->value));
		break;
	case CMP_EQ:
		ret = seccomp_rule_add(ctx, action, nr, 1,
			SCMP_CMP(r->arg, SCMP_CMP_EQ, r->value));
		break;
	}
	return ret;
}

/* Compiles the rules and writes the BPF to fd. */
static bool compile(int fd, bool devel, char *err, size_t errlen)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return false;
	}
	bool ok = false;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0) {
		snprintf(err, errlen, "seccomp: cannot ask for a binary tree: "
			"%s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < sizeof(extra_arches) / sizeof(*extra_arches);
			i++) {
		r = seccomp_arch_add(ctx, extra_arches[i]);
		if (r < 0 && r != -EEXIST) {
			snprintf(err, errlen, "seccomp: cannot add arch 0x%x: "
				"%s", extra_arches[i], strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		if (devel && rules[i].devel) {
			continue;
		}
		r = add_rule(ctx, &rules[i]);
		if (r < 0) {
			snprintf(err, errlen, "seccomp: rule for %s: %s",
				rules[i].syscall, strerror(-r));
			goto out;
		}
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		snprintf(err, errlen, "seccomp: cannot export the filter: %s",
			strerror(-r));
		goto out;
	}
	ok = true;
out:
	seccomp_release(ctx);
	return ok;
}

/* A whole BPF program from fd; NULL when it is not one. */
static struct sock_filter *read_program(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 ||
			st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
			st.st_size > BPF_MAXINSNS *
			(off_t)sizeof(struct sock_filter)) {
		return NULL;
	}
	struct sock_filter *prog = malloc((size_t)st.st_size);
	if (prog == NULL) {
		return NULL;
	}
	if (pread(fd, prog, (size_t)st.st_size, 0) != st.st_size) {
		free(prog);
		return NULL;
	}
	*len = (size_t)st.st_size / sizeof(struct sock_filter);
	return prog;
}

struct cw_seccomp *cw_seccomp_create(bool devel, char *err, size_t errlen)
{
	struct cw_seccomp *sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->hash = rules_hash(devel);
	char dir[PATH_MAX], path[PATH_MAX + 64], tmp[PATH_MAX + 64];
	bool have_dir = cw_path_cache_home(dir, sizeof(dir));
	if (have_dir) {
		size_t n = strlen(dir);
		snprintf(dir + n, sizeof(dir) - n, "/crate-wl");
		snprintf(path, sizeof(path), "%s/seccomp-%016llx.bpf", dir,
			(unsigned long long)sc->hash);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0) {
			sc->filter = read_program(fd, &sc->len);
			close(fd);
			if (sc->filter != NULL) {
				sc->from_cache = true;
				return sc;
			}
			cw_log(CW_LOG_INFO, "%s: not a BPF program, "
				"recompiling", path);
		}
	}

	/* compile into the cache, atomically; into memory when the cache
	 * cannot be written */
	int fd = -1;
	if (have_dir && cw_mkdir_p(dir, 0700)) {
		snprintf(tmp, sizeof(tmp), "%s/.seccomp-XXXXXX", dir);
		fd = mkostemp(tmp, O_CLOEXEC);
	}
	bool cached = fd >= 0;
	if (!cached) {
		fd = memfd_create("crate-wl-seccomp", MFD_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "memfd_create: %s",
				strerror(errno));
			goto fail;
		}
	}
	if (!compile(fd, devel, err, errlen)) {
		goto fail_fd;
	}
	sc->filter = read_program(fd, &sc->len);
	if (sc->filter == NULL) {
		snprintf(err, errlen, "seccomp: the compiled filter is not "
			"a BPF program");
		goto fail_fd;
	}
	if (cached && rename(tmp, path) < 0) {
		cw_log(CW_LOG_INFO, "cannot cache the seccomp filter in %s: "
			"%s", path, strerror(errno));
		unlink(tmp);
	}
	close(fd);
	return sc;

fail_fd:
	if (cached) {
		unlink(tmp);
	}
	close(fd);
fail:
	cw_seccomp_destroy(sc);
	return NULL;
}

void cw_seccomp_destroy(struct cw_seccomp *sc)
{
	if (sc == NULL) {
		return;
	}
	free(sc->filter);
	free(sc);
}

bool cw_seccomp_load(const struct cw_seccomp *sc)
{
	struct sock_fprog prog = {
		.len = (unsigned short)sc->len,
		.filter = sc->filter,
	};
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}
