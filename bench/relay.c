/*
 * relay: the floor for any Wayland proxy. Accepts clients on a Unix socket,
 * connects upstream once per client and forwards bytes and SCM_RIGHTS fds in
 * both directions with one epoll loop. It parses nothing.
 *
 * Usage: relay SOCKET_PATH
 * Upstream is $WAYLAND_DISPLAY (absolute, or a name under $XDG_RUNTIME_DIR).
 * SIGINT/SIGTERM remove SOCKET_PATH and exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_FDS_OUT 28 /* what libwayland sends per sendmsg at most */
#define MAX_FDS_IN 253 /* SCM_MAX_FD */
#define MAX_BATCHES 64
#define MAX_EVENTS 64

/* fds that arrived with the stream bytes ending at offset end */
struct fd_batch {
	uint64_t end;
	int count;
	int first;
	int fds[MAX_FDS_IN];
};

/* One direction: read from src, queued here, written to dst. */
struct pipe_dir {
	uint8_t buf[BUF_SIZE];
	size_t head, tail; /* pending bytes are buf[head..tail) */
	uint64_t sent; /* stream offset of buf[head] */
	struct fd_batch *batches[MAX_BATCHES]; /* ring */
	int batch_head, batch_count;
	bool eof; /* src hung up: close once drained */
};

struct pair;

struct end {
	struct pair *pair;
	int side; /* 0: client, 1: upstream */
	int fd;
	uint32_t events;
	bool polled; /* in the epoll set */
};

struct pair {
	struct end ends[2];
	struct pipe_dir dirs[2]; /* dirs[i] reads ends[i], writes ends[!i] */
	bool dead;
};

struct relay {
	int epfd;
	int listen_fd;
	int signal_fd;
	const char *socket_path;
	struct sockaddr_un upstream;
	struct pair *graveyard[MAX_EVENTS]; /* freed after each dispatch */
	int graveyard_len;
};

static int listen_tag, signal_tag;

static bool resolve_upstream(struct sockaddr_un *addr)
{
	const char *display = getenv("WAYLAND_DISPLAY");
	if (display == NULL) {
		display = "wayland-0";
	}
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	int n;
	if (display[0] == '/') {
		n = snprintf(addr->sun_path, sizeof(addr->sun_path), "%s",
			display);
	} else {
		const char *dir = getenv("XDG_RUNTIME_DIR");
		if (dir == NULL) {
			fprintf(stderr, "relay: XDG_RUNTIME_DIR is not set\n");
			return false;
		}
		n = snprintf(addr->sun_path, sizeof(addr->sun_path), "%s/%s",
			dir, display);
	}
	if (n < 0 || (size_t)n >= sizeof(addr->sun_path)) {
		fprintf(stderr, "relay: upstream path too long\n");
		return false;
	}
	return true;
}

static bool set_events(struct relay *relay, struct end *end, uint32_t events)
{
	if (end->events == events) {
		return true;
	}
	struct epoll_event ev = { .events = events, .data.ptr = end };
	if (epoll_ctl(relay->epfd, EPOLL_CTL_MOD, end->fd, &ev) < 0) {
		return false;
	}
	end->events = events;
	return true;
}

static void pair_destroy(struct relay *relay, struct pair *pair)
{
	if (pair == NULL || pair->dead) {
		return;
	}
	pair->dead = true;
	for (int i = 0; i < 2; i++) {
		if (pair->ends[i].polled) {
			epoll_ctl(relay->epfd, EPOLL_CTL_DEL, pair->ends[i].fd,
				NULL);
		}
		close(pair->ends[i].fd);
		struct pipe_dir *dir = &pair->dirs[i];
		for (int b = 0; b < dir->batch_count; b++) {
			struct fd_batch *batch =
				dir->batches[(dir->batch_head + b) % MAX_BATCHES];
			for (int f = batch->first; f < batch->count; f++) {
				close(batch->fds[f]);
			}
			free(batch);
		}
	}
	/* events for it may still be pending in this dispatch round */
	relay->graveyard[relay->graveyard_len++] = pair;
}

/* Writes queued bytes of dir to fd; each fd batch goes out with the bytes
 * that arrived with it, MAX_FDS_OUT fds per sendmsg at most. Returns false on
 * a fatal error; *blocked tells whether the socket is full. */
