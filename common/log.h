#ifndef CW_LOG_H
#define CW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cw_log_importance {
	CW_LOG_SILENT = 0,
	CW_LOG_ERROR = 1,
	CW_LOG_INFO = 2,
	CW_LOG_DEBUG = 3,
};

void cw_log_init(enum cw_log_importance verbosity);
enum cw_log_importance cw_log_get_verbosity(void);

#ifdef __GNUC__
#define CW_ATTRIB_PRINTF(start, end) __attribute__((format(printf, start, end)))
#else
#define CW_ATTRIB_PRINTF(start, end)
#endif

/* Writes one line (printf's format, a newline added, cut to 4 KiB) to
 * stderr in one write(2): an unbuffered stdio stream writes a line's
 * first byte apart, and another process writing to the same file (the
 * sandbox's command, sharing crate-wl's stderr) can land in between. */
void cw_log_line(const char *format, ...) CW_ATTRIB_PRINTF(1, 2);

void _cw_log(enum cw_log_importance verbosity, const char *format, ...)
	CW_ATTRIB_PRINTF(2, 3);
void _cw_vlog(enum cw_log_importance verbosity, const char *format,
	va_list args) CW_ATTRIB_PRINTF(2, 0);

#define cw_log(verb, fmt, ...) \
	_cw_log(verb, "[%s:%d] " fmt, __FILE__, __LINE__, ##__VA_ARGS__)
#define cw_log_errno(verb, fmt, ...) \
	cw_log(verb, fmt ": %s", ##__VA_ARGS__, strerror(errno))

/* Messages for the user: "crate-wl: ..." on stderr, no source location. */
void cw_msg(const char *format, ...) CW_ATTRIB_PRINTF(1, 2);

/*
 * A message an app can cause, printed at most once a second per kind: a
 * struct cw_ratelimit for each kind, zeroed to start. What comes sooner is
 * counted, not printed; the next line of the kind says "(and N more like
 * it)". A line held back that way is printed by cw_ratelimit_flush once
 * its second is over, so no count is lost when the burst stops.
 */
#define CW_RATELIMIT_MS 1000

struct cw_ratelimit {
	int64_t next_ms;     /* nothing printed before this */
	uint64_t suppressed; /* held back since the last line */
	char held[256];      /* the latest held back, for the flush */
};

void cw_msg_limited(struct cw_ratelimit *rl, const char *format, ...)
	CW_ATTRIB_PRINTF(2, 3);
void cw_vmsg_limited(struct cw_ratelimit *rl, const char *format,
	va_list args) CW_ATTRIB_PRINTF(2, 0);

/*
 * Prints the latest line held back, with the count, once its second is
 * over (at once with force). Returns when to call again (a cw_now_ms()
 * time), or -1 if nothing waits.
 */
int64_t cw_ratelimit_flush(struct cw_ratelimit *rl, bool force);
/* The same for n kinds: the earliest time to call again, or -1. */
int64_t cw_ratelimit_flush_all(struct cw_ratelimit *rl, size_t n,
	bool force);

#endif
