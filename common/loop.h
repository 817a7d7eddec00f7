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

/* Waits at most timeout_ms (-1: forever) and dispatches; -errno on error. */
int cw_loop_dispatch(struct cw_loop *loop, int timeout_ms);

#endif
