/*
 * libFuzzer: both sides of an in-process proxy at once. The input is a
 * sequence of chunks, each written to one side's socket:
 *
 *   byte 0   bit 0: 0 from the client, 1 from the compositor
 *            bits 1-3: how many fds come with the chunk (0-7)
 *            bit 4: that side hangs up after this chunk
 *            bit 5: the other side does not read this round
 *            bit 6: then the oldest open question to the user is answered:
 *            bit 7: allow once (else deny once)
 *   byte 1-2 length, little-endian (cut to what is left of the input)
 *   ...      the bytes
 *
 * tests/fuzz/rec2seed.py makes such inputs from `crate-wl proxy --record`.
 * Besides ASan and UBSan, it aborts when the proxy holds more than its
 * per-connection bounds (conn.h) or when an fd outlives the input.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "conn.h"
#include "policy.h"
#include "prompt.h"
#include "proxy.h"
#include "sendfds.h"
#include "wire.h"

#define CHUNK_COMPOSITOR 0x01
#define CHUNK_FDS(b) (((b) >> 1) & 7)
#define CHUNK_HANGUP 0x10
#define CHUNK_NO_READ 0x20
#define CHUNK_ANSWER 0x40
#define CHUNK_ALLOW 0x80

static struct cw_policy *policy;
static int passed_fd = -1; /* what every fd sent is a copy of */
static uint8_t rxbuf[1 << 16];

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL) {
		abort();
	}
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n;
}

/* The user: questions wait until a chunk answers them. */
static struct cw_prompt *questions[64];
static unsigned nquestions;

static bool ask_start(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
	if (nquestions == sizeof(questions) / sizeof(questions[0])) {
		return false;
	}
	questions[nquestions++] = prompt;
	return true;
}

static void ask_cancel(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
	for (unsigned i = 0; i < nquestions; i++) {
		if (questions[i] == prompt) {
			memmove(&questions[i], &questions[i + 1],
				(--nquestions - i) * sizeof(questions[0]));
			return;
		}
	}
}

static void ask_destroy(struct cw_prompter *prompter)
{
	free(prompter);
}

static const struct cw_prompter_impl fuzz_user = {
	.name = "fuzz",
	.start = ask_start,
	.cancel = ask_cancel,
	.destroy = ask_destroy,
};

static void answer_oldest(bool allow)
{
	if (nquestions == 0) {
		return;
	}
	struct cw_prompt *prompt = questions[0];
	memmove(&questions[0], &questions[1],
		--nquestions * sizeof(questions[0]));
	cw_prompt_finish(prompt, allow ? CW_ANSWER_ALLOW_ONCE :
		CW_ANSWER_DENY_ONCE, NULL);
}

static void pump(struct cw_proxy *proxy)
{
	for (int i = 0; i < 20; i++) {
		if (cw_proxy_dispatch(proxy, 0) <= 0) {
			break;
		}
	}
}

/* Reads and drops what the proxy sent, closing the fds that came. */
static void drain(int fd)
{
	for (int rounds = 0; fd >= 0 && rounds < 64; rounds++) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 253)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = rxbuf, .iov_len = sizeof(rxbuf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
				c != NULL; c = CMSG_NXTHDR(&msg, c)) {
			int count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[253];
			memcpy(fds, CMSG_DATA(c), sizeof(int) * count);
			for (int i = 0; i < count; i++) {
				close(fds[i]);
			}
		}
		if (n <= 0) {
			break;
		}
	}
}

static bool send_chunk(int fd, const uint8_t *data, size_t len, int nfds)
{
	int fds[8];
	for (int i = 0; i < nfds; i++) {
		fds[i] = passed_fd;
	}
	return send_with_fds(fd, data, len, fds, nfds, MSG_DONTWAIT) >= 0;
}

static void bound(bool ok, const char *what, unsigned long have,
	unsigned long limit)
{
	if (!ok) {
		fprintf(stderr, "fuzz-proxy: %s: %lu, more than the bound %lu\n",
			what, have, limit);
		abort();
	}
}

#define CHECK(what, value, limit) \
	bound((value) <= (limit), what, (value), (limit))

