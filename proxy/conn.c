#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "conn.h"
#include "clipboard.h"
#include "cw-protocol-tables.h"
#include "filters.h"
#include "hooks.h"
#include "log.h"
#include "policy.h"
#include "record.h"
#include "util.h"
#include "proxy.h"
#include "wire.h"

/* Time a client gets to read our wl_display.error before we hang up. */
#define CLOSE_LINGER_MS 1000
/* The kernel hands over at most this many fds per message (SCM_MAX_FD). */
#define SCM_MAX_FDS 253

/* Input of one burst: what was left from the last read, then the new bytes. */
static uint8_t scratch[CW_READ_SIZE + 2 * CW_MAX_MESSAGE_SIZE];

static const struct cw_message *msg_delete_id, *msg_display_error, *msg_bind;
/* requests that add a rectangle, and the one that takes them (CW_MAX_RECTS),
 * by cw_message.index */
enum rects {
	RECTS_NONE = 0,
	RECTS_REGION, /* wl_region.add, subtract */
	RECTS_DAMAGE, /* wl_surface.damage, damage_buffer */
	RECTS_COMMIT, /* wl_surface.commit */
};
static uint8_t msg_rects[CW_MESSAGE_COUNT];


/* ---- byte buffers ---- */

static bool buf_append(struct cw_buf *buf, const void *data, uint32_t n)
{
	if (buf->start + buf->len + n > buf->cap) {
		if (buf->start > 0) {
			memmove(buf->data, buf->data + buf->start, buf->len);
			buf->start = 0;
		}
		if (buf->len + n > buf->cap) {
			uint32_t cap = buf->cap ? buf->cap : 4096;
			while (cap < buf->len + n) {
				cap *= 2;
			}
			uint8_t *data_new = realloc(buf->data, cap);
			if (data_new == NULL) {
				return false;
			}
			buf->data = data_new;
			buf->cap = cap;
		}
	}
	memcpy(buf->data + buf->start + buf->len, data, n);
	buf->len += n;
	return true;
}

static void buf_consume(struct cw_buf *buf, uint32_t n)
{
	buf->start += n;
	buf->len -= n;
	if (buf->len == 0) {
		/* idle connections hold no buffers */
		free(buf->data);
		memset(buf, 0, sizeof(*buf));
	}
}

static void buf_finish(struct cw_buf *buf)
{
	free(buf->data);
	memset(buf, 0, sizeof(*buf));
}

/* ep's run of passed messages joins its queued output. */
static bool run_settle(struct cw_endpoint *ep)
{
	if (ep->run_len == 0) {
		return true;
	}
	uint32_t n = ep->run_len;
	ep->run_len = 0;
	return buf_append(&ep->out, ep->run, n);
}

/* ---- fd queues ---- */

static bool fdq_push(struct cw_fdq *q, int fd)
{
	if (q->count == CW_FDQ_SIZE) {
		return false;
	}
	q->fds[(q->head + q->count) % CW_FDQ_SIZE] = fd;
	q->count++;
	return true;
}

static int fdq_peek(const struct cw_fdq *q, unsigned i)
{
	return q->fds[(q->head + i) % CW_FDQ_SIZE];
}

static int fdq_pop(struct cw_fdq *q)
{
	int fd = q->fds[q->head];
	q->head = (q->head + 1) % CW_FDQ_SIZE;
	q->count--;
	return fd;
}

static void fdq_close_all(struct cw_fdq *q)
{
	while (q->count > 0) {
		close(fdq_pop(q));
	}
}

/* ---- tracing ---- */

void cw_conn_trace(struct cw_conn *conn, const char *what, const char *fmt,
	...)
{
	if (!conn->proxy->trace) {
		return;
	}
	char who[80];
	snprintf(who, sizeof(who), "%u %s", conn->id, conn->label);
	va_list ap;
	va_start(ap, fmt);
	cw_proxy_vtrace(conn->proxy, who, what, fmt, ap);
	va_end(ap);
}

/* ---- objects: the sandbox's counts for max-objects and max-buffers ---- */

/*
 * What holds more than memory in the compositor: a mapping of the
 * client's pool (one of its at most 65530 by vm.max_map_count), or
 * dmabuf fds, or a DRM syncobj.
 */
static bool is_buffer(const struct cw_interface *iface)
{
	return iface == &cw_iface_wl_shm_pool || iface == &cw_iface_wl_buffer ||
		iface == &cw_iface_zwp_linux_buffer_params_v1 ||
		iface == &cw_iface_wp_linux_drm_syncobj_timeline_v1;
}

static enum cw_objmap_result objects_insert(struct cw_conn *conn, uint32_t id,
	bool from_server, const struct cw_interface *iface, uint32_t version)
{
	uint32_t before = conn->objects.used;
	enum cw_objmap_result r = cw_objmap_insert(&conn->objects, id,
		from_server, iface, version);
	if (conn->objects.used == before) {
		return r;
	}
	conn->proxy->nobjects++;
	if (conn->objects.used > conn->peak_objects) {
		conn->peak_objects = conn->objects.used;
	}
	if (is_buffer(iface)) {
		conn->proxy->nbuffers++;
		if (++conn->nbuffers > conn->peak_buffers) {
			conn->peak_buffers = conn->nbuffers;
		}
	}
	return r;
}

static void objects_remove(struct cw_conn *conn, uint32_t id)
{
	struct cw_object *obj = cw_objmap_get(&conn->objects, id);
	if (obj == NULL) {
		return;
	}
	if (is_buffer(obj->iface)) {
		conn->proxy->nbuffers--;
		conn->nbuffers--;
	}
	cw_objmap_remove(&conn->objects, id);
	conn->proxy->nobjects--;
}

/* The compositor dropped them all: the connection's counts leave the
 * sandbox's. */
static void objects_release(struct cw_conn *conn)
{
	conn->proxy->nobjects -= conn->objects.used;
	conn->proxy->nbuffers -= conn->nbuffers;
	conn->nbuffers = 0;
	cw_objmap_finish(&conn->objects);
}

/* ---- lifetime ---- */

static void endpoint_dispatch(struct cw_source *source, uint32_t events);

static void endpoint_init(struct cw_endpoint *ep, struct cw_conn *conn,
	bool is_client)
{
	ep->conn = conn;
	ep->is_client = is_client;
	ep->source.fd = -1;
	/* an empty run points into the input too: forward compares
	 * run + run_len with a message there, never with NULL + 0 */
	ep->run = scratch;
}

