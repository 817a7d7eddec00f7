/* The wire decoder on well-formed and malformed messages. */
#include <string.h>
#include "cw-protocol-tables.h"
#include "tap.h"
#include "wire.h"

struct builder {
	uint8_t data[CW_MAX_MESSAGE_SIZE];
	uint32_t len;
};

static void put(struct builder *b, uint32_t w)
{
	memcpy(b->data + b->len, &w, 4);
	b->len += 4;
}

static void put_str(struct builder *b, const char *s, uint32_t len,
	bool terminate)
{
	put(b, len);
	uint32_t padded = (len + 3) & ~3u;
	memset(b->data + b->len, 0, padded);
	memcpy(b->data + b->len, s, strlen(s) < len ? strlen(s) : len);
	if (!terminate && len > 0) {
		b->data[b->len + len - 1] = 'x';
	}
	b->len += padded;
}

static void finish(struct builder *b, uint32_t id, uint16_t opcode)
{
	cw_wire_write_header(b->data, id, opcode, b->len);
}

static bool parse(struct builder *b, const struct cw_message *msg, char *err)
{
	struct cw_args args;
	int fds[4] = { 7, 8, 9, 10 };
	return cw_wire_parse(b->data, b->len, msg, fds, &args, err, 256);
}

/* Both parsers on one message: the same verdict, arguments and words. */
static bool same_parse(const uint8_t *data, uint32_t size,
	const struct cw_message *msg)
{
	int fds[8] = { 7, 8, 9, 10, 11, 12, 13, 14 };
	struct cw_args fast, slow;
	char efast[256] = "", eslow[256] = "";
	memset(&fast, 0xa5, sizeof(fast));
	memset(&slow, 0x5a, sizeof(slow));
	bool rf = cw_wire_parse(data, size, msg, fds, &fast, efast,
		sizeof(efast));
	bool rs = cw_wire_parse_generic(data, size, msg, fds, &slow, eslow,
		sizeof(eslow));
	if (rf != rs || strcmp(efast, eslow) != 0) {
		return false;
	}
	if (!rf) {
		return true;
	}
	if (fast.count != slow.count) {
		return false;
	}
	for (unsigned i = 0; i < msg->nargs; i++) {
		if (fast.offset[i] != slow.offset[i] ||
				fast.value[i].u != slow.value[i].u) {
			return false;
		}
	}
	return true;
}

/* The descriptor of msg (flags, min_size, required) as its signature
 * says; sets *words to the words its arguments take. */
static bool descriptor_right(const struct cw_message *msg, uint32_t *words)
{
	uint8_t flags = 0;
	uint32_t required = 0;
	*words = 0;
	for (unsigned i = 0; i < msg->nargs; i++) {
		char t = msg->signature[i];
		if (t == CW_ARG_OBJECT || t == CW_ARG_NEW_ID) {
			flags |= CW_MSG_IDS;
			if (!(msg->nullable & (1u << i))) {
				required |= 1u << i;
			}
		}
		if (t == CW_ARG_STRING || t == CW_ARG_ARRAY) {
			flags |= CW_MSG_VARIABLE;
		}
		if (t == CW_ARG_FD) {
			flags |= CW_MSG_FDS;
		}
		*words += t != CW_ARG_FD;
	}
	return flags == msg->flags && required == msg->required &&
		msg->min_size == CW_HEADER_SIZE + 4 * *words;
}

/* data: a header, then words nonzero words and one more */
static void fill_words(uint8_t *data, uint16_t opcode, uint32_t words,
	uint32_t size)
{
	for (uint32_t w = 0; w <= words; w++) {
		uint32_t v = 0x100 + w;
		memcpy(data + CW_HEADER_SIZE + 4 * w, &v, 4);
	}
	cw_wire_write_header(data, 3, opcode, size);
}

static bool generic_takes(uint8_t *data, uint16_t opcode, uint32_t size,
	const struct cw_message *msg)
{
	struct cw_args args;
	char why[256];
	cw_wire_write_header(data, 3, opcode, size);
	return cw_wire_parse_generic(data, size, msg, NULL, &args, why,
		sizeof(why));
}

