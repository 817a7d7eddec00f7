/*
 * crate-wl info: what an app may do, in a person's words, with where each
 * line came from (the manifest, the user's override, or crate-wl's
 * default) and what the user answered before.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "ini.h"
#include "instance.h"
#include "json.h"
#include "launch.h"
#include "log.h"
#include "manifest.h"
#include "policy.h"
#include "store.h"
#include "util.h"

static const char usage_text[] =
	"usage: crate-wl info [--json] NAME|FILE.crate\n"
	"\n"
	"What an app may do, as crate-wl app would run it (its manifest with\n"
	"your override applied): its display, screen, clipboard, media,\n"
	"files and network, each with where it came from, and the answers\n"
	"you gave it that are remembered.\n"
	"  --json   one JSON object, for scripts\n";

/* The "SECTION.KEY"s a file sets. */
struct keys {
	char names[64][48];
	size_t n;
};

static bool collect(void *data, const char *section, const char *key,
	const char *value, char *err, size_t errlen)
{
	struct keys *k = data;
	(void)value;
	(void)err;
	(void)errlen;
	if (k->n < sizeof(k->names) / sizeof(k->names[0])) {
		snprintf(k->names[k->n++], sizeof(k->names[0]), "%s.%s",
			section, key);
	}
	return true;
}

static bool has(const struct keys *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++) {
		if (strcmp(k->names[i], name) == 0) {
			return true;
		}
	}
	return false;
}

struct origin {
	struct keys manifest, override;
	/* the manifest without the override: a bind not in it is the
	 * user's */
	const struct cw_sandbox_config *stock;
};

static const char *bind_origin(const struct origin *o,
	const struct cw_bind *b)
{
	for (size_t i = 0; o->stock != NULL && i < o->stock->nbinds; i++) {
		const struct cw_bind *s = &o->stock->binds[i];
		if (strcmp(s->src, b->src) == 0 && strcmp(s->dst, b->dst) == 0 &&
				s->ro == b->ro) {
			return "manifest";
		}
	}
	return o->stock != NULL ? "override" : "manifest";
}

/* Who set the line made of these keys (NULL-terminated): the user's
 * override wins over the manifest, which wins over the default. */
static const char *origin_of(const struct origin *o, const char *const *keys)
{
	for (const char *const *k = keys; *k != NULL; k++) {
		if (has(&o->override, *k)) {
			return "override";
		}
	}
	for (const char *const *k = keys; *k != NULL; k++) {
		if (has(&o->manifest, *k)) {
			return "manifest";
		}
	}
	return "default";
}

#define KEYS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *const display_keys[] = { "sandbox.wayland",
	"wayland.policy", "wayland.allow", "wayland.deny", "wayland.cap",
	NULL };
static const char *const root_keys[] = { "sandbox.root", NULL };

/* The known interfaces, sorted by what the policy does with them. */
struct globals {
	const struct cw_policy *policy;
	const char *offered[CW_POLICY_MAX_NAMES];
	const char *asked[CW_POLICY_MAX_NAMES];
	const char *hidden[CW_POLICY_MAX_NAMES];
	size_t noffered, nasked, nhidden;
};

static void sort_global(void *data, const char *iface)
{
	struct globals *g = data;
	struct cw_global_decision d = cw_policy_classify_global(g->policy,
		iface, UINT32_MAX);
	switch (d.verdict) {
	case CW_PASS:
	case CW_REWRITE:
		if (g->noffered < CW_POLICY_MAX_NAMES) {
			g->offered[g->noffered++] = iface;
		}
		break;
	case CW_ASK:
		if (g->nasked < CW_POLICY_MAX_NAMES) {
			g->asked[g->nasked++] = iface;
		}
		break;
	case CW_DENY:
	case CW_HIDE:
	case CW_ERROR:
		if (g->nhidden < CW_POLICY_MAX_NAMES) {
			g->hidden[g->nhidden++] = iface;
		}
		break;
	}
}

static void print_names(const char *what, const char *const *names,
	size_t n)
{
	if (n == 0) {
		return;
	}
	int col = printf("            %s:", what);
	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(names[i]) + 1;
		if (col + len > 78) {
			printf("\n");
			col = printf("             ");
		}
		col += printf(" %s", names[i]);
	}
	printf("\n");
}

