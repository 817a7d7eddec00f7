/*
 * The INI dialect shared by policy files and .crate manifests:
 *   # comment      ; comment      (a "#!" first line is a comment too)
 *   [section]      (letters, digits, '-', '_', '.' and ':')
 *   key = value    (repeated keys are passed on one by one)
 * Errors carry the file and line: "FILE:LINE: what is wrong".
 */
#ifndef CW_INI_H
#define CW_INI_H

#include <stdbool.h>
#include <stddef.h>

struct cw_ini_error {
	char message[512];
};

/*
 * Called for every key. Return false and fill *err (without file:line, the
 * parser adds it) to stop parsing.
 */
typedef bool (*cw_ini_handler)(void *data, const char *section,
	const char *key, const char *value, char *err, size_t errlen);

/*
 * The whole of a regular file (not a FIFO, device or directory), at most
 * 1 MiB and without NUL bytes, NUL-terminated; its length in *len. NULL
 * and error otherwise. cw_ini_parse_file reads through it.
 */
char *cw_ini_read_file(const char *path, size_t *len,
	struct cw_ini_error *error);
bool cw_ini_parse_file(const char *path, cw_ini_handler handler, void *data,
	struct cw_ini_error *error);
bool cw_ini_parse_string(const char *name, const char *text,
	cw_ini_handler handler, void *data, struct cw_ini_error *error);

#endif
