#include <stdarg.h>
#include <stdio.h>
#include "hooks.h"
#include "log.h"

const struct cw_hook *cw_hook_table[CW_MESSAGE_COUNT];

bool cw_hooks_register(const struct cw_hook *hooks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cw_hook *hook = &hooks[i];
		const struct cw_hook *old = cw_hook_table[hook->index];
		/* registering the same table twice is harmless */
		if (old != NULL && old != hook) {
			cw_log(CW_LOG_ERROR, "two hooks for message %u",
				hook->index);
			return false;
		}
		cw_hook_table[hook->index] = hook;
	}
	return true;
}

enum cw_verdict cw_hooks_dispatch(struct cw_hook_call *call)
{
	const struct cw_hook *hook = cw_hook_table[call->msg->index];
	return hook != NULL ? cw_hook_invoke(hook, call) : CW_PASS;
}

enum cw_verdict cw_hook_error(struct cw_hook_call *call, uint32_t code,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(call->error, sizeof(call->error), fmt, ap);
	va_end(ap);
	call->error_code = code;
	return CW_ERROR;
}

enum cw_verdict cw_hook_error_as_compositor(struct cw_hook_call *call,
	uint32_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* libwayland-server formats into 128 bytes */
	vsnprintf(call->error, 128, fmt, ap);
	va_end(ap);
	call->error_code = code;
	call->error_as_compositor = true;
	return CW_ERROR;
}

enum cw_verdict cw_hook_hold(struct cw_hook_call *call, int cap,
	void (*deny)(struct cw_conn *conn, uint32_t id,
		const struct cw_interface *iface),
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(call->hold_detail, sizeof(call->hold_detail), fmt, ap);
	va_end(ap);
	call->hold_cap = cap;
	call->hold_deny = deny;
	return CW_ASK;
}
