/* crate-wl app: a manifest's command in its sandbox. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "confirm.h"
#include "grant.h"
#include "instance.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "run.h"
#include "sandbox.h"

static const char usage_text[] =
	"usage: crate-wl app [OPTION]... NAME|FILE.crate [ARG]...\n"
	"\n"
	"Runs the app a manifest describes, in its sandbox. NAME is looked up\n"
	"in $CRATE_WL_APPS (an absolute path to a directory, e.g. a checkout's\n"
	"apps/), then in ~/.config/crate-wl/apps/, " CW_DATADIR "/crate-wl/apps/\n"
	"and /usr/share/crate-wl/apps/. The options of crate-wl run given here\n"
	"apply after the manifest's. ARGs are appended to the manifest's\n"
	"exec. --audio, --microphone and --camera override its [media]\n"
	"section, --open-uri and --notifications its [portals].\n"
	"\n"
	"A manifest that is not installed and has not run before shows what\n"
	"it asks for and runs only once confirmed on the terminal:\n"
	"  --yes                   confirm without asking (for scripts)\n"
	"\n"
	"An app keeps its data in ~/.local/share/crate-wl/apps/NAME/home\n"
	"(its $HOME inside) unless its manifest says home = tmpfs, and one\n"
	"sandbox has that data at a time: while NAME runs, crate-wl app NAME\n"
	"runs the command in that sandbox instead.\n"
	"  --new-instance          a sandbox of its own, with a fresh\n"
	"                          temporary home, even while NAME runs\n";

/*
 * A manifest from outside the apps directories runs once the user said
 * yes to what it asks for, on a terminal or with --yes; the yes is
 * remembered by the file's hash. 0 to go on, or an exit status.
 */
static int confirm(const struct cw_manifest *m,
	const struct cw_launch_options *opts)
{
	if (m->installed || opts->dry_run || cw_confirm_known(m->hash)) {
		return 0;
	}
	char err[512];
	struct cw_policy *policy = NULL;
	if (m->cfg->wayland) {
		policy = cw_sandbox_config_policy(m->cfg, err, sizeof(err));
		if (policy == NULL) {
			cw_msg("%s", err);
			return 2;
		}
	}
	enum cw_confirm_answer answer = opts->yes ? CW_CONFIRM_YES :
		cw_confirm_ask(m->label, m->cfg, policy, "Run it?");
	cw_policy_destroy(policy);
	switch (answer) {
	case CW_CONFIRM_YES:
		break;
	case CW_CONFIRM_NO:
		cw_msg("%s: not run", m->label);
		return 1;
	case CW_CONFIRM_NO_TERMINAL:
		cw_msg("%s has not run before: run it once on a terminal to see "
			"what it asks for, or give --yes", m->label);
		return 1;
	}
	if (!cw_confirm_remember(m->hash, err, sizeof(err))) {
		cw_msg("the confirmation is not remembered: %s", err);
	}
	return 0;
}

/*
 * The arguments that name files (a path, or an "Open with" file:// URI)
 * are granted: shown in the sandbox at their real paths. A path is
 * passed on as its real path (a relative one would not resolve inside);
 * a URI as it was. files gets the real paths (free each).
 */
static bool file_args(int nargs, char **args, char **files, size_t *nfiles)
{
	*nfiles = 0;
	for (int i = 0; i < nargs; i++) {
		char real[PATH_MAX];
		if (!cw_grants_arg_file(args[i], real, sizeof(real))) {
			continue;
		}
		char *copy = strdup(real);
		if (copy == NULL) {
			return false;
		}
		files[(*nfiles)++] = copy;
		if (strncmp(args[i], "file:", 5) != 0) {
			args[i] = copy;
		}
	}
	return true;
}

/* Asks the running sandbox id to show files; false with a message. */
static bool grant_running(const char *id, char **files, size_t nfiles)
{
	if (nfiles == 0) {
		return true;
	}
	char err[PATH_MAX + 512];
	struct cw_instance *inst = malloc(sizeof(*inst));
	if (inst == NULL || !cw_instance_find(id, inst, err, sizeof(err))) {
		cw_msg("%s", inst == NULL ? "out of memory" : err);
		free(inst);
		return false;
	}
	char sock[PATH_MAX + 16];
	snprintf(sock, sizeof(sock), "%s/grant", inst->dir);
	free(inst);
	bool ok = true;
	for (size_t i = 0; i < nfiles; i++) {
		if (!cw_grants_request(sock, files[i], err, sizeof(err))) {
			cw_msg("%s", err);
			ok = false;
		}
	}
	return ok;
}

/*
 * One sandbox per app's data: while the app runs, crate-wl app runs the
 * manifest's command (with args) in that sandbox, as crate-wl enter does,
 * and a single-instance app hands it to its first window. -1 when the app
 * is not running; else the command's status.
 */
