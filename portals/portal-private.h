/* What host.c and request.c share, and no portal needs. */
#ifndef CW_PORTAL_PRIVATE_H
#define CW_PORTAL_PRIVATE_H

#include "list.h"
#include "portal.h"

/* Every Request in flight (cw_portal_request::link). */
struct cw_list *cw_portal_requests(struct cw_portal_host *host);
/* Cancels and frees sender's Requests (every one for NULL): it left. */
void cw_portal_requests_end(struct cw_portal_host *host, const char *sender);

#endif