static void endpoint_close(struct cw_proxy *proxy, struct cw_endpoint *ep)
{
	if (ep->source.fd >= 0) {
		if (!proxy->released) {
			cw_loop_remove(proxy->loop, &ep->source);
		}
		close(ep->source.fd);
		ep->source.fd = -1;
		if (!ep->is_client) {
			proxy->linked_conns--;
		}
	}
	fdq_close_all(&ep->in_fds);
	for (unsigned i = 0; i < ep->out_nfds; i++) {
		close(ep->out_fds[i].fd);
	}
	ep->out_nfds = 0;
	ep->run_len = 0;
	buf_finish(&ep->in);
	buf_finish(&ep->out);
}

static void set_label(struct cw_conn *conn, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	snprintf(conn->label, sizeof(conn->label), "client");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
			cred.pid <= 0) {
		return;
	}
	char path[64], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)cred.pid);
	int cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd >= 0) {
		ssize_t n = read(cfd, comm, sizeof(comm) - 1);
		close(cfd);
		if (n > 0) {
			comm[n] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
		}
	}
	/* a label for people reading the trace, never an identity */
	snprintf(conn->label, sizeof(conn->label), "pid %d %s", (int)cred.pid,
		comm);
}

static void held_free(struct cw_held *held)
{
	cw_consent_unlisten(&held->answer);
	for (unsigned i = 0; i < held->nfds; i++) {
		close(held->fds[i]);
	}
	cw_list_remove(&held->link);
	buf_finish(&held->msgs);
	free(held);
}

struct cw_conn *cw_conn_create(struct cw_proxy *proxy, int client_fd,
	int server_fd)
{
	if (msg_delete_id == NULL) {
		const struct cw_message *display = cw_iface_wl_display.events;
		const struct cw_message *region = cw_iface_wl_region.requests;
		const struct cw_message *surface = cw_iface_wl_surface.requests;
		msg_delete_id = &display[CW_WL_DISPLAY_DELETE_ID];
		msg_display_error = &display[CW_WL_DISPLAY_ERROR];
		msg_bind = &cw_iface_wl_registry.requests[CW_WL_REGISTRY_BIND];
		msg_rects[region[CW_WL_REGION_ADD].index] = RECTS_REGION;
		msg_rects[region[CW_WL_REGION_SUBTRACT].index] = RECTS_REGION;
		msg_rects[surface[CW_WL_SURFACE_DAMAGE].index] = RECTS_DAMAGE;
		msg_rects[surface[CW_WL_SURFACE_DAMAGE_BUFFER].index] =
			RECTS_DAMAGE;
		msg_rects[surface[CW_WL_SURFACE_COMMIT].index] = RECTS_COMMIT;
	}
	struct cw_conn *conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		close(client_fd);
		if (server_fd >= 0) {
			close(server_fd);
		}
		return NULL;
	}
	conn->proxy = proxy;
	conn->id = ++proxy->next_id;
	endpoint_init(&conn->client, conn, true);
	endpoint_init(&conn->server, conn, false);
	cw_objmap_init(&conn->objects);
	cw_list_init(&conn->held);
	cw_list_insert(&proxy->conns, &conn->link);
	objects_insert(conn, CW_DISPLAY_ID, false, &cw_iface_wl_display, 1);
	proxy->nconns++;
	proxy->total_clients++;
	if (proxy->trace) {
		set_label(conn, client_fd);
	}
	if (proxy->record_dir != NULL) {
		conn->record = cw_record_open(proxy->record_dir, conn->id);
	}

	if (!cw_loop_add(proxy->loop, &conn->client.source, client_fd,
			EPOLLIN, endpoint_dispatch)) {
		conn->client.source.fd = -1;
		close(client_fd);
		if (server_fd >= 0) {
			close(server_fd);
		}
		cw_conn_destroy(conn);
		return NULL;
	}
	if (server_fd >= 0 && !cw_loop_add(proxy->loop, &conn->server.source,
			server_fd, EPOLLIN, endpoint_dispatch)) {
		conn->server.source.fd = -1;
		close(server_fd);
		cw_conn_destroy(conn);
		return NULL;
	}
	if (server_fd >= 0) {
		proxy->linked_conns++;
	}
	return conn;
}

void cw_conn_destroy(struct cw_conn *conn)
{
	if (conn == NULL || conn->dead) {
		return;
	}
	struct cw_proxy *proxy = conn->proxy;
	cw_conn_trace(conn, "CLOSED", "at most %u live objects at once, "
		"%u of them buffers or pools", conn->peak_objects,
		conn->peak_buffers);
	cw_clipboard_conn_gone(conn);
	endpoint_close(proxy, &conn->client);
	endpoint_close(proxy, &conn->server);
	while (!cw_list_empty(&conn->held)) {
		struct cw_held *held = cw_container_of(conn->held.next, held,
			link);
		held_free(held);
	}
	objects_release(conn);
	free(conn->placeholders);
	conn->placeholders = NULL;
	free(conn->globals);
	conn->globals = NULL;
	cw_record_close(conn->record);
	conn->record = NULL;
	conn->dead = true;
	cw_list_remove(&conn->link);
	cw_list_insert(&proxy->graveyard, &conn->link);
	proxy->nconns--;
}

/* ---- output ---- */

static void update_interest(struct cw_conn *conn);

/* Sends what is queued, at most CW_MAX_FDS_OUT fds per sendmsg, each fd no
 * later than the first byte of its message. false: the peer is gone. */
