/*
 * Asking the user. A prompter is one front-end (portal, cmd:PROGRAM, tty,
 * none); a prompt is one question in flight. Prompts never block the event
 * loop: the answer comes back through a callback. A front-end that cannot
 * answer (timeout, crash, no session bus, garbage) answers deny once and
 * says why.
 */
#ifndef CW_PROMPT_H
#define CW_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include "loop.h"

enum cw_answer {
	CW_ANSWER_DENY_ONCE,
	CW_ANSWER_ALLOW_ONCE,
	CW_ANSWER_ALLOW_RUN,    /* for as long as this proxy runs */
	CW_ANSWER_ALLOW_ALWAYS, /* stored */
	CW_ANSWER_DENY_ALWAYS,  /* stored */
};

struct cw_prompt_request {
	const char *app;        /* who asks: the sandbox's app name */
	const char *permission; /* "screencopy", "clipboard", ... */
	const char *detail;     /* human words: "capture output HEADLESS-1" */
};

/* why: NULL for a real answer, else what went wrong (answer is deny). */
typedef void (*cw_prompt_done_func)(void *data, enum cw_answer answer,
	const char *why);

struct cw_prompt;
struct cw_prompter;

/* Front-end implementations fill this in. */
struct cw_prompter_impl {
	const char *name;
	/* start a prompt; call cw_prompt_finish() later, never from here */
	bool (*start)(struct cw_prompter *prompter, struct cw_prompt *prompt);
	/* the answer is no longer wanted: stop asking, free private state */
	void (*cancel)(struct cw_prompter *prompter, struct cw_prompt *prompt);
	void (*destroy)(struct cw_prompter *prompter);
};

/*
 * The terminal the tty front-end (or a cmd: program) asks on, when
 * something else uses it too
 * (crate-wl's pty relay, sandbox/tty.h): lent, as it was, for each
 * question, and taken back after.
 */
struct cw_prompt_terminal {
	void (*lend)(struct cw_prompt_terminal *terminal);
	void (*take_back)(struct cw_prompt_terminal *terminal);
};

struct cw_prompter {
	const struct cw_prompter_impl *impl;
	struct cw_loop *loop;
	int timeout_ms;
	struct cw_prompt_terminal *terminal; /* NULL: nobody else's */
	void *priv;
};

struct cw_prompt {
	struct cw_prompter *prompter;
	struct cw_prompt_request request; /* strings owned by the prompt */
	cw_prompt_done_func done;
	void *data;
	void *priv; /* the front-end's */
	struct cw_source timer; /* the deadline */
};

/*
 * spec: "portal", "cmd:PROGRAM", "tty" or "none". timeout_ms: how long a
 * question may stay open before it counts as deny.
 */
struct cw_prompter *cw_prompter_create(struct cw_loop *loop, const char *spec,
	int timeout_ms, char *err, size_t errlen);
void cw_prompter_destroy(struct cw_prompter *prompter);

struct cw_prompt *cw_prompt_start(struct cw_prompter *prompter,
	const struct cw_prompt_request *request, cw_prompt_done_func done,
	void *data);
/* Withdraws a question; done is not called. */
void cw_prompt_cancel(struct cw_prompt *prompt);

/* For front-ends: deliver the answer (frees the prompt). */
void cw_prompt_finish(struct cw_prompt *prompt, enum cw_answer answer,
	const char *why);

const char *cw_answer_name(enum cw_answer answer);

/* Front-ends. */
struct cw_prompter *cw_prompter_none_create(void);
struct cw_prompter *cw_prompter_cmd_create(const char *program, bool tty);
/* The desktop's AccessDialog on the session bus (prompt-portal.c). */
struct cw_prompter *cw_prompter_portal_create(struct cw_loop *loop,
	char *err, size_t errlen);

#endif