static void json_names(const char *key, const char *const *names, size_t n)
{
	printf(",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		printf(i ? "," : "");
		cw_json_string(stdout, names[i]);
	}
	printf("]");
}

static const char *screen_words(const char *access)
{
	if (strcmp(access, "allow") == 0) {
		return "captures the screen without asking";
	} else if (strcmp(access, "ask") == 0) {
		return "captures the screen only after asking you, each time";
	}
	return "cannot capture the screen (its protocols are hidden)";
}

static const char *clipboard_words(const char *access)
{
	if (strcmp(access, "allow") == 0) {
		return "reads and sets the clipboard at any time";
	} else if (strcmp(access, "ask") == 0) {
		return "reads the clipboard after asking you";
	} else if (strcmp(access, "focus") == 0) {
		return "reads and sets the clipboard only while one of its "
			"windows has the keyboard";
	}
	return "no clipboard";
}

static const char *manager_words(const char *access)
{
	if (strcmp(access, "allow") == 0) {
		return "sees everything you copy in any app";
	} else if (strcmp(access, "ask") == 0) {
		return "sees everything you copy in any app, after asking you";
	}
	return "does not see what you copy elsewhere";
}

static const char *media_words(const char *access)
{
	if (strcmp(access, "allow") == 0) {
		return "yes, without asking";
	} else if (strcmp(access, "ask") == 0) {
		return "after asking you";
	}
	return "no";
}

static const char *net_name(enum cw_net_mode net)
{
	switch (net) {
	case CW_NET_HOST:
		return "host";
	case CW_NET_NAT:
		return "nat";
	case CW_NET_NONE:
		break;
	}
	return "none";
}

static const char *net_words(enum cw_net_mode net)
{
	switch (net) {
	case CW_NET_HOST:
		return "the network as your own programs have it, services on "
			"this machine included";
	case CW_NET_NAT:
		return "the internet and the local network, through pasta; "
			"nothing this machine serves only to itself";
	case CW_NET_NONE:
		break;
	}
	return "none (a loopback of its own)";
}

struct remembered {
	const char *permission[32];
	const char *answer[32];
	size_t n;
};

static void load_remembered(const char *app, struct cw_store *store,
	struct remembered *r)
{
	char path[PATH_MAX], err[512];
	r->n = 0;
	if (!cw_store_default_path(path, sizeof(path), err, sizeof(err)) ||
			!cw_store_load(path, store, err, sizeof(err))) {
		cw_msg("remembered answers not shown: %s", err);
		return;
	}
	for (size_t i = 0; i < store->n && r->n < 32; i++) {
		if (strcmp(store->entries[i].app, app) == 0) {
			r->permission[r->n] = store->entries[i].permission;
			r->answer[r->n] = cw_grant_name(store->entries[i].grant);
			r->n++;
		}
	}
}

/* The files granted to the app's running sandboxes (sandbox/grant.h). */
struct granted {
	const char *app;
	const char *id;
	bool json;
	bool first;
};

static void print_granted_file(const char *path, void *data)
{
	struct granted *gr = data;
	if (gr->json) {
		printf("%s{\"path\":", gr->first ? "" : ",");
		cw_json_string(stdout, path);
		printf(",\"instance\":\"%s\"}", gr->id);
	} else {
		printf("            %s, granted while it runs  [you, "
			"sandbox %s]\n", path, gr->id);
	}
	gr->first = false;
}

static void print_granted_inst(const struct cw_instance *inst, void *data)
{
	struct granted *gr = data;
	if (strcmp(inst->app, gr->app) == 0) {
		gr->id = inst->id;
		cw_instance_foreach_grant(inst, print_granted_file, gr);
	}
}

static void print_granted(const char *app, bool json)
{
	struct granted gr = { .app = app, .json = json, .first = true };
	char err[512];
	cw_instance_foreach(print_granted_inst, &gr, err, sizeof(err));
}

