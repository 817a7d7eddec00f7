/* crate-wl install: a manifest becomes a command and a menu entry. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"

static bool write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		cw_msg("cannot write %s: %s", tmp, strerror(errno));
		return false;
	}
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	int e = errno;
	close(fd);
	if (!ok || rename(tmp, path) < 0) {
		cw_msg("cannot write %s: %s", path, strerror(ok ? errno : e));
		unlink(tmp);
		return false;
	}
	return true;
}

static bool copy_file(const char *from, const char *to)
{
	FILE *f = fopen(from, "re");
	if (f == NULL) {
		cw_msg("%s: %s", from, strerror(errno));
		return false;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while (m != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		fwrite(buf, 1, n, m);
	}
	fclose(f);
	if (m == NULL) {
		return false;
	}
	fclose(m);
	bool ok = write_file(to, text, 0755);
	free(text);
	return ok;
}

/* Single-quoted for sh. */
static void sh_quote(char *out, size_t len, const char *s)
{
	size_t j = 0;
	if (j < len - 1) {
		out[j++] = '\'';
	}
	for (; *s != '\0' && j + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(out + j, "'\\''", 4);
			j += 4;
		} else {
			out[j++] = *s;
		}
	}
	out[j++] = '\'';
	out[j] = '\0';
}

int cw_cmd_install(int argc, char *argv[])
{
	if (argc != 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc != 2 ? stderr : stdout,
			"usage: crate-wl install FILE.crate\n");
		return argc != 2 ? 2 : 0;
	}
	struct cw_ini_error err;
	struct cw_manifest *m = cw_manifest_load(argv[1], &err);
	if (m == NULL) {
		cw_msg("%s", err.message);
		return 1;
	}
	int ret = 1;
	const char *home = getenv("HOME");
	char config[PATH_MAX], data[PATH_MAX], self[PATH_MAX];
	char manifest[PATH_MAX + 64], bin[PATH_MAX + 64];
	char desktop[PATH_MAX + 64], dir[PATH_MAX + 32];
	if (home == NULL || home[0] != '/' ||
			!cw_path_config_home(config, sizeof(config)) ||
			!cw_path_data_home(data, sizeof(data))) {
		cw_msg("HOME is not set");
		goto out;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		cw_msg("cannot find crate-wl itself: %s", strerror(errno));
		goto out;
	}
	self[n] = '\0';

	snprintf(dir, sizeof(dir), "%s/crate-wl/apps", config);
	snprintf(manifest, sizeof(manifest), "%s/%s.crate", dir, m->name);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char real_from[PATH_MAX], real_to[PATH_MAX];
	bool same = realpath(argv[1], real_from) != NULL &&
		realpath(manifest, real_to) != NULL &&
		strcmp(real_from, real_to) == 0;
	if (!same && !copy_file(argv[1], manifest)) {
		goto out;
	}

	snprintf(dir, sizeof(dir), "%s/.local/bin", home);
	snprintf(bin, sizeof(bin), "%s/%s", dir, m->name);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char qself[2 * PATH_MAX], qmanifest[2 * PATH_MAX + 128];
	sh_quote(qself, sizeof(qself), self);
	sh_quote(qmanifest, sizeof(qmanifest), manifest);
	char script[6 * PATH_MAX];
	snprintf(script, sizeof(script), "#!/bin/sh\n# installed by "
		"crate-wl install\nexec %s app %s \"$@\"\n", qself, qmanifest);
	if (!write_file(bin, script, 0755)) {
		goto out;
	}

	snprintf(dir, sizeof(dir), "%s/applications", data);
	snprintf(desktop, sizeof(desktop), "%s/crate-wl-%s.desktop", dir,
		m->name);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char entry[4 * PATH_MAX];
	snprintf(entry, sizeof(entry),
		"[Desktop Entry]\nType=Application\nName=%s\n"
		"Comment=%s (in a crate-wl sandbox)\nExec=%s %%U\n"
		"TryExec=%s\n%s%s%s%s%s%sTerminal=false\n"
		"X-CrateWL-Manifest=%s\n", m->description ? m->description :
		m->name, m->description ? m->description : m->name, bin, bin,
		m->icon ? "Icon=" : "", m->icon ? m->icon : "",
		m->icon ? "\n" : "", m->categories ? "Categories=" : "",
		m->categories ? m->categories : "", m->categories ? "\n" : "",
		manifest);
	if (!write_file(desktop, entry, 0644)) {
		goto out;
	}
	printf("installed %s:\n  %s\n  %s\n  %s\n", m->name, manifest, bin,
		desktop);
	ret = 0;
out:
	cw_manifest_destroy(m);
	return ret;
}
