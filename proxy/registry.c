/*
 * The registry filter: what globals a client learns about, at which
 * versions, and which binds it may make. Every registry a client creates
 * gets the same view; global names are per connection.
 */
#include <stdio.h>
#include <string.h>
#include "clipboard.h"
#include "conn.h"
#include "cw-protocol-tables.h"
#include "filters.h"
#include "hooks.h"
#include "policy.h"
#include "proxy.h"

static enum cw_verdict handle_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
	struct cw_conn *conn = call->conn;
	struct cw_global *global = cw_conn_find_global(conn, name);
	bool first = global == NULL;
	if (first) {
		struct cw_global_decision d = cw_policy_classify_global(
			conn->proxy->policy, interface, version);
		global = cw_conn_add_global(conn, name);
		if (global == NULL) {
			return cw_hook_error(call, CW_ERROR_NO_MEMORY,
				"too many globals");
		}
		global->iface = cw_interface_find(interface);
		global->version = d.version;
		/* ASK: visible, and each request that needs the permission
		 * asks (capture.c, clipboard-manager.c) */
		global->visible = d.verdict == CW_PASS ||
			d.verdict == CW_REWRITE || d.verdict == CW_ASK;
		switch (d.verdict) {
		case CW_PASS:
			break;
		case CW_REWRITE:
			cw_conn_trace(conn, "CAPPED", "%s v%u→v%u (%s)",
				interface, version, d.version, d.why);
			break;
		case CW_HIDE:
			cw_conn_trace(conn, "HIDDEN", "%s v%u (%s)", interface,
				version, d.why);
			break;
		case CW_DENY:
			cw_conn_trace(conn, "DENIED", "%s v%u (%s)", interface,
				version, d.why);
			break;
		case CW_ASK:
			if (d.version < version) {
				cw_conn_trace(conn, "CAPPED", "%s v%u→v%u "
					"(%s)", interface, version, d.version,
					d.why);
			}
			break;
		case CW_ERROR:
			break;
		}
	}
	if (!global->visible) {
		return CW_HIDE;
	}
	if (global->version < version) {
		cw_hook_set_wl_registry_global_version(call,
			global->version);
		return CW_REWRITE;
	}
	return CW_PASS;
}

static enum cw_verdict handle_global_remove(struct cw_hook_call *call,
	uint32_t name)
{
	struct cw_global *global = cw_conn_find_global(call->conn, name);
	if (global == NULL || !global->visible) {
		return CW_HIDE;
	}
	global->removed = true;
	cw_clipboard_global_removed(call->conn, name);
	return CW_PASS;
}

/*
 * Refusals in libwayland-server's own words (registry_bind() in
 * wayland-server.c, cut at its 127 bytes), so that a hidden global reads
 * exactly like a name that never existed; only the trace says which.
 */
bool cw_registry_bind_refusal(struct cw_conn *conn, uint32_t name,
	const char *interface, uint32_t version, char *out, size_t len)
{
	char text[128];
	struct cw_global *global = cw_conn_find_global(conn, name);
	if (global == NULL || !global->visible) {
		if (global == NULL) {
			cw_conn_trace(conn, "DENIED", "bind to global %u (%s): "
				"never advertised", name, interface);
		} else {
			cw_conn_trace(conn, "DENIED", "bind to hidden global "
				"%u (%s): hidden by the sandbox policy", name,
				global->iface ? global->iface->name : "?");
		}
		snprintf(text, sizeof(text), "invalid global %s (%d)",
			interface, (int32_t)name);
	} else if (strcmp(global->iface->name, interface) != 0) {
		/* sic: libwayland says "have" the client's, "wanted" its own */
		snprintf(text, sizeof(text), "invalid interface for global %u: "
			"have %s, wanted %s", name, interface,
			global->iface->name);
	} else if (version == 0) {
		snprintf(text, sizeof(text), "invalid version for global %s "
			"(%d): 0 is not a valid version", interface,
			(int32_t)name);
	} else if (version > global->version) {
		cw_conn_trace(conn, "DENIED", "bind to %s v%u above the "
			"advertised v%u", interface, version, global->version);
		snprintf(text, sizeof(text), "invalid version for global %s "
			"(%d): have %d, wanted %d", interface, (int32_t)name,
			(int32_t)global->version, (int32_t)version);
	} else {
		return false;
	}
	snprintf(out, len, "%s", text);
	return true;
}

static enum cw_verdict handle_bind(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version, uint32_t id)
{
	struct cw_conn *conn = call->conn;
	char text[128];
	if (cw_registry_bind_refusal(conn, name, interface, version, text,
			sizeof(text))) {
		return cw_hook_error_as_compositor(call, CW_ERROR_INVALID_OBJECT,
			"%s", text);
	}
	struct cw_global *global = cw_conn_find_global(conn, name);
	if (global->iface == &cw_iface_wl_seat) {
		cw_clipboard_seat_bound(conn, id, name);
	}
	return CW_PASS;
}

static const struct cw_hook registry_hooks[] = {
	CW_HOOK_EVENT(wl_registry, global, handle_global),
	CW_HOOK_EVENT(wl_registry, global_remove, handle_global_remove),
	CW_HOOK_REQUEST(wl_registry, bind, handle_bind),
};

bool cw_registry_filter_init(void)
{
	return cw_hooks_register(registry_hooks,
		sizeof(registry_hooks) / sizeof(registry_hooks[0]));
}
