/* crate-wl run: a command in a new sandbox with its own filtering proxy. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "log.h"
#include "run.h"
#include "util.h"

static const char usage_text[] =
	"usage: crate-wl run [OPTION]... -- COMMAND [ARG]...\n"
	"       crate-wl run --root oci:DIR[:REF] [OPTION]... [-- COMMAND...]\n"
	"\n"
	"  --root /|DIR|oci:DIR[:REF]\n"
	"                          the sandbox's root, read-only (default /)\n"
	"  --bind SRC[:DST]        bind SRC read-write at DST; SRC may be\n"
	"                          xdg-download, xdg-documents, xdg-music,\n"
	"                          xdg-pictures, xdg-videos... (user-dirs.dirs)\n"
	"  --ro-bind SRC[:DST]     bind SRC read-only at DST\n"
	"  --bind-try, --ro-bind-try SRC[:DST]\n"
	"                          the same, skipped with a note if SRC is missing\n"
	"  --home tmpfs|persist    an empty $HOME, or the app's own one\n"
	"  --net none|host|nat     network (default none: loopback only)\n"
	"  --device dri            GPU render nodes\n"
	"  --env NAME[=VALUE]      set a variable inside (NAME: the caller's)\n"
	"  --app NAME              the app's name (ps, --home persist)\n"
	"  --policy strict|default|trusted|FILE\n"
	"  --allow IFACE  --deny IFACE  --screencopy deny|ask|allow\n"
	"  --clipboard deny|focus|ask|allow  --prompt FRONTEND\n"
	"                          the sandbox's Wayland policy\n"
	"  --audio playback|none   sound out through the sandbox's own node\n"
	"  --microphone deny|ask|allow  --camera deny|ask|allow\n"
	"                          the sandbox's PipeWire socket (crate-wl-media(7))\n"
	"  --open-uri deny|ask|allow  --notifications deny|allow\n"
	"                          the portals' links and notifications\n"
	"                          (crate-wl-portals(7))\n"
	"  --x11                   a private Xwayland for X11 apps (DISPLAY)\n"
	"  --devel                 allow ptrace and perf_event_open inside\n"
	"  --nested-sandbox        let the app make sandboxes of its own\n"
	"                          (user namespaces, for a browser's)\n"
	"  --terminal, --no-terminal\n"
	"                          a pty crate-wl relays in the foreground\n"
	"                          (run's default), or no terminal (app's)\n"
	"  --no-wayland            no display at all\n"
	"  --no-security-context   the proxy connects as an ordinary client\n"
	"                          even where the compositor offers\n"
	"                          security-context-v1\n"
	"  --dry-run               print the plan, run nothing\n"
	"  --json-status FD        write the child's pid and exit code to FD\n"
	"  --trace                 print the proxy's filter decisions\n"
	"  --oci-max-size SIZE     an OCI root unpacks to at most SIZE (8G)\n"
	"  --oci-max-files N       and at most N files (500000)\n";

/* "500000", or with size: "8G", "512M"... in binary units */
static bool parse_amount(const char *s, bool size, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || s[0] == '-' || v == 0) {
		return false;
	}
	unsigned shift = 0;
	if (size && *end != '\0' && end[1] == '\0') {
		const char *units = "KMGT";
		const char *u = strchr(units, *end);
		if (u == NULL) {
			return false;
		}
		shift = 10 * (unsigned)(u - units + 1);
		end++;
	}
	if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift))) {
		return false;
	}
	*out = (uint64_t)v << shift;
	return true;
}

