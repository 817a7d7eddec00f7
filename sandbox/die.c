#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "die.h"

static int die_fd = -1;

void cw_die_set_fd(int fd)
{
	die_fd = fd;
}

static _Noreturn void die_v(int err, const char *fmt, va_list args)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, args);
	if (n < 0) {
		n = 0;
	}
	if (err != 0 && (size_t)n < sizeof(msg)) {
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
			strerror(err));
	}
	if (die_fd >= 0) {
		/* the caller prints it, once */
		char line[1100];
		int len = snprintf(line, sizeof(line), "error %s\n", msg);
		if (len > 0 && write(die_fd, line, (size_t)len) == len) {
			_exit(1);
		}
	}
	cw_msg("%s", msg);
	_exit(1);
}

void cw_die(const char *fmt, ...)
{
	va_list args;
	va_start(args, fmt);
	die_v(0, fmt, args);
}

void cw_die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list args;
	va_start(args, fmt);
	die_v(err, fmt, args);
}
