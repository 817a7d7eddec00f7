/*
 * Runs a plan inside the sandbox's init, in two passes:
 *  1. capture: every host source becomes a detached mount (open_tree), with
 *     its read-only/nosuid/nodev flags set before it is ever attached, and
 *     every fresh filesystem is created (fsopen/fsmount). Nothing is
 *     visible anywhere yet.
 *  2. a tmpfs becomes the root (pivot_root); the host tree is detached,
 *     then every op attaches its mount or creates its file inside the new
 *     root, where symlinks can only resolve inside.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "die.h"
#include "plan-ops.h"
#include "sandbox.h"

static int sys_open_tree(int dirfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

static int sys_mount_setattr(int dirfd, const char *path, unsigned flags,
	struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dirfd, path, flags, attr,
		sizeof(*attr));
}

static int sys_move_mount(int from_fd, const char *from, int to_fd,
	const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, from_fd, from, to_fd, to, flags);
}

static int sys_fsopen(const char *fs, unsigned flags)
{
	return (int)syscall(SYS_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned cmd, const char *key,
	const char *value, int aux)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static int sys_fsmount(int fd, unsigned flags, unsigned attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

static int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* A fresh filesystem as a detached mount. options: "key=value,..." */
static int new_fs(const char *type, const char *options, unsigned attrs,
	const char *where)
{
	int fsfd = sys_fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		cw_die_errno("%s on %s: fsopen", type, where);
	}
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", options ? options : "");
	char *save = NULL;
	for (char *kv = strtok_r(buf, ",", &save); kv != NULL;
			kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int r;
		if (eq != NULL) {
			*eq = '\0';
			r = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, kv, eq + 1,
				0);
		} else {
			r = sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, kv, NULL, 0);
		}
		if (r < 0) {
			cw_die_errno("%s on %s: option %s", type, where, kv);
		}
	}
	if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		cw_die_errno("%s on %s: create", type, where);
	}
	int mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mfd < 0) {
		cw_die_errno("%s on %s: fsmount", type, where);
	}
	close(fsfd);
	return mfd;
}

static int new_tmpfs(unsigned mode, bool ro, const char *where)
{
	char options[64];
	snprintf(options, sizeof(options), "mode=%o", mode ? mode : 0755);
	return new_fs("tmpfs", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
		(ro ? MOUNT_ATTR_RDONLY : 0), where);
}

/*
 * The plan's tmpfs mounts (/tmp, /dev, /run, /home, /root...) are each a
 * directory of one tmpfs, bound where it goes: one superblock to make and
 * to free instead of one each (their creation and teardown were the most
 * costly mount work of a spawn). They share its size limit. Its own root,
 * which holds them side by side, goes under the first of them (and so is
 * reachable by no path): closing it detached would dissolve it there and
 * then, and wait for an expedited RCU grace period in the middle of the
 * spawn; attached, it goes with the namespace's other mounts.
 */
static int scratch = -1;
static unsigned scratch_dirs;

static int new_private_dir(unsigned mode, bool ro, const char *where)
{
	if (scratch < 0) {
		scratch = new_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID |
			MOUNT_ATTR_NODEV, where);
	}
	char name[16];
	snprintf(name, sizeof(name), "%u", scratch_dirs++);
	if (mkdirat(scratch, name, mode ? mode : 0755) < 0) {
		cw_die_errno("tmpfs on %s", where);
	}
	int fd = sys_open_tree(scratch, name, OPEN_TREE_CLONE |
		OPEN_TREE_CLOEXEC);
	if (fd < 0 && errno == EINVAL) {
		/* a kernel before 6.15 clones no detached mount: a tmpfs of
		 * its own */
		return new_tmpfs(mode, ro, where);
	}
	if (fd < 0) {
		cw_die_errno("tmpfs on %s", where);
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (ro && sys_mount_setattr(fd, "", AT_EMPTY_PATH, &attr) < 0) {
		cw_die_errno("cannot make %s read-only", where);
	}
	return fd;
}

