#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cgroup.h"
#include "confined.h"
#include "control.h"
#include "grant.h"
#include "instance.h"
#include "host.h"
#include "launch-screencast.h"
#include "launch.h"
#include "log.h"
#include "notes.h"
#include "notification.h"
#include "openuri.h"
#include "loop.h"
#include "media-module.h"
#include "media-policy.h"
#include "nat.h"
#include "paths.h"
#include "pulse.h"
#include "permission.h"
#include "policy.h"
#include "prompt.h"
#include "settings.h"
#include "proxy.h"
#include "reaper.h"
#include "store.h"
#include "tty.h"
#include "util.h"

#define PROMPT_TIMEOUT_MS 60000

struct launch {
	struct cw_loop *loop;
	struct cw_proxy *proxy;
	struct cw_control *control;
	const struct cw_media_module *mm; /* loaded for media or screen sharing */
	/* the portals on the sandbox's bus, from the app's first connection */
	struct cw_portal_host *portals;
	const struct cw_portal *portal_table[8];
	size_t nportals;
	const struct cw_sandbox_config *cfg;
	struct cw_sandbox_media *media;
	struct cw_sandbox *sb;
	struct cw_grants *grants; /* files given to the running sandbox */
	/* the bus's socket, until the app first connects: then the portals'
	 * host takes it over */
	struct cw_source bus_source;
	/* a tty or cmd: prompt borrows the terminal from the relay */
	struct cw_prompt_terminal terminal;
	const struct cw_instance *inst;
	/* for the instance's info, written once the sandbox says it is
	 * whole ("ready"): before, enter would join half-made namespaces */
	struct cw_instance *ready_inst;
	const struct cw_plan *plan;
	bool ready;
	const char *upstream;
	struct cw_source signal_source;
	struct cw_source status_source;
	bool init_done;
	int init_status;
	bool status_eof;
	bool have_exit;
	int exit_status; /* the command's raw wait status */
	size_t linelen;
	/* last, and not cleared: written only when used, so that a run
	 * touches no stack page for them (see cw_launch) */
	char bus_path[PATH_MAX + 16];
	char line[2048];
	struct cw_tty tty; /* set up by cw_tty_open() */
};

struct cw_policy *cw_sandbox_config_policy(
	const struct cw_sandbox_config *cfg, char *err, size_t errlen)
{
	struct cw_policy *policy = cw_policy_load(cfg->policy ? cfg->policy :
		"default", err, errlen);
	if (policy == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < cfg->nwayland_keys; i++) {
		const struct cw_kv *kv = &cfg->wayland_keys[i];
		char msg[512];
		if (!cw_policy_set(policy, kv->key, kv->value, msg,
				sizeof(msg))) {
			snprintf(err, errlen, "%s: %s", kv->key, msg);
			cw_policy_destroy(policy);
			return NULL;
		}
	}
	cw_sandbox_media_policy(cfg, policy);
	return policy;
}

static const char *net_name(enum cw_net_mode net)
{
	switch (net) {
	case CW_NET_NONE:
		return "none (own network namespace, loopback only)";
	case CW_NET_HOST:
		return "host (the host's network namespace)";
	case CW_NET_NAT:
		return "nat (own network namespace, pasta)";
	}
	return "?";
}

/* The ScreenCast portal runs where the sandbox may capture at all. */
static bool screencast_wanted(const struct cw_policy *policy)
{
	return policy != NULL && policy->rules[CW_CAP_SCREENCOPY].decision !=
		CW_DECISION_DENY;
}

/*
 * Every sandbox with a permission state (a display, or media) has a bus of
 * its own with crate-wl's portals on it; its daemon starts only when the
 * app first connects.
 */
static bool bus_wanted(const struct cw_sandbox_config *cfg,
	const struct cw_policy *policy)
{
	return policy != NULL || cw_sandbox_config_has_media(cfg);
}

/* The FileChooser's grants (portal.h: cw_portal_env.grant). */
static bool grant_file(void *data, const char *path, unsigned flags,
	char *err, size_t errlen)
{
	return cw_grants_add(data, path,
		((flags & CW_PORTAL_GRANT_CREATE) ? CW_GRANT_CREATE : 0) |
		((flags & CW_PORTAL_GRANT_READONLY) ? CW_GRANT_READONLY : 0),
		err, errlen);
}

/* The FileChooser's folders (portal.h: cw_portal_env.grant_dir). */
static bool grant_folder(void *data, const char *path, bool writable,
	char *err, size_t errlen)
{
	return cw_grants_add_dir(data, path, writable, err, errlen);
}