static bool dir_flush(struct pipe_dir *dir, int fd, bool *blocked)
{
	*blocked = false;
	while (dir->head < dir->tail) {
		size_t len = dir->tail - dir->head;
		struct fd_batch *batch = NULL;
		int nfds = 0;
		if (dir->batch_count > 0) {
			batch = dir->batches[dir->batch_head];
			nfds = batch->count - batch->first;
			if (nfds > MAX_FDS_OUT) {
				nfds = MAX_FDS_OUT;
				len = 1; /* leave bytes for the rest */
			} else if (batch->end > dir->sent &&
					batch->end - dir->sent < len) {
				len = batch->end - dir->sent;
			}
		}
		struct iovec iov = {
			.iov_base = dir->buf + dir->head,
			.iov_len = len,
		};
		union {
			char buf[CMSG_SPACE(sizeof(int) * MAX_FDS_OUT)];
			struct cmsghdr align;
		} control;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (nfds > 0) {
			size_t fd_len = sizeof(int) * nfds;
			msg.msg_control = control.buf;
			msg.msg_controllen = CMSG_SPACE(fd_len);
			struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(fd_len);
			memcpy(CMSG_DATA(cmsg), batch->fds + batch->first, fd_len);
		}
		ssize_t n;
		do {
			n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				*blocked = true;
				return true;
			}
			return false;
		}
		dir->head += n;
		dir->sent += n;
		if (nfds > 0) {
			/* the kernel took the fds with the first byte */
			for (int f = 0; f < nfds; f++) {
				close(batch->fds[batch->first + f]);
			}
			batch->first += nfds;
			if (batch->first == batch->count) {
				free(batch);
				dir->batch_head =
					(dir->batch_head + 1) % MAX_BATCHES;
				dir->batch_count--;
			} else if (batch->end <= dir->sent) {
				/* bytes ran out before the fds did */
				batch->end = dir->sent + 1;
			}
		}
	}
	dir->head = dir->tail = 0;
	return true;
}

/* Reads what src has into dir. Returns false on a fatal error or when the
 * batch ring is full (a peer sending far more fds than bytes). */
static bool dir_fill(struct pipe_dir *dir, int fd)
{
	if (dir->head > 0 && dir->tail == BUF_SIZE) {
		memmove(dir->buf, dir->buf + dir->head, dir->tail - dir->head);
		dir->tail -= dir->head;
		dir->head = 0;
	}
	size_t space = BUF_SIZE - dir->tail;
	if (space == 0) {
		return true;
	}
	struct iovec iov = { .iov_base = dir->buf + dir->tail, .iov_len = space };
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS_IN)];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	do {
		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}
	if (n == 0) {
		dir->eof = true;
		return true;
	}
	uint64_t end = dir->sent + (dir->tail - dir->head) + n;
	dir->tail += n;
	bool ok = true;
	for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
			cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
				cmsg->cmsg_type != SCM_RIGHTS) {
			continue;
		}
		int count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		struct fd_batch *batch = NULL;
		if (ok && dir->batch_count < MAX_BATCHES) {
			batch = malloc(sizeof(*batch));
		}
		if (batch == NULL) {
			int fds[MAX_FDS_IN];
			memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * count);
			for (int f = 0; f < count; f++) {
				close(fds[f]);
			}
			ok = false;
			continue;
		}
		batch->end = end;
		batch->count = count;
		batch->first = 0;
		memcpy(batch->fds, CMSG_DATA(cmsg), sizeof(int) * count);
		int slot = (dir->batch_head + dir->batch_count) % MAX_BATCHES;
		dir->batches[slot] = batch;
		dir->batch_count++;
	}
	if (msg.msg_flags & MSG_CTRUNC) {
		ok = false;
	}
	return ok;
}

/* Recomputes both ends' epoll interest from the state of both directions. */
static bool pair_update(struct relay *relay, struct pair *pair)
{
	for (int i = 0; i < 2; i++) {
		struct pipe_dir *in = &pair->dirs[i]; /* read from end i */
		struct pipe_dir *out = &pair->dirs[!i]; /* written to end i */
		struct end *end = &pair->ends[i];
		if (!end->polled) {
			continue;
		}
		if (in->eof) {
			/* a hung-up end keeps reporting EPOLLHUP: stop polling
			 * it while the peer drains what it sent */
			epoll_ctl(relay->epfd, EPOLL_CTL_DEL, end->fd, NULL);
			end->polled = false;
			continue;
		}
		uint32_t events = 0;
		if (in->tail < BUF_SIZE) {
			events |= EPOLLIN;
		}
		if (out->head < out->tail) {
			events |= EPOLLOUT;
		}
		if (!set_events(relay, end, events)) {
			return false;
		}
	}
	return true;
}

