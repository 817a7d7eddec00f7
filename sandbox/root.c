/*
 * The sandbox's root. The host's root shows the system's software only:
 * the top-level entries in system_top, read-only, and of /var what software
 * needs (var_shown) on a /var of the sandbox's own; every other top-level
 * entry (/srv, /boot, data disks, project trees...) is hidden, and /home,
 * /root, /tmp, /run, /mnt and /media are the sandbox's own (plan.c). A
 * --root DIR or an OCI image is shown whole. In one of two ways:
 *  - whole: the mount namespace's own copy of the host's tree (the clone
 *    into a new mount namespace made it), made read-only throughout, stays
 *    the root, as bwrap --ro-bind / / has it; each top-level entry the
 *    sandbox does not show gets an empty read-only directory or file over
 *    it (one clone and one move each, ops.c), and those the sandbox
 *    replaces (replaced_top) get mounts of their own. One mount call for
 *    the whole root instead of a few for each of its entries, and no
 *    pivot_root (see bench/RESULTS.md). The host's mounts under the hidden
 *    and replaced directories stay below the sandbox's own, out of reach
 *    of a process that cannot unmount (no capabilities, seccomp); in a
 *    user namespace the kernel would not bind the root without them
 *    anyway. It needs every mount point the plan uses to exist already
 *    (nothing can be created on a read-only root), and no socket, fifo or
 *    device among the root's top-level entries.
 *  - by entry: a tmpfs is the new root and each top-level entry shown (a
 *    directory, a file, a symlink) is bound or made in it; mount points
 *    can be made anywhere, and the tmpfs goes read-only last. For --root
 *    DIR, OCI images, and binds to paths the host root lacks or hides.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "plan-ops.h"

/* Top-level entries of a root that the sandbox replaces or hides. */
static const char *const replaced_top[] = {
	"dev", "proc", "sys", "tmp", "run", "home", "root", "mnt", "media",
	"var", /* the host root's only */
};
#define N_REPLACED_HOST (sizeof(replaced_top) / sizeof(*replaced_top))
#define N_REPLACED (N_REPLACED_HOST - 1)
/* Those of them that are a writable tmpfs when the plan's ops run, where
 * mount points can be made. */
static const char *const tmpfs_top[] = {
	"tmp", "run", "home", "root", "var",
};
/* The host root's top-level entries shown: the system's software. */
static const char *const system_top[] = {
	"usr", "etc", "opt", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
};
/*
 * What software needs of the host's /var, each read-only where it is when
 * the host has it: fontconfig's caches (without them every app rescans
 * every font), TeX Live's generated formats and file lists. (libdbus
 * reads /etc/machine-id when /var/lib/dbus has none: each bind costs a
 * spawn some time.)
 */
static const char *const var_shown[] = {
	"/var/cache/fontconfig", "/var/lib/texmf",
};

#define N(a) (sizeof(a) / sizeof(*(a)))

static bool name_in(const char *name, size_t len, const char *const *set,
	size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(set[i]) == len && strncmp(name, set[i], len) == 0) {
			return true;
		}
	}
	return false;
}

static bool is_replaced(const char *name, bool host)
{
	return name_in(name, strlen(name), replaced_top, host ?
		N_REPLACED_HOST : N_REPLACED);
}

static bool is_system(const char *name, size_t len)
{
	return name_in(name, len, system_top, N(system_top));
}

bool cw_root_shows(const char *name)
{
	return is_replaced(name, true) || is_system(name, strlen(name));
}

/* The first component of an absolute path: its start and length. */
static size_t top_component(const char *path, const char **start)
{
	*start = path + 1;
	return strcspn(path + 1, "/");
}

/* Whether dst can be a mount point when the host's root is the new root:
 * on a tmpfs of the sandbox, or already there and of the right kind. */
static bool fits_whole_root(const char *dst, bool dir)
{
	const char *top;
	size_t len = top_component(dst, &top);
	if (name_in(top, len, tmpfs_top, N(tmpfs_top))) {
		return true;
	}
	if (!is_system(top, len)) {
		return false; /* replaced or hidden, read-only */
	}
	struct stat st;
	return stat(dst, &st) == 0 && S_ISDIR(st.st_mode) == dir;
}

/*
 * The host root's own top-level entries: the replaced directories all
 * there, and nothing but directories, files and symlinks. Each that is not
 * shown gets a hide op (symlinks need none: they resolve in the
 * sandbox's tree). False when the whole root cannot be used.
 */