static bool endpoint_flush(struct cw_endpoint *ep)
{
	if (ep->run_len > 0 && ep->out.len == 0 && ep->source.fd >= 0) {
		/* nothing before it: straight from the input, no copy */
		ssize_t n;
		do {
			n = send(ep->source.fd, ep->run, ep->run_len,
				MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			ep->run_len = 0;
			return false;
		}
		if (n > 0) {
			ep->bytes_out += n;
			ep->run += n;
			ep->run_len -= n;
		}
	}
	if (!run_settle(ep)) {
		return false;
	}
	while (ep->out.len > 0 && ep->source.fd >= 0) {
		uint32_t bytes = ep->out.len;
		unsigned nfds = ep->out_nfds;
		if (nfds > CW_MAX_FDS_OUT) {
			nfds = CW_MAX_FDS_OUT;
			uint32_t until = ep->out_fds[nfds].offset;
			if (until > 0) {
				bytes = until;
			}
		}
		struct iovec iov = {
			.iov_base = ep->out.data + ep->out.start,
			.iov_len = bytes,
		};
		union {
			char buf[CMSG_SPACE(sizeof(int) * CW_MAX_FDS_OUT)];
			struct cmsghdr align;
		} control;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (nfds > 0) {
			msg.msg_control = control.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			int *fds = (int *)CMSG_DATA(cmsg);
			for (unsigned i = 0; i < nfds; i++) {
				fds[i] = ep->out_fds[i].fd;
			}
		}
		ssize_t n;
		do {
			n = sendmsg(ep->source.fd, &msg,
				MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
		ep->bytes_out += n;
		/* the fds went with the first byte; our copies can go */
		for (unsigned i = 0; i < nfds; i++) {
			close(ep->out_fds[i].fd);
		}
		ep->out_nfds -= nfds;
		memmove(ep->out_fds, ep->out_fds + nfds,
			ep->out_nfds * sizeof(ep->out_fds[0]));
		for (unsigned i = 0; i < ep->out_nfds; i++) {
			ep->out_fds[i].offset = ep->out_fds[i].offset > n ?
				ep->out_fds[i].offset - n : 0;
		}
		buf_consume(&ep->out, n);
	}
	return true;
}

/* Queues a message (and its fds from the source's queue) for ep. */
static bool endpoint_queue(struct cw_endpoint *ep, const uint8_t *data,
	uint32_t size, struct cw_fdq *fds_from, unsigned nfds)
{
	if (!run_settle(ep)) {
		return false;
	}
	uint32_t offset = ep->out.len;
	if (!buf_append(&ep->out, data, size)) {
		return false;
	}
	for (unsigned i = 0; i < nfds; i++) {
		ep->out_fds[ep->out_nfds].fd = fdq_pop(fds_from);
		ep->out_fds[ep->out_nfds].offset = offset;
		ep->out_nfds++;
	}
	return true;
}

static bool forward_start(struct cw_endpoint *ep, const uint8_t *data,
	uint32_t size, struct cw_fdq *fds_from, unsigned nfds)
{
	if (nfds > 0) {
		return endpoint_queue(ep, data, size, fds_from, nfds);
	}
	if (!run_settle(ep)) {
		return false;
	}
	ep->run = data;
	ep->run_len = size;
	return true;
}

/* Forwards a passed message of the peer's input (and its fds) to ep. */
static inline __attribute__((always_inline)) bool forward(
	struct cw_endpoint *ep, const uint8_t *data, uint32_t size,
	struct cw_fdq *fds_from, unsigned nfds)
{
	if (nfds == 0 && ep->run + ep->run_len == data) {
		/* right after the last one (or where an empty run would
		 * start): one more in the run */
		ep->run_len += size;
		return true;
	}
	return forward_start(ep, data, size, fds_from, nfds);
}

/* ---- errors ---- */

static void conn_close_now(struct cw_conn *conn)
{
	cw_conn_destroy(conn);
}

static void conn_linger(struct cw_conn *conn)
{
	struct cw_proxy *proxy = conn->proxy;
	conn->closing = true;
	conn->close_deadline_ms = cw_now_ms() + CLOSE_LINGER_MS;
	endpoint_close(proxy, &conn->server);
	conn->server.eof = true;
	/* the compositor freed them: they no longer count */
	objects_release(conn);
	if (!endpoint_flush(&conn->client)) {
		conn_close_now(conn);
		return;
	}
	if (conn->client.out.len == 0) {
		/* the error is out: the client reads it, then our EOF */
		shutdown(conn->client.source.fd, SHUT_WR);
	}
	update_interest(conn);
}

/*
 * Sends wire_text as the client's wl_display.error and hangs up. The
 * client's own fault is also told the user (rate-limited).
 */
static void conn_error(struct cw_conn *conn, uint32_t object, uint32_t code,
	const char *wire_text, const char *text, bool client_fault)
{
	if (conn->closing || conn->dead) {
		return;
	}
	conn->proxy->protocol_errors++;
	cw_conn_trace(conn, "ERROR", "%s (code %u): disconnecting", text, code);
	if (client_fault && !conn->proxy->trace) {
		cw_proxy_note(conn->proxy, CW_NOTE_PROTOCOL_ERROR,
			"client %u: protocol error: %s: disconnected", conn->id,
			text);
	}

	uint8_t msg[CW_MAX_MESSAGE_SIZE];
	size_t size = cw_wire_display_error(msg, object, code, wire_text);
	/* errors are small; they may go past the output limit */
	endpoint_queue(&conn->client, msg, size, NULL, 0);
	conn_linger(conn);
}

/* The same, in the proxy's own words: "crate-wl: TEXT". */
static void conn_verror(struct cw_conn *conn, uint32_t object, uint32_t code,
	bool client_fault, const char *fmt, va_list ap) CW_ATTRIB_PRINTF(5, 0);

static void conn_verror(struct cw_conn *conn, uint32_t object, uint32_t code,
	bool client_fault, const char *fmt, va_list ap)
{
	char text[1024];
	vsnprintf(text, sizeof(text), fmt, ap);
	char full[1100];
	snprintf(full, sizeof(full), "crate-wl: %s", text);
	conn_error(conn, object, code, full, text, client_fault);
}

void cw_conn_fatal(struct cw_conn *conn, uint32_t object, uint32_t code,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_verror(conn, object, code, true, fmt, ap);
	va_end(ap);
}

void cw_conn_refuse(struct cw_conn *conn, uint32_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conn_verror(conn, CW_DISPLAY_ID, code, false, fmt, ap);
	va_end(ap);
}

static void compositor_fatal(struct cw_conn *conn, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void compositor_fatal(struct cw_conn *conn, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* what the client made it send, maybe: rate-limited, and each
	 * one in the trace (cw_conn_refuse) */
	if (!conn->proxy->trace) {
		cw_proxy_note(conn->proxy, CW_NOTE_COMPOSITOR, "client %u: the "
			"compositor sent a malformed message: %s", conn->id,
			text);
	}
	cw_conn_refuse(conn, CW_ERROR_IMPLEMENTATION,
		"the compositor sent a malformed message (%s)", text);
}

void cw_conn_send_event(struct cw_conn *conn, uint32_t id, uint16_t opcode,
	unsigned nargs, const uint32_t *args)
{
	if (conn->closing || conn->dead) {
		return;
	}
	uint8_t out[CW_HEADER_SIZE + 4 * 8];
	uint32_t size = CW_HEADER_SIZE + 4 * nargs;
	cw_wire_write_header(out, id, opcode, size);
	if (nargs > 0) {
		memcpy(out + CW_HEADER_SIZE, args, 4 * nargs);
	}
	endpoint_queue(&conn->client, out, size, NULL, 0);
}

bool cw_proxy_each_object(struct cw_proxy *proxy,
	bool (*fn)(struct cw_conn *conn, uint32_t id, struct cw_object *o,
		void *data), void *data)
{
	struct cw_conn *conn;
	cw_list_for_each(conn, &proxy->conns, link) {
		struct cw_objmap *map = &conn->objects;
		for (int side = 0; side < 2; side++) {
			struct cw_object *objs = side ? map->server : map->client;
			uint32_t n = side ? map->nserver : map->nclient;
			for (uint32_t i = 0; i < n; i++) {
				uint32_t id = side ? i + CW_SERVER_ID_START : i;
				if (objs[i].state == CW_OBJECT_LIVE &&
						!fn(conn, id, &objs[i], data)) {
					return false;
				}
			}
		}
	}
	return true;
}

/* ---- globals ---- */

struct cw_global *cw_conn_find_global(struct cw_conn *conn, uint32_t name)
{
	for (uint32_t i = 0; i < conn->nglobals; i++) {
		if (conn->globals[i].name == name) {
			return &conn->globals[i];
		}
	}
	return NULL;
}

struct cw_global *cw_conn_add_global(struct cw_conn *conn, uint32_t name)
{
	if (conn->nglobals == conn->capglobals) {
		uint32_t cap = conn->capglobals ? conn->capglobals * 2 : 32;
		if (cap > 65536) {
			return NULL;
		}
		struct cw_global *g = realloc(conn->globals, cap * sizeof(*g));
		if (g == NULL) {
			return NULL;
		}
		conn->globals = g;
		conn->capglobals = cap;
	}
	struct cw_global *g = &conn->globals[conn->nglobals++];
	memset(g, 0, sizeof(*g));
	g->name = name;
	return g;
}

/* ---- messages ---- */

struct new_object {
	uint32_t id;
	const struct cw_interface *iface;
	uint32_t version;
};

static bool check_objects(struct cw_endpoint *ep, uint32_t id,
	const struct cw_object *obj, const struct cw_message *msg,
	const struct cw_args *args, struct new_object *news, unsigned *nnews)
{
	struct cw_conn *conn = ep->conn;
	bool from_client = ep->is_client;
	*nnews = 0;
	for (unsigned i = 0; i < msg->nargs; i++) {
		char type = msg->signature[i];
		uint32_t arg = args->value[i].u;
		if (type == CW_ARG_OBJECT) {
			if (arg == 0 || !from_client) {
				/* events may name objects the client already
				 * destroyed; libwayland-client copes */
				continue;
			}
			struct cw_object *target = cw_objmap_get(&conn->objects,
				arg);
			if (target == NULL || target->state == CW_OBJECT_ZOMBIE) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_INVALID_OBJECT, "invalid object "
					"%u in argument %u of %s@%u.%s", arg,
					i + 1, obj->iface->name, id, msg->name);
				return false;
			}
			if (msg->types[i] != NULL && target->iface !=
					msg->types[i]) {
				cw_conn_fatal(conn, id, CW_ERROR_INVALID_METHOD,
					"invalid arguments for %s@%u.%s: object "
					"%u is a %s, not a %s", obj->iface->name,
					id, msg->name, arg, target->iface->name,
					msg->types[i]->name);
				return false;
			}
		} else if (type == CW_ARG_NEW_ID) {
			if (arg == 0) {
				continue;
			}
			const struct cw_interface *iface = msg->types[i];
			uint32_t version = obj->version;
			if (iface == NULL) {
				/* untyped: interface and version precede it */
				const char *name = args->value[i - 2].s;
				iface = name ? cw_interface_find(name) : NULL;
				version = args->value[i - 1].u;
				if (iface == NULL) {
					char text[128];
					if (from_client && msg == msg_bind &&
							name != NULL &&
							cw_registry_bind_refusal(
							conn, args->value[0].u,
							name, version, text,
							sizeof(text))) {
						/* as the compositor says it */
						conn_error(conn, id,
							CW_ERROR_INVALID_OBJECT,
							text, text, true);
					} else if (from_client) {
						cw_conn_fatal(conn, id,
							CW_ERROR_INVALID_OBJECT,
							"bind to unknown "
							"interface %s",
							name ? name : "(null)");
					} else {
						compositor_fatal(conn, "new "
							"object of unknown "
							"interface %s",
							name ? name : "(null)");
					}
					return false;
				}
			}
			bool ok = from_client ? (arg <= CW_CLIENT_ID_MAX) :
				(arg >= CW_SERVER_ID_START);
			if (!ok && from_client) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_INVALID_OBJECT, "invalid new "
					"id %u in %s@%u.%s: outside the client's "
					"id range", arg, obj->iface->name, id,
					msg->name);
				return false;
			}
			struct cw_object *old = cw_objmap_get(&conn->objects, arg);
			if (ok && from_client && old != NULL) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_INVALID_OBJECT, "invalid new "
					"id %u in %s@%u.%s: already in use", arg,
					obj->iface->name, id, msg->name);
				return false;
			}
			if (ok && from_client &&
					arg > conn->objects.nclient) {
				ok = false;
			}
			if (!ok) {
				if (from_client) {
					cw_conn_fatal(conn, CW_DISPLAY_ID,
						CW_ERROR_INVALID_OBJECT,
						"invalid new id %u in %s@%u.%s: "
						"not the next free client id",
						arg, obj->iface->name, id,
						msg->name);
				} else {
					compositor_fatal(conn, "new id %u in "
						"%s.%s outside the server's "
						"range", arg, obj->iface->name,
						msg->name);
				}
				return false;
			}
			for (unsigned k = 0; k < *nnews; k++) {
				if (news[k].id == arg) {
					cw_conn_fatal(conn, CW_DISPLAY_ID,
						CW_ERROR_INVALID_OBJECT,
						"new id %u used twice", arg);
					return false;
				}
			}
			news[*nnews].id = arg;
			news[*nnews].iface = iface;
			news[*nnews].version = version;
			(*nnews)++;
		}
	}
	return true;
}