/* The portals of this sandbox, in the order they start. */
static size_t portal_table(const struct cw_policy *policy,
	const struct cw_portal **out, size_t max)
{
	size_t n = 0;
	if (screencast_wanted(policy) && n < max) {
		out[n++] = &cw_portal_screencast;
	}
	/* always there: their permissions decide each call, and a denial
	 * looks like a desktop's own (a cancelled Request, an error) */
	static const struct cw_portal *const always[] = {
		&cw_portal_openuri, &cw_portal_notification,
		&cw_portal_settings,
	};
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]) &&
			n < max; i++) {
		out[n++] = always[i];
	}
	if (n < max) {
		out[n++] = &cw_portal_filechooser;
	}
	return n;
}

static void print_portals(const struct cw_policy *policy)
{
	const struct cw_portal *table[8];
	size_t n = portal_table(policy, table, 8);
	for (size_t i = 0; i < n; i++) {
		printf("%s%s", i ? ", " : "", table[i]->name);
	}
	printf("%s", n == 0 ? "none" : "");
}

/*
 * The portals' private bus as the sandbox's session bus, and what makes
 * the app's toolkits use the portals on it:
 * - GTK_USE_PORTAL=1: GLib (g_app_info_launch_default_for_uri, gio open)
 *   and GTK 3 (its file chooser, its settings) go through the portals,
 *   as they do in Flatpak, without crate-wl posing as Flatpak.
 *   GIO_USE_PORTALS=1 the same for GLib 2.84 (Debian 13), which reads
 *   that name instead.
 * - GDK_DEBUG=portals (added to what GDK_DEBUG says already): GTK 4 has
 *   no GTK_USE_PORTAL; outside Flatpak only this debug key makes it use
 *   the portals (its file chooser, settings, OpenURI), and it is one GTK
 *   honours in release builds.
 * - QT_QPA_PLATFORMTHEME=xdgdesktopportal unless --env or the manifest
 *   names a theme: Qt's file dialogs through the portal (Qt picks that
 *   theme itself only in Flatpak and Snap). It draws with the theme the
 *   desktop would give otherwise; without its plugin (Debian's
 *   qt5-xdgdesktopportal-platformtheme) Qt falls back to that one.
 * - an empty $XDG_RUNTIME_DIR/flatpak-info, read-only: xdg-utils'
 *   xdg-open has no other switch to the OpenURI portal (it tests only
 *   that this file exists, and otherwise starts the default browser it
 *   finds inside the sandbox). GLib, GTK, Qt, Chromium and libportal
 *   look for /.flatpak-info (and read Flatpak's keys in it), which stays
 *   absent: to them this is no Flatpak.
 * - no desktop entries (/usr/share/applications and /usr/local/share/
 *   applications empty): GLib opens a link with a handler it finds on
 *   the system first, and only without one through the portal, so an
 *   app would start the host root's browser or mail client inside its
 *   own sandbox. An app inside has nothing of its own to launch.
 * dir is the instance directory on the host; live: make its empty file.
 */
/* the value of the plan's variable key ("NAME="), or NULL */
static const char *plan_env(const struct cw_plan *plan, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; i < plan->nenvp; i++) {
		if (strncmp(plan->envp[i], key, n) == 0) {
			return plan->envp[i] + n;
		}
	}
	return NULL;
}

/* GDK_DEBUG with the portals key added to what the plan's says */
static bool add_gdk_portals(struct cw_plan *plan)
{
	const char *old = plan_env(plan, "GDK_DEBUG=");
	if (old == NULL || *old == '\0') {
		return cw_plan_setenv(plan, "GDK_DEBUG=portals");
	}
	char *env;
	if (asprintf(&env, "GDK_DEBUG=%s,portals", old) < 0) {
		return false;
	}
	bool ok = cw_plan_setenv(plan, env);
	free(env);
	return ok;
}

static bool add_bus(struct cw_plan *plan, const char *dir, bool live)
{
	char env[PATH_MAX + 64], bus[PATH_MAX], info[PATH_MAX];
	snprintf(env, sizeof(env), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s/bus",
		plan->runtime_dir);
	snprintf(bus, sizeof(bus), "%s/bus", dir);
	snprintf(info, sizeof(info), "%s/flatpak-info", dir);
	if (live) {
		int fd = open(info, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			0444);
		if (fd < 0) {
			cw_msg("cannot create %s (xdg-open inside will not use "
				"the OpenURI portal): %s", info,
				strerror(errno));
		} else {
			close(fd);
		}
	}
	return cw_plan_add_socket(plan, bus, "bus") &&
		cw_plan_add_runtime_file(plan, info, "flatpak-info") &&
		cw_plan_setenv(plan, env) &&
		cw_plan_setenv(plan, "GTK_USE_PORTAL=1") &&
		cw_plan_setenv(plan, "GIO_USE_PORTALS=1") &&
		add_gdk_portals(plan) &&
		(plan_env(plan, "QT_QPA_PLATFORMTHEME=") != NULL ||
		cw_plan_setenv(plan,
		"QT_QPA_PLATFORMTHEME=xdgdesktopportal")) &&
		cw_plan_hide(plan, "/usr/share/applications") &&
		cw_plan_hide(plan, "/usr/local/share/applications");
}

