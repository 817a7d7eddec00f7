/*
 * While an app captures the screen, the user is told: a trace line and a
 * desktop notification (org.freedesktop.Notifications) where the session
 * bus has one. Capturing starts at the first frame that reaches the app
 * and stops CW_CAPTURE_LINGER_MS after the last one once no
 * ext-image-copy-capture session is left open, at once on a revoke, or
 * when the proxy stops.
 */
#ifndef CW_CAPTURING_H
#define CW_CAPTURING_H

#define CW_CAPTURE_LINGER_MS 2000

struct cw_proxy;

/* A frame reached the app. */
void cw_capturing_frame(struct cw_proxy *proxy);
/* The capture ended now (a revoke). */
void cw_capturing_stop(struct cw_proxy *proxy, const char *why);
void cw_capturing_destroy(struct cw_proxy *proxy);
/* In a process that forked and left the serving to the other. */
void cw_capturing_release(struct cw_proxy *proxy);

#endif
