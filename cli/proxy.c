/* crate-wl proxy: one filtering proxy, for a socket, an fd or a command. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "args.h"
#include "commands.h"
#include "control.h"
#include "log.h"
#include "loop.h"
#include "policy.h"
#include "permission.h"
#include "prompt.h"
#include "proxy.h"
#include "record.h"
#include "store.h"
#include "util.h"

static const char usage_text[] =
	"usage: crate-wl proxy [--policy strict|default|trusted|FILE]\n"
	"                      [--allow IFACE]... [--deny IFACE]...\n"
	"                      [--screencopy deny|ask|allow]\n"
	"                      [--clipboard deny|focus|ask|allow]\n"
	"                      [--max-connections N] [--max-objects N]\n"
	"                      [--max-buffers N]\n"
	"                      [--app NAME] [--prompt portal|cmd:PROGRAM|tty|none]\n"
	"                      [--prompt-timeout SECONDS]\n"
	"                      [--no-security-context]\n"
	"                      [--socket PATH | --fd N] [--trace] [--record DIR]\n"
	"                      [-- COMMAND [ARG]...]\n";

struct policy_flag {
	const char *key;
	const char *value;
};

struct proxy_options {
	const char *policy;
	struct policy_flag flags[256];
	size_t nflags;
	const char *socket_path;
	const char *app;
	const char *prompt;
	int prompt_timeout_s;
	int client_fd;
	bool trace;
	bool no_security_context;
	const char *record_dir;
	char **command;
};

struct run_state {
	struct cw_source signal_source;
	bool quit;
	pid_t child;
	int child_status;
	bool child_done;
};

static int parse_options(int argc, char *argv[], struct proxy_options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "allow", required_argument, NULL, 'a' },
		{ "deny", required_argument, NULL, 'd' },
		{ "screencopy", required_argument, NULL, 's' },
		{ "clipboard", required_argument, NULL, 'c' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-objects", required_argument, NULL, 'O' },
		{ "max-buffers", required_argument, NULL, 'B' },
		{ "socket", required_argument, NULL, 'S' },
		{ "fd", required_argument, NULL, 'f' },
		{ "trace", no_argument, NULL, 't' },
		{ "no-security-context", no_argument, NULL, 'N' },
		{ "record", required_argument, NULL, 'R' },
		{ "app", required_argument, NULL, 'A' },
		{ "prompt", required_argument, NULL, 'P' },
		{ "prompt-timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	o->client_fd = -1;
	o->prompt_timeout_s = 60;
	cw_args_begin();
	int c;
	while ((c = cw_args_next(argc, argv, longopts, NULL)) != -1) {
		const char *key = NULL;
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'a':
			key = "allow";
			break;
		case 'd':
			key = "deny";
			break;
		case 's':
			key = "screencopy";
			break;
		case 'c':
			key = "clipboard";
			break;
		case 'C':
			key = "max-connections";
			break;
		case 'O':
			key = "max-objects";
			break;
		case 'B':
			key = "max-buffers";
			break;
		case 'S':
			o->socket_path = optarg;
			break;
		case 'f':
			if (!cw_parse_uint(optarg, &o->client_fd)) {
				cw_msg("--fd %s: not a file descriptor number",
					optarg);
				return 2;
			}
			break;
		case 't':
			o->trace = true;
			break;
		case 'N':
			o->no_security_context = true;
			break;
		case 'R': {
			char err[4200];
			if (!cw_record_prepare_dir(optarg, err, sizeof(err))) {
				cw_msg("--record: %s", err);
				return 2;
			}
			o->record_dir = optarg;
			break;
		}
		case 'A':
			if (!cw_store_valid_app(optarg)) {
				cw_msg("--app %s: use letters, digits, '.', '-' "
					"and '_' only", optarg);
				return 2;
			}
			o->app = optarg;
			break;
		case 'P':
			o->prompt = optarg;
			break;
		case 'T':
			if (!cw_parse_uint(optarg, &o->prompt_timeout_s) ||
					o->prompt_timeout_s < 1) {
				cw_msg("--prompt-timeout %s: a number of seconds",
					optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cw_args_bad_option("proxy", argv, longopts);
		}
		if (key != NULL) {
			if (o->nflags == sizeof(o->flags) / sizeof(o->flags[0])) {
				cw_msg("too many policy options");
				return 2;
			}
			o->flags[o->nflags++] = (struct policy_flag){ key, optarg };
		}
	}
	if (optind < argc) {
		o->command = &argv[optind];
	}
	int modes = (o->socket_path != NULL) + (o->client_fd >= 0) +
		(o->command != NULL);
	if (modes != 1) {
		cw_msg("give exactly one of --socket PATH, --fd N or "
			"-- COMMAND");
		fputs(usage_text, stderr);
		return 2;
	}
	return -1;
}

static struct cw_policy *build_policy(const struct proxy_options *o)
{
	char err[512];
	struct cw_policy *policy = cw_policy_load(o->policy ? o->policy :
		"default", err, sizeof(err));
	if (policy == NULL) {
		cw_msg("%s", err);
		return NULL;
	}
	for (size_t i = 0; i < o->nflags; i++) {
		if (!cw_policy_set(policy, o->flags[i].key, o->flags[i].value,
				err, sizeof(err))) {
			cw_msg("--%s: %s", o->flags[i].key, err);
			cw_policy_destroy(policy);
			return NULL;
		}
	}
	return policy;
}

/* Where the compositor is: WAYLAND_SOCKET first, as libwayland does. */
static bool find_upstream(char *path, size_t len, int *fd)
{
	*fd = -1;
	const char *sock = getenv("WAYLAND_SOCKET");
	if (sock != NULL) {
		int n;
		if (!cw_parse_uint(sock, &n) || fcntl(n, F_GETFD) < 0) {
			cw_msg("WAYLAND_SOCKET=%s is not an open file descriptor",
				sock);
			return false;
		}
		fcntl(n, F_SETFD, FD_CLOEXEC);
		unsetenv("WAYLAND_SOCKET");
		*fd = n;
		path[0] = '\0';
		return true;
	}
	char err[512];
	if (!cw_resolve_wayland_display(getenv("WAYLAND_DISPLAY"), path, len,
			err, sizeof(err))) {
		cw_msg("%s", err);
		return false;
	}
	return true;
}

