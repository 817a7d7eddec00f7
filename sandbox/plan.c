/* From a config to the list of setup operations, and the environment. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "oci.h"
#include "paths.h"
#include "plan-ops.h"

extern char **environ;

/*
 * The sandbox's environment starts empty: of the caller's, only the locale
 * and the terminal's type (crate-wl-run(1), ENVIRONMENT). Everything else
 * (tokens, keys, agent sockets, paths of the host) stays outside unless
 * --env or a manifest's env names it.
 */
static const char *const kept_env[] = {
	"LANG", "LANGUAGE", "TERM",
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	/* a sanitizer build of crate-wl (the test suite's): the test's own
	 * sanitizer settings reach the probes it runs inside. A release
	 * build keeps none of these */
	"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
#endif
};

static bool env_kept(const char *entry)
{
	size_t n = strcspn(entry, "=");
	if (strncmp(entry, "LC_", 3) == 0 && n > 3) {
		return true;
	}
	for (size_t i = 0; i < sizeof(kept_env) / sizeof(*kept_env); i++) {
		if (strlen(kept_env[i]) == n &&
				strncmp(entry, kept_env[i], n) == 0) {
			return true;
		}
	}
	return false;
}

bool cw_op_mounts(enum cw_op_type type)
{
	switch (type) {
	case CW_OP_BIND:
	case CW_OP_RO_BIND:
	case CW_OP_DEV_BIND:
	case CW_OP_TMPFS:
	case CW_OP_HIDE:
	case CW_OP_PROC:
	case CW_OP_DEVPTS:
	case CW_OP_ROOT:
		return true;
	case CW_OP_MKDIR:
	case CW_OP_SYMLINK:
	case CW_OP_REMOUNT_RO_ROOT:
		return false;
	}
	return false;
}

const char *cw_op_type_name(enum cw_op_type type)
{
	switch (type) {
	case CW_OP_BIND:
		return "bind";
	case CW_OP_RO_BIND:
		return "ro-bind";
	case CW_OP_DEV_BIND:
		return "dev-bind";
	case CW_OP_TMPFS:
		return "tmpfs";
	case CW_OP_HIDE:
		return "hide";
	case CW_OP_PROC:
		return "proc";
	case CW_OP_DEVPTS:
		return "devpts";
	case CW_OP_MKDIR:
		return "mkdir";
	case CW_OP_SYMLINK:
		return "symlink";
	case CW_OP_REMOUNT_RO_ROOT:
		return "remount-ro";
	case CW_OP_ROOT:
		return "root";
	}
	return "?";
}

bool cw_plan_add_op(struct cw_plan *plan, enum cw_op_type type,
	const char *src, const char *dst, unsigned mode, unsigned flags)
{
	if (plan->nops == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 64;
		struct cw_setup_op *ops = realloc(plan->ops,
			cap * sizeof(*ops));
		if (ops == NULL) {
			return false;
		}
		plan->ops = ops;
		plan->cap = cap;
	}
	struct cw_setup_op *op = &plan->ops[plan->nops];
	*op = (struct cw_setup_op){
		.type = type,
		.src = src ? strdup(src) : NULL,
		.dst = dst ? strdup(dst) : NULL,
		.mode = mode,
		.flags = flags,
		.fd = -1,
	};
	if ((src && !op->src) || (dst && !op->dst)) {
		free(op->src);
		free(op->dst);
		return false;
	}
	plan->nops++;
	return true;
}

