#include <ffi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hooks.h"
#include "log.h"

struct hook_slot {
	ffi_cif cif;
	ffi_type *types[CW_MAX_ARGS + 1];
};

static void (*handlers[CW_MESSAGE_COUNT])(void);
static struct hook_slot *slots[CW_MESSAGE_COUNT];
void (*const *cw_hook_handlers)(void) = handlers;

static ffi_type *arg_ffi_type(char type)
{
	switch ((enum cw_arg_type)type) {
	case CW_ARG_INT:
	case CW_ARG_FIXED:
	case CW_ARG_FD:
		return &ffi_type_sint32;
	case CW_ARG_UINT:
	case CW_ARG_OBJECT:
	case CW_ARG_NEW_ID:
		return &ffi_type_uint32;
	case CW_ARG_STRING:
	case CW_ARG_ARRAY:
		return &ffi_type_pointer;
	}
	return NULL;
}

bool cw_hooks_register(const struct cw_hook *hooks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cw_hook *hook = &hooks[i];
		const struct cw_message *msg = cw_interface_message(hook->iface,
			hook->event, hook->message);
		if (msg == NULL) {
			cw_log(CW_LOG_ERROR, "hook for unknown %s %s.%s",
				hook->event ? "event" : "request",
				hook->iface->name, hook->message);
			return false;
		}
		if (handlers[msg->index] != NULL) {
			/* registering the same table twice is harmless */
			if (handlers[msg->index] == hook->handler) {
				continue;
			}
			cw_log(CW_LOG_ERROR, "two hooks for %s.%s", hook->iface->name,
				hook->message);
			return false;
		}
		struct hook_slot *slot = calloc(1, sizeof(*slot));
		if (slot == NULL) {
			return false;
		}
		slot->types[0] = &ffi_type_pointer;
		for (unsigned a = 0; a < msg->nargs; a++) {
			slot->types[a + 1] = arg_ffi_type(msg->signature[a]);
		}
		if (ffi_prep_cif(&slot->cif, FFI_DEFAULT_ABI, msg->nargs + 1,
				&ffi_type_sint, slot->types) != FFI_OK) {
			free(slot);
			return false;
		}
		slots[msg->index] = slot;
		handlers[msg->index] = hook->handler;
	}
	return true;
}

enum cw_verdict cw_hooks_dispatch(struct cw_hook_call *call)
{
	const struct cw_message *msg = call->msg;
	struct hook_slot *slot = slots[msg->index];
	if (slot == NULL) {
		return CW_PASS;
	}
	void *values[CW_MAX_ARGS + 1];
	const void *ptrs[CW_MAX_ARGS];
	struct cw_hook_call *callp = call;
	values[0] = &callp;
	for (unsigned a = 0; a < msg->nargs; a++) {
		union cw_argument *v = (union cw_argument *)&call->args->value[a];
		switch ((enum cw_arg_type)msg->signature[a]) {
		case CW_ARG_STRING:
			ptrs[a] = v->s;
			values[a + 1] = &ptrs[a];
			break;
		case CW_ARG_ARRAY:
			ptrs[a] = &v->a;
			values[a + 1] = &ptrs[a];
			break;
		case CW_ARG_INT:
		case CW_ARG_UINT:
		case CW_ARG_FIXED:
		case CW_ARG_OBJECT:
		case CW_ARG_NEW_ID:
		case CW_ARG_FD:
			values[a + 1] = &v->u;
			break;
		}
	}
	ffi_sarg ret = CW_PASS;
	ffi_call(&slot->cif, handlers[msg->index], &ret, values);
	return (enum cw_verdict)ret;
}

void cw_hook_set_uint(struct cw_hook_call *call, unsigned arg, uint32_t value)
{
	memcpy(call->data + call->args->offset[arg], &value, 4);
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
