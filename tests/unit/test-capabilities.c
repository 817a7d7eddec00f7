/*
 * The capability table (consent/capabilities.def) against the man pages
 * that list it: the permissions of crate-wl-permissions(1), the keys and
 * words of crate-wl-policy(5) ([wayland]), crate-wl-media(7),
 * crate-wl-portals(7) and crate-wl-manifest(5) ([media], [portals]), and
 * the defaults of the built-in
 * policies. Either one drifting from the other fails here.
 *
 * usage: test-capabilities DOCS-DIR
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capability.h"
#include "tap.h"

static const struct {
	enum cw_word word;
	const char *name;
} word_names[] = {
	{ CW_WORD_DENY, "deny" },
	{ CW_WORD_FOCUS, "focus" },
	{ CW_WORD_ASK, "ask" },
	{ CW_WORD_ALLOW, "allow" },
};
#define NWORDS (sizeof(word_names) / sizeof(word_names[0]))

static char *slurp(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static const char *word_name(enum cw_word w)
{
	for (size_t i = 0; i < NWORDS; i++) {
		if (word_names[i].word == w) {
			return word_names[i].name;
		}
	}
	return "?";
}

static unsigned word_of(const char *s, size_t len)
{
	for (size_t i = 0; i < NWORDS; i++) {
		if (strlen(word_names[i].name) == len &&
				strncmp(word_names[i].name, s, len) == 0) {
			return word_names[i].word;
		}
	}
	return 0;
}

/* "deny|focus|ask|allow": the words of a capability, in table order */
static void table_words(enum cw_capability cap, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < NWORDS; i++) {
		if (cw_capability_info(cap)->words & word_names[i].word) {
			if (out[0] != '\0') {
				strncat(out, "|", len - strlen(out) - 1);
			}
			strncat(out, word_names[i].name, len - strlen(out) - 1);
		}
	}
}

static bool in_section(enum cw_capability cap, const char *section)
{
	const char *key = cw_capability_info(cap)->key;
	size_t n = strlen(section);
	return strncmp(key, section, n) == 0 && key[n] == '.';
}

/*
 * Every "*KEY =* _w_|_w_" or "*KEY* = _w_|_w_" whose words are all
 * decision words: exactly the capabilities of section, each once, with
 * the table's words in its order.
 */
static void check_keys(const char *doc, const char *text,
	const char *section)
{
	int seen[CW_CAP_COUNT] = { 0 };
	for (const char *p = text; (p = strchr(p, '*')) != NULL; p++) {
		const char *key = p + 1;
		size_t klen = strspn(key, "abcdefghijklmnopqrstuvwxyz-");
		const char *q = key + klen;
		if (klen == 0) {
			continue;
		} else if (strncmp(q, " =* ", 4) == 0) {
			q += 4;
		} else if (strncmp(q, "* = ", 4) == 0) {
			q += 4;
		} else {
			continue;
		}
		/* _w_|_w_... */
		char words[128] = "";
		bool decision_words = *q == '_';
		while (*q == '_') {
			size_t wlen = strcspn(q + 1, "_\n");
			if (q[1 + wlen] != '_' || word_of(q + 1, wlen) == 0) {
				decision_words = false;
				break;
			}
			if (words[0] != '\0') {
				strcat(words, "|");
			}
			strncat(words, q + 1, wlen < 16 ? wlen : 16);
			q += wlen + 2;
			if (*q != '|') {
				break;
			}
			q++;
		}
		if (!decision_words) {
			continue;
		}
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)klen, key);
		enum cw_capability cap;
		bool known = cw_capability_from_key(section, name, &cap);
		ok(known, "%s: %s.%s is in the table", doc, section, name);
		if (!known) {
			continue;
		}
		seen[cap]++;
		char want[128];
		table_words(cap, want, sizeof(want));
		ok(strcmp(words, want) == 0, "%s: %s takes %s (table: %s)", doc,
			name, words, want);
	}
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (in_section(i, section)) {
			ok(seen[i] == 1, "%s: %s described once (%d)", doc,
				cw_capability_info(i)->key, seen[i]);
		}
	}
}

/* The SYNOPSIS's lines "KEY = w|w|w" of decision words: as check_keys. */
static void check_synopsis(const char *doc, const char *text,
	const char *section)
{
	int seen[CW_CAP_COUNT] = { 0 };
	for (const char *line = text; line != NULL && *line != '\0';
			line = strchr(line, '\n') ? strchr(line, '\n') + 1 :
			NULL) {
		size_t klen = strspn(line, "abcdefghijklmnopqrstuvwxyz-");
		if (klen == 0 || strncmp(line + klen, " = ", 3) != 0) {
			continue;
		}
		const char *v = line + klen + 3;
		size_t vlen = strcspn(v, "\n");
		if (memchr(v, '|', vlen) == NULL) {
			continue;
		}
		bool decision_words = true;
		for (const char *w = v; w < v + vlen; ) {
			size_t wlen = strcspn(w, "|\n");
			decision_words = decision_words &&
				word_of(w, wlen) != 0;
			w += wlen + 1;
		}
		if (!decision_words) {
			continue;
		}
		char name[64], words[128], want[128];
		snprintf(name, sizeof(name), "%.*s", (int)klen, line);
		snprintf(words, sizeof(words), "%.*s", (int)vlen, v);
		enum cw_capability cap;
		bool known = cw_capability_from_key(section, name, &cap);
		ok(known, "%s SYNOPSIS: %s.%s is in the table", doc, section,
			name);
		if (!known) {
			continue;
		}
		seen[cap]++;
		table_words(cap, want, sizeof(want));
		ok(strcmp(words, want) == 0, "%s SYNOPSIS: %s = %s (table: %s)",
			doc, name, words, want);
	}
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (in_section(i, section)) {
			ok(seen[i] == 1, "%s SYNOPSIS: %s once (%d)", doc,
				cw_capability_info(i)->key, seen[i]);
		}
	}
}