/*
 * Both parsers on a message without strings or arrays: well formed, each
 * object or new id null in turn, a word short, a word long. A plain one
 * (only ints, uints and fixeds) is taken with any words at min_size, and
 * refused a word short or long.
 */
static bool fast_path_right(const struct cw_message *msg, uint16_t opcode,
	uint32_t words)
{
	uint8_t data[CW_HEADER_SIZE + 4 * (CW_MAX_ARGS + 1)];
	uint32_t size = CW_HEADER_SIZE + 4 * words;
	fill_words(data, opcode, words, size);
	bool same = same_parse(data, size, msg);
	for (uint32_t i = 0, w = 0; i < msg->nargs; i++) {
		char t = msg->signature[i];
		if (t == CW_ARG_FD) {
			continue;
		}
		if (t == CW_ARG_OBJECT || t == CW_ARG_NEW_ID) {
			memset(data + CW_HEADER_SIZE + 4 * w, 0, 4);
			same = same && same_parse(data, size, msg);
			fill_words(data, opcode, words, size);
		}
		w++;
	}
	cw_wire_write_header(data, 3, opcode, size + 4);
	same = same && same_parse(data, size + 4, msg);
	if (words > 0) {
		cw_wire_write_header(data, 3, opcode, size - 4);
		same = same && same_parse(data, size - 4, msg);
	}
	if (cw_wire_plain(msg)) {
		memset(data + CW_HEADER_SIZE, 0, 4 * words);
		same = same && generic_takes(data, opcode, size, msg) &&
			!generic_takes(data, opcode, size + 4, msg) &&
			(words == 0 || !generic_takes(data, opcode, size - 4,
				msg));
	}
	return same;
}

/*
 * The descriptor the generator writes for every message, recomputed from
 * the signature, and the fast parse against the generic one on each
 * message without strings or arrays.
 */
static void check_fast_path(void)
{
	unsigned messages = 0, fixed = 0, plain = 0, bad_desc = 0;
	unsigned bad_parse = 0;
	const char *first = NULL;
	for (size_t k = 0; k < cw_interface_count; k++) {
		const struct cw_interface *iface = cw_interfaces[k];
		for (unsigned e = 0; e < 2; e++) {
			const struct cw_message *msgs = e ? iface->events :
				iface->requests;
			unsigned n = e ? iface->nevents : iface->nrequests;
			for (unsigned m = 0; m < n; m++) {
				const struct cw_message *msg = &msgs[m];
				uint32_t words;
				messages++;
				if (!descriptor_right(msg, &words)) {
					bad_desc++;
					first = first ? first : msg->name;
				}
				if (msg->flags & CW_MSG_VARIABLE) {
					continue;
				}
				fixed++;
				plain += cw_wire_plain(msg);
				if (!fast_path_right(msg, m, words)) {
					bad_parse++;
					first = first ? first : msg->name;
				}
			}
		}
	}
	ok(bad_desc == 0, "each of %u messages' flags, min_size and required "
		"match its signature (first wrong: %s)", messages,
		first ? first : "none");
	ok(bad_parse == 0 && fixed > 100 && plain > 100, "the fast parse "
		"decides and decodes as the generic one on %u messages without "
		"strings or arrays; the generic one takes any words in the %u "
		"plain ones at their min_size (first different: %s)", fixed,
		plain, first ? first : "none");
}

