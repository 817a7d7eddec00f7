/*
 * --net nat: pasta (Debian's passt) links the sandbox's network namespace
 * to the host's network, without privileges. Nothing is forwarded into the
 * sandbox, the sandbox's own 127.0.0.1 stays its own, and nothing reaches
 * the host's loopback: unlike a VM's usual NAT, the gateway's address is
 * the real gateway (docs/threat-model.md, pasta).
 */
#ifndef CW_NAT_H
#define CW_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* False, naming the package, when pasta cannot be found, or saying why
 * /dev/net/tun cannot be opened (pasta needs it). */
bool cw_nat_available(char *err, size_t errlen);
/*
 * Starts pasta for the namespaces of target and waits until the link is
 * configured (pasta writes its pid file then: a pipe here). pasta's log
 * goes to dir/pasta.log. *pasta: its pid, to stop with cw_nat_stop().
 */
bool cw_nat_attach(pid_t target, const char *dir, pid_t *pasta,
	char *err, size_t errlen);
void cw_nat_stop(pid_t pasta);

#endif