static int capture_tree(const char *src, uint64_t attrs, bool optional)
{
	int fd = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE |
		OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0) {
		if (optional && errno == ENOENT) {
			return -1;
		}
		cw_die_errno("cannot bind %s", src);
	}
	struct mount_attr attr = { .attr_set = attrs };
	if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
			&attr) < 0) {
		cw_die_errno("cannot restrict the bind of %s", src);
	}
	return fd;
}

/*
 * What hides a path: an empty directory (or file) of the scratch tmpfs,
 * made once and read-only, and cloned for each path it goes over but the
 * last, which gets it itself (closed detached, it would be dissolved at
 * once, as the scratch tmpfs's root would). One clone and one move each.
 */
static int hidden[2] = { -1, -1 }; /* [0] the directory, [1] the file */
static size_t hides_left[2];

static int new_hidden(bool file, const char *where)
{
	/* a kernel before 6.15 clones no detached mount: a tmpfs of its
	 * own, or the null device, unopenable (nodev) */
	static bool no_clones;
	int *h = &hidden[file];
	if (*h < 0 && !no_clones) {
		if (scratch < 0) {
			scratch = new_fs("tmpfs", "mode=0755",
				MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, where);
		}
		const char *name = file ? "hidden-file" : "hidden-dir";
		if ((file ? mknodat(scratch, name, S_IFREG | 0444, 0) :
				mkdirat(scratch, name, 0755)) < 0) {
			cw_die_errno("cannot hide %s", where);
		}
		*h = sys_open_tree(scratch, name, OPEN_TREE_CLONE |
			OPEN_TREE_CLOEXEC);
		no_clones = *h < 0 && errno == EINVAL;
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY |
			MOUNT_ATTR_NOEXEC };
		if (!no_clones && (*h < 0 || sys_mount_setattr(*h, "",
				AT_EMPTY_PATH, &attr) < 0)) {
			cw_die_errno("cannot hide %s", where);
		}
	}
	if (no_clones) {
		return file ? capture_tree("/dev/null", MOUNT_ATTR_RDONLY |
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			MOUNT_ATTR_NOEXEC, false) :
			new_tmpfs(0755, true, where);
	}
	if (--hides_left[file] == 0) {
		int fd = *h;
		*h = -1;
		return fd;
	}
	int fd = sys_open_tree(*h, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		AT_EMPTY_PATH);
	if (fd < 0) {
		cw_die_errno("cannot hide %s", where);
	}
	return fd;
}

/* Pass 1, before anything is attached. */
static void capture(struct cw_setup_op *op)
{
	bool optional = op->flags & CW_OP_OPTIONAL;
	switch (op->type) {
	case CW_OP_BIND:
		op->fd = capture_tree(op->src, MOUNT_ATTR_NOSUID |
			MOUNT_ATTR_NODEV, optional);
		break;
	case CW_OP_RO_BIND:
		op->fd = capture_tree(op->src, MOUNT_ATTR_RDONLY |
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, optional);
		break;
	case CW_OP_DEV_BIND:
		op->fd = capture_tree(op->src, MOUNT_ATTR_NOSUID, optional);
		break;
	case CW_OP_ROOT:
		break; /* this namespace's own copy of it (keep_host_root) */
	case CW_OP_TMPFS:
		op->fd = new_private_dir(op->mode, op->flags & CW_OP_READONLY,
			op->dst);
		break;
	case CW_OP_HIDE:
		op->fd = new_hidden(op->flags & CW_OP_FILE, op->dst);
		break;
	case CW_OP_PROC:
		op->fd = new_fs("proc", NULL, MOUNT_ATTR_NOSUID |
			MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, op->dst);
		break;
	case CW_OP_DEVPTS:
		op->fd = new_fs("devpts", "newinstance,ptmxmode=0666,mode=620",
			MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, op->dst);
		break;
	case CW_OP_MKDIR:
	case CW_OP_SYMLINK:
	case CW_OP_REMOUNT_RO_ROOT:
		break;
	}
}

