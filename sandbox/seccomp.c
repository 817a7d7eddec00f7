/*
 * The seccomp baseline as data (docs/threat-model.md says what it denies),
 * and the build-time program that compiles it with libseccomp, which
 * writes the BPF of each variant (the baseline, and --devel's) for the
 * target architecture as constant arrays into a C file that crate-wl is
 * linked with, next to the rules as text (what --dry-run prints). Nothing is read from disk at
 * run time and libseccomp is not needed there: no file a sandbox could
 * write decides what a later sandbox is filtered with.
 *   seccomp-gen CPU_FAMILY ENDIAN OUT.c OUT.bpf
 * (OUT.bpf: the baseline alone, raw, for bench/launcher.sh's bwrap).
 */
#include <errno.h>
#include <linux/filter.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define FORMAT "crate-wl seccomp 3 (binary tree, built in)"

enum rule_cmp {
	CMP_NONE,
	CMP_MASKED_EQ, /* (arg & mask) == value */
	CMP_NE,        /* arg != value */
	CMP_GE,        /* arg >= value */
	CMP_EQ,        /* arg == value */
};

/* What a variant lifts: --devel, and nested-sandbox = allow. */
enum {
	LIFT_DEVEL = 1 << 0,
	LIFT_NESTED = 1 << 1,
	NVARIANTS = 4,
};

struct rule {
	const char *syscall;
	unsigned lift; /* the variants without this rule */
	int err;
	enum rule_cmp cmp;
	unsigned arg;
	uint64_t mask;
	uint64_t value;
};

#define BLOCK(name, e) { name, 0, e, CMP_NONE, 0, 0, 0 }
#define DEVEL(name, e) { name, LIFT_DEVEL, e, CMP_NONE, 0, 0, 0 }
/* a sandbox of the app's own inside (a browser's, bwrap's): user
 * namespaces and what they are for; the kernel then asks for the
 * capabilities they give, over the app's own namespaces only */
#define NESTED(name, e) { name, LIFT_NESTED, e, CMP_NONE, 0, 0, 0 }
#define FAMILY(af) { "socket", 0, EAFNOSUPPORT, CMP_EQ, 0, 0, af }

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
	NESTED("unshare", EPERM),
	BLOCK("setns", EPERM),
	NESTED("mount", EPERM),
	NESTED("umount", EPERM),
	NESTED("umount2", EPERM),
	NESTED("pivot_root", EPERM),
	NESTED("chroot", EPERM),
	{ "clone", LIFT_NESTED, EPERM, CMP_MASKED_EQ, 0, CLONE_NEWUSER,
		CLONE_NEWUSER },
	{ "ioctl", 0, EPERM, CMP_MASKED_EQ, 1, 0xFFFFFFFFu, TIOCSTI },
	{ "ioctl", 0, EPERM, CMP_MASKED_EQ, 1, 0xFFFFFFFFu, TIOCLINUX },
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
	{ "personality", 0, EPERM, CMP_NE, 0, 0, 0 /* PER_LINUX */ },
	/* socket(): only UNSPEC, UNIX, INET, INET6 and NETLINK */
	FAMILY(3), FAMILY(4), FAMILY(5), FAMILY(6), FAMILY(7), FAMILY(8),
	FAMILY(9), FAMILY(11), FAMILY(12), FAMILY(13), FAMILY(14),
	FAMILY(15),
	{ "socket", 0, EAFNOSUPPORT, CMP_GE, 0, 0, AF_NETLINK + 1 },
	/* the other call that makes sockets of a family: only AF_UNIX has
	 * pairs among the families above, AF_TIPC among the others */
	{ "socketpair", 0, EAFNOSUPPORT, CMP_NE, 0, 0, AF_UNIX },
};

/* The target's secondary ABIs, whose syscalls must not bypass the
 * filter: by meson's cpu_family. */
