/*
 * sd-bus, loaded on first use. crate-wl links no D-Bus library: libsystemd
 * and what it pulls in (libgcrypt, liblzma, libzstd, liblz4, libcap...)
 * cost about 1 ms at every start of crate-wl, and most runs (a sandbox
 * that never prompts, ps, stop) never talk to a bus.
 *
 * A file that calls sd-bus includes this header instead of
 * <systemd/sd-bus.h>; cw_bus_connect() (bus.c) loads the library before
 * the first connection, and the calls then go through pointers that
 * dlsym() took from libsystemd.so.0. The *_unref calls accept NULL before
 * that, as sd-bus's own do. A function not listed in CW_SD_BUS_FUNCS links
 * against libsystemd directly, and fails to link since nothing else links
 * it: add it there. SD_BUS_VTABLE_START refers to libsystemd's
 * sd_bus_object_vtable_format; use CW_SD_BUS_VTABLE_START and
 * cw_sd_bus_vtable_fix() instead.
 */
#ifndef CW_SD_BUS_LAZY_H
#define CW_SD_BUS_LAZY_H

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#define CW_SD_BUS_FUNCS(X) \
	X(sd_bus_add_object_vtable) \
	X(sd_bus_call) \
	X(sd_bus_call_async) \
	X(sd_bus_call_method) \
	X(sd_bus_close_unref) \
	X(sd_bus_error_free) \
	X(sd_bus_error_has_name) \
	X(sd_bus_error_set) \
	X(sd_bus_error_setf) \
	X(sd_bus_flush) \
	X(sd_bus_get_events) \
	X(sd_bus_get_fd) \
	X(sd_bus_get_timeout) \
	X(sd_bus_match_signal) \
	X(sd_bus_message_append) \
	X(sd_bus_message_at_end) \
	X(sd_bus_message_close_container) \
	X(sd_bus_message_copy) \
	X(sd_bus_message_enter_container) \
	X(sd_bus_message_exit_container) \
	X(sd_bus_message_get_error) \
	X(sd_bus_message_get_member) \
	X(sd_bus_message_get_sender) \
	X(sd_bus_message_new_method_call) \
	X(sd_bus_message_new_method_return) \
	X(sd_bus_message_new_signal) \
	X(sd_bus_message_open_container) \
	X(sd_bus_message_peek_type) \
	X(sd_bus_message_read) \
	X(sd_bus_message_ref) \
	X(sd_bus_message_set_destination) \
	X(sd_bus_message_set_expect_reply) \
	X(sd_bus_message_skip) \
	X(sd_bus_message_unref) \
	X(sd_bus_new) \
	X(sd_bus_object_vtable_format) \
	X(sd_bus_open_user) \
	X(sd_bus_process) \
	X(sd_bus_reply_method_errorf) \
	X(sd_bus_reply_method_return) \
	X(sd_bus_request_name) \
	X(sd_bus_send) \
	X(sd_bus_set_address) \
	X(sd_bus_set_bus_client) \
	X(sd_bus_slot_unref) \
	X(sd_bus_start) \
	X(sd_bus_unref) \
	X(sd_bus_wait)

struct cw_sd_bus_funcs {
#define CW_SD_BUS_MEMBER(name) __typeof__(name) *name;
	CW_SD_BUS_FUNCS(CW_SD_BUS_MEMBER)
#undef CW_SD_BUS_MEMBER
};

extern struct cw_sd_bus_funcs cw_sd_bus;

/* Loads libsystemd once; false with the reason in err. */
bool cw_sd_bus_load(char *err, size_t errlen);

/* A vtable's start without a link-time reference into libsystemd ... */
#define CW_SD_BUS_VTABLE_START(_flags) { \
	.type = _SD_BUS_VTABLE_START, \
	.flags = _flags, \
	.x = { .start = { \
		.element_size = sizeof(sd_bus_vtable), \
		.features = _SD_BUS_VTABLE_PARAM_NAMES, \
		.vtable_format_reference = NULL, \
	} }, \
}

/* ... which gets it once loaded, before the vtable is added. */
static inline void cw_sd_bus_vtable_fix(sd_bus_vtable *vtable)
{
	vtable[0].x.start.vtable_format_reference =
		cw_sd_bus.sd_bus_object_vtable_format;
}

#ifndef CW_SD_BUS_LAZY_IMPL
static inline sd_bus *cw_sd_bus_close_unref(sd_bus *p)
{
	return p != NULL ? cw_sd_bus.sd_bus_close_unref(p) : NULL;
}

