/*
 * The shape of crate-wl's protocol tables. The data is generated from XML by
 * gen-tables.py at build time; this header only describes it.
 */
#ifndef CW_INTERFACE_H
#define CW_INTERFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Argument types on the wire, as wayland signatures spell them. */
enum cw_arg_type {
	CW_ARG_INT = 'i',
	CW_ARG_UINT = 'u',
	CW_ARG_FIXED = 'f',
	CW_ARG_STRING = 's',
	CW_ARG_OBJECT = 'o',
	CW_ARG_NEW_ID = 'n',
	CW_ARG_ARRAY = 'a',
	CW_ARG_FD = 'h',
};

#define CW_MAX_ARGS 20

/* What a message's signature holds, precomputed for the per-message path. */
enum cw_message_flags {
	CW_MSG_IDS = 1 << 0,      /* an object or new_id argument */
	CW_MSG_VARIABLE = 1 << 1, /* a string or array: the size varies */
	CW_MSG_FDS = 1 << 2,      /* an fd */
};

struct cw_interface;

struct cw_message {
	const char *name;
	/* one enum cw_arg_type per argument; an untyped new_id is "sun" */
	const char *signature;
	/* per argument: the interface of an object or new_id, else NULL */
	const struct cw_interface *const *types;
	uint32_t nullable; /* bit n: argument n may be null */
	uint16_t since;
	uint8_t nargs;
	uint8_t nfds;
	bool destructor;
	uint16_t index; /* unique across all tables, for hook lookup */
	uint8_t flags; /* enum cw_message_flags */
	/* header and 4 bytes per argument not an fd: the exact size of a
	 * message without strings and arrays, the least of one with them */
	uint16_t min_size;
	/* bit n: argument n is an object or new_id that may not be null */
	uint32_t required;
};

struct cw_interface {
	const char *name;
	uint32_t version;
	uint16_t nrequests, nevents;
	const struct cw_message *requests;
	const struct cw_message *events;
};

extern const struct cw_interface *const cw_interfaces[]; /* sorted by name */
extern const size_t cw_interface_count;

const struct cw_interface *cw_interface_find(const char *name);

#endif
