/*
 * Each running app's permission state (its proxy's, or its sandbox's
 * without a display) listens on a control socket in
 * $XDG_RUNTIME_DIR/crate-wl/control/, so that `crate-wl permissions revoke`
 * reaches running apps at once. One line per connection:
 *   revoke APP PERMISSION     forget what was allowed, stop captures
 *   refresh APP PERMISSION    read the store again (after a grant)
 *   reset APP                 revoke everything
 * answered by "ok" (or "ignored" for another app).
 */
#ifndef CW_CONTROL_H
#define CW_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

struct cw_loop;
struct cw_permissions;
struct cw_control;

/* Listens for perms, in loop (perms outlives it). */
struct cw_control *cw_control_create(struct cw_loop *loop,
	struct cw_permissions *perms, char *err, size_t errlen);
/* released: in a process that forked and left the socket to the other
 * (nothing of it is removed). */
void cw_control_destroy(struct cw_control *control, bool released);

/* Tells every running proxy (verb "revoke" or "refresh"; permission NULL
 * means reset); returns how many acted on it. */
int cw_control_notify(const char *verb, const char *app,
	const char *permission);

#endif
