/* --net nat: pasta (Debian's passt) connects the sandbox's network
 * namespace to the host's network, as an unprivileged user. */
#ifndef CW_NAT_H
#define CW_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* False, naming the package, when pasta cannot be found. */
bool cw_nat_available(char *err, size_t errlen);
/* Runs pasta for the namespaces of pid; true once the link is up. */
bool cw_nat_attach(pid_t pid, char *err, size_t errlen);

#endif
