#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "log.h"

struct command {
	const char *name;
	int (*run)(int argc, char *argv[]);
	const char *summary;
};

static const struct command commands[] = {
	{ "proxy", cw_cmd_proxy, "run a filtering Wayland proxy" },
	{ "permissions", cw_cmd_permissions,
		"list, grant and revoke remembered answers" },
	{ "run", cw_cmd_run, "run a command in a new sandbox" },
	{ "app", cw_cmd_app, "run an app from its .crate manifest" },
	{ "list", cw_cmd_list, "list the apps there are" },
	{ "info", cw_cmd_info, "show what an app may do" },
	{ "override", cw_cmd_override, "change what an installed app may do" },
	{ "ps", cw_cmd_ps, "list the running sandboxes" },
	{ "enter", cw_cmd_enter, "run a command inside a running sandbox" },
	{ "stop", cw_cmd_stop, "stop a running sandbox" },
	{ "install", cw_cmd_install, "install a .crate as a command" },
	{ "gc", cw_cmd_gc, "remove unpacked images no sandbox uses" },
	{ "uninstall", cw_cmd_uninstall, "remove what install wrote" },
	{ "reset-data", cw_cmd_reset_data, "remove what an app kept" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: crate-wl COMMAND [OPTION]...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(f, "\n'crate-wl COMMAND --help' and man crate-wl-COMMAND tell "
		"more.\n");
}

int main(int argc, char *argv[])
{
	/* CRATE_WL_DEBUG is read here only: it prints DEBUG and INFO lines,
	 * and the commands that have a trace turn it on (--trace) */
	const char *debug = getenv("CRATE_WL_DEBUG");
	cw_log_init(debug != NULL && debug[0] != '\0' &&
		strcmp(debug, "0") != 0 ? CW_LOG_DEBUG : CW_LOG_ERROR);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	size_t ncommands = sizeof(commands) / sizeof(commands[0]);
	if (strcmp(argv[1], "help") == 0 && argc > 2) {
		/* crate-wl help CMD: CMD's own help */
		for (size_t i = 0; i < ncommands; i++) {
			if (strcmp(argv[2], commands[i].name) == 0) {
				char *help[] = { argv[2], "--help", NULL };
				return commands[i].run(2, help);
			}
		}
		argv++;
	} else if (cw_args_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("crate-wl %s\n", CW_VERSION);
		return 0;
	}
	size_t n = strlen(argv[1]);
	if (n > 6 && strcmp(argv[1] + n - 6, ".crate") == 0) {
		/* a manifest run as "#!/usr/bin/env crate-wl" */
		return cw_cmd_app(argc, argv);
	}
	const char *names[sizeof(commands) / sizeof(commands[0]) + 1];
	for (size_t i = 0; i < ncommands; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].run(argc - 1, argv + 1);
		}
		names[i] = commands[i].name;
	}
	names[ncommands] = NULL;
	const char *near = cw_args_nearest(argv[1], names);
	if (near != NULL) {
		cw_msg("unknown command '%s'; did you mean '%s'?", argv[1], near);
	} else {
		cw_msg("unknown command '%s' (crate-wl --help lists them)",
			argv[1]);
	}
	return 2;
}
