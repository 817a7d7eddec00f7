/* crate-wl app: a manifest's command in its sandbox. */
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "log.h"
#include "manifest.h"
#include "run.h"

static const char usage_text[] =
	"usage: crate-wl app [OPTION]... NAME|FILE.crate [ARG]...\n"
	"\n"
	"Runs the app a manifest describes, in its sandbox. NAME is looked up\n"
	"in $CRATE_WL_APPS (a directory, e.g. a checkout's apps/), then in\n"
	"~/.config/crate-wl/apps/, " CW_DATADIR "/crate-wl/apps/ and\n"
	"/usr/share/crate-wl/apps/. The options of crate-wl run given here\n"
	"apply after the manifest's. ARGs are appended to the manifest's\n"
	"exec. --audio, --microphone and --camera override its [media]\n"
	"section.\n";

int cw_cmd_app(int argc, char *argv[])
{
	struct cw_launch_options opts = { .json_status_fd = -1 };
	/* options are parsed twice: once to find NAME, once over the
	 * manifest's settings, so that they win */
	struct cw_sandbox_config *scratch = cw_sandbox_config_create();
	struct cw_manifest *m = NULL;
	int next, ret;
	if (scratch == NULL) {
		cw_msg("out of memory");
		return 1;
	}
	ret = cw_run_parse_options(argc, argv, usage_text, scratch, &opts,
		&next);
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
	opts = (struct cw_launch_options){ .json_status_fd = -1 };
	ret = cw_run_parse_options(next, argv, usage_text, m->cfg, &opts,
		&next);
	if (ret >= 0) {
		goto out;
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
	cw_manifest_destroy(m);
	return ret;
}
