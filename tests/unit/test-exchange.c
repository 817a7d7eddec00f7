/*
 * Scripted exchanges through an in-process proxy: a fake client and a fake
 * compositor on socketpairs, bytes and fds checked on both sides.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conn.h"
#include "cw-protocol-tables.h"
#include "policy.h"
#include "proxy.h"
#include "sendfds.h"
#include "tap.h"
#include "wire.h"

struct rig {
	struct cw_loop *loop;
	struct cw_policy *policy;
	struct cw_proxy *proxy;
	int client; /* the test's end of the client socket */
	int comp;   /* the test's end of the compositor socket */
};

struct msgbuf {
	uint8_t data[1 << 20];
	uint32_t len;
	int fds[64];
	int nfds;
};

static struct msgbuf rx;

static void rig_init(struct rig *r, const char *policy)
{
	char err[256];
	int c[2], s[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c);
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s);
	r->loop = cw_loop_create();
	r->policy = cw_policy_load(policy, err, sizeof(err));
	r->proxy = cw_proxy_create(r->loop, r->policy, NULL, s[0]);
	cw_proxy_add_client(r->proxy, c[1]);
	r->client = c[0];
	r->comp = s[1];
}

static void rig_finish(struct rig *r)
{
	cw_proxy_destroy(r->proxy);
	cw_loop_destroy(r->loop);
	cw_policy_destroy(r->policy);
	close(r->client);
	close(r->comp);
}

static void pump(struct rig *r)
{
	for (int i = 0; i < 20; i++) {
		if (cw_proxy_dispatch(r->proxy, 0) <= 0) {
			break;
		}
	}
}

static void send_msg(int fd, const uint8_t *data, uint32_t len,
	const int *fds, int nfds)
{
	send_with_fds(fd, data, len, fds, nfds, 0);
}

/* Reads whatever is there; returns false on EOF with nothing read. */
static bool recv_all(int fd, struct msgbuf *b)
{
	b->len = 0;
	b->nfds = 0;
	bool eof = false;
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 32)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = b->data + b->len,
			.iov_len = sizeof(b->data) - b->len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0) {
			eof = n == 0;
			break;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
				c = CMSG_NXTHDR(&msg, c)) {
			int count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(b->fds + b->nfds, CMSG_DATA(c),
				sizeof(int) * count);
			b->nfds += count;
		}
		b->len += n;
	}
	return !(eof && b->len == 0);
}

struct m {
	uint8_t data[512];
	uint32_t len;
};

static struct m *msg_begin(struct m *m)
{
	m->len = 8;
	return m;
}

static void w(struct m *m, uint32_t v)
{
	memcpy(m->data + m->len, &v, 4);
	m->len += 4;
}

static void s(struct m *m, const char *str)
{
	uint32_t len = strlen(str) + 1;
	w(m, len);
	memset(m->data + m->len, 0, (len + 3) & ~3u);
	memcpy(m->data + m->len, str, len);
	m->len += (len + 3) & ~3u;
}

static void end(struct m *m, uint32_t id, uint16_t op)
{
	cw_wire_write_header(m->data, id, op, m->len);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n;
}

/* The error a client received, or "" */
static const char *error_text(const struct msgbuf *b, uint32_t *code)
{
	uint32_t pos = 0;
	while (pos + 8 <= b->len) {
		const uint8_t *p = b->data + pos;
		uint32_t size = cw_msg_size(p);
		if (size < 8) {
			break;
		}
		if (cw_msg_id(p) == 1 && cw_msg_opcode(p) == 0) {
			memcpy(code, p + 12, 4);
			return (const char *)p + 20;
		}
		pos += size;
	}
	return "";
}

static void client_send(struct rig *r, struct m *m)
{
	send_msg(r->client, m->data, m->len, NULL, 0);
	pump(r);
}

static void comp_send(struct rig *r, struct m *m)
{
	send_msg(r->comp, m->data, m->len, NULL, 0);
	pump(r);
}