static void print_text(const struct cw_manifest *m,
	const struct cw_policy *policy, const struct globals *g,
	const struct origin *o, const struct remembered *r, bool present,
	const char *why)
{
	const struct cw_sandbox_config *cfg = m->cfg;
	char text[512];
	snprintf(text, sizeof(text), "%s", m->description != NULL ?
		m->description : "");
	cw_text_sanitize(text);
	printf("%s%s%s\n", m->name, text[0] ? ": " : "", text);
	printf("  manifest  %s (%s)\n", m->path, m->installed ?
		"installed" : "not installed: runs as a file it came from");
	if (m->override != NULL) {
		printf("  changed   by you in %s\n", m->override);
	}
	printf("  program   %s\n", present ? "here" : why);
	printf("\n");
	const char *display = origin_of(o, display_keys);
	if (policy == NULL) {
		printf("display     none  [%s]\n", display);
	} else {
		printf("display     Wayland through crate-wl's filter, policy "
			"%s  [%s]\n", cw_policy_base_name(policy->base),
			display);
		/* what any window needs is not news: counted, named in --json */
		printf("            offered: %zu protocols for windows, input "
			"and outputs\n", g->noffered);
		print_names("asked", g->asked, g->nasked);
		print_names("hidden", g->hidden, g->nhidden);
		if (policy->base != CW_POLICY_TRUSTED) {
			printf("            hidden too: every protocol not named "
				"above");
			for (size_t i = 0; i < policy->nallow; i++) {
				printf("%s%s", i ? ", " : ", except ",
					policy->allow[i]);
			}
			printf("\n");
		}
		printf("screen      %s  [%s]\n", screen_words(cw_cap_rule_word(
			policy->rules[CW_CAP_SCREENCOPY])), origin_of(o,
			KEYS("wayland.screencopy", "wayland.policy")));
		printf("clipboard   %s  [%s]\n", clipboard_words(
			cw_cap_rule_word(policy->rules[CW_CAP_CLIPBOARD])),
			origin_of(o, KEYS("wayland.clipboard",
			"wayland.policy")));
		printf("            %s  [%s]\n", manager_words(cw_cap_rule_word(
			policy->rules[CW_CAP_CLIPBOARD_MANAGER])), origin_of(o,
			KEYS("wayland.clipboard-manager", "wayland.policy")));
	}
	if (cfg->x11) {
		printf("x11         an X11 display of its own (Xwayland), a "
			"client of the filter  [%s]\n",
			origin_of(o, KEYS("sandbox.x11")));
	}
	printf("sound       %s  [%s]\n", cfg->audio_playback ? "plays sound" :
		"none", origin_of(o, KEYS("media.audio")));
	printf("microphone  %s  [%s]\n", media_words(cw_decision_name(
		cfg->microphone)), origin_of(o, KEYS("media.microphone")));
	printf("camera      %s  [%s]\n", media_words(cw_decision_name(
		cfg->camera)), origin_of(o, KEYS("media.camera")));
	if (policy != NULL) {
		/* the portals' (crate-wl-portals(7)) */
		printf("links       %s  [%s]\n", media_words(cw_cap_rule_word(
			policy->rules[CW_CAP_OPEN_URI])), origin_of(o,
			KEYS("portals.open-uri", "wayland.policy")));
		printf("notices     %s  [%s]\n", media_words(cw_cap_rule_word(
			policy->rules[CW_CAP_NOTIFICATIONS])), origin_of(o,
			KEYS("portals.notifications", "wayland.policy")));
	}
	printf("files       ");
	if (cfg->root == NULL) {
		printf("this system's programs, read-only");
	} else if (strncmp(cfg->root, "oci:", 4) == 0) {
		printf("its system from the image %s", cfg->root + 4);
	} else {
		printf("%s as its system, read-only", cfg->root);
	}
	printf("  [%s]\n", origin_of(o, root_keys));
	printf("            %s  [%s]\n", cfg->home == CW_HOME_PERSIST ?
		"a home folder of its own that it keeps" :
		"an empty home folder, gone when it ends",
		origin_of(o, KEYS("sandbox.home")));
	for (size_t i = 0; i < cfg->nbinds; i++) {
		const struct cw_bind *b = &cfg->binds[i];
		printf("            %s, %s", b->src, b->ro ? "read-only" :
			"read-write");
		if (strcmp(b->src, b->dst) != 0) {
			printf(" (inside: %s)", b->dst);
		}
		printf("  [%s]\n", bind_origin(o, b));
	}
	print_granted(m->id, false);
	if (cfg->dev_dri) {
		printf("devices     the graphics card (render nodes)  [%s]\n",
			origin_of(o, KEYS("sandbox.device")));
	}
	if (cfg->nested) {
		printf("nested      makes sandboxes of its own inside (user "
			"namespaces, as a browser's)  [%s]\n",
			origin_of(o, KEYS("sandbox.nested-sandbox")));
	}
	if (cfg->devel) {
		printf("devel       debuggers and profilers on its own "
			"processes  [%s]\n", origin_of(o, KEYS("sandbox.devel")));
	}
	printf("network     %s  [%s]\n", net_words(cfg->net),
		origin_of(o, KEYS("sandbox.net")));
	for (size_t i = 0; i < cfg->nenv; i++) {
		char var[256];
		snprintf(var, sizeof(var), "%.*s", (int)strcspn(cfg->env[i],
			"="), cfg->env[i]);
		cw_text_sanitize(var);
		printf("%s %s  [%s]\n", i == 0 ? "environment" : "           ",
			var, origin_of(o, KEYS("sandbox.env")));
	}
	if (r->n == 0) {
		printf("remembered  nothing\n");
	}
	for (size_t i = 0; i < r->n; i++) {
		printf("%s %s: %s\n", i == 0 ? "remembered " : "           ",
			r->permission[i], strcmp(r->answer[i], "allow") == 0 ?
			"always allowed" : "never allowed");
	}
	if (r->n > 0) {
		printf("            (crate-wl permissions reset %s forgets "
			"them)\n", m->id);
	}
}

