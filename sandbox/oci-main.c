/*
 * crate-wl-oci: the OCI image unpacker, a process of its own so that
 * crate-wl does not load libarchive and json-c at every start, and so that
 * untrusted layers are parsed in a process confined as the sandbox is
 * (crate-wl starts it with cw_confined_spawn: namespaces of its own,
 * no_new_privs, the seccomp baseline; see oci-run.c).
 *   crate-wl-oci [--dry-run] oci:DIR[:REF]
 * prints the root directory on stdout, then the image's config (see
 * cw_oci_root()); errors go to stderr.
 */
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "oci.h"

int main(int argc, char *argv[])
{
	bool dry_run = argc == 3 && strcmp(argv[1], "--dry-run") == 0;
	if (argc != 2 + dry_run || strncmp(argv[argc - 1], "oci:", 4) != 0) {
		fprintf(stderr, "usage: crate-wl-oci [--dry-run] "
			"oci:DIR[:REF]\n");
		return 2;
	}
	char err[1024];
	char root[4096];
	struct cw_oci_config conf = { 0 };
	if (!cw_oci_prepare(argv[argc - 1], !dry_run, root, sizeof(root),
			&conf, err, sizeof(err))) {
		cw_msg("%s", err);
		return 1;
	}
	printf("%s\n", root);
	cw_oci_config_write(&conf, stdout);
	cw_oci_config_free(&conf);
	return fflush(stdout) == 0 ? 0 : 1;
}
