#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "permission.h"
#include "prompt.h"
#include "store.h"

static void trace(struct cw_permissions *perms, const char *what,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void denied(struct cw_permissions *perms, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace(struct cw_permissions *perms, const char *what,
	const char *fmt, ...)
{
	if (perms->sink.trace == NULL) {
		return;
	}
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	perms->sink.trace(perms->sink.data, what, text);
}

static void denied(struct cw_permissions *perms, const char *fmt, ...)
{
	if (perms->sink.denied == NULL) {
		return;
	}
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	perms->sink.denied(perms->sink.data, text);
}

struct cw_permissions *cw_permissions_create(const struct cw_cap_rule *rules,
	const struct cw_consent_sink *sink, const char *app,
	struct cw_prompter *prompter, const char *store_path)
{
	struct cw_permissions *perms = calloc(1, sizeof(*perms));
	if (perms == NULL) {
		return NULL;
	}
	perms->rules = rules;
	if (sink != NULL) {
		perms->sink = *sink;
	}
	perms->app = strdup(app);
	perms->prompter = prompter;
	perms->store_path = store_path ? strdup(store_path) : NULL;
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		cw_list_init(&perms->state[i].waiters);
		perms->state[i].owner = perms;
		perms->state[i].cap = i;
	}
	cw_list_init(&perms->listeners);
	return perms;
}

static void answer_waiters(struct cw_perm_state *st, bool allowed)
{
	cw_consent_tell(&st->waiters, st->cap, allowed ? CW_DECISION_ALLOW :
		CW_DECISION_DENY, true);
}

void cw_permissions_destroy(struct cw_permissions *perms)
{
	if (perms == NULL) {
		return;
	}
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		/* the prompt's context is the state itself (see
		 * cw_permissions_wait): nothing else to free */
		cw_prompt_cancel(perms->state[i].prompt);
		/* waiters belong to connections, which go first */
	}
	cw_prompter_destroy(perms->prompter);
	free(perms->app);
	free(perms->label);
	free(perms->store_path);
	free(perms);
}

bool cw_permissions_set_label(struct cw_permissions *perms,
	const char *label)
{
	char *copy = strdup(label);
	if (copy == NULL) {
		return false;
	}
	free(perms->label);
	perms->label = copy;
	return true;
}

static enum cw_decision stored_decision(struct cw_permissions *perms,
	enum cw_capability cap)
{
	struct cw_perm_state *st = &perms->state[cap];
	if (st->store_checked) {
		return st->stored;
	}
	st->store_checked = true;
	st->stored = CW_DECISION_ASK;
	if (perms->store_path == NULL) {
		return st->stored;
	}
	struct cw_store store;
	char err[1024];
	if (!cw_store_load(perms->store_path, &store, err, sizeof(err))) {
		/* ask rather than guess; the user sees why */
		cw_msg("%s", err);
		return st->stored;
	}
	switch (cw_store_lookup(&store, perms->app, cw_capability_name(cap))) {
	case CW_GRANT_UNSET:
		break;
	case CW_GRANT_ALLOW:
		st->stored = CW_DECISION_ALLOW;
		break;
	case CW_GRANT_DENY:
		st->stored = CW_DECISION_DENY;
		break;
	}
	cw_store_finish(&store);
	return st->stored;
}

enum cw_decision cw_permissions_check(struct cw_permissions *perms,
	enum cw_capability cap)
{
	/* focus: allowed here; the clipboard's rules see to the focus */
	switch (perms->rules[cap].decision) {
	case CW_DECISION_ALLOW:
		if (perms->state[cap].revoked) {
			break; /* a revoke makes allow ask */
		}
		return CW_DECISION_ALLOW;
	case CW_DECISION_DENY:
		return CW_DECISION_DENY;
	case CW_DECISION_ASK:
		break;
	}
	if (perms->state[cap].run_allowed) {
		return CW_DECISION_ALLOW;
	}
	return stored_decision(perms, cap);
}

static void store_answer(struct cw_permissions *perms, enum cw_capability cap,
	enum cw_grant grant)
{
	if (perms->store_path == NULL) {
		return;
	}
	char err[1024];
	if (!cw_store_update(perms->store_path, perms->app,
			cw_capability_name(cap), grant, err, sizeof(err))) {
		cw_msg("the answer holds for this run only: %s", err);
	}
}

