/*
 * Screen capture. Every request that starts a capture passes through one
 * gate: allowed, it goes upstream unchanged; denied, the new object is
 * answered by the proxy with the protocol's own failure event and no pixel
 * ever reaches the app; asked, the request waits for the user while
 * everything else keeps flowing.
 */
#include <stdio.h>
#include <string.h>
#include "capture.h"
#include "capturing.h"
#include "conn.h"
#include "cw-protocol-tables.h"
#include "hooks.h"
#include "permission.h"
#include "proxy.h"

/* The failure event of each capture object, and its arguments. */
static void capture_failed(struct cw_conn *conn, uint32_t id,
	const struct cw_interface *iface)
{
	if (iface == &cw_iface_zwlr_screencopy_frame_v1) {
		cw_send_zwlr_screencopy_frame_v1_failed(conn, id);
	} else if (iface == &cw_iface_zwlr_export_dmabuf_frame_v1) {
		cw_send_zwlr_export_dmabuf_frame_v1_cancel(conn, id,
			CW_ZWLR_EXPORT_DMABUF_FRAME_V1_CANCEL_REASON_PERMANENT);
	} else if (iface == &cw_iface_ext_image_copy_capture_session_v1) {
		cw_send_ext_image_copy_capture_session_v1_stopped(conn, id);
	} else if (iface == &cw_iface_ext_image_copy_capture_frame_v1) {
		cw_send_ext_image_copy_capture_frame_v1_failed(conn, id,
			CW_EXT_IMAGE_COPY_CAPTURE_FRAME_V1_FAILURE_REASON_STOPPED);
	}
}

static enum cw_verdict gate(struct cw_hook_call *call, uint32_t new_id,
	const struct cw_interface *iface, const char *what)
{
	struct cw_conn *conn = call->conn;
	switch (cw_permissions_check(conn->proxy->perms, CW_CAP_SCREENCOPY)) {
	case CW_DECISION_ALLOW:
		cw_conn_trace(conn, "CAPTURING", "%s", what);
		return CW_PASS;
	case CW_DECISION_ASK:
		return cw_hook_hold(call, CW_CAP_SCREENCOPY, capture_failed,
			"%s", what);
	case CW_DECISION_DENY:
		break;
	}
	cw_conn_trace(conn, "DENIED", "%s (screencopy)", what);
	capture_failed(conn, new_id, iface);
	return CW_DENY;
}

static enum cw_verdict screencopy_capture_output(struct cw_hook_call *call,
	uint32_t frame, int32_t overlay_cursor, uint32_t output)
{
	return gate(call, frame, &cw_iface_zwlr_screencopy_frame_v1,
		"capture an output (wlr-screencopy)");
}

static enum cw_verdict screencopy_capture_region(struct cw_hook_call *call,
	uint32_t frame, int32_t overlay_cursor, uint32_t output, int32_t x,
	int32_t y, int32_t width, int32_t height)
{
	char what[128];
	snprintf(what, sizeof(what), "capture a %dx%d region of an output "
		"(wlr-screencopy)", width, height);
	return gate(call, frame, &cw_iface_zwlr_screencopy_frame_v1, what);
}

static enum cw_verdict export_dmabuf_capture(struct cw_hook_call *call,
	uint32_t frame, int32_t overlay_cursor, uint32_t output)
{
	return gate(call, frame, &cw_iface_zwlr_export_dmabuf_frame_v1,
		"export an output's frames (wlr-export-dmabuf)");
}

static enum cw_verdict ext_create_session(struct cw_hook_call *call,
	uint32_t session, uint32_t source, uint32_t options)
{
	return gate(call, session, &cw_iface_ext_image_copy_capture_session_v1,
		"capture an image source (ext-image-copy-capture)");
}

static enum cw_verdict ext_create_cursor_session(struct cw_hook_call *call,
	uint32_t session, uint32_t source, uint32_t pointer)
{
	return gate(call, session, &cw_iface_ext_image_copy_capture_session_v1,
		"capture the cursor (ext-image-copy-capture)");
}

static enum cw_verdict ext_session_create_frame(struct cw_hook_call *call,
	uint32_t frame)
{
	if (call->object->state == CW_OBJECT_LOCAL ||
			(call->object->flags & CW_OBJECT_REVOKED)) {
		/* the session was refused or revoked: so are its frames */
		return CW_DENY;
	}
	return CW_PASS;
}

