/*
 * One client connection and its own connection to the compositor. Bytes are
 * parsed against the tables in both directions and forwarded unchanged
 * unless a hook says otherwise; fds travel with their message.
 */
#ifndef CW_CONN_H
#define CW_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include "list.h"
#include "loop.h"
#include "objmap.h"
#include "permission.h"
#include "verdict.h"

/* Bytes read per burst. */
#define CW_READ_SIZE 65536
/* Output queued for one peer before the proxy stops reading its source. */
#define CW_OUT_LIMIT (256 * 1024)
/* fds that may wait in one queue. */
#define CW_FDQ_SIZE 256
/* libwayland receives at most this many fds per recvmsg. */
#define CW_MAX_FDS_OUT 28
/*
 * Rectangles one wl_region may be given, or one wl_surface damaged between
 * two commits: the compositor's region code takes time that grows faster
 * than the rectangles (on sway 1.7, 2,048 disjoint ones cost 10 ms of its
 * CPU, 4,096 cost 300 ms, 20,000 stalled it for seconds).
 */
#define CW_MAX_RECTS 2048

struct cw_proxy;
struct cw_record;

struct cw_fdq {
	int fds[CW_FDQ_SIZE];
	uint16_t head, count;
};

struct cw_out_fd {
	int fd;
	uint32_t offset; /* where the message it belongs to starts */
};

struct cw_buf {
	uint8_t *data;
	uint32_t start, len, cap;
};

struct cw_endpoint {
	struct cw_source source;
	struct cw_conn *conn;
	bool is_client;
	bool eof;      /* peer closed its side */
	bool blocked;  /* not reading: the other side's output is full */
	struct cw_buf in;  /* unprocessed input */
	struct cw_fdq in_fds;
	uint16_t last_read_fds; /* fds the last read brought */
	struct cw_buf out;
	/*
	 * Messages of the peer's input, checked and passed, that follow out:
	 * consecutive ones, forwarded as they are, without fds. They point
	 * into the input being processed (conn.c: scratch), so they go out or
	 * into out before the next read: whatever queues more output, and
	 * every flush, settles them first.
	 */
	const uint8_t *run;
	uint32_t run_len;
	struct cw_out_fd out_fds[CW_FDQ_SIZE];
	uint16_t out_nfds;
	uint64_t bytes_in, bytes_out;
};

struct cw_global {
	uint32_t name;
	const struct cw_interface *iface;
	uint32_t version; /* as advertised to the client */
	bool visible;
	bool removed;
};

/* A request waiting for the user's answer, with what followed on its
 * objects. */
struct cw_held {
	struct cw_list link; /* cw_conn::held */
	struct cw_conn *conn;
	uint32_t ids[8];     /* the objects that wait; ids[0] came first */
	uint8_t nids;
	struct cw_buf msgs;  /* the requests, in order */
	int fds[16];
	uint8_t nfds;
	void (*deny)(struct cw_conn *conn, uint32_t id,
		const struct cw_interface *iface);
	struct cw_consent_listener answer; /* on the question */
};

/* A client id the compositor knows only as a wl_display.sync callback. */
struct cw_placeholder {
	uint32_t id;
	bool done; /* its wl_callback.done went by; delete_id is next */
};

/* A wl_seat or wl_keyboard of the client (clipboard.c). */
struct cw_input_obj {
	uint32_t id;
	/* seat: the global it was bound from; keyboard: its seat's id */
	uint32_t parent;
	bool keyboard;
	bool focused; /* keyboard: between enter and leave */
};

struct cw_conn {
	struct cw_proxy *proxy;
	struct cw_list link; /* cw_proxy::conns */
	unsigned id;
	char label[64]; /* for the trace: "pid 123 (foot)" */
	struct cw_endpoint client, server;
	struct cw_objmap objects;
	struct cw_global *globals;
	uint32_t nglobals, capglobals;
	struct cw_list held; /* cw_held::link */
	/* ids answered locally or held: their slots upstream (conn.c) */
	struct cw_placeholder *placeholders;
	uint32_t nplaceholders, capplaceholders;
	/* for the clipboard rules (clipboard.c) */
	uint32_t input_serials[16]; /* the latest input events' serials */
	uint8_t next_serial;
	/* the keyboards it made and the seats they came from, for the
	 * focus rule: focused while one of its live keyboards has focus */
	struct cw_input_obj *inputs;
	uint32_t ninputs, capinputs;
	uint32_t focused_keyboards;
	uint32_t selection_offer;   /* the offer of the current selection */
	uint32_t primary_offer;     /* the same for the primary selection */
	uint32_t dnd_offer;         /* the offer of a drag in progress */
	/* clipboard-manager was revoked since this client's last grant: its
	 * data-control offers are not read (clipboard-manager.c) */
	bool data_control_revoked;
	bool dead;      /* freed after this loop iteration */
	bool closing;   /* error sent; waiting for the client to hang up */
	bool compositor_error; /* the compositor sent wl_display.error */
	int64_t close_deadline_ms;
	uint32_t nbuffers;     /* live buffers and pools (max-buffers) */
	uint32_t peak_objects; /* the most live objects at once */
	uint32_t peak_buffers;
	struct cw_record *record; /* --record, or NULL */
};

/* Takes ownership of both fds (either may be -1 for a failed upstream). */
struct cw_conn *cw_conn_create(struct cw_proxy *proxy, int client_fd,
	int server_fd);
void cw_conn_destroy(struct cw_conn *conn);

/*
 * Sends wl_display.error to the client, drops the compositor side and
 * disconnects the client once the error is out.
 */
void cw_conn_fatal(struct cw_conn *conn, uint32_t object, uint32_t code,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The same for what is not the client's fault (a refused connection, the
 * compositor gone): on wl_display, and not told the user as an error. */
void cw_conn_refuse(struct cw_conn *conn, uint32_t code, const char *fmt,
	...) __attribute__((format(printf, 3, 4)));

/*
 * Queues an event from the proxy itself, its arguments as words (at most
 * 8). Call it through the typed senders of cw-hooks.h (hooks.list).
 */
void cw_conn_send_event(struct cw_conn *conn, uint32_t id, uint16_t opcode,
	unsigned nargs, const uint32_t *args);

/* Calls fn on every live object of the proxy's clients until it returns
 * false; false if one did. */
bool cw_proxy_each_object(struct cw_proxy *proxy,
	bool (*fn)(struct cw_conn *conn, uint32_t id, struct cw_object *o,
		void *data), void *data);

struct cw_global *cw_conn_find_global(struct cw_conn *conn, uint32_t name);
struct cw_global *cw_conn_add_global(struct cw_conn *conn, uint32_t name);

/* Print one filter decision when tracing. */
void cw_conn_trace(struct cw_conn *conn, const char *what, const char *fmt,
	...) __attribute__((format(printf, 3, 4)));

#endif
