/* JSON output for scripts (--json): what crate-wl prints, one object a
 * line. */
#ifndef CW_JSON_H
#define CW_JSON_H

#include <stdio.h>

/* s as a JSON string, quoted; NULL is null. Bytes that are not UTF-8
 * become U+FFFD, control characters \u escapes. */
void cw_json_string(FILE *f, const char *s);

#endif
