/* What plan.c and root.c share to build a plan's list of operations. */
#ifndef CW_PLAN_OPS_H
#define CW_PLAN_OPS_H

#include "sandbox.h"

/* Appends an op (src and dst copied); false when out of memory. */
bool cw_plan_add_op(struct cw_plan *plan, enum cw_op_type type,
	const char *src, const char *dst, unsigned mode, unsigned flags);

/*
 * The root's part of the plan: a read-only clone of the host's whole root
 * as the new root when it can be (root is "/" and every mount point the
 * plan needs exists on it); otherwise a tmpfs root into which each
 * top-level entry is bound on its own. Sets *whole to say which. False
 * with a message in err.
 */
bool cw_root_add(struct cw_plan *plan, const struct cw_sandbox_config *cfg,
	const char *root, bool *whole, char *err, size_t errlen);

/*
 * Whether a top-level entry of the host's root (a name, no slash) is shown
 * as it is when the sandbox's root is the host's whole root: the system's
 * software, and the directories the plan mounts over anyway.
 */
bool cw_root_shows(const char *name);

/*
 * Hides crate-wl's own state directories wherever the plan's ops would
 * show them (state.c), and refuses binds of them. Under a read-write bind
 * they are created first, unless dry_run. False with a message in err.
 */
bool cw_plan_hide_state(struct cw_plan *plan,
	const struct cw_sandbox_config *cfg, bool dry_run, char *err,
	size_t errlen);

#endif
