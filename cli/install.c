/* crate-wl install: a manifest becomes a command and a menu entry. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "args.h"
#include "commands.h"
#include "confirm.h"
#include "launch.h"
#include "log.h"
#include "manifest.h"
#include "paths.h"
#include "policy.h"
#include "store.h"
#include "util.h"

/* In every launcher install writes, after "#!/bin/sh"; "# installed by
 * crate-wl install" in those of earlier versions. */
#define LAUNCHER_MARK "# crate-wl install: "
#define OLD_LAUNCHER_MARK "# installed by crate-wl install"
#define DESKTOP_MARK "X-CrateWL-Manifest="

static const char usage_text[] =
	"usage: crate-wl install [--yes] [--force] FILE.crate|NAME\n"
	"\n"
	"Shows what the app asks for and, once confirmed on the terminal,\n"
	"installs it as ~/.local/bin/NAME and a menu entry. NAME is a\n"
	"manifest crate-wl app finds by name (a stock one).\n"
	"  --yes    confirm without asking (for scripts)\n"
	"  --force  replace what install would otherwise leave alone: a file\n"
	"           it did not write, another installed app of the same\n"
	"           name, or a command of that name elsewhere on PATH; and\n"
	"           install an app whose program is not on this system\n";

static const char uninstall_usage[] =
	"usage: crate-wl uninstall NAME\n"
	"\n"
	"Removes what crate-wl install wrote for NAME: its command, its menu\n"
	"entry and its copy of the manifest (kept if it was changed since).\n"
	"Remembered answers stay: crate-wl permissions reset NAME forgets them.\n";

static bool write_file(const char *path, const char *text, mode_t mode)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* never through a link someone left at the temporary name */
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, mode);
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

/* Does path hold a line starting with mark (in its first 4 KiB)? */
static bool has_mark(const char *path, const char *mark)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		return false;
	}
	char buf[4097];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		return false;
	}
	buf[n] = '\0';
	size_t len = strlen(mark);
	for (const char *line = buf; line != NULL;
			line = strchr(line, '\n') ? strchr(line, '\n') + 1 :
			NULL) {
		if (strncmp(line, mark, len) == 0) {
			return true;
		}
	}
	return false;
}

/* A file install would replace: absent, or written by install. */
static bool ours_or_absent(const char *path, const char *mark,
	const char *old_mark)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		return errno == ENOENT;
	}
	return S_ISREG(st.st_mode) && (has_mark(path, mark) ||
		(old_mark != NULL && has_mark(path, old_mark)));
}

/*
 * What install must not do without --force: replace a file it did not
 * write, another installed app of the same name, or shadow a command on
 * PATH. False with the reason said.
 */
static bool may_install(const struct cw_manifest *m, const char *bindir,
	const char *bin, const char *desktop)
{
	char other[PATH_MAX];
	if (cw_manifest_find_installed(m->name, CW_DATADIR, other,
			sizeof(other))) {
		struct cw_ini_error err;
		struct cw_manifest *o = cw_manifest_load(other, &err);
		bool same = o != NULL && strcmp(o->hash, m->hash) == 0;
		cw_manifest_destroy(o);
		if (!same) {
			cw_msg("another app named %s is installed (%s): "
				"--force replaces it", m->name, other);
			return false;
		}
	}
	if (!ours_or_absent(bin, LAUNCHER_MARK, OLD_LAUNCHER_MARK)) {
		cw_msg("%s exists and crate-wl did not write it: --force "
			"replaces it", bin);
		return false;
	}
	if (cw_find_program_except(m->name, bindir, other, sizeof(other))) {
		cw_msg("%s would shadow the command %s: --force installs it "
			"all the same", bin, other);
		return false;
	}
	if (!ours_or_absent(desktop, DESKTOP_MARK, NULL)) {
		cw_msg("%s exists and crate-wl did not write it: --force "
			"replaces it", desktop);
		return false;
	}
	return true;
}

/*
 * An Exec= argument of a desktop entry: as it is when plain, else quoted
 * by the spec's rules (the string's own escapes apply first, so a
 * backslash inside quotes is four).
 */