static bool add_dev(struct cw_plan *plan, bool dri)
{
	static const char *const nodes[] = {
		"null", "zero", "full", "random", "urandom", "tty",
	};
	bool ok = cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/dev", 0755, 0);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(*nodes); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		ok = ok && cw_plan_add_op(plan, CW_OP_DEV_BIND, path, path, 0,
			CW_OP_OPTIONAL);
	}
	ok = ok && cw_plan_add_op(plan, CW_OP_DEVPTS, NULL, "/dev/pts", 0, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "pts/ptmx", "/dev/ptmx", 0, 0);
	/* a directory of /dev, as bwrap has it; no mqueue mount (mq_open
	 * needs none, and the IPC namespace is the sandbox's own) */
	ok = ok && cw_plan_add_op(plan, CW_OP_MKDIR, NULL, "/dev/shm", 01777, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/proc/self/fd", "/dev/fd", 0,
		0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/proc/self/fd/0",
		"/dev/stdin", 0, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/proc/self/fd/1",
		"/dev/stdout", 0, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_SYMLINK, "/proc/self/fd/2",
		"/dev/stderr", 0, 0);
	if (dri) {
		ok = ok && cw_plan_add_op(plan, CW_OP_DEV_BIND, "/dev/dri", "/dev/dri",
			0, CW_OP_OPTIONAL);
	}
	return ok;
}

static bool env_put(struct cw_plan *plan, const char *entry)
{
	size_t n = strcspn(entry, "=");
	char *copy = strdup(entry);
	if (copy == NULL) {
		return false;
	}
	for (size_t i = 0; i < plan->nenvp; i++) {
		if (strncmp(plan->envp[i], entry, n) == 0 &&
				plan->envp[i][n] == '=') {
			free(plan->envp[i]);
			plan->envp[i] = copy;
			return true;
		}
	}
	char **envp = realloc(plan->envp, (plan->nenvp + 2) * sizeof(*envp));
	if (envp == NULL) {
		free(copy);
		return false;
	}
	plan->envp = envp;
	plan->envp[plan->nenvp++] = copy;
	plan->envp[plan->nenvp] = NULL;
	return true;
}

static bool build_env(struct cw_plan *plan,
	const struct cw_sandbox_config *cfg, char **image_env, bool wayland)
{
	bool ok = true;
	for (char **e = environ; ok && *e != NULL; e++) {
		if (strchr(*e, '=') != NULL && env_kept(*e)) {
			ok = env_put(plan, *e);
		}
	}
	/* the software's usual places; an image's Env may say otherwise */
	ok = ok && env_put(plan, "PATH=/usr/local/sbin:/usr/local/bin:"
		"/usr/sbin:/usr/bin:/sbin:/bin");
	/* the XDG base directories in the sandbox's home, named: Mesa's
	 * shader cache and others look up the passwd entry's home, not
	 * $HOME, and would write (and lose) their caches elsewhere. An
	 * image's Env and --env may say otherwise. */
	static const char *const xdg[][2] = {
		{ "XDG_CONFIG_HOME", ".config" },
		{ "XDG_CACHE_HOME", ".cache" },
		{ "XDG_DATA_HOME", ".local/share" },
		{ "XDG_STATE_HOME", ".local/state" },
	};
	char buf[PATH_MAX + 32];
	for (size_t i = 0; ok && i < sizeof(xdg) / sizeof(xdg[0]); i++) {
		snprintf(buf, sizeof(buf), "%s=%s/%s", xdg[i][0], plan->home,
			xdg[i][1]);
		ok = env_put(plan, buf);
	}
	for (char **e = image_env; ok && e != NULL && *e != NULL; e++) {
		ok = env_put(plan, *e);
	}
	snprintf(buf, sizeof(buf), "HOME=%s", plan->home);
	ok = ok && env_put(plan, buf);
	snprintf(buf, sizeof(buf), "XDG_RUNTIME_DIR=%s", plan->runtime_dir);
	ok = ok && env_put(plan, buf);
	if (wayland) {
		ok = ok && env_put(plan, "WAYLAND_DISPLAY=wayland-0");
		ok = ok && env_put(plan, "XDG_SESSION_TYPE=wayland");
	}
	if (wayland && cfg->x11) {
		/* /tmp and the abstract namespace are the sandbox's: :0 is
		 * always free */
		ok = ok && env_put(plan, "DISPLAY=:0");
		/* its cookie, written by the init (spawn.c) */
		snprintf(buf, sizeof(buf), "XAUTHORITY=%s/Xauthority",
			plan->runtime_dir);
		ok = ok && env_put(plan, buf);
	}
	if (cfg->app != NULL) {
		snprintf(buf, sizeof(buf), "CRATE_WL_APP=%s", cfg->app);
		ok = ok && env_put(plan, buf);
	}
	for (size_t i = 0; ok && i < cfg->nenv; i++) {
		ok = env_put(plan, cfg->env[i]);
	}
	if (ok && plan->envp == NULL) {
		plan->envp = calloc(1, sizeof(*plan->envp));
		ok = plan->envp != NULL;
	}
	return ok;
}

