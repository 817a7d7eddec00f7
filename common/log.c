#include <stdio.h>
#include <string.h>
#include "log.h"
#include "util.h"

/*
 * One line on stderr, which is often the user's terminal: what the app
 * chose (an app id, a MIME type...) is in many messages, and must not
 * reach the terminal as escape sequences or as lines of its own.
 */
static void put_line(const char *prefix, const char *format, va_list args)
{
	char text[2048];
	vsnprintf(text, sizeof(text), format, args);
	cw_text_sanitize(text);
	fprintf(stderr, "%s%s\n", prefix, text);
}

static enum cw_log_importance log_verbosity = CW_LOG_ERROR;

static const char *const verbosity_names[] = {
	[CW_LOG_SILENT] = "",
	[CW_LOG_ERROR] = "ERROR",
	[CW_LOG_INFO] = "INFO",
	[CW_LOG_DEBUG] = "DEBUG",
};

void cw_log_init(enum cw_log_importance verbosity)
{
	log_verbosity = verbosity;
}

enum cw_log_importance cw_log_get_verbosity(void)
{
	return log_verbosity;
}

void _cw_vlog(enum cw_log_importance verbosity, const char *format,
	va_list args)
{
	if (verbosity > log_verbosity || verbosity == CW_LOG_SILENT) {
		return;
	}
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "crate-wl %s ",
		verbosity_names[verbosity]);
	put_line(prefix, format, args);
}

void _cw_log(enum cw_log_importance verbosity, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	_cw_vlog(verbosity, format, args);
	va_end(args);
}

void cw_msg(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	put_line("crate-wl: ", format, args);
	va_end(args);
}