static bool hide_others(struct cw_plan *plan, bool *nomem)
{
	DIR *dir = opendir("/");
	if (dir == NULL) {
		return false;
	}
	bool ok = true;
	size_t found = 0;
	struct dirent *de;
	while (ok && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
				strcmp(de->d_name, "..") == 0) {
			continue;
		}
		unsigned char type = de->d_type;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "/%s", de->d_name);
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (lstat(path, &st) < 0) {
				continue;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ?
				DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_SOCK;
		}
		if (is_replaced(de->d_name, true)) {
			found += type == DT_DIR;
			continue;
		}
		ok = type == DT_DIR || type == DT_REG || type == DT_LNK;
		if (ok && type != DT_LNK &&
				!is_system(de->d_name, strlen(de->d_name)) &&
				!cw_plan_add_op(plan, CW_OP_HIDE, NULL, path, 0,
				type == DT_REG ? CW_OP_FILE : 0)) {
			*nomem = true;
			ok = false;
		}
	}
	closedir(dir);
	return ok && found == N_REPLACED_HOST;
}

/* Every mount point the plan's ops will use, on the host root as it is. */
static bool plan_fits(const struct cw_plan *plan,
	const struct cw_sandbox_config *cfg)
{
	if (!fits_whole_root(plan->home, true)) {
		return false;
	}
	for (size_t i = 0; i < cfg->nbinds; i++) {
		struct stat st;
		if (stat(cfg->binds[i].src, &st) < 0 ||
				!fits_whole_root(cfg->binds[i].dst,
					S_ISDIR(st.st_mode))) {
			return false;
		}
	}
	return true;
}

/* The root's own top-level entries (of the host's, the system's only),
 * each bound read-only. */
static bool add_entries(struct cw_plan *plan, const char *root, bool host,
	char *err, size_t errlen)
{
	DIR *dir = opendir(root);
	if (dir == NULL) {
		snprintf(err, errlen, "root %s: %s", root, strerror(errno));
		return false;
	}
	bool ok = true;
	struct dirent *de;
	while (ok && (de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
				strcmp(de->d_name, "..") == 0 ||
				is_replaced(de->d_name, host) || (host &&
				!is_system(de->d_name, strlen(de->d_name)))) {
			continue;
		}
		char src[PATH_MAX], dst[PATH_MAX];
		if ((size_t)snprintf(src, sizeof(src), "%s/%s",
				strcmp(root, "/") == 0 ? "" : root,
				de->d_name) >= sizeof(src)) {
			continue; /* cannot be bound by its path */
		}
		snprintf(dst, sizeof(dst), "/%s", de->d_name);
		struct stat st;
		if (lstat(src, &st) < 0) {
			continue; /* gone meanwhile */
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(src, target, sizeof(target) - 1);
			if (n < 0) {
				continue;
			}
			target[n] = '\0';
			ok = cw_plan_add_op(plan, CW_OP_SYMLINK, target, dst, 0,
				0);
		} else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			ok = cw_plan_add_op(plan, CW_OP_RO_BIND, src, dst, 0,
				CW_OP_OPTIONAL);
		}
	}
	closedir(dir);
	if (!ok) {
		snprintf(err, errlen, "out of memory");
	}
	return ok;
}

/* The host root's /var: the sandbox's own, with what software needs. */
static bool add_var(struct cw_plan *plan)
{
	bool ok = cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/var", 0755, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_MKDIR, NULL, "/var/tmp", 01777,
		0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/run", "/var/run", 0,
		0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/run/lock",
		"/var/lock", 0, 0);
	for (size_t i = 0; ok && i < N(var_shown); i++) {
		ok = cw_plan_add_op(plan, CW_OP_RO_BIND, var_shown[i],
			var_shown[i], 0, CW_OP_OPTIONAL);
	}
	return ok;
}

bool cw_root_add(struct cw_plan *plan, const struct cw_sandbox_config *cfg,
	const char *root, bool *whole, char *err, size_t errlen)
{
	bool host = strcmp(root, "/") == 0;
	bool nomem = false;
	size_t start = plan->nops;
	*whole = false;
	if (host && plan_fits(plan, cfg)) {
		*whole = cw_plan_add_op(plan, CW_OP_ROOT, "/", "/", 0, 0) &&
			hide_others(plan, &nomem);
		if (!*whole) {
			/* start again by entries */
			while (plan->nops > start) {
				plan->nops--;
				free(plan->ops[plan->nops].src);
				free(plan->ops[plan->nops].dst);
			}
		}
	}
	if (!nomem && !*whole && !add_entries(plan, root, host, err, errlen)) {
		return false;
	}
	if (nomem || (host && !add_var(plan))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}
