/*
 * The launcher's side of the portals: one host per sandbox, made when the
 * app first connects to its bus (see portal.h).
 */
#ifndef CW_PORTAL_HOST_H
#define CW_PORTAL_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include "confined.h"
#include "portal.h"

struct cw_portal_host_config {
	/* copied; what it points to outlives the host */
	struct cw_portal_env env;
	/* env.dir/bus, listening, the app's first connection waiting on
	 * it: taken over, closed on failure too */
	int listen_fd;
	/* starts the daemon as confined as the app (cw_confined_spawn) */
	cw_confined_spawn_func spawn;
	/* started in order once the bus is up */
	const struct cw_portal *const *portals;
	size_t nportals;
};

/* Starts the bus's daemon without waiting for it; the portals start once
 * it runs. NULL + err on failure. */
struct cw_portal_host *cw_portal_host_create(
	const struct cw_portal_host_config *cfg, char *err, size_t errlen);
void cw_portal_host_destroy(struct cw_portal_host *host);

#endif