static void prompt_done(void *data, enum cw_answer answer, const char *why)
{
	struct cw_perm_state *st = data;
	struct cw_permissions *perms = st->owner;
	enum cw_capability cap = st->cap;
	st->prompt = NULL;
	bool allowed = false;
	switch (answer) {
	case CW_ANSWER_ALLOW_ONCE:
		allowed = true;
		break;
	case CW_ANSWER_ALLOW_RUN:
		allowed = true;
		st->run_allowed = true;
		break;
	case CW_ANSWER_ALLOW_ALWAYS:
		allowed = true;
		st->run_allowed = true;
		store_answer(perms, cap, CW_GRANT_ALLOW);
		break;
	case CW_ANSWER_DENY_ALWAYS:
		store_answer(perms, cap, CW_GRANT_DENY);
		st->store_checked = true;
		st->stored = CW_DECISION_DENY;
		break;
	case CW_ANSWER_DENY_ONCE:
		break;
	}
	if (why != NULL) {
		denied(perms, "%s: %s denied: %s",
			perms->app, cw_capability_name(cap), why);
	}
	trace(perms, allowed ? "ASKED→allowed" : "ASKED→denied",
		"%s for %s (%s%s%s)", cw_capability_name(cap), perms->app,
		cw_answer_name(answer), why ? ": " : "", why ? why : "");
	answer_waiters(st, allowed);
}

void cw_permissions_wait(struct cw_permissions *perms, enum cw_capability cap,
	const char *detail, struct cw_consent_listener *answer)
{
	struct cw_perm_state *st = &perms->state[cap];
	cw_consent_listen(&st->waiters, answer);
	if (st->prompt != NULL) {
		return; /* shares the open question */
	}
	if (perms->prompter == NULL) {
		trace(perms, "ASKED→denied", "%s for %s (no "
			"prompt front-end: --prompt none)",
			cw_capability_name(cap), perms->app);
		answer_waiters(st, false);
		return;
	}
	if (detail == NULL) {
		detail = cw_capability_info(cap)->help;
	}
	struct cw_prompt_request req = {
		.app = perms->label ? perms->label : perms->app,
		.permission = cw_capability_name(cap),
		.detail = detail,
	};
	/* the state is the prompt's context: nothing to free when a prompt
	 * is cancelled rather than answered */
	st->prompt = cw_prompt_start(perms->prompter, &req, prompt_done, st);
	if (st->prompt == NULL) {
		denied(perms, "%s: cannot open a "
			"prompt for %s: denied", perms->app,
			cw_capability_name(cap));
		answer_waiters(st, false);
		return;
	}
	trace(perms, "ASK", "%s for %s: %s",
		cw_capability_name(cap), perms->app, detail);
}

bool cw_permissions_asking(const struct cw_permissions *perms)
{
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (perms->state[i].prompt != NULL) {
			return true;
		}
	}
	return false;
}

void cw_permissions_revoke(struct cw_permissions *perms, enum cw_capability cap)
{
	struct cw_perm_state *st = &perms->state[cap];
	st->run_allowed = false;
	/* the store's answer too, until a refresh: crate-wl permissions
	 * tells running instances before it writes the store */
	st->store_checked = true;
	st->stored = CW_DECISION_ASK;
	st->revoked = true;
	trace(perms, "REVOKED", "%s for %s",
		cw_capability_name(cap), perms->app);
	cw_consent_tell(&perms->listeners, cap, CW_DECISION_DENY, false);
}

bool cw_permissions_revoked(const struct cw_permissions *perms,
	enum cw_capability cap)
{
	return perms->state[cap].revoked;
}

void cw_permissions_refresh(struct cw_permissions *perms,
	enum cw_capability cap)
{
	perms->state[cap].store_checked = false;
	/* a new grant: nothing to take back, something may start */
	if (cw_permissions_check(perms, cap) == CW_DECISION_ALLOW) {
		cw_consent_tell(&perms->listeners, cap, CW_DECISION_ALLOW,
			false);
	}
}

void cw_permissions_listen(struct cw_permissions *perms,
	struct cw_consent_listener *listener)
{
	cw_consent_listen(&perms->listeners, listener);
}
