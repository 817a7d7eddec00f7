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

const struct cw_message *cw_interface_message(const struct cw_interface *iface,
	bool event, const char *name)
{
	const struct cw_message *msgs = event ? iface->events : iface->requests;
	uint16_t n = event ? iface->nevents : iface->nrequests;
	for (uint16_t i = 0; i < n; i++) {
		if (strcmp(msgs[i].name, name) == 0) {
			return &msgs[i];
		}
	}
	return NULL;
}