static void signal_dispatch(struct cw_source *source, uint32_t events)
{
	struct run_state *st = cw_container_of(source, st, signal_source);
	struct signalfd_siginfo si;
	while (read(source->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			/* only the command: prompt programs are reaped by
			 * their own front-end */
			if (st->child > 0 && !st->child_done) {
				int status;
				if (waitpid(st->child, &status, WNOHANG) ==
						st->child) {
					st->child_status = status;
					st->child_done = true;
					st->quit = true;
				}
			}
			break;
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			if (st->child > 0 && !st->child_done) {
				/* the command decides when to stop */
				kill(st->child, (int)si.ssi_signo);
			} else {
				st->quit = true;
				st->child_done = false;
			}
			break;
		default:
			break;
		}
	}
}

/* true in the background child, which goes on serving. */
static bool background(bool trace)
{
	pid_t pid = fork();
	if (pid != 0) {
		return false;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (!trace) {
			dup2(null, STDERR_FILENO);
		}
		close(null);
	}
	return true;
}

static pid_t spawn_command(char **command, const char *display,
	const sigset_t *oldmask)
{
	pid_t pid = fork();
	if (pid < 0) {
		cw_msg("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		signal(SIGPIPE, SIG_DFL);
		setenv("WAYLAND_DISPLAY", display, 1);
		unsetenv("WAYLAND_SOCKET");
		execvp(command[0], command);
		fprintf(stderr, "crate-wl: cannot run %s: %s\n", command[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

int cw_cmd_proxy(int argc, char *argv[])
{
	struct proxy_options o = { 0 };
	int ret = parse_options(argc, argv, &o);
	if (ret >= 0) {
		return ret;
	}
	o.trace = o.trace || cw_log_get_verbosity() >= CW_LOG_DEBUG;

	/* every client costs two fds, and they travel in bulk */
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}

	struct cw_policy *policy = build_policy(&o);
	if (policy == NULL) {
		return 2;
	}
	char upstream[PATH_MAX];
	int upstream_fd;
	if (!find_upstream(upstream, sizeof(upstream), &upstream_fd)) {
		cw_policy_destroy(policy);
		return 1;
	}

	ret = 1;
	char dir[PATH_MAX] = "", socket_path[PATH_MAX] = "";
	struct run_state st = { .child = -1 };
	struct cw_control *control = NULL;
	sigset_t mask, oldmask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	signal(SIGPIPE, SIG_IGN);

	struct cw_loop *loop = cw_loop_create();
	struct cw_proxy *proxy = loop ? cw_proxy_create(loop, policy,
		upstream[0] ? upstream : NULL, upstream_fd) : NULL;
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (proxy == NULL || sfd < 0) {
		cw_msg("cannot start the proxy: %s", strerror(errno));
		goto out;
	}
	cw_loop_add(loop, &st.signal_source, sfd, EPOLLIN, signal_dispatch);
	proxy->trace = o.trace;
	if (o.record_dir != NULL &&
			(proxy->record_dir = strdup(o.record_dir)) == NULL) {
		cw_msg("out of memory");
		goto out;
	}
	if (!cw_proxy_setup_permissions(proxy, o.app,
			o.command ? o.command[0] : NULL, o.prompt,
			o.prompt_timeout_s * 1000, &control)) {
		ret = 2;
		goto out;
	}
	/* no sandbox, so no sandbox id: the proxy's pid tells instances
	 * apart */
	char instance[32];
	snprintf(instance, sizeof(instance), "%d", (int)getpid());
	if (o.no_security_context) {
		cw_proxy_trace(proxy, "SECURITY-CONTEXT", "none: "
			"--no-security-context");
	} else if (!cw_proxy_set_security_context(proxy, NULL, instance)) {
		cw_msg("out of memory");
		goto out;
	}

	if (o.command != NULL) {
		const char *rt = getenv("XDG_RUNTIME_DIR");
		if (rt == NULL || rt[0] == '\0') {
			cw_msg("XDG_RUNTIME_DIR is not set: nowhere to put the "
				"proxy's socket");
			goto out;
		}
		snprintf(dir, sizeof(dir), "%s/crate-wl-XXXXXX", rt);
		if (mkdtemp(dir) == NULL) {
			cw_msg("cannot create a directory in %s: %s", rt,
				strerror(errno));
			dir[0] = '\0';
			goto out;
		}
		snprintf(socket_path, sizeof(socket_path), "%s/wayland-0", dir);
		if (!cw_proxy_listen(proxy, socket_path)) {
			goto out;
		}
		st.child = spawn_command(o.command, socket_path, &oldmask);
		if (st.child < 0) {
			goto out;
		}
	} else if (o.socket_path != NULL) {
		if (!cw_proxy_listen(proxy, o.socket_path)) {
			goto out;
		}
	} else {
		if (fcntl(o.client_fd, F_GETFD) < 0) {
			cw_msg("--fd %d: not an open file descriptor",
				o.client_fd);
			goto out;
		}
		if (!cw_proxy_add_client(proxy, o.client_fd)) {
			goto out;
		}
	}

	bool leaving = false;
	while (!st.quit || (st.child_done && proxy->nconns > 0)) {
		if (st.child_done && dir[0] != '\0') {
			/* COMMAND is done: no new clients */
			cw_proxy_stop_listening(proxy);
			unlink(socket_path);
			rmdir(dir);
			dir[0] = '\0';
			leaving = true;
		}
		/* an open question is answered first: its prompt program
		 * is our child, and only we can hear its answer */
		if (leaving && !cw_permissions_asking(proxy->perms)) {
			if (proxy->nconns > 0 && background(o.trace)) {
				leaving = false;
				/* what it left running (wl-copy) keeps its
				 * connection in a background proxy, as it
				 * would keep a direct one */
				continue;
			}
			if (proxy->nconns > 0) {
				/* the background child serves the connections
				 * now, through the epoll set we share */
				proxy->released = true;
				cw_control_destroy(control, true);
				control = NULL;
				cw_proxy_release(proxy);
				proxy = NULL;
			}
			break;
		}
		int n = cw_proxy_dispatch(proxy, -1);
		if (n < 0) {
			cw_msg("event loop: %s", strerror(-n));
			goto out;
		}
		if (o.client_fd >= 0 && proxy->nconns == 0) {
			break;
		}
	}
	ret = 0;
	if (o.client_fd >= 0 && proxy != NULL && proxy->total_clients == 1 &&
			proxy->upstream_failures > 0) {
		/* the one client never reached the compositor */
		ret = 1;
	}
	if (st.child_done) {
		ret = WIFEXITED(st.child_status) ? WEXITSTATUS(st.child_status)
			: 128 + WTERMSIG(st.child_status);
	}

out:
	cw_control_destroy(control, proxy != NULL && proxy->released);
	cw_proxy_destroy(proxy);
	if (sfd >= 0) {
		close(sfd);
	}
	cw_loop_destroy(loop);
	if (dir[0] != '\0') {
		unlink(socket_path);
		rmdir(dir);
	}
	cw_policy_destroy(policy);
	return ret;
}
