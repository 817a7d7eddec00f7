/*
 * A token bucket: a burst of `burst` calls, then one every `every_ms`.
 * Tokens are kept in thousandths so that refills shorter than every_ms
 * are not lost.
 */
#ifndef CW_RATE_H
#define CW_RATE_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

struct cw_rate {
	int64_t tokens, last_ms;
	int burst, every_ms;
};

static inline void cw_rate_init(struct cw_rate *r, int burst, int every_ms)
{
	r->burst = burst;
	r->every_ms = every_ms;
	r->tokens = (int64_t)burst * 1000;
	r->last_ms = cw_now_ms();
}

/* Whether a call may go now (and counts it). */
static inline bool cw_rate_take(struct cw_rate *r)
{
	int64_t now = cw_now_ms();
	r->tokens += (now - r->last_ms) * 1000 / r->every_ms;
	if (r->tokens > (int64_t)r->burst * 1000) {
		r->tokens = (int64_t)r->burst * 1000;
	}
	r->last_ms = now;
	if (r->tokens < 1000) {
		return false;
	}
	r->tokens -= 1000;
	return true;
}

#endif
