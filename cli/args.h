/*
 * What every subcommand does with its arguments the same way: getopt_long
 * with -h and --help, one line for a wrong option or word, with the
 * nearest right one ("did you mean --bind?").
 */
#ifndef CW_ARGS_H
#define CW_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * getopt_long(argc, argv, "+h", longopts) for "crate-wl CMD", quiet: a
 * wrong option is reported by cw_args_bad_option, not by getopt. Start
 * with optind = 0 (cw_args_begin).
 */
void cw_args_begin(void);
int cw_args_next(int argc, char *argv[], const struct option *longopts,
	int *index);

/*
 * After cw_args_next returned '?' or ':': one line on stderr naming what
 * was wrong, with a suggestion where one option is close, and where to
 * look. Returns 2, the exit status of a usage error.
 */
int cw_args_bad_option(const char *cmd, char *argv[],
	const struct option *longopts);

/* A word that is not one of words (NULL-terminated): the same line.
 * Returns 2. */
int cw_args_bad_word(const char *cmd, const char *what, const char *word,
	const char *const *words);

/* Is arg -h or --help? */
bool cw_args_is_help(const char *arg);

/* The closest of words to word, or NULL when none is close enough to be
 * what was meant. */
const char *cw_args_nearest(const char *word, const char *const *words);

#endif
