/*
 * libFuzzer: the wire parser on arbitrary bytes and fd counts.
 * Input: byte 0 picks the interface, byte 1 bit 0 events or requests,
 * byte 2 how many fds came with the bytes (0-7); the rest is a byte stream
 * framed the way the proxy frames it (conn.c process_input).
 */
#include <stdlib.h>
#include <string.h>
#include "cw-protocol-tables.h"
#include "wire.h"

static void check_args(const uint8_t *data, uint32_t size,
	const struct cw_message *msg, const struct cw_args *args)
{
	if (args->count != msg->nargs) {
		abort();
	}
	for (unsigned i = 0; i < msg->nargs; i++) {
		char type = msg->signature[i];
		if (type == CW_ARG_FD) {
			continue;
		}
		if (args->offset[i] < CW_HEADER_SIZE ||
				(uint32_t)args->offset[i] + 4 > size) {
			abort();
		}
		if (type == CW_ARG_STRING && args->value[i].s != NULL) {
			const char *s = args->value[i].s;
			size_t len = strnlen(s, size);
			if ((const uint8_t *)s < data ||
					(const uint8_t *)s + len >= data + size) {
				abort();
			}
		}
		if (type == CW_ARG_ARRAY) {
			const uint8_t *a = args->value[i].a.data;
			if (a < data || a + args->value[i].a.size > data + size) {
				abort();
			}
		}
	}
}

/* The fast parse (wire.h) decides and decodes as the generic one. */
static void same_as_generic(const uint8_t *data, uint32_t size,
	const struct cw_message *msg, const int *fds, bool parsed,
	const struct cw_args *args, const char *err)
{
	struct cw_args slow;
	char eslow[256];
	bool ok = cw_wire_parse_generic(data, size, msg, fds, &slow, eslow,
		sizeof(eslow));
	if (ok != parsed || (!ok && strcmp(err, eslow) != 0)) {
		abort();
	}
	if (!ok) {
		return;
	}
	if (slow.count != args->count) {
		abort();
	}
	for (unsigned i = 0; i < msg->nargs; i++) {
		const union cw_argument *a = &slow.value[i],
			*b = &args->value[i];
		bool same;
		switch ((enum cw_arg_type)msg->signature[i]) {
		case CW_ARG_STRING:
			same = a->s == b->s;
			break;
		case CW_ARG_ARRAY:
			same = a->a.size == b->a.size && a->a.data == b->a.data;
			break;
		case CW_ARG_INT:
		case CW_ARG_UINT:
		case CW_ARG_FIXED:
		case CW_ARG_OBJECT:
		case CW_ARG_NEW_ID:
		case CW_ARG_FD:
		default:
			same = a->u == b->u;
			break;
		}
		if (!same || slow.offset[i] != args->offset[i]) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t len)
{
	if (len < 3) {
		return 0;
	}
	const struct cw_interface *iface =
		cw_interfaces[input[0] % cw_interface_count];
	bool events = input[1] & 1;
	unsigned nfds = input[2] % 8;
	int fds[8] = { 10, 11, 12, 13, 14, 15, 16, 17 };
	/* a private copy: the parser sees exactly the message's bytes */
	size_t n = len - 3;
	uint8_t *buf = malloc(n ? n : 1);
	memcpy(buf, input + 3, n);
	size_t pos = 0;
	while (n - pos >= CW_HEADER_SIZE) {
		const uint8_t *m = buf + pos;
		uint32_t size = cw_msg_size(m);
		if (size < CW_HEADER_SIZE || size > CW_MAX_MESSAGE_SIZE ||
				size % 4 != 0 || size > n - pos) {
			break;
		}
		uint16_t opcode = cw_msg_opcode(m);
		unsigned count = events ? iface->nevents : iface->nrequests;
		if (count > 0) {
			const struct cw_message *msg = events ?
				&iface->events[opcode % count] :
				&iface->requests[opcode % count];
			if (msg->nfds <= nfds) {
				struct cw_args args;
				char err[256];
				bool parsed = cw_wire_parse(m, size, msg, fds,
					&args, err, sizeof(err));
				same_as_generic(m, size, msg, fds, parsed,
					&args, err);
				if (parsed) {
					check_args(m, size, msg, &args);
					nfds -= msg->nfds;
				} else if (strlen(err) == 0) {
					abort(); /* a refusal always says why */
				}
			}
		}
		pos += size;
	}
	/* the error the proxy builds from text it was given parses back */
	char text[5000];
	size_t tlen = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
	memcpy(text, buf, tlen);
	text[tlen] = '\0';
	uint8_t out[CW_MAX_MESSAGE_SIZE];
	size_t size = cw_wire_display_error(out, 3, 1, text);
	const struct cw_message *error =
		&cw_iface_wl_display.events[CW_WL_DISPLAY_ERROR];
	struct cw_args args;
	char err[256];
	if (size > CW_MAX_MESSAGE_SIZE || size != cw_msg_size(out) ||
			!cw_wire_parse(out, size, error, NULL, &args, err,
				sizeof(err))) {
		abort();
	}
	free(buf);
	return 0;
}