/* "The permissions are *a*, *b*, ... and *z*." (or ";") in the table's
 * order */
static void check_permission_list(const char *text)
{
	const char *start = strstr(text, "The permissions are ");
	ok(start != NULL, "crate-wl-permissions.1 lists the permissions");
	if (start == NULL) {
		return;
	}
	/* up to the end of the sentence, or of its first clause */
	const char *end = strpbrk(start, ".;");
	int n = 0;
	bool order = true;
	for (const char *p = strchr(start, '*'); p != NULL && p < end;
			p = strchr(p, '*')) {
		const char *close = strchr(p + 1, '*');
		if (close == NULL || close > end) {
			break;
		}
		size_t len = (size_t)(close - p - 1);
		const char *want = n < CW_CAP_COUNT ?
			cw_capability_name(n) : "";
		if (strlen(want) != len || strncmp(p + 1, want, len) != 0) {
			printf("# listed: %.*s\n", (int)len, p + 1);
			order = false;
		}
		n++;
		p = close + 1;
	}
	ok(order && n == CW_CAP_COUNT, "crate-wl-permissions.1: the "
		"permissions are the table's, in its order (%d listed, %d in "
		"the table)", n, CW_CAP_COUNT);
}

/*
 * BUILT-IN POLICIES: a row "|  NAME" (spaces for dashes), then one
 * ":  WORD ..." cell for strict, default and trusted.
 */
static void check_defaults(const char *text)
{
	for (int i = 0; i < CW_CAP_COUNT; i++) {
		if (!in_section(i, "wayland")) {
			continue;
		}
		char row[80];
		snprintf(row, sizeof(row), "\n|  %s\n", cw_capability_name(i));
		for (char *c = row; *c != '\0'; c++) {
			*c = *c == '-' ? ' ' : *c;
		}
		const char *p = strstr(text, row);
		ok(p != NULL, "crate-wl-policy.5: a built-in policies row for "
			"%s", cw_capability_name(i));
		if (p == NULL) {
			continue;
		}
		p += strlen(row);
		static const char *const bases[] = {
			"strict", "default", "trusted"
		};
		for (int b = 0; b < 3; b++) {
			size_t len = 0;
			if (strncmp(p, ":  ", 3) == 0) {
				p += 3;
				len = strcspn(p, " \n");
			}
			const char *want = word_name(
				cw_capability_info(i)->defaults[b]);
			ok(len == strlen(want) && strncmp(p, want, len) == 0,
				"crate-wl-policy.5: %s under %s is %s (doc: "
				"%.*s)", cw_capability_name(i), bases[b], want,
				(int)len, p);
			p = strchr(p, '\n');
			if (p == NULL) {
				break;
			}
			p++;
		}
	}
}

/* A copy of the man page's section "# TITLE", up to the next one. */
static char *section_of(const char *text, const char *title)
{
	char head[64];
	snprintf(head, sizeof(head), "\n# %s", title);
	const char *start = strstr(text, head);
	if (start == NULL) {
		return NULL;
	}
	char *part = strdup(start);
	char *end = part != NULL ? strstr(part + 1, "\n# ") : NULL;
	if (end != NULL) {
		*end = '\0';
	}
	return part;
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DOCS-DIR\n", argv[0]);
		return 2;
	}
	char *perms = slurp(argv[1], "crate-wl-permissions.1.scd");
	char *policy = slurp(argv[1], "crate-wl-policy.5.scd");
	char *media = slurp(argv[1], "crate-wl-media.7.scd");
	char *manifest = slurp(argv[1], "crate-wl-manifest.5.scd");
	char *portals = slurp(argv[1], "crate-wl-portals.7.scd");
	check_permission_list(perms);
	check_keys("crate-wl-policy.5", policy, "wayland");
	check_synopsis("crate-wl-policy.5", policy, "wayland");
	check_keys("crate-wl-media.7", media, "media");
	/* its [media] section: [sandbox]'s keys take words of their own */
	char *media_section = section_of(manifest, "[media]");
	ok(media_section != NULL, "crate-wl-manifest.5 has a [media] section");
	check_keys("crate-wl-manifest.5", media_section != NULL ?
		media_section : manifest, "media");
	free(media_section);
	check_keys("crate-wl-portals.7", portals, "portals");
	char *portals_section = section_of(manifest, "[portals]");
	ok(portals_section != NULL,
		"crate-wl-manifest.5 has a [portals] section");
	if (portals_section != NULL) {
		check_keys("crate-wl-manifest.5 [portals]", portals_section,
			"portals");
	}
	free(portals_section);
	check_defaults(policy);
	free(perms);
	free(policy);
	free(media);
	free(manifest);
	free(portals);
	return tap_done();
}
