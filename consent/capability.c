#include <string.h>
#include "capability.h"

static const struct cw_capability_info table[] = {
#define CW_CAPABILITY(id, name_, key_, values, strict, dflt, trusted, \
		help_) \
	[CW_CAP_##id] = { \
		.name = name_, \
		.key = key_, \
		.words = (values), \
		.defaults = { strict, dflt, trusted }, \
		.help = help_, \
	},
#include "capabilities.def"
#undef CW_CAPABILITY
};

/* every default is one of its capability's words */
#define CW_CAPABILITY(id, name, key, values, strict, dflt, trusted, help) \
	_Static_assert(((values) & (strict)) && ((values) & (dflt)) && \
		((values) & (trusted)), #id ": a default it does not take");
#include "capabilities.def"
#undef CW_CAPABILITY

static const struct {
	enum cw_word word;
	const char *name;
	struct cw_cap_rule rule;
} words[] = {
	{ CW_WORD_DENY, "deny", { CW_DECISION_DENY, false } },
	{ CW_WORD_FOCUS, "focus", { CW_DECISION_ALLOW, true } },
	{ CW_WORD_ASK, "ask", { CW_DECISION_ASK, false } },
	{ CW_WORD_ALLOW, "allow", { CW_DECISION_ALLOW, false } },
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

const struct cw_capability_info *cw_capability_info(enum cw_capability cap)
{
	return &table[cap];
}

const char *cw_capability_name(enum cw_capability cap)
{
	return table[cap].name;
}

bool cw_capability_from_name(const char *name, enum cw_capability *out)
{
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (strcmp(name, table[i].name) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

bool cw_capability_from_key(const char *section, const char *key,
	enum cw_capability *out)
{
	size_t n = strlen(section);
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (strncmp(table[i].key, section, n) == 0 &&
				table[i].key[n] == '.' &&
				strcmp(table[i].key + n + 1, key) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

static struct cw_cap_rule word_rule(enum cw_word word)
{
	for (size_t i = 0; i < NWORDS; i++) {
		if (words[i].word == word) {
			return words[i].rule;
		}
	}
	return words[0].rule;
}

struct cw_cap_rule cw_capability_default(enum cw_capability cap, int base)
{
	return word_rule(table[cap].defaults[base]);
}

bool cw_cap_rule_parse(enum cw_capability cap, const char *word,
	struct cw_cap_rule *out)
{
	for (size_t i = 0; i < NWORDS; i++) {
		if ((table[cap].words & words[i].word) &&
				strcmp(word, words[i].name) == 0) {
			*out = words[i].rule;
			return true;
		}
	}
	return false;
}

const char *cw_cap_rule_word(struct cw_cap_rule rule)
{
	for (size_t i = 0; i < NWORDS; i++) {
		if (words[i].rule.decision == rule.decision &&
				words[i].rule.focus == rule.focus) {
			return words[i].name;
		}
	}
	return "?";
}

void cw_capability_expected(enum cw_capability cap, char *buf, size_t len)
{
	size_t n = 0, left = 0;
	for (size_t i = 0; i < NWORDS; i++) {
		left += (table[cap].words & words[i].word) != 0;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < NWORDS && n < len; i++) {
		if (!(table[cap].words & words[i].word)) {
			continue;
		}
		left--;
		const char *sep = n == 0 ? "" : left == 0 ? " or " : ", ";
		int w = snprintf(buf + n, len - n, "%s%s", sep, words[i].name);
		n += w > 0 ? (size_t)w : 0;
	}
}

void cw_capability_keys(const char *section, bool or_last, char *buf,
	size_t len)
{
	size_t n = strlen(section), used = 0, left = 0;
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		left += strncmp(table[i].key, section, n) == 0 &&
			table[i].key[n] == '.';
	}
	buf[0] = '\0';
	for (int i = 0; i < CW_CAP_COUNT && used < len; i++) {
		if (strncmp(table[i].key, section, n) != 0 ||
				table[i].key[n] != '.') {
			continue;
		}
		left--;
		const char *sep = used == 0 ? "" :
			or_last && left == 0 ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep,
			table[i].key + n + 1);
		used += w > 0 ? (size_t)w : 0;
	}
}

const char *cw_decision_name(enum cw_decision decision)
{
	switch (decision) {
	case CW_DECISION_DENY:
		return "deny";
	case CW_DECISION_ASK:
		return "ask";
	case CW_DECISION_ALLOW:
		return "allow";
	}
	return "?";
}

void cw_capability_print_help(FILE *f)
{
	fprintf(f, "permissions:\n");
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		fprintf(f, "  %-18s %s\n", table[i].name, table[i].help);
	}
}
