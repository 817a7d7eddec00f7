/* A manifest's grants in words, and the user's confirmation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "confirm.h"
#include "paths.h"
#include "policy.h"

/* path is dir itself or below it */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/') {
		n--;
	}
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' ||
		path[n] == '/' || (n == 1 && dir[0] == '/'));
}

static void describe_bind(const struct cw_bind *b, FILE *f)
{
	const char *home = getenv("HOME");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	const char *how = b->ro ? "read-only" : "read-write";
	char real_home[PATH_MAX];
	if (home == NULL || realpath(home, real_home) == NULL) {
		real_home[0] = '\0';
	}
	if (strcmp(b->src, "/") == 0) {
		fprintf(f, "  - the whole file system, %s\n", how);
	} else if (real_home[0] != '\0' && below(real_home, b->src)) {
		fprintf(f, "  - your whole home folder (%s), %s\n", b->src,
			how);
	} else if ((rt != NULL && rt[0] == '/' && (below(b->src, rt) ||
			below(rt, b->src))) || below(b->src, "/run/user") ||
			below(b->src, "/tmp/.X11-unix")) {
		fprintf(f, "  - %s, %s: your session's sockets, through which "
			"programs outside the sandbox can be reached\n", b->src,
			how);
	} else if (below(b->src, "/dev")) {
		fprintf(f, "  - the device %s, %s\n", b->src, how);
	} else {
		fprintf(f, "  - %s, %s\n", b->src, how);
	}
	if (strcmp(b->src, b->dst) != 0) {
		fprintf(f, "    (seen inside as %s)\n", b->dst);
	}
}

static void describe_media(const char *what, enum cw_decision access,
	FILE *f)
{
	switch (access) {
	case CW_DECISION_DENY:
		break;
	case CW_DECISION_ASK:
		fprintf(f, "  - your %s, after asking you\n", what);
		break;
	case CW_DECISION_ALLOW:
		fprintf(f, "  - your %s, without asking\n", what);
		break;
	}
}

static void describe_display(const struct cw_policy *policy, FILE *f)
{
	if (policy->base == CW_POLICY_TRUSTED) {
		fprintf(f, "  - a trusted display policy: every Wayland "
			"protocol, among them reading the screen, typing into "
			"other windows and seeing every copy\n");
	}
	for (size_t i = 0; i < policy->nallow; i++) {
		if (cw_policy_iface_class(policy->allow[i]) ==
				CW_CLASS_PRIVILEGED) {
			fprintf(f, "  - the privileged protocol %s\n",
				policy->allow[i]);
		}
	}
	const struct cw_cap_rule *rules = policy->rules;
	if (rules[CW_CAP_SCREENCOPY].decision == CW_DECISION_ALLOW) {
		fprintf(f, "  - captures your screen without asking\n");
	}
	if (rules[CW_CAP_CLIPBOARD].decision == CW_DECISION_ALLOW &&
			!rules[CW_CAP_CLIPBOARD].focus) {
		fprintf(f, "  - reads the clipboard at any time, not only "
			"while you use it\n");
	}
	if (rules[CW_CAP_CLIPBOARD_MANAGER].decision != CW_DECISION_DENY) {
		fprintf(f, "  - sees everything you copy in any app%s\n",
			rules[CW_CAP_CLIPBOARD_MANAGER].decision ==
			CW_DECISION_ASK ?
			", after asking you" : "");
	}
}

