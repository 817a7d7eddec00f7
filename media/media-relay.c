/* The PipeWire relay (see media-relay.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "list.h"
#include "log.h"
#include "notes.h"
#include "util.h"
#include "media-relay.h"
#include "media-restrict.h"

#define RELAY_BUF (128 * 1024)
#define RELAY_MAX_FDS 128      /* queued per direction */
#define RELAY_FDS_PER_MSG 28   /* what libpipewire's recvmsg takes at once */
#define RELAY_MAX_CLIENTS 64
#define RELAY_MAX_IDS 64

/* What the sandbox's connections can make the relay say (cw_notes). */
enum relay_note {
	NOTE_FULL,          /* over RELAY_MAX_CLIENTS */
	NOTE_NO_CONNECTION, /* no restricted connection for a client */
};

/* One direction: read from one end, written to the other. */
struct half {
	uint8_t *buf;
	size_t head, len;
	int fds[RELAY_MAX_FDS];
	size_t nfds;
};

struct relay_conn {
	struct cw_list link;
	struct cw_media_relay *relay;
	struct cw_source client;   /* the sandbox's end */
	struct cw_source upstream; /* the daemon's end */
	struct cw_media_restrict *pending;
	uint32_t client_id;
	bool announced;
	struct half up;   /* client -> daemon */
	struct half down; /* daemon -> client */
};

struct cw_media_relay {
	struct cw_media_pw *pw;
	struct cw_source listener;
	char path[108];
	char **props;
	const struct cw_media_relay_hooks *hooks;
	void *data;
	struct cw_list conns;
	size_t nconns;
	struct cw_notes notes;
};

static void half_finish(struct half *h)
{
	for (size_t i = 0; i < h->nfds; i++) {
		close(h->fds[i]);
	}
	h->nfds = 0;
	free(h->buf);
	h->buf = NULL;
}

static void conn_destroy(struct relay_conn *c)
{
	struct cw_media_relay *r = c->relay;
	cw_list_remove(&c->link);
	r->nconns--;
	cw_media_restrict_cancel(c->pending);
	cw_loop_remove(r->pw->loop, &c->client);
	close(c->client.fd);
	if (c->upstream.fd >= 0) {
		cw_loop_remove(r->pw->loop, &c->upstream);
		close(c->upstream.fd);
	}
	half_finish(&c->up);
	half_finish(&c->down);
	if (c->announced && r->hooks->client_removed != NULL) {
		r->hooks->client_removed(r->data, c->client_id);
	}
	free(c);
}

/* Reads what fits; false when the end closed or failed. */
static bool half_read(int fd, struct half *h)
{
	if (h->head > 0) {
		memmove(h->buf, h->buf + h->head, h->len);
		h->head = 0;
	}
	while (h->len < RELAY_BUF) {
		char cbuf[CMSG_SPACE(RELAY_FDS_PER_MSG * 2 * sizeof(int))];
		struct iovec iov = {
			.iov_base = h->buf + h->len,
			.iov_len = RELAY_BUF - h->len,
		};
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return true;
		}
		if (n <= 0) {
			return false;
		}
		bool ok = (msg.msg_flags & MSG_CTRUNC) == 0;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm != NULL;
				cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
					cm->cmsg_type != SCM_RIGHTS) {
				continue;
			}
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fds = (int *)CMSG_DATA(cm);
			for (size_t i = 0; i < k; i++) {
				if (ok && h->nfds < RELAY_MAX_FDS) {
					h->fds[h->nfds++] = fds[i];
				} else {
					/* too many in flight: this end is
					 * not speaking PipeWire */
					close(fds[i]);
					ok = false;
				}
			}
		}
		if (!ok) {
			return false;
		}
		h->len += (size_t)n;
		if (h->nfds > RELAY_MAX_FDS - RELAY_FDS_PER_MSG * 2) {
			return true; /* let the fds drain first */
		}
		if ((size_t)n < iov.iov_len) {
			/* drained for now: the loop says when more comes,
			 * without one more recvmsg to hear EAGAIN */
			return true;
		}
	}
	return true;
}

