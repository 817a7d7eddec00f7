/*
 * cmd:PROGRAM and tty: the question runs in a child process, so the event
 * loop never waits. PROGRAM gets the request in its environment and
 * answers with its exit status:
 *   0 allow once, 1 deny once, 2 allow for this run, 3 allow always,
 *   4 deny always; anything else (a crash, a signal, another status) is
 *   deny once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "list.h"
#include "log.h"
#include "prompt.h"

#define EXIT_NO_TTY 125

struct cmd_prompter {
	struct cw_prompter base;
	char *program; /* NULL: ask on the terminal */
};

struct cmd_prompt {
	struct cw_source exit;
	pid_t pid;
	struct cw_prompt *prompt;
	struct cw_prompt_terminal *lent; /* borrowed for the question */
};

static void take_back(struct cmd_prompt *cmd)
{
	if (cmd->lent != NULL) {
		cmd->lent->take_back(cmd->lent);
		cmd->lent = NULL;
	}
}

static int ask_tty(const struct cw_prompt_request *req)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		return EXIT_NO_TTY;
	}
	FILE *tty = fdopen(fd, "r+");
	for (int tries = 0; tries < 3; tries++) {
		fprintf(tty, "\ncrate-wl: %s asks for %s: %s\n"
			"  allow [o]nce, for this [r]un, [a]lways; "
			"[d]eny once, [n]ever? ", req->app, req->permission,
			req->detail);
		fflush(tty);
		char line[64];
		if (fgets(line, sizeof(line), tty) == NULL) {
			return 1;
		}
		switch (line[0]) {
		case 'o':
		case 'y':
			return 0;
		case 'd':
			return 1;
		case 'r':
			return 2;
		case 'a':
			return 3;
		case 'n':
			return 4;
		default:
			break;
		}
	}
	return 1;
}

static void child(struct cmd_prompter *cp, const struct cw_prompt_request *req)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setenv("CRATE_WL_APP", req->app, 1);
	setenv("CRATE_WL_PERMISSION", req->permission, 1);
	setenv("CRATE_WL_DETAIL", req->detail, 1);
	setenv("CRATE_WL_ANSWERS", "0=allow-once 1=deny-once 2=allow-run "
		"3=allow-always 4=deny-always", 1);
	if (cp->program == NULL) {
		_exit(ask_tty(req));
	}
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
	}
	/* what the program prints is for the user; the proxy's stdout is
	 * not its to use */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	execl("/bin/sh", "sh", "-c", cp->program, (char *)NULL);
	_exit(127);
}

static void reap(struct cw_prompter *prompter, struct cmd_prompt *cmd)
{
	take_back(cmd);
	cw_loop_remove(prompter->loop, &cmd->exit);
	close(cmd->exit.fd);
	free(cmd);
}

static void cmd_exited(struct cw_source *source, uint32_t events)
{
	struct cmd_prompt *cmd = cw_container_of(source, cmd, exit);
	struct cw_prompt *prompt = cmd->prompt;
	struct cmd_prompter *cp = (struct cmd_prompter *)prompt->prompter;
	int status;
	if (waitpid(cmd->pid, &status, WNOHANG) != cmd->pid) {
		return;
	}
	reap(prompt->prompter, cmd);
	prompt->priv = NULL;
	const char *who = cp->program ? cp->program : "the terminal prompt";
	char why[512];
	if (WIFEXITED(status)) {
		int code = WEXITSTATUS(status);
		static const enum cw_answer answers[] = {
			CW_ANSWER_ALLOW_ONCE, CW_ANSWER_DENY_ONCE,
			CW_ANSWER_ALLOW_RUN, CW_ANSWER_ALLOW_ALWAYS,
			CW_ANSWER_DENY_ALWAYS,
		};
		if (code >= 0 && code <= 4) {
			cw_prompt_finish(prompt, answers[code], NULL);
			return;
		}
		if (code == EXIT_NO_TTY && cp->program == NULL) {
			snprintf(why, sizeof(why), "no controlling terminal to "
				"ask on");
		} else if (code == 127) {
			snprintf(why, sizeof(why), "cannot run prompt program "
				"'%s'", who);
		} else {
			snprintf(why, sizeof(why), "prompt program '%s' exited "
				"with status %d, which is not an answer (0-4)",
				who, code);
		}
	} else {
		snprintf(why, sizeof(why), "prompt program '%s' was killed by "
			"signal %d", who, WTERMSIG(status));
	}
	cw_prompt_finish(prompt, CW_ANSWER_DENY_ONCE, why);
}

static bool cmd_start(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
	struct cmd_prompter *cp = (struct cmd_prompter *)prompter;
	struct cmd_prompt *cmd = calloc(1, sizeof(*cmd));
	if (cmd == NULL) {
		return false;
	}
	cmd->prompt = prompt;
	/* tty asks on it, and a program may open /dev/tty too */
	if (prompter->terminal != NULL) {
		cmd->lent = prompter->terminal;
		cmd->lent->lend(cmd->lent);
	}
	fflush(NULL);
	cmd->pid = fork();
	if (cmd->pid < 0) {
		take_back(cmd);
		free(cmd);
		return false;
	}
	if (cmd->pid == 0) {
		child(cp, &prompt->request);
	}
	int pidfd = (int)syscall(SYS_pidfd_open, cmd->pid, 0);
	if (pidfd < 0 || !cw_loop_add(prompter->loop, &cmd->exit, pidfd,
			EPOLLIN, cmd_exited)) {
		cw_log_errno(CW_LOG_ERROR, "pidfd_open");
		kill(cmd->pid, SIGKILL);
		waitpid(cmd->pid, NULL, 0);
		if (pidfd >= 0) {
			close(pidfd);
		}
		take_back(cmd);
		free(cmd);
		return false;
	}
	fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	prompt->priv = cmd;
	return true;
}

static void cmd_cancel(struct cw_prompter *prompter, struct cw_prompt *prompt)
{
	struct cmd_prompt *cmd = prompt->priv;
	if (cmd == NULL) {
		return;
	}
	kill(cmd->pid, SIGKILL);
	waitpid(cmd->pid, NULL, 0);
	reap(prompter, cmd);
	prompt->priv = NULL;
}

static void cmd_destroy(struct cw_prompter *prompter)
{
	struct cmd_prompter *cp = (struct cmd_prompter *)prompter;
	free(cp->program);
	free(cp);
}

static const struct cw_prompter_impl cmd_impl = {
	.name = "cmd",
	.start = cmd_start,
	.cancel = cmd_cancel,
	.destroy = cmd_destroy,
};

struct cw_prompter *cw_prompter_cmd_create(const char *program, bool tty)
{
	struct cmd_prompter *cp = calloc(1, sizeof(*cp));
	if (cp == NULL) {
		return NULL;
	}
	cp->base.impl = &cmd_impl;
	if (!tty) {
		cp->program = strdup(program);
		if (cp->program == NULL) {
			free(cp);
			return NULL;
		}
	}
	return &cp->base;
}
