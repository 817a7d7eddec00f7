/*
 * The [media] policy of a running sandbox: which devices its PipeWire
 * socket grants from the start, prompts when a stream wants one that is
 * set to ask (the same prompts and store as screen capture, permissions
 * "microphone" and "camera"), and revokes that unlink at once.
 */
#ifndef CW_MEDIA_POLICY_H
#define CW_MEDIA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "loop.h"
#include "sandbox.h"

struct cw_permissions;
struct cw_policy;

/* The proxy's policy learns [media]'s microphone and camera rules, and
 * [portals]' (or the base policy's defaults for them). */
void cw_sandbox_media_policy(const struct cw_sandbox_config *cfg,
	struct cw_policy *policy);
struct cw_sandbox_media;

/*
 * perms: the sandbox's permissions (its proxy's, which the launcher makes
 * without a display too); never NULL: every grant must be revocable, so
 * the nodes follow them and their revokes. socket_path: where the sandbox's pipewire-0 listens on the
 * host. NULL with a message in err.
 */
struct cw_sandbox_media *cw_sandbox_media_start(struct cw_loop *loop,
	const struct cw_sandbox_config *cfg, struct cw_permissions *perms,
	const char *app, const char *instance, const char *socket_path,
	char *err, size_t errlen);
void cw_sandbox_media_stop(struct cw_sandbox_media *sm);

/* For --dry-run. */
void cw_sandbox_media_print(const struct cw_sandbox_config *cfg, FILE *f);
/* The [portals] rules the policy holds, for --dry-run. */
void cw_sandbox_portals_print(const struct cw_policy *policy, FILE *f);

#endif
