/*
 * Intercepted messages. Each one is listed once with a typed handler that
 * takes the protocol's own arguments, like a libwayland listener:
 *
 *   static enum cw_verdict handle_global(struct cw_hook_call *call,
 *           uint32_t name, const char *interface, uint32_t version);
 *   CW_HOOK_EVENT(wl_registry, global, handle_global)
 *
 * The dispatcher decodes the message from the tables and calls the handler
 * through libffi. Argument types: int -> int32_t, uint/object/new_id ->
 * uint32_t, fixed -> int32_t (24.8), string -> const char *, array ->
 * const struct cw_array *, fd -> int32_t.
 */
#ifndef CW_HOOKS_H
#define CW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cw-protocol-tables.h"
#include "verdict.h"
#include "wire.h"

struct cw_conn;
struct cw_object;

struct cw_hook_call {
	struct cw_conn *conn;
	uint32_t object_id;
	struct cw_object *object;
	const struct cw_message *msg;
	bool event;
	uint8_t *data; /* the message; REWRITE changes it in place */
	uint32_t size;
	const struct cw_args *args;
	/* set by cw_hook_error() */
	uint32_t error_code;
	char error[256];
	bool error_as_compositor; /* cw_hook_error_as_compositor() */
	/* set by cw_hook_hold() for CW_ASK */
	int hold_cap; /* enum cw_capability */
	void (*hold_deny)(struct cw_conn *conn, uint32_t id,
		const struct cw_interface *iface);
	char hold_detail[160];
};

struct cw_hook {
	const struct cw_interface *iface;
	bool event;
	const char *message;
	void (*handler)(void);
};

#define CW_HOOK_REQUEST(iface, msg, fn) \
	{ &cw_iface_##iface, false, #msg, (void (*)(void))(fn) }
#define CW_HOOK_EVENT(iface, msg, fn) \
	{ &cw_iface_##iface, true, #msg, (void (*)(void))(fn) }

/* Installs hooks once at start-up; false if a message does not exist. */
bool cw_hooks_register(const struct cw_hook *hooks, size_t n);

static inline bool cw_hooks_has(const struct cw_message *msg)
{
	extern void (*const *cw_hook_handlers)(void);
	return cw_hook_handlers != NULL && cw_hook_handlers[msg->index] != NULL;
}

enum cw_verdict cw_hooks_dispatch(struct cw_hook_call *call);

/* For REWRITE: change a 32-bit argument of the message in place. */
void cw_hook_set_uint(struct cw_hook_call *call, unsigned arg, uint32_t value);

/* For ERROR: the wl_display.error the client gets. */
enum cw_verdict cw_hook_error(struct cw_hook_call *call, uint32_t code,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * For ERROR: the error as the compositor itself would word it (libwayland's
 * text, cut at its 127 bytes, no crate-wl prefix), so that a refusal reads
 * like a plain protocol error. The trace still says why.
 */
enum cw_verdict cw_hook_error_as_compositor(struct cw_hook_call *call,
	uint32_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * For ASK: the request (and whatever the client sends on the objects it
 * creates) waits for the answer to cap. On deny, deny() sends the
 * protocol's failure event for the first new object.
 */
enum cw_verdict cw_hook_hold(struct cw_hook_call *call, int cap,
	void (*deny)(struct cw_conn *conn, uint32_t id,
		const struct cw_interface *iface),
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