bool cw_app_data_dir(const char *app, char *out, size_t len)
{
	char dir[PATH_MAX];
	if (!cw_path_data_home(dir, sizeof(dir)) || strchr(app, '/') != NULL ||
			strcmp(app, ".") == 0 || strcmp(app, "..") == 0) {
		return false;
	}
	return (size_t)snprintf(out, len, "%s/crate-wl/apps/%s", dir, app) <
		len;
}

int cw_app_data_lock(const char *app, bool wait, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX];
	if (!cw_app_data_dir(app, dir, sizeof(dir))) {
		snprintf(err, errlen, "no data directory for '%s': neither "
			"XDG_DATA_HOME nor HOME is set, or the name is not one",
			app);
		return -1;
	}
	if (!cw_mkdir_p(dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/running", dir) >=
			sizeof(path)) {
		snprintf(err, errlen, "%s: the path is too long", dir);
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0 && fd < 3) {
		/* never a standard fd: whatever the caller closed */
		int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = high;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int r;
	do {
		r = flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK) {
			snprintf(err, errlen, "%s is running already, on the "
				"same data (crate-wl enter %s runs a command "
				"in it)", app, app);
			errno = EBUSY;
		} else {
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			errno = e;
		}
		return -1;
	}
	return fd;
}

bool cw_app_data_running(const char *app, char *id, size_t idlen)
{
	char dir[PATH_MAX], path[PATH_MAX];
	if (!cw_app_data_dir(app, dir, sizeof(dir))) {
		return false;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/running", dir) >=
			sizeof(path)) {
		return false;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return false;
	}
	bool busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (busy && idlen > 0) {
		ssize_t n = pread(fd, id, idlen - 1, 0);
		id[n > 0 ? n : 0] = '\0';
		id[strcspn(id, "\n")] = '\0';
	}
	close(fd);
	return busy;
}

/*
 * Creates every parent of the persistent home, as the user, and holds the
 * app's data for the plan's life: a second sandbox on the same data is
 * refused (cw_app_data_lock).
 */
static bool make_persist_home(struct cw_plan *plan, const char *app,
	bool dry_run, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	if (!cw_app_data_dir(app, dir, sizeof(dir))) {
		snprintf(err, errlen, "neither XDG_DATA_HOME nor HOME is set");
		return false;
	}
	plan->data_lock = dry_run ? -1 : cw_app_data_lock(app, false, err,
		errlen);
	if (!dry_run && plan->data_lock < 0) {
		return false;
	}
	size_t n = strlen(dir);
	snprintf(dir + n, sizeof(dir) - n, "/home");
	if (!cw_mkdir_p(dir, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			strerror(errno));
		return false;
	}
	plan->persist_home = strdup(dir);
	return plan->persist_home != NULL;
}

static char **copy_argv(char *const *a, char *const *b)
{
	size_t na = 0, nb = 0;
	while (a != NULL && a[na] != NULL) {
		na++;
	}
	while (b != NULL && b[nb] != NULL) {
		nb++;
	}
	char **argv = calloc(na + nb + 1, sizeof(*argv));
	for (size_t i = 0; argv != NULL && i < na + nb; i++) {
		argv[i] = strdup(i < na ? a[i] : b[i - na]);
		if (argv[i] == NULL) {
			for (size_t j = 0; j < i; j++) {
				free(argv[j]);
			}
			free(argv);
			return NULL;
		}
	}
	return argv;
}

