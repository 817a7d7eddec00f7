#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "instance.h"
#include "paths.h"

static bool process_starttime(pid_t pid, unsigned long long *out)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return false;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	/* after the command name, which may hold spaces and parentheses */
	char *p = strrchr(buf, ')');
	if (p == NULL) {
		return false;
	}
	/* p is at the space before field 3; starttime is field 22 */
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (p == NULL) {
			return false;
		}
	}
	*out = strtoull(p + 1, NULL, 10);
	return true;
}

bool cw_instance_create(struct cw_instance *inst, char *err, size_t errlen)
{
	/* each field cleared, not the whole struct: 9 KiB, three pages of
	 * the caller's stack, for a few dozen bytes */
	inst->pid = 0;
	inst->starttime = 0;
	inst->started = 0;
	inst->devel = false;
	inst->nested = false;
	inst->id[0] = inst->app[0] = inst->policy[0] = '\0';
	inst->command[0] = inst->dir[0] = inst->home[0] = '\0';
	char base[PATH_MAX];
	if (!cw_path_runtime_dir(base, sizeof(base), err, errlen)) {
		return false;
	}
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned char rnd[4];
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return false;
		}
		snprintf(inst->id, sizeof(inst->id), "%02x%02x%02x%02x",
			rnd[0], rnd[1], rnd[2], rnd[3]);
		if ((size_t)snprintf(inst->dir, sizeof(inst->dir), "%s/%s",
				base, inst->id) >= sizeof(inst->dir)) {
			snprintf(err, errlen, "%s: path too long", base);
			return false;
		}
		if (mkdir(inst->dir, 0700) == 0) {
			inst->started = (long long)time(NULL);
			return true;
		}
		if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s",
				inst->dir, strerror(errno));
			return false;
		}
	}
	snprintf(err, errlen, "no free instance id in %s", base);
	return false;
}

/* A value on one line: newlines become spaces. */
static void one_line(char *p)
{
	for (; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r') {
			*p = ' ';
		}
	}
}

/*
 * One file, made and written in one call each: the key=value lines, the
 * line "env", the environment's strings each ended by a NUL, and an empty
 * string last. A reader takes the file only once that last NUL is there.
 */