/* get_registry(2), then the compositor announces three globals */
static void setup_registry(struct rig *r)
{
	struct m m;
	msg_begin(&m);
	w(&m, 2);
	end(&m, 1, 1);
	client_send(r, &m);
	recv_all(r->comp, &rx);
	const char *names[] = { "wl_compositor", "zwlr_layer_shell_v1",
		"zcw_unknown_v1", "wl_shm", "wl_seat" };
	uint32_t versions[] = { 4, 4, 1, 1, 1000 };
	for (uint32_t i = 0; i < 5; i++) {
		msg_begin(&m);
		w(&m, i + 1);
		s(&m, names[i]);
		w(&m, versions[i]);
		end(&m, 2, 0);
		send_msg(r->comp, m.data, m.len, NULL, 0);
	}
	pump(r);
}

static void do_bind(struct rig *r, uint32_t name, const char *iface,
	uint32_t version, uint32_t id)
{
	struct m m;
	msg_begin(&m);
	w(&m, name);
	s(&m, iface);
	w(&m, version);
	w(&m, id);
	end(&m, 2, 0);
	client_send(r, &m);
}

/* Expect the client to have been told off with text containing want. */
static void expect_error(struct rig *r, const char *want, const char *what)
{
	recv_all(r->client, &rx);
	uint32_t code = 99;
	const char *text = error_text(&rx, &code);
	ok(strstr(text, want) != NULL, "%s: error \"%s\" (code %u)", what, text,
		code);
	bool comp_closed = !recv_all(r->comp, &rx);
	ok(comp_closed && r->proxy->nconns <= 1,
		"%s: the compositor side is closed", what);
}

/* The same, word for word: what libwayland-server itself would say. */
static void expect_exact_error(struct rig *r, const char *want,
	const char *what)
{
	recv_all(r->client, &rx);
	uint32_t code = 99;
	const char *text = error_text(&rx, &code);
	ok(strcmp(text, want) == 0, "%s: error \"%s\" (code %u)", what, text,
		code);
	bool comp_closed = !recv_all(r->comp, &rx);
	ok(comp_closed && r->proxy->nconns <= 1,
		"%s: the compositor side is closed", what);
}

static void test_registry(void)
{
	struct rig r;
	rig_init(&r, "default");
	struct m m;
	msg_begin(&m);
	w(&m, 2);
	end(&m, 1, 1);
	client_send(&r, &m);
	recv_all(r.comp, &rx);
	ok(rx.len == m.len && memcmp(rx.data, m.data, m.len) == 0,
		"get_registry reaches the compositor unchanged");

	uint8_t expect[2048];
	uint32_t expect_len = 0;
	const char *names[] = { "wl_compositor", "zwlr_layer_shell_v1",
		"zcw_unknown_v1", "wl_shm" };
	for (uint32_t i = 0; i < 4; i++) {
		msg_begin(&m);
		w(&m, i + 1);
		s(&m, names[i]);
		w(&m, i == 0 ? 4 : 1);
		end(&m, 2, 0);
		send_msg(r.comp, m.data, m.len, NULL, 0);
		if (i == 0 || i == 3) {
			memcpy(expect + expect_len, m.data, m.len);
			expect_len += m.len;
		}
	}
	pump(&r);
	recv_all(r.client, &rx);
	ok(rx.len == expect_len && memcmp(rx.data, expect, expect_len) == 0,
		"the client sees wl_compositor and wl_shm only, byte for byte");

	/* a second registry gets the same view */
	msg_begin(&m);
	w(&m, 3);
	end(&m, 1, 1);
	client_send(&r, &m);
	recv_all(r.comp, &rx);
	for (uint32_t i = 0; i < 4; i++) {
		msg_begin(&m);
		w(&m, i + 1);
		s(&m, names[i]);
		w(&m, i == 0 ? 4 : 1);
		end(&m, 3, 0);
		send_msg(r.comp, m.data, m.len, NULL, 0);
	}
	pump(&r);
	recv_all(r.client, &rx);
	ok(rx.len == expect_len, "a second registry is filtered the same");

	/* global_remove of a hidden global is hidden too */
	msg_begin(&m);
	w(&m, 2);
	end(&m, 2, 1);
	comp_send(&r, &m);
	recv_all(r.client, &rx);
	ok(rx.len == 0, "global_remove of a hidden global is dropped");
	msg_begin(&m);
	w(&m, 4);
	end(&m, 2, 1);
	comp_send(&r, &m);
	recv_all(r.client, &rx);
	ok(rx.len == m.len, "global_remove of a visible global passes");

	/* a visible bind passes and creates a typed object */
	do_bind(&r, 1, "wl_compositor", 4, 4);
	recv_all(r.comp, &rx);
	ok(rx.len > 0, "bind to a visible global passes");
	msg_begin(&m);
	w(&m, 5);
	end(&m, 4, 0); /* wl_compositor.create_surface(5) */
	client_send(&r, &m);
	recv_all(r.comp, &rx);
	ok(rx.len == m.len, "create_surface on the bound object passes");
	rig_finish(&r);
}