/*
 * Writes what the other end takes. An fd goes out with (or before) the
 * bytes that came in with it: receivers queue fds in order.
 */
static bool half_write(int fd, struct half *h)
{
	while (h->len > 0) {
		size_t nfds = h->nfds < RELAY_FDS_PER_MSG ? h->nfds :
			RELAY_FDS_PER_MSG;
		struct iovec iov = {
			.iov_base = h->buf + h->head,
			/* more fds than one message carries: a byte each
			 * time, so that none is dropped */
			.iov_len = h->nfds > RELAY_FDS_PER_MSG ? 1 : h->len,
		};
		char cbuf[CMSG_SPACE(RELAY_FDS_PER_MSG * sizeof(int))];
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (nfds > 0) {
			msg.msg_control = cbuf;
			msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(cm), h->fds, nfds * sizeof(int));
		}
		ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return true;
		}
		if (n < 0) {
			return false;
		}
		for (size_t i = 0; i < nfds; i++) {
			close(h->fds[i]);
		}
		memmove(h->fds, h->fds + nfds, (h->nfds - nfds) * sizeof(int));
		h->nfds -= nfds;
		h->head += (size_t)n;
		h->len -= (size_t)n;
		if (h->len == 0) {
			h->head = 0;
		}
	}
	return true;
}

static uint32_t half_events(const struct half *in, const struct half *out)
{
	uint32_t ev = 0;
	if (in->len < RELAY_BUF &&
			in->nfds <= RELAY_MAX_FDS - RELAY_FDS_PER_MSG * 2) {
		ev |= EPOLLIN;
	}
	if (out->len > 0) {
		ev |= EPOLLOUT;
	}
	return ev;
}

static void conn_update(struct relay_conn *c)
{
	struct cw_loop *loop = c->relay->pw->loop;
	cw_loop_update(loop, &c->client, half_events(&c->up, &c->down));
	cw_loop_update(loop, &c->upstream, half_events(&c->down, &c->up));
}

/* Both ends at once: what one reads, the other writes right away. */
static void conn_pump(struct relay_conn *c, uint32_t events, bool from_client)
{
	int in = from_client ? c->client.fd : c->upstream.fd;
	int out = from_client ? c->upstream.fd : c->client.fd;
	struct half *inh = from_client ? &c->up : &c->down;
	struct half *outh = from_client ? &c->down : &c->up;
	bool ok = true;
	if (events & EPOLLIN) {
		ok = half_read(in, inh) && half_write(out, inh);
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		ok = false;
	}
	if (ok && (events & EPOLLOUT)) {
		ok = half_write(in, outh);
	}
	if (!ok) {
		conn_destroy(c);
		return;
	}
	conn_update(c);
}

static void client_dispatch(struct cw_source *source, uint32_t events)
{
	struct relay_conn *c = cw_container_of(source, c, client);
	if (c->upstream.fd < 0) {
		/* not connected yet: only a hang-up matters */
		if (events & (EPOLLHUP | EPOLLERR)) {
			conn_destroy(c);
		}
		return;
	}
	conn_pump(c, events, true);
}

static void upstream_dispatch(struct cw_source *source, uint32_t events)
{
	struct relay_conn *c = cw_container_of(source, c, upstream);
	conn_pump(c, events, false);
}

