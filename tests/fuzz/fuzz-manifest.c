/* libFuzzer: .crate manifests (launcher/manifest.c over common/ini.c). */
#include <stdint.h>
#include <string.h>
#include "fuzz-file.h"
#include "manifest.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *path = fuzz_write_file("app.crate", data, len);
	struct cw_ini_error err = { .message = "" };
	struct cw_manifest *m = cw_manifest_load(path, &err);
	if (m == NULL) {
		if (err.message[0] == '\0') {
			abort(); /* a refusal always says why */
		}
		return 0;
	}
	if (m->argc == 0 || m->argv == NULL || m->argv[m->argc] != NULL ||
			m->name == NULL) {
		abort(); /* a loaded manifest has a command and a name */
	}
	if (m->cfg->prompt != NULL) {
		abort(); /* who asks the user is never a manifest's choice */
	}
	for (size_t i = 0; i < m->cfg->nbinds; i++) {
		if (m->cfg->binds[i].src[0] != '/') {
			abort(); /* host paths are absolute */
		}
	}
	/* written to a scratch directory: not installed, so its identity is
	 * its file's, never the name it gives itself */
	if (!cw_manifest_identify(m, NULL) || m->installed ||
			strncmp(m->cfg->app, "file:", 5) != 0 ||
			!cw_store_valid_app(m->cfg->app) || m->label == NULL) {
		abort();
	}
	cw_manifest_destroy(m);
	return 0;
}