static void test_caps(void)
{
	struct rig r;
	rig_init(&r, "default");
	setup_registry(&r);
	recv_all(r.client, &rx);
	/* wl_seat advertised as 1000: capped to the tables' version */
	uint32_t pos = 0, seat_version = 0;
	while (pos + 8 <= rx.len) {
		uint8_t *p = rx.data + pos;
		if (strcmp((char *)p + 16, "wl_seat") == 0) {
			memcpy(&seat_version, p + cw_msg_size(p) - 4, 4);
		}
		pos += cw_msg_size(p);
	}
	ok(seat_version == cw_iface_wl_seat.version,
		"wl_seat v1000 advertised as v%u", seat_version);
	do_bind(&r, 5, "wl_seat", seat_version + 1, 3);
	expect_error(&r, "invalid version for global wl_seat",
		"bind above the advertised version");
	rig_finish(&r);
}

static void test_bind_errors(void)
{
	struct rig r;
	rig_init(&r, "default");
	setup_registry(&r);
	do_bind(&r, 2, "zwlr_layer_shell_v1", 1, 3);
	expect_exact_error(&r, "invalid global zwlr_layer_shell_v1 (2)",
		"bind to hidden, in the words of a name that never existed");
	rig_finish(&r);

	rig_init(&r, "trusted");
	setup_registry(&r);
	do_bind(&r, 3, "zcw_unknown_v1", 1, 3);
	expect_error(&r, "zcw_unknown_v1", "bind to an unknown interface "
		"under trusted");
	rig_finish(&r);

	rig_init(&r, "default");
	setup_registry(&r);
	do_bind(&r, 77, "wl_compositor", 1, 3);
	expect_exact_error(&r, "invalid global wl_compositor (77)",
		"bind to a name never advertised");
	rig_finish(&r);

	rig_init(&r, "default");
	setup_registry(&r);
	do_bind(&r, 1, "wl_shm", 1, 3);
	expect_error(&r, "invalid interface for global 1",
		"bind with the wrong interface");
	rig_finish(&r);
}

