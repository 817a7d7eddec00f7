#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "paths.h"

static bool xdg_dir(const char *var, const char *fallback, char *out,
	size_t len)
{
	const char *v = getenv(var);
	if (v != NULL && v[0] == '/') {
		return (size_t)snprintf(out, len, "%s", v) < len;
	}
	const char *home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		return false;
	}
	return (size_t)snprintf(out, len, "%s/%s", home, fallback) < len;
}

bool cw_path_data_home(char *out, size_t len)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share", out, len);
}

bool cw_path_cache_home(char *out, size_t len)
{
	return xdg_dir("XDG_CACHE_HOME", ".cache", out, len);
}

bool cw_path_config_home(char *out, size_t len)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config", out, len);
}

bool cw_path_state_home(char *out, size_t len)
{
	return xdg_dir("XDG_STATE_HOME", ".local/state", out, len);
}

bool cw_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return false;
	}
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0') {
			continue;
		}
		char c = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			return false;
		}
		*p = c;
		if (c == '\0') {
			break;
		}
	}
	struct stat st;
	if (stat(path, &st) < 0) {
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

/* crate-wl's runtime directory's path; false when too long. */
static bool runtime_dir_path(char *out, size_t len)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	int n;
	if (rt != NULL && rt[0] == '/') {
		n = snprintf(out, len, "%s/crate-wl", rt);
	} else {
		n = snprintf(out, len, "/tmp/crate-wl-%u", (unsigned)getuid());
	}
	return n >= 0 && (size_t)n < len;
}

bool cw_path_runtime_dir(char *out, size_t len, char *err, size_t errlen)
{
	if (!runtime_dir_path(out, len)) {
		snprintf(err, errlen, "runtime directory path too long");
		return false;
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", out,
			strerror(errno));
		return false;
	}
	struct stat st;
	if (lstat(out, &st) < 0) {
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
			(st.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s is not a private directory of "
			"uid %u", out, (unsigned)getuid());
		return false;
	}
	return true;
}

/* Appends path to dirs unless it is there already. */
static size_t add_dir(char dirs[][PATH_MAX], size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(dirs[i], path) == 0) {
			return n;
		}
	}
	snprintf(dirs[n], PATH_MAX, "%s", path);
	return n + 1;
}

size_t cw_path_state_dirs(char dirs[][PATH_MAX])
{
	static bool (*const xdg[])(char *, size_t) = {
		cw_path_cache_home, cw_path_data_home, cw_path_config_home,
		cw_path_state_home,
	};
	static const char *const fallback[] = {
		".cache", ".local/share", ".config", ".local/state",
	};
	char path[PATH_MAX];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(xdg) / sizeof(*xdg); i++) {
		if (xdg[i](path, sizeof(path)) && strlen(path) +
				sizeof("/crate-wl") <= sizeof(path)) {
			strcat(path, "/crate-wl");
			n = add_dir(dirs, n, path);
		}
	}
	if (runtime_dir_path(path, sizeof(path))) {
		n = add_dir(dirs, n, path);
	}
	/* and where a crate-wl started with another environment keeps it */
	const char *home = getenv("HOME");
	for (size_t i = 0; home != NULL && home[0] == '/' &&
			i < sizeof(fallback) / sizeof(*fallback); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/crate-wl",
				home, fallback[i]) < sizeof(path)) {
			n = add_dir(dirs, n, path);
		}
	}
	snprintf(path, sizeof(path), "/run/user/%u/crate-wl",
		(unsigned)getuid());
	n = add_dir(dirs, n, path);
	snprintf(path, sizeof(path), "/tmp/crate-wl-%u", (unsigned)getuid());
	return add_dir(dirs, n, path);
}

static void remove_at(int parent, const char *name)
{
	if (unlinkat(parent, name, 0) == 0 || errno != EISDIR) {
		return;
	}
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		if (d != NULL) {
			struct dirent *de;
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") != 0 &&
						strcmp(de->d_name, "..") != 0) {
					remove_at(dirfd(d), de->d_name);
				}
			}
			closedir(d);
		} else {
			close(fd);
		}
	}
	unlinkat(parent, name, AT_REMOVEDIR);
}

void cw_remove_tree(const char *path)
{
	remove_at(AT_FDCWD, path);
}
