/*
 * crate-wl-oci: the OCI image unpacker, a process of its own so that
 * crate-wl does not load libarchive and json-c at every start, and so that
 * untrusted layers are parsed in a process confined as the sandbox is
 * (crate-wl starts it with cw_confined_spawn: namespaces of its own,
 * no_new_privs, the seccomp baseline; see oci-run.c).
 *   crate-wl-oci [--max-size=BYTES] [--max-files=N] [--dry-run] oci:DIR[:REF]
 * (0 or nothing: the default limits of oci.h)
 * prints the root directory on stdout, then the image's config (see
 * cw_oci_root()); errors go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "oci.h"

/* "--NAME=NUMBER" into *out */
static bool number_option(const char *arg, const char *name, uint64_t *out)
{
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0 || arg[n] != '=') {
		return false;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg + n + 1, &end, 10);
	if (errno != 0 || *end != '\0' || arg[n + 1] == '\0') {
		return false;
	}
	*out = v;
	return true;
}

int main(int argc, char *argv[])
{
	struct cw_oci_limits limits = { 0 };
	bool dry_run = false;
	int i = 1;
	for (; i < argc - 1; i++) {
		uint64_t fd;
		if (strcmp(argv[i], "--dry-run") == 0) {
			dry_run = true;
		} else if (number_option(argv[i], "--progress-fd", &fd) &&
				fd > 2 && fd < 1024) {
			cw_oci_progress_fd = (int)fd;
			fcntl(cw_oci_progress_fd, F_SETFL, O_NONBLOCK);
			signal(SIGPIPE, SIG_IGN);
		} else if (!number_option(argv[i], "--max-size",
				&limits.max_bytes) && !number_option(argv[i],
				"--max-files", &limits.max_entries)) {
			break;
		}
	}
	if (i != argc - 1 || strncmp(argv[i], "oci:", 4) != 0) {
		fprintf(stderr, "usage: crate-wl-oci [--max-size=BYTES] "
			"[--max-files=N] [--dry-run] oci:DIR[:REF]\n");
		return 2;
	}
	char err[1024];
	char root[4096];
	struct cw_oci_config conf = { 0 };
	if (!cw_oci_prepare(argv[argc - 1], !dry_run, &limits, root,
			sizeof(root),
			&conf, err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	printf("%s\n", root);
	cw_oci_config_write(&conf, stdout);
	cw_oci_config_free(&conf);
	return fflush(stdout) == 0 ? 0 : 1;
}