static void test_fds_and_ids(void)
{
	struct rig r;
	rig_init(&r, "default");
	setup_registry(&r);
	do_bind(&r, 4, "wl_shm", 1, 3);
	recv_all(r.comp, &rx);

	int memfd = memfd_create("pool", MFD_CLOEXEC);
	ftruncate(memfd, 4096);
	struct stat want, got;
	fstat(memfd, &want);
	struct m m;
	msg_begin(&m);
	w(&m, 4);
	w(&m, 4096);
	end(&m, 3, 0); /* wl_shm.create_pool(4, fd, 4096) */
	send_msg(r.client, m.data, m.len, &memfd, 1);
	close(memfd);
	pump(&r);
	recv_all(r.comp, &rx);
	ok(rx.nfds == 1 && fstat(rx.fds[0], &got) == 0 &&
		got.st_ino == want.st_ino && rx.len == m.len &&
		memcmp(rx.data, m.data, m.len) == 0,
		"create_pool: bytes unchanged and the same file passed on");
	if (rx.nfds > 0) {
		close(rx.fds[0]);
	}

	/* wl_display.sync(5) twice, without delete_id in between */
	msg_begin(&m);
	w(&m, 5);
	end(&m, 1, 0);
	client_send(&r, &m);
	recv_all(r.comp, &rx);
	client_send(&r, &m);
	expect_error(&r, "already in use", "new id reused before delete_id");
	rig_finish(&r);

	rig_init(&r, "default");
	setup_registry(&r);
	recv_all(r.client, &rx);
	msg_begin(&m);
	w(&m, 3);
	end(&m, 1, 0);
	client_send(&r, &m);
	msg_begin(&m);
	w(&m, 9);
	end(&m, 3, 0); /* wl_callback@3.done(9) */
	send_msg(r.comp, m.data, m.len, NULL, 0);
	msg_begin(&m);
	w(&m, 3);
	end(&m, 1, 1); /* delete_id(3) */
	comp_send(&r, &m);
	recv_all(r.client, &rx);
	ok(rx.len == 12 + 12, "done and delete_id reach the client");
	msg_begin(&m);
	w(&m, 3);
	end(&m, 1, 0);
	client_send(&r, &m);
	recv_all(r.comp, &rx);
	recv_all(r.client, &rx);
	ok(rx.len == 0 && r.proxy->nconns == 1,
		"after delete_id the id can be reused");

	/* a keymap event carries its fd to the client */
	do_bind(&r, 5, "wl_seat", 1, 4);
	msg_begin(&m);
	w(&m, 5);
	end(&m, 4, 1); /* wl_seat.get_keyboard(5) */
	client_send(&r, &m);
	int kfd = memfd_create("keymap", MFD_CLOEXEC);
	msg_begin(&m);
	w(&m, 1);
	w(&m, 10);
	end(&m, 5, 0);
	send_msg(r.comp, m.data, m.len, &kfd, 1);
	close(kfd);
	pump(&r);
	recv_all(r.client, &rx);
	ok(rx.nfds == 1 && rx.len == 16, "keymap event keeps its fd");
	if (rx.nfds > 0) {
		close(rx.fds[0]);
	}
	rig_finish(&r);
}

static void test_compositor_faults(void)
{
	struct rig r;
	rig_init(&r, "default");
	setup_registry(&r);
	recv_all(r.client, &rx);
	struct m m;
	msg_begin(&m);
	w(&m, 1);
	end(&m, 555, 0);
	comp_send(&r, &m);
	recv_all(r.client, &rx);
	uint32_t code;
	ok(strstr(error_text(&rx, &code), "compositor sent a malformed") != NULL,
		"event for an unknown object: the client is told, the proxy "
		"lives");
	rig_finish(&r);

	rig_init(&r, "default");
	setup_registry(&r);
	recv_all(r.client, &rx);
	close(r.comp);
	pump(&r);
	recv_all(r.client, &rx);
	ok(strstr(error_text(&rx, &code), "compositor closed the connection")
		!= NULL, "the compositor hanging up is reported to the client");
	r.comp = -1;
	rig_finish(&r);
}

static void test_backpressure(void)
{
	struct rig r;
	rig_init(&r, "default");
	setup_registry(&r);
	recv_all(r.client, &rx);
	/* the client never reads; the compositor keeps sending globals */
	int flags = fcntl(r.comp, F_GETFL);
	fcntl(r.comp, F_SETFL, flags | O_NONBLOCK);
	struct m m;
	size_t sent = 0;
	for (uint32_t i = 0; i < 200000; i++) {
		msg_begin(&m);
		w(&m, 1);
		s(&m, "wl_compositor");
		w(&m, 4);
		end(&m, 2, 0);
		ssize_t n = send(r.comp, m.data, m.len, MSG_DONTWAIT);
		if (n < 0) {
			pump(&r);
			if (send(r.comp, m.data, m.len, MSG_DONTWAIT) < 0) {
				break;
			}
		}
		sent += m.len;
		if (i % 64 == 0) {
			pump(&r);
		}
	}
	pump(&r);
	struct cw_conn *conn = cw_container_of(r.proxy->conns.next, conn, link);
	msg_begin(&m);
	w(&m, 1);
	s(&m, "wl_compositor");
	w(&m, 4);
	end(&m, 2, 0);
	ok(sent > CW_OUT_LIMIT && send(r.comp, m.data, m.len, MSG_DONTWAIT) < 0
		&& errno == EAGAIN, "back-pressure reached the compositor after "
		"%zu KiB", sent / 1024);
	ok(conn->client.out.len <= CW_OUT_LIMIT + CW_READ_SIZE &&
		conn->server.in.len <= CW_READ_SIZE + CW_MAX_MESSAGE_SIZE,
		"the proxy holds at most %u KiB for a client that does not "
		"read (holds %u KiB)", (CW_OUT_LIMIT + CW_READ_SIZE) / 1024,
		conn->client.out.len / 1024);
	rig_finish(&r);
}

