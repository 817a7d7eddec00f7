/* crate-wl override: the user's changes to an installed app. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "args.h"
#include "commands.h"
#include "ini.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"

static const char usage_text[] =
	"usage: crate-wl override APP [SECTION.KEY=VALUE]...\n"
	"       crate-wl override APP --reset\n"
	"\n"
	"Changes what an installed app may do without copying its manifest:\n"
	"each SECTION.KEY=VALUE is a manifest's key (sandbox.bind=xdg-videos,\n"
	"sandbox.net=nat, wayland.clipboard=deny, media.microphone=ask),\n"
	"kept in ~/.config/crate-wl/overrides/APP and applied over the\n"
	"manifest at every start. Without one, shows what is there.\n"
	"  --reset  remove the app's overrides\n";

/* "sandbox.net=nat" to its section, key and value; nothing that could
 * be more than one line of the file */
static bool split(const char *arg, char *section, char *key, size_t len,
	const char **value)
{
	const char *dot = strchr(arg, '.');
	const char *eq = strchr(arg, '=');
	if (dot == NULL || eq == NULL || dot > eq || dot == arg ||
			eq == dot + 1 || (size_t)(dot - arg) >= len ||
			(size_t)(eq - dot - 1) >= len) {
		return false;
	}
	snprintf(section, len, "%.*s", (int)(dot - arg), arg);
	snprintf(key, len, "%.*s", (int)(eq - dot - 1), dot + 1);
	*value = eq + 1;
	static const char word[] = "abcdefghijklmnopqrstuvwxyz-";
	for (const char *c = *value; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			return false;
		}
	}
	return strspn(section, word) == strlen(section) &&
		strspn(key, word) == strlen(key);
}

static bool write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, 0600);
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

int cw_cmd_override(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "reset", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool reset = false;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reset = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("override", argv, longopts);
		}
	}
	if (optind >= argc) {
		cw_msg("override: which app? (see crate-wl override --help)");
		return 2;
	}
	const char *name = argv[optind++];
	/* crate-wl override APP --reset, as the usage says it */
	if (optind < argc && strcmp(argv[optind], "--reset") == 0) {
		reset = true;
		optind++;
	}
	if (reset && optind < argc) {
		cw_msg("override: --reset or changes, not both");
		return 2;
	}
	char manifest[PATH_MAX], path[PATH_MAX];
	if (!cw_manifest_find_installed(name, CW_DATADIR, manifest,
			sizeof(manifest))) {
		cw_msg("override: no installed app '%s' (crate-wl list shows "
			"them)", name);
		return 1;
	}
	if (!cw_manifest_override_path(name, path, sizeof(path))) {
		cw_msg("override: neither XDG_CONFIG_HOME nor HOME is set");
		return 1;
	}
	if (reset) {
		if (unlink(path) < 0 && errno != ENOENT) {
			cw_msg("cannot remove %s: %s", path, strerror(errno));
			return 1;
		}
		printf("%s: no overrides\n", name);
		return 0;
	}
	struct cw_ini_error err;
	size_t len = 0;
	char *old = access(path, F_OK) == 0 ?
		cw_ini_read_file(path, &len, &err) : strdup("");
	if (old == NULL) {
		cw_msg("%s", err.message);
		return 1;
	}
	if (optind >= argc) {
		if (old[0] == '\0') {
			printf("%s: no overrides (%s)\n", name, path);
		} else {
			printf("# %s\n%s", path, old);
		}
		free(old);
		return 0;
	}
	/* the old text, then a section a line for each change: a later key
	 * wins for single values, and adds for binds, env and devices */
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	if (f == NULL) {
		free(old);
		cw_msg("out of memory");
		return 1;
	}
	fputs(old, f);
	if (old[0] != '\0' && old[strlen(old) - 1] != '\n') {
		fputc('\n', f);
	}
	free(old);
	int ret = 2;
	for (int i = optind; i < argc; i++) {
		char section[64], key[64];
		const char *value;
		if (!split(argv[i], section, key, sizeof(section), &value)) {
			fclose(f);
			cw_msg("override: '%s': expected SECTION.KEY=VALUE on "
				"one line (sandbox.net=nat)", argv[i]);
			goto out;
		}
		fprintf(f, "[%s]\n%s = %s\n", section, key, value);
	}
	fclose(f);
	/* checked as crate-wl app will read it, over the manifest */
	struct cw_manifest *m = cw_manifest_load(manifest, &err);
	if (m == NULL) {
		cw_msg("%s", err.message);
		ret = 1;
		goto out;
	}
	bool ok = cw_manifest_check_override(m, path, text, &err);
	cw_manifest_destroy(m);
	if (!ok) {
		cw_msg("override: %s; nothing changed", err.message);
		goto out;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (!cw_mkdir_p(dir, 0700)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		ret = 1;
		goto out;
	}
	ret = write_atomic(path, text) ? 0 : 1;
	if (ret == 0) {
		printf("%s: %d change%s in %s\n", name, argc - optind,
			argc - optind == 1 ? "" : "s", path);
	}
out:
	free(text);
	return ret;
}
