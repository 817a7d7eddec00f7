/*
 * A cgroup of the sandbox's own, below the caller's, where the caller may
 * make one: its cgroup (v2) directory and cgroup.procs are writable, as
 * systemd makes them below a delegated user@UID.service, or for root. The
 * sandbox's init is cloned while crate-wl stands in it, so the init's
 * cgroup namespace has that cgroup as its root; crate-wl then goes back.
 * Every process of the sandbox is there, a handle for stop and limits.
 */
#ifndef CW_CGROUP_H
#define CW_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct cw_cgroup {
	char parent[PATH_MAX]; /* the caller's cgroup directory */
	char path[PATH_MAX];   /* parent/crate-wl-ID */
};

/* Makes parent/crate-wl-ID; false and why when the caller may not. */
bool cw_cgroup_create(struct cw_cgroup *cg, const char *id, char *why,
	size_t len);
/* Moves this process into cg (to clone into it), or back to the parent. */
bool cw_cgroup_enter(const struct cw_cgroup *cg);
bool cw_cgroup_leave(const struct cw_cgroup *cg);
/* Kills what is left in it, waits (a second at most) and removes it. */
void cw_cgroup_remove(struct cw_cgroup *cg);

#endif
