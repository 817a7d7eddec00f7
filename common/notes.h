/*
 * Messages an app can cause, of a few kinds, for components that run on a
 * cw_loop: each kind at most once a second (struct cw_ratelimit, log.h),
 * and a timer of the loop prints what was held back once its second is
 * over. With tracing on (--trace) each one is printed instead, as a trace
 * line "crate-wl: WHAT text", so that none is left out.
 */
#ifndef CW_NOTES_H
#define CW_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include "log.h"
#include "loop.h"

/* For the whole process: what --trace (or CRATE_WL_DEBUG) asked. */
void cw_notes_set_trace(bool trace);

#define CW_NOTES_MAX_KINDS 4

struct cw_notes {
	struct cw_loop *loop;
	struct cw_source timer; /* fd -1 without a loop or a timer */
	struct cw_ratelimit kinds[CW_NOTES_MAX_KINDS];
};

/* Zeroes notes and makes its timer (without one, held lines wait for
 * the next line of their kind or for cw_notes_finish). */
void cw_notes_init(struct cw_notes *notes, struct cw_loop *loop);
/* Prints what is still held back. */
void cw_notes_finish(struct cw_notes *notes);

/* kind: below CW_NOTES_MAX_KINDS; what: the trace's word (REFUSED...) */
void cw_note(struct cw_notes *notes, unsigned kind, const char *what,
	const char *fmt, ...) CW_ATTRIB_PRINTF(4, 5);

#endif