/* COMMAND as given, or the image's Entrypoint followed by its Cmd. */
static bool set_command(struct cw_plan *plan,
	const struct cw_sandbox_config *cfg, const struct cw_oci_config *image,
	char *err, size_t errlen)
{
	bool given = cfg->argv != NULL && cfg->argv[0] != NULL;
	plan->argv = given ? copy_argv(cfg->argv, NULL) :
		copy_argv(image->entrypoint, image->cmd);
	if (plan->argv == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (plan->argv[0] == NULL) {
		snprintf(err, errlen, "%s", cfg->root != NULL &&
			strncmp(cfg->root, "oci:", 4) == 0 ? "no command: the "
			"image has no Entrypoint or Cmd, give one after --" :
			"no command to run");
		return false;
	}
	return true;
}

struct cw_plan *cw_plan_create(const struct cw_sandbox_config *cfg,
	const char *wayland_socket, bool dry_run, char *err, size_t errlen)
{
	struct cw_oci_config image = { 0 };
	struct cw_plan *plan = calloc(1, sizeof(*plan));
	if (plan == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg->x11 && !cfg->wayland) {
		snprintf(err, errlen, "--x11 needs the sandbox's Wayland "
			"display: Xwayland is one of its clients");
		goto fail;
	}
	plan->x11 = cfg->x11;
	plan->oci_hold = -1;
	plan->data_lock = -1;
	plan->uid = getuid();
	plan->gid = getgid();
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/' || strcmp(home, "/") == 0) {
		home = plan->uid == 0 ? "/root" : "/home/user";
	}
	char rt[64];
	snprintf(rt, sizeof(rt), "/run/user/%u", (unsigned)plan->uid);
	char cwd[PATH_MAX];
	plan->home = strdup(home);
	plan->runtime_dir = strdup(rt);
	plan->cwd = strdup(getcwd(cwd, sizeof(cwd)) ? cwd : home);
	if (plan->home == NULL || plan->runtime_dir == NULL ||
			plan->cwd == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cfg->home == CW_HOME_PERSIST) {
		if (cfg->app == NULL) {
			snprintf(err, errlen, "--home persist needs an app "
				"name (--app NAME)");
			goto fail;
		}
		if (!make_persist_home(plan, cfg->app, dry_run, err, errlen)) {
			goto fail;
		}
	}

	const char *root = cfg->root ? cfg->root : "/";
	char oci_root[PATH_MAX];
	if (strncmp(root, "oci:", 4) == 0) {
		/* held for the plan's life, so that crate-wl gc leaves
		 * it alone; taken away meanwhile: unpacked again, once */
		for (int tries = 0; tries < 2 && plan->oci_hold < 0; tries++) {
			cw_oci_config_free(&image);
			if (!cw_oci_root(root, dry_run, &cfg->oci_limits,
					oci_root, sizeof(oci_root), &image, err,
					errlen)) {
				goto fail;
			}
			if (dry_run) {
				break;
			}
			plan->oci_hold = cw_oci_hold(oci_root, err, errlen);
		}
		if (!dry_run && plan->oci_hold < 0) {
			goto fail;
		}
		root = oci_root;
		if (image.workdir != NULL) {
			free(plan->cwd);
			plan->cwd = image.workdir;
			image.workdir = NULL;
		}
	}
	if (!set_command(plan, cfg, &image, err, errlen)) {
		goto fail;
	}
	struct stat st;
	bool whole = false;
	if (dry_run && stat(root, &st) < 0) {
		/* an image not unpacked yet: --dry-run does not unpack */
		if (!cw_plan_add_op(plan, CW_OP_RO_BIND, root, "/*", 0,
				CW_OP_OPTIONAL)) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	} else if (!cw_root_add(plan, cfg, root, &whole, err, errlen)) {
		goto fail;
	}
	bool ok = cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/tmp", 01777, 0);
	ok = ok && add_dev(plan, cfg->dev_dri);
	/* its mode: how many user namespaces the sandbox may make (none,
	 * unless nested sandboxes are allowed) */
	ok = ok && cw_plan_add_op(plan, CW_OP_PROC, NULL, "/proc",
		cfg->nested ? CW_NESTED_NAMESPACES : 0, 0);
	if (!whole) {
		/* the whole root's clone has it, read-only */
		ok = ok && cw_plan_add_op(plan, CW_OP_RO_BIND, "/sys", "/sys",
			0, CW_OP_OPTIONAL);
	}
	ok = ok && cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/run", 0755, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_MKDIR, NULL, rt, 0700, 0);
	if (wayland_socket != NULL) {
		char dst[PATH_MAX];
		snprintf(dst, sizeof(dst), "%s/wayland-0", rt);
		ok = ok && cw_plan_add_op(plan, CW_OP_BIND, wayland_socket, dst, 0, 0);
	}
	ok = ok && cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/home", 0755, 0);
	ok = ok && cw_plan_add_op(plan, CW_OP_TMPFS, NULL, "/root", 0700, 0);
	/* empty: on the tmpfs root, or over the host root's own */
	ok = ok && cw_plan_add_op(plan, whole ? CW_OP_HIDE : CW_OP_MKDIR,
		NULL, "/mnt", whole ? 0 : 0755, 0);
	ok = ok && cw_plan_add_op(plan, whole ? CW_OP_HIDE : CW_OP_MKDIR,
		NULL, "/media", whole ? 0 : 0755, 0);
	if (plan->persist_home != NULL) {
		ok = ok && cw_plan_add_op(plan, CW_OP_BIND, plan->persist_home,
			plan->home, 0, 0);
	} else if (strcmp(plan->home, "/root") == 0 ||
			strncmp(plan->home, "/home/", 6) == 0) {
		/* already on a tmpfs of the sandbox's own */
		ok = ok && cw_plan_add_op(plan, CW_OP_MKDIR, NULL, plan->home, 0700, 0);
	} else {
		ok = ok && cw_plan_add_op(plan, CW_OP_TMPFS, NULL, plan->home, 0700,
			0);
	}
	for (size_t i = 0; ok && i < cfg->nbinds; i++) {
		const struct cw_bind *b = &cfg->binds[i];
		ok = cw_plan_add_op(plan, b->ro ? CW_OP_RO_BIND : CW_OP_BIND, b->src,
			b->dst, 0, 0);
	}
	if (ok && !cw_plan_hide_state(plan, cfg, dry_run, err, errlen)) {
		goto fail;
	}
	if (!whole) {
		/* the host's root is read-only from the start */
		ok = ok && cw_plan_add_op(plan, CW_OP_REMOUNT_RO_ROOT, NULL,
			"/", 0, 0);
	}
	ok = ok && build_env(plan, cfg, image.env, wayland_socket != NULL);
	if (!ok) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	cw_oci_config_free(&image);
	return plan;

fail:
	cw_oci_config_free(&image);
	cw_plan_destroy(plan);
	return NULL;
}

