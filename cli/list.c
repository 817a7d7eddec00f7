/* crate-wl list: the apps crate-wl app can run by name, and where from. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "json.h"
#include "log.h"
#include "manifest.h"
#include "util.h"

static const char usage_text[] =
	"usage: crate-wl list [--json]\n"
	"\n"
	"The apps crate-wl app NAME runs, from $CRATE_WL_APPS,\n"
	"~/.config/crate-wl/apps/ (installed by you) and the system's\n"
	"crate-wl/apps/ (stock), with whether each one's program is here.\n"
	"  --json   one JSON object a line, for scripts\n";

struct listing {
	bool json;
	int shown;
};

static void show(void *data, const char *name, const char *path,
	const char *dir, bool shadowed)
{
	struct listing *l = data;
	struct cw_ini_error err;
	struct cw_manifest *m = cw_manifest_load(path, &err);
	char why[512] = "";
	bool present = m != NULL && cw_manifest_present(m, why, sizeof(why));
	const char *description = m != NULL && m->description != NULL ?
		m->description : "";
	char text[512];
	snprintf(text, sizeof(text), "%s", m == NULL ? err.message :
		description);
	cw_text_sanitize(text);
	if (l->json) {
		printf("{\"name\":");
		cw_json_string(stdout, name);
		printf(",\"path\":");
		cw_json_string(stdout, path);
		printf(",\"usable\":%s,\"shadowed\":%s,\"present\":%s",
			m != NULL ? "true" : "false",
			shadowed ? "true" : "false", present ? "true" : "false");
		printf(",\"package\":");
		cw_json_string(stdout, m != NULL ? m->package : NULL);
		printf(",\"description\":");
		cw_json_string(stdout, text);
		printf("}\n");
	} else {
		const char *state = m == NULL ? "broken" : shadowed ?
			"hidden" : present ? "ready" : "missing";
		printf("%-20s %-8s %s%s%s%s\n", name, state, text,
			m != NULL && !present && m->package != NULL ?
			" (apt install " : "", m != NULL && !present &&
			m->package != NULL ? m->package : "",
			m != NULL && !present && m->package != NULL ? ")" : "");
		printf("%-20s %-8s %s\n", "", "", dir);
	}
	l->shown++;
	cw_manifest_destroy(m);
}

int cw_cmd_list(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct listing l = { 0 };
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			l.json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("list", argv, longopts);
		}
	}
	if (optind < argc) {
		cw_msg("list: takes no arguments, got '%s' (see crate-wl list "
			"--help)", argv[optind]);
		return 2;
	}
	cw_manifest_each(CW_DATADIR, show, &l);
	if (l.shown == 0 && !l.json) {
		fprintf(stderr, "crate-wl: no apps: none in $CRATE_WL_APPS, "
			"~/.config/crate-wl/apps/ or %s/crate-wl/apps/\n",
			CW_DATADIR);
	}
	return 0;
}
