/* Hooks get the protocol's own argument types through libffi. */
#include <string.h>
#include "cw-protocol-tables.h"
#include "hooks.h"
#include "tap.h"
#include "wire.h"

static uint32_t seen_name, seen_version;
static char seen_iface[64];
static int seen_fd;
static int32_t seen_size;

static enum cw_verdict on_global(struct cw_hook_call *call, uint32_t name,
	const char *interface, uint32_t version)
{
	seen_name = name;
	seen_version = version;
	snprintf(seen_iface, sizeof(seen_iface), "%s", interface);
	cw_hook_set_uint(call, 2, 1);
	return CW_REWRITE;
}

static enum cw_verdict on_keymap(struct cw_hook_call *call, uint32_t format,
	int32_t fd, uint32_t size)
{
	seen_fd = fd;
	seen_size = (int32_t)size;
	return cw_hook_error(call, 3, "keymap %u refused", format);
}

static const struct cw_hook hooks[] = {
	CW_HOOK_EVENT(wl_registry, global, on_global),
	CW_HOOK_EVENT(wl_keyboard, keymap, on_keymap),
};

static const struct cw_hook bad_hooks[] = {
	{ &cw_iface_wl_registry, true, "no_such_event", NULL },
};

int main(void)
{
	ok(cw_hooks_register(hooks, 2), "hooks register");
	ok(!cw_hooks_register(bad_hooks, 1), "a hook on an unknown message is "
		"refused at start-up");
	const struct cw_message *global = cw_interface_message(
		&cw_iface_wl_registry, true, "global");
	const struct cw_message *keymap = cw_interface_message(
		&cw_iface_wl_keyboard, true, "keymap");
	const struct cw_message *bind = cw_interface_message(
		&cw_iface_wl_registry, false, "bind");
	ok(cw_hooks_has(global) && cw_hooks_has(keymap) && !cw_hooks_has(bind),
		"only hooked messages are hooked");

	uint8_t data[64];
	uint32_t words[] = { 7, 8, 0, 0, 3 };
	memcpy(data + 8, words, sizeof(words));
	memcpy(data + 16, "wl_seat", 8);
	cw_wire_write_header(data, 2, 0, 8 + sizeof(words));
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

	uint32_t kwords[] = { 1, 4096 };
	memcpy(data + 8, kwords, sizeof(kwords));
	cw_wire_write_header(data, 5, 0, 16);
	int fds[1] = { 42 };
	ok(cw_wire_parse(data, 16, keymap, fds, &args, err, sizeof(err)),
		"keymap parses");
	call = (struct cw_hook_call){ .msg = keymap, .data = data, .size = 16,
		.args = &args, .event = true };
	v = cw_hooks_dispatch(&call);
	ok(v == CW_ERROR && seen_fd == 42 && seen_size == 4096 &&
		call.error_code == 3 && strcmp(call.error, "keymap 1 refused")
		== 0, "fd argument and error verdict");
	return tap_done();
}
