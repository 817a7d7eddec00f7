/* XDG directories and directory creation, outside the sandbox. */
#ifndef CW_PATHS_H
#define CW_PATHS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* $XDG_DATA_HOME or ~/.local/share; false when neither can be known. */
bool cw_path_data_home(char *out, size_t len);
/* $XDG_CACHE_HOME or ~/.cache */
bool cw_path_cache_home(char *out, size_t len);
/* $XDG_CONFIG_HOME or ~/.config */
bool cw_path_config_home(char *out, size_t len);
/* $XDG_STATE_HOME or ~/.local/state */
bool cw_path_state_home(char *out, size_t len);
/*
 * crate-wl's runtime directory, created 0700: $XDG_RUNTIME_DIR/crate-wl,
 * or /tmp/crate-wl-UID when XDG_RUNTIME_DIR is not set. Checked to be
 * ours and private.
 */
bool cw_path_runtime_dir(char *out, size_t len, char *err, size_t errlen);

/*
 * crate-wl's own state, which no sandbox may see or change: the cache (OCI
 * layers), the data (permission store, persistent homes), the config
 * (manifests), the state (confirmed manifests) and the runtime directory (instances, control sockets), as
 * paths on the host (maybe not there yet), by the XDG variables and by
 * their defaults (where a crate-wl started with another environment keeps
 * them). Fills dirs; returns how many.
 */
#define CW_PATH_STATE_DIRS 11
size_t cw_path_state_dirs(char dirs[][PATH_MAX]);

/*
 * A user directory as xdg-user-dirs keeps it ($XDG_CONFIG_HOME/
 * user-dirs.dirs): name is the part of XDG_NAME_DIR (DOWNLOAD, DOCUMENTS,
 * MUSIC, PICTURES, VIDEOS, DESKTOP, TEMPLATES, PUBLICSHARE). Where the file
 * does not say, ~/Downloads... as xdg-user-dirs makes them in English.
 * False with why in err when it cannot be known, or when it is the home
 * itself (xdg-user-dirs' way of saying "none"): a grant of that one
 * directory must never be a grant of the whole home.
 */
bool cw_path_user_dir(const char *name, char *out, size_t len, char *err,
	size_t errlen);

/* mkdir -p; true when it exists as a directory afterwards. */
bool cw_mkdir_p(const char *path, mode_t mode);
/* rm -r of a directory we created (no symlinks followed). */
void cw_remove_tree(const char *path);

#endif
