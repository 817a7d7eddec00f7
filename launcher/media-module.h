/*
 * The media module: the sandbox's PipeWire side (its relay, its nodes, the
 * ScreenCast portal) lives in crate-wl-media.so, loaded only by a sandbox
 * that has media or screen sharing. libpipewire and libwayland-client then
 * cost nothing to every other start of crate-wl (about 1 ms per exec here).
 *
 * The module's code calls back into crate-wl (the loop, the permissions,
 * the log), which exports its symbols for that (cli/meson.build).
 */
#ifndef CW_MEDIA_MODULE_H
#define CW_MEDIA_MODULE_H

#include <stddef.h>
#include "launch-screencast.h"
#include "media-policy.h"

#define CW_MEDIA_MODULE_SYMBOL "cw_media_module"
#define CW_MEDIA_MODULE_VERSION 4

struct cw_media_module {
	int version; // CW_MEDIA_MODULE_VERSION
	struct cw_sandbox_media *(*media_start)(struct cw_loop *loop,
		const struct cw_sandbox_config *cfg,
		struct cw_permissions *perms, const char *app,
		const char *instance, const char *socket_path,
		char *err, size_t errlen);
	void (*media_stop)(struct cw_sandbox_media *sm);
	/* the host's PipeWire socket, for the plan */
	void (*pw_socket_path)(char *out, size_t len);
	/* the ScreenCast portal, when the portals start (see
	 * launch-screencast.h) */
	struct cw_launch_screencast *(*screencast_create)(
		struct cw_portal_host *host, const struct cw_portal_env *env,
		char *err, size_t errlen);
	void (*screencast_revoke)(struct cw_launch_screencast *ls,
		enum cw_capability cap);
	void (*screencast_destroy)(struct cw_launch_screencast *ls);
};

/* Loads the module once (next to a build tree's crate-wl, else from the
 * installed module directory); NULL with the reason in err. */
const struct cw_media_module *cw_media_module_load(char *err, size_t errlen);
/* Whether there is a module to load, without loading it; false with the
 * reason in err. */
bool cw_media_module_present(char *err, size_t errlen);

#endif
