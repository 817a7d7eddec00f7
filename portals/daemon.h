/* portals/daemon.c: the sandbox's private dbus-daemon, confined. */
#ifndef CW_PORTAL_DAEMON_H
#define CW_PORTAL_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "confined.h"

struct cw_portal_daemon {
	pid_t pid;
	int listen_fd; /* ours until the daemon starts */
	int addr_fd; /* the daemon says it runs: its address, on this pipe */
	cw_confined_spawn_func spawn;
	char socket[PATH_MAX];
	char config_dir[PATH_MAX];
	char config[PATH_MAX + 16];
	char services[PATH_MAX + 16]; /* config_dir/services */
	char log[PATH_MAX];
};

/* The daemon's files in dir, for listen_fd (dir/bus, listening; taken
 * over, closed on failure too), and names (NULL-terminated): those
 * crate-wl will own, for which a call waits until it does; spawn starts
 * it. */
bool cw_portal_daemon_setup(struct cw_portal_daemon *bus, const char *dir,
	int listen_fd, const char *const *names, cw_confined_spawn_func spawn,
	char *err, size_t errlen);
/* Starts the daemon, confined, on the socket, without waiting for it. */
bool cw_portal_daemon_spawn(struct cw_portal_daemon *bus, char *err,
	size_t errlen);
/* Waits (bounded) until the daemon runs. */
bool cw_portal_daemon_wait(struct cw_portal_daemon *bus, char *err,
	size_t errlen);
/* Once crate-wl owns its names: no portal name, and none of names (NULL
 * ended), can be owned by anyone else any more. */
struct sd_bus;
bool cw_portal_daemon_lock(struct cw_portal_daemon *bus, struct sd_bus *conn,
	const char *const *names, char *err, size_t errlen);
/* Ends the daemon; its socket stays (the sandbox may still bind it). */
void cw_portal_daemon_kill(struct cw_portal_daemon *bus);
/* Ends the daemon and removes its files. */
void cw_portal_daemon_stop(struct cw_portal_daemon *bus);

#endif
