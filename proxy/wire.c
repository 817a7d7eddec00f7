#include <stdio.h>
#include <string.h>
#include "wire.h"

static uint32_t get_word(const uint8_t *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

static void put_word(uint8_t *p, uint32_t w)
{
	memcpy(p, &w, 4);
}

bool cw_wire_parse_generic(const uint8_t *data, uint32_t size,
	const struct cw_message *msg, const int *fds, struct cw_args *args,
	char *err, size_t errlen)
{
	uint32_t pos = CW_HEADER_SIZE;
	unsigned nfd = 0;
	args->count = msg->nargs;

	for (unsigned i = 0; i < msg->nargs; i++) {
		char type = msg->signature[i];
		bool nullable = msg->nullable & (1u << i);
		if (type == CW_ARG_FD) {
			args->offset[i] = 0;
			args->value[i].i = fds[nfd++];
			continue;
		}
		if (size - pos < 4) {
			snprintf(err, errlen, "message too short for argument "
				"%u (size %u)", i + 1, size);
			return false;
		}
		args->offset[i] = pos;
		uint32_t word = get_word(data + pos);
		pos += 4;
		switch ((enum cw_arg_type)type) {
		case CW_ARG_INT:
		case CW_ARG_UINT:
		case CW_ARG_FIXED:
			args->value[i].u = word;
			break;
		case CW_ARG_OBJECT:
		case CW_ARG_NEW_ID:
			if (word == 0 && !nullable) {
				snprintf(err, errlen, "null %s for non-nullable "
					"argument %u", type == CW_ARG_OBJECT ?
					"object" : "new id", i + 1);
				return false;
			}
			args->value[i].u = word;
			break;
		case CW_ARG_STRING: {
			if (word == 0) {
				if (!nullable) {
					snprintf(err, errlen, "null string for "
						"non-nullable argument %u", i + 1);
					return false;
				}
				args->value[i].s = NULL;
				break;
			}
			uint32_t padded = (word + 3) & ~3u;
			if (word > CW_MAX_MESSAGE_SIZE || padded > size - pos) {
				snprintf(err, errlen, "string argument %u of "
					"length %u overruns the message (size %u)",
					i + 1, word, size);
				return false;
			}
			const char *s = (const char *)data + pos;
			if (s[word - 1] != '\0') {
				snprintf(err, errlen, "string argument %u is not "
					"NUL-terminated", i + 1);
				return false;
			}
			args->value[i].s = s;
			pos += padded;
			break;
		}
		case CW_ARG_ARRAY: {
			uint32_t padded = (word + 3) & ~3u;
			if (word > CW_MAX_MESSAGE_SIZE || padded > size - pos) {
				snprintf(err, errlen, "array argument %u of "
					"size %u overruns the message (size %u)",
					i + 1, word, size);
				return false;
			}
			args->value[i].a.size = word;
			args->value[i].a.data = data + pos;
			pos += padded;
			break;
		}
		case CW_ARG_FD:
			break;
		}
	}
	if (pos != size) {
		snprintf(err, errlen, "size %u does not match the arguments "
			"(%u bytes)", size, pos);
		return false;
	}
	return true;
}

size_t cw_wire_write_header(uint8_t *out, uint32_t id, uint16_t opcode,
	uint32_t size)
{
	put_word(out, id);
	put_word(out + 4, (size << 16) | opcode);
	return CW_HEADER_SIZE;
}

size_t cw_wire_display_error(uint8_t *out, uint32_t object, uint32_t code,
	const char *message)
{
	size_t len = strlen(message) + 1;
	size_t max = CW_MAX_MESSAGE_SIZE - CW_HEADER_SIZE - 12 - 4;
	if (len > max) {
		len = max;
	}
	size_t padded = (len + 3) & ~(size_t)3;
	uint32_t size = CW_HEADER_SIZE + 12 + padded;
	cw_wire_write_header(out, CW_DISPLAY_ID, CW_WL_DISPLAY_ERROR, size);
	put_word(out + 8, object);
	put_word(out + 12, code);
	put_word(out + 16, len);
	memset(out + 20, 0, padded);
	memcpy(out + 20, message, len - 1);
	return size;
}

size_t cw_wire_delete_id(uint8_t *out, uint32_t id)
{
	cw_wire_write_header(out, CW_DISPLAY_ID, CW_WL_DISPLAY_DELETE_ID, 12);
	put_word(out + 8, id);
	return 12;
}