/* mkdir -p inside the new root; dies naming the path. */
static void make_dirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		cw_die_errno("%s", path);
	}
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0') {
			continue;
		}
		char c = *p;
		*p = '\0';
		if (mkdir(buf, c == '\0' ? mode : 0755) < 0 &&
				errno != EEXIST) {
			cw_die_errno("cannot create %s in the sandbox", buf);
		}
		*p = c;
		if (c == '\0') {
			break;
		}
	}
}

static void make_parent(const char *path)
{
	/* the last one made: /dev's entries come one after another */
	static char made[PATH_MAX];
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');
	if (slash != NULL && slash != buf) {
		*slash = '\0';
		if (strcmp(buf, made) != 0) {
			make_dirs(buf, 0755);
			snprintf(made, sizeof(made), "%s", buf);
		}
	}
}

/* A mount point of the right kind for the mount in fd. */
static void make_mount_point(int fd, const char *dst)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		cw_die_errno("%s", dst);
	}
	if (S_ISDIR(st.st_mode)) {
		make_dirs(dst, 0755);
		return;
	}
	make_parent(dst);
	if (mknod(dst, S_IFREG | 0644, 0) < 0) {
		if (errno == EACCES || errno == EROFS || errno == EEXIST) {
			/* an existing file (or device, socket) will do */
			struct stat dst_st;
			if (stat(dst, &dst_st) == 0 && !S_ISDIR(dst_st.st_mode)) {
				return;
			}
		}
		cw_die_errno("cannot create mount point %s", dst);
	}
}

static int move_to(const struct cw_setup_op *op)
{
	return sys_move_mount(op->fd, "", AT_FDCWD, op->dst,
		MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS);
}

/*
 * The kernel's global settings and devices in proc: their writes are
 * checked against the uid alone (and the file's mode), not against a
 * capability, and root in the sandbox is the host's root. Each is a
 * read-only mount over itself, as bwrap has them; the processes' own
 * files stay writable. An entry this kernel lacks is skipped.
 */
const char *const cw_proc_read_only[] = {
	"sys", "sysrq-trigger", "irq", "bus", "fs", "acpi", "scsi",
	"asound", "latency_stats",
};
const size_t cw_proc_read_only_len =
	sizeof(cw_proc_read_only) / sizeof(cw_proc_read_only[0]);

/*
 * The kernel's limits on the namespaces the sandbox's processes may make,
 * for the sandbox's user namespace and every one below it: written through
 * the sandbox's own proc while the init still has the capability to
 * (before sys goes read-only, and before it is confined). User namespaces:
 * user_max (0 unless nested sandboxes are allowed: the kernel refuses one
 * even where the filter would not); the other kinds CW_NESTED_NAMESPACES.
 */
static int mnt_limit_fd = -1;
static unsigned mnt_limit;

static void write_limit(int fd, unsigned max, const char *kind)
{
	char value[16];
	int len = snprintf(value, sizeof(value), "%u\n", max);
	if (write(fd, value, (size_t)len) != len) {
		cw_die_errno("cannot limit the sandbox's %s namespaces", kind);
	}
	close(fd);
}

static void limit_namespaces(int proc, unsigned user_max)
{
	static const char *const kinds[] = {
		"user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time",
	};
	char path[64];
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(path, sizeof(path), "sys/user/max_%s_namespaces",
			kinds[i]);
		int fd = openat(proc, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			continue; /* a kernel without that kind */
		}
		if (fd < 0) {
			cw_die_errno("cannot limit the sandbox's %s namespaces",
				kinds[i]);
		}
		/* the other kinds need a capability in the namespace's owner,
		 * which nothing of the app has but in a user namespace of its
		 * own: pasta, which joins the sandbox's with its capabilities
		 * to set the network up, makes a few for its own isolation */
		unsigned max = i == 0 ? user_max : CW_NESTED_NAMESPACES;
		if (strcmp(kinds[i], "mnt") == 0) {
			/* the mounts still to make clone trees, each an
			 * anonymous mount namespace: written once they are
			 * made (the file stays open past sys's read-only) */
			mnt_limit_fd = fd;
			mnt_limit = max;
			continue;
		}
		write_limit(fd, max, kinds[i]);
	}
}

