/* Small helpers shared across the project. */
#ifndef CW_UTIL_H
#define CW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A decimal number from 0 to INT_MAX, the whole string. */
bool cw_parse_uint(const char *s, int *out);

/* name's path in $PATH (or the usual places), as execvp would find it. */
bool cw_find_program(const char *name, char *out, size_t len);
/* The same, skipping the directory skip (crate-wl install's own). */
bool cw_find_program_except(const char *name, const char *skip, char *out,
	size_t len);

/* A listening Unix stream socket bound at path (close-on-exec,
 * non-blocking); -1 with "PATH: reason" in err. */
int cw_unix_listen(const char *path, int backlog, char *err, size_t errlen);

/*
 * Text that came from the app, made safe to show (a terminal, a log, a
 * dialog, a prompt program's environment), in place: each control
 * character (C0, DEL, C1), each bidirectional override or isolate (which
 * reorder what is shown) and each byte that is not UTF-8 becomes '?'.
 */
void cw_text_sanitize(char *s);

/* CLOCK_MONOTONIC in milliseconds, and in microseconds. */
int64_t cw_now_ms(void);

/*
 * Starts path with argv in crate-wl's own environment, as a program of the
 * user's: no shell, its own session (no signal from crate-wl's terminal),
 * default signal dispositions and mask, stdin /dev/null, stdout to out_fd
 * (crate-wl's stderr for -1). 0 and *pid, or an errno.
 */
int cw_spawn(const char *path, char *const argv[], int out_fd, pid_t *pid);
int64_t cw_now_us(void);

#endif