int main(void)
{
	char err[256];
	const struct cw_message *bind =
		&cw_iface_wl_registry.requests[CW_WL_REGISTRY_BIND];
	const struct cw_message *global =
		&cw_iface_wl_registry.events[CW_WL_REGISTRY_GLOBAL];
	const struct cw_message *keymap =
		&cw_iface_wl_keyboard.events[CW_WL_KEYBOARD_KEYMAP];
	const struct cw_message *set_title =
		&cw_iface_xdg_toplevel.requests[CW_XDG_TOPLEVEL_SET_TITLE];
	const struct cw_message *attach =
		&cw_iface_wl_surface.requests[CW_WL_SURFACE_ATTACH];

	ok(strcmp(bind->name, "bind") == 0 && strcmp(global->name,
		"global") == 0 && strcmp(keymap->name, "keymap") == 0 &&
		strcmp(set_title->name, "set_title") == 0 &&
		strcmp(attach->name, "attach") == 0,
		"the opcode constants name their messages");
	ok(strcmp(bind->signature, "usun") == 0 && bind->types[3] == NULL,
		"wl_registry.bind is an untyped new_id: usun");
	ok(keymap->nfds == 1, "wl_keyboard.keymap carries one fd");
	ok(cw_iface_wl_callback.events[CW_WL_CALLBACK_DONE].destructor,
		"wl_callback.done is a destructor event");
	ok(CW_WL_DISPLAY_ERROR == 0 && CW_WL_DISPLAY_DELETE_ID == 1,
		"wl_display events: error is 0, delete_id is 1");

	struct builder b = { .len = 8 };
	put(&b, 3);
	put_str(&b, "wl_compositor", 14, true);
	put(&b, 4);
	put(&b, 5);
	finish(&b, 2, 0);
	struct cw_args args;
	int fds[1] = { -1 };
	ok(cw_wire_parse(b.data, b.len, bind, fds, &args, err, sizeof(err)) &&
		args.value[0].u == 3 && strcmp(args.value[1].s,
		"wl_compositor") == 0 && args.value[2].u == 4 &&
		args.value[3].u == 5, "bind decodes");
	ok(args.offset[2] == 8 + 4 + 4 + 16, "argument offsets point into "
		"the message (%u)", args.offset[2]);

	b.len = 8;
	put(&b, 3);
	put_str(&b, "wl_compositor", 14, false);
	put(&b, 4);
	put(&b, 5);
	finish(&b, 2, 0);
	ok(!parse(&b, bind, err) && strstr(err, "NUL"), "unterminated "
		"string: %s", err);

	b.len = 8;
	put(&b, 3);
	put_str(&b, "wl", 4000, true);
	b.len = 8 + 4 + 4 + 8;
	finish(&b, 2, 0);
	ok(!parse(&b, bind, err) && strstr(err, "overruns"), "overlong "
		"string: %s", err);

	b.len = 8;
	put(&b, 3);
	put(&b, 0);
	put(&b, 4);
	put(&b, 5);
	finish(&b, 2, 0);
	ok(!parse(&b, bind, err) && strstr(err, "null string"),
		"null string where not nullable: %s", err);

	b.len = 8;
	put(&b, 3);
	put_str(&b, "wl_compositor", 14, true);
	put(&b, 4);
	put(&b, 5);
	put(&b, 6);
	finish(&b, 2, 0);
	ok(!parse(&b, bind, err) && strstr(err, "does not match"),
		"trailing bytes: %s", err);

	b.len = 8;
	put(&b, 3);
	finish(&b, 2, 0);
	ok(!parse(&b, bind, err) && strstr(err, "too short"),
		"truncated arguments: %s", err);

	b.len = 8;
	put(&b, 0);
	put_str(&b, "t", 2, true);
	put(&b, 1);
	finish(&b, 2, 0);
	ok(parse(&b, global, err), "global decodes");

	b.len = 8;
	put(&b, 0);
	put(&b, 5);
	put(&b, 6);
	finish(&b, 3, 1);
	ok(parse(&b, attach, err), "attach with a null buffer (nullable)");

	b.len = 8;
	put_str(&b, "", 0, true);
	finish(&b, 3, 2);
	ok(!parse(&b, set_title, err), "set_title with a null string: %s", err);

	b.len = 8;
	put(&b, 1);
	put(&b, 4096);
	finish(&b, 3, 0);
	ok(cw_wire_parse(b.data, b.len, keymap, fds, &args, err, sizeof(err))
		&& args.value[1].i == -1, "keymap takes its fd from the queue, "
		"not from the bytes");

	uint8_t out[CW_MAX_MESSAGE_SIZE];
	size_t n = cw_wire_display_error(out, 1, 3, "hello");
	ok(n == 8 + 12 + 8 && cw_msg_size(out) == n && cw_msg_opcode(out) == 0,
		"display error is framed");
	char longmsg[6000];
	memset(longmsg, 'a', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	n = cw_wire_display_error(out, 1, 3, longmsg);
	ok(n <= CW_MAX_MESSAGE_SIZE, "a long error message is cut to fit");
	check_fast_path();
	return tap_done();
}
