#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "loop.h"

#define MAX_EVENTS 64

struct cw_loop {
	int epfd;
};

struct cw_loop *cw_loop_create(void)
{
	struct cw_loop *loop = calloc(1, sizeof(*loop));
	if (loop == NULL) {
		return NULL;
	}
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

void cw_loop_destroy(struct cw_loop *loop)
{
	if (loop == NULL) {
		return;
	}
	close(loop->epfd);
	free(loop);
}

bool cw_loop_add(struct cw_loop *loop, struct cw_source *source, int fd,
	uint32_t events, cw_source_func dispatch)
{
	source->fd = fd;
	source->events = events;
	source->dispatch = dispatch;
	struct epoll_event ev = { .events = events, .data.ptr = source };
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool cw_loop_update(struct cw_loop *loop, struct cw_source *source,
	uint32_t events)
{
	if (source->events == events) {
		return true;
	}
	source->events = events;
	struct epoll_event ev = { .events = events, .data.ptr = source };
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, source->fd, &ev) == 0;
}

void cw_loop_remove(struct cw_loop *loop, struct cw_source *source)
{
	if (source->fd >= 0) {
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, source->fd, NULL);
	}
}

int cw_loop_dispatch(struct cw_loop *loop, int timeout_ms)
{
	struct epoll_event events[MAX_EVENTS];
	int n = epoll_wait(loop->epfd, events, MAX_EVENTS, timeout_ms);
	if (n < 0) {
		return errno == EINTR ? 0 : -errno;
	}
	for (int i = 0; i < n; i++) {
		struct cw_source *source = events[i].data.ptr;
		source->dispatch(source, events[i].events);
	}
	return n;
}
