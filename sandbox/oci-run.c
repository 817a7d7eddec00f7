/*
 * Runs crate-wl-oci, from the build tree or from libexecdir, confined as
 * the sandbox is (cw_confined_spawn): the layers it parses are untrusted,
 * and it sees only the image's directory (read-only) and the image cache
 * (which it writes).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include "confined.h"
#include "oci.h"
#include "paths.h"
#include "sandbox.h"

void cw_oci_split_spec(const char *spec, char *dir, size_t len,
	const char **ref)
{
	const char *rest = spec + 4; /* after "oci:" */
	const char *colon = strrchr(rest, ':');
	if (colon != NULL && strchr(colon, '/') == NULL) {
		snprintf(dir, len, "%.*s", (int)(colon - rest), rest);
		*ref = colon + 1;
	} else {
		snprintf(dir, len, "%s", rest);
		*ref = NULL;
	}
}

bool cw_oci_normalize(const char *spec, char *out, size_t len, char *err,
	size_t errlen)
{
	char dir[PATH_MAX];
	const char *ref;
	cw_oci_split_spec(spec, dir, sizeof(dir), &ref);
	char real[PATH_MAX];
	if (dir[0] == '\0' || realpath(dir, real) == NULL) {
		snprintf(err, errlen, "%s: %s", spec, dir[0] ?
			strerror(errno) : "no directory");
		return false;
	}
	int n = snprintf(out, len, "oci:%s%s%s", real, ref ? ":" : "",
		ref ? ref : "");
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", spec);
		return false;
	}
	return true;
}

static bool find_helper(char *out, size_t len)
{
	/* next to the crate-wl that runs, in a build tree */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((size_t)snprintf(out, len, "%s/../sandbox/crate-wl-oci",
				dirname(self)) < len && access(out, X_OK) == 0) {
			return true;
		}
	}
	return (size_t)snprintf(out, len, "%s/crate-wl-oci", CW_LIBEXECDIR) <
		len && access(out, X_OK) == 0;
}

#define MAX_HELPER_OUTPUT (1 << 20)

static void free_list(char **list)
{
	for (char **p = list; p != NULL && *p != NULL; p++) {
		free(*p);
	}
	free(list);
}

void cw_oci_config_free(struct cw_oci_config *conf)
{
	free_list(conf->env);
	free_list(conf->entrypoint);
	free_list(conf->cmd);
	free(conf->workdir);
	*conf = (struct cw_oci_config){ 0 };
}

static void write_list(FILE *f, const char *key, char **list)
{
	for (char **p = list; p != NULL && *p != NULL; p++) {
		fprintf(f, "%s\t%s%c", key, *p, '\0');
	}
}

void cw_oci_config_write(const struct cw_oci_config *conf, FILE *f)
{
	write_list(f, "env", conf->env);
	write_list(f, "entrypoint", conf->entrypoint);
	write_list(f, "cmd", conf->cmd);
	if (conf->workdir != NULL) {
		fprintf(f, "workdir\t%s%c", conf->workdir, '\0');
	}
}

static bool list_append(char ***list, const char *value)
{
	size_t n = 0;
	while (*list != NULL && (*list)[n] != NULL) {
		n++;
	}
	char **grown = realloc(*list, (n + 2) * sizeof(*grown));
	if (grown == NULL) {
		return false;
	}
	*list = grown;
	grown[n] = strdup(value);
	grown[n + 1] = NULL;
	return grown[n] != NULL;
}

/* The records after the root's line: "KEY\tVALUE\0"... */
static bool parse_config(const char *p, const char *end,
	struct cw_oci_config *conf)
{
	while (p < end) {
		const char *rec_end = memchr(p, '\0', (size_t)(end - p));
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		if (rec_end == NULL || tab == NULL || tab > rec_end) {
			return false;
		}
		const char *value = tab + 1;
		size_t klen = (size_t)(tab - p);
		bool ok;
		if (klen == 3 && strncmp(p, "env", 3) == 0) {
			ok = list_append(&conf->env, value);
		} else if (klen == 10 && strncmp(p, "entrypoint", 10) == 0) {
			ok = list_append(&conf->entrypoint, value);
		} else if (klen == 3 && strncmp(p, "cmd", 3) == 0) {
			ok = list_append(&conf->cmd, value);
		} else if (klen == 7 && strncmp(p, "workdir", 7) == 0) {
			free(conf->workdir);
			ok = (conf->workdir = strdup(value)) != NULL;
		} else {
			ok = false;
		}
		if (!ok) {
			return false;
		}
		p = rec_end + 1;
	}
	return true;
}

