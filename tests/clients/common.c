#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "common.h"
#include "sendfds.h"

int raw_connect(struct raw *r)
{
	memset(r, 0, sizeof(*r));
	const char *display = getenv("WAYLAND_DISPLAY");
	const char *dir = getenv("XDG_RUNTIME_DIR");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (display == NULL) {
		display = "wayland-0";
	}
	if (display[0] == '/') {
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", display);
	} else {
		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s",
			dir ? dir : "", display);
	}
	r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (connect(r->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "connect %s: %s\n", addr.sun_path,
			strerror(errno));
		return -1;
	}
	return r->fd;
}

void raw_send(struct raw *r, const uint32_t *words, uint32_t nwords,
	const int *fds, int nfds)
{
	send_with_fds(r->fd, words, nwords * 4, fds, nfds, 0);
}

void raw_msg(struct raw *r, uint32_t id, uint16_t op, const uint32_t *args,
	uint32_t nargs)
{
	uint32_t words[1024];
	words[0] = id;
	words[1] = ((8 + nargs * 4) << 16) | op;
	if (nargs > 0) {
		memcpy(words + 2, args, nargs * 4);
	}
	raw_send(r, words, nargs + 2, NULL, 0);
}

uint32_t raw_string(uint32_t *out, const char *s, uint32_t len_field,
	bool terminate)
{
	out[0] = len_field;
	uint32_t len = strlen(s) + 1;
	uint32_t words = (len + 3) / 4;
	memset(out + 1, 0, words * 4);
	memcpy(out + 1, s, len - 1);
	if (!terminate) {
		((char *)(out + 1))[len - 1] = 'x';
	}
	return 1 + words;
}

/* Handles complete events in the buffer; returns true when callback_id
 * got done. */
static bool handle_events(struct raw *r, uint32_t callback_id)
{
	bool done = false;
	uint32_t pos = 0;
	while (r->inlen - pos >= 8) {
		uint32_t *w = (uint32_t *)(r->in + pos);
		uint32_t size = w[1] >> 16, op = w[1] & 0xffff;
		if (size < 8 || r->inlen - pos < size) {
			break;
		}
		if (w[0] == 1 && op == 0) {
			snprintf(r->error, sizeof(r->error), "object %u code %u: "
				"%s", w[2], w[3], (char *)&w[5]);
			r->got_error = true;
		} else if (w[0] == 2 && op == 0 && r->ng < 128) {
			r->g[r->ng].name = w[2];
			snprintf(r->g[r->ng].iface, 64, "%s", (char *)&w[4]);
			r->g[r->ng].version = w[size / 4 - 1];
			r->ng++;
		} else if (w[0] == callback_id && op == 0) {
			done = true;
		}
		pos += size;
	}
	memmove(r->in, r->in + pos, r->inlen - pos);
	r->inlen -= pos;
	return done;
}

static bool read_some(struct raw *r, int timeout_ms)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	if (poll(&p, 1, timeout_ms) <= 0) {
		return false;
	}
	char control[CMSG_SPACE(sizeof(int) * 32)];
	struct iovec iov = { .iov_base = r->in + r->inlen,
		.iov_len = sizeof(r->in) - r->inlen };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control) };
	ssize_t n = recvmsg(r->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n <= 0) {
		r->eof = true;
		return false;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
			c = CMSG_NXTHDR(&msg, c)) {
		int count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (int i = 0; i < count; i++) {
			close(((int *)CMSG_DATA(c))[i]);
		}
	}
	r->inlen += n;
	return true;
}

bool raw_roundtrip(struct raw *r, uint32_t callback_id)
{
	uint32_t arg = callback_id;
	raw_msg(r, 1, 0, &arg, 1);
	for (;;) {
		if (handle_events(r, callback_id)) {
			return true;
		}
		if (r->got_error || !read_some(r, 5000)) {
			handle_events(r, callback_id);
			return false;
		}
	}
}

void raw_wait_error(struct raw *r, int timeout_ms)
{
	while (!r->got_error && read_some(r, timeout_ms)) {
		handle_events(r, 0);
	}
	handle_events(r, 0);
}

uint32_t raw_global(struct raw *r, const char *iface, uint32_t *version)
{
	for (int i = 0; i < r->ng; i++) {
		if (strcmp(r->g[i].iface, iface) == 0) {
			if (version) {
				*version = r->g[i].version;
			}
			return r->g[i].name;
		}
	}
	return 0;
}

bool raw_wait_eof(struct raw *r, int timeout_ms)
{
	while (!r->eof && read_some(r, timeout_ms)) {
		handle_events(r, 0);
	}
	return r->eof;
}
