/*
 * The clipboard rules, from what passes through the proxy:
 * - reading (wl_data_offer.receive, zwp_primary_selection_offer_v1.receive)
 *   under "focus" works only while one of the app's surfaces has keyboard
 *   focus, and only on the offer of the current selection; a drag the user
 *   makes is always readable;
 * - writing (set_selection) under "focus" needs the serial of one of this
 *   client's own recent input events.
 * A refused read gets its pipe closed (the app reads an empty paste); a
 * refused write gets its source cancelled, as when another app copies.
 */
#include <stdlib.h>
#include <string.h>
#include "clipboard.h"
#include "conn.h"
#include "cw-protocol-tables.h"
#include "hooks.h"
#include "objmap.h"
#include "wire.h"
#include "permission.h"
#include "policy.h"
#include "proxy.h"

static void remember_serial(struct cw_conn *conn, uint32_t serial)
{
	conn->input_serials[conn->next_serial] = serial;
	conn->next_serial = (conn->next_serial + 1) %
		(sizeof(conn->input_serials) / sizeof(conn->input_serials[0]));
}

static bool own_serial(struct cw_conn *conn, uint32_t serial)
{
	for (size_t i = 0; i < sizeof(conn->input_serials) /
			sizeof(conn->input_serials[0]); i++) {
		if (conn->input_serials[i] == serial && serial != 0) {
			return true;
		}
	}
	return false;
}

/* ---- keyboard focus ----
 *
 * Focus is kept per wl_keyboard, from its enter and leave, and the client
 * counts as focused while one of its live keyboards has focus. A keyboard
 * that goes away (its release, its seat's release or global_remove, a
 * seat without keyboard) gets no more leave: its focus is forgotten then,
 * so the proxy never believes in more focus than the compositor gives.
 */

static struct cw_input_obj *input_find(struct cw_conn *conn, uint32_t id,
	bool keyboard)
{
	for (uint32_t i = 0; i < conn->ninputs; i++) {
		if (conn->inputs[i].id == id &&
				conn->inputs[i].keyboard == keyboard) {
			return &conn->inputs[i];
		}
	}
	return NULL;
}

static bool input_add(struct cw_conn *conn, uint32_t id, uint32_t parent,
	bool keyboard)
{
	if (conn->ninputs == conn->capinputs) {
		uint32_t cap = conn->capinputs ? conn->capinputs * 2 : 4;
		struct cw_input_obj *n = realloc(conn->inputs,
			cap * sizeof(*n));
		if (n == NULL) {
			return false;
		}
		conn->inputs = n;
		conn->capinputs = cap;
	}
	conn->inputs[conn->ninputs++] = (struct cw_input_obj){
		.id = id,
		.parent = parent,
		.keyboard = keyboard,
	};
	return true;
}

static void set_focus(struct cw_conn *conn, struct cw_input_obj *kb,
	bool focused)
{
	if (kb->focused == focused) {
		return;
	}
	kb->focused = focused;
	if (focused) {
		if (conn->focused_keyboards++ == 0) {
			conn->proxy->focused_conns++;
		}
	} else if (--conn->focused_keyboards == 0) {
		conn->proxy->focused_conns--;
	}
}

static void input_remove(struct cw_conn *conn, struct cw_input_obj *obj)
{
	set_focus(conn, obj, false);
	*obj = conn->inputs[--conn->ninputs];
}

/* The keyboards of a seat that is gone or has no keyboard now. */
static void forget_seat_focus(struct cw_conn *conn, uint32_t seat,
	const char *why)
{
	for (uint32_t i = 0; i < conn->ninputs; i++) {
		struct cw_input_obj *kb = &conn->inputs[i];
		if (kb->keyboard && kb->parent == seat && kb->focused) {
			cw_conn_trace(conn, "FOCUS", "wl_keyboard@%u: focus "
				"forgotten (%s)", kb->id, why);
			set_focus(conn, kb, false);
		}
	}
}

void cw_clipboard_seat_bound(struct cw_conn *conn, uint32_t seat,
	uint32_t name)
{
	if (!input_add(conn, seat, name, false)) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"out of memory");
	}
}

void cw_clipboard_global_removed(struct cw_conn *conn, uint32_t name)
{
	for (uint32_t i = 0; i < conn->ninputs; i++) {
		if (!conn->inputs[i].keyboard &&
				conn->inputs[i].parent == name) {
			forget_seat_focus(conn, conn->inputs[i].id,
				"its seat's global was removed");
		}
	}
}

void cw_clipboard_conn_gone(struct cw_conn *conn)
{
	if (conn->focused_keyboards > 0) {
		conn->proxy->focused_conns--;
	}
	conn->focused_keyboards = 0;
	free(conn->inputs);
	conn->inputs = NULL;
	conn->ninputs = conn->capinputs = 0;
}

