/* The run options, shared by crate-wl run and crate-wl app. */
#ifndef CW_CLI_RUN_H
#define CW_CLI_RUN_H

#include "launch.h"
#include "sandbox.h"

/*
 * Applies the options in argv (getopt order, stops at the first non-option
 * or "--") to cfg and opts. Returns -1 to go on (with *next the index of
 * the first non-option), or an exit status (0 after --help).
 */
int cw_run_parse_options(const char *cmd, int argc, char *argv[],
	const char *usage, struct cw_sandbox_config *cfg,
	struct cw_launch_options *opts, int *next);

#endif
