/*
 * One desktop notification at a time, through org.freedesktop.Notifications
 * on the session bus: shown with Notify, withdrawn with CloseNotification.
 * Nothing waits: the calls go out from the proxy's loop. With no bus or no
 * notification service the notification is simply not there; the note
 * callback says why (for the trace), and nothing else fails.
 */
#ifndef CW_NOTIFY_H
#define CW_NOTIFY_H

#include <stdbool.h>
#include "loop.h"

struct cw_notifier;

/* note: told what happened, in words (may be NULL). */
struct cw_notifier *cw_notifier_create(struct cw_loop *loop,
	void (*note)(void *data, const char *text), void *data);
/* Withdraws a notification still shown (a short blocking flush: only
 * for when the proxy stops). */
void cw_notifier_destroy(struct cw_notifier *n);
/* In a forked process that leaves the bus to the other: frees without
 * touching the connection's peer. */
void cw_notifier_release(struct cw_notifier *n);

/* Shows the notification unless it is already up (persistent: no expiry). */
void cw_notifier_show(struct cw_notifier *n, const char *summary,
	const char *body);
/* Withdraws it, if shown. */
void cw_notifier_close(struct cw_notifier *n);

#endif
