/*
 * The notification portals (notification.c): the portal's interface and
 * org.freedesktop.Notifications, forwarded to the desktop's, and their
 * bounds.
 */
#ifndef CW_NOTIFICATION_H
#define CW_NOTIFICATION_H

#include <stdbool.h>
#include "portal.h"

#define CW_NOTIFY_MAX_SUMMARY 256  /* bytes; longer is cut */
#define CW_NOTIFY_MAX_BODY 4096
#define CW_NOTIFY_MAX_ACTIONS 8    /* buttons, with the default action */
#define CW_NOTIFY_MAX_NOTES 64     /* followed at once, per sandbox */
/* the rate: a burst of CW_NOTIFY_BURST, then one every
 * CW_NOTIFY_EVERY_MS (crate-wl-portals(7)) */
#define CW_NOTIFY_BURST 10
#define CW_NOTIFY_EVERY_MS 1000

extern const struct cw_portal cw_portal_notification;

/* A theme icon's name (never a path): what an app's icon may be. */
bool cw_notify_icon_name_ok(const char *s);
/* s with & < > as entities: text to a daemon that reads markup (malloc'd,
 * NULL when out of memory). */
char *cw_notify_markup_escape(const char *s);

#endif