static int dry_run(const struct cw_sandbox_config *cfg,
	const struct cw_policy *policy, bool no_security_context)
{
	char err[512];
	const char *socket = cfg->wayland ?
		"$XDG_RUNTIME_DIR/crate-wl/ID/wayland-0" : NULL;
	struct cw_plan *plan = cw_plan_create(cfg, socket, true, err,
		sizeof(err));
	if (plan == NULL) {
		cw_msg("%s", err);
		return 1;
	}
	if ((bus_wanted(cfg, policy) && !add_bus(plan,
			"$XDG_RUNTIME_DIR/crate-wl/ID", false)) ||
			(cw_sandbox_config_has_media(cfg) &&
			!cw_plan_add_socket(plan,
			"$XDG_RUNTIME_DIR/crate-wl/ID/pipewire-0",
			"pipewire-0")) ||
			(cw_sandbox_config_has_media(cfg) &&
			cfg->audio_playback && !cw_plan_add_pulse(plan,
			"$XDG_RUNTIME_DIR/crate-wl/ID/pipewire-pulse.conf"))) {
		cw_msg("out of memory");
		cw_plan_destroy(plan);
		return 1;
	}
	printf("command:");
	for (char **a = plan->argv; *a != NULL; a++) {
		printf(" %s", *a);
	}
	printf("\napp: %s", cfg->app ? cfg->app : "(none)");
	if (cfg->label != NULL) {
		printf(" (%s)", cfg->label);
	}
	printf("\n");
	printf("namespaces: user mount pid ipc uts%s cgroup\n",
		cfg->net == CW_NET_HOST ? "" : " net");
	printf("network: %s\n", net_name(cfg->net));
	if (cfg->x11) {
		printf("x11: a private rootful Xwayland on :0, a client of "
			"the sandbox's proxy\n");
	}
	printf("process: pid-1 reaper, dies with crate-wl, new session, "
		"new session keyring, no_new_privs, no capabilities; pid 1 "
		"the same, and non-dumpable\n");
	printf("terminal: %s\n", cfg->terminal ? "a pty crate-wl relays "
		"while in the foreground (when it has a terminal)" : "none "
		"(/dev/null in, output through a pipe, control characters "
		"shown as ?)");
	cw_plan_print(plan, stdout);
	if (policy != NULL) {
		char upstream[PATH_MAX];
		if (!cw_resolve_wayland_display(getenv("WAYLAND_DISPLAY"),
				upstream, sizeof(upstream), err, sizeof(err))) {
			snprintf(upstream, sizeof(upstream), "(none: %s)", err);
		}
		printf("sockets:\n  %s/wayland-0 <- filtering proxy "
			"(outside) -> %s%s\n", plan->runtime_dir, upstream,
			no_security_context ? "" : ", through a security "
			"context (sandbox_engine crate-wl) where the "
			"compositor offers one");
		printf("  %s/bus <- a private session bus (a dbus-daemon "
			"outside, in namespaces of its own, activating "
			"nothing) where crate-wl serves only its portals: ",
			plan->runtime_dir);
		print_portals(policy);
		printf("\n");
		printf("prompt: %s\npolicy:\n", cfg->prompt ? cfg->prompt :
			getenv("DBUS_SESSION_BUS_ADDRESS") ? "portal" :
			"none (ask is denied)");
		fflush(stdout);
		cw_policy_print(policy, stdout);
	} else {
		printf("sockets: none (--no-wayland)\n");
		if (cw_sandbox_config_has_media(cfg)) {
			/* media asks as with a display */
			printf("prompt: %s\n", cfg->prompt ? cfg->prompt :
				getenv("DBUS_SESSION_BUS_ADDRESS") ? "portal" :
				"none (ask is denied)");
		}
	}
	if (cw_sandbox_config_has_media(cfg)) {
		char pw[PATH_MAX], why[PATH_MAX];
		const struct cw_media_module *mm =
			cw_media_module_load(why, sizeof(why));
		if (mm != NULL) {
			mm->pw_socket_path(pw, sizeof(pw));
		} else {
			snprintf(pw, sizeof(pw), "(none: %.*s)", 200, why);
		}
		printf("  %s/pipewire-0 <- crate-wl's PipeWire relay (outside, "
			"restricted per connection) -> %s\n", plan->runtime_dir,
			pw);
	}
	if (plan->pulse) {
		printf("  %s/pulse/native <- pipewire-pulse, started inside "
			"on the first connection, as confined as the app -> "
			"pipewire-0\n", plan->runtime_dir);
	}
	cw_sandbox_media_print(cfg, stdout);
	if (policy != NULL) {
		cw_sandbox_portals_print(policy, stdout);
	}
	printf("seccomp:%s\n", cfg->devel ? " (--devel: ptrace, "
		"process_vm_readv/writev, pidfd_getfd and perf_event_open "
		"allowed)" : "");
	cw_seccomp_print_rules(stdout, cfg->devel, cfg->nested);
	cw_plan_destroy(plan);
	return 0;
}