int cw_run_parse_options(const char *cmd, int argc, char *argv[],
	const char *usage, struct cw_sandbox_config *cfg,
	struct cw_launch_options *opts, int *next)
{
	enum {
		OPT_ROOT = 256, OPT_BIND, OPT_RO_BIND, OPT_BIND_TRY,
		OPT_RO_BIND_TRY, OPT_HOME, OPT_NET,
		OPT_DEVICE, OPT_ENV, OPT_APP, OPT_POLICY, OPT_ALLOW, OPT_DENY,
		OPT_SCREENCOPY, OPT_CLIPBOARD, OPT_PROMPT, OPT_NO_WAYLAND,
		OPT_DRY_RUN, OPT_JSON_STATUS, OPT_TRACE, OPT_X11, OPT_AUDIO,
		OPT_MICROPHONE, OPT_CAMERA, OPT_DEVEL, OPT_TERMINAL,
		OPT_NO_TERMINAL, OPT_YES, OPT_OCI_MAX_SIZE, OPT_OCI_MAX_FILES,
		OPT_NEW_INSTANCE, OPT_NESTED, OPT_NO_SECURITY_CONTEXT,
		OPT_OPEN_URI, OPT_NOTIFICATIONS,
	};
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
		{ "bind-try", required_argument, NULL, OPT_BIND_TRY },
		{ "ro-bind-try", required_argument, NULL, OPT_RO_BIND_TRY },
		{ "home", required_argument, NULL, OPT_HOME },
		{ "net", required_argument, NULL, OPT_NET },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "app", required_argument, NULL, OPT_APP },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "allow", required_argument, NULL, OPT_ALLOW },
		{ "deny", required_argument, NULL, OPT_DENY },
		{ "screencopy", required_argument, NULL, OPT_SCREENCOPY },
		{ "clipboard", required_argument, NULL, OPT_CLIPBOARD },
		{ "prompt", required_argument, NULL, OPT_PROMPT },
		{ "no-wayland", no_argument, NULL, OPT_NO_WAYLAND },
		{ "no-security-context", no_argument, NULL,
			OPT_NO_SECURITY_CONTEXT },
		{ "x11", no_argument, NULL, OPT_X11 },
		{ "audio", required_argument, NULL, OPT_AUDIO },
		{ "microphone", required_argument, NULL, OPT_MICROPHONE },
		{ "camera", required_argument, NULL, OPT_CAMERA },
		{ "open-uri", required_argument, NULL, OPT_OPEN_URI },
		{ "notifications", required_argument, NULL,
			OPT_NOTIFICATIONS },
		{ "devel", no_argument, NULL, OPT_DEVEL },
		{ "nested-sandbox", no_argument, NULL, OPT_NESTED },
		{ "terminal", no_argument, NULL, OPT_TERMINAL },
		{ "no-terminal", no_argument, NULL, OPT_NO_TERMINAL },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "json-status", required_argument, NULL, OPT_JSON_STATUS },
		{ "trace", no_argument, NULL, OPT_TRACE },
		{ "yes", no_argument, NULL, OPT_YES },
		{ "new-instance", no_argument, NULL, OPT_NEW_INSTANCE },
		{ "oci-max-size", required_argument, NULL, OPT_OCI_MAX_SIZE },
		{ "oci-max-files", required_argument, NULL,
			OPT_OCI_MAX_FILES },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	cw_args_begin();
	int c, index;
	char err[512];
	while ((c = cw_args_next(argc, argv, longopts, &index)) != -1) {
		bool ok = true;
		switch (c) {
		case OPT_ROOT:
		case OPT_BIND:
		case OPT_RO_BIND:
		case OPT_BIND_TRY:
		case OPT_RO_BIND_TRY:
		case OPT_HOME:
		case OPT_NET:
		case OPT_DEVICE:
		case OPT_ENV:
		case OPT_APP:
			ok = cw_sandbox_config_set(cfg, longopts[index].name,
				optarg, err, sizeof(err));
			break;
		case OPT_POLICY:
		case OPT_ALLOW:
		case OPT_DENY:
		case OPT_SCREENCOPY:
		case OPT_CLIPBOARD:
			ok = cw_sandbox_config_set_wayland(cfg,
				longopts[index].name, optarg, err, sizeof(err));
			break;
		case OPT_AUDIO:
		case OPT_MICROPHONE:
		case OPT_CAMERA:
			ok = cw_sandbox_config_set_media(cfg,
				longopts[index].name, optarg, err, sizeof(err));
			break;
		case OPT_OPEN_URI:
		case OPT_NOTIFICATIONS:
			ok = cw_sandbox_config_set_portals(cfg,
				longopts[index].name, optarg, err, sizeof(err));
			break;
		case OPT_PROMPT:
			if (!cw_sandbox_config_set_prompt(cfg, optarg)) {
				cw_msg("out of memory");
				return 1;
			}
			break;
		case OPT_NO_WAYLAND:
			cfg->wayland = false;
			break;
		case OPT_NO_SECURITY_CONTEXT:
			opts->no_security_context = true;
			break;
		case OPT_X11:
			cfg->x11 = true;
			break;
		case OPT_DEVEL:
			cfg->devel = true;
			break;
		case OPT_NESTED:
			cfg->nested = true;
			break;
		case OPT_TERMINAL:
		case OPT_NO_TERMINAL:
			cfg->terminal = c == OPT_TERMINAL;
			break;
		case OPT_DRY_RUN:
			opts->dry_run = true;
			break;
		case OPT_JSON_STATUS:
			if (!cw_parse_uint(optarg, &opts->json_status_fd) ||
					fcntl(opts->json_status_fd, F_GETFD) < 0) {
				cw_msg("--json-status %s: not an open file "
					"descriptor", optarg);
				return 2;
			}
			break;
		case OPT_TRACE:
			opts->trace = true;
			break;
		case OPT_YES:
			opts->yes = true;
			break;
		case OPT_NEW_INSTANCE:
			opts->new_instance = true;
			break;
		case OPT_OCI_MAX_SIZE:
		case OPT_OCI_MAX_FILES:
			if (!parse_amount(optarg, c == OPT_OCI_MAX_SIZE,
					c == OPT_OCI_MAX_SIZE ?
					&cfg->oci_limits.max_bytes :
					&cfg->oci_limits.max_entries)) {
				cw_msg("--%s %s: expected a number from 1%s",
					longopts[index].name, optarg,
					c == OPT_OCI_MAX_SIZE ? ", with K, M, "
					"G or T for KiB... TiB" : "");
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cw_args_bad_option(cmd, argv, longopts);
		}
		if (!ok) {
			/* the message may already start with the key */
			const char *name = longopts[index].name;
			size_t n = strlen(name);
			if (strncmp(err, name, n) == 0 && err[n] == ':') {
				cw_msg("--%s", err);
			} else {
				cw_msg("--%s: %s", name, err);
			}
			return 2;
		}
	}
	opts->trace = opts->trace || cw_log_get_verbosity() >= CW_LOG_DEBUG;
	*next = optind;
	return -1;
}