static const struct {
	const char *cpu;
	uint32_t extra[2];
} secondary[] = {
	{ "x86_64", { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
	{ "aarch64", { SCMP_ARCH_ARM, 0 } },
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


/* What the filter is built for: meson's cpu_family and endianness. */
struct target {
	const char *cpu;
	uint32_t arch;
	uint32_t extra[2];
};

static bool target_resolve(struct target *t, const char *cpu,
	const char *endian)
{
	*t = (struct target){ .cpu = cpu };
	char name[32];
	/* libseccomp's names are meson's, but for the little-endian
	 * PowerPC and MIPS */
	const char *suffix = "";
	if (strcmp(endian, "little") == 0 && strcmp(cpu, "ppc64") == 0) {
		suffix = "le";
	} else if (strcmp(endian, "little") == 0 &&
			strncmp(cpu, "mips", 4) == 0) {
		suffix = "el";
	}
	/* not snprintf: GCC's format checks under -fsanitize see a NULL
	 * cpu where none can be */
	size_t n = strlen(cpu), m = strlen(suffix);
	if (n + m >= sizeof(name)) {
		return false;
	}
	memcpy(name, cpu, n);
	memcpy(name + n, suffix, m + 1);
	t->arch = seccomp_arch_resolve_name(name);
	for (size_t i = 0; i < sizeof(secondary) / sizeof(*secondary); i++) {
		if (strcmp(secondary[i].cpu, cpu) == 0) {
			memcpy(t->extra, secondary[i].extra, sizeof(t->extra));
		}
	}
	return t->arch != 0;
}

static void print_rules(FILE *f, const struct target *t, unsigned variant)
{
	const struct scmp_version *v = seccomp_version();
	fprintf(f, "# %s, libseccomp %u.%u.%u, %s%s%s\n", FORMAT, v->major,
		v->minor, v->micro, t->cpu, variant & LIFT_DEVEL ?
		", --devel" : "", variant & LIFT_NESTED ?
		", nested sandboxes" : "");
	fprintf(f, "default allow\narch 0x%08x", t->arch);
	for (size_t i = 0; i < 2 && t->extra[i] != 0; i++) {
		fprintf(f, " 0x%08x", t->extra[i]);
	}
	fputc('\n', f);
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		const struct rule *r = &rules[i];
		if (r->lift & variant) {
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

/* The rules compiled for t; the BPF written to fd. */
static bool compile(const struct target *t, unsigned variant, int fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fprintf(stderr, "seccomp_init failed\n");
		return false;
	}
	bool ok = false;
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0) {
		fprintf(stderr, "cannot ask for a binary tree: %s\n",
			strerror(-r));
		goto out;
	}
	uint32_t native = seccomp_arch_native();
	if (t->arch != native && ((r = seccomp_arch_add(ctx, t->arch)) < 0 ||
			(r = seccomp_arch_remove(ctx, native)) < 0)) {
		fprintf(stderr, "cannot build for %s: %s\n", t->cpu,
			strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < 2 && t->extra[i] != 0; i++) {
		r = seccomp_arch_add(ctx, t->extra[i]);
		if (r < 0 && r != -EEXIST) {
			fprintf(stderr, "cannot add arch 0x%x: %s\n",
				t->extra[i], strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		if (rules[i].lift & variant) {
			continue;
		}
		r = add_rule(ctx, &rules[i]);
		if (r < 0) {
			fprintf(stderr, "rule for %s: %s\n", rules[i].syscall,
				strerror(-r));
			goto out;
		}
	}
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0) {
		fprintf(stderr, "cannot export the filter: %s\n", strerror(-r));
		goto out;
	}
	ok = true;
out:
	seccomp_release(ctx);
	return ok;
}

/* One variant: its program as an array, and its rules as a string. */
static const char *const variant_names[NVARIANTS] = {
	"baseline", "devel", "nested", "devel_nested",
};

static bool emit(FILE *out, FILE *raw, const struct target *t,
	unsigned variant)
{
	FILE *bpf = tmpfile();
	if (bpf == NULL || !compile(t, variant, fileno(bpf))) {
		return false;
	}
	rewind(bpf);
	const char *name = variant_names[variant];
	fprintf(out, "static const struct sock_filter %s_filter[] = {\n",
		name);
	struct sock_filter insn;
	size_t len = 0;
	while (fread(&insn, sizeof(insn), 1, bpf) == 1) {
		fprintf(out, "\t{ 0x%04x, %u, %u, 0x%08x },\n", insn.code,
			insn.jt, insn.jf, insn.k);
		if (raw != NULL) {
			fwrite(&insn, sizeof(insn), 1, raw);
		}
		len++;
	}
	fclose(bpf);
	if (len == 0 || len > BPF_MAXINSNS) {
		fprintf(stderr, "%s: %zu instructions\n", name, len);
		return false;
	}
	fprintf(out, "};\n\nstatic const char %s_rules[] =\n\t\"", name);
	char *text = NULL;
	size_t textlen = 0;
	FILE *m = open_memstream(&text, &textlen);
	if (m == NULL) {
		return false;
	}
	print_rules(m, t, variant);
	fclose(m);
	for (size_t i = 0; i < textlen; i++) {
		if (text[i] == '\n') {
			fputs(i + 1 < textlen ? "\\n\"\n\t\"" : "\\n", out);
		} else if (text[i] == '"' || text[i] == '\\') {
			fprintf(out, "\\%c", text[i]);
		} else {
			fputc(text[i], out);
		}
	}
	fprintf(out, "\";\n\n");
	free(text);
	return true;
}

int main(int argc, char *argv[])
{
	if (argc != 5) {
		fprintf(stderr, "usage: seccomp-gen CPU_FAMILY ENDIAN OUT.c "
			"OUT.bpf\n");
		return 2;
	}
	struct target t;
	if (!target_resolve(&t, argv[1], argv[2])) {
		fprintf(stderr, "libseccomp does not know the cpu %s (%s "
			"endian)\n", argv[1], argv[2]);
		return 1;
	}
	FILE *out = fopen(argv[3], "w");
	FILE *raw = fopen(argv[4], "wb");
	if (out == NULL || raw == NULL) {
		fprintf(stderr, "cannot write %s: %s\n", out ? argv[4] :
			argv[3], strerror(errno));
		return 1;
	}
	fprintf(out, "/* Generated by seccomp-gen (sandbox/seccomp.c) from "
		"its rules: do not edit. */\n#include <linux/filter.h>\n"
		"#include \"sandbox.h\"\n\n");
	/* the variants in the order of their lift bits: baseline,
	 * --devel, nested, both */
	bool ok = true;
	for (unsigned v = 0; ok && v < NVARIANTS; v++) {
		ok = emit(out, v == 0 ? raw : NULL, &t, v);
	}
	if (ok) {
		fprintf(out, "const struct cw_seccomp cw_seccomp_programs[%d] "
			"= {\n", NVARIANTS);
		for (unsigned v = 0; v < NVARIANTS; v++) {
			fprintf(out, "\t{ %s_filter, sizeof(%s_filter) / "
				"sizeof(*%s_filter), %s_rules },\n",
				variant_names[v], variant_names[v],
				variant_names[v], variant_names[v]);
		}
		fprintf(out, "};\n");
	}
	ok = fclose(raw) == 0 && ok;
	ok = fclose(out) == 0 && ok;
	if (!ok) {
		unlink(argv[3]);
		unlink(argv[4]);
	}
	return ok ? 0 : 1;
}
