/* libFuzzer: the permission store (consent/store.c over common/ini.c). */
#include <stdint.h>
#include "fuzz-file.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char *path = fuzz_write_file("permissions", data, len);
	struct cw_store store;
	char err[512] = "";
	if (!cw_store_load(path, &store, err, sizeof(err))) {
		if (err[0] == '\0') {
			abort(); /* a refusal always says why */
		}
		return 0;
	}
	for (size_t i = 0; i < store.n; i++) {
		const struct cw_store_entry *e = &store.entries[i];
		if (!cw_store_valid_app(e->app) ||
				!cw_store_valid_permission(e->permission) ||
				cw_store_lookup(&store, e->app, e->permission) ==
					CW_GRANT_UNSET) {
			abort(); /* only valid entries are loaded, and found */
		}
	}
	/* an update rewrites the file; it must load back */
	if (cw_store_update(path, "fuzz", "screencopy", CW_GRANT_ALLOW, err,
			sizeof(err))) {
		struct cw_store again;
		if (!cw_store_load(path, &again, err, sizeof(err)) ||
				cw_store_lookup(&again, "fuzz", "screencopy") !=
					CW_GRANT_ALLOW) {
			abort();
		}
		cw_store_finish(&again);
	}
	cw_store_finish(&store);
	return 0;
}
