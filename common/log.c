#include <stdio.h>
#include <string.h>
#include "log.h"

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
	fprintf(stderr, "crate-wl %s ", verbosity_names[verbosity]);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
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
	fputs("crate-wl: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
	va_end(args);
}
