/*
 * Clipboard managers: zwlr_data_control_manager_v1 and
 * ext_data_control_manager_v1 see every copy in the background, so the
 * device that delivers them (get_data_device) goes through the
 * clipboard-manager permission. Allowed, it goes upstream unchanged;
 * asked, it waits for the answer while everything else flows.
 *
 * Denied, the proxy keeps the device to itself and tells the app the
 * clipboard is empty (selection, and primary_selection where the version
 * has it, with no offer), which a clipboard manager or wl-paste takes in
 * its stride; nothing is ever offered on it. A source the app sets on
 * such a device gets cancelled, as when another app copies: its data
 * never becomes the selection. ("finished" would also fit the protocol,
 * but clients such as wl-clipboard 2.1 have no handler for it and
 * libwayland aborts them.)
 *
 * A revoke turns the app's devices into denied ones at once: they report
 * an empty clipboard, their later selections are dropped, and no
 * data-control offer of that client is read until it is granted again.
 */
#include "clipboard.h"
#include "conn.h"
#include "cw-protocol-tables.h"
#include "hooks.h"
#include "objmap.h"
#include "permission.h"
#include "proxy.h"

static void send_empty(struct cw_conn *conn, uint32_t id,
	const struct cw_interface *iface, uint32_t version)
{
	if (iface == &cw_iface_zwlr_data_control_device_v1) {
		const struct cw_message *primary = &iface->events[
			CW_ZWLR_DATA_CONTROL_DEVICE_V1_PRIMARY_SELECTION];
		cw_send_zwlr_data_control_device_v1_selection(conn, id, 0);
		if (version >= primary->since) {
			cw_send_zwlr_data_control_device_v1_primary_selection(
				conn, id, 0);
		}
	} else if (iface == &cw_iface_ext_data_control_device_v1) {
		cw_send_ext_data_control_device_v1_selection(conn, id, 0);
		cw_send_ext_data_control_device_v1_primary_selection(conn, id,
			0);
	}
}

/* the deny of a held get_data_device: the device is there by now */
static void device_denied(struct cw_conn *conn, uint32_t id,
	const struct cw_interface *iface)
{
	struct cw_object *device = cw_objmap_get(&conn->objects, id);
	if (device != NULL) {
		send_empty(conn, id, iface, device->version);
	}
}

static enum cw_verdict gate(struct cw_hook_call *call, uint32_t device,
	const struct cw_interface *iface)
{
	struct cw_conn *conn = call->conn;
	switch (cw_permissions_check(conn->proxy->perms,
			CW_CAP_CLIPBOARD_MANAGER)) {
	case CW_DECISION_ALLOW:
		cw_conn_trace(conn, "CLIPBOARD-MANAGER", "%s: sees every copy "
			"from now on", iface->name);
		conn->data_control_revoked = false;
		return CW_PASS;
	case CW_DECISION_ASK:
		return cw_hook_hold(call, CW_CAP_CLIPBOARD_MANAGER,
			device_denied, "see everything copied to the clipboard "
			"(%s)", iface->name);
	case CW_DECISION_DENY:
		break;
	}
	cw_conn_trace(conn, "DENIED", "%s (clipboard-manager): the app sees "
		"an empty clipboard", iface->name);
	send_empty(conn, device, iface, call->object->version);
	return CW_DENY;
}

static enum cw_verdict wlr_get_data_device(struct cw_hook_call *call,
	uint32_t device, uint32_t seat)
{
	return gate(call, device, &cw_iface_zwlr_data_control_device_v1);
}

static enum cw_verdict ext_get_data_device(struct cw_hook_call *call,
	uint32_t device, uint32_t seat)
{
	return gate(call, device, &cw_iface_ext_data_control_device_v1);
}

static bool refused(const struct cw_object *device)
{
	return device->state == CW_OBJECT_LOCAL ||
		(device->flags & CW_OBJECT_REVOKED);
}

