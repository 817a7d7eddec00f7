/*
 * Asks one question through a prompt front-end and prints the answer:
 *   prompt-driver SPEC TIMEOUT_MS DETAIL
 * prints "answer: NAME" and "why: TEXT" (or "why: -"), and on stderr the
 * time from the start of the prompt to the answer. Exit 0 once answered,
 * 2 if the prompter or the prompt cannot be made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "loop.h"
#include "prompt.h"

struct result {
	bool done;
	enum cw_answer answer;
	char why[512];
};

static void answered(void *data, enum cw_answer answer, const char *why)
{
	struct result *res = data;
	res->done = true;
	res->answer = answer;
	snprintf(res->why, sizeof(res->why), "%s", why ? why : "-");
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s SPEC TIMEOUT_MS DETAIL\n", argv[0]);
		return 2;
	}
	struct cw_loop *loop = cw_loop_create();
	if (loop == NULL) {
		perror("cw_loop_create");
		return 2;
	}
	char err[512];
	struct cw_prompter *prompter = cw_prompter_create(loop, argv[1],
		atoi(argv[2]), err, sizeof(err));
	if (prompter == NULL) {
		fprintf(stderr, "prompter: %s\n", err);
		cw_loop_destroy(loop);
		return 2;
	}
	struct cw_prompt_request req = {
		.app = "test-app",
		.permission = "screencopy",
		.detail = argv[3],
	};
	struct result res = { 0 };
	double start = now_ms();
	/* when the call goes out, wall clock (the test compares it with
	 * date +%s%N): for the call-to-screen latency figure */
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	fprintf(stderr, "calling at %lld%09ld ns\n", (long long)wall.tv_sec,
		wall.tv_nsec);
	struct cw_prompt *prompt = cw_prompt_start(prompter, &req, answered,
		&res);
	if (prompt == NULL) {
		fprintf(stderr, "cw_prompt_start failed\n");
		cw_prompter_destroy(prompter);
		cw_loop_destroy(loop);
		return 2;
	}
	while (!res.done) {
		if (cw_loop_dispatch(loop, -1) < 0) {
			perror("cw_loop_dispatch");
			return 2;
		}
	}
	fprintf(stderr, "answered after %.1f ms\n", now_ms() - start);
	printf("answer: %s\nwhy: %s\n", cw_answer_name(res.answer), res.why);
	cw_prompter_destroy(prompter);
	cw_loop_destroy(loop);
	return 0;
}
