#ifndef CW_NAMESPACES_H
#define CW_NAMESPACES_H

#include <sys/types.h>

/* Inside a new user namespace: the same uid and gid as outside. */
void cw_namespaces_map_ids(uid_t uid, gid_t gid);
/* Inside a new network namespace: only lo, up. */
void cw_namespaces_loopback_up(void);

#endif
