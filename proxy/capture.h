/* Screen capture interception: wlr-screencopy, wlr-export-dmabuf and
 * ext-image-copy-capture go through the screencopy permission. */
#ifndef CW_CAPTURE_H
#define CW_CAPTURE_H

#include <stdbool.h>

struct cw_proxy;

bool cw_capture_filter_init(void);
/* Listens on proxy->perms: when screencopy is revoked, running captures
 * fail from their next frame on. */
void cw_capture_listen(struct cw_proxy *proxy);
/* Does a client hold an ext-image-copy-capture session that may capture? */
bool cw_capture_session_open(struct cw_proxy *proxy);

#endif
