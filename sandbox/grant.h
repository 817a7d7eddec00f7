/*
 * Files the user gave a running sandbox (on its command line, in the
 * FileChooser portal), shown inside at their real paths, and nothing else
 * of their directories.
 *
 * A granted file's directory D is shown inside as a staging directory
 * crate-wl made ($XDG_DATA_HOME/crate-wl/grants/ID/N/, on D's filesystem
 * when it can), holding a hard link to each granted file of D. Saves the
 * way editors do them (a temporary file, then a rename onto the name)
 * land in the staging directory; crate-wl watches it and puts the new
 * file at D's real name, atomically, on the host. Nothing else the app
 * writes there leaves it. Where that cannot be (the staging directory on
 * another filesystem than D, or D inside the sandbox already holding the
 * app's own files), the file alone is bound at its path: writes in place
 * work, a rename onto it fails (EBUSY).
 *
 * The mounts are made in the sandbox's mount namespace, from outside,
 * with open_tree(OPEN_TREE_CLONE) in a namespace of our own and
 * move_mount by a child that joined the sandbox's user and mount
 * namespaces (Linux 5.2 and later).
 */
#ifndef CW_GRANT_H
#define CW_GRANT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cw_loop;
struct cw_grants;

/* The grants of the sandbox whose init is pid; the list of granted paths
 * is kept in list_path (one a line, for ps and info) and its saves are
 * watched in loop. home, host_home: the sandbox's $HOME and, when it is
 * kept, where on the host (what a grant makes there to mount on goes
 * with the sandbox); NULL for none. */
struct cw_grants *cw_grants_create(struct cw_loop *loop, pid_t init,
	const char *id, const char *list_path, const char *home,
	const char *host_home, char *err, size_t errlen);
/* cw_grants_add's flags */
#define CW_GRANT_CREATE 1u   /* a name to save to, which need not exist
                              * yet (its directory must) */
#define CW_GRANT_READONLY 2u /* an existing file the app may read only:
                              * shown alone, read-only (not with CREATE) */
/* Shows path (absolute, no symlink in it: realpath's) in the sandbox. */
bool cw_grants_add(struct cw_grants *g, const char *path, unsigned flags,
	char *err, size_t errlen);
/*
 * Shows the directory path (absolute, a real path) whole in the sandbox
 * at that path, read-only unless writable, if cw_grant_dir_allowed
 * allows it; its parent stays as the sandbox had it. What the app saves
 * in it goes straight to the host.
 */
bool cw_grants_add_dir(struct cw_grants *g, const char *path, bool writable,
	char *err, size_t errlen);

/* The folders never granted whole (grant-check.c says why each). */
#define CW_GRANT_LIMITS 24
struct cw_grant_limits {
	/* never granted, nor any folder holding one of them */
	char holds[CW_GRANT_LIMITS][PATH_MAX];
	size_t nholds;
	/* nothing inside them */
	char inside[CW_GRANT_LIMITS][PATH_MAX];
	size_t ninside;
	/* nothing inside them writable */
	char no_write[CW_GRANT_LIMITS][PATH_MAX];
	size_t nno_write;
};
/* The limits of this user's session: $HOME, the XDG directories,
 * crate-wl's state (paths.h), the system's. */
void cw_grant_limits_init(struct cw_grant_limits *lim);
/* Whether dir (a real path) may be granted; why not in why. */
bool cw_grant_dir_allowed(const char *dir, bool writable,
	const struct cw_grant_limits *lim, char *why, size_t whylen);

/* Whether the host's file (dev, ino) is one granted (or saved over a
 * granted name). */
bool cw_grants_has(void *grants, dev_t dev, ino_t ino);
/* Takes "PATH\n" lines on a socket at path, one a connection, from
 * crate-wl app NAME FILE while NAME runs (the instance directory is the
 * user's only). */
bool cw_grants_listen(struct cw_grants *g, const char *path, char *err,
	size_t errlen);
/* Removes the staging directories (the mounts go with the sandbox). */
void cw_grants_destroy(struct cw_grants *g);

/* Removes the staging directories of sandboxes that ended without
 * removing them (their launcher was killed): those whose id alive()
 * does not know. */
void cw_grants_sweep(bool (*alive)(const char *id));

/* Client side: asks the sandbox listening at socket_path to grant path;
 * false with err. */
bool cw_grants_request(const char *socket_path, const char *path,
	char *err, size_t errlen);

/* An argument that names an existing file (a path, or a file:// URI):
 * its real path in out. */
bool cw_grants_arg_file(const char *arg, char *out, size_t len);

#endif