/*
 * The app's first connection to its bus (it waits in the backlog): only
 * now do the bus's daemon and the portals start, on this socket. A run
 * that never looks for a portal pays for neither.
 */
static void bus_first_connection(struct cw_source *source, uint32_t events)
{
	struct launch *l = cw_container_of(source, l, bus_source);
	int fd = source->fd;
	cw_loop_remove(l->loop, source);
	source->fd = -1;
	char err[PATH_MAX + 512];
	struct cw_portal_host_config cfg = {
		.env = {
			.loop = l->loop,
			.app = l->cfg->app ? l->cfg->app : "-",
			.label = l->proxy->perms->app,
			.instance = l->inst->id,
			.dir = l->inst->dir,
			.pid = l->sb != NULL ? l->sb->pid : -1,
			.perms = l->proxy->perms,
			.compositor = l->upstream,
			.proxy = l->upstream != NULL ? l->proxy : NULL,
			.granted = l->grants != NULL ? cw_grants_has : NULL,
			.grant = l->grants != NULL ? grant_file : NULL,
			.grant_dir = l->grants != NULL ? grant_folder : NULL,
			.granted_data = l->grants,
			.grant_data = l->grants,
		},
		.listen_fd = fd,
		.spawn = cw_confined_spawn,
		.portals = l->portal_table,
		.nportals = l->nportals,
	};
	l->portals = cw_portal_host_create(&cfg, err, sizeof(err));
	if (l->portals == NULL) {
		cw_msg("no portals in the sandbox: %s", err);
	}
}

/* The bus's socket, listening; false with a message when there is none. */
static bool bus_listen(struct launch *l)
{
	char err[PATH_MAX + 512];
	snprintf(l->bus_path, sizeof(l->bus_path), "%s/bus", l->inst->dir);
	int fd = cw_unix_listen(l->bus_path, 64, err, sizeof(err));
	if (fd >= 0 && !cw_loop_add(l->loop, &l->bus_source, fd, EPOLLIN,
			bus_first_connection)) {
		snprintf(err, sizeof(err), "cannot watch %s: %s", l->bus_path,
			strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		/* the app runs; it sees no portal, as on a desktop without
		 * one */
		cw_msg("no portals in the sandbox: %s", err);
		return false;
	}
	return true;
}

/* The sandbox is whole and its command started: from now on ps lists
 * it, enter joins it, and a second crate-wl app of the same data enters
 * it. */
static void sandbox_ready(struct launch *l)
{
	char err[512];
	if (l->ready || l->ready_inst == NULL) {
		return;
	}
	l->ready = true;
	if (!cw_instance_save(l->ready_inst, l->plan->envp, err,
			sizeof(err))) {
		cw_msg("%s", err);
		kill(l->sb->pid, SIGKILL);
		return;
	}
	if (l->plan->data_lock >= 0) {
		char line[32];
		int n = snprintf(line, sizeof(line), "%s\n",
			l->ready_inst->id);
		if (ftruncate(l->plan->data_lock, 0) < 0 ||
				pwrite(l->plan->data_lock, line, (size_t)n, 0) !=
				n) {
			cw_msg("cannot record the instance: %s",
				strerror(errno));
		}
	}
}

static void handle_line(struct launch *l, const char *line)
{
	if (strcmp(line, "ready") == 0) {
		sandbox_ready(l);
	} else if (strcmp(line, "setup") == 0) {
		/* start_grants waited for it, or there was none to wait */
	} else if (strncmp(line, "exit ", 5) == 0) {
		l->exit_status = atoi(line + 5);
		l->have_exit = true;
	} else if (strncmp(line, "error ", 6) == 0) {
		cw_msg("%s", line + 6);
	} else {
		cw_log(CW_LOG_ERROR, "unexpected line from the sandbox: %s",
			line);
	}
}

static void status_dispatch(struct cw_source *source, uint32_t events)
{
	struct launch *l = cw_container_of(source, l, status_source);
	for (;;) {
		ssize_t n = read(source->fd, l->line + l->linelen,
			sizeof(l->line) - 1 - l->linelen);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			return;
		}
		if (n <= 0) {
			break;
		}
		l->linelen += (size_t)n;
		char *nl;
		while ((nl = memchr(l->line, '\n', l->linelen)) != NULL) {
			*nl = '\0';
			handle_line(l, l->line);
			size_t used = (size_t)(nl - l->line) + 1;
			memmove(l->line, nl + 1, l->linelen - used);
			l->linelen -= used;
		}
		if (l->linelen == sizeof(l->line) - 1) {
			l->linelen = 0; /* no line is that long: drop it */
		}
	}
	l->status_eof = true;
	cw_loop_remove(l->loop, source);
}

