#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "loop.h"

#define MAX_EVENTS 64

struct cw_loop {
	int epfd;
	/* the batch being dispatched: a source removed while it runs must
	 * not get the events still waiting in it */
	struct epoll_event events[MAX_EVENTS];
	int pending, current;
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
	for (int i = loop->current + 1; i < loop->pending; i++) {
		if (loop->events[i].data.ptr == source) {
			loop->events[i].data.ptr = NULL;
		}
	}
}

bool cw_loop_add_timer(struct cw_loop *loop, struct cw_source *source,
	cw_source_func dispatch)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		source->fd = -1;
		return false;
	}
	if (!cw_loop_add(loop, source, fd, EPOLLIN, dispatch)) {
		int saved = errno;
		close(fd);
		source->fd = -1;
		errno = saved;
		return false;
	}
	return true;
}

void cw_loop_remove_timer(struct cw_loop *loop, struct cw_source *source)
{
	if (source->fd < 0) {
		return;
	}
	cw_loop_remove(loop, source);
	close(source->fd);
	source->fd = -1;
}

void cw_timer_set(struct cw_source *timer, int64_t ms)
{
	struct itimerspec its = { 0 };
	if (ms == 0) {
		its.it_value.tv_nsec = 1; /* 0 would disarm */
	} else if (ms > 0) {
		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	}
	timerfd_settime(timer->fd, 0, &its, NULL);
}

void cw_timer_set_abs_usec(struct cw_source *timer, uint64_t usec)
{
	struct itimerspec its = { 0 };
	if (usec != UINT64_MAX) {
		if (usec == 0) {
			usec = 1; /* 0 would disarm; any past time means now */
		}
		its.it_value.tv_sec = (time_t)(usec / 1000000);
		its.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
	}
	timerfd_settime(timer->fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void cw_timer_ack(struct cw_source *timer)
{
	uint64_t n;
	ssize_t r = read(timer->fd, &n, sizeof(n));
	(void)r;
}

int cw_loop_dispatch(struct cw_loop *loop, int timeout_ms)
{
	int n = epoll_wait(loop->epfd, loop->events, MAX_EVENTS, timeout_ms);
	if (n < 0) {
		return errno == EINTR ? 0 : -errno;
	}
	loop->pending = n;
	for (loop->current = 0; loop->current < n; loop->current++) {
		struct cw_source *source =
			loop->events[loop->current].data.ptr;
		if (source != NULL) {
			source->dispatch(source,
				loop->events[loop->current].events);
		}
	}
	loop->pending = 0;
	loop->current = 0;
	return n;
}
