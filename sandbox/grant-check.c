/*
 * Which directories the user may give a sandbox whole (grant.h: the
 * FileChooser's OpenFile with directory). The dialog is the desktop's and
 * the choice the user's, but a user can be talked into a choice ("pick
 * your home folder"), and some folders hand over more than files: the way
 * out of the sandbox, or crate-wl's own decisions. Those are refused:
 * - a folder that is, or holds, the home, crate-wl's state (its config,
 *   data, state, cache and runtime directories: policies, the permission
 *   store, manifests, the app homes, the instances' sockets), the
 *   session's runtime directory (the real compositor's, the session
 *   bus's and PipeWire's sockets) or X11's socket directory: "/", /home,
 *   /tmp, /run...;
 * - a folder inside crate-wl's state, inside the runtime directory, or
 *   inside /proc, /sys, /dev, /run and /tmp/.X11-unix (another process's
 *   root through /proc/PID/root, devices, sockets);
 * - a writable grant inside the places programs and their settings are
 *   started from: $XDG_CONFIG_HOME (autostart entries, systemd user units,
 *   shells' files), $XDG_DATA_HOME and ~/.local (desktop entries,
 *   ~/.local/bin), and the system's /etc, /usr, /boot, /bin, /sbin, /lib*,
 *   /opt and /var. Read-only they may be granted.
 * Paths are compared as real paths, component by component.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grant.h"
#include "paths.h"

/* a is b or inside it */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	while (n > 1 && b[n - 1] == '/') {
		n--;
	}
	if (n == 1 && b[0] == '/') {
		return a[0] == '/';
	}
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

static void add(char list[][PATH_MAX], size_t *n, size_t max,
	const char *path)
{
	if (path == NULL || path[0] != '/' || *n >= max) {
		return;
	}
	/* its real path where it exists: a symlinked home is compared as
	 * what the dialog's real path would be */
	char real[PATH_MAX];
	const char *p = realpath(path, real) != NULL ? real : path;
	size_t len = strlen(p);
	if (len < PATH_MAX) {
		memcpy(list[(*n)++], p, len + 1);
	}
}

void cw_grant_limits_init(struct cw_grant_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	char dirs[CW_PATH_STATE_DIRS][PATH_MAX];
	size_t n = cw_path_state_dirs(dirs);
	const char *home = getenv("HOME");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	add(lim->holds, &lim->nholds, CW_GRANT_LIMITS, home);
	/* and the home the system knows, should $HOME say another */
	struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && (home == NULL ||
			strcmp(pw->pw_dir, home) != 0)) {
		add(lim->holds, &lim->nholds, CW_GRANT_LIMITS, pw->pw_dir);
	}
	add(lim->holds, &lim->nholds, CW_GRANT_LIMITS, rt);
	add(lim->holds, &lim->nholds, CW_GRANT_LIMITS, "/tmp/.X11-unix");
	for (size_t i = 0; i < n; i++) {
		add(lim->holds, &lim->nholds, CW_GRANT_LIMITS, dirs[i]);
		add(lim->inside, &lim->ninside, CW_GRANT_LIMITS, dirs[i]);
	}
	add(lim->inside, &lim->ninside, CW_GRANT_LIMITS, rt);
	static const char *const system_inside[] = {
		"/proc", "/sys", "/dev", "/run", "/tmp/.X11-unix",
	};
	for (size_t i = 0; i < sizeof(system_inside) /
			sizeof(*system_inside); i++) {
		add(lim->inside, &lim->ninside, CW_GRANT_LIMITS,
			system_inside[i]);
	}
	char path[PATH_MAX];
	if (cw_path_config_home(path, sizeof(path))) {
		add(lim->no_write, &lim->nno_write, CW_GRANT_LIMITS, path);
	}
	if (cw_path_data_home(path, sizeof(path))) {
		add(lim->no_write, &lim->nno_write, CW_GRANT_LIMITS, path);
	}
	if (home != NULL && (size_t)snprintf(path, sizeof(path), "%s/.local",
			home) < sizeof(path)) {
		add(lim->no_write, &lim->nno_write, CW_GRANT_LIMITS, path);
	}
	static const char *const system_no_write[] = {
		"/etc", "/usr", "/boot", "/bin", "/sbin", "/lib", "/lib32",
		"/lib64", "/libx32", "/opt", "/var",
	};
	for (size_t i = 0; i < sizeof(system_no_write) /
			sizeof(*system_no_write); i++) {
		add(lim->no_write, &lim->nno_write, CW_GRANT_LIMITS,
			system_no_write[i]);
	}
}

bool cw_grant_dir_allowed(const char *dir, bool writable,
	const struct cw_grant_limits *lim, char *why, size_t whylen)
{
	if (dir[0] != '/') {
		snprintf(why, whylen, "not an absolute path");
		return false;
	}
	if (strcmp(dir, "/") == 0) {
		snprintf(why, whylen, "the whole file system");
		return false;
	}
	for (size_t i = 0; i < lim->nholds; i++) {
		if (within(lim->holds[i], dir)) {
			snprintf(why, whylen, "it holds %s", lim->holds[i]);
			return false;
		}
	}
	for (size_t i = 0; i < lim->ninside; i++) {
		if (within(dir, lim->inside[i])) {
			snprintf(why, whylen, "it is inside %s",
				lim->inside[i]);
			return false;
		}
	}
	for (size_t i = 0; writable && i < lim->nno_write; i++) {
		if (within(dir, lim->no_write[i])) {
			snprintf(why, whylen, "programs and their settings "
				"start from %s: read-only only",
				lim->no_write[i]);
			return false;
		}
	}
	return true;
}
