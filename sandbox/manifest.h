/*
 * .crate manifests: INI files (common/ini.h) with
 *   [app]      name, exec, description, icon, categories
 *   [sandbox]  the run options: root, bind, ro-bind, home, net, device, env,
 *              wayland
 *   [wayland]  the proxy's policy: policy, allow, deny, cap, screencopy,
 *              clipboard, clipboard-manager, prompt
 *   [media]    reserved (accepted, not used yet)
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
	char *exec;   /* as written */
	char **argv;  /* exec split into words */
	size_t argc;
	struct cw_sandbox_config *cfg; /* app and argv set from [app] */
};

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

/* Splits a command line: spaces separate, '...' and "..." quote, \ escapes.
 * NULL (and err) on an unterminated quote. */
char **cw_split_words(const char *line, size_t *count, char *err,
	size_t errlen);
void cw_free_words(char **words);

#endif
