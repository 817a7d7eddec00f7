/*
 * A program crate-wl runs outside the sandbox that takes input from the
 * app or untrusted data (the ScreenCast bus's daemon, the OCI unpacker).
 * The launcher starts it at least as
 * confined as the app (sandbox/confine.c); the portal that needs one gets
 * that function from the launcher. Nothing the app sends may start,
 * configure or load a program outside the sandbox: such a helper is the
 * last place where it could, and it runs in namespaces of its own.
 */
#ifndef CW_CONFINED_H
#define CW_CONFINED_H

#include <stddef.h>
#include <sys/types.h>

struct cw_confined {
	const char *path;   /* the program, absolute, on the host */
	char *const *argv;
	char *const *envp;  /* its whole environment */
	const int *fds;     /* become its fds 3, 4... in this order */
	size_t nfds;
	int out_fd;         /* its stdout; -1: log_fd */
	int log_fd;         /* its stderr (and stdout); -1: none */
	const char *ro_dir; /* a host directory it reads, or NULL */
	const char *rw_dir; /* a host directory it writes, or NULL */
	size_t max_memory;  /* its heap at most (RLIMIT_DATA); 0: no bound */
};

/* The helper's pid (crate-wl's child; SIGKILL ends it), or -1 + err. */
typedef pid_t (*cw_confined_spawn_func)(const struct cw_confined *what,
	char *err, size_t errlen);

#endif