int cw_oci_hold(const char *root, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", root);
	char *slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		snprintf(err, errlen, "%s: not an unpacked image", root);
		return -1;
	}
	*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && fd < 3) {
		/* never a standard fd: the terminal relay may have lent
		 * those out, and would take a directory for its input */
		int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
		fd = high;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	/* gc holds its exclusive lock only while it renames */
	struct stat held, now;
	while (flock(fd, LOCK_SH) < 0 && errno == EINTR) {
	}
	if (fstat(fd, &held) < 0 || stat(dir, &now) < 0 ||
			held.st_ino != now.st_ino || held.st_dev != now.st_dev ||
			access(root, F_OK) < 0) {
		snprintf(err, errlen, "%s was removed meanwhile (crate-wl gc)",
			dir);
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned long long tree_bytes(int fd)
{
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	unsigned long long total = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			continue;
		}
		total += (unsigned long long)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY |
				O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				total += tree_bytes(sub);
			}
		}
	}
	closedir(d);
	return total;
}

int cw_oci_gc(bool dry_run, void (*fn)(void *data, const char *dir,
	unsigned long long bytes, bool in_use), void *data, char *err,
	size_t errlen)
{
	char cache[PATH_MAX], base[PATH_MAX + 16];
	if (!cw_path_cache_home(cache, sizeof(cache))) {
		snprintf(err, errlen, "neither XDG_CACHE_HOME nor HOME is set");
		return -1;
	}
	snprintf(base, sizeof(base), "%s/crate-wl/oci", cache);
	DIR *d = opendir(base);
	if (d == NULL) {
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s",
			base, strerror(errno)), -1);
	}
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		bool trash = strncmp(e->d_name, ".gc-", 4) == 0;
		if (strncmp(e->d_name, "sha256-", 7) != 0 && !trash) {
			continue;
		}
		char path[2 * PATH_MAX], away[2 * PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			O_NOFOLLOW);
		if (fd < 0) {
			continue;
		}
		bool in_use = flock(fd, LOCK_EX | LOCK_NB) < 0;
		unsigned long long bytes = tree_bytes(dup(fd));
		fn(data, path, bytes, in_use);
		if (in_use || dry_run) {
			close(fd);
			continue;
		}
		/* renamed away under the lock: a sandbox that locks the old
		 * name after this finds it gone and unpacks again */
		snprintf(away, sizeof(away), "%s/.gc-%s", base,
			trash ? e->d_name + 4 : e->d_name);
		if (!trash && rename(path, away) < 0) {
			close(fd);
			continue;
		}
		close(fd);
		cw_remove_tree(away);
		removed++;
	}
	closedir(d);
	return removed;
}

/*
 * Reads the helper's stdout into buf (MAX_HELPER_OUTPUT), its stderr into
 * why (1 KiB), and its progress lines (prog, or -1) to a line on the
 * terminal, until all are closed. Closes the fds.
 */
static void read_helper(int out, char *buf, size_t *used, int errfd,
	char *why, size_t *wlen, int prog, const char *spec)
{
	struct pollfd p[3] = {
		{ .fd = out, .events = POLLIN },
		{ .fd = errfd, .events = POLLIN },
		{ .fd = prog, .events = POLLIN },
	};
	char line[128];
	size_t llen = 0;
	bool shown = false;
	unsigned long long total = 0;
	size_t layers = 0;
	while (p[0].fd >= 0 || p[1].fd >= 0 || p[2].fd >= 0) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		for (int i = 0; i < 3; i++) {
			if (p[i].fd < 0 || p[i].revents == 0) {
				continue;
			}
			char tmp[4096];
			char *to = i == 0 ? (buf ? buf + *used : tmp) :
				i == 1 ? why + *wlen : tmp;
			size_t room = i == 0 ? (buf ? MAX_HELPER_OUTPUT - *used :
				sizeof(tmp)) : i == 1 ? 1023 - *wlen :
				sizeof(tmp);
			ssize_t n = read(p[i].fd, room ? to : tmp,
				room ? room : sizeof(tmp));
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (i == 0 && buf != NULL && room > 0) {
				*used += (size_t)n;
			} else if (i == 1 && room > 0) {
				*wlen += (size_t)n;
			} else if (i == 2) {
				/* the last whole line read counts */
				for (ssize_t k = 0; k < n; k++) {
					if (tmp[k] != '\n') {
						if (llen < sizeof(line) - 1) {
							line[llen++] = tmp[k];
						}
						continue;
					}
					line[llen] = '\0';
					llen = 0;
					size_t layer, nlayers;
					unsigned long long b;
					if (sscanf(line, "%zu %zu %llu", &layer,
							&nlayers, &b) != 3) {
						continue;
					}
					fprintf(stderr, "\rcrate-wl: unpacking "
						"%.200s: layer %zu of %zu, "
						"%.1f MiB ", spec, layer,
						nlayers, (double)b / (1 << 20));
					shown = true;
					total = b;
					layers = nlayers;
				}
			}
		}
	}
	if (shown) {
		fprintf(stderr, "\rcrate-wl: unpacked %.200s: %zu layer%s, "
			"%.1f MiB\n", spec, layers, layers == 1 ? "" : "s",
			(double)total / (1 << 20));
	}
}