static inline sd_bus_message *cw_sd_bus_message_unref(sd_bus_message *p)
{
	return p != NULL ? cw_sd_bus.sd_bus_message_unref(p) : NULL;
}

static inline sd_bus_slot *cw_sd_bus_slot_unref(sd_bus_slot *p)
{
	return p != NULL ? cw_sd_bus.sd_bus_slot_unref(p) : NULL;
}

static inline sd_bus *cw_sd_bus_unref(sd_bus *p)
{
	return p != NULL ? cw_sd_bus.sd_bus_unref(p) : NULL;
}

#define sd_bus_add_object_vtable (cw_sd_bus.sd_bus_add_object_vtable)
#define sd_bus_call (cw_sd_bus.sd_bus_call)
#define sd_bus_call_async (cw_sd_bus.sd_bus_call_async)
#define sd_bus_call_method (cw_sd_bus.sd_bus_call_method)
#define sd_bus_close_unref cw_sd_bus_close_unref
#define sd_bus_error_free (cw_sd_bus.sd_bus_error_free)
#define sd_bus_error_has_name (cw_sd_bus.sd_bus_error_has_name)
#define sd_bus_error_set (cw_sd_bus.sd_bus_error_set)
#define sd_bus_error_setf (cw_sd_bus.sd_bus_error_setf)
#define sd_bus_flush (cw_sd_bus.sd_bus_flush)
#define sd_bus_get_events (cw_sd_bus.sd_bus_get_events)
#define sd_bus_get_fd (cw_sd_bus.sd_bus_get_fd)
#define sd_bus_get_timeout (cw_sd_bus.sd_bus_get_timeout)
#define sd_bus_match_signal (cw_sd_bus.sd_bus_match_signal)
#define sd_bus_message_append (cw_sd_bus.sd_bus_message_append)
#define sd_bus_message_at_end (cw_sd_bus.sd_bus_message_at_end)
#define sd_bus_message_close_container \
	(cw_sd_bus.sd_bus_message_close_container)
#define sd_bus_message_copy (cw_sd_bus.sd_bus_message_copy)
#define sd_bus_message_enter_container \
	(cw_sd_bus.sd_bus_message_enter_container)
#define sd_bus_message_exit_container (cw_sd_bus.sd_bus_message_exit_container)
#define sd_bus_message_get_error (cw_sd_bus.sd_bus_message_get_error)
#define sd_bus_message_get_member (cw_sd_bus.sd_bus_message_get_member)
#define sd_bus_message_get_sender (cw_sd_bus.sd_bus_message_get_sender)
#define sd_bus_message_new_method_call \
	(cw_sd_bus.sd_bus_message_new_method_call)
#define sd_bus_message_new_method_return \
	(cw_sd_bus.sd_bus_message_new_method_return)
#define sd_bus_message_new_signal (cw_sd_bus.sd_bus_message_new_signal)
#define sd_bus_message_open_container (cw_sd_bus.sd_bus_message_open_container)
#define sd_bus_message_peek_type (cw_sd_bus.sd_bus_message_peek_type)
#define sd_bus_message_read (cw_sd_bus.sd_bus_message_read)
#define sd_bus_message_ref (cw_sd_bus.sd_bus_message_ref)
#define sd_bus_message_set_destination \
	(cw_sd_bus.sd_bus_message_set_destination)
#define sd_bus_message_set_expect_reply \
	(cw_sd_bus.sd_bus_message_set_expect_reply)
#define sd_bus_message_skip (cw_sd_bus.sd_bus_message_skip)
#define sd_bus_message_unref cw_sd_bus_message_unref
#define sd_bus_new (cw_sd_bus.sd_bus_new)
#define sd_bus_open_user (cw_sd_bus.sd_bus_open_user)
#define sd_bus_process (cw_sd_bus.sd_bus_process)
#define sd_bus_reply_method_errorf (cw_sd_bus.sd_bus_reply_method_errorf)
#define sd_bus_reply_method_return (cw_sd_bus.sd_bus_reply_method_return)
#define sd_bus_request_name (cw_sd_bus.sd_bus_request_name)
#define sd_bus_send (cw_sd_bus.sd_bus_send)
#define sd_bus_set_address (cw_sd_bus.sd_bus_set_address)
#define sd_bus_set_bus_client (cw_sd_bus.sd_bus_set_bus_client)
#define sd_bus_slot_unref cw_sd_bus_slot_unref
#define sd_bus_start (cw_sd_bus.sd_bus_start)
#define sd_bus_unref cw_sd_bus_unref
#define sd_bus_wait (cw_sd_bus.sd_bus_wait)
#endif

#endif