static enum cw_verdict seat_get_keyboard(struct cw_hook_call *call,
	uint32_t id)
{
	if (!input_add(call->conn, id, call->object_id, true)) {
		return cw_hook_error(call, CW_ERROR_NO_MEMORY, "out of memory");
	}
	return CW_PASS;
}

static enum cw_verdict seat_release(struct cw_hook_call *call)
{
	struct cw_conn *conn = call->conn;
	forget_seat_focus(conn, call->object_id, "its seat was released");
	struct cw_input_obj *seat = input_find(conn, call->object_id, false);
	if (seat != NULL) {
		input_remove(conn, seat);
	}
	return CW_PASS;
}

static enum cw_verdict seat_capabilities(struct cw_hook_call *call,
	uint32_t capabilities)
{
	if (!(capabilities & CW_WL_SEAT_CAPABILITY_KEYBOARD)) {
		forget_seat_focus(call->conn, call->object_id,
			"the seat has no keyboard now");
	}
	return CW_PASS;
}

static enum cw_verdict keyboard_release(struct cw_hook_call *call)
{
	struct cw_input_obj *kb = input_find(call->conn, call->object_id, true);
	if (kb != NULL) {
		if (kb->focused) {
			cw_conn_trace(call->conn, "FOCUS", "wl_keyboard@%u: "
				"focus forgotten (released)", kb->id);
		}
		input_remove(call->conn, kb);
	}
	return CW_PASS;
}

/* ---- input events: focus and serials ---- */

static enum cw_verdict keyboard_enter(struct cw_hook_call *call,
	uint32_t serial, uint32_t surface, const struct cw_array *keys)
{
	struct cw_conn *conn = call->conn;
	remember_serial(conn, serial);
	/* an enter still on its way after the release goes to no one */
	struct cw_input_obj *kb = input_find(conn, call->object_id, true);
	if (kb != NULL && call->object->state == CW_OBJECT_LIVE) {
		set_focus(conn, kb, true);
	}
	return CW_PASS;
}

static enum cw_verdict keyboard_leave(struct cw_hook_call *call,
	uint32_t serial, uint32_t surface)
{
	struct cw_input_obj *kb = input_find(call->conn, call->object_id, true);
	if (kb != NULL) {
		set_focus(call->conn, kb, false);
	}
	return CW_PASS;
}

static enum cw_verdict keyboard_key(struct cw_hook_call *call, uint32_t serial,
	uint32_t time, uint32_t key, uint32_t state)
{
	remember_serial(call->conn, serial);
	return CW_PASS;
}

static enum cw_verdict pointer_enter(struct cw_hook_call *call,
	uint32_t serial, uint32_t surface, int32_t x, int32_t y)
{
	remember_serial(call->conn, serial);
	return CW_PASS;
}

static enum cw_verdict pointer_button(struct cw_hook_call *call,
	uint32_t serial, uint32_t time, uint32_t button, uint32_t state)
{
	remember_serial(call->conn, serial);
	return CW_PASS;
}

static enum cw_verdict touch_down(struct cw_hook_call *call, uint32_t serial,
	uint32_t time, uint32_t surface, int32_t id, int32_t x, int32_t y)
{
	remember_serial(call->conn, serial);
	return CW_PASS;
}

/* ---- offers ---- */

static enum cw_verdict device_selection(struct cw_hook_call *call,
	uint32_t offer)
{
	call->conn->selection_offer = offer;
	return CW_PASS;
}

static enum cw_verdict device_enter(struct cw_hook_call *call, uint32_t serial,
	uint32_t surface, int32_t x, int32_t y, uint32_t offer)
{
	call->conn->dnd_offer = offer;
	return CW_PASS;
}

static enum cw_verdict primary_selection(struct cw_hook_call *call,
	uint32_t offer)
{
	call->conn->primary_offer = offer;
	return CW_PASS;
}

static enum cw_verdict read_rule(struct cw_hook_call *call, uint32_t current,
	const char *mime)
{
	struct cw_conn *conn = call->conn;
	uint32_t offer = call->object_id;
	if (offer == conn->dnd_offer && offer != 0) {
		return CW_PASS; /* a drop the user made */
	}
	if (offer != current) {
		cw_conn_trace(conn, "DENIED", "clipboard read of %s: offer %u "
			"is no longer the selection", mime, offer);
		return CW_DENY;
	}
	/* a revoke made allow and focus ask (permission.h) */
	bool revoked = cw_permissions_revoked(conn->proxy->perms,
		CW_CAP_CLIPBOARD);
	struct cw_cap_rule rule = conn->proxy->policy->rules[CW_CAP_CLIPBOARD];
	if (rule.decision == CW_DECISION_ALLOW && revoked) {
		rule.decision = CW_DECISION_ASK;
	}
	switch (rule.decision) {
	case CW_DECISION_ALLOW:
		if (!rule.focus || conn->proxy->focused_conns > 0) {
			return CW_PASS;
		}
		cw_conn_trace(conn, "DENIED", "clipboard read of %s: the app "
			"has no keyboard focus (clipboard=focus)", mime);
		return CW_DENY;
	case CW_DECISION_DENY:
		cw_conn_trace(conn, "DENIED", "clipboard read of %s "
			"(clipboard=deny)", mime);
		return CW_DENY;
	case CW_DECISION_ASK:
		break;
	}
	switch (cw_permissions_check(conn->proxy->perms, CW_CAP_CLIPBOARD)) {
	case CW_DECISION_ALLOW:
		return CW_PASS;
	case CW_DECISION_ASK:
		return cw_hook_hold(call, CW_CAP_CLIPBOARD, NULL,
			"read the clipboard (%s)", mime);
	case CW_DECISION_DENY:
		break;
	}
	cw_conn_trace(conn, "DENIED", "clipboard read of %s", mime);
	return CW_DENY;
}