static bool add_objects(struct cw_conn *conn, bool from_server,
	const struct new_object *news, unsigned n, bool local)
{
	struct cw_proxy *proxy = conn->proxy;
	if (n > 0 && proxy->nobjects + n > proxy->policy->max_objects) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"cannot create object %u (%s): the sandbox has %u "
			"objects, its limit (max-objects)", news[0].id,
			news[0].iface->name, proxy->nobjects);
		return false;
	}
	unsigned nbuffers = 0;
	for (unsigned i = 0; i < n; i++) {
		nbuffers += is_buffer(news[i].iface);
	}
	if (nbuffers > 0 && proxy->nbuffers + nbuffers >
			proxy->policy->max_buffers) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"cannot create object %u (%s): the sandbox has %u "
			"buffers and pools, its limit (max-buffers)",
			news[0].id, news[0].iface->name, proxy->nbuffers);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		enum cw_objmap_result r = objects_insert(conn, news[i].id,
			from_server, news[i].iface, news[i].version);
		if (r != CW_OBJMAP_OK) {
			cw_conn_fatal(conn, CW_DISPLAY_ID, r == CW_OBJMAP_NO_MEMORY ?
				CW_ERROR_NO_MEMORY : CW_ERROR_INVALID_OBJECT,
				"cannot create object %u (%s): %s", news[i].id,
				news[i].iface->name, cw_objmap_result_str(r));
			return false;
		}
		if (local) {
			cw_objmap_get(&conn->objects, news[i].id)->state =
				CW_OBJECT_LOCAL;
		}
	}
	return true;
}

