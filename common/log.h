#ifndef CW_LOG_H
#define CW_LOG_H

#include <stdarg.h>
#include <stdbool.h>

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

#endif