static enum cw_verdict offer_receive(struct cw_hook_call *call,
	const char *mime, int32_t fd)
{
	return read_rule(call, call->conn->selection_offer, mime);
}

static enum cw_verdict primary_offer_receive(struct cw_hook_call *call,
	const char *mime, int32_t fd)
{
	return read_rule(call, call->conn->primary_offer, mime);
}

/* ---- writing ---- */

static enum cw_verdict write_rule(struct cw_hook_call *call, uint32_t source,
	uint32_t serial, void (*cancel)(struct cw_conn *conn, uint32_t source))
{
	struct cw_conn *conn = call->conn;
	const char *why = NULL;
	struct cw_cap_rule rule = conn->proxy->policy->rules[CW_CAP_CLIPBOARD];
	if (rule.decision == CW_DECISION_ALLOW && cw_permissions_revoked(
			conn->proxy->perms, CW_CAP_CLIPBOARD)) {
		rule.decision = CW_DECISION_ASK; /* revoked: as under ask */
	}
	switch (rule.decision) {
	case CW_DECISION_ALLOW:
		if (!rule.focus) {
			return CW_PASS;
		}
		break; /* focus copies as ask does */
	case CW_DECISION_ASK:
		break;
	case CW_DECISION_DENY:
		why = "clipboard=deny";
		break;
	}
	/* clearing the selection takes nothing from anyone */
	if (why == NULL && (source == 0 || own_serial(conn, serial))) {
		return CW_PASS;
	} else if (why == NULL) {
		why = "its serial is not from this client's own input";
	}
	cw_conn_trace(conn, "DENIED", "set_selection (serial %u): %s", serial,
		why);
	if (source != 0) {
		cancel(conn, source);
	}
	return CW_DENY;
}

static enum cw_verdict device_set_selection(struct cw_hook_call *call,
	uint32_t source, uint32_t serial)
{
	return write_rule(call, source, serial,
		cw_send_wl_data_source_cancelled);
}

static enum cw_verdict primary_set_selection(struct cw_hook_call *call,
	uint32_t source, uint32_t serial)
{
	return write_rule(call, source, serial,
		cw_send_zwp_primary_selection_source_v1_cancelled);
}

static const struct cw_hook clipboard_hooks[] = {
	CW_HOOK_REQUEST(wl_seat, get_keyboard, seat_get_keyboard),
	CW_HOOK_REQUEST(wl_seat, release, seat_release),
	CW_HOOK_EVENT(wl_seat, capabilities, seat_capabilities),
	CW_HOOK_REQUEST(wl_keyboard, release, keyboard_release),
	CW_HOOK_EVENT(wl_keyboard, enter, keyboard_enter),
	CW_HOOK_EVENT(wl_keyboard, leave, keyboard_leave),
	CW_HOOK_EVENT(wl_keyboard, key, keyboard_key),
	CW_HOOK_EVENT(wl_pointer, enter, pointer_enter),
	CW_HOOK_EVENT(wl_pointer, button, pointer_button),
	CW_HOOK_EVENT(wl_touch, down, touch_down),
	CW_HOOK_EVENT(wl_data_device, selection, device_selection),
	CW_HOOK_EVENT(wl_data_device, enter, device_enter),
	CW_HOOK_EVENT(zwp_primary_selection_device_v1, selection,
		primary_selection),
	CW_HOOK_REQUEST(wl_data_offer, receive, offer_receive),
	CW_HOOK_REQUEST(zwp_primary_selection_offer_v1, receive,
		primary_offer_receive),
	CW_HOOK_REQUEST(wl_data_device, set_selection, device_set_selection),
	CW_HOOK_REQUEST(zwp_primary_selection_device_v1, set_selection,
		primary_set_selection),
};

bool cw_clipboard_filter_init(void)
{
	return cw_hooks_register(clipboard_hooks,
		sizeof(clipboard_hooks) / sizeof(clipboard_hooks[0]));
}