static void close_fds(struct cw_fdq *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		close(fdq_pop(q));
	}
}

/*
 * The compositor takes new client ids only in order (the next one, or a
 * slot it has freed): an object the proxy answers itself, or holds while
 * the user is asked, would leave a gap and the client's next new object
 * would be refused. So its id takes its slot upstream at once as a
 * wl_display.sync callback; the compositor answers done and delete_id,
 * which the proxy drops, and the slot is free for the real request (after
 * an allow) or for the id's next use.
 */
static bool reserve_ids(struct cw_conn *conn, const struct new_object *news,
	unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (conn->nplaceholders == conn->capplaceholders) {
			uint32_t cap = conn->capplaceholders ?
				conn->capplaceholders * 2 : 8;
			struct cw_placeholder *p = cap > 4096 ? NULL :
				realloc(conn->placeholders, cap * sizeof(*p));
			if (p == NULL) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_NO_MEMORY, "too many objects "
					"answered by the sandbox at once");
				return false;
			}
			conn->placeholders = p;
			conn->capplaceholders = cap;
		}
		uint8_t sync[CW_HEADER_SIZE + 4];
		cw_wire_write_header(sync, CW_DISPLAY_ID,
			CW_WL_DISPLAY_SYNC, sizeof(sync));
		memcpy(sync + CW_HEADER_SIZE, &news[i].id, 4);
		if (!endpoint_queue(&conn->server, sync, sizeof(sync), NULL,
				0)) {
			cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
				"out of memory");
			return false;
		}
		conn->placeholders[conn->nplaceholders++] =
			(struct cw_placeholder){ .id = news[i].id };
	}
	return true;
}

/* One more rectangle for a region or a surface's damage; false: too many. */
static bool count_rects(struct cw_conn *conn, uint32_t id,
	struct cw_object *obj, const struct cw_message *msg)
{
	enum rects kind = msg_rects[msg->index];
	switch (kind) {
	case RECTS_NONE:
		return true;
	case RECTS_COMMIT:
		obj->rects = 0;
		return true;
	case RECTS_REGION:
	case RECTS_DAMAGE:
		break;
	}
	if (obj->rects >= CW_MAX_RECTS) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"too many rectangles for %s@%u (more than %u%s)",
			obj->iface->name, id, CW_MAX_RECTS,
			kind == RECTS_REGION ? "" : " between two commits");
		return false;
	}
	obj->rects++;
	return true;
}

/* An event that answers a placeholder: true if it was one (dropped). */
static bool placeholder_event(struct cw_conn *conn, const uint8_t *data,
	uint32_t size)
{
	if (size != CW_HEADER_SIZE + 4) {
		return false;
	}
	uint32_t id = cw_msg_id(data), arg;
	uint16_t opcode = cw_msg_opcode(data);
	memcpy(&arg, data + CW_HEADER_SIZE, 4);
	bool delete_id = id == CW_DISPLAY_ID &&
		opcode == CW_WL_DISPLAY_DELETE_ID;
	for (uint32_t i = 0; i < conn->nplaceholders; i++) {
		struct cw_placeholder *p = &conn->placeholders[i];
		if (!p->done && p->id == id &&
				opcode == CW_WL_CALLBACK_DONE) {
			p->done = true;
			return true;
		}
		if (p->done && delete_id && p->id == arg) {
			conn->placeholders[i] =
				conn->placeholders[--conn->nplaceholders];
			return true;
		}
	}
	return false;
}

/* A request on an object the proxy answers itself: never forwarded. */
static bool local_request(struct cw_conn *conn, uint32_t id,
	struct cw_object *obj, const struct cw_message *msg, uint8_t *data,
	uint32_t size, const struct cw_args *args,
	const struct new_object *news, unsigned nnews)
{
	if (!add_objects(conn, false, news, nnews, true) ||
			!reserve_ids(conn, news, nnews)) {
		return false;
	}
	if (cw_hooks_has(msg)) {
		/* hooks answer requests on their local objects themselves */
		struct cw_hook_call call = {
			.conn = conn,
			.object_id = id,
			.object = obj,
			.msg = msg,
			.data = data,
			.size = size,
			.args = args,
		};
		cw_hooks_dispatch(&call);
	}
	if (msg->destructor) {
		uint8_t out[16];
		size_t n = cw_wire_delete_id(out, id);
		objects_remove(conn, id);
		return endpoint_queue(&conn->client, out, n, NULL, 0);
	}
	return true;
}

static bool handle_local_request(struct cw_endpoint *ep, uint32_t id,
	struct cw_object *obj, const struct cw_message *msg, uint8_t *data,
	uint32_t size, const struct cw_args *args,
	const struct new_object *news, unsigned nnews)
{
	close_fds(&ep->in_fds, msg->nfds);
	return local_request(ep->conn, id, obj, msg, data, size, args, news,
		nnews);
}

static struct cw_held *find_held(struct cw_conn *conn, uint32_t id)
{
	struct cw_held *held;
	cw_list_for_each(held, &conn->held, link) {
		for (unsigned i = 0; i < held->nids; i++) {
			if (held->ids[i] == id) {
				return held;
			}
		}
	}
	return NULL;
}

/* Keeps a request (and its fds) until the answer; its objects wait too. */
static bool held_add(struct cw_held *held, struct cw_endpoint *ep,
	const uint8_t *data, uint32_t size, const struct cw_message *msg,
	const struct new_object *news, unsigned nnews)
{
	struct cw_conn *conn = ep->conn;
	if (held->nfds + msg->nfds > 16 || held->nids + nnews > 8 ||
			held->msgs.len + size > 64 * 1024 ||
			!buf_append(&held->msgs, data, size)) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"too many requests while waiting for the user");
		return false;
	}
	for (unsigned i = 0; i < msg->nfds; i++) {
		held->fds[held->nfds++] = fdq_pop(&ep->in_fds);
	}
	if (!add_objects(conn, false, news, nnews, false)) {
		return false;
	}
	for (unsigned i = 0; i < nnews; i++) {
		cw_objmap_get(&conn->objects, news[i].id)->state =
			CW_OBJECT_HELD;
		held->ids[held->nids++] = news[i].id;
	}
	return reserve_ids(conn, news, nnews);
}

