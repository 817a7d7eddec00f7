/*
 * A session bus connection inside the proxy's cw_loop (sd-bus). It is made
 * when first needed and again after it dropped; its fd and sd-bus's own
 * deadline (a timerfd) are watched by the loop, so nothing ever waits on
 * the bus. Used by the portal prompt and the capture notification.
 */
#ifndef CW_BUS_H
#define CW_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include "sd-bus-lazy.h"
#include "loop.h"

struct cw_bus {
	struct cw_loop *loop;
	sd_bus *bus; /* NULL until connected, or after it dropped */
	struct cw_source source;
	struct cw_source timer; /* sd_bus_get_timeout(), absolute */
	/* the fd or the deadline fired: call cw_bus_process() */
	void (*ready)(struct cw_bus *bus);
};

/* sd-bus finds the session bus from DBUS_SESSION_BUS_ADDRESS or
 * XDG_RUNTIME_DIR: is either set? */
bool cw_bus_findable(void);

bool cw_bus_init(struct cw_bus *bus, struct cw_loop *loop,
	void (*ready)(struct cw_bus *bus));
void cw_bus_finish(struct cw_bus *bus);

/* Connects unless connected (without waiting: authentication runs
 * later from the loop); false: why says why. */
bool cw_bus_connect(struct cw_bus *bus, const char *user, char *why,
	size_t len);

/* Watches a connection made elsewhere (a private bus); takes it. */
bool cw_bus_adopt(struct cw_bus *bus, sd_bus *b, char *why, size_t len);

/* Runs sd-bus until idle. < 0: the bus went away and was dropped (sd-bus
 * has failed the calls in flight, through their callbacks). */
int cw_bus_process(struct cw_bus *bus);

/* Re-arms the fd's events and the deadline after anything was queued. */
void cw_bus_update(struct cw_bus *bus);

void cw_bus_drop(struct cw_bus *bus);

#endif
