/*
 * --record DIR: each connection's raw byte streams, as the proxy read them,
 * for bug reports and as fuzzing seeds. Per connection, named PID-N (the
 * proxy's pid, the connection's number):
 *   PID-N.client      the bytes the client sent
 *   PID-N.compositor  the bytes the compositor sent
 *   PID-N.log         one line per read, in order across both sides:
 *                     "client BYTES FDS", "compositor BYTES FDS", or
 *                     "client eof" / "compositor eof"
 * tests/fuzz/rec2seed.py turns them into inputs for the fuzz-proxy harness.
 */
#ifndef CW_RECORD_H
#define CW_RECORD_H

#include <stdbool.h>
#include <stddef.h>

struct cw_record;

/* Makes DIR (mode 0700) unless it exists; false and err if unusable. */
bool cw_record_prepare_dir(const char *dir, char *err, size_t errlen);

/* NULL (and a message on stderr) if the files cannot be created. */
struct cw_record *cw_record_open(const char *dir, unsigned conn_id);
void cw_record_read(struct cw_record *rec, bool from_client,
	const void *data, size_t len, unsigned nfds);
void cw_record_eof(struct cw_record *rec, bool from_client);
void cw_record_close(struct cw_record *rec);

#endif
