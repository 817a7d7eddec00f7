/*
 * Permission decisions for one proxy (one app): the policy's value, the
 * answers given for this run, the store's "always" and "never", and the
 * prompt that asks when none of those decides. Requests that wait for the
 * same permission share one prompt.
 */
#ifndef CW_PERMISSION_H
#define CW_PERMISSION_H

#include <stdbool.h>
#include <stdint.h>
#include "list.h"
#include "policy.h"
#include "verdict.h"

struct cw_proxy;
struct cw_prompter;
struct cw_prompt;

#define CW_CAP_COUNT 5

struct cw_perm_waiter {
	struct cw_list link; /* cw_perm_state::waiters */
	void (*done)(struct cw_perm_waiter *waiter, bool allowed);
};

struct cw_perm_state {
	bool run_allowed;   /* "allow for this run", or the store said allow */
	/* stored holds the store's answer (after a revoke: ASK, until a
	 * refresh says to read the store again) */
	bool store_checked;
	/* revoked in this run: a policy of allow (or focus) asks from now
	 * on, as ask does; a grant or an answer allows again */
	bool revoked;
	enum cw_verdict stored; /* PASS, DENY, or ASK (nothing stored) */
	struct cw_prompt *prompt; /* open question, if any */
	struct cw_permissions *owner; /* for the prompt's answer */
	enum cw_capability cap;
	struct cw_list waiters;   /* cw_perm_waiter::link */
};

/* Other parts of the sandbox (media) that act on revokes and grants. */
struct cw_perm_listener {
	struct cw_list link; /* cw_permissions::listeners */
	void (*revoked)(struct cw_perm_listener *listener,
		enum cw_capability cap);
	/* the store may say something new (crate-wl permissions grant) */
	void (*refreshed)(struct cw_perm_listener *listener,
		enum cw_capability cap);
};

struct cw_permissions {
	struct cw_proxy *proxy;
	char *app;   /* the store's key */
	char *label; /* who asks, in prompts; NULL: app */
	struct cw_prompter *prompter; /* NULL: nobody to ask, so deny */
	char *store_path;             /* NULL: no store */
	struct cw_perm_state state[CW_CAP_COUNT];
	struct cw_list listeners; /* cw_perm_listener::link */
};

struct cw_permissions *cw_permissions_create(struct cw_proxy *proxy,
	const char *app, struct cw_prompter *prompter, const char *store_path);
void cw_permissions_destroy(struct cw_permissions *perms);
/* What prompts call the app ("evil.crate in ~/Downloads"). */
bool cw_permissions_set_label(struct cw_permissions *perms,
	const char *label);

/* PASS (allowed now), DENY, or ASK (call cw_permissions_wait). */
enum cw_verdict cw_permissions_check(struct cw_permissions *perms,
	enum cw_capability cap);

/* Queue for the answer; opens a prompt unless one is open already. */
void cw_permissions_wait(struct cw_permissions *perms, enum cw_capability cap,
	const char *detail, struct cw_perm_waiter *waiter);
void cw_permissions_cancel_wait(struct cw_perm_waiter *waiter);

/* Is a question open? */
bool cw_permissions_asking(const struct cw_permissions *perms);

/* Forget run grants and cached store answers, and the policy's allow
 * for the rest of the run (it asks as ask does); running captures fail,
 * listeners hear it. */
void cw_permissions_revoke(struct cw_permissions *perms, enum cw_capability cap);
/* Was the permission revoked in this run (see cw_perm_state)? */
bool cw_permissions_revoked(const struct cw_permissions *perms,
	enum cw_capability cap);
/* Read the store again next time; listeners hear it. */
void cw_permissions_refresh(struct cw_permissions *perms,
	enum cw_capability cap);
void cw_permissions_add_listener(struct cw_permissions *perms,
	struct cw_perm_listener *listener);
void cw_permissions_remove_listener(struct cw_perm_listener *listener);

#endif
