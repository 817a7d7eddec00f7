#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "list.h"
#include "log.h"
#include "prompt.h"
#include "util.h"

static const char *const answer_names[] = {
	[CW_ANSWER_DENY_ONCE] = "deny once",
	[CW_ANSWER_ALLOW_ONCE] = "allow once",
	[CW_ANSWER_ALLOW_RUN] = "allow for this run",
	[CW_ANSWER_ALLOW_ALWAYS] = "allow always",
	[CW_ANSWER_DENY_ALWAYS] = "deny always",
};

const char *cw_answer_name(enum cw_answer answer)
{
	return answer_names[answer];
}

/* ---- none: no front-end can answer, so the answer is no ---- */

static bool none_start(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
	/* answered through the deadline timer, armed to fire at once */
	cw_timer_set(&prompt->timer, 0);
	prompt->priv = (void *)1;
	return true;
}

static void none_cancel(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
}

static void none_destroy(struct cw_prompter *prompter)
{
	free(prompter);
}

static const struct cw_prompter_impl none_impl = {
	.name = "none",
	.start = none_start,
	.cancel = none_cancel,
	.destroy = none_destroy,
};

struct cw_prompter *cw_prompter_none_create(void)
{
	struct cw_prompter *prompter = calloc(1, sizeof(*prompter));
	if (prompter != NULL) {
		prompter->impl = &none_impl;
	}
	return prompter;
}

/* ---- the common part ---- */

struct cw_prompter *cw_prompter_create(struct cw_loop *loop, const char *spec,
	int timeout_ms, char *err, size_t errlen)
{
	struct cw_prompter *prompter = NULL;
	if (strcmp(spec, "none") == 0) {
		prompter = cw_prompter_none_create();
	} else if (strcmp(spec, "tty") == 0) {
		prompter = cw_prompter_cmd_create(NULL, true);
	} else if (strncmp(spec, "cmd:", 4) == 0) {
		if (spec[4] == '\0') {
			snprintf(err, errlen, "--prompt cmd: needs a program, "
				"as in cmd:zenity --question");
			return NULL;
		}
		prompter = cw_prompter_cmd_create(spec + 4, false);
	} else if (strcmp(spec, "portal") == 0) {
		prompter = cw_prompter_portal_create(loop, err, errlen);
		if (prompter == NULL) {
			return NULL;
		}
	} else {
		snprintf(err, errlen, "unknown prompt '%s': expected portal, "
			"cmd:PROGRAM, tty or none", spec);
		return NULL;
	}
	if (prompter == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	prompter->loop = loop;
	prompter->timeout_ms = timeout_ms;
	return prompter;
}

void cw_prompter_destroy(struct cw_prompter *prompter)
{
	if (prompter != NULL) {
		prompter->impl->destroy(prompter);
	}
}

static void prompt_free(struct cw_prompt *prompt)
{
	cw_loop_remove_timer(prompt->prompter->loop, &prompt->timer);
	free((char *)prompt->request.app);
	free((char *)prompt->request.permission);
	free((char *)prompt->request.detail);
	free(prompt);
}

void cw_prompt_finish(struct cw_prompt *prompt, enum cw_answer answer,
	const char *why)
{
	cw_prompt_done_func done = prompt->done;
	void *data = prompt->data;
	char reason[256] = "";
	if (why != NULL) {
		snprintf(reason, sizeof(reason), "%s", why);
	}
	prompt_free(prompt);
	done(data, answer, why ? reason : NULL);
}

static void prompt_deadline(struct cw_source *source, uint32_t events)
{
	struct cw_prompt *prompt = cw_container_of(source, prompt, timer);
	cw_timer_ack(source);
	if (prompt->prompter->impl == &none_impl) {
		cw_prompt_finish(prompt, CW_ANSWER_DENY_ONCE,
			"no prompt front-end (--prompt none)");
		return;
	}
	prompt->prompter->impl->cancel(prompt->prompter, prompt);
	char why[64];
	snprintf(why, sizeof(why), "no answer within %d s",
		prompt->prompter->timeout_ms / 1000);
	cw_prompt_finish(prompt, CW_ANSWER_DENY_ONCE, why);
}

/*
 * The app chooses part of the question (a MIME type in the detail), and
 * every front-end shows it: on the terminal, in a dialog, in a prompt
 * program's environment. It goes as text only (see cw_text_sanitize).
 */
static void sanitize_request(struct cw_prompt_request *req)
{
	cw_text_sanitize((char *)req->app);
	cw_text_sanitize((char *)req->detail);
}

struct cw_prompt *cw_prompt_start(struct cw_prompter *prompter,
	const struct cw_prompt_request *request, cw_prompt_done_func done,
	void *data)
{
	struct cw_prompt *prompt = calloc(1, sizeof(*prompt));
	if (prompt == NULL) {
		return NULL;
	}
	prompt->prompter = prompter;
	prompt->done = done;
	prompt->data = data;
	prompt->timer.fd = -1;
	prompt->request.app = strdup(request->app);
	prompt->request.permission = strdup(request->permission);
	prompt->request.detail = strdup(request->detail ? request->detail : "");
	if (prompt->request.app == NULL || prompt->request.permission == NULL ||
			prompt->request.detail == NULL ||
			!cw_loop_add_timer(prompter->loop, &prompt->timer,
			prompt_deadline)) {
		prompt_free(prompt);
		return NULL;
	}
	sanitize_request(&prompt->request);
	cw_timer_set(&prompt->timer, prompter->timeout_ms);
	if (!prompter->impl->start(prompter, prompt)) {
		prompt_free(prompt);
		return NULL;
	}
	return prompt;
}

void cw_prompt_cancel(struct cw_prompt *prompt)
{
	if (prompt == NULL) {
		return;
	}
	prompt->prompter->impl->cancel(prompt->prompter, prompt);
	prompt_free(prompt);
}