bool cw_instance_save(struct cw_instance *inst, char *const envp[],
	char *err, size_t errlen)
{
	process_starttime(inst->pid, &inst->starttime);
	one_line(inst->app);
	one_line(inst->policy);
	one_line(inst->command);
	one_line(inst->home);
	size_t envlen = 1;
	for (size_t i = 0; envp[i] != NULL; i++) {
		envlen += strlen(envp[i]) + 1;
	}
	static const char fmt[] = "id=%s\napp=%s\npid=%d\nstarttime=%llu\n"
		"started=%lld\npolicy=%s\nhome=%s\ndevel=%d\nnested=%d\n"
		"command=%s\nenv\n";
	size_t cap = sizeof(fmt) + 64 + strlen(inst->id) + strlen(inst->app) +
		strlen(inst->policy) + strlen(inst->home) +
		strlen(inst->command) + envlen;
	char *data = malloc(cap);
	if (data == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	int n = snprintf(data, cap, fmt, inst->id, inst->app, (int)inst->pid,
		inst->starttime, inst->started, inst->policy, inst->home,
		inst->devel, inst->nested, inst->command);
	size_t len = (size_t)n;
	for (size_t i = 0; envp[i] != NULL; i++) {
		size_t l = strlen(envp[i]) + 1;
		memcpy(data + len, envp[i], l);
		len += l;
	}
	data[len++] = '\0';
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/info", inst->dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, 0600);
	ssize_t w = fd >= 0 ? write(fd, data, len) : -1;
	bool ok = w == (ssize_t)len;
	if (!ok) {
		snprintf(err, errlen, "%s: %s", path, w < 0 ? strerror(errno) :
			"short write");
	}
	if (fd >= 0) {
		close(fd);
	}
	free(data);
	return ok;
}

/* The info file whole, if it is complete (see cw_instance_save); its size
 * in *len, the start of the environment's strings in *env. */
static char *read_info(const char *dir, size_t *len, size_t *env)
{
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/info", dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
			st.st_size > (1 << 22)) {
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size;
	char *data = malloc(size + 1);
	if (data == NULL || read(fd, data, size) != (ssize_t)size) {
		free(data);
		close(fd);
		return NULL;
	}
	close(fd);
	data[size] = '\0';
	char *mark = memmem(data, size, "\nenv\n", 5);
	/* ends with the empty string: the environment's last NUL, then one
	 * more (or just the one when it is empty) */
	size_t start = mark != NULL ? (size_t)(mark - data) + 5 : 0;
	bool whole = mark != NULL && size > start && data[size - 1] == '\0' &&
		(size == start + 1 || data[size - 2] == '\0');
	if (!whole) {
		free(data); /* starting up, or not ours */
		return NULL;
	}
	*len = size;
	*env = start;
	return data;
}

static bool load_info(const char *dir, struct cw_instance *inst)
{
	size_t size, env;
	char *data = read_info(dir, &size, &env);
	if (data == NULL) {
		return false;
	}
	memset(inst, 0, sizeof(*inst));
	snprintf(inst->dir, sizeof(inst->dir), "%s", dir);
	data[env - 1] = '\0'; /* the lines, up to "env" */
	char *save = NULL;
	for (char *line = strtok_r(data, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (eq == NULL) {
			continue;
		}
		*eq = '\0';
		const char *k = line, *v = eq + 1;
		if (strcmp(k, "id") == 0) {
			snprintf(inst->id, sizeof(inst->id), "%s", v);
		} else if (strcmp(k, "app") == 0) {
			snprintf(inst->app, sizeof(inst->app), "%s", v);
		} else if (strcmp(k, "pid") == 0) {
			inst->pid = (pid_t)atoi(v);
		} else if (strcmp(k, "starttime") == 0) {
			inst->starttime = strtoull(v, NULL, 10);
		} else if (strcmp(k, "started") == 0) {
			inst->started = strtoll(v, NULL, 10);
		} else if (strcmp(k, "policy") == 0) {
			snprintf(inst->policy, sizeof(inst->policy), "%s", v);
		} else if (strcmp(k, "home") == 0) {
			snprintf(inst->home, sizeof(inst->home), "%s", v);
		} else if (strcmp(k, "devel") == 0) {
			inst->devel = strcmp(v, "1") == 0;
		} else if (strcmp(k, "nested") == 0) {
			inst->nested = strcmp(v, "1") == 0;
		} else if (strcmp(k, "command") == 0) {
			snprintf(inst->command, sizeof(inst->command), "%s", v);
		}
	}
	free(data);
	return inst->id[0] != '\0' && inst->pid > 0;
}

bool cw_instance_alive(const struct cw_instance *inst)
{
	unsigned long long st;
	return inst->pid > 0 && process_starttime(inst->pid, &st) &&
		st == inst->starttime;
}

char **cw_instance_load_env(const struct cw_instance *inst)
{
	size_t size, env;
	char *data = read_info(inst->dir, &size, &env);
	if (data == NULL) {
		return NULL;
	}
	/* the strings, without the empty one that ends them */
	size_t strings_len = size - env - 1;
	size_t count = 0;
	for (size_t i = env; i < size - 1; i++) {
		count += data[i] == '\0';
	}
	/* one block: the pointers, then the strings */
	char **envp = malloc((count + 1) * sizeof(char *) + strings_len + 1);
	if (envp == NULL) {
		free(data);
		return NULL;
	}
	char *strings = (char *)(envp + count + 1);
	memcpy(strings, data + env, strings_len);
	strings[strings_len] = '\0';
	free(data);
	size_t n = 0;
	for (size_t i = 0; i < strings_len && n < count; n++) {
		envp[n] = strings + i;
		i += strlen(strings + i) + 1;
	}
	envp[n] = NULL;
	return envp;
}

void cw_instance_remove(const struct cw_instance *inst)
{
	if (inst->dir[0] == '\0') {
		return;
	}
	/* the file written here by name, then whatever else is left (a
	 * socket, a log) the long way */
	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/info", inst->dir);
	unlink(path);
	if (rmdir(inst->dir) < 0 && errno != ENOENT) {
		cw_remove_tree(inst->dir);
	}
}

struct entry {
	struct cw_instance inst;
};

static int by_start(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->inst.started != y->inst.started) {
		return x->inst.started < y->inst.started ? -1 : 1;
	}
	return strcmp(x->inst.id, y->inst.id);
}

bool cw_instance_foreach(cw_instance_func func, void *data, char *err,
	size_t errlen)
{
	char base[PATH_MAX];
	if (!cw_path_runtime_dir(base, sizeof(base), err, errlen)) {
		return false;
	}
	DIR *d = opendir(base);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", base, strerror(errno));
		return false;
	}
	struct entry *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') {
			continue;
		}
		char dir[PATH_MAX];
		struct cw_instance inst;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", base,
				de->d_name) >= sizeof(dir) ||
				!load_info(dir, &inst)) {
			continue; /* starting up, or not ours */
		}
		if (!cw_instance_alive(&inst)) {
			cw_instance_remove(&inst); /* its crate-wl was killed */
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			struct entry *l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				break;
			}
			list = l;
		}
		list[n++].inst = inst;
	}
	closedir(d);
	if (n > 0) {
		qsort(list, n, sizeof(*list), by_start);
	}
	for (size_t i = 0; i < n; i++) {
		func(&list[i].inst, data);
	}
	free(list);
	return true;
}

struct find {
	const char *what;
	struct cw_instance found;
	size_t matches;
};

static void find_one(const struct cw_instance *inst, void *data)
{
	struct find *f = data;
	if (strcmp(inst->id, f->what) == 0) {
		/* an exact id wins over any prefix or name */
		f->found = *inst;
		f->matches = 1;
		f->what = "";
		return;
	}
	if (f->what[0] != '\0' && (strncmp(inst->id, f->what,
			strlen(f->what)) == 0 || strcmp(inst->app, f->what) == 0)) {
		f->found = *inst;
		f->matches++;
	}
}

bool cw_instance_find(const char *what, struct cw_instance *inst, char *err,
	size_t errlen)
{
	struct find f = { .what = what };
	if (what[0] == '\0') {
		snprintf(err, errlen, "empty sandbox id");
		return false;
	}
	if (!cw_instance_foreach(find_one, &f, err, errlen)) {
		return false;
	}
	if (f.matches == 0) {
		snprintf(err, errlen, "no running sandbox '%s' (see crate-wl "
			"ps)", what);
		return false;
	}
	if (f.matches > 1) {
		snprintf(err, errlen, "'%s' names %zu running sandboxes: give "
			"its id", what, f.matches);
		return false;
	}
	*inst = f.found;
	return true;
}

void cw_instance_foreach_grant(const struct cw_instance *inst,
	cw_instance_grant_func func, void *data)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/grants", inst->dir);
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return;
	}
	char line[PATH_MAX + 2];
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		if (len > 1 && line[len - 1] == '\n') {
			line[len - 1] = '\0';
			func(line, data);
		}
	}
	fclose(f);
}
