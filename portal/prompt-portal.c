/* The desktop's AccessDialog through xdg-desktop-portal: not written yet. */
#include <stdio.h>
#include "prompt.h"

struct cw_prompter *cw_prompter_portal_create(struct cw_loop *loop,
	char *err, size_t errlen)
{
	snprintf(err, errlen, "the portal prompt front-end is not available "
		"yet: use --prompt cmd:PROGRAM or tty");
	return NULL;
}