/*
 * Until the sandbox's view is whole (its "setup" line), as the init
 * waits for the release: the files given on the command line are
 * mounted in it before its command starts. Lines before it (an error)
 * are handled as in the loop.
 */
static bool wait_setup(struct launch *l)
{
	size_t len = 0;
	char line[512];
	for (;;) {
		char c;
		ssize_t n = read(l->sb->status_fd, &c, 1);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n != 1) {
			return false;
		}
		if (c != '\n') {
			if (len < sizeof(line) - 1) {
				line[len++] = c;
			}
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (strcmp(line, "setup") == 0) {
			return true;
		}
		handle_line(l, line);
	}
}

/* Whether the sandbox id may still use its staging directories: its
 * instance directory is there, and its init alive (or it is starting:
 * no info yet). */
static bool instance_alive(const char *id)
{
	char base[PATH_MAX], dir[PATH_MAX + 64], err[512];
	struct stat st;
	if (!cw_path_runtime_dir(base, sizeof(base), err, sizeof(err)) ||
			strlen(id) > 32) {
		return true; /* cannot tell: keep */
	}
	snprintf(dir, sizeof(dir), "%s/%s", base, id);
	if (stat(dir, &st) < 0) {
		return errno != ENOENT;
	}
	struct cw_instance *inst = malloc(sizeof(*inst));
	bool alive = inst == NULL || !cw_instance_find(id, inst, err,
		sizeof(err)) || strcmp(inst->id, id) != 0 ||
		cw_instance_alive(inst);
	free(inst);
	return alive;
}

/* The sandbox's grants: the command line's files, and a socket for
 * those of a second crate-wl app while it runs. */
static void start_grants(struct launch *l, const struct cw_instance *inst,
	const struct cw_plan *plan, const struct cw_launch_options *opts)
{
	char err[PATH_MAX + 512], path[PATH_MAX + 16];
	/* a killed launcher's: its links would keep old files' space */
	cw_grants_sweep(instance_alive);
	snprintf(path, sizeof(path), "%s/grants", inst->dir);
	l->grants = cw_grants_create(l->loop, l->sb->pid, inst->id, path,
		plan->home, plan->persist_home, err, sizeof(err));
	if (l->grants == NULL) {
		cw_msg("%s", err);
		return;
	}
	snprintf(path, sizeof(path), "%s/grant", inst->dir);
	if (!cw_grants_listen(l->grants, path, err, sizeof(err))) {
		cw_msg("%s", err);
	}
	if (opts->ngrants == 0) {
		return;
	}
	if (!wait_setup(l)) {
		return; /* it died: its status says why */
	}
	for (size_t i = 0; i < opts->ngrants; i++) {
		if (!cw_grants_add(l->grants, opts->grants[i], 0, err,
				sizeof(err))) {
			cw_msg("%s", err);
		}
	}
}

static void signal_dispatch(struct cw_source *source, uint32_t events)
{
	struct launch *l = cw_container_of(source, l, signal_source);
	struct signalfd_siginfo si;
	while (read(source->fd, &si, sizeof(si)) == sizeof(si)) {
		if (cw_tty_signal(&l->tty, (int)si.ssi_signo)) {
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			if (!l->init_done) {
				kill(l->sb->pid, (int)si.ssi_signo);
			}
			continue;
		}
		/* only the sandbox: prompt programs are reaped by their
		 * own front-end */
		int status;
		if (!l->init_done && waitpid(l->sb->pid, &status, WNOHANG) ==
				l->sb->pid) {
			l->init_status = status;
			l->init_done = true;
		}
	}
}

static void terminal_lend(struct cw_prompt_terminal *terminal)
{
	struct launch *l = cw_container_of(terminal, l, terminal);
	cw_tty_lend(&l->tty);
}

