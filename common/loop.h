/* The proxy's event loop: epoll, one thread, no blocking calls. */
#ifndef CW_LOOP_H
#define CW_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct cw_source;
typedef void (*cw_source_func)(struct cw_source *source, uint32_t events);

/* Embed in whatever owns an fd; the loop hands it back on events. */
struct cw_source {
	int fd;
	uint32_t events; /* what is registered now */
	cw_source_func dispatch;
};

struct cw_loop;

struct cw_loop *cw_loop_create(void);
void cw_loop_destroy(struct cw_loop *loop);

bool cw_loop_add(struct cw_loop *loop, struct cw_source *source, int fd,
	uint32_t events, cw_source_func dispatch);
/* Changes the events of interest; no syscall when nothing changes. */
bool cw_loop_update(struct cw_loop *loop, struct cw_source *source,
	uint32_t events);
void cw_loop_remove(struct cw_loop *loop, struct cw_source *source);

/*
 * Timers are timerfds in the loop (CLOCK_MONOTONIC), disarmed at first.
 * The dispatch function calls cw_timer_ack(). remove closes the fd.
 */
bool cw_loop_add_timer(struct cw_loop *loop, struct cw_source *source,
	cw_source_func dispatch);
void cw_loop_remove_timer(struct cw_loop *loop, struct cw_source *source);
/* Fires in ms milliseconds (0: at once); negative disarms. */
void cw_timer_set(struct cw_source *timer, int64_t ms);
/* Fires at a CLOCK_MONOTONIC time in microseconds; UINT64_MAX disarms. */
void cw_timer_set_abs_usec(struct cw_source *timer, uint64_t usec);
void cw_timer_ack(struct cw_source *timer);

/* Waits at most timeout_ms (-1: forever) and dispatches; -errno on error. */
int cw_loop_dispatch(struct cw_loop *loop, int timeout_ms);

#endif