static bool add_in_runtime(struct cw_plan *plan, enum cw_op_type type,
	const char *host_path, const char *name)
{
	/* right after the runtime dir is made, before the root goes
	 * read-only */
	size_t at = plan->nops;
	for (size_t i = 0; i < plan->nops; i++) {
		if (plan->ops[i].type == CW_OP_MKDIR &&
				strcmp(plan->ops[i].dst, plan->runtime_dir) == 0) {
			at = i + 1;
			break;
		}
	}
	char dst[PATH_MAX];
	snprintf(dst, sizeof(dst), "%s/%s", plan->runtime_dir, name);
	if (!cw_plan_add_op(plan, type, host_path, dst, 0, 0)) {
		return false;
	}
	struct cw_setup_op op = plan->ops[plan->nops - 1];
	memmove(&plan->ops[at + 1], &plan->ops[at],
		(plan->nops - 1 - at) * sizeof(op));
	plan->ops[at] = op;
	return true;
}

bool cw_plan_add_socket(struct cw_plan *plan, const char *host_path,
	const char *name)
{
	return add_in_runtime(plan, CW_OP_BIND, host_path, name);
}

bool cw_plan_add_runtime_file(struct cw_plan *plan, const char *host_path,
	const char *name)
{
	return add_in_runtime(plan, CW_OP_RO_BIND, host_path, name);
}

