#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "util.h"

/*
 * One line on stderr, which is often the user's terminal: what the app
 * chose (an app id, a MIME type...) is in many messages, and must not
 * reach the terminal as escape sequences or as lines of its own.
 */
static void write_line(char *line, int n, size_t size)
{
	if (n < 0) {
		return;
	}
	size_t len = (size_t)n < size - 1 ? (size_t)n : size - 2;
	line[len++] = '\n';
	/* whatever stdio holds goes first (an unbuffered stderr: nothing) */
	fflush(stderr);
	for (size_t done = 0; done < len;) {
		ssize_t w = write(STDERR_FILENO, line + done, len - done);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return;
		}
		done += (size_t)w;
	}
}

void cw_log_line(const char *format, ...)
{
	char line[4096];
	va_list args;
	va_start(args, format);
	int n = vsnprintf(line, sizeof(line) - 1, format, args);
	va_end(args);
	write_line(line, n, sizeof(line));
}

static void put_line(const char *prefix, const char *format, va_list args)
{
	char text[2048];
	vsnprintf(text, sizeof(text), format, args);
	cw_text_sanitize(text);
	cw_log_line("%s%s", prefix, text);
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

static void ratelimit_print(struct cw_ratelimit *rl, const char *text,
	int64_t now)
{
	if (rl->suppressed > 0) {
		cw_msg("%s (and %" PRIu64 " more like it)", text,
			rl->suppressed);
	} else {
		cw_msg("%s", text);
	}
	rl->suppressed = 0;
	rl->next_ms = now + CW_RATELIMIT_MS;
}

void cw_vmsg_limited(struct cw_ratelimit *rl, const char *format,
	va_list args)
{
	int64_t now = cw_now_ms();
	if (now < rl->next_ms) {
		vsnprintf(rl->held, sizeof(rl->held), format, args);
		rl->suppressed++;
		return;
	}
	char text[sizeof(rl->held)];
	vsnprintf(text, sizeof(text), format, args);
	ratelimit_print(rl, text, now);
}

void cw_msg_limited(struct cw_ratelimit *rl, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	cw_vmsg_limited(rl, format, args);
	va_end(args);
}

int64_t cw_ratelimit_flush(struct cw_ratelimit *rl, bool force)
{
	if (rl->suppressed == 0) {
		return -1;
	}
	int64_t now = cw_now_ms();
	if (!force && now < rl->next_ms) {
		return rl->next_ms;
	}
	/* the held line is printed itself: the others are "more like it" */
	rl->suppressed--;
	ratelimit_print(rl, rl->held, now);
	return -1;
}

int64_t cw_ratelimit_flush_all(struct cw_ratelimit *rl, size_t n,
	bool force)
{
	int64_t next = -1;
	for (size_t i = 0; i < n; i++) {
		int64_t t = cw_ratelimit_flush(&rl[i], force);
		if (t >= 0 && (next < 0 || t < next)) {
			next = t;
		}
	}
	return next;
}