/* Are the objects a held request names still there? */
static bool held_msg_valid(struct cw_conn *conn, const uint8_t *data,
	const struct cw_message **msg_out, struct cw_object **obj_out,
	struct cw_args *args, bool check_args)
{
	struct cw_object *obj = cw_objmap_get(&conn->objects, cw_msg_id(data));
	if (obj == NULL) {
		return false;
	}
	const struct cw_message *msg = &obj->iface->requests[cw_msg_opcode(data)];
	int fds[4] = { -1, -1, -1, -1 };
	char err[64];
	if (!cw_wire_parse(data, cw_msg_size(data), msg, fds, args, err,
			sizeof(err))) {
		return false;
	}
	*msg_out = msg;
	*obj_out = obj;
	for (unsigned i = 0; check_args && i < msg->nargs; i++) {
		if (msg->signature[i] == CW_ARG_OBJECT && args->value[i].u) {
			struct cw_object *o = cw_objmap_get(&conn->objects,
				args->value[i].u);
			if (o == NULL || o->state == CW_OBJECT_ZOMBIE ||
					o->state == CW_OBJECT_LOCAL) {
				return false;
			}
		}
	}
	return true;
}

static void held_release(struct cw_consent_listener *answer,
	enum cw_capability cap, enum cw_decision decision)
{
	struct cw_held *held = cw_container_of(answer, held, answer);
	bool allowed = decision == CW_DECISION_ALLOW;
	struct cw_conn *conn = held->conn;
	uint32_t pos;
	struct cw_args args;
	const struct cw_message *msg;
	struct cw_object *obj;

	if (allowed) {
		for (pos = 0; pos < held->msgs.len; pos += cw_msg_size(
				held->msgs.data + held->msgs.start + pos)) {
			for (unsigned i = 0; i < held->nids; i++) {
				struct cw_object *o = cw_objmap_get(
					&conn->objects, held->ids[i]);
				if (o != NULL && o->state == CW_OBJECT_HELD) {
					o->state = CW_OBJECT_LIVE;
				}
			}
			if (!held_msg_valid(conn, held->msgs.data +
					held->msgs.start + pos, &msg, &obj,
					&args, true)) {
				/* something it needs is gone: too late */
				allowed = false;
				break;
			}
		}
	}
	if (allowed) {
		/* upstream now sees the requests, in the order they came */
		struct cw_endpoint *server = &conn->server;
		if (!run_settle(server)) {
			held_free(held);
			cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
				"out of memory");
			return;
		}
		uint32_t offset = server->out.len;
		buf_append(&server->out, held->msgs.data + held->msgs.start,
			held->msgs.len);
		for (unsigned i = 0; i < held->nfds; i++) {
			server->out_fds[server->out_nfds].fd = held->fds[i];
			server->out_fds[server->out_nfds].offset = offset;
			server->out_nfds++;
		}
		held->nfds = 0;
		for (pos = 0; pos < held->msgs.len; ) {
			const uint8_t *data = held->msgs.data + held->msgs.start +
				pos;
			held_msg_valid(conn, data, &msg, &obj, &args, false);
			if (msg->destructor) {
				obj->state = CW_OBJECT_ZOMBIE;
			}
			pos += cw_msg_size(data);
		}
	} else {
		for (unsigned i = 0; i < held->nids; i++) {
			struct cw_object *o = cw_objmap_get(&conn->objects,
				held->ids[i]);
			if (o != NULL) {
				o->state = CW_OBJECT_LOCAL;
			}
		}
		struct cw_object *root = held->nids > 0 ? cw_objmap_get(
			&conn->objects, held->ids[0]) : NULL;
		if (root != NULL && held->deny != NULL) {
			held->deny(conn, held->ids[0], root->iface);
		}
		/* what came after is answered locally, in order */
		for (pos = 0; pos < held->msgs.len; ) {
			uint8_t *data = held->msgs.data + held->msgs.start + pos;
			pos += cw_msg_size(data);
			if (!held_msg_valid(conn, data, &msg, &obj, &args,
					false) ||
					data == held->msgs.data + held->msgs.start) {
				continue;
			}
			local_request(conn, cw_msg_id(data), obj, msg, data,
				cw_msg_size(data), &args, NULL, 0);
		}
	}
	held_free(held);
	if (!endpoint_flush(&conn->server) || !endpoint_flush(&conn->client)) {
		cw_conn_destroy(conn);
		return;
	}
	update_interest(conn);
}

/* The message's fds, first in the queue (at most 4 come to one). */
static const int *peek_fds(struct cw_endpoint *ep, const struct cw_message *msg,
	int fds[4])
{
	for (unsigned i = 0; i < msg->nfds && i < 4; i++) {
		fds[i] = fdq_peek(&ep->in_fds, i);
	}
	return fds;
}

/*
 * Checks one complete message against the tables, runs its hook, and
 * forwards, drops or answers it. false: the connection is going away.
 * Inlined into the loop of its one caller, once per direction
 * (from_client is ep->is_client, constant there): a call, with the frame
 * this function needs, costs as much as the checks of a small message.
 */
static inline __attribute__((always_inline)) bool handle_message(
	struct cw_endpoint *ep, uint8_t *data, uint32_t size, bool from_client)
{
	struct cw_conn *conn = ep->conn;
	struct cw_endpoint *dest = from_client ? &conn->server : &conn->client;
	uint32_t id = cw_msg_id(data);
	uint16_t opcode = cw_msg_opcode(data);
	struct cw_object *obj = cw_objmap_get(&conn->objects, id);
	const struct cw_message *msg;

	if (from_client) {
		if (obj == NULL || obj->state == CW_OBJECT_ZOMBIE) {
			cw_conn_fatal(conn, CW_DISPLAY_ID,
				CW_ERROR_INVALID_OBJECT, "invalid object %u%s",
				id, obj ? " (destroyed)" : "");
			return false;
		}
		if (opcode >= obj->iface->nrequests) {
			cw_conn_fatal(conn, CW_DISPLAY_ID,
				CW_ERROR_INVALID_METHOD, "invalid method %u, "
				"object %s@%u", opcode, obj->iface->name, id);
			return false;
		}
		msg = &obj->iface->requests[opcode];
		if (msg->since > obj->version) {
			cw_conn_fatal(conn, CW_DISPLAY_ID,
				CW_ERROR_INVALID_METHOD, "invalid method %u "
				"(since %u > version %u), object %s@%u", opcode,
				msg->since, obj->version, obj->iface->name, id);
			return false;
		}
	} else {
		if (conn->nplaceholders > 0 && placeholder_event(conn, data,
				size)) {
			return true;
		}
		if (obj == NULL) {
			compositor_fatal(conn, "event for unknown object %u", id);
			return false;
		}
		if (opcode >= obj->iface->nevents) {
			compositor_fatal(conn, "invalid event %u for %s@%u",
				opcode, obj->iface->name, id);
			return false;
		}
		msg = &obj->iface->events[opcode];
	}