bool cw_oci_root(const char *spec, bool dry_run,
	const struct cw_oci_limits *limits, char *root, size_t len,
	struct cw_oci_config *conf, char *err, size_t errlen)
{
	char helper[PATH_MAX];
	if (!find_helper(helper, sizeof(helper))) {
		snprintf(err, errlen, "OCI roots need %s/crate-wl-oci, which "
			"is not installed", CW_LIBEXECDIR);
		return false;
	}
	/* what it sees: the image's directory, and the cache it fills
	 * (nothing of it for --dry-run, which writes nothing) */
	char layout[PATH_MAX], cache[PATH_MAX], base[PATH_MAX + 16];
	char cache_env[PATH_MAX + 32];
	const char *ref;
	cw_oci_split_spec(spec, layout, sizeof(layout), &ref);
	if (!cw_path_cache_home(cache, sizeof(cache))) {
		snprintf(err, errlen, "neither XDG_CACHE_HOME nor HOME is set");
		return false;
	}
	snprintf(base, sizeof(base), "%s/crate-wl/oci", cache);
	if (!dry_run && !cw_mkdir_p(base, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", base,
			strerror(errno));
		return false;
	}
	snprintf(cache_env, sizeof(cache_env), "XDG_CACHE_HOME=%s", cache);
	int out[2], errp[2], prog[2] = { -1, -1 };
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return false;
	}
	/* on a terminal, the unpacking's progress (it may take a while) */
	bool show = !dry_run && isatty(STDERR_FILENO) &&
		pipe2(prog, O_CLOEXEC) == 0;
	char bytes[32], entries[32];
	snprintf(bytes, sizeof(bytes), "--max-size=%llu",
		(unsigned long long)(limits ? limits->max_bytes : 0));
	snprintf(entries, sizeof(entries), "--max-files=%llu",
		(unsigned long long)(limits ? limits->max_entries : 0));
	char *argv[] = { helper, bytes, entries, "--progress-fd=3",
		dry_run ? "--dry-run" : (char *)spec,
		dry_run ? (char *)spec : NULL, NULL };
	if (!show) {
		/* no progress: the option goes */
		memmove(&argv[3], &argv[4], 3 * sizeof(argv[0]));
	}
	char *envp[] = { cache_env, NULL };
	struct cw_confined what = {
		.argv = argv,
		.envp = envp,
		.fds = show ? &prog[1] : NULL,
		.nfds = show ? 1 : 0,
		.out_fd = out[1],
		.log_fd = errp[1],
		.ro_dir = layout,
		.rw_dir = dry_run ? NULL : base,
	};
	pid_t pid = cw_confined_spawn(&what, err, errlen);
	close(out[1]);
	close(errp[1]);
	if (show) {
		close(prog[1]);
	}
	if (pid < 0) {
		close(out[0]);
		close(errp[0]);
		if (show) {
			close(prog[0]);
		}
		return false;
	}
	char *buf = malloc(MAX_HELPER_OUTPUT);
	size_t used = 0;
	/* its errors: one line, small */
	char why[1024];
	size_t wlen = 0;
	read_helper(out[0], buf, &used, errp[0], why, &wlen,
		show ? prog[0] : -1, spec);
	why[wlen] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *w = why;
		if (strncmp(w, "crate-wl: ", 10) == 0) {
			w += 10;
		}
		snprintf(err, errlen, "cannot use the image %s: %.*s", spec,
			(int)strcspn(w, "\n"), w[0] ? w : "crate-wl-oci failed");
		free(buf);
		return false;
	}
	if (wlen > 0) {
		fputs(why, stderr);
	}
	const char *nl = buf ? memchr(buf, '\n', used) : NULL;
	if (nl == NULL || buf[0] != '/' || (size_t)(nl - buf) >= len ||
			!parse_config(nl + 1, buf + used, conf)) {
		snprintf(err, errlen, "cannot use the image %s: %s", spec,
			buf == NULL ? "out of memory" : used ==
			MAX_HELPER_OUTPUT ? "its config is too large" :
			"crate-wl-oci answered nonsense");
		cw_oci_config_free(conf);
		free(buf);
		return false;
	}
	memcpy(root, buf, (size_t)(nl - buf));
	root[nl - buf] = '\0';
	free(buf);
	return true;
}
