/* Loads crate-wl-media.so on first use (see media-module.h). */
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include "media-module.h"

#define MODULE_NAME "crate-wl-media.so"

static const struct cw_media_module *loaded;

static bool find_module(char *out, size_t len)
{
	/* next to the crate-wl that runs, in a build tree */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((size_t)snprintf(out, len, "%s/../module/" MODULE_NAME,
				dirname(self)) < len && access(out, R_OK) == 0) {
			return true;
		}
	}
	return (size_t)snprintf(out, len, "%s/" MODULE_NAME, CW_MODULEDIR) <
		len && access(out, R_OK) == 0;
}

static bool found(char *path, size_t len, char *err, size_t errlen)
{
	if (!find_module(path, len)) {
		snprintf(err, errlen, "crate-wl's media module is not "
			"installed (%s/" MODULE_NAME ")", CW_MODULEDIR);
		return false;
	}
	return true;
}

bool cw_media_module_present(char *err, size_t errlen)
{
	char path[PATH_MAX];
	return loaded != NULL || found(path, sizeof(path), err, errlen);
}

const struct cw_media_module *cw_media_module_load(char *err, size_t errlen)
{
	if (loaded != NULL) {
		return loaded;
	}
	char path[PATH_MAX];
	if (!found(path, sizeof(path), err, errlen)) {
		return NULL;
	}
	/* never unloaded: the loop may hold its callbacks until the end */
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		snprintf(err, errlen, "cannot load %s: %s", path, dlerror());
		return NULL;
	}
	const struct cw_media_module *m = dlsym(handle,
		CW_MEDIA_MODULE_SYMBOL);
	if (m == NULL || m->version != CW_MEDIA_MODULE_VERSION) {
		snprintf(err, errlen, "%s: not a media module of this "
			"crate-wl (%s)", path, m == NULL ? dlerror() :
			"another version");
		dlclose(handle);
		return NULL;
	}
	loaded = m;
	return loaded;
}
