#ifndef CW_COMMANDS_H
#define CW_COMMANDS_H

/* Each subcommand: argv[0] is the subcommand's name. Returns the exit code. */
int cw_cmd_proxy(int argc, char *argv[]);

#endif
