/* crate-wl gc: the unpacked images no sandbox uses, removed. */
#include <stdbool.h>
#include <stdio.h>
#include "args.h"
#include "commands.h"
#include "log.h"
#include "oci.h"

static const char usage_text[] =
	"usage: crate-wl gc [--dry-run]\n"
	"\n"
	"Removes the OCI images unpacked in ~/.cache/crate-wl/oci/ that no\n"
	"running sandbox uses; they are unpacked again when next run.\n"
	"  --dry-run  say what would go, remove nothing\n";

struct gc_state {
	bool dry_run;
	unsigned long long freed;
};

static void report(void *data, const char *dir, unsigned long long bytes,
	bool in_use)
{
	struct gc_state *st = data;
	printf("%s %s (%.1f MiB)\n", in_use ? "in use, kept:" : st->dry_run ?
		"would remove" : "removed", dir, (double)bytes / (1 << 20));
	if (!in_use) {
		st->freed += bytes;
	}
}

int cw_cmd_gc(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct gc_state st = { 0 };
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			st.dry_run = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("gc", argv, longopts);
		}
	}
	if (optind < argc) {
		cw_msg("gc: takes no arguments, got '%s' (see crate-wl gc "
			"--help)", argv[optind]);
		return 2;
	}
	char err[512];
	int n = cw_oci_gc(st.dry_run, report, &st, err, sizeof(err));
	if (n < 0) {
		cw_msg("gc: %s", err);
		return 1;
	}
	printf("%s %.1f MiB\n", st.dry_run ? "would free" : "freed",
		(double)st.freed / (1 << 20));
	return 0;
}