static void terminal_take_back(struct cw_prompt_terminal *terminal)
{
	struct launch *l = cw_container_of(terminal, l, terminal);
	cw_tty_take_back(&l->tty);
}

/*
 * Who the sandbox is for prompts and the permission store (its app name,
 * or its command's), how to ask, and the control socket through which
 * grants and revokes reach it.
 */
static bool setup_permissions(struct launch *l,
	const struct cw_sandbox_config *cfg, const char *command)
{
	if (!cw_proxy_setup_permissions(l->proxy, cfg->app, command,
			cfg->prompt, PROMPT_TIMEOUT_MS, &l->control)) {
		return false;
	}
	if (cfg->label != NULL && !cw_permissions_set_label(l->proxy->perms,
			cfg->label)) {
		cw_msg("out of memory");
		return false;
	}
	struct cw_prompter *prompter = l->proxy->perms->prompter;
	if (prompter != NULL && cw_tty_stdio(&l->tty) != NULL) {
		l->terminal.lend = terminal_lend;
		l->terminal.take_back = terminal_take_back;
		prompter->terminal = &l->terminal;
	}
	return true;
}

static void json_status(int fd, const char *fmt, ...)
	CW_ATTRIB_PRINTF(2, 3);

static void json_status(int fd, const char *fmt, ...)
{
	if (fd < 0) {
		return;
	}
	char buf[512];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	if (n > 0 && write(fd, buf, (size_t)n) != n) {
		cw_log(CW_LOG_ERROR, "--json-status: %s", strerror(errno));
	}
}

static bool dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return true;
	default:
		return false;
	}
}

static void join_command(char *out, size_t len, char *const argv[])
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; argv[i] != NULL && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s",
			i ? " " : "", argv[i]);
		if (n < 0) {
			break;
		}
		used += (size_t)n;
	}
}

