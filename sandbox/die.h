/*
 * For the unrecoverable paths inside a sandbox being built: the message
 * goes to the caller through the status pipe (and stderr), then _exit.
 */
#ifndef CW_DIE_H
#define CW_DIE_H

#include "log.h"

/* Where die() reports besides stderr; -1: stderr only. */
void cw_die_set_fd(int fd);

_Noreturn void cw_die(const char *fmt, ...) CW_ATTRIB_PRINTF(1, 2);
/* Appends ": strerror(errno)". */
_Noreturn void cw_die_errno(const char *fmt, ...) CW_ATTRIB_PRINTF(1, 2);

#endif