static void desktop_quote(char *out, size_t len, const char *s)
{
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789/._-+") == strlen(s)) {
		snprintf(out, len, "%s", s);
		return;
	}
	size_t j = 0;
	out[j++] = '"';
	for (; *s != '\0' && j + 6 < len; s++) {
		if (*s == '"' || *s == '`' || *s == '$') {
			out[j++] = '\\';
			out[j++] = '\\';
		} else if (*s == '\\') {
			memcpy(out + j, "\\\\\\", 3);
			j += 3;
		} else if (*s == '%') {
			out[j++] = '%';
		}
		out[j++] = *s;
	}
	out[j++] = '"';
	out[j] = '\0';
}

/*
 * What the app's own desktop entry on the host says of it (Icon, MimeType,
 * Categories), so that the sandboxed entry looks the same and "Open with"
 * lists it: the entry named by the manifest's desktop key, else NAME or
 * the command's name, in the system's applications/ directories only.
 */
struct host_entry {
	char icon[256];
	char mime[2048];
	char categories[256];
};

/* a value of a host entry, checked: nothing a desktop would read as more
 * than it is */
static void take_value(char *out, size_t len, const char *v,
	const char *allowed)
{
	size_t n = strcspn(v, "\r\n");
	if (n < len && strspn(v, allowed) >= n) {
		memcpy(out, v, n);
		out[n] = '\0';
	}
}

static bool read_host_entry(const char *path, struct host_entry *e)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		return false;
	}
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	char line[4096];
	bool in_entry = false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '[') {
			in_entry = strncmp(line, "[Desktop Entry]", 15) == 0;
		} else if (!in_entry) {
			continue;
		} else if (strncmp(line, "Icon=", 5) == 0) {
			take_value(e->icon, sizeof(e->icon), line + 5, name_chars);
		} else if (strncmp(line, "MimeType=", 9) == 0) {
			take_value(e->mime, sizeof(e->mime), line + 9,
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789+-._/;");
		} else if (strncmp(line, "Categories=", 11) == 0) {
			take_value(e->categories, sizeof(e->categories),
				line + 11, "abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_;");
		}
	}
	fclose(f);
	return true;
}

