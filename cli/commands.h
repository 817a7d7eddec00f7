#ifndef CW_COMMANDS_H
#define CW_COMMANDS_H

/* Each subcommand: argv[0] is the subcommand's name. Returns the exit code. */
int cw_cmd_proxy(int argc, char *argv[]);
int cw_cmd_permissions(int argc, char *argv[]);
int cw_cmd_run(int argc, char *argv[]);
int cw_cmd_app(int argc, char *argv[]);
int cw_cmd_ps(int argc, char *argv[]);
int cw_cmd_enter(int argc, char *argv[]);
int cw_cmd_stop(int argc, char *argv[]);
int cw_cmd_install(int argc, char *argv[]);
int cw_cmd_uninstall(int argc, char *argv[]);
int cw_cmd_list(int argc, char *argv[]);
int cw_cmd_info(int argc, char *argv[]);
int cw_cmd_override(int argc, char *argv[]);
int cw_cmd_gc(int argc, char *argv[]);
int cw_cmd_reset_data(int argc, char *argv[]);

#endif
