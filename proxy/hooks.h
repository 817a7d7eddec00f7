/*
 * Intercepted messages. Each one is listed once, in protocols/hooks.list,
 * and gets a typed handler that takes the protocol's own arguments, like a
 * libwayland listener:
 *
 *   static enum cw_verdict handle_global(struct cw_hook_call *call,
 *           uint32_t name, const char *interface, uint32_t version);
 *   CW_HOOK_EVENT(wl_registry, global, handle_global)
 *
 * The generator (protocols/gen-tables.py) writes cw-hooks.h from the list:
 * the handler's type (cw_hook_wl_registry_global_fn), the registration
 * CW_HOOK_EVENT expands to, and cw_hook_invoke(), which decodes the
 * arguments from the parsed message and calls the handler directly. A
 * handler of any other type, a message not in the list or a request
 * registered as an event does not build: the registration is a _Generic
 * selection with the one type it takes. No libffi, no cast. The events
 * the proxy sends itself get typed senders there too, from the same list
 * (cw_send_zwlr_screencopy_frame_v1_failed(conn, id)).
 *
 * Argument types: int -> int32_t, uint/object/new_id -> uint32_t, fixed ->
 * int32_t (24.8), string -> const char *, array -> const struct cw_array *,
 * fd -> int32_t. An untyped new_id (wl_registry.bind) comes as interface,
 * version, id.
 */
#ifndef CW_HOOKS_H
#define CW_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cw-hooks.h"
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

#define CW_HOOK_REQUEST(iface, msg, fn) cw_hook_request_##iface##_##msg(fn)
#define CW_HOOK_EVENT(iface, msg, fn) cw_hook_event_##iface##_##msg(fn)

/* Installs hooks once at start-up; false if a message gets two. */
bool cw_hooks_register(const struct cw_hook *hooks, size_t n);

extern const struct cw_hook *cw_hook_table[CW_MESSAGE_COUNT];

static inline bool cw_hooks_has(const struct cw_message *msg)
{
	return cw_hook_table[msg->index] != NULL;
}

enum cw_verdict cw_hooks_dispatch(struct cw_hook_call *call);

/*
 * For REWRITE: cw_hook_set_<interface>_<message>_<argument>() (cw-hooks.h)
 * changes an int, uint or fixed argument in the message's bytes.
 */

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
