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

/* the defaults of xdg-user-dirs' user-dirs.defaults, in English */
static const struct {
	const char *name, *dir;
} user_dirs[] = {
	{ "DESKTOP", "Desktop" },
	{ "DOCUMENTS", "Documents" },
	{ "DOWNLOAD", "Downloads" },
	{ "MUSIC", "Music" },
	{ "PICTURES", "Pictures" },
	{ "PUBLICSHARE", "Public" },
	{ "TEMPLATES", "Templates" },
	{ "VIDEOS", "Videos" },
};

/* XDG_NAME_DIR="VALUE" from user-dirs.dirs, "$HOME/" expanded; false
 * when the file or the line is not there */
static bool user_dirs_file(const char *name, const char *home, char *out,
	size_t len)
{
	char path[PATH_MAX];
	if (!cw_path_config_home(path, sizeof(path))) {
		return false;
	}
	size_t n = strlen(path);
	snprintf(path + n, sizeof(path) - n, "/user-dirs.dirs");
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	char key[64], line[PATH_MAX + 64];
	snprintf(key, sizeof(key), "XDG_%s_DIR=\"", name);
	bool found = false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, strlen(key)) != 0) {
			continue;
		}
		char *v = line + strlen(key);
		char *end = strchr(v, '"');
		if (end == NULL) {
			continue;
		}
		*end = '\0';
		if (strncmp(v, "$HOME", 5) == 0 && (v[5] == '/' ||
				v[5] == '\0')) {
			found = (size_t)snprintf(out, len, "%s%s", home,
				v + 5) < len;
		} else if (v[0] == '/') {
			found = (size_t)snprintf(out, len, "%s", v) < len;
		}
	}
	fclose(f);
	return found;
}

bool cw_path_user_dir(const char *name, char *out, size_t len, char *err,
	size_t errlen)
{
	const char *dflt = NULL;
	for (size_t i = 0; i < sizeof(user_dirs) / sizeof(user_dirs[0]);
			i++) {
		if (strcmp(user_dirs[i].name, name) == 0) {
			dflt = user_dirs[i].dir;
		}
	}
	const char *home = getenv("HOME");
	if (dflt == NULL || home == NULL || home[0] != '/') {
		snprintf(err, errlen, dflt == NULL ? "no user directory %s" :
			"HOME is not set", name);
		return false;
	}
	if (!user_dirs_file(name, home, out, len) &&
			(size_t)snprintf(out, len, "%s/%s", home, dflt) >= len) {
		snprintf(err, errlen, "path too long");
		return false;
	}
	/* "$HOME/" means none; so does anything that resolves to the home
	 * or above it */
	char real_home[PATH_MAX], real_dir[PATH_MAX];
	size_t n = 0;
	if (realpath(home, real_home) != NULL &&
			realpath(out, real_dir) != NULL &&
			(n = strlen(real_dir), strncmp(real_home, real_dir, n) == 0) &&
			(real_home[n] == '/' || real_home[n] == '\0' || n == 1)) {
		snprintf(err, errlen, "the %s directory is the home itself "
			"(or above it) in user-dirs.dirs: that means none", name);
		return false;
	}
	return true;
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
