/*
 * The ScreenCast portal in the host's table: its code is the media
 * module's, loaded only now (a sandbox that never shares its screen never
 * loads libpipewire for it).
 */
#include <stdio.h>
#include <stdlib.h>
#include "launch-screencast.h"
#include "media-module.h"

struct screencast {
	const struct cw_media_module *mm;
	struct cw_launch_screencast *ls;
};

static void *start(struct cw_portal_host *host,
	const struct cw_portal_env *env, char *err, size_t errlen)
{
	const struct cw_media_module *mm = cw_media_module_load(err, errlen);
	if (mm == NULL) {
		return NULL;
	}
	struct screencast *sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sc->mm = mm;
	sc->ls = mm->screencast_create(host, env, err, errlen);
	if (sc->ls == NULL) {
		free(sc);
		return NULL;
	}
	return sc;
}

static void screencast_revoke(void *state, enum cw_capability cap)
{
	struct screencast *sc = state;
	sc->mm->screencast_revoke(sc->ls, cap);
}

static void stop(void *state)
{
	struct screencast *sc = state;
	sc->mm->screencast_destroy(sc->ls);
	free(sc);
}

const struct cw_portal cw_portal_screencast = {
	.name = "ScreenCast",
	.start = start,
	.revoke = screencast_revoke,
	.stop = stop,
};
