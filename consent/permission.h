/*
 * Permission decisions for one app (one proxy, one sandbox, with or
 * without a display): the policy's value, the
 * answers given for this run, the store's "always" and "never", and the
 * prompt that asks when none of those decides. Requests that wait for the
 * same permission share one prompt.
 */
#ifndef CW_PERMISSION_H
#define CW_PERMISSION_H

#include <stdbool.h>
#include <stdint.h>
#include "list.h"
#include "capability.h"
#include "listener.h"

struct cw_prompter;
struct cw_prompt;

struct cw_perm_state {
	bool run_allowed;   /* "allow for this run", or the store said allow */
	/* stored holds the store's answer (after a revoke: ASK, until a
	 * refresh says to read the store again) */
	bool store_checked;
	/* revoked in this run: a policy of allow (or focus) asks from now
	 * on, as ask does; a grant or an answer allows again */
	bool revoked;
	enum cw_decision stored; /* allow, deny, or ask (nothing stored) */
	struct cw_prompt *prompt; /* open question, if any */
	struct cw_permissions *owner; /* for the prompt's answer */
	enum cw_capability cap;
	struct cw_list waiters;   /* cw_consent_listener::link, told once */
};

/*
 * What the state tells its owner in words: the trace (ASK, ASKED→...,
 * REVOKED) and what a user is told (a denial), at most a line a second
 * per kind (the owner's).
 */
struct cw_consent_sink {
	void (*trace)(void *data, const char *what, const char *text);
	void (*denied)(void *data, const char *text);
	void *data;
};

struct cw_permissions {
	/* the policy's rules, by capability: owned by whoever owns the
	 * policy (the proxy), which outlives this */
	const struct cw_cap_rule *rules;
	struct cw_consent_sink sink;
	char *app;   /* the store's key */
	char *label; /* who asks, in prompts; NULL: app */
	struct cw_prompter *prompter; /* NULL: nobody to ask, so deny */
	char *store_path;             /* NULL: no store */
	struct cw_perm_state state[CW_CAP_COUNT];
	/* who acts on revokes and new grants (the proxy's captures and
	 * clipboard managers, media, ScreenCast): cw_consent_listener::link */
	struct cw_list listeners;
};

struct cw_permissions *cw_permissions_create(const struct cw_cap_rule *rules,
	const struct cw_consent_sink *sink, const char *app,
	struct cw_prompter *prompter, const char *store_path);
void cw_permissions_destroy(struct cw_permissions *perms);
/* What prompts call the app ("evil.crate in ~/Downloads"). */
bool cw_permissions_set_label(struct cw_permissions *perms,
	const char *label);

/* Allowed now, denied, or ask (call cw_permissions_wait). */
enum cw_decision cw_permissions_check(struct cw_permissions *perms,
	enum cw_capability cap);

/*
 * Queue for the answer (allow or deny, once, to answer->changed; it may
 * come before this returns); opens a prompt unless one is open already.
 * detail: what is asked, in words (NULL: the capability's help line).
 * cw_consent_unlisten withdraws from the question.
 */
void cw_permissions_wait(struct cw_permissions *perms, enum cw_capability cap,
	const char *detail, struct cw_consent_listener *answer);

/* Is a question open? */
bool cw_permissions_asking(const struct cw_permissions *perms);

/* Forget run grants and cached store answers, and the policy's allow
 * for the rest of the run (it asks as ask does); listeners hear deny. */
void cw_permissions_revoke(struct cw_permissions *perms, enum cw_capability cap);
/* Was the permission revoked in this run (see cw_perm_state)? */
bool cw_permissions_revoked(const struct cw_permissions *perms,
	enum cw_capability cap);
/* Read the store again; listeners hear allow if that allows it now. */
void cw_permissions_refresh(struct cw_permissions *perms,
	enum cw_capability cap);
/* Hears revokes and grants until cw_consent_unlisten. */
void cw_permissions_listen(struct cw_permissions *perms,
	struct cw_consent_listener *listener);

#endif
