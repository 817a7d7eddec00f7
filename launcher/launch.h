/*
 * A whole run: the sandbox's proxy (outside, in this process's event loop),
 * the instance's runtime directory, the spawn, signals passed on, the
 * command's exit status returned. crate-wl run and crate-wl app share it.
 */
#ifndef CW_LAUNCH_H
#define CW_LAUNCH_H

#include <stdbool.h>
#include "sandbox.h"

struct cw_launch_options {
	bool dry_run;
	bool trace;
	bool yes; /* crate-wl app and install: confirmed without asking */
	/* crate-wl app: a sandbox of its own, with a fresh temporary home,
	 * even while the app runs */
	bool new_instance;
	/* the proxy connects as an ordinary client even where the
	 * compositor offers a security context */
	bool no_security_context;
	int json_status_fd; /* -1: none */
	/* files the user gave on the command line (real paths): shown in
	 * the sandbox at their paths before its command starts */
	char **grants;
	size_t ngrants;
};

/* The exit status for crate-wl (COMMAND's, or 1/2 for our own errors). */
int cw_launch(const struct cw_sandbox_config *cfg,
	const struct cw_launch_options *opts);

struct cw_policy;
/* cfg's policy: its base, then its [wayland] keys in order. */
struct cw_policy *cw_sandbox_config_policy(
	const struct cw_sandbox_config *cfg, char *err, size_t errlen);

#endif
