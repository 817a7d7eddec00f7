#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "list.h"
#include "notes.h"
#include "util.h"

static bool tracing;

void cw_notes_set_trace(bool trace)
{
	tracing = trace;
}

/* Prints what waits; arms the timer for what still has to wait. */
static void flush(struct cw_notes *notes, bool force)
{
	int64_t next = cw_ratelimit_flush_all(notes->kinds,
		CW_NOTES_MAX_KINDS, force);
	if (notes->timer.fd >= 0) {
		cw_timer_set_abs_usec(&notes->timer, next < 0 ? UINT64_MAX :
			(uint64_t)next * 1000);
	}
}

static void timer_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_notes *notes = cw_container_of(source, notes, timer);
	cw_timer_ack(source);
	flush(notes, false);
}

void cw_notes_init(struct cw_notes *notes, struct cw_loop *loop)
{
	memset(notes, 0, sizeof(*notes));
	notes->loop = loop;
	notes->timer.fd = -1;
	if (loop != NULL) {
		cw_loop_add_timer(loop, &notes->timer, timer_dispatch);
	}
}

void cw_notes_finish(struct cw_notes *notes)
{
	flush(notes, true);
	if (notes->timer.fd >= 0) {
		cw_loop_remove_timer(notes->loop, &notes->timer);
	}
}

void cw_note(struct cw_notes *notes, unsigned kind, const char *what,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (tracing) {
		char text[1024];
		vsnprintf(text, sizeof(text), fmt, ap);
		cw_msg("%s %s", what, text);
	} else {
		cw_vmsg_limited(&notes->kinds[kind], fmt, ap);
		flush(notes, false);
	}
	va_end(ap);
}