int cw_cmd_run(int argc, char *argv[])
{
	struct cw_launch_options opts = { .json_status_fd = -1 };
	struct cw_sandbox_config *cfg = cw_sandbox_config_create();
	if (cfg == NULL) {
		cw_msg("out of memory");
		return 1;
	}
	int next;
	int ret = cw_run_parse_options("run", argc, argv, usage_text, cfg,
		&opts, &next);
	if (ret >= 0) {
		goto out;
	}
	if (opts.yes || opts.new_instance) {
		cw_msg("--%s: %s (it is for crate-wl app)", opts.yes ? "yes" :
			"new-instance", opts.yes ? "crate-wl run asks nothing" :
			"every crate-wl run is a sandbox of its own");
		ret = 2;
		goto out;
	}
	bool oci = cfg->root != NULL && strncmp(cfg->root, "oci:", 4) == 0;
	if (next >= argc && !oci) {
		/* an OCI image's Entrypoint and Cmd may be the command */
		cw_msg("no command: crate-wl run [OPTION]... -- COMMAND");
		fputs(usage_text, stderr);
		ret = 2;
		goto out;
	}
	if (next < argc && !cw_sandbox_config_set_argv(cfg, &argv[next],
			(size_t)(argc - next))) {
		cw_msg("out of memory");
		ret = 1;
		goto out;
	}
	ret = cw_launch(cfg, &opts);
out:
	cw_sandbox_config_destroy(cfg);
	return ret;
}