bool cw_plan_hide(struct cw_plan *plan, const char *path)
{
	/* skipped where the root has no such directory */
	return cw_plan_add_op(plan, CW_OP_HIDE, NULL, path, 0, 0);
}

bool cw_plan_setenv(struct cw_plan *plan, const char *entry)
{
	return env_put(plan, entry);
}

bool cw_plan_add_pulse(struct cw_plan *plan, const char *config)
{
	char env[PATH_MAX + 64];
	snprintf(env, sizeof(env), "PULSE_SERVER=unix:%s/pulse/native",
		plan->runtime_dir);
	plan->pulse = true;
	/* read-only and a mount point: the app can neither change nor
	 * replace what pipewire-pulse reads */
	return env_put(plan, env) && cw_plan_add_op(plan, CW_OP_RO_BIND,
		config, CW_PULSE_CONFIG, 0, 0);
}

void cw_plan_destroy(struct cw_plan *plan)
{
	if (plan == NULL) {
		return;
	}
	for (size_t i = 0; i < plan->nops; i++) {
		free(plan->ops[i].src);
		free(plan->ops[i].dst);
		if (plan->ops[i].fd >= 0) {
			close(plan->ops[i].fd);
		}
	}
	free(plan->ops);
	if (plan->oci_hold >= 0) {
		close(plan->oci_hold);
	}
	if (plan->data_lock >= 0) {
		close(plan->data_lock);
	}
	for (size_t i = 0; i < plan->nenvp; i++) {
		free(plan->envp[i]);
	}
	free(plan->envp);
	free(plan->home);
	free(plan->runtime_dir);
	free(plan->persist_home);
	free(plan->cwd);
	for (char **a = plan->argv; a != NULL && *a != NULL; a++) {
		free(*a);
	}
	free(plan->argv);
	free(plan);
}

void cw_plan_print(const struct cw_plan *plan, FILE *f)
{
	fprintf(f, "mounts:\n");
	for (size_t i = 0; i < plan->nops; i++) {
		const struct cw_setup_op *op = &plan->ops[i];
		fprintf(f, "  %-10s %s", cw_op_type_name(op->type), op->dst);
		if (op->src != NULL) {
			fprintf(f, " %s %s", op->type == CW_OP_SYMLINK ?
				"->" : "<-", op->src);
		}
		if (op->mode != 0 && op->type != CW_OP_PROC) {
			fprintf(f, " mode=%04o", op->mode);
		}
		if (op->flags & CW_OP_OPTIONAL) {
			fprintf(f, " (if present)");
		}
		if (op->flags & CW_OP_READONLY) {
			fprintf(f, " (read-only)");
		}
		if (op->flags & CW_OP_FILE) {
			fprintf(f, " (a file)");
		}
		if (op->type == CW_OP_ROOT) {
			fprintf(f, " (read-only, with the mounts below it)");
		}
		if (op->type == CW_OP_PROC) {
			fprintf(f, " (read-only:");
			for (size_t j = 0; j < cw_proc_read_only_len; j++) {
				fprintf(f, " %s", cw_proc_read_only[j]);
			}
			fprintf(f, "; namespaces made inside: at most %u user "
				"namespaces, %u of each other kind)", op->mode,
				CW_NESTED_NAMESPACES);
		}
		fputc('\n', f);
	}
	fprintf(f, "uid: %u (same inside)\ngid: %u (same inside)\n",
		(unsigned)plan->uid, (unsigned)plan->gid);
	fprintf(f, "home: %s\nruntime-dir: %s\n", plan->home,
		plan->runtime_dir);
	fprintf(f, "environment (the command's whole):\n");
	for (size_t i = 0; i < plan->nenvp; i++) {
		fprintf(f, "  %s\n", plan->envp[i]);
	}
}
