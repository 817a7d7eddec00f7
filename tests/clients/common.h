/* Raw Wayland wire helpers for test clients that misbehave on purpose. */
#ifndef CW_TEST_CLIENT_COMMON_H
#define CW_TEST_CLIENT_COMMON_H

#include <stdbool.h>
#include <stdint.h>

struct raw {
	int fd;
	uint8_t in[1 << 16];
	uint32_t inlen;
	char error[4096];
	bool got_error;
	bool eof;
	/* globals seen on registry 2 */
	struct { uint32_t name; char iface[64]; uint32_t version; } g[128];
	int ng;
};

int raw_connect(struct raw *r); /* $WAYLAND_DISPLAY under $XDG_RUNTIME_DIR */
void raw_send(struct raw *r, const uint32_t *words, uint32_t nwords,
	const int *fds, int nfds);
/* Builds a message: id, opcode, then nwords argument words. */
void raw_msg(struct raw *r, uint32_t id, uint16_t op, const uint32_t *args,
	uint32_t nargs);
/* Reads until the callback with this id is done, an error, or EOF. */
bool raw_roundtrip(struct raw *r, uint32_t callback_id);
/* Reads until an error or EOF (at most timeout_ms). */
void raw_wait_error(struct raw *r, int timeout_ms);
/* Reads until the other side hangs up; false on timeout. */
bool raw_wait_eof(struct raw *r, int timeout_ms);
uint32_t raw_global(struct raw *r, const char *iface, uint32_t *version);
/* Packs a string as wire words into out; returns the word count. */
uint32_t raw_string(uint32_t *out, const char *s, uint32_t len_field,
	bool terminate);

#endif
