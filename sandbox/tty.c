/* The caller's terminal, kept out of the sandbox: a relayed pty or a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "list.h"
#include "log.h"
#include "tty.h"

/* how often a crate-wl in the background looks whether it is in the
 * foreground again, while the shell has input waiting */
#define RECHECK_MS 200

static bool foreground(int fd)
{
	return tcgetpgrp(fd) == getpgrp();
}

/* Ours raw while we are in the foreground: every key goes to the pty,
 * whose own line discipline makes ^C a SIGINT for the app. again: once
 * more, as it may have been changed while we were stopped. */
static void set_raw(struct cw_tty *tty, bool again)
{
	if (tty->in < 0 || (tty->raw && !again) || tty->lent > 0 ||
			!foreground(tty->in)) {
		return;
	}
	if (!tty->raw && tcgetattr(tty->in, &tty->saved) < 0) {
		return;
	}
	struct termios raw = tty->saved;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(tty->in, TCSADRAIN, &raw) == 0) {
		tty->raw = true;
	}
}

static void restore(struct cw_tty *tty)
{
	/* in the background, the shell has set the terminal its own way
	 * (and a tcsetattr() would stop us) */
	if (tty->raw && foreground(tty->in)) {
		tcsetattr(tty->in, TCSADRAIN, &tty->saved);
	}
	tty->raw = false;
}

static void pass_winsize(struct cw_tty *tty)
{
	struct winsize ws;
	if (ioctl(tty->in >= 0 ? tty->in : tty->out, TIOCGWINSZ, &ws) == 0) {
		ioctl(tty->master, TIOCSWINSZ, &ws);
	}
}

static bool open_pty(struct cw_tty *tty, const bool is[3], char *err,
	size_t errlen)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0) {
		snprintf(err, errlen, "cannot open a pty: %s", strerror(errno));
		return false;
	}
	/* the slave by the master, not by a path anyone could swap */
	int peer = -1;
	if (unlockpt(master) == 0) {
		peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY |
			O_CLOEXEC);
	}
	if (peer < 0 || fcntl(master, F_SETFL, O_NONBLOCK) < 0) {
		snprintf(err, errlen, "cannot open a pty: %s", strerror(errno));
		close(master);
		return false;
	}
	tty->mode = CW_TTY_PTY;
	tty->master = master;
	tty->peer = peer;
	/* only our controlling terminal: job control keeps us from what is
	 * typed for others there, and no other terminal has it */
	tty->in = is[0] && tcgetsid(0) >= 0 ? 0 : -1;
	tty->out = is[1] ? 1 : is[2] ? 2 : 0;
	/* the caller's settings (echo, erase...) as its start, if they are
	 * ours; in the background they are the shell's own (its line
	 * editor's), and the pty's defaults are sane */
	int from = tty->in >= 0 ? tty->in : tty->out;
	struct termios t;
	if (foreground(from) && tcgetattr(from, &t) == 0) {
		tcsetattr(peer, TCSANOW, &t);
	}
	pass_winsize(tty);
	for (int i = 0; i < 3; i++) {
		if (is[i]) {
			tty->stdio.fd[i] = peer;
			if (tty->stdio.ctty < 0) {
				tty->stdio.ctty = i;
			}
		}
	}
	return true;
}

