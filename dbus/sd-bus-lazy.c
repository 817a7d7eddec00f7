#include <dlfcn.h>
#include <stdio.h>
#define CW_SD_BUS_LAZY_IMPL
#include "sd-bus-lazy.h"

#define LIBSYSTEMD "libsystemd.so.0"

struct cw_sd_bus_funcs cw_sd_bus;

bool cw_sd_bus_load(char *err, size_t errlen)
{
	static void *lib;
	static char failed[256];
	if (lib != NULL) {
		return true;
	}
	if (failed[0] != '\0') {
		snprintf(err, errlen, "%s", failed);
		return false;
	}
	void *handle = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		snprintf(failed, sizeof(failed), "cannot load %s (package "
			"libsystemd0): %s", LIBSYSTEMD, dlerror());
		snprintf(err, errlen, "%s", failed);
		return false;
	}
	struct cw_sd_bus_funcs funcs;
#define CW_SD_BUS_SYM(name) \
	if ((*(void **)&funcs.name = dlsym(handle, #name)) == NULL) { \
		snprintf(failed, sizeof(failed), "%s has no %s: too old", \
			LIBSYSTEMD, #name); \
		snprintf(err, errlen, "%s", failed); \
		dlclose(handle); \
		return false; \
	}
	CW_SD_BUS_FUNCS(CW_SD_BUS_SYM)
#undef CW_SD_BUS_SYM
	cw_sd_bus = funcs;
	lib = handle;
	return true;
}
