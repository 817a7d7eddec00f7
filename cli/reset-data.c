/* crate-wl reset-data: wipe what an app kept (its persistent home). */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "args.h"
#include "commands.h"
#include "confirm.h"
#include "log.h"
#include "sandbox.h"
#include "store.h"

static const char usage_text[] =
	"usage: crate-wl reset-data [--yes] APP\n"
	"\n"
	"Removes everything APP kept between runs: its home\n"
	"(~/.local/share/crate-wl/apps/APP), with its settings, caches and\n"
	"files. Not while it runs. Its remembered answers stay (crate-wl\n"
	"permissions reset APP forgets those).\n"
	"  --yes    do not ask (for scripts; asked on a terminal otherwise)\n";

static off_t total;
static long entries;
static int failures;
static char failed[PATH_MAX + 64];

/* Directories the app made unwritable still lose their entries. */
static int open_up(const char *path, const struct stat *st, int type,
	struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_D && (st->st_mode & 0700) != 0700) {
		chmod(path, (st->st_mode & 07777) | 0700);
	}
	if (type != FTW_D && type != FTW_DP) {
		total += st->st_size;
	}
	entries++;
	return 0;
}

/* Depth first, never following a link: a link is removed, not where it
 * points. */
static int remove_one(const char *path, const struct stat *st, int type,
	struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = type == FTW_DP ? rmdir(path) : unlink(path);
	if (r < 0 && errno != ENOENT) {
		if (failures++ == 0) {
			snprintf(failed, sizeof(failed), "%s: %s", path,
				strerror(errno));
		}
	}
	return 0;
}

int cw_cmd_reset_data(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool yes = false;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			yes = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("reset-data", argv, longopts);
		}
	}
	if (optind != argc - 1) {
		cw_msg("reset-data: %s (crate-wl reset-data APP)",
			optind >= argc ? "which app?" : "one app at a time");
		return 2;
	}
	const char *app = argv[optind];
	char dir[PATH_MAX], err[512];
	if (!cw_store_valid_app(app) || !cw_app_data_dir(app, dir,
			sizeof(dir))) {
		cw_msg("reset-data: '%s' is not an app's name", app);
		return 2;
	}
	struct stat st;
	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		printf("%s has no data\n", app);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		cw_msg("%s is not a directory: left as it is", dir);
		return 1;
	}
	/* held while removing: the app cannot start meanwhile */
	int lock = cw_app_data_lock(app, false, err, sizeof(err));
	if (lock < 0) {
		cw_msg(errno == EBUSY ? "%s is running: stop it first "
			"(crate-wl ps, crate-wl stop)" : "%s", errno == EBUSY ?
			app : err);
		return 1;
	}
	char home[PATH_MAX + 8];
	snprintf(home, sizeof(home), "%s/home", dir);
	total = 0;
	entries = 0;
	nftw(home, open_up, 64, FTW_PHYS | FTW_MOUNT);
	char question[PATH_MAX + 256];
	snprintf(question, sizeof(question), "Remove all of %s's data (%ld "
		"files and folders, %.1f MiB in %s)?", app, entries,
		total / 1048576.0, dir);
	switch (yes ? CW_CONFIRM_YES : cw_confirm_yes_no(question)) {
	case CW_CONFIRM_YES:
		break;
	case CW_CONFIRM_NO_TERMINAL:
		cw_msg("reset-data: removes %ld files and folders of %s "
			"(%.1f MiB); give --yes to do it without a terminal",
			entries, app, total / 1048576.0);
		close(lock);
		return 1;
	case CW_CONFIRM_NO:
		fprintf(stderr, "crate-wl: nothing removed\n");
		close(lock);
		return 1;
	}
	failures = 0;
	nftw(home, remove_one, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (failures > 0) {
		cw_msg("%d entries not removed, among them %s", failures,
			failed);
		close(lock);
		return 1;
	}
	/* the lock goes last: nothing of the app is left to hold */
	char running[PATH_MAX + 16];
	snprintf(running, sizeof(running), "%s/running", dir);
	unlink(running);
	close(lock);
	if (rmdir(dir) < 0 && errno != ENOENT) {
		cw_msg("%s: %s (what crate-wl did not put there is left)", dir,
			strerror(errno));
		return 1;
	}
	printf("%s: data removed (%.1f MiB)\n", app, total / 1048576.0);
	return 0;
}