/* proc: the mount in fd, attached already */
static void cover_proc(int proc, const char *where)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	for (size_t i = 0; i < cw_proc_read_only_len; i++) {
		const char *name = cw_proc_read_only[i];
		int fd = sys_open_tree(proc, name, OPEN_TREE_CLONE |
			OPEN_TREE_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			continue;
		}
		if (fd < 0 || sys_mount_setattr(fd, "", AT_EMPTY_PATH,
				&attr) < 0 || sys_move_mount(fd, "", proc, name,
				MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			cw_die_errno("cannot make %s/%s read-only", where,
				name);
		}
		close(fd);
	}
}

/* Most mount points are there already (the host root's /tmp, /dev...):
 * one is made only when the mount finds none, or first where it never is
 * (in the sandbox's own, empty /dev). */
static void attach(struct cw_setup_op *op)
{
	if (op->type == CW_OP_DEV_BIND || op->type == CW_OP_DEVPTS) {
		make_mount_point(op->fd, op->dst);
	}
	if (move_to(op) < 0 && (errno != ENOENT ||
			(make_mount_point(op->fd, op->dst), move_to(op) < 0))) {
		cw_die_errno("cannot mount %s on %s", op->src ? op->src :
			cw_op_type_name(op->type), op->dst);
	}
	if (op->type == CW_OP_PROC) {
		limit_namespaces(op->fd, op->mode);
		cover_proc(op->fd, op->dst);
	}
	close(op->fd);
	op->fd = -1;
}

/* The scratch tmpfs's root, under the first of its directories to be
 * mounted: dst, before that directory goes over it. */
static void place_scratch(const char *dst)
{
	int flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS;
	if (sys_move_mount(scratch, "", AT_FDCWD, dst, flags) < 0 &&
			(errno != ENOENT || (make_dirs(dst, 0755),
			sys_move_mount(scratch, "", AT_FDCWD, dst, flags) < 0))) {
		cw_die_errno("tmpfs on %s", dst);
	}
	close(scratch);
	scratch = -1;
}

/* Pass 2, inside the new root. */
static void apply(struct cw_setup_op *op)
{
	switch (op->type) {
	case CW_OP_BIND:
	case CW_OP_RO_BIND:
	case CW_OP_DEV_BIND:
	case CW_OP_TMPFS:
	case CW_OP_HIDE:
	case CW_OP_PROC:
	case CW_OP_DEVPTS:
		/* gone from the host's root since the plan was made:
		 * nothing left to hide */
		if (op->type == CW_OP_HIDE && faccessat(AT_FDCWD, op->dst,
				F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
				errno == ENOENT) {
			close(op->fd);
			op->fd = -1;
			break;
		}
		if ((op->type == CW_OP_TMPFS || (op->type == CW_OP_HIDE &&
				!(op->flags & CW_OP_FILE))) && scratch >= 0) {
			place_scratch(op->dst);
		}
		if (op->fd >= 0) {
			attach(op);
		}
		break;
	case CW_OP_MKDIR:
		make_dirs(op->dst, op->mode ? op->mode : 0755);
		break;
	case CW_OP_SYMLINK:
		make_parent(op->dst);
		if (symlink(op->src, op->dst) < 0 && errno != EEXIST) {
			cw_die_errno("cannot create symlink %s", op->dst);
		}
		break;
	case CW_OP_ROOT:
		break; /* it is the root already */
	case CW_OP_REMOUNT_RO_ROOT: {
		struct mount_attr attr = {
			.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				MOUNT_ATTR_NODEV,
		};
		if (sys_mount_setattr(AT_FDCWD, "/", 0, &attr) < 0) {
			cw_die_errno("cannot make / read-only");
		}
		break;
	}
	}
}

/*
 * The host's root as the sandbox's: the mount namespace's own copy of the
 * host's tree (the clone made it, with every mount below /), read-only
 * throughout. The sandbox's own directories go over it next. No second
 * copy, no pivot_root, no old root to detach.
 */
static void keep_host_root(void)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			MOUNT_ATTR_NODEV,
	};
	if (sys_mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr) < 0) {
		cw_die_errno("cannot make the root read-only");
	}
	if (chdir("/") < 0) {
		cw_die_errno("chdir /");
	}
}