static void restricted(void *data, int fd, uint32_t client_id,
	const char *err)
{
	struct relay_conn *c = data;
	cw_media_restrict_cancel(c->pending);
	c->pending = NULL;
	if (fd < 0) {
		cw_note(&c->relay->notes, NOTE_NO_CONNECTION, "REFUSED",
			"media: a client of the sandbox gets no PipeWire "
			"connection: %s", err);
		conn_destroy(c);
		return;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	c->client_id = client_id;
	if (!cw_loop_add(c->relay->pw->loop, &c->upstream, fd, 0,
			upstream_dispatch)) {
		close(fd);
		conn_destroy(c);
		return;
	}
	c->announced = true;
	if (c->relay->hooks->client_added != NULL) {
		c->relay->hooks->client_added(c->relay->data, client_id);
	}
	conn_update(c);
}

static void listener_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_media_relay *r = cw_container_of(source, r, listener);
	for (;;) {
		int fd = accept4(source->fd, NULL, NULL,
			SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			return;
		}
		if (r->nconns >= RELAY_MAX_CLIENTS) {
			cw_note(&r->notes, NOTE_FULL, "REFUSED", "media: the "
				"sandbox has %d PipeWire connections already; "
				"refused one", RELAY_MAX_CLIENTS);
			close(fd);
			continue;
		}
		struct relay_conn *c = calloc(1, sizeof(*c));
		if (c != NULL) {
			c->up.buf = malloc(RELAY_BUF);
			c->down.buf = malloc(RELAY_BUF);
		}
		if (c == NULL || c->up.buf == NULL || c->down.buf == NULL ||
				!cw_loop_add(r->pw->loop, &c->client, fd, 0,
				client_dispatch)) {
			if (c != NULL) {
				free(c->up.buf);
				free(c->down.buf);
			}
			free(c);
			close(fd);
			continue;
		}
		c->relay = r;
		c->upstream.fd = -1;
		c->client_id = UINT32_MAX;
		cw_list_insert(&r->conns, &c->link);
		r->nconns++;
		uint32_t ids[RELAY_MAX_IDS];
		size_t n = r->hooks->ids(r->data, ids, RELAY_MAX_IDS);
		c->pending = cw_media_restrict_start(r->pw, ids, n,
			(const char *const *)r->props, restricted, c);
		if (c->pending == NULL) {
			cw_note(&r->notes, NOTE_NO_CONNECTION, "REFUSED",
				"media: cannot connect to PipeWire: %s",
				strerror(errno));
			conn_destroy(c);
		}
	}
}

struct cw_media_relay *cw_media_relay_create(struct cw_media_pw *pw,
	const char *path, const char *const *props,
	const struct cw_media_relay_hooks *hooks, void *data, char *err,
	size_t errlen)
{
	struct cw_media_relay *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->pw = pw;
	r->hooks = hooks;
	r->data = data;
	cw_list_init(&r->conns);
	cw_notes_init(&r->notes, pw->loop);
	size_t n = 0;
	while (props != NULL && props[n] != NULL) {
		n++;
	}
	r->props = calloc(n + 1, sizeof(*r->props));
	for (size_t i = 0; r->props != NULL && i < n; i++) {
		r->props[i] = strdup(props[i]);
	}
	if (strlen(path) >= sizeof(r->path)) {
		snprintf(err, errlen, "%s: the path is too long for a socket",
			path);
		goto fail;
	}
	/* both as long as sun_path, and path fits (above); gcc's UBSan
	 * build warned on snprintf here that path might be null */
	memcpy(r->path, path, strlen(path) + 1);
	unlink(path);
	char why[256];
	int fd = cw_unix_listen(path, 16, why, sizeof(why));
	if (fd >= 0 && !cw_loop_add(pw->loop, &r->listener, fd, EPOLLIN,
			listener_dispatch)) {
		snprintf(why, sizeof(why), "%s: %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s", why);
		unlink(path);
		goto fail;
	}
	return r;

fail:
	cw_notes_finish(&r->notes);
	for (size_t i = 0; r->props != NULL && r->props[i] != NULL; i++) {
		free(r->props[i]);
	}
	free(r->props);
	free(r);
	return NULL;
}

void cw_media_relay_drop_all(struct cw_media_relay *relay)
{
	while (!cw_list_empty(&relay->conns)) {
		conn_destroy(cw_container_of(relay->conns.next,
			(struct relay_conn *)NULL, link));
	}
}

void cw_media_relay_destroy(struct cw_media_relay *relay)
{
	if (relay == NULL) {
		return;
	}
	cw_media_relay_drop_all(relay);
	cw_loop_remove(relay->pw->loop, &relay->listener);
	close(relay->listener.fd);
	unlink(relay->path);
	cw_notes_finish(&relay->notes);
	for (size_t i = 0; relay->props != NULL && relay->props[i] != NULL;
			i++) {
		free(relay->props[i]);
	}
	free(relay->props);
	free(relay);
}
