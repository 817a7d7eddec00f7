/*
 * A cgroup of the sandbox's own, below the caller's, where the caller may
 * make one: its cgroup (v2) directory and cgroup.procs are writable, as
 * systemd makes them below a delegated user@UID.service, or for root. The
 * sandbox's init is born in it (clone3's CLONE_INTO_CGROUP), so the init's
 * cgroup namespace has that cgroup as its root; crate-wl never moves.
 * Every process of the sandbox is there, a handle for stop and limits.
 */
#ifndef CW_CGROUP_H
#define CW_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cw_cgroup {
	char parent[PATH_MAX]; /* the caller's cgroup directory */
	char path[PATH_MAX];   /* parent/crate-wl-ID */
	int fd;                /* path, open */
	char why[512];         /* set when a clone could not be put in it */
};

/* Makes parent/crate-wl-ID; false and why when the caller may not. */
bool cw_cgroup_create(struct cw_cgroup *cg, const char *id, char *why,
	size_t len);
/*
 * cw_raw_clone(flags) with the child born in cg. Without clone3's
 * CLONE_INTO_CGROUP (Linux < 5.7, or a filter's ENOSYS), crate-wl clones
 * from inside cg and goes back. Where neither can put it there, the child
 * is cloned in crate-wl's cgroup and cg->why says why.
 */
pid_t cw_cgroup_clone(struct cw_cgroup *cg, unsigned long flags);
/* Removes cg. Where something is still in it, kills that and leaves a
 * child of its own (no descriptors of the caller's) to wait a second at
 * most until it is empty and remove it. Then removes the empty
 * crate-wl-* beside it that a killed crate-wl left. */
void cw_cgroup_remove(struct cw_cgroup *cg);

#endif
