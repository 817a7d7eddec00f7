/*
 * .crate manifests: INI files (common/ini.h) with
 *   [app]      name, exec, description, icon, categories
 *   [sandbox]  the run options: root, bind, ro-bind, home, net, device, env,
 *              wayland
 *   [wayland]  the proxy's policy: policy, allow, deny, cap, screencopy,
 *              clipboard, clipboard-manager (never prompt: who asks the
 *              user is the user's choice)
 *   [media]    audio, microphone, camera
 *   [portals]  open-uri, notifications
 * A manifest is untrusted input: host paths in it are absolute (or from
 * ~/), and its name is its own only where it is installed.
 */
#ifndef CW_MANIFEST_H
#define CW_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include "ini.h"
#include "sandbox.h"

struct cw_manifest {
	char *path;
	char *name;
	char *description;
	char *icon;
	char *categories;
	char *package; /* the Debian package that has the app, or NULL */
	char *desktop; /* the host's own desktop entry's id, or NULL */
	char *override; /* the override file applied, or NULL */
	char *exec;   /* as written */
	char **argv;  /* exec split into words */
	size_t argc;
	struct cw_sandbox_config *cfg; /* app and argv set from [app] */
	char hash[65]; /* sha256 of the file, in hex */
	/* set by cw_manifest_identify */
	bool installed;
	char *id;    /* the store's key: name, or "file:HEX" */
	char *label; /* NULL, or "evil.crate in ~/Downloads" */
};

/*
 * Is the app there to run? With the host's root, its command must be on
 * PATH (or where exec names it); false with what to install in err ("mpv
 * is not installed: apt install mpv"). A root of its own has it inside.
 */
bool cw_manifest_present(const struct cw_manifest *m, char *err,
	size_t errlen);

/*
 * The user's changes to an installed app, over its manifest:
 * $XDG_CONFIG_HOME/crate-wl/overrides/NAME, an INI file of [sandbox],
 * [wayland] and [media] keys taken as a manifest's, after it (crate-wl
 * override writes it). Applied only to an installed manifest (after
 * cw_manifest_identify): none is looked up by a name a file merely
 * claims. Sets m->override to the file applied.
 */
bool cw_manifest_apply_overrides(struct cw_manifest *m,
	struct cw_ini_error *err);
bool cw_manifest_override_path(const char *name, char *out, size_t len);
/* Parses text as an override of m (m changes): false with FILE:LINE. */
bool cw_manifest_check_override(struct cw_manifest *m, const char *name,
	const char *text, struct cw_ini_error *err);

/* Errors come as "FILE:LINE: what" in err. */
struct cw_manifest *cw_manifest_load(const char *path,
	struct cw_ini_error *err);
void cw_manifest_destroy(struct cw_manifest *m);

/*
 * NAME.crate in $CRATE_WL_APPS when set, then in
 * ~/.config/crate-wl/apps/ (XDG_CONFIG_HOME), then
 * datadir/crate-wl/apps/ and /usr/share/crate-wl/apps/. A NAME with a '/'
 * or ending in .crate is taken as a path.
 */
bool cw_manifest_find(const char *name, const char *datadir, char *out,
	size_t len);

/*
 * Every NAME.crate in the directories cw_manifest_find searches, in its
 * order: fn gets the name, the file, its directory and whether an earlier
 * directory has the same name (so that this one never runs by name).
 * Names sorted within a directory.
 */
void cw_manifest_each(const char *datadir,
	void (*fn)(void *data, const char *name, const char *path,
		const char *dir, bool shadowed), void *data);

/* The same, for a NAME only: never a path. */
bool cw_manifest_find_installed(const char *name, const char *datadir,
	char *out, size_t len);

/*
 * Who the manifest is. Installed manifests (in the user's apps directory
 * or a system one, datadir's included) own their [app] name. Any other is
 * "file:" and 16 hex digits of the hash of its place and content, shown
 * as "FILE in DIR": a file the user merely opened never takes an
 * installed app's name, nor its remembered answers. Sets m->cfg's app.
 */
bool cw_manifest_identify(struct cw_manifest *m, const char *datadir);

/* Splits a command line: spaces separate, '...' and "..." quote, \ escapes.
 * NULL (and err) on an unterminated quote. */
char **cw_split_words(const char *line, size_t *count, char *err,
	size_t errlen);
void cw_free_words(char **words);

#endif
