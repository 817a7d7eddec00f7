/* Prints the generated tables in a plain text form that check-tables.py
 * compares against the protocol XML, and that shell tests read. */
#include <stdio.h>
#include <string.h>
#include "cw-protocol-tables.h"

static void dump_messages(const char *kind, const struct cw_message *msgs,
	unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct cw_message *m = &msgs[i];
		printf("  %s %s since=%u sig=%s nfds=%u destructor=%d types=",
			kind, m->name, m->since, m->signature, m->nfds,
			m->destructor);
		for (unsigned a = 0; a < m->nargs; a++) {
			printf("%s%s%s", a ? "," : "",
				m->types[a] ? m->types[a]->name : "-",
				(m->nullable & (1u << a)) ? "?" : "");
		}
		printf("\n");
	}
}

int main(int argc, char *argv[])
{
	bool versions_only = argc > 1 && strcmp(argv[1], "--versions") == 0;
	for (size_t i = 0; i < cw_interface_count; i++) {
		const struct cw_interface *iface = cw_interfaces[i];
		if (versions_only) {
			printf("%s %u\n", iface->name, iface->version);
			continue;
		}
		printf("interface %s version=%u\n", iface->name, iface->version);
		dump_messages("request", iface->requests, iface->nrequests);
		dump_messages("event", iface->events, iface->nevents);
	}
	return 0;
}