/* ---- clipboard=focus: the proxy's idea of focus, per keyboard ---- */

/* A client with wl_seat 3 (name 5, v5) and wl_keyboards 4 and 5. */
static void focus_rig(struct rig *r)
{
	rig_init(r, "default");
	setup_registry(r);
	do_bind(r, 5, "wl_seat", 5, 3);
	struct m m;
	for (uint32_t id = 4; id <= 5; id++) {
		msg_begin(&m);
		w(&m, id);
		end(&m, 3, 1); /* wl_seat.get_keyboard */
		client_send(r, &m);
	}
	recv_all(r->comp, &rx);
}

static void kb_event(struct rig *r, uint32_t kb, bool enter)
{
	struct m m;
	msg_begin(&m);
	w(&m, 100); /* serial */
	w(&m, 0xff000001); /* a surface */
	if (enter) {
		w(&m, 0); /* no keys */
	}
	end(&m, kb, enter ? 1 : 2);
	comp_send(r, &m);
}

static void client_request(struct rig *r, uint32_t id, uint16_t op)
{
	struct m m;
	msg_begin(&m);
	end(&m, id, op);
	client_send(r, &m);
}

static void test_focus(void)
{
	struct rig r;
	struct m m;

	focus_rig(&r);
	kb_event(&r, 4, true);
	ok(r.proxy->focused_conns == 1, "enter on a keyboard: focused");
	client_request(&r, 4, 0); /* wl_keyboard.release */
	ok(r.proxy->focused_conns == 0, "its release: not focused");
	kb_event(&r, 4, true);
	ok(r.proxy->focused_conns == 0,
		"an enter still in flight after the release: not focused");
	rig_finish(&r);

	focus_rig(&r);
	kb_event(&r, 4, true);
	kb_event(&r, 5, true);
	client_request(&r, 4, 0);
	ok(r.proxy->focused_conns == 1,
		"two keyboards, one released: the other keeps the focus");
	kb_event(&r, 5, false);
	ok(r.proxy->focused_conns == 0, "then its leave: not focused");
	rig_finish(&r);

	focus_rig(&r);
	kb_event(&r, 4, true);
	msg_begin(&m);
	w(&m, 1); /* pointer only */
	end(&m, 3, 0); /* wl_seat.capabilities */
	comp_send(&r, &m);
	ok(r.proxy->focused_conns == 0,
		"the seat without keyboard, no leave: not focused");
	rig_finish(&r);

	focus_rig(&r);
	kb_event(&r, 4, true);
	msg_begin(&m);
	w(&m, 3); /* pointer and keyboard */
	end(&m, 3, 0);
	comp_send(&r, &m);
	ok(r.proxy->focused_conns == 1, "capabilities with a keyboard: "
		"still focused");
	client_request(&r, 3, 3); /* wl_seat.release */
	ok(r.proxy->focused_conns == 0,
		"the seat released, no leave: not focused");
	rig_finish(&r);

	focus_rig(&r);
	kb_event(&r, 5, true);
	msg_begin(&m);
	w(&m, 5);
	end(&m, 2, 1); /* wl_registry.global_remove of the seat */
	comp_send(&r, &m);
	ok(r.proxy->focused_conns == 0,
		"the seat's global removed, no leave: not focused");
	rig_finish(&r);
}

int main(void)
{
	int fds_before = count_fds();
	test_registry();
	test_caps();
	test_bind_errors();
	test_fds_and_ids();
	test_compositor_faults();
	test_backpressure();
	test_focus();
	int fds_after = count_fds();
	ok(fds_before == fds_after, "no fd leaked (%d before, %d after)",
		fds_before, fds_after);
	return tap_done();
}
