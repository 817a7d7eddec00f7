/*
 * OCI image layouts as roots: oci:DIR[:REF]. The image's layers are
 * verified against their digests and unpacked once, in order, whiteouts
 * and opaque directories applied, into
 * $XDG_CACHE_HOME/crate-wl/oci/sha256-MANIFEST/rootfs: the manifest's
 * digest covers every layer's, so the directory is content-addressed.
 */
#ifndef CW_OCI_H
#define CW_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * How the image says it runs: the "config" object of its config blob
 * (Env, Entrypoint, Cmd, WorkingDir). Owned; NULL where the image says
 * nothing.
 */
struct cw_oci_config {
	char **env;        /* NAME=VALUE..., NULL-terminated */
	char **entrypoint; /* NULL-terminated */
	char **cmd;        /* NULL-terminated */
	char *workdir;
};

void cw_oci_config_free(struct cw_oci_config *conf);

/* "oci:DIR[:REF]": DIR into dir, REF (or NULL) into *ref. */
void cw_oci_split_spec(const char *spec, char *dir, size_t len,
	const char **ref);
/*
 * What one image may unpack to: bytes of file data and entries (files,
 * directories, links, whiteouts) over all its layers. Layers are
 * untrusted: 1 MB of gzip unpacks to 1 GB. Unpacking also stops while the
 * file system of the cache still has CW_OCI_FREE_MARGIN (or 5% of its
 * size, when that is less) free.
 */
struct cw_oci_limits {
	uint64_t max_bytes;   /* 0: CW_OCI_MAX_BYTES */
	uint64_t max_entries; /* 0: CW_OCI_MAX_ENTRIES */
};
#define CW_OCI_MAX_BYTES (8ull << 30)
#define CW_OCI_MAX_ENTRIES 500000ull
#define CW_OCI_FREE_MARGIN (1ull << 30)

/* "oci:DIR[:REF]" with DIR made absolute; false with err. */
bool cw_oci_normalize(const char *spec, char *out, size_t len, char *err,
	size_t errlen);

/*
 * The root directory for spec, and the image's config into *conf. With
 * unpack false (--dry-run) it only resolves and verifies the manifest and
 * the config; the directory may not exist yet. An index may point to
 * another index (a multi-platform image): the one entry for this machine's
 * platform is taken there.
 */
bool cw_oci_prepare(const char *spec, bool unpack,
	const struct cw_oci_limits *limits, char *root, size_t len,
	struct cw_oci_config *conf, char *err, size_t errlen);

/*
 * cw_oci_prepare in the crate-wl-oci helper process (crate-wl itself does
 * not link libarchive or json-c): the same contract. The helper prints the
 * root on a line, then the config as NUL-terminated "KEY\tVALUE" records
 * (env, entrypoint, cmd: one per element, in order; workdir).
 */
bool cw_oci_root(const char *spec, bool dry_run,
	const struct cw_oci_limits *limits, char *root, size_t len,
	struct cw_oci_config *conf, char *err, size_t errlen);

/*
 * An unpacked image in use: a shared flock on its directory (the parent of
 * root) for as long as the fd stays open, which crate-wl gc respects. -1
 * with err when the directory went away meanwhile (gc took it: unpack
 * again).
 */
int cw_oci_hold(const char *root, char *err, size_t errlen);

/*
 * crate-wl gc: removes every unpacked image in the cache that no sandbox
 * holds (cw_oci_hold), each renamed away under an exclusive lock first so
 * that a sandbox starting meanwhile never sees half of one. Reports each
 * with its size through fn; dry_run removes nothing. Returns how many, or
 * -1 with err.
 */
int cw_oci_gc(bool dry_run, void (*fn)(void *data, const char *dir,
	unsigned long long bytes, bool in_use), void *data, char *err,
	size_t errlen);

/* In the helper: where unpacking reports its progress (--progress-fd),
 * lines of "LAYER NLAYERS BYTES"; -1: nowhere. */
extern int cw_oci_progress_fd;

/* The helper's side of that: writes conf to f. */
void cw_oci_config_write(const struct cw_oci_config *conf, FILE *f);

#endif