static void handle_end(struct relay *relay, struct end *end, uint32_t events)
{
	struct pair *pair = end->pair;
	if (pair->dead) {
		return;
	}
	int i = end->side;
	struct pipe_dir *in = &pair->dirs[i];
	struct pipe_dir *out = &pair->dirs[!i];
	int peer_fd = pair->ends[!i].fd;
	bool blocked;

	if (events & EPOLLOUT) {
		if (!dir_flush(out, end->fd, &blocked)) {
			goto kill;
		}
	}
	if (!in->eof && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		if (!dir_fill(in, end->fd)) {
			goto kill;
		}
		/* write through at once; most of the time nothing waits */
		if (!dir_flush(in, peer_fd, &blocked)) {
			goto kill;
		}
	}
	for (int d = 0; d < 2; d++) {
		struct pipe_dir *dir = &pair->dirs[d];
		if (dir->eof && dir->head == dir->tail) {
			goto kill;
		}
	}
	if (!pair_update(relay, pair)) {
		goto kill;
	}
	return;
kill:
	pair_destroy(relay, pair);
}

static void handle_accept(struct relay *relay)
{
	for (;;) {
		int cfd = accept4(relay->listen_fd, NULL, NULL,
			SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
					errno != EINTR) {
				perror("relay: accept");
			}
			return;
		}
		int ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (ufd < 0 || connect(ufd, (struct sockaddr *)&relay->upstream,
				sizeof(relay->upstream)) < 0) {
			perror("relay: connect upstream");
			if (ufd >= 0) {
				close(ufd);
			}
			close(cfd);
			continue;
		}
		struct pair *pair = calloc(1, sizeof(*pair));
		if (pair == NULL) {
			close(ufd);
			close(cfd);
			continue;
		}
		int fds[2] = { cfd, ufd };
		for (int i = 0; i < 2; i++) {
			pair->ends[i].pair = pair;
			pair->ends[i].side = i;
			pair->ends[i].fd = fds[i];
			pair->ends[i].events = EPOLLIN;
			pair->ends[i].polled = true;
			struct epoll_event ev = {
				.events = EPOLLIN,
				.data.ptr = &pair->ends[i],
			};
			if (epoll_ctl(relay->epfd, EPOLL_CTL_ADD, fds[i],
					&ev) < 0) {
				perror("relay: epoll_ctl");
			}
		}
	}
}

static bool relay_init(struct relay *relay, const char *path)
{
	relay->socket_path = path;
	if (!resolve_upstream(&relay->upstream)) {
		return false;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "relay: socket path too long\n");
		return false;
	}
	strcpy(addr.sun_path, path);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	relay->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	relay->epfd = epoll_create1(EPOLL_CLOEXEC);
	relay->listen_fd = socket(AF_UNIX,
		SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (relay->signal_fd < 0 || relay->epfd < 0 || relay->listen_fd < 0) {
		perror("relay: setup");
		return false;
	}
	unlink(path);
	if (bind(relay->listen_fd, (struct sockaddr *)&addr,
			sizeof(addr)) < 0 ||
			listen(relay->listen_fd, 128) < 0) {
		perror("relay: bind");
		return false;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_tag };
	struct epoll_event sev = { .events = EPOLLIN, .data.ptr = &signal_tag };
	if (epoll_ctl(relay->epfd, EPOLL_CTL_ADD, relay->listen_fd, &ev) < 0 ||
			epoll_ctl(relay->epfd, EPOLL_CTL_ADD, relay->signal_fd,
				&sev) < 0) {
		perror("relay: epoll_ctl");
		return false;
	}
	return true;
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: relay SOCKET_PATH\n");
		return 2;
	}
	struct relay relay = { .epfd = -1 };
	if (!relay_init(&relay, argv[1])) {
		return 1;
	}
	bool running = true;
	while (running) {
		struct epoll_event events[MAX_EVENTS];
		int n = epoll_wait(relay.epfd, events, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			perror("relay: epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++) {
			void *tag = events[i].data.ptr;
			if (tag == &listen_tag) {
				handle_accept(&relay);
			} else if (tag == &signal_tag) {
				running = false;
			} else {
				handle_end(&relay, tag, events[i].events);
			}
		}
		for (int i = 0; i < relay.graveyard_len; i++) {
			free(relay.graveyard[i]);
		}
		relay.graveyard_len = 0;
	}
	unlink(relay.socket_path);
	return 0;
}
