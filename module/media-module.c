/* The entry of crate-wl-media.so (see media-module.h). */
#include "media-module.h"
#include "media-pw.h"

__attribute__((visibility("default")))
extern const struct cw_media_module cw_media_module;

const struct cw_media_module cw_media_module = {
	.version = CW_MEDIA_MODULE_VERSION,
	.media_start = cw_sandbox_media_start,
	.media_stop = cw_sandbox_media_stop,
	.pw_socket_path = cw_media_pw_socket_path,
	.screencast_create = cw_launch_screencast_create,
	.screencast_revoke = cw_launch_screencast_revoke,
	.screencast_destroy = cw_launch_screencast_destroy,
};
