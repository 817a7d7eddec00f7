/* The filters built on hooks; each registers its intercepted messages. */
#ifndef CW_FILTERS_H
#define CW_FILTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool cw_registry_filter_init(void);

struct cw_conn;
/*
 * Would the compositor refuse this wl_registry.bind? Then true, with the
 * wl_display.error text it would send (at most 127 bytes) in out.
 */
bool cw_registry_bind_refusal(struct cw_conn *conn, uint32_t name,
	const char *interface, uint32_t version, char *out, size_t len);

#endif
