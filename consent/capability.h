/*
 * The capabilities crate-wl asks the user about, from one table
 * (capabilities.def), and the one decision type of every permission
 * check: allow, ask or deny.
 */
#ifndef CW_CAPABILITY_H
#define CW_CAPABILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a check answers. Zero is deny: what nobody set is refused. */
enum cw_decision {
	CW_DECISION_DENY,
	CW_DECISION_ASK,
	CW_DECISION_ALLOW,
};

/* The words a capability's policy key takes (the table's values). */
enum cw_word {
	CW_WORD_DENY = 1 << 0,
	CW_WORD_FOCUS = 1 << 1, /* allow, while the app has keyboard focus */
	CW_WORD_ASK = 1 << 2,
	CW_WORD_ALLOW = 1 << 3,
};

enum cw_capability {
#define CW_CAPABILITY(id, name, key, values, strict, dflt, trusted, help) \
	CW_CAP_##id,
#include "capabilities.def"
#undef CW_CAPABILITY
};

/* outside the enum, so that switches on one need no case for it */
enum {
	CW_CAP_COUNT = 0
#define CW_CAPABILITY(id, name, key, values, strict, dflt, trusted, help) + 1
#include "capabilities.def"
#undef CW_CAPABILITY
};

/* A policy's value for one capability: its decision, and for "focus" an
 * allow that holds only while the app has keyboard focus. */
struct cw_cap_rule {
	enum cw_decision decision;
	bool focus;
};

struct cw_capability_info {
	const char *name; /* the store's, the prompts' */
	const char *key;  /* the policy key, "SECTION.KEY": "media.camera" */
	unsigned words;      /* enum cw_word, ored */
	/* by base policy: strict, default, trusted (enum cw_policy_base) */
	enum cw_word defaults[3];
	const char *help;
};

const struct cw_capability_info *cw_capability_info(enum cw_capability cap);
const char *cw_capability_name(enum cw_capability cap);
bool cw_capability_from_name(const char *name, enum cw_capability *out);
/* The capability a SECTION's KEY sets, if any. */
bool cw_capability_from_key(const char *section, const char *key,
	enum cw_capability *out);

/* The value of cap under a base policy (0 strict, 1 default, 2 trusted). */
struct cw_cap_rule cw_capability_default(enum cw_capability cap, int base);
/* One of cap's words; false if it is not one of them. */
bool cw_cap_rule_parse(enum cw_capability cap, const char *word,
	struct cw_cap_rule *out);
/* The word for a rule: "deny", "focus", "ask" or "allow". */
const char *cw_cap_rule_word(struct cw_cap_rule rule);
/* "deny, ask or allow": cap's words, for error messages. */
void cw_capability_expected(enum cw_capability cap, char *buf, size_t len);

/* The keys of SECTION's capabilities, for error messages: "a, b, c", or
 * with or_last "a, b or c". */
void cw_capability_keys(const char *section, bool or_last, char *buf,
	size_t len);

const char *cw_decision_name(enum cw_decision decision);

/* The capabilities, one a line, as crate-wl permissions --help lists them. */
void cw_capability_print_help(FILE *f);

#endif