static enum cw_verdict ext_frame_capture(struct cw_hook_call *call)
{
	if (call->object->state == CW_OBJECT_LOCAL) {
		capture_failed(call->conn, call->object_id, call->object->iface);
		return CW_DENY;
	}
	return CW_PASS;
}

/* A frame that was running when the permission went: it fails instead. */
static enum cw_verdict frame_ready(struct cw_hook_call *call)
{
	if (!(call->object->flags & CW_OBJECT_REVOKED)) {
		cw_capturing_frame(call->conn->proxy);
		return CW_PASS;
	}
	cw_conn_trace(call->conn, "DENIED", "%s@%u: revoked while capturing",
		call->object->iface->name, call->object_id);
	capture_failed(call->conn, call->object_id, call->object->iface);
	return CW_HIDE;
}

static enum cw_verdict screencopy_ready(struct cw_hook_call *call,
	uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec)
{
	return frame_ready(call);
}

static enum cw_verdict export_dmabuf_ready(struct cw_hook_call *call,
	uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec)
{
	return frame_ready(call);
}

static enum cw_verdict ext_frame_ready(struct cw_hook_call *call)
{
	return frame_ready(call);
}

static const struct cw_hook capture_hooks[] = {
	CW_HOOK_REQUEST(zwlr_screencopy_manager_v1, capture_output,
		screencopy_capture_output),
	CW_HOOK_REQUEST(zwlr_screencopy_manager_v1, capture_output_region,
		screencopy_capture_region),
	CW_HOOK_REQUEST(zwlr_export_dmabuf_manager_v1, capture_output,
		export_dmabuf_capture),
	CW_HOOK_REQUEST(ext_image_copy_capture_manager_v1, create_session,
		ext_create_session),
	CW_HOOK_REQUEST(ext_image_copy_capture_manager_v1,
		create_pointer_cursor_session, ext_create_cursor_session),
	CW_HOOK_REQUEST(ext_image_copy_capture_session_v1, create_frame,
		ext_session_create_frame),
	CW_HOOK_REQUEST(ext_image_copy_capture_frame_v1, capture,
		ext_frame_capture),
	CW_HOOK_EVENT(zwlr_screencopy_frame_v1, ready, screencopy_ready),
	CW_HOOK_EVENT(zwlr_export_dmabuf_frame_v1, ready, export_dmabuf_ready),
	CW_HOOK_EVENT(ext_image_copy_capture_frame_v1, ready, ext_frame_ready),
};

bool cw_capture_filter_init(void)
{
	return cw_hooks_register(capture_hooks,
		sizeof(capture_hooks) / sizeof(capture_hooks[0]));
}

static bool is_capture(const struct cw_interface *iface)
{
	return iface == &cw_iface_zwlr_screencopy_frame_v1 ||
		iface == &cw_iface_zwlr_export_dmabuf_frame_v1 ||
		iface == &cw_iface_ext_image_copy_capture_session_v1 ||
		iface == &cw_iface_ext_image_copy_capture_frame_v1;
}

static bool revoke_one(struct cw_conn *conn, uint32_t id, struct cw_object *o,
	void *data)
{
	if (!is_capture(o->iface)) {
		return true;
	}
	o->flags |= CW_OBJECT_REVOKED;
	if (o->iface == &cw_iface_ext_image_copy_capture_session_v1) {
		capture_failed(conn, id, o->iface);
	}
	return true;
}

static void screencopy_changed(struct cw_consent_listener *listener,
	enum cw_capability cap, enum cw_decision decision)
{
	struct cw_proxy *proxy = cw_container_of(listener, proxy,
		capture_listener);
	if (cap == CW_CAP_SCREENCOPY && decision == CW_DECISION_DENY) {
		cw_proxy_each_object(proxy, revoke_one, NULL);
		cw_capturing_stop(proxy, "revoked");
	}
}

void cw_capture_listen(struct cw_proxy *proxy)
{
	proxy->capture_listener.changed = screencopy_changed;
	cw_permissions_listen(proxy->perms, &proxy->capture_listener);
}

static bool not_a_session(struct cw_conn *conn, uint32_t id,
	struct cw_object *o, void *data)
{
	return o->iface != &cw_iface_ext_image_copy_capture_session_v1 ||
		(o->flags & CW_OBJECT_REVOKED);
}

bool cw_capture_session_open(struct cw_proxy *proxy)
{
	return !cw_proxy_each_object(proxy, not_a_session, NULL);
}
