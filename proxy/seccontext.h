/*
 * security-context-v1 upstream: a listening socket the compositor accepts
 * on, whose connections it tags with crate-wl's sandbox engine, the app
 * and the instance, and restricts as it restricts sandboxed clients. The
 * proxy connects its clients' compositor connections there instead of to
 * the compositor's main socket.
 *
 * The context lives while close_fd's other end is open: this process
 * keeps it (close-on-exec, never passed to the sandbox), so the context
 * ends when the proxy does, whatever way it ends.
 */
#ifndef CW_SECCONTEXT_H
#define CW_SECCONTEXT_H

#include <stdbool.h>
#include <stddef.h>

/* wp_security_context_v1.set_sandbox_engine of every crate-wl context */
#define CW_SECCONTEXT_ENGINE "crate-wl"
/* How long the compositor may take to answer the set-up. */
#define CW_SECCONTEXT_TIMEOUT_MS 3000

struct cw_seccontext {
	char path[108]; /* the listening socket, while the context lives */
	int close_fd;   /* our end; closing it ends the context */
};

enum cw_seccontext_status {
	CW_SECCONTEXT_MADE,
	CW_SECCONTEXT_ABSENT, /* no wp_security_context_manager_v1 */
	CW_SECCONTEXT_FAILED, /* offered, but the set-up failed (err) */
};

/*
 * Makes a context on the compositor connected at fd (taken and closed):
 * its socket at path (which must not exist), tagged with app_id and
 * instance_id. *out is set only for CW_SECCONTEXT_MADE.
 */
enum cw_seccontext_status cw_seccontext_create(int fd, const char *path,
	const char *app_id, const char *instance_id,
	struct cw_seccontext **out, char *err, size_t errlen);

/* Ends the context and removes its socket. NULL is a no-op. */
void cw_seccontext_destroy(struct cw_seccontext *sc);

/*
 * Frees it in a process that forked and left the serving to the child:
 * our end closes (the child's keeps the context) and the socket stays.
 */
void cw_seccontext_release(struct cw_seccontext *sc);
/*
 * Removes what a killed proxy left in parent: crate-wl-sc-* directories of
 * this user's, a minute old at least, with none of their sockets still
 * listened on (/proc/net/unix: the compositor stops listening once the
 * proxy that made the context is gone). Only its upstream-N sockets go;
 * a directory holding anything else stays.
 */
void cw_seccontext_sweep(const char *parent);

#endif
