/*
 * The proxy: accepts clients (on a listening socket, or pre-connected fds),
 * opens one compositor connection per client, and filters both directions
 * with one policy. Identity is the socket: everything reaching this proxy is
 * treated alike, whatever its pid says.
 */
#ifndef CW_PROXY_H
#define CW_PROXY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "list.h"
#include "listener.h"
#include "log.h"
#include "loop.h"

struct cw_policy;
struct cw_permissions;
struct cw_seccontext;
struct cw_prompter;
struct cw_capturing;

/* Kinds of message a client can cause, each rate-limited on its own. */
enum cw_proxy_note_kind {
	CW_NOTE_PROTOCOL_ERROR,  /* a client disconnected for an error */
	CW_NOTE_REFUSED,         /* a connection over max-connections */
	CW_NOTE_UPSTREAM,        /* the compositor could not be reached */
	CW_NOTE_OUT_OF_FDS,      /* accepting paused */
	CW_NOTE_DENIED,          /* a question answered no without the user */
	CW_NOTE_COMPOSITOR,      /* a client's compositor sent a bad message */
	CW_NOTE_COUNT,
};

struct cw_proxy {
	struct cw_loop *loop;
	const struct cw_policy *policy;
	struct cw_permissions *perms;
	struct cw_capturing *capturing; /* capturing.c, once a frame went */
	/* revokes of screencopy (capture.c) and clipboard-manager
	 * (clipboard-manager.c), listening on perms */
	struct cw_consent_listener capture_listener;
	struct cw_consent_listener clipboard_manager_listener;
	/* upstream: a socket path, or one pre-connected fd (WAYLAND_SOCKET) */
	char *upstream_path;
	int upstream_fd;
	/* security-context-v1 upstream (seccontext.h), when set: where its
	 * socket goes (our own temporary directory if sc_own_dir), the
	 * instance id; the context once made, or that the compositor has
	 * none (asked again once it was gone) */
	bool sc_wanted;
	bool sc_absent;
	bool sc_own_dir;
	char *sc_dir;
	char *sc_instance;
	unsigned sc_serial;
	struct cw_seccontext *seccontext;
	bool trace;
	/* --record: a directory for each connection's raw streams, or NULL
	 * (set it before the first client; the proxy frees it) */
	char *record_dir;
	struct cw_list conns;     /* cw_conn::link */
	struct cw_list graveyard; /* cw_conn::link, freed after dispatch */
	size_t nconns;
	unsigned next_id;
	/* a listening socket, when serving one */
	struct cw_source listener;
	char *listen_path;
	/* another process shares our epoll set (see cw_proxy_release) */
	bool released;
	bool accept_paused; /* out of fds: not accepting */
	unsigned focused_conns; /* clients with keyboard focus */
	/* clients with a compositor connection (max-connections) */
	unsigned linked_conns;
	/* live objects of all clients together (max-objects), and the
	 * buffers among them (max-buffers) */
	uint32_t nobjects, nbuffers;
	struct cw_ratelimit notes[CW_NOTE_COUNT];
	uint64_t total_clients;
	uint64_t refused_clients;
	uint64_t protocol_errors;
	uint64_t upstream_failures;
};

struct cw_proxy *cw_proxy_create(struct cw_loop *loop,
	const struct cw_policy *policy, const char *upstream_path,
	int upstream_fd);
void cw_proxy_destroy(struct cw_proxy *proxy);
/*
 * Frees the proxy in a process that forked and left the serving to the
 * child: fds are closed but the shared epoll set is not touched.
 */
void cw_proxy_release(struct cw_proxy *proxy);

/*
 * Who the clients are, for prompts and the store, and how to ask. Takes
 * the prompter (NULL: nobody to ask). store_path NULL: nothing is stored.
 */
bool cw_proxy_set_permissions(struct cw_proxy *proxy, const char *app,
	struct cw_prompter *prompter, const char *store_path);

/*
 * Connects the clients through a security context where the compositor
 * offers wp_security_context_manager_v1 (seccontext.h): made on the first
 * client and again after the compositor was gone, tagged with the app's
 * name (set the permissions first) and instance_id. Its socket goes in
 * dir, a directory the sandbox cannot reach, or with dir NULL in a new
 * private one under $XDG_RUNTIME_DIR. Not for a WAYLAND_SOCKET upstream
 * (one connection already made: said in the trace).
 */
bool cw_proxy_set_security_context(struct cw_proxy *proxy, const char *dir,
	const char *instance_id);

struct cw_control;

/* A valid app name from a command: its basename, odd characters as '_'. */
void cw_app_name_from_command(const char *command, char *out, size_t len);

/*
 * The usual set-up of the above: app NULL means the command's name, prompt
 * NULL means the desktop's dialog where there is a session bus (else
 * none); the store at its default place, and a control socket (NULL in
 * *control if it cannot be made, which is said on stderr). false: a
 * --prompt that cannot work, said on stderr.
 */
bool cw_proxy_setup_permissions(struct cw_proxy *proxy, const char *app,
	const char *command, const char *prompt, int timeout_ms,
	struct cw_control **control);

/* A trace line: "crate-wl[WHO]: WHAT text", or without [WHO]. */
void cw_proxy_vtrace(struct cw_proxy *proxy, const char *who,
	const char *what, const char *fmt, va_list ap);

/* A trace line not tied to one client. */
void cw_proxy_trace(struct cw_proxy *proxy, const char *what,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A message for the user that a client can cause: at most one line a
 * second per kind, with a count of the rest (common/log.h).
 */
void cw_proxy_note(struct cw_proxy *proxy, enum cw_proxy_note_kind kind,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Listens on a new socket at path (which must not exist). */
bool cw_proxy_listen(struct cw_proxy *proxy, const char *path);

/* Closes and removes the listening socket; clients stay. */
void cw_proxy_stop_listening(struct cw_proxy *proxy);

/*
 * Serves a connected client fd (ownership moves to the proxy). If the
 * compositor cannot be reached the client gets a wl_display.error saying
 * so; the proxy goes on.
 */
bool cw_proxy_add_client(struct cw_proxy *proxy, int fd);

/* One loop iteration; frees what died in it. -errno on loop failure. */
int cw_proxy_dispatch(struct cw_proxy *proxy, int timeout_ms);

/*
 * Is a compositor there and answering? One wl_display.sync on a
 * connection of its own, closed after the answer; false with one line in
 * err (nobody listens, not a Wayland socket, no answer in
 * CW_COMPOSITOR_CHECK_MS). Called before a sandbox starts, so that an app
 * does not start only to die without a display.
 */
#define CW_COMPOSITOR_CHECK_MS 3000
bool cw_compositor_check(const char *path, char *err, size_t errlen);

/* The resolved upstream socket as libwayland resolves WAYLAND_DISPLAY. */
bool cw_resolve_wayland_display(const char *display, char *out, size_t len,
	char *err, size_t errlen);

#endif
