#include <stdio.h>
#include <string.h>
#include "args.h"
#include "log.h"

void cw_args_begin(void)
{
	/* 0, not 1: getopt resets its own state (a second parse in one
	 * process, as app does) */
	optind = 0;
	opterr = 0;
}

int cw_args_next(int argc, char *argv[], const struct option *longopts,
	int *index)
{
	opterr = 0;
	int dummy;
	return getopt_long(argc, argv, "+:h", longopts,
		index != NULL ? index : &dummy);
}

bool cw_args_is_help(const char *arg)
{
	return arg != NULL && (strcmp(arg, "-h") == 0 ||
		strcmp(arg, "--help") == 0);
}

/* Levenshtein distance with transpositions, bounded lengths */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63) {
		return (size_t)-1;
	}
	size_t d[64][64];
	for (size_t i = 0; i <= la; i++) {
		d[i][0] = i;
	}
	for (size_t j = 0; j <= lb; j++) {
		d[0][j] = j;
	}
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best) {
				best = d[i][j - 1] + 1;
			}
			if (d[i - 1][j - 1] + cost < best) {
				best = d[i - 1][j - 1] + cost;
			}
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
					a[i - 2] == b[j - 1] &&
					d[i - 2][j - 2] + 1 < best) {
				best = d[i - 2][j - 2] + 1;
			}
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *cw_args_nearest(const char *word, const char *const *words)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t len = strlen(word);
	for (size_t i = 0; words[i] != NULL; i++) {
		size_t d = distance(word, words[i]);
		/* a prefix of one word only is what getopt would have
		 * taken, had it been unique: say which ones it could be */
		if (len >= 2 && strncmp(word, words[i], len) == 0) {
			d = 1;
		}
		if (d < best_d) {
			best_d = d;
			best = words[i];
		}
	}
	/* one or two typos; a third of the word for long ones */
	size_t limit = len > 6 ? len / 3 : (len > 2 ? 2 : 1);
	return best_d <= limit ? best : NULL;
}

/* The names of longopts, for cw_args_nearest. */
static void option_names(const struct option *longopts, const char **out,
	size_t max)
{
	size_t n = 0;
	for (; longopts[n].name != NULL && n + 1 < max; n++) {
		out[n] = longopts[n].name;
	}
	out[n] = NULL;
}

int cw_args_bad_option(const char *cmd, char *argv[],
	const struct option *longopts)
{
	const char *arg = argv[optind - 1];
	const char *names[128];
	option_names(longopts, names, sizeof(names) / sizeof(names[0]));
	if (strncmp(arg, "--", 2) == 0) {
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="),
			arg + 2);
		for (size_t i = 0; names[i] != NULL; i++) {
			if (strcmp(names[i], name) != 0) {
				continue;
			}
			cw_msg("%s: --%s %s (see crate-wl %s --help)", cmd, name,
				longopts[i].has_arg == no_argument ?
				"takes no value" : "needs a value", cmd);
			return 2;
		}
		const char *near = cw_args_nearest(name, names);
		if (near != NULL) {
			cw_msg("%s: unknown option --%s; did you mean --%s?",
				cmd, name, near);
		} else {
			cw_msg("%s: unknown option --%s (see crate-wl %s --help)",
				cmd, name, cmd);
		}
		return 2;
	}
	cw_msg("%s: unknown option -%c (see crate-wl %s --help)", cmd,
		optopt != 0 ? optopt : '?', cmd);
	return 2;
}

int cw_args_bad_word(const char *cmd, const char *what, const char *word,
	const char *const *words)
{
	const char *near = cw_args_nearest(word, words);
	if (near != NULL) {
		cw_msg("%s: unknown %s '%s'; did you mean '%s'?", cmd, what,
			word, near);
	} else {
		cw_msg("%s: unknown %s '%s' (see crate-wl %s --help)", cmd,
			what, word, cmd);
	}
	return 2;
}