static void print_json(const struct cw_manifest *m,
	const struct cw_policy *policy, const struct globals *g,
	const struct origin *o, const struct remembered *r, bool present)
{
	const struct cw_sandbox_config *cfg = m->cfg;
	printf("{\"name\":");
	cw_json_string(stdout, m->name);
	printf(",\"id\":");
	cw_json_string(stdout, m->id);
	printf(",\"manifest\":");
	cw_json_string(stdout, m->path);
	printf(",\"installed\":%s,\"override\":", m->installed ? "true" :
		"false");
	cw_json_string(stdout, m->override);
	printf(",\"present\":%s,\"package\":", present ? "true" : "false");
	cw_json_string(stdout, m->package);
	printf(",\"display\":");
	if (policy == NULL) {
		printf("null");
	} else {
		printf("{\"policy\":\"%s\"", cw_policy_base_name(policy->base));
		json_names("offered", g->offered, g->noffered);
		json_names("asked", g->asked, g->nasked);
		json_names("hidden", g->hidden, g->nhidden);
		json_names("allowed", (const char *const *)policy->allow,
			policy->nallow);
		printf(",\"others_hidden\":%s,\"screencopy\":\"%s\","
			"\"clipboard\":\"%s\",\"clipboard_manager\":\"%s\"}",
			policy->base != CW_POLICY_TRUSTED ? "true" : "false",
			cw_cap_rule_word(policy->rules[CW_CAP_SCREENCOPY]),
			cw_cap_rule_word(policy->rules[CW_CAP_CLIPBOARD]),
			cw_cap_rule_word(policy->rules[CW_CAP_CLIPBOARD_MANAGER]));
	}
	printf(",\"x11\":%s,\"media\":{\"audio\":%s,\"microphone\":\"%s\","
		"\"camera\":\"%s\"}", cfg->x11 ? "true" : "false",
		cfg->audio_playback ? "true" : "false",
		cw_decision_name(cfg->microphone),
		cw_decision_name(cfg->camera));
	if (policy != NULL) {
		printf(",\"portals\":{\"open_uri\":\"%s\","
			"\"notifications\":\"%s\"}",
			cw_cap_rule_word(policy->rules[CW_CAP_OPEN_URI]),
			cw_cap_rule_word(policy->rules[CW_CAP_NOTIFICATIONS]));
	} else {
		printf(",\"portals\":null");
	}
	printf(",\"files\":{\"root\":");
	cw_json_string(stdout, cfg->root);
	printf(",\"home\":\"%s\",\"binds\":[", cfg->home == CW_HOME_PERSIST ?
		"persist" : "tmpfs");
	for (size_t i = 0; i < cfg->nbinds; i++) {
		printf("%s{\"source\":", i ? "," : "");
		cw_json_string(stdout, cfg->binds[i].src);
		printf(",\"inside\":");
		cw_json_string(stdout, cfg->binds[i].dst);
		printf(",\"read_only\":%s,\"origin\":\"%s\"}",
			cfg->binds[i].ro ? "true" : "false",
			bind_origin(o, &cfg->binds[i]));
	}
	printf("],\"granted\":[");
	print_granted(m->id, true);
	printf("]},\"devices\":{\"dri\":%s},\"nested_sandbox\":%s,"
		"\"devel\":%s,\"network\":\"%s\"",
		cfg->dev_dri ? "true" : "false", cfg->nested ? "true" : "false",
		cfg->devel ? "true" : "false", net_name(cfg->net));
	printf(",\"remembered\":{");
	for (size_t i = 0; i < r->n; i++) {
		printf(i ? "," : "");
		cw_json_string(stdout, r->permission[i]);
		printf(":\"%s\"", r->answer[i]);
	}
	printf("},\"origins\":{\"display\":\"%s\",\"screencopy\":\"%s\","
		"\"clipboard\":\"%s\",\"clipboard_manager\":\"%s\","
		"\"audio\":\"%s\",\"microphone\":\"%s\",\"camera\":\"%s\","
		"\"root\":\"%s\",\"home\":\"%s\",\"network\":\"%s\"}}\n",
		origin_of(o, display_keys),
		origin_of(o, KEYS("wayland.screencopy", "wayland.policy")),
		origin_of(o, KEYS("wayland.clipboard", "wayland.policy")),
		origin_of(o, KEYS("wayland.clipboard-manager",
			"wayland.policy")),
		origin_of(o, KEYS("media.audio")),
		origin_of(o, KEYS("media.microphone")),
		origin_of(o, KEYS("media.camera")),
		origin_of(o, root_keys), origin_of(o, KEYS("sandbox.home")),
		origin_of(o, KEYS("sandbox.net")));
}