/* A tmpfs over /tmp of this private mount namespace only, made the root;
 * the host tree is detached from it. */
static void enter_new_root(int root)
{
	if (sys_move_mount(root, "", AT_FDCWD, "/tmp",
			MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		cw_die_errno("cannot mount the new root on /tmp");
	}
	close(root);
	if (chdir("/tmp") < 0) {
		cw_die_errno("chdir /tmp");
	}
	if (sys_pivot_root(".", ".") < 0) {
		cw_die_errno("pivot_root");
	}
	if (umount2(".", MNT_DETACH) < 0) {
		cw_die_errno("cannot detach the host root");
	}
	if (chdir("/") < 0) {
		cw_die_errno("chdir /");
	}
}

/* Whether the plan mounts something at /name. */
static bool mounted_top(const struct cw_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->nops; i++) {
		const struct cw_setup_op *op = &plan->ops[i];
		if (cw_op_mounts(op->type) && op->dst[0] == '/' &&
				strcmp(op->dst + 1, name) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * The host's whole root as the new root: its top level was listed when
 * the plan was made, and an entry made on the host since then would show
 * unhidden. Every entry is one the root shows, a mount of the plan's, or
 * a symlink (as the plan lets them through); otherwise no sandbox.
 */
static void check_host_top(const struct cw_plan *plan)
{
	DIR *d = opendir("/");
	if (d == NULL) {
		cw_die_errno("cannot list the sandbox's root");
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		struct stat st;
		bool link = de->d_type == DT_LNK || (de->d_type == DT_UNKNOWN &&
			fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			S_ISLNK(st.st_mode));
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || link ||
				cw_root_shows(name) ||
				mounted_top(plan, name)) {
			continue;
		}
		cw_die("/%s appeared on the host's root while the sandbox "
			"was made: start it again", name);
	}
	closedir(d);
}

void cw_plan_run(struct cw_plan *plan)
{
	/* nothing we do here may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		cw_die_errno("cannot make the mounts private");
	}
	/* every directory and file made here gets its mode as given (the
	 * command gets the caller's umask back) */
	mode_t umask_was = umask(0);
	for (size_t i = 0; i < plan->nops; i++) {
		if (plan->ops[i].type == CW_OP_HIDE) {
			hides_left[!!(plan->ops[i].flags & CW_OP_FILE)]++;
		}
	}
	for (size_t i = 0; i < plan->nops; i++) {
		capture(&plan->ops[i]);
	}
	if (plan->nops > 0 && plan->ops[0].type == CW_OP_ROOT) {
		keep_host_root();
	} else {
		enter_new_root(new_tmpfs(0755, false, "/"));
	}
	for (size_t i = 0; i < plan->nops; i++) {
		apply(&plan->ops[i]);
	}
	if (plan->nops > 0 && plan->ops[0].type == CW_OP_ROOT) {
		check_host_top(plan);
	}
	if (mnt_limit_fd >= 0) {
		write_limit(mnt_limit_fd, mnt_limit, "mnt");
		mnt_limit_fd = -1;
	}
	if (scratch >= 0) {
		close(scratch);
		scratch = -1;
	}
	umask(umask_was);
}
