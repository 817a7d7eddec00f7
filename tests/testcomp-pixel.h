/* What testcomp paints into a captured frame, and what the capture client
 * checks: every pixel tells its position and the frame's number. */
#ifndef TESTCOMP_PIXEL_H
#define TESTCOMP_PIXEL_H

#include <stdint.h>

#define CAPTURE_W 64
#define CAPTURE_H 48

static inline uint32_t testcomp_pixel(uint32_t x, uint32_t y, uint32_t seq)
{
	return 0xff000000u | (x & 0xff) << 16 | (y & 0xff) << 8 | (seq & 0xff);
}

#endif
