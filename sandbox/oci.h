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

/* "oci:DIR[:REF]" with DIR made absolute; false with err. */
bool cw_oci_normalize(const char *spec, char *out, size_t len, char *err,
	size_t errlen);

/*
 * The root directory for spec. With unpack false (--dry-run) it only
 * resolves and verifies the manifest; the directory may not exist yet.
 */
bool cw_oci_prepare(const char *spec, bool unpack, char *root, size_t len,
	char *err, size_t errlen);

/*
 * cw_oci_prepare in the crate-wl-oci helper process (crate-wl itself does
 * not link libarchive or json-c): the same contract.
 */
bool cw_oci_root(const char *spec, bool dry_run, char *root, size_t len,
	char *err, size_t errlen);

#endif