static void check_bounds(struct cw_proxy *proxy)
{
	CHECK("connections", proxy->nconns, 1ul);
	struct cw_conn *conn;
	cw_list_for_each(conn, &proxy->conns, link) {
		struct cw_endpoint *eps[2] = { &conn->client, &conn->server };
		for (int i = 0; i < 2; i++) {
			struct cw_endpoint *ep = eps[i];
			CHECK("queued output", ep->out.len,
				(unsigned long)CW_OUT_LIMIT + CW_READ_SIZE);
			CHECK("unprocessed input", ep->in.len,
				(unsigned long)CW_READ_SIZE + CW_MAX_MESSAGE_SIZE);
			CHECK("fds received", ep->in_fds.count,
				(unsigned long)CW_FDQ_SIZE);
			CHECK("fds to send", ep->out_nfds,
				(unsigned long)CW_FDQ_SIZE);
		}
		CHECK("client objects", conn->objects.nclient,
			(unsigned long)CW_OBJMAP_MAX);
		CHECK("server objects", conn->objects.nserver,
			(unsigned long)CW_OBJMAP_MAX);
		CHECK("globals", conn->nglobals, 65536ul);
		unsigned long nheld = 0;
		struct cw_held *held;
		cw_list_for_each(held, &conn->held, link) {
			nheld++;
			CHECK("held bytes", held->msgs.len, 64ul * 1024);
		}
		CHECK("held requests", nheld, (unsigned long)CW_OBJMAP_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t len)
{
	if (policy == NULL) {
		/* a capture shows a desktop notification where there is a
		 * session bus: inputs talk to nobody outside this process */
		unsetenv("DBUS_SESSION_BUS_ADDRESS");
		unsetenv("XDG_RUNTIME_DIR");
		char err[256];
		policy = cw_policy_load("default", err, sizeof(err));
		passed_fd = memfd_create("fuzz-passed", MFD_CLOEXEC);
		if (policy == NULL || passed_fd < 0 ||
				ftruncate(passed_fd, 4096) != 0) {
			abort();
		}
	}
	/* before and after each input: libFuzzer opens files between them */
	int before = count_fds();
	int c[2], s[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
			c) != 0 || socketpair(AF_UNIX, SOCK_STREAM |
			SOCK_CLOEXEC | SOCK_NONBLOCK, 0, s) != 0) {
		abort();
	}
	struct cw_loop *loop = cw_loop_create();
	struct cw_proxy *proxy = cw_proxy_create(loop, policy, NULL, s[0]);
	if (loop == NULL || proxy == NULL || !cw_proxy_add_client(proxy, c[1])) {
		abort();
	}
	struct cw_prompter *user = calloc(1, sizeof(*user));
	if (user == NULL) {
		abort();
	}
	user->impl = &fuzz_user;
	user->loop = loop;
	user->timeout_ms = 3600 * 1000;
	/* no store: every answer is this run's only */
	if (!cw_proxy_set_permissions(proxy, "fuzz", user, NULL)) {
		abort();
	}
	/* CW_FUZZ_TRACE=1 ./fuzz-proxy FILE: what the proxy made of it */
	proxy->trace = getenv("CW_FUZZ_TRACE") != NULL;
	int ends[2] = { c[0], s[1] };

	size_t pos = 0;
	while (pos + 3 <= len && proxy->nconns > 0) {
		uint8_t flags = input[pos];
		size_t n = input[pos + 1] | (size_t)input[pos + 2] << 8;
		pos += 3;
		if (n > len - pos) {
			n = len - pos;
		}
		int side = flags & CHUNK_COMPOSITOR;
		int other = !side;
		if (ends[side] >= 0 && (n > 0 || CHUNK_FDS(flags) > 0)) {
			if (!send_chunk(ends[side], input + pos, n,
					CHUNK_FDS(flags))) {
				/* the socket is full: let the proxy work, retry */
				pump(proxy);
				drain(ends[other]);
				send_chunk(ends[side], input + pos, n,
					CHUNK_FDS(flags));
			}
		}
		pos += n;
		if ((flags & CHUNK_HANGUP) && ends[side] >= 0) {
			close(ends[side]);
			ends[side] = -1;
		}
		pump(proxy);
		if (flags & CHUNK_ANSWER) {
			answer_oldest(flags & CHUNK_ALLOW);
			pump(proxy);
		}
		check_bounds(proxy);
		if (!(flags & CHUNK_NO_READ)) {
			drain(ends[other]);
		}
		drain(ends[side]);
	}
	pump(proxy);
	check_bounds(proxy);
	/* replaying a recording of real traffic: it must all pass */
	if (getenv("CW_REPLAY_STRICT") != NULL && proxy->protocol_errors > 0) {
		fprintf(stderr, "fuzz-proxy: the proxy refused what it had "
			"recorded (CW_FUZZ_TRACE=1 shows why)\n");
		abort();
	}
	cw_proxy_destroy(proxy);
	if (nquestions != 0) {
		fprintf(stderr, "fuzz-proxy: %u questions to the user outlive "
			"the proxy\n", nquestions);
		abort();
	}
	cw_loop_destroy(loop);
	for (int i = 0; i < 2; i++) {
		if (ends[i] >= 0) {
			close(ends[i]);
		}
	}
	int now = count_fds();
	if (now != before) {
		fprintf(stderr, "fuzz-proxy: fd leak: %d open after the input, "
			"%d before\n", now, before);
		abort();
	}
	return 0;
}
