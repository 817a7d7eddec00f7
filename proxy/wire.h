/*
 * The Wayland wire format: message framing and argument decoding against
 * the generated tables. The facts are libwayland's (the "Wire Format"
 * section of the Wayland documentation, and connection.c): a header of
 * object id, then size << 16 | opcode; 32-bit arguments; strings and
 * arrays length-prefixed and padded to 4 bytes; fds out of band.
 */
#ifndef CW_WIRE_H
#define CW_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cw-protocol-tables.h"

#define CW_HEADER_SIZE 8
#define CW_MAX_MESSAGE_SIZE 4096
#define CW_SERVER_ID_START 0xff000000u
#define CW_CLIENT_ID_MAX 0xfeffffffu
#define CW_DISPLAY_ID 1

/* wl_display.error codes, by shorter names */
enum cw_display_error {
	CW_ERROR_INVALID_OBJECT = CW_WL_DISPLAY_ERROR_INVALID_OBJECT,
	CW_ERROR_INVALID_METHOD = CW_WL_DISPLAY_ERROR_INVALID_METHOD,
	CW_ERROR_NO_MEMORY = CW_WL_DISPLAY_ERROR_NO_MEMORY,
	CW_ERROR_IMPLEMENTATION = CW_WL_DISPLAY_ERROR_IMPLEMENTATION,
};

struct cw_array {
	uint32_t size;
	const void *data;
};

union cw_argument {
	int32_t i;
	uint32_t u;
	const char *s;
	struct cw_array a;
};

struct cw_args {
	uint8_t count;
	/* byte offset of each argument's first word; 0 for fds */
	uint16_t offset[CW_MAX_ARGS];
	union cw_argument value[CW_MAX_ARGS];
};

static inline uint32_t cw_msg_id(const uint8_t *data)
{
	uint32_t id;
	__builtin_memcpy(&id, data, 4);
	return id;
}

static inline uint32_t cw_msg_word2(const uint8_t *data)
{
	uint32_t w;
	__builtin_memcpy(&w, data + 4, 4);
	return w;
}

static inline uint32_t cw_msg_size(const uint8_t *data)
{
	return cw_msg_word2(data) >> 16;
}

static inline uint16_t cw_msg_opcode(const uint8_t *data)
{
	return cw_msg_word2(data) & 0xffff;
}

/*
 * Decodes a whole message (header included) against its table entry,
 * argument by argument. fds are the message's fds, taken from the queue in
 * order (msg->nfds of them). Checks the size, string and array lengths, NUL
 * terminators and null values; objects and new ids are checked by the
 * caller against the map.
 */
bool cw_wire_parse_generic(const uint8_t *data, uint32_t size,
	const struct cw_message *msg, const int *fds, struct cw_args *args,
	char *err, size_t errlen);

/*
 * The same decoding and the same checks, faster for a message without
 * strings and arrays (most of them): its size is then msg->min_size exactly,
 * every word is an argument, and what is left to check is that no object
 * or new id in msg->required is null. Anything else, and every refusal
 * (for its wording), goes through cw_wire_parse_generic.
 */
/*
 * A message of ints, uints and fixeds only: cw_wire_parse accepts it
 * exactly when its size is msg->min_size, and then its arguments are its
 * words, in order.
 */
static inline bool cw_wire_plain(const struct cw_message *msg)
{
	return (msg->flags & (CW_MSG_IDS | CW_MSG_VARIABLE | CW_MSG_FDS)) == 0;
}

static inline bool cw_wire_parse(const uint8_t *data, uint32_t size,
	const struct cw_message *msg, const int *fds, struct cw_args *args,
	char *err, size_t errlen)
{
	if ((msg->flags & CW_MSG_VARIABLE) || size != msg->min_size) {
		return cw_wire_parse_generic(data, size, msg, fds, args, err,
			errlen);
	}
	unsigned n = msg->nargs;
	args->count = n;
	if (msg->nfds == 0) {
		for (unsigned i = 0; i < n; i++) {
			args->offset[i] = CW_HEADER_SIZE + 4 * i;
			__builtin_memcpy(&args->value[i].u,
				data + CW_HEADER_SIZE + 4 * i, 4);
		}
	} else {
		uint32_t pos = CW_HEADER_SIZE;
		unsigned nfd = 0;
		for (unsigned i = 0; i < n; i++) {
			if (msg->signature[i] == CW_ARG_FD) {
				args->offset[i] = 0;
				args->value[i].i = fds[nfd++];
				continue;
			}
			args->offset[i] = pos;
			__builtin_memcpy(&args->value[i].u, data + pos, 4);
			pos += 4;
		}
	}
	for (uint32_t req = msg->required; req != 0; req &= req - 1) {
		if (args->value[__builtin_ctz(req)].u == 0) {
			return cw_wire_parse_generic(data, size, msg, fds,
				args, err, errlen);
		}
	}
	return true;
}

/* Writes a message from already encoded words; returns its size. */
size_t cw_wire_write_header(uint8_t *out, uint32_t id, uint16_t opcode,
	uint32_t size);

/* Builds wl_display.error(object, code, message) into out (>= 4096 bytes). */
size_t cw_wire_display_error(uint8_t *out, uint32_t object, uint32_t code,
	const char *message);

/* Builds wl_display.delete_id(id). */
size_t cw_wire_delete_id(uint8_t *out, uint32_t id);

#endif
