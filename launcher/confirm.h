/*
 * What a manifest asks for, in a person's words, and the user's yes before
 * a manifest runs for the first time or is installed. Confirmations are
 * remembered by the manifest's hash in $XDG_STATE_HOME/crate-wl/confirmed
 * (~/.local/state/crate-wl/confirmed), outside every sandbox.
 */
#ifndef CW_CONFIRM_H
#define CW_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "sandbox.h"

struct cw_policy;

/* One line each: home, binds, network, devices, display, media, x11... */
void cw_confirm_describe(const struct cw_sandbox_config *cfg,
	const struct cw_policy *policy, FILE *f);

/* Was the manifest with this hash (hex sha256) confirmed before? */
bool cw_confirm_known(const char *hash);
bool cw_confirm_remember(const char *hash, char *err, size_t errlen);

enum cw_confirm_answer {
	CW_CONFIRM_YES,
	CW_CONFIRM_NO,
	CW_CONFIRM_NO_TERMINAL, /* stdin or stderr is not a terminal */
};

/*
 * On a terminal (stdin and stderr): "WHO asks for:", what cfg grants, then
 * "QUESTION [y/N]" and the answer from stdin. Without one it prints
 * nothing and answers CW_CONFIRM_NO_TERMINAL.
 */
enum cw_confirm_answer cw_confirm_ask(const char *who,
	const struct cw_sandbox_config *cfg, const struct cw_policy *policy,
	const char *question);
/* The same for a question of its own: "QUESTION [y/N]" on a terminal. */
enum cw_confirm_answer cw_confirm_yes_no(const char *question);

#endif
