/*
 * The caller's terminal and a sandbox. The sandbox never gets the caller's
 * terminal itself: a terminal fd there would let it read what the user
 * types while crate-wl is in the background, since the command is in a
 * session of its own, outside the shell's job control.
 *
 * When none of crate-wl's fds 0, 1 and 2 is a terminal, nothing is done
 * (CW_TTY_OFF): the command gets them as they are. Otherwise each terminal
 * fd is replaced, for the sandbox, by
 *  - CW_TTY_PTY: the slave of a new pty, the command's controlling
 *    terminal, that crate-wl relays: input only from its controlling
 *    terminal and while crate-wl is in the foreground (in the background
 *    it reads nothing, so that the app's display goes on; should it read
 *    all the same, SIGTTIN stops it first, as any program), its own
 *    terminal raw meanwhile, the window size passed on;
 *  - CW_TTY_PIPE: /dev/null for input, a pipe for output that crate-wl
 *    copies to its terminal with control characters made visible.
 */
#ifndef CW_TTY_H
#define CW_TTY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>
#include "loop.h"
#include "sandbox.h"

enum cw_tty_mode {
	CW_TTY_OFF,
	CW_TTY_PTY,
	CW_TTY_PIPE,
};

struct cw_tty {
	enum cw_tty_mode mode;
	struct cw_stdio stdio; /* what the sandbox gets */
	int in;     /* our terminal, read for the pty (fd 0), or -1 */
	int out;    /* where its output goes (1, 2 or 0) */
	int master; /* the pty's master, or the pipe's read end */
	int peer;   /* the sandbox's end, ours until cw_tty_start() */
	int null;   /* /dev/null for the pipe's input */
	bool raw;   /* ours is raw now; saved holds what it was */
	int lent;   /* questions on it (cw_tty_lend()): no relay of input */
	bool last_c2; /* the pipe's last byte began a C1 control */
	struct termios saved;
	struct cw_loop *loop;
	struct cw_source in_source;
	struct cw_source master_source;
	struct cw_source recheck; /* in the background: the foreground yet? */
	size_t pending, pending_off; /* input the pty did not take yet */
	char buf[4096];
};

/*
 * Looks at fds 0, 1 and 2. terminal: the command may have one (a pty),
 * else none (a pipe). False with a message in err when a pty or a pipe
 * cannot be made; a pty that cannot be made falls back to a pipe.
 */
bool cw_tty_open(struct cw_tty *tty, bool terminal, char *err,
	size_t errlen);
/* What the sandbox gets: NULL when there is no terminal to hide. */
const struct cw_stdio *cw_tty_stdio(const struct cw_tty *tty);
/* The signals the relay takes (SIGWINCH, SIGTSTP, SIGCONT), added to set
 * for the caller's signalfd; none for CW_TTY_OFF and CW_TTY_PIPE. */
void cw_tty_signals(const struct cw_tty *tty, sigset_t *set);
/* After the spawn: the sandbox's end closed here, the relay in loop. */
bool cw_tty_start(struct cw_tty *tty, struct cw_loop *loop);
/* One of cw_tty_signals(): false when it is not the relay's. */
bool cw_tty_signal(struct cw_tty *tty, int sig);
/* For a question on our terminal (a tty or cmd: prompt): as it was, no
 * input relayed, until as many cw_tty_take_back(). */
void cw_tty_lend(struct cw_tty *tty);
void cw_tty_take_back(struct cw_tty *tty);
/* The sandbox is gone: what it wrote last, to our terminal. */
void cw_tty_drain(struct cw_tty *tty);
/* Ours as it was, everything closed. Safe on CW_TTY_OFF, or twice. */
void cw_tty_close(struct cw_tty *tty);

#endif