/* set_selection and set_primary_selection on a device that was refused */
static enum cw_verdict set_on_device(struct cw_hook_call *call,
	uint32_t source, void (*cancel)(struct cw_conn *conn, uint32_t source))
{
	if (!refused(call->object)) {
		return CW_PASS;
	}
	cw_conn_trace(call->conn, "DENIED", "%s.%s (clipboard-manager): the "
		"source is cancelled", call->object->iface->name,
		call->msg->name);
	if (source != 0) {
		cancel(call->conn, source);
	}
	return CW_DENY;
}

static enum cw_verdict wlr_set(struct cw_hook_call *call, uint32_t source)
{
	return set_on_device(call, source,
		cw_send_zwlr_data_control_source_v1_cancelled);
}

static enum cw_verdict ext_set(struct cw_hook_call *call, uint32_t source)
{
	return set_on_device(call, source,
		cw_send_ext_data_control_source_v1_cancelled);
}

/* a revoked device's news: dropped */
static enum cw_verdict device_selection(struct cw_hook_call *call,
	uint32_t offer)
{
	return (call->object->flags & CW_OBJECT_REVOKED) ? CW_HIDE : CW_PASS;
}

static enum cw_verdict offer_receive(struct cw_hook_call *call,
	const char *mime, int32_t fd)
{
	if (!call->conn->data_control_revoked) {
		return CW_PASS;
	}
	cw_conn_trace(call->conn, "DENIED", "%s.receive of %s "
		"(clipboard-manager revoked)", call->object->iface->name, mime);
	return CW_DENY; /* the pipe is closed: an empty read */
}

static const struct cw_hook manager_hooks[] = {
	CW_HOOK_REQUEST(zwlr_data_control_manager_v1, get_data_device,
		wlr_get_data_device),
	CW_HOOK_REQUEST(ext_data_control_manager_v1, get_data_device,
		ext_get_data_device),
	CW_HOOK_REQUEST(zwlr_data_control_device_v1, set_selection, wlr_set),
	CW_HOOK_REQUEST(zwlr_data_control_device_v1, set_primary_selection,
		wlr_set),
	CW_HOOK_REQUEST(ext_data_control_device_v1, set_selection, ext_set),
	CW_HOOK_REQUEST(ext_data_control_device_v1, set_primary_selection,
		ext_set),
	CW_HOOK_EVENT(zwlr_data_control_device_v1, selection, device_selection),
	CW_HOOK_EVENT(zwlr_data_control_device_v1, primary_selection,
		device_selection),
	CW_HOOK_EVENT(ext_data_control_device_v1, selection, device_selection),
	CW_HOOK_EVENT(ext_data_control_device_v1, primary_selection,
		device_selection),
	CW_HOOK_REQUEST(zwlr_data_control_offer_v1, receive, offer_receive),
	CW_HOOK_REQUEST(ext_data_control_offer_v1, receive, offer_receive),
};

bool cw_clipboard_manager_filter_init(void)
{
	return cw_hooks_register(manager_hooks,
		sizeof(manager_hooks) / sizeof(manager_hooks[0]));
}

static bool revoke_device(struct cw_conn *conn, uint32_t id,
	struct cw_object *o, void *data)
{
	if ((o->iface != &cw_iface_zwlr_data_control_device_v1 &&
			o->iface != &cw_iface_ext_data_control_device_v1) ||
			(o->flags & CW_OBJECT_REVOKED)) {
		return true;
	}
	o->flags |= CW_OBJECT_REVOKED;
	conn->data_control_revoked = true;
	cw_conn_trace(conn, "DENIED", "%s@%u: clipboard-manager revoked; it "
		"sees an empty clipboard from now on", o->iface->name, id);
	send_empty(conn, id, o->iface, o->version);
	return true;
}

static void manager_changed(struct cw_consent_listener *listener,
	enum cw_capability cap, enum cw_decision decision)
{
	struct cw_proxy *proxy = cw_container_of(listener, proxy,
		clipboard_manager_listener);
	if (cap == CW_CAP_CLIPBOARD_MANAGER && decision == CW_DECISION_DENY) {
		cw_proxy_each_object(proxy, revoke_device, NULL);
	}
}

void cw_clipboard_manager_listen(struct cw_proxy *proxy)
{
	proxy->clipboard_manager_listener.changed = manager_changed;
	cw_permissions_listen(proxy->perms,
		&proxy->clipboard_manager_listener);
}
