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
#include <string.h>
#include "clipboard.h"
#include "conn.h"
#include "cw-protocol-tables.h"
#include "hooks.h"
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

/* ---- input events: focus and serials ---- */

static enum cw_verdict keyboard_enter(struct cw_hook_call *call,
	uint32_t serial, uint32_t surface, const struct cw_array *keys)
{
	struct cw_conn *conn = call->conn;
	remember_serial(conn, serial);
	if (conn->keyboard_focus++ == 0) {
		conn->proxy->focused_conns++;
	}
	return CW_PASS;
}

static enum cw_verdict keyboard_leave(struct cw_hook_call *call,
	uint32_t serial, uint32_t surface)
{
	struct cw_conn *conn = call->conn;
	if (conn->keyboard_focus > 0 && --conn->keyboard_focus == 0) {
		conn->proxy->focused_conns--;
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
	switch (conn->proxy->policy->clipboard) {
	case CW_ACCESS_ALLOW:
		return CW_PASS;
	case CW_ACCESS_DENY:
		cw_conn_trace(conn, "DENIED", "clipboard read of %s "
			"(clipboard=deny)", mime);
		return CW_DENY;
	case CW_ACCESS_FOCUS:
		if (conn->proxy->focused_conns > 0) {
			return CW_PASS;
		}
		cw_conn_trace(conn, "DENIED", "clipboard read of %s: the app "
			"has no keyboard focus (clipboard=focus)", mime);
		return CW_DENY;
	case CW_ACCESS_ASK:
		break;
	}
	switch (cw_permissions_check(conn->proxy->perms, CW_CAP_CLIPBOARD)) {
	case CW_PASS:
		return CW_PASS;
	case CW_ASK:
		return cw_hook_hold(call, CW_CAP_CLIPBOARD, NULL,
			"read the clipboard (%s)", mime);
	case CW_DENY:
	case CW_REWRITE:
	case CW_HIDE:
	case CW_ERROR:
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
	uint32_t serial, const struct cw_interface *source_iface)
{
	struct cw_conn *conn = call->conn;
	const char *why = NULL;
	switch (conn->proxy->policy->clipboard) {
	case CW_ACCESS_ALLOW:
		return CW_PASS;
	case CW_ACCESS_DENY:
		why = "clipboard=deny";
		break;
	case CW_ACCESS_FOCUS:
	case CW_ACCESS_ASK:
		/* clearing the selection takes nothing from anyone */
		if (source == 0 || own_serial(conn, serial)) {
			return CW_PASS;
		}
		why = "its serial is not from this client's own input";
		break;
	}
	cw_conn_trace(conn, "DENIED", "set_selection (serial %u): %s", serial,
		why);
	if (source != 0) {
		cw_conn_send_event(conn, source, source_iface, "cancelled", 0,
			NULL);
	}
	return CW_DENY;
}

static enum cw_verdict device_set_selection(struct cw_hook_call *call,
	uint32_t source, uint32_t serial)
{
	return write_rule(call, source, serial, &cw_iface_wl_data_source);
}

static enum cw_verdict primary_set_selection(struct cw_hook_call *call,
	uint32_t source, uint32_t serial)
{
	return write_rule(call, source, serial,
		&cw_iface_zwp_primary_selection_source_v1);
}

static const struct cw_hook clipboard_hooks[] = {
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
