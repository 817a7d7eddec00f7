/*
 * crate-wl's own state hidden in every sandbox (threat-model.md, "crate-wl's
 * own state"): wherever one of its directories would show through a host
 * path the plan mounts (a bind of a parent, the host's root), an empty
 * read-only directory goes over it. Under a read-write bind, each directory
 * between the bind and the state directory is bound over itself too: a
 * mount point cannot be renamed or removed, so the app cannot move the
 * hidden directory away and put one of its own in its place for a later
 * crate-wl to use.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "paths.h"
#include "plan-ops.h"

/* The length of path's part under dir ("" counts), or -1. */
static ssize_t under(const char *path, const char *dir)
{
	size_t n = strcmp(dir, "/") == 0 ? 0 : strlen(dir);
	if (strncmp(path, dir, n) != 0 ||
			(path[n] != '/' && path[n] != '\0')) {
		return -1;
	}
	return (ssize_t)strlen(path + n);
}

/*
 * Whether an op after the i-th mounts over path (inside): one of the
 * plan's own first nops, or a hide made here (the self-binds made here
 * show what the bind they are in shows).
 */
static bool covered(const struct cw_plan *plan, size_t i, size_t nops,
	const char *path)
{
	for (size_t j = i + 1; j < plan->nops; j++) {
		const struct cw_setup_op *op = &plan->ops[j];
		if ((j < nops ? cw_op_mounts(op->type) : op->type == CW_OP_HIDE) &&
				under(path, op->dst) >= 0) {
			return true;
		}
	}
	return false;
}

/* Whether a self-bind at dst was made here already. */
static bool bound_here(const struct cw_plan *plan, size_t nops,
	const char *dst)
{
	for (size_t j = nops; j < plan->nops; j++) {
		if (plan->ops[j].type == CW_OP_BIND &&
				strcmp(plan->ops[j].dst, dst) == 0) {
			return true;
		}
	}
	return false;
}

/* The i-th op shows host dir; inside, it is at out. */
static bool shows(const struct cw_setup_op *op, const char *dir, char *out,
	size_t len)
{
	if (op->src == NULL || (op->type != CW_OP_BIND &&
			op->type != CW_OP_RO_BIND && op->type != CW_OP_ROOT)) {
		return false;
	}
	ssize_t rest = under(dir, op->src);
	if (rest < 0) {
		return false;
	}
	const char *tail = dir + strlen(dir) - rest;
	return (size_t)snprintf(out, len, "%s%s", strcmp(op->dst, "/") == 0 &&
		tail[0] == '/' ? "" : op->dst, tail) < len;
}

/* Hides dir (a real path) wherever an op of the plan shows it. */
static bool hide(struct cw_plan *plan, size_t nops, const char *dir)
{
	char inside[PATH_MAX];
	for (size_t i = 0; i < nops; i++) {
		if (!shows(&plan->ops[i], dir, inside, sizeof(inside)) ||
				covered(plan, i, nops, inside)) {
			continue;
		}
		/* the strings stay where they are when the ops grow */
		const char *bind_src = plan->ops[i].src;
		if (plan->ops[i].type == CW_OP_BIND) {
			/* each directory in between, bound over itself */
			size_t base = strlen(plan->ops[i].dst);
			for (char *p = inside + base + 1; (p = strchr(p, '/'));
					p++) {
				char src[PATH_MAX];
				*p = '\0';
				snprintf(src, sizeof(src), "%s%s", bind_src,
					inside + base);
				bool ok = bound_here(plan, nops, inside) ||
					cw_plan_add_op(plan, CW_OP_BIND, src,
					inside, 0, 0);
				*p = '/';
				if (!ok) {
					return false;
				}
			}
		}
		if (!cw_plan_add_op(plan, CW_OP_HIDE, NULL, inside, 0, 0)) {
			return false;
		}
	}
	return true;
}

/*
 * Where dir is on the host: its parent's real path and its own name. A
 * symlink there is followed into *real; false when it is not there.
 */
static bool locate(const char *dir, char *loc, char *real, bool *link)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent) {
		return false;
	}
	*slash = '\0';
	char rparent[PATH_MAX];
	struct stat st;
	if (realpath(parent, rparent) == NULL || (size_t)snprintf(loc,
			PATH_MAX, "%s/%s", strcmp(rparent, "/") == 0 ? "" :
			rparent, slash + 1) >= PATH_MAX ||
			lstat(loc, &st) < 0) {
		return false;
	}
	*link = S_ISLNK(st.st_mode);
	return *link ? realpath(loc, real) != NULL :
		(snprintf(real, PATH_MAX, "%s", loc), true);
}

/*
 * Whether a read-write bind shows where dir is or would be made: the real
 * path of its deepest ancestor there, and the rest, into out.
 */
static bool shown_rw(const struct cw_sandbox_config *cfg, const char *dir,
	char *out)
{
	char head[PATH_MAX];
	snprintf(head, sizeof(head), "%s", dir);
	while (realpath(head, out) == NULL) {
		char *slash = strrchr(head, '/');
		if (slash == NULL || slash == head) {
			return false;
		}
		*slash = '\0';
	}
	size_t n = strlen(out);
	if ((size_t)snprintf(out + n, PATH_MAX - n, "%s",
			dir + strlen(head)) >= PATH_MAX - n) {
		return false;
	}
	for (size_t i = 0; i < cfg->nbinds; i++) {
		if (!cfg->binds[i].ro && under(out, cfg->binds[i].src) >= 0) {
			return true;
		}
	}
	return false;
}

bool cw_plan_hide_state(struct cw_plan *plan,
	const struct cw_sandbox_config *cfg, bool dry_run, char *err,
	size_t errlen)
{
	char dirs[CW_PATH_STATE_DIRS][PATH_MAX];
	size_t n = cw_path_state_dirs(dirs);
	size_t nops = plan->nops;
	for (size_t d = 0; d < n; d++) {
		/* where a read-write bind shows it, the app could make it
		 * first: it is made now, to be hidden */
		char where[PATH_MAX];
		bool rw = cfg->nbinds > 0 && shown_rw(cfg, dirs[d], where);
		if (rw && !dry_run && !cw_mkdir_p(dirs[d], 0700)) {
			snprintf(err, errlen, "cannot create %s: %s", dirs[d],
				strerror(errno));
			return false;
		}
		char loc[PATH_MAX], real[PATH_MAX];
		bool link;
		if (!locate(dirs[d], loc, real, &link)) {
			if (!rw) {
				continue; /* nothing there, none can be made */
			}
			/* --dry-run: as it will be */
			snprintf(loc, sizeof(loc), "%s", where);
			snprintf(real, sizeof(real), "%s", where);
			link = false;
		}
		for (size_t i = 0; i < cfg->nbinds; i++) {
			const struct cw_bind *b = &cfg->binds[i];
			if (under(b->src, real) >= 0 ||
					under(b->src, loc) >= 0) {
				snprintf(err, errlen, "%s is crate-wl's own "
					"state: no sandbox may see it", b->src);
				return false;
			}
			if (link && !b->ro && under(loc, b->src) >= 0) {
				snprintf(err, errlen, "%s is a symlink in %s: "
					"the sandbox could point it elsewhere",
					loc, b->src);
				return false;
			}
		}
		if (!hide(plan, nops, real)) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
	}
	return true;
}