static bool open_pipe(struct cw_tty *tty, const bool is[3], char *err,
	size_t errlen)
{
	tty->mode = CW_TTY_PIPE;
	if (is[0]) {
		tty->null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (tty->null < 0) {
			snprintf(err, errlen, "/dev/null: %s", strerror(errno));
			return false;
		}
		tty->stdio.fd[0] = tty->null;
	}
	if (!is[1] && !is[2]) {
		return true;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	tty->master = p[0];
	tty->peer = p[1];
	tty->out = is[2] ? 2 : 1;
	for (int i = 1; i < 3; i++) {
		if (is[i]) {
			tty->stdio.fd[i] = p[1];
		}
	}
	return true;
}

bool cw_tty_open(struct cw_tty *tty, bool terminal, char *err,
	size_t errlen)
{
	tty->mode = CW_TTY_OFF;
	tty->stdio = (struct cw_stdio){ .fd = { -1, -1, -1 }, .ctty = -1 };
	tty->in = tty->out = tty->master = tty->peer = tty->null = -1;
	tty->raw = tty->last_c2 = false;
	tty->lent = 0;
	tty->loop = NULL;
	tty->in_source.fd = tty->master_source.fd = tty->recheck.fd = -1;
	tty->pending = tty->pending_off = 0;
	bool is[3], any = false;
	for (int i = 0; i < 3; i++) {
		is[i] = isatty(i);
		any = any || is[i];
	}
	if (!any) {
		return true;
	}
	if (terminal) {
		if (open_pty(tty, is, err, errlen)) {
			return true;
		}
		cw_msg("no terminal inside: %s", err);
	}
	if (!open_pipe(tty, is, err, errlen)) {
		cw_tty_close(tty);
		return false;
	}
	return true;
}

const struct cw_stdio *cw_tty_stdio(const struct cw_tty *tty)
{
	return tty->mode == CW_TTY_OFF ? NULL : &tty->stdio;
}

void cw_tty_signals(const struct cw_tty *tty, sigset_t *set)
{
	if (tty->mode != CW_TTY_PTY) {
		return;
	}
	sigaddset(set, SIGWINCH);
	sigaddset(set, SIGCONT);
	if (tty->in >= 0) {
		sigaddset(set, SIGTSTP);
	}
}

static void stop_input(struct cw_tty *tty)
{
	cw_loop_remove_timer(tty->loop, &tty->recheck);
	if (tty->in_source.fd >= 0) {
		cw_loop_remove(tty->loop, &tty->in_source);
		tty->in_source.fd = -1;
	}
	tty->pending = tty->pending_off = 0;
}

static void stop_output(struct cw_tty *tty)
{
	if (tty->master_source.fd >= 0) {
		cw_loop_remove(tty->loop, &tty->master_source);
		tty->master_source.fd = -1;
	}
	stop_input(tty); /* nobody left to read it */
}

static void watch(struct cw_tty *tty, struct cw_source *source,
	uint32_t events)
{
	if (source->fd >= 0) {
		cw_loop_update(tty->loop, source, events);
	}
}

/* What the pty has not taken yet; meanwhile we read no more. */
static void flush_input(struct cw_tty *tty)
{
	while (tty->pending_off < tty->pending) {
		ssize_t n = write(tty->master, tty->buf + tty->pending_off,
			tty->pending - tty->pending_off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			watch(tty, &tty->in_source, 0);
			watch(tty, &tty->master_source, EPOLLIN | EPOLLOUT);
			return;
		}
		if (n < 0) {
			stop_input(tty);
			return;
		}
		tty->pending_off += (size_t)n;
	}
	tty->pending = tty->pending_off = 0;
	watch(tty, &tty->in_source, tty->lent > 0 ? 0 : EPOLLIN);
	watch(tty, &tty->master_source, EPOLLIN);
}

static void in_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_tty *tty = cw_container_of(source, tty, in_source);
	int avail = 0;
	/* only what is there: our terminal is shared, never made
	 * non-blocking, and another reader may have taken it */
	if (ioctl(tty->in, FIONREAD, &avail) < 0 || avail <= 0) {
		if (events & (EPOLLHUP | EPOLLERR)) {
			stop_input(tty);
		}
		return;
	}
	if (!foreground(tty->in)) {
		/* the shell's: reading would stop us, and with us the app's
		 * display; look again later (fg of a running job sends no
		 * SIGCONT) */
		watch(tty, &tty->in_source, 0);
		cw_timer_set(&tty->recheck, RECHECK_MS);
		return;
	}
	set_raw(tty, false); /* fg without SIGCONT */
	size_t want = (size_t)avail < sizeof(tty->buf) ?
		(size_t)avail : sizeof(tty->buf);
	/* put in the background since: SIGTTIN stops us here, before a
	 * byte is read */
	ssize_t n = read(tty->in, tty->buf, want);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n <= 0) {
		stop_input(tty); /* hung up, or SIGTTIN ignored: EIO */
		return;
	}
	tty->pending = (size_t)n;
	tty->pending_off = 0;
	flush_input(tty);
}

/* C0 controls but tab and newline, DEL, and C1 controls in UTF-8 (C2 80
 * to C2 9F) become '?': no escape sequence reaches the terminal. */
static void make_visible(struct cw_tty *tty, char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		bool c1 = tty->last_c2 && c >= 0x80 && c <= 0x9f;
		tty->last_c2 = c == 0xc2;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c1) {
			p[i] = '?';
		}
	}
}