	if (ep->in_fds.count < msg->nfds) {
		if (from_client) {
			cw_conn_fatal(conn, id, CW_ERROR_INVALID_METHOD,
				"invalid arguments for %s@%u.%s: missing file "
				"descriptor", obj->iface->name, id, msg->name);
		} else {
			compositor_fatal(conn, "%s.%s without its fd",
				obj->iface->name, msg->name);
		}
		return false;
	}
	bool hooked = cw_hooks_has(msg);
	struct cw_args args;
	char err[256];
	int fds[4];
	if (cw_wire_plain(msg) && size == msg->min_size && !hooked &&
			(from_client ? obj->state == CW_OBJECT_LIVE :
			msg != msg_delete_id)) {
		/*
		 * Only ints, uints and fixeds, the size they make: valid, and
		 * nothing below reads them (no ids to check, no hook, no local
		 * or held object, not the delete_id that frees one), so they
		 * stay undecoded.
		 */
		args.count = 0;
	} else if (!cw_wire_parse(data, size, msg, peek_fds(ep, msg, fds),
			&args, err, sizeof(err))) {
		if (from_client) {
			cw_conn_fatal(conn, id, CW_ERROR_INVALID_METHOD,
				"invalid arguments for %s@%u.%s: %s",
				obj->iface->name, id, msg->name, err);
		} else {
			compositor_fatal(conn, "%s@%u.%s: %s", obj->iface->name,
				id, msg->name, err);
		}
		return false;
	}
	struct new_object news[4];
	unsigned nnews = 0;
	if ((msg->flags & CW_MSG_IDS) &&
			!check_objects(ep, id, obj, msg, &args, news, &nnews)) {
		return false;
	}
	if (from_client && !count_rects(conn, id, obj, msg)) {
		return false;
	}

	if (from_client && obj->state != CW_OBJECT_LIVE) {
		if (obj->state == CW_OBJECT_LOCAL) {
			return handle_local_request(ep, id, obj, msg, data,
				size, &args, news, nnews);
		}
		if (obj->state == CW_OBJECT_HELD) {
			struct cw_held *held = find_held(conn, id);
			return held != NULL && held_add(held, ep, data, size,
				msg, news, nnews);
		}
	}

	enum cw_verdict verdict = CW_PASS;
	struct cw_hook_call call;
	if (hooked) {
		call = (struct cw_hook_call){
			.conn = conn,
			.object_id = id,
			.object = obj,
			.msg = msg,
			.event = !from_client,
			.data = data,
			.size = size,
			.args = &args,
		};
		verdict = cw_hooks_dispatch(&call);
		if (conn->closing) {
			return false;
		}
	}

	switch (verdict) {
	case CW_PASS:
	case CW_REWRITE:
		if (!forward(dest, data, size, &ep->in_fds, msg->nfds)) {
			cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
				"out of memory");
			return false;
		}
		ep->bytes_in += size;
		if (nnews > 0 && !add_objects(conn, !from_client, news, nnews,
				false)) {
			return false;
		}
		break;
	case CW_ASK:
		if (from_client) {
			struct cw_held *held = calloc(1, sizeof(*held));
			if (held == NULL) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_NO_MEMORY, "out of memory");
				return false;
			}
			held->conn = conn;
			held->deny = call.hold_deny;
			held->answer.changed = held_release;
			cw_list_insert(conn->held.prev, &held->link);
			if (!held_add(held, ep, data, size, msg, news, nnews)) {
				return false;
			}
			cw_permissions_wait(conn->proxy->perms, call.hold_cap,
				call.hold_detail, &held->answer);
			return !conn->dead && !conn->closing;
		}
		/* nothing to hold on to: refuse */
		/* fallthrough */
	case CW_DENY:
	case CW_HIDE:
		close_fds(&ep->in_fds, msg->nfds);
		/* objects a dropped request creates are answered locally */
		if (from_client && (!add_objects(conn, false, news, nnews,
				true) || !reserve_ids(conn, news, nnews))) {
			return false;
		}
		return true;
	case CW_ERROR:
		if (call.error_as_compositor) {
			conn_error(conn, id, call.error_code, call.error,
				call.error, true);
		} else {
			cw_conn_fatal(conn, id, call.error_code, "%s",
				call.error);
		}
		return false;
	}

	if (msg->destructor) {
		/* gone, but in-flight events still need its interface */
		obj->state = CW_OBJECT_ZOMBIE;
	}
	if (!from_client) {
		if (msg == msg_delete_id) {
			struct cw_object *gone = cw_objmap_get(&conn->objects,
				args.value[0].u);
			if (gone != NULL && args.value[0].u < CW_SERVER_ID_START &&
					gone->state != CW_OBJECT_LOCAL) {
				objects_remove(conn, args.value[0].u);
			}
		} else if (msg == msg_display_error) {
			conn->compositor_error = true;
		}
	}
	return true;
}

/*
 * Parses and handles complete messages; returns the bytes consumed. One
 * copy per direction (from_client is ep->is_client): process_input.
 */
static inline __attribute__((always_inline)) uint32_t process_messages(
	struct cw_endpoint *ep, uint8_t *buf, uint32_t len, bool from_client)
{
	struct cw_conn *conn = ep->conn;
	struct cw_endpoint *dest = from_client ? &conn->server : &conn->client;
	uint32_t pos = 0;
	ep->blocked = false;
	while (len - pos >= CW_HEADER_SIZE) {
		uint8_t *m = buf + pos;
		uint32_t size = cw_msg_size(m);
		if (size < CW_HEADER_SIZE || size > CW_MAX_MESSAGE_SIZE ||
				size % 4 != 0) {
			if (from_client) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_INVALID_METHOD, "invalid message "
					"size %u on object %u (must be 8 to %u "
					"and a multiple of 4)", size,
					cw_msg_id(m), CW_MAX_MESSAGE_SIZE);
			} else {
				compositor_fatal(conn, "message size %u", size);
			}
			return pos;
		}
		if (len - pos < size) {
			break;
		}
		/* back-pressure: leave the rest unread until dest drains */
		if (dest->out.len + dest->run_len >= CW_OUT_LIMIT ||
				dest->out_nfds + 8 > CW_FDQ_SIZE) {
			ep->blocked = true;
			break;
		}
		if (!handle_message(ep, m, size, from_client)) {
			return pos;
		}
		pos += size;
	}
	return pos;
}

static uint32_t process_input(struct cw_endpoint *ep, uint8_t *buf,
	uint32_t len)
{
	return ep->is_client ? process_messages(ep, buf, len, true) :
		process_messages(ep, buf, len, false);
}

