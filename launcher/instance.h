/*
 * Running sandboxes, as files under crate-wl's runtime directory:
 * ID/info (key=value lines, then the command's environment, for enter)
 * and ID/wayland-0 (the proxy's socket). The directory goes with the run.
 */
#ifndef CW_INSTANCE_H
#define CW_INSTANCE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The short fields first: a launch writes a few bytes of each, and they
 * share a page of its stack that way */
struct cw_instance {
	pid_t pid; /* the sandbox's init */
	unsigned long long starttime; /* of pid, against pid reuse */
	long long started; /* unix time */
	bool devel; /* its seccomp filter is the --devel one */
	bool nested; /* and the nested sandboxes' one */
	char id[17];
	char app[128];
	char policy[256];
	char command[1024];
	char dir[PATH_MAX];
	char home[PATH_MAX];
};

/* A new, empty instance directory with a fresh id. */
bool cw_instance_create(struct cw_instance *inst, char *err, size_t errlen);
/* Writes info once pid is known (in one write; readers take it only
 * whole). Makes app, policy, command and home one line each. */
bool cw_instance_save(struct cw_instance *inst, char *const envp[],
	char *err, size_t errlen);
/* By id, unique id prefix, or app name. */
bool cw_instance_find(const char *what, struct cw_instance *inst, char *err,
	size_t errlen);
bool cw_instance_alive(const struct cw_instance *inst);
/* The saved environment (NULL-terminated, one allocation); free() it. */
char **cw_instance_load_env(const struct cw_instance *inst);
void cw_instance_remove(const struct cw_instance *inst);
/* The files granted to it while it runs (ID/grants, sandbox/grant.h),
 * each path once. */
typedef void (*cw_instance_grant_func)(const char *path, void *data);
void cw_instance_foreach_grant(const struct cw_instance *inst,
	cw_instance_grant_func func, void *data);

typedef void (*cw_instance_func)(const struct cw_instance *inst, void *data);
/* Live instances, oldest first; removes the directories of dead ones. */
bool cw_instance_foreach(cw_instance_func func, void *data, char *err,
	size_t errlen);

#endif