void cw_confirm_describe(const struct cw_sandbox_config *cfg,
	const struct cw_policy *policy, FILE *f)
{
	if (cfg->argv != NULL && cfg->argv[0] != NULL) {
		fprintf(f, "  - runs:");
		for (char **a = cfg->argv; *a != NULL; a++) {
			bool plain = (*a)[0] != '\0' && strpbrk(*a,
				" \t'\"\\") == NULL;
			fprintf(f, plain ? " %s" : " '%s'", *a);
		}
		fprintf(f, "\n");
	}
	if (cfg->root == NULL) {
		fprintf(f, "  - sees this system's programs, read-only\n");
	} else if (strncmp(cfg->root, "oci:", 4) == 0) {
		fprintf(f, "  - its system from the image %s\n", cfg->root + 4);
	} else {
		fprintf(f, "  - %s as its system, read-only\n", cfg->root);
	}
	fprintf(f, "  - %s\n", cfg->home == CW_HOME_PERSIST ? "a home folder "
		"of its own that it keeps" : "an empty home folder, gone when "
		"it ends");
	for (size_t i = 0; i < cfg->nbinds; i++) {
		describe_bind(&cfg->binds[i], f);
	}
	switch (cfg->net) {
	case CW_NET_NONE:
		fprintf(f, "  - no network\n");
		break;
	case CW_NET_HOST:
		fprintf(f, "  - the network as your own programs have it, "
			"services on this machine included\n");
		break;
	case CW_NET_NAT:
		fprintf(f, "  - the internet and the local network, "
			"not what this machine serves only to itself "
			"(through pasta)\n");
		break;
	}
	if (cfg->dev_dri) {
		fprintf(f, "  - the graphics card (render nodes)\n");
	}
	if (cfg->nested) {
		fprintf(f, "  - sandboxes of its own inside (user namespaces, "
			"as a browser's)\n");
	}
	if (cfg->devel) {
		fprintf(f, "  - debugging tools inside (ptrace, "
			"perf_event_open)\n");
	}
	if (policy == NULL) {
		fprintf(f, "  - no display\n");
	} else {
		describe_display(policy, f);
	}
	if (cfg->x11) {
		fprintf(f, "  - an X11 display of its own (Xwayland)\n");
	}
	if (cfg->audio_playback) {
		fprintf(f, "  - plays sound\n");
	}
	describe_media("microphone", cfg->microphone, f);
	describe_media("camera", cfg->camera, f);
	/* only what goes past the defaults: links opened without asking */
	if (cfg->portal_set[CW_CAP_OPEN_URI] &&
			cfg->portal[CW_CAP_OPEN_URI] == CW_DECISION_ALLOW) {
		fprintf(f, "  - opens web and mail links in your browser or "
			"mail app, without asking\n");
	}
	for (size_t i = 0; i < cfg->nenv; i++) {
		fprintf(f, "  - the variable %s inside\n", cfg->env[i]);
	}
}

static bool consent_path(char *out, size_t len)
{
	char state[PATH_MAX];
	return cw_path_state_home(state, sizeof(state)) &&
		(size_t)snprintf(out, len, "%s/crate-wl/confirmed", state) < len;
}

bool cw_confirm_known(const char *hash)
{
	char path[PATH_MAX];
	if (!consent_path(path, sizeof(path))) {
		return false;
	}
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	char line[128];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		found = strcmp(line, hash) == 0;
	}
	fclose(f);
	return found;
}

bool cw_confirm_remember(const char *hash, char *err, size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX];
	if (!consent_path(path, sizeof(path))) {
		snprintf(err, errlen, "neither XDG_STATE_HOME nor HOME is set");
		return false;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (!cw_mkdir_p(dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			strerror(errno));
		return false;
	}
	/* one line, appended whole: no lock needed */
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		O_NOFOLLOW, 0600);
	char line[80];
	int n = snprintf(line, sizeof(line), "%s\n", hash);
	bool ok = fd >= 0 && write(fd, line, (size_t)n) == n;
	if (!ok) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fd >= 0) {
		close(fd);
	}
	return ok;
}

/* the words, not their escape sequences: a terminal must show every line
 * of what is asked */
static void put_clean(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		fputc((c < 0x20 && c != '\n') || c == 0x7f ? '?' : c, stderr);
	}
}

static enum cw_confirm_answer answer(void)
{
	fflush(stderr);
	char line[64];
	if (fgets(line, sizeof(line), stdin) == NULL) {
		fprintf(stderr, "\n");
		return CW_CONFIRM_NO;
	}
	return line[0] == 'y' || line[0] == 'Y' ? CW_CONFIRM_YES :
		CW_CONFIRM_NO;
}

enum cw_confirm_answer cw_confirm_yes_no(const char *question)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		return CW_CONFIRM_NO_TERMINAL;
	}
	put_clean(question, strlen(question));
	fputs(" [y/N] ", stderr);
	return answer();
}

enum cw_confirm_answer cw_confirm_ask(const char *who,
	const struct cw_sandbox_config *cfg, const struct cw_policy *policy,
	const char *question)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		return CW_CONFIRM_NO_TERMINAL;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL) {
		return CW_CONFIRM_NO;
	}
	fprintf(f, "%s asks for:\n", who);
	cw_confirm_describe(cfg, policy, f);
	fprintf(f, "%s [y/N] ", question);
	fclose(f);
	/* the manifest's words, not its escape sequences */
	put_clean(text, len);
	free(text);
	return answer();
}
