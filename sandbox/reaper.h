#ifndef CW_REAPER_H
#define CW_REAPER_H

#include <signal.h>
#include <sys/types.h>

/* The signals crate-wl passes on to the command. */
extern const int cw_forwarded_signals[];
extern const size_t cw_forwarded_signals_len;

void cw_signals_forwarded(sigset_t *set);

/*
 * Pid 1 of the sandbox: reaps every orphan, passes forwarded signals on to
 * child, and when child ends kills and reaps every other process of the
 * sandbox, then writes "exit STATUS" (the raw wait status) to status_fd and
 * exits. The caller may take that line as the end of the sandbox: what is
 * left (the kernel tearing the namespaces down) needs nobody to wait.
 */
_Noreturn void cw_reaper_run(pid_t child, int status_fd);

#endif
