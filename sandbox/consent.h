/*
 * What a manifest asks for, in a person's words, and the user's yes before
 * a manifest runs for the first time or is installed. Confirmations are
 * remembered by the manifest's hash in $XDG_STATE_HOME/crate-wl/confirmed
 * (~/.local/state/crate-wl/confirmed), outside every sandbox.
 */
#ifndef CW_CONSENT_H
#define CW_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "sandbox.h"

struct cw_policy;

/* One line each: home, binds, network, devices, display, media, x11... */
void cw_consent_describe(const struct cw_sandbox_config *cfg,
	const struct cw_policy *policy, FILE *f);

/* Was the manifest with this hash (hex sha256) confirmed before? */
bool cw_consent_known(const char *hash);
bool cw_consent_remember(const char *hash, char *err, size_t errlen);

enum cw_consent_answer {
	CW_CONSENT_YES,
	CW_CONSENT_NO,
	CW_CONSENT_NO_TERMINAL, /* stdin or stderr is not a terminal */
};

/*
 * On a terminal (stdin and stderr): "WHO asks for:", what cfg grants, then
 * "QUESTION [y/N]" and the answer from stdin. Without one it prints
 * nothing and answers CW_CONSENT_NO_TERMINAL.
 */
enum cw_consent_answer cw_consent_ask(const char *who,
	const struct cw_sandbox_config *cfg, const struct cw_policy *policy,
	const char *question);

#endif