/* Reads once: bytes into buf, fds into the endpoint's queue. */
static ssize_t endpoint_recv(struct cw_endpoint *ep, uint8_t *buf,
	size_t size, unsigned *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	do {
		n = recvmsg(ep->source.fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	*nfds = 0;
	if (n < 0) {
		return n;
	}
	bool overflow = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
			c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			continue;
		}
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *fds = (int *)CMSG_DATA(c);
		for (size_t i = 0; i < count; i++) {
			if (!fdq_push(&ep->in_fds, fds[i])) {
				close(fds[i]);
				overflow = true;
			} else {
				(*nfds)++;
			}
		}
	}
	if (n == 0) {
		cw_record_eof(ep->conn->record, ep->is_client);
	} else {
		cw_record_read(ep->conn->record, ep->is_client, buf, n, *nfds);
	}
	if (overflow || (msg.msg_flags & MSG_CTRUNC)) {
		errno = EMFILE;
		return -2;
	}
	return n;
}

static void endpoint_eof(struct cw_endpoint *ep)
{
	struct cw_conn *conn = ep->conn;
	ep->eof = true;
	if (ep->is_client) {
		/* pass on what the client sent before leaving, then go */
		endpoint_flush(&conn->server);
		cw_conn_destroy(conn);
		return;
	}
	/* the compositor went away: tell the client, unless it already
	 * sent its own error */
	cw_conn_trace(conn, "DISCONNECT", "the compositor closed the "
		"connection");
	if (!conn->compositor_error) {
		cw_conn_refuse(conn, CW_ERROR_IMPLEMENTATION,
			"the compositor closed the connection");
	} else {
		conn_linger(conn);
	}
}

/* The closing client: discard its input until it hangs up. */
static void drain_closing(struct cw_endpoint *ep)
{
	unsigned nfds;
	ssize_t n = endpoint_recv(ep, scratch, CW_READ_SIZE, &nfds);
	fdq_close_all(&ep->in_fds);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		cw_conn_destroy(ep->conn);
	}
}

static void endpoint_input(struct cw_endpoint *ep)
{
	struct cw_conn *conn = ep->conn;
	uint32_t have = ep->in.len;
	ssize_t n = 0;
	bool eof = false;

	if (have > 0) {
		memcpy(scratch, ep->in.data + ep->in.start, have);
	}
	if (!ep->blocked) {
		/* not blocked: what is left is less than one message */
		unsigned nfds = 0;
		n = endpoint_recv(ep, scratch + have, CW_READ_SIZE, &nfds);
		if (n == -2) {
			if (ep->is_client) {
				cw_conn_fatal(conn, CW_DISPLAY_ID,
					CW_ERROR_INVALID_METHOD, "too many file "
					"descriptors queued (more than %d)",
					CW_FDQ_SIZE);
			} else {
				compositor_fatal(conn, "too many fds");
			}
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				return;
			}
			n = 0;
		}
		eof = n == 0;
		ep->last_read_fds = nfds;
	}
	uint32_t total = have + (uint32_t)n;
	uint32_t used = process_input(ep, scratch, total);
	if (conn->dead || conn->closing) {
		return;
	}
	buf_consume(&ep->in, ep->in.len);
	if (used < total && !buf_append(&ep->in, scratch + used, total - used)) {
		cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_NO_MEMORY,
			"out of memory");
		return;
	}
	/* fds at a message boundary that came before the last read belong to
	 * no message: a conforming sender attaches fds no later than the
	 * bytes of their message, and at worst one read early */
	/* while a message is incomplete, its fds (and at most one sendmsg
	 * worth sent early) may wait; more is hoarding */
	if (ep->in.len > 0 && ep->in_fds.count > CW_MAX_FDS_OUT + 4) {
		if (ep->is_client) {
			cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_INVALID_METHOD,
				"%u file descriptors sent ahead of an "
				"unfinished message", ep->in_fds.count);
		} else {
			compositor_fatal(conn, "fds ahead of a message");
		}
		return;
	}
	if (ep->in.len == 0 && ep->in_fds.count > ep->last_read_fds) {
		if (ep->is_client) {
			cw_conn_fatal(conn, CW_DISPLAY_ID, CW_ERROR_INVALID_METHOD,
				"%u file descriptor(s) sent without a message "
				"that takes them",
				ep->in_fds.count - ep->last_read_fds);
		} else {
			compositor_fatal(conn, "surplus fds");
		}
		return;
	}

	struct cw_endpoint *dest = ep->is_client ? &conn->server : &conn->client;
	if (!endpoint_flush(dest)) {
		if (dest->is_client) {
			cw_conn_destroy(conn);
		} else {
			endpoint_eof(dest);
		}
		return;
	}
	/* replies the proxy made itself (delete_id of local objects) */
	if (ep->is_client && ep->out.len > 0 && !endpoint_flush(ep)) {
		cw_conn_destroy(conn);
		return;
	}
	if (eof) {
		endpoint_eof(ep);
		return;
	}
	update_interest(conn);
}

static void update_interest(struct cw_conn *conn)
{
	struct cw_proxy *proxy = conn->proxy;
	struct cw_endpoint *eps[2] = { &conn->client, &conn->server };
	for (int i = 0; i < 2; i++) {
		struct cw_endpoint *ep = eps[i];
		struct cw_endpoint *peer = i == 0 ? &conn->server : &conn->client;
		if (ep->source.fd < 0) {
			continue;
		}
		uint32_t events = 0;
		if (conn->closing) {
			events = EPOLLIN;
		} else if (!ep->eof && peer->out.len < CW_OUT_LIMIT &&
				peer->out_nfds + 8 <= CW_FDQ_SIZE) {
			events = EPOLLIN;
		}
		if (ep->out.len > 0) {
			events |= EPOLLOUT;
		}
		cw_loop_update(proxy->loop, &ep->source, events);
	}
}

static void endpoint_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_endpoint *ep = cw_container_of(source, ep, source);
	struct cw_conn *conn = ep->conn;
	if (conn->dead || source->fd < 0) {
		return;
	}
	if (events & EPOLLOUT) {
		if (!endpoint_flush(ep)) {
			if (ep->is_client || conn->closing) {
				cw_conn_destroy(conn);
			} else {
				endpoint_eof(ep);
			}
			return;
		}
		if (conn->closing && ep->out.len == 0) {
			/* the error is out: no more writes */
			shutdown(ep->source.fd, SHUT_WR);
		}
		/* resume the side that waited for this one to drain */
		struct cw_endpoint *src = ep->is_client ? &conn->server :
			&conn->client;
		if (!conn->closing && src->blocked && src->source.fd >= 0) {
			endpoint_input(src);
			if (conn->dead || conn->closing) {
				return;
			}
		}
		update_interest(conn);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (conn->closing) {
			drain_closing(ep);
			return;
		}
		if (ep->blocked && !(events & EPOLLIN)) {
			/* hung up while we waited for the other side */
			endpoint_eof(ep);
			return;
		}
		endpoint_input(ep);
	}
}