static int enter_running(const struct cw_manifest *m, int noptions,
	int nargs, char **args, char **files, size_t nfiles)
{
	char id[32] = "";
	if (!cw_app_data_running(m->id, id, sizeof(id))) {
		return -1;
	}
	/* a sandbox just starting writes its id once it is there */
	for (int i = 0; i < 150 && id[0] == '\0'; i++) {
		usleep(20 * 1000);
		if (!cw_app_data_running(m->id, id, sizeof(id))) {
			return -1;
		}
	}
	if (id[0] == '\0') {
		cw_msg("%s is starting and has not said where: try again",
			m->name);
		return 1;
	}
	if (noptions > 1) {
		cw_msg("%s runs already: its command runs in that sandbox, "
			"which keeps the options it started with "
			"(--new-instance for a sandbox of its own)", m->name);
	}
	if (!grant_running(id, files, nfiles)) {
		return 1;
	}
	char *all[3 + m->argc + (size_t)nargs + 1];
	size_t n = 0;
	all[n++] = "enter";
	all[n++] = "--";
	all[n++] = id;
	for (size_t i = 0; i < m->argc; i++) {
		all[n++] = m->argv[i];
	}
	for (int i = 0; i < nargs; i++) {
		all[n++] = args[i];
	}
	all[n] = NULL;
	return cw_cmd_enter((int)n, all);
}

int cw_cmd_app(int argc, char *argv[])
{
	struct cw_launch_options opts = { .json_status_fd = -1 };
	/* options are parsed twice: once to find NAME, once over the
	 * manifest's settings, so that they win */
	struct cw_sandbox_config *scratch = cw_sandbox_config_create();
	struct cw_manifest *m = NULL;
	char **files = NULL;
	size_t nfiles = 0;
	int next, ret;
	if (scratch == NULL) {
		cw_msg("out of memory");
		return 1;
	}
	ret = cw_run_parse_options("app", argc, argv, usage_text, scratch,
		&opts, &next);
	cw_sandbox_config_destroy(scratch);
	if (ret >= 0) {
		return ret;
	}
	if (next >= argc) {
		cw_msg("which app? crate-wl app NAME|FILE.crate");
		fputs(usage_text, stderr);
		return 2;
	}
	char path[4096];
	if (!cw_manifest_find(argv[next], CW_DATADIR, path, sizeof(path))) {
		cw_msg("no manifest for '%s' in $CRATE_WL_APPS, "
			"~/.config/crate-wl/apps/ or %s/crate-wl/apps/ (install "
			"with 'meson install', or run from a checkout with "
			"CRATE_WL_APPS=CHECKOUT/apps)", argv[next], CW_DATADIR);
		return 1;
	}
	struct cw_ini_error err;
	m = cw_manifest_load(path, &err);
	if (m == NULL) {
		cw_msg("%s", err.message);
		return 1;
	}
	if (!cw_manifest_identify(m, CW_DATADIR)) {
		cw_msg("out of memory");
		ret = 1;
		goto out;
	}
	if (!cw_manifest_apply_overrides(m, &err)) {
		cw_msg("%s (crate-wl override %s --reset removes it)",
			err.message, m->name);
		ret = 1;
		goto out;
	}
	char other[4096];
	if (!m->installed && cw_manifest_find_installed(m->name, CW_DATADIR,
			other, sizeof(other))) {
		cw_msg("%s calls itself %s, the name of an installed app: it "
			"runs as %s, with none of that app's permissions",
			m->label, m->name, m->id);
	}
	opts = (struct cw_launch_options){ .json_status_fd = -1 };
	ret = cw_run_parse_options("app", next, argv, usage_text, m->cfg,
		&opts, &next);
	if (ret >= 0) {
		goto out;
	}
	char why[512];
	if (!opts.dry_run && !cw_manifest_present(m, why, sizeof(why))) {
		/* before any question: there is nothing to run */
		cw_msg("%s", why);
		ret = 127;
		goto out;
	}
	ret = confirm(m, &opts);
	if (ret != 0) {
		goto out;
	}
	if (opts.new_instance) {
		m->cfg->home = CW_HOME_TMPFS;
	}
	if (!opts.dry_run) {
		files = calloc((size_t)(argc - next) + 1, sizeof(*files));
		if (files == NULL || !file_args(argc - next - 1,
				argv + next + 1, files, &nfiles)) {
			cw_msg("out of memory");
			ret = 1;
			goto out;
		}
		opts.grants = files;
		opts.ngrants = nfiles;
	}
	if (!opts.new_instance && m->cfg->home == CW_HOME_PERSIST &&
			!opts.dry_run) {
		ret = enter_running(m, next, argc - next - 1, argv + next + 1,
			files, nfiles);
		if (ret >= 0) {
			goto out;
		}
		ret = 0;
	}
	if (argc - next - 1 > 0) {
		/* the manifest's exec, then the arguments given */
		char *all[m->argc + (size_t)(argc - next - 1) + 1];
		size_t n = 0;
		for (size_t i = 0; i < m->argc; i++) {
			all[n++] = m->argv[i];
		}
		for (int i = next + 1; i < argc; i++) {
			all[n++] = argv[i];
		}
		all[n] = NULL;
		if (!cw_sandbox_config_set_argv(m->cfg, all, n)) {
			cw_msg("out of memory");
			ret = 1;
			goto out;
		}
	}
	ret = cw_launch(m->cfg, &opts);
out:
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i]);
	}
	free(files);
	cw_manifest_destroy(m);
	return ret;
}