static void host_desktop_entry(const struct cw_manifest *m,
	struct host_entry *e)
{
	char ids[3][PATH_MAX];
	size_t nids = 0;
	if (m->desktop != NULL) {
		snprintf(ids[nids++], PATH_MAX, "%s", m->desktop);
	}
	snprintf(ids[nids++], PATH_MAX, "%s.desktop", m->name);
	if (m->argc > 0) {
		const char *base = strrchr(m->argv[0], '/');
		snprintf(ids[nids++], PATH_MAX, "%.200s.desktop",
			base ? base + 1 : m->argv[0]);
	}
	const char *dirs = getenv("XDG_DATA_DIRS");
	if (dirs == NULL || dirs[0] == '\0') {
		dirs = "/usr/local/share:/usr/share";
	}
	for (size_t i = 0; i < nids; i++) {
		for (const char *d = dirs; *d != '\0';) {
			size_t n = strcspn(d, ":");
			char path[2 * PATH_MAX];
			if (n > 0 && d[0] == '/' && (size_t)snprintf(path,
					sizeof(path), "%.*s/applications/%s",
					(int)n, d, ids[i]) < sizeof(path) &&
					read_host_entry(path, e)) {
				return;
			}
			d += n + (d[n] == ':');
		}
	}
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
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool yes = false, force = false;
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			yes = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("install", argv, longopts);
		}
	}
	if (optind != argc - 1) {
		cw_msg("install: %s (see crate-wl install --help)",
			optind >= argc ? "which manifest?" :
			"one manifest at a time");
		return 2;
	}
	const char *from = argv[optind];
	char found[PATH_MAX];
	size_t flen = strlen(from);
	if (strchr(from, '/') == NULL && (flen < 6 ||
			strcmp(from + flen - 6, ".crate") != 0)) {
		/* by name, as crate-wl app finds it */
		if (!cw_manifest_find(from, CW_DATADIR, found, sizeof(found))) {
			cw_msg("no manifest for '%s' in $CRATE_WL_APPS, "
				"~/.config/crate-wl/apps/ or %s/crate-wl/apps/",
				from, CW_DATADIR);
			return 1;
		}
		from = found;
	}
	struct cw_ini_error err;
	struct cw_manifest *m = cw_manifest_load(from, &err);
	if (m == NULL) {
		cw_msg("%s", err.message);
		return 1;
	}
	char why[512];
	if (!force && !cw_manifest_present(m, why, sizeof(why))) {
		/* a menu entry for an app that is not there would only fail */
		cw_msg("%s; --force installs the manifest all the same", why);
		cw_manifest_destroy(m);
		return 1;
	}
	int ret = 1;
	struct cw_policy *policy = NULL;
	const char *home = getenv("HOME");
	char config[PATH_MAX], data[PATH_MAX], self[PATH_MAX];
	char manifest[PATH_MAX + 64], bin[PATH_MAX + 64];
	char desktop[PATH_MAX + 64], dir[PATH_MAX + 32];
	char bindir[PATH_MAX + 32], appdir[PATH_MAX + 32];
	char msg[512];
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
	snprintf(appdir, sizeof(appdir), "%s/crate-wl/apps", config);
	snprintf(manifest, sizeof(manifest), "%s/%s.crate", appdir, m->name);
	snprintf(bindir, sizeof(bindir), "%s/.local/bin", home);
	snprintf(bin, sizeof(bin), "%s/%s", bindir, m->name);
	snprintf(desktop, sizeof(desktop),
		"%s/applications/crate-wl-%s.desktop", data, m->name);
	if (!force && !may_install(m, bindir, bin, desktop)) {
		goto out;
	}
	if (m->cfg->wayland) {
		policy = cw_sandbox_config_policy(m->cfg, msg, sizeof(msg));
		if (policy == NULL) {
			cw_msg("%s", msg);
			goto out;
		}
	}
	char question[2 * PATH_MAX];
	snprintf(question, sizeof(question), "Install it as %s and a menu "
		"entry?", bin);
	char who[PATH_MAX + 64];
	snprintf(who, sizeof(who), "%s (%s)", m->name, from);
	switch (yes ? CW_CONFIRM_YES : cw_confirm_ask(who, m->cfg, policy,
			question)) {
	case CW_CONFIRM_YES:
		break;
	case CW_CONFIRM_NO:
		cw_msg("%s: not installed", m->name);
		goto out;
	case CW_CONFIRM_NO_TERMINAL:
		cw_msg("install shows what %s asks for and asks first: run it "
			"on a terminal, or give --yes", m->name);
		goto out;
	}

	snprintf(dir, sizeof(dir), "%s", appdir);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char real_from[PATH_MAX], real_to[PATH_MAX];
	bool same = realpath(from, real_from) != NULL &&
		realpath(manifest, real_to) != NULL &&
		strcmp(real_from, real_to) == 0;
	if (!same && !copy_file(from, manifest)) {
		goto out;
	}

	snprintf(dir, sizeof(dir), "%s", bindir);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char qself[2 * PATH_MAX], qmanifest[2 * PATH_MAX + 128];
	sh_quote(qself, sizeof(qself), self);
	sh_quote(qmanifest, sizeof(qmanifest), manifest);
	char script[6 * PATH_MAX];
	snprintf(script, sizeof(script), "#!/bin/sh\n" LAUNCHER_MARK
		"%s sha256:%s\nexec %s app %s \"$@\"\n", m->name, m->hash,
		qself, qmanifest);
	if (!write_file(bin, script, 0755)) {
		goto out;
	}

	snprintf(dir, sizeof(dir), "%s/applications", data);
	if (!cw_mkdir_p(dir, 0755)) {
		cw_msg("cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	char entry[8 * PATH_MAX], qbin[PATH_MAX + 64];
	struct host_entry host = { 0 };
	host_desktop_entry(m, &host);
	const char *icon = m->icon ? m->icon : host.icon[0] ? host.icon : NULL;
	const char *categories = m->categories ? m->categories :
		host.categories[0] ? host.categories : NULL;
	desktop_quote(qbin, sizeof(qbin), bin);
	snprintf(entry, sizeof(entry),
		"[Desktop Entry]\nType=Application\nName=%s\n"
		"Comment=%s (in a crate-wl sandbox)\nExec=%s %%U\n"
		"TryExec=%s\n%s%s%s%s%s%s%s%s%sTerminal=false\n"
		DESKTOP_MARK "%s\n", m->description ? m->description :
		m->name, m->description ? m->description : m->name, qbin, bin,
		icon ? "Icon=" : "", icon ? icon : "", icon ? "\n" : "",
		categories ? "Categories=" : "", categories ? categories : "",
		categories ? "\n" : "", host.mime[0] ? "MimeType=" : "",
		host.mime, host.mime[0] ? "\n" : "", manifest);
	if (!write_file(desktop, entry, 0644)) {
		goto out;
	}
	printf("installed %s:\n  %s\n  %s\n  %s\n", m->name, manifest, bin,
		desktop);
	ret = 0;
out:
	cw_policy_destroy(policy);
	cw_manifest_destroy(m);
	return ret;
}

/* the hash a launcher install wrote records: "# crate-wl install: NAME
 * sha256:HEX"; false when bin is not such a launcher for name */
static bool launcher_hash(const char *bin, const char *name, char *hash,
	size_t len)
{
	FILE *f = fopen(bin, "re");
	if (f == NULL) {
		return false;
	}
	char line[512], want[256];
	snprintf(want, sizeof(want), LAUNCHER_MARK "%s sha256:", name);
	bool found = false;
	for (int i = 0; i < 4 && fgets(line, sizeof(line), f) != NULL; i++) {
		if (strncmp(line, want, strlen(want)) == 0) {
			snprintf(hash, len, "%.64s", line + strlen(want));
			found = strlen(hash) == 64;
		}
	}
	fclose(f);
	return found;
}

int cw_cmd_uninstall(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	cw_args_begin();
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(uninstall_usage, stdout);
			return 0;
		}
		return cw_args_bad_option("uninstall", argv, longopts);
	}
	if (optind != argc - 1) {
		cw_msg("uninstall: %s (see crate-wl uninstall --help)",
			optind >= argc ? "which app?" : "one app at a time");
		return 2;
	}
	const char *name = argv[optind];
	const char *home = getenv("HOME");
	char config[PATH_MAX], data[PATH_MAX];
	if (!cw_store_valid_app(name)) {
		cw_msg("uninstall: '%s' is not an app's name", name);
		return 2;
	}
	if (home == NULL || home[0] != '/' ||
			!cw_path_config_home(config, sizeof(config)) ||
			!cw_path_data_home(data, sizeof(data))) {
		cw_msg("HOME is not set");
		return 1;
	}
	char bin[PATH_MAX + 64], desktop[PATH_MAX + 64];
	char manifest[PATH_MAX + 64];
	snprintf(bin, sizeof(bin), "%s/.local/bin/%s", home, name);
	snprintf(desktop, sizeof(desktop),
		"%s/applications/crate-wl-%s.desktop", data, name);
	snprintf(manifest, sizeof(manifest), "%s/crate-wl/apps/%s.crate",
		config, name);
	int removed = 0, ret = 0;
	char hash[65] = "";
	bool ours_bin = launcher_hash(bin, name, hash, sizeof(hash));
	/* the manifest's copy goes only if it is what install copied */
	struct cw_ini_error err;
	struct cw_manifest *m = ours_bin ? cw_manifest_load(manifest, &err) :
		NULL;
	if (m != NULL && strcmp(m->hash, hash) == 0) {
		if (unlink(manifest) == 0) {
			printf("removed %s\n", manifest);
			removed++;
		} else {
			cw_msg("cannot remove %s: %s", manifest,
				strerror(errno));
			ret = 1;
		}
	} else if (ours_bin && access(manifest, F_OK) == 0) {
		cw_msg("kept %s: it changed since it was installed", manifest);
	}
	cw_manifest_destroy(m);
	if (ours_bin || ours_or_absent(bin, OLD_LAUNCHER_MARK, NULL)) {
		if (unlink(bin) == 0) {
			printf("removed %s\n", bin);
			removed++;
		} else if (errno != ENOENT) {
			cw_msg("cannot remove %s: %s", bin, strerror(errno));
			ret = 1;
		}
	} else if (access(bin, F_OK) == 0) {
		cw_msg("kept %s: crate-wl install did not write it", bin);
	}
	if (ours_or_absent(desktop, DESKTOP_MARK, NULL)) {
		if (unlink(desktop) == 0) {
			printf("removed %s\n", desktop);
			removed++;
		} else if (errno != ENOENT) {
			cw_msg("cannot remove %s: %s", desktop,
				strerror(errno));
			ret = 1;
		}
	} else {
		cw_msg("kept %s: crate-wl install did not write it", desktop);
	}
	if (removed == 0 && ret == 0) {
		cw_msg("%s is not installed (crate-wl install wrote nothing "
			"of it here)", name);
		return 1;
	}
	return ret;
}
