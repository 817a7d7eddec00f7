#ifndef CW_REAPER_H
#define CW_REAPER_H

#include <signal.h>
#include <sys/types.h>

/* The signals crate-wl passes on to the command. */
extern const int cw_forwarded_signals[];
extern const size_t cw_forwarded_signals_len;

void cw_signals_forwarded(sigset_t *set);

/*
 * A server pid 1 starts on demand, as systemd's socket activation does: it
 * holds the listening socket and, while the server is not running and a
 * client waits in the backlog, calls start, which returns the server's pid
 * (or -1). A server that ends within a second of its start is not started
 * again: the socket is closed, and clients are refused from then on.
 */
struct cw_reaper_socket {
	int fd; /* listening; -1: none (any more) */
	const char *name; /* for the message when it gives up */
	pid_t (*start)(void *data, int fd);
	void *data;
};

/*
 * Pid 1 of the sandbox: reaps every orphan, passes forwarded signals on to
 * child, and when child ends kills and reaps every other process of the
 * sandbox, then writes "exit STATUS" (the raw wait status) to status_fd and
 * exits. The caller may take that line as the end of the sandbox: what is
 * left (the kernel tearing the namespaces down) needs nobody to wait.
 * sock: a socket to serve on demand, or NULL.
 */
_Noreturn void cw_reaper_run(pid_t child, int status_fd,
	struct cw_reaper_socket *sock);

#endif