int cw_cmd_info(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("info", argv, longopts);
		}
	}
	if (optind != argc - 1) {
		cw_msg(optind >= argc ? "info: which app? (crate-wl info "
			"NAME|FILE.crate)" : "info: one app at a time");
		return 2;
	}
	const char *name = argv[optind];
	char path[PATH_MAX];
	if (!cw_manifest_find(name, CW_DATADIR, path, sizeof(path))) {
		cw_msg("no app '%s' (crate-wl list shows the apps there are)",
			name);
		return 1;
	}
	struct cw_ini_error ierr;
	struct cw_manifest *m = cw_manifest_load(path, &ierr);
	if (m == NULL) {
		cw_msg("%s", ierr.message);
		return 1;
	}
	int ret = 1;
	struct cw_policy *policy = NULL;
	struct cw_store store = { 0 };
	struct origin o = { 0 };
	struct cw_manifest *stock = NULL;
	if (!cw_manifest_identify(m, CW_DATADIR)) {
		cw_msg("out of memory");
		goto out;
	}
	if (!cw_manifest_apply_overrides(m, &ierr)) {
		cw_msg("%s (crate-wl override %s --reset removes it)",
			ierr.message, m->name);
		goto out;
	}
	/* both parsed before: only the keys are wanted here */
	cw_ini_parse_file(m->path, collect, &o.manifest, &ierr);
	if (m->override != NULL) {
		cw_ini_parse_file(m->override, collect, &o.override, &ierr);
		stock = cw_manifest_load(m->path, &ierr);
		o.stock = stock != NULL ? stock->cfg : NULL;
	}
	char err[512];
	if (m->cfg->wayland) {
		policy = cw_sandbox_config_policy(m->cfg, err, sizeof(err));
		if (policy == NULL) {
			cw_msg("%s", err);
			goto out;
		}
	}
	struct globals g = { .policy = policy };
	if (policy != NULL) {
		cw_policy_each_known(sort_global, &g);
	}
	struct remembered r;
	load_remembered(m->id, &store, &r);
	char why[512] = "";
	bool present = cw_manifest_present(m, why, sizeof(why));
	if (json) {
		print_json(m, policy, &g, &o, &r, present);
	} else {
		print_text(m, policy, &g, &o, &r, present, why);
	}
	ret = 0;
out:
	cw_store_finish(&store);
	cw_policy_destroy(policy);
	cw_manifest_destroy(stock);
	cw_manifest_destroy(m);
	return ret;
}
