#include <stdlib.h>
#include <string.h>
#include "cw-protocol-tables.h"

static int cmp_name(const void *key, const void *elem)
{
	const struct cw_interface *const *iface = elem;
	return strcmp(key, (*iface)->name);
}

const struct cw_interface *cw_interface_find(const char *name)
{
	const struct cw_interface *const *found = bsearch(name, cw_interfaces,
		cw_interface_count, sizeof(cw_interfaces[0]), cmp_name);
	return found ? *found : NULL;
}
