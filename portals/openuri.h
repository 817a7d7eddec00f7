/*
 * The OpenURI portal (openuri.c), and its checks on what the app sends,
 * apart for tests/unit/test-openuri.c.
 */
#ifndef CW_OPENURI_H
#define CW_OPENURI_H

#include <stdbool.h>
#include <stddef.h>
#include "portal.h"

/* the longest link or path that opens outside */
#define CW_OPENURI_MAX 2048

extern const struct cw_portal cw_portal_openuri;

/* An http, https or mailto link of printable ASCII, at most
 * CW_OPENURI_MAX bytes, a web link with a host; false: why says why. */
bool cw_openuri_check(const char *uri, char *why, size_t len);
/* An absolute path with no control characters, bounded. */
bool cw_openuri_path_ok(const char *path, char *why, size_t len);

#endif