static void write_out(struct cw_tty *tty, const char *p, size_t n)
{
	while (n > 0) {
		/* blocking: in the background with TOSTOP set, SIGTTOU
		 * stops us here, as any program */
		ssize_t w = write(tty->out, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0 && errno == EAGAIN) {
			/* someone made the terminal non-blocking */
			struct pollfd pfd = {
				.fd = tty->out, .events = POLLOUT,
			};
			poll(&pfd, 1, -1);
			continue;
		}
		if (w <= 0) {
			return; /* hung up: the output is lost with it */
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One read of the app's output: its size, 0 when there is none now, -1
 * at its end. */
static ssize_t relay_output(struct cw_tty *tty)
{
	char buf[4096];
	ssize_t n = read(tty->master, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return 0;
	}
	if (n <= 0) {
		/* EIO: no slave open any more; 0: no writer */
		stop_output(tty);
		return -1;
	}
	if (tty->mode == CW_TTY_PIPE) {
		make_visible(tty, buf, (size_t)n);
	}
	write_out(tty, buf, (size_t)n);
	return n;
}

static void resume_input(struct cw_tty *tty, bool again)
{
	set_raw(tty, again);
	watch(tty, &tty->in_source, tty->lent > 0 || tty->pending > 0 ? 0 :
		EPOLLIN);
}

static void recheck_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_tty *tty = cw_container_of(source, tty, recheck);
	cw_timer_ack(source);
	int avail = 0;
	if (!foreground(tty->in) && ioctl(tty->in, FIONREAD, &avail) == 0 &&
			avail > 0) {
		cw_timer_set(source, RECHECK_MS); /* still the shell's */
		return;
	}
	resume_input(tty, false);
}

static void master_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_tty *tty = cw_container_of(source, tty, master_source);
	if (events & EPOLLOUT) {
		flush_input(tty);
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		relay_output(tty);
	}
}

bool cw_tty_start(struct cw_tty *tty, struct cw_loop *loop)
{
	if (tty->mode == CW_TTY_OFF) {
		return true;
	}
	tty->loop = loop;
	if (tty->peer >= 0) {
		close(tty->peer);
		tty->peer = -1;
	}
	if (tty->null >= 0) {
		close(tty->null);
		tty->null = -1;
	}
	if (tty->master >= 0 && !cw_loop_add(loop, &tty->master_source,
			tty->master, EPOLLIN, master_dispatch)) {
		tty->master_source.fd = -1;
		return false;
	}
	if (tty->in >= 0) {
		set_raw(tty, false);
		if (!cw_loop_add(loop, &tty->in_source, tty->in, EPOLLIN,
				in_dispatch)) {
			tty->in_source.fd = -1;
			return false;
		}
		if (!cw_loop_add_timer(loop, &tty->recheck,
				recheck_dispatch)) {
			return false;
		}
	}
	return true;
}

bool cw_tty_signal(struct cw_tty *tty, int sig)
{
	if (tty->mode != CW_TTY_PTY) {
		return false;
	}
	if (sig == SIGWINCH) {
		pass_winsize(tty);
		return true;
	}
	if (sig == SIGCONT) {
		/* fg: raw again; bg: the shell has the terminal */
		if (tty->in >= 0 && tty->raw && !foreground(tty->in)) {
			tty->raw = false;
		}
		if (tty->in_source.fd >= 0) {
			resume_input(tty, true);
		}
		pass_winsize(tty);
		return true;
	}
	if (sig == SIGTSTP && tty->in >= 0) {
		/* as sent by kill (^Z goes to the app): ours as it was,
		 * then stop; SIGCONT comes back through the signalfd */
		restore(tty);
		sigset_t one;
		sigemptyset(&one);
		sigaddset(&one, SIGTSTP);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(SIGTSTP);
		sigprocmask(SIG_BLOCK, &one, NULL);
		return true;
	}
	return false;
}

void cw_tty_lend(struct cw_tty *tty)
{
	if (tty->mode != CW_TTY_PTY || tty->in < 0 || tty->lent++ > 0) {
		return;
	}
	watch(tty, &tty->in_source, 0);
	restore(tty);
}

void cw_tty_take_back(struct cw_tty *tty)
{
	if (tty->mode != CW_TTY_PTY || tty->in < 0 || tty->lent == 0 ||
			--tty->lent > 0) {
		return;
	}
	resume_input(tty, false);
}

void cw_tty_drain(struct cw_tty *tty)
{
	if (tty->master_source.fd < 0) {
		return;
	}
	while (relay_output(tty) > 0) {
	}
}

void cw_tty_close(struct cw_tty *tty)
{
	if (tty->mode == CW_TTY_OFF) {
		return;
	}
	if (tty->loop != NULL) {
		stop_output(tty);
	}
	restore(tty);
	int *fds[] = { &tty->master, &tty->peer, &tty->null };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
	tty->mode = CW_TTY_OFF;
}