int cw_launch(const struct cw_sandbox_config *cfg,
	const struct cw_launch_options *opts)
{
	char err[512];
	int ret = 1;
	bool oci = cfg->root != NULL && strncmp(cfg->root, "oci:", 4) == 0;
	if ((cfg->argv == NULL || cfg->argv[0] == NULL) && !oci) {
		/* an OCI image may give its own */
		cw_msg("no command to run");
		return 2;
	}
	struct cw_policy *policy = NULL;
	if (cfg->wayland) {
		policy = cw_sandbox_config_policy(cfg, err, sizeof(err));
		if (policy == NULL) {
			cw_msg("%s", err);
			return 2;
		}
	}
	if (opts->dry_run) {
		ret = dry_run(cfg, policy, opts->no_security_context);
		cw_policy_destroy(policy);
		return ret;
	}
	if (cfg->net == CW_NET_NAT && !cw_nat_available(err, sizeof(err))) {
		cw_msg("%s", err);
		cw_policy_destroy(policy);
		return 1;
	}

	/* what the app can make the media side and the portal say */
	cw_notes_set_trace(opts->trace);
	char upstream[PATH_MAX];
	if (policy != NULL && !cw_resolve_wayland_display(
			getenv("WAYLAND_DISPLAY"), upstream, sizeof(upstream),
			err, sizeof(err))) {
		cw_msg("%s (or run with --no-wayland)", err);
		cw_policy_destroy(policy);
		return 1;
	}
	/* say now that there is no display, not after the app started and
	 * died of it */
	if (policy != NULL && !cw_compositor_check(upstream, err,
			sizeof(err))) {
		cw_msg("%s (or run with --no-wayland)", err);
		cw_policy_destroy(policy);
		return 1;
	}

	struct cw_instance inst;
	struct launch l;
	memset(&l, 0, offsetof(struct launch, bus_path));
	l.signal_source.fd = -1;
	l.bus_source.fd = -1;
	l.inst = &inst;
	l.upstream = policy != NULL ? upstream : NULL;
	struct cw_plan *plan = NULL;
	struct cw_policy *perm_policy = NULL; /* without a display */
	struct cw_cgroup cgroup;
	bool have_inst = false, have_cgroup = false;
	pid_t pasta = -1;
	int sfd = -1;
	if (!cw_tty_open(&l.tty, cfg->terminal, err, sizeof(err))) {
		cw_msg("%s", err);
		cw_policy_destroy(policy);
		return 1;
	}
	sigset_t mask, oldmask;
	cw_signals_forwarded(&mask);
	sigaddset(&mask, SIGCHLD);
	cw_tty_signals(&l.tty, &mask);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	signal(SIGPIPE, SIG_IGN);

	if (!cw_instance_create(&inst, err, sizeof(err))) {
		cw_msg("%s", err);
		goto out;
	}
	have_inst = true;
	l.loop = cw_loop_create();
	if (l.loop == NULL) {
		cw_msg("cannot create the event loop: %s", strerror(errno));
		goto out;
	}
	/* each written only when used: a page of stack each otherwise */
	char socket_path[PATH_MAX + 16];
	char pw_socket[PATH_MAX + 16];
	if (policy != NULL) {
		snprintf(socket_path, sizeof(socket_path), "%s/wayland-0",
			inst.dir);
	}
	plan = cw_plan_create(cfg, policy ? socket_path : NULL, false, err,
		sizeof(err));
	if (plan == NULL) {
		cw_msg("%s", err);
		goto out;
	}
	/*
	 * The sandbox's permission state and its control socket live in the
	 * proxy. Without a display, a sandbox with media still gets one that
	 * serves no socket, so that its grants are asked, stored and revoked
	 * as with a display (issue 19).
	 */
	if (policy == NULL && cw_sandbox_config_has_media(cfg)) {
		perm_policy = cw_policy_create(CW_POLICY_STRICT);
		if (perm_policy == NULL) {
			cw_msg("out of memory");
			goto out;
		}
		cw_sandbox_media_policy(cfg, perm_policy);
	}
	if (policy != NULL || perm_policy != NULL) {
		l.proxy = cw_proxy_create(l.loop, policy ? policy : perm_policy,
			policy ? upstream : NULL, -1);
		if (l.proxy == NULL) {
			cw_msg("cannot start the proxy: %s", strerror(errno));
			goto out;
		}
		l.proxy->trace = opts->trace;
		if (!setup_permissions(&l, cfg, plan->argv[0]) ||
				(policy != NULL &&
				!cw_proxy_listen(l.proxy, socket_path))) {
			goto out;
		}
		/* the context's socket stays in the instance's directory,
		 * which the sandbox never sees (only its own sockets are
		 * bound in) */
		if (policy != NULL && opts->no_security_context) {
			cw_proxy_trace(l.proxy, "SECURITY-CONTEXT", "none: "
				"--no-security-context");
		} else if (policy != NULL && !cw_proxy_set_security_context(
				l.proxy, inst.dir, inst.id)) {
			cw_msg("out of memory");
			goto out;
		}
	}
	l.cfg = cfg;
	l.nportals = portal_table(policy, l.portal_table, 8);
	bool bus = l.proxy != NULL && bus_listen(&l);
	if (cw_sandbox_config_has_media(cfg)) {
		char app[101];
		snprintf(pw_socket, sizeof(pw_socket), "%s/pipewire-0",
			inst.dir);
		snprintf(app, sizeof(app), "%s", l.proxy->perms->app);
		l.mm = cw_media_module_load(err, sizeof(err));
		if (l.mm == NULL) {
			cw_msg("media: %s", err);
			goto out;
		}
		l.media = l.mm->media_start(l.loop, cfg, l.proxy->perms, app,
			inst.id, pw_socket, err, sizeof(err));
		if (l.media == NULL) {
			cw_msg("media: %s", err);
			goto out;
		}
	}
	if (bus && !add_bus(plan, l.inst->dir, true)) {
		cw_msg("out of memory");
		goto out;
	}
	char pulse_conf[PATH_MAX + 32];
	snprintf(pulse_conf, sizeof(pulse_conf), "%s/pipewire-pulse.conf",
		inst.dir);
	if (l.media != NULL && cfg->audio_playback &&
			!cw_pulse_write_config(pulse_conf, err, sizeof(err))) {
		cw_msg("%s", err);
		goto out;
	}
	if (l.media != NULL && (!cw_plan_add_socket(plan, pw_socket,
			"pipewire-0") || (cfg->audio_playback &&
			!cw_plan_add_pulse(plan, pulse_conf)))) {
		cw_msg("out of memory");
		goto out;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		cw_msg("signalfd: %s", strerror(errno));
		goto out;
	}

	/* born in its own cgroup: its cgroup namespace's root */
	char why[512];
	have_cgroup = cw_cgroup_create(&cgroup, inst.id, why, sizeof(why));
	l.sb = cw_sandbox_spawn(plan, cw_seccomp_get(cfg->devel, cfg->nested), plan->argv,
		cfg->net != CW_NET_HOST, cw_tty_stdio(&l.tty),
		have_cgroup ? &cgroup : NULL, err, sizeof(err));
	if (have_cgroup && cgroup.why[0] != '\0') {
		snprintf(why, sizeof(why), "%s", cgroup.why);
		cw_cgroup_remove(&cgroup);
		have_cgroup = false;
	}
	if (opts->trace) {
		cw_log_line("crate-wl: CGROUP %s%s", have_cgroup ?
			cgroup.path : "none of its own: ", have_cgroup ? "" : why);
	}
	if (l.sb == NULL) {
		cw_msg("%s", err);
		goto out;
	}
	if (!cw_tty_start(&l.tty, l.loop)) {
		cw_msg("cannot relay the terminal: %s", strerror(errno));
		kill(l.sb->pid, SIGKILL);
	}
	start_grants(&l, &inst, plan, opts);
	fcntl(l.sb->status_fd, F_SETFL, O_NONBLOCK);
	cw_loop_add(l.loop, &l.signal_source, sfd, EPOLLIN, signal_dispatch);
	cw_loop_add(l.loop, &l.status_source, l.sb->status_fd, EPOLLIN,
		status_dispatch);

	inst.pid = l.sb->pid;
	snprintf(inst.app, sizeof(inst.app), "%s", cfg->app ? cfg->app : "-");
	snprintf(inst.policy, sizeof(inst.policy), "%s", policy ?
		(cfg->policy ? cfg->policy : "default") : "(no wayland)");
	snprintf(inst.home, sizeof(inst.home), "%s", plan->home);
	inst.devel = cfg->devel;
	inst.nested = cfg->nested;
	join_command(inst.command, sizeof(inst.command), plan->argv);
	l.ready_inst = &inst;
	l.plan = plan;
	if (cfg->net == CW_NET_NAT && !cw_nat_attach(l.sb->pid,
			inst.dir, &pasta, err, sizeof(err))) {
		cw_msg("%s", err);
		kill(l.sb->pid, SIGKILL);
	} else {
		json_status(opts->json_status_fd, "{ \"child-pid\": %d, "
			"\"id\": \"%s\" }\n", (int)l.sb->pid, inst.id);
		cw_sandbox_release(l.sb);
	}

	/* "exit N" means every process of the sandbox is gone: the init's
	 * own end (the kernel freeing its namespaces, which waits for an RCU
	 * grace period) is nothing the caller needs to wait for */
	while (!l.have_exit && !(l.init_done && l.status_eof)) {
		int n = l.proxy ? cw_proxy_dispatch(l.proxy, -1) :
			cw_loop_dispatch(l.loop, -1);
		if (n < 0 && n != -EINTR) {
			cw_msg("event loop: %s", strerror(-n));
			kill(l.sb->pid, SIGKILL);
			waitpid(l.sb->pid, NULL, 0);
			goto out;
		}
	}
	cw_tty_drain(&l.tty);
	if (l.have_exit) {
		int st = l.exit_status;
		ret = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	} else {
		ret = WIFEXITED(l.init_status) ? WEXITSTATUS(l.init_status) :
			1;
		if (ret == 0) {
			ret = 1;
		}
	}
	json_status(opts->json_status_fd, "{ \"exit-code\": %d }\n", ret);
	if (!l.init_done) {
		/* mostly still freeing its namespaces: whoever reaps our
		 * orphans reaps it after we exit */
		waitpid(l.sb->pid, NULL, WNOHANG);
	}

out:
	cw_tty_close(&l.tty);
	if (sfd >= 0) {
		if (l.sb != NULL) {
			cw_loop_remove(l.loop, &l.signal_source);
		}
		close(sfd);
	}
	if (l.sb != NULL && !l.status_eof) {
		cw_loop_remove(l.loop, &l.status_source);
	}
	cw_nat_stop(pasta);
	if (have_cgroup) {
		cw_cgroup_remove(&cgroup);
	}
	cw_grants_destroy(l.grants);
	cw_sandbox_destroy(l.sb);
	if (l.bus_source.fd >= 0) {
		cw_loop_remove(l.loop, &l.bus_source);
		close(l.bus_source.fd);
	}
	cw_portal_host_destroy(l.portals);
	if (l.media != NULL) {
		l.mm->media_stop(l.media);
	}
	cw_control_destroy(l.control, l.proxy != NULL && l.proxy->released);
	cw_proxy_destroy(l.proxy);
	cw_loop_destroy(l.loop);
	if (have_inst) {
		cw_instance_remove(&inst);
	}
	cw_plan_destroy(plan);
	cw_policy_destroy(policy);
	cw_policy_destroy(perm_policy);
	if (l.have_exit && WIFSIGNALED(l.exit_status) &&
			!dumps_core(WTERMSIG(l.exit_status))) {
		/* die the way the command died, for the caller's shell (but
		 * leave core dumps to the command: ours says nothing) */
		int sig = WTERMSIG(l.exit_status);
		signal(sig, SIG_DFL);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return ret;
}
