/* Hooks get the protocol's own argument types through generated code. */
#include <string.h>
#include "cw-protocol-tables.h"
#include "hooks.h"
#include "tap.h"
#include "wire.h"

static uint32_t seen_name, seen_version;
static char seen_iface[64], seen_mime[64];
static int32_t seen_fd;

static enum cw_verdict on_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
	seen_name = name;
	seen_version = version;
	snprintf(seen_iface, sizeof(seen_iface), "%s", interface);
	cw_hook_set_wl_registry_global_version(call, 1);
	return CW_REWRITE;
}

static enum cw_verdict on_receive(struct cw_hook_call *call,
	const char *mime_type, int32_t fd)
{
	snprintf(seen_mime, sizeof(seen_mime), "%s", mime_type);
	seen_fd = fd;
	return cw_hook_error(call, 3, "receive of %s refused", mime_type);
}

static enum cw_verdict other_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
	return CW_HIDE;
}

static const struct cw_hook hooks[] = {
	CW_HOOK_EVENT(wl_registry, global, on_global),
	CW_HOOK_REQUEST(wl_data_offer, receive, on_receive),
};

static const struct cw_hook second[] = {
	CW_HOOK_EVENT(wl_registry, global, other_global),
};

int main(void)
{
	ok(cw_hooks_register(hooks, 2), "hooks register");
	ok(cw_hooks_register(hooks, 2), "registering the same table twice is "
		"harmless");
	ok(!cw_hooks_register(second, 1), "a second hook for a hooked message "
		"is refused at start-up");
	const struct cw_message *global =
		&cw_iface_wl_registry.events[CW_WL_REGISTRY_GLOBAL];
	const struct cw_message *receive =
		&cw_iface_wl_data_offer.requests[CW_WL_DATA_OFFER_RECEIVE];
	const struct cw_message *bind =
		&cw_iface_wl_registry.requests[CW_WL_REGISTRY_BIND];
	ok(cw_hooks_has(global) && cw_hooks_has(receive) && !cw_hooks_has(bind),
		"only hooked messages are hooked");

	uint8_t data[64];
	uint32_t words[] = { 7, 8, 0, 0, 3 };
	memcpy(data + 8, words, sizeof(words));
	memcpy(data + 16, "wl_seat", 8);
	cw_wire_write_header(data, 2, CW_WL_REGISTRY_GLOBAL, 8 + sizeof(words));
	struct cw_args args;
	char err[128];
	ok(cw_wire_parse(data, 8 + sizeof(words), global, NULL, &args, err,
		sizeof(err)), "global parses %s", err);
	struct cw_hook_call call = { .msg = global, .data = data,
		.size = 28, .args = &args, .event = true };
	enum cw_verdict v = cw_hooks_dispatch(&call);
	ok(v == CW_REWRITE && seen_name == 7 && seen_version == 3 &&
		strcmp(seen_iface, "wl_seat") == 0,
		"typed handler got name, interface and version");
	uint32_t version;
	memcpy(&version, data + 24, 4);
	ok(version == 1, "REWRITE changed the version in the bytes");

	uint32_t rwords[] = { 11 };
	memcpy(data + 8, rwords, sizeof(rwords));
	memcpy(data + 12, "text/plain\0\0", 12);
	cw_wire_write_header(data, 5, CW_WL_DATA_OFFER_RECEIVE, 24);
	int fds[1] = { 42 };
	ok(cw_wire_parse(data, 24, receive, fds, &args, err, sizeof(err)),
		"receive parses %s", err);
	call = (struct cw_hook_call){ .msg = receive, .data = data,
		.size = 24, .args = &args };
	v = cw_hooks_dispatch(&call);
	ok(v == CW_ERROR && seen_fd == 42 &&
		strcmp(seen_mime, "text/plain") == 0 && call.error_code == 3 &&
		strcmp(call.error, "receive of text/plain refused") == 0,
		"string and fd arguments, and the error verdict");
	return tap_done();
}
