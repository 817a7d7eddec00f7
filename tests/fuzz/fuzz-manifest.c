/* libFuzzer: .crate manifests (sandbox/manifest.c over common/ini.c). */
#include <stdint.h>
#include "fuzz-file.h"
#include "manifest.h"

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
	cw_manifest_destroy(m);
	return 0;
}
