/*
 * Runs the proxy with one pre-connected client socket, as compositors spawn
 * clients: a socketpair, one end to `crate-wl proxy --fd 3`, the other end
 * as WAYLAND_SOCKET for the client.
 * usage: fdrun CRATE-WL [PROXY-OPTION]... -- CLIENT [ARG]...
 * Exits with the client's status, or 1 if the proxy outlives its client.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	int sep = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	}
	if (sep < 2 || sep == argc - 1) {
		fprintf(stderr, "usage: fdrun CRATE-WL [OPT]... -- CLIENT...\n");
		return 2;
	}
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t proxy = fork();
	if (proxy == 0) {
		close(sv[1]);
		dup2(sv[0], 3);
		char **args = calloc(sep + 4, sizeof(char *));
		int n = 0;
		args[n++] = argv[1];
		args[n++] = "proxy";
		for (int i = 2; i < sep; i++) {
			args[n++] = argv[i];
		}
		args[n++] = "--fd";
		args[n++] = "3";
		execv(argv[1], args);
		_exit(127);
	}
	close(sv[0]);
	pid_t client = fork();
	if (client == 0) {
		char num[16];
		snprintf(num, sizeof(num), "%d", sv[1]);
		setenv("WAYLAND_SOCKET", num, 1);
		execvp(argv[sep + 1], argv + sep + 1);
		_exit(127);
	}
	close(sv[1]);
	int status;
	waitpid(client, &status, 0);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	/* the proxy must exit on its own once its one client is gone */
	for (int i = 0; i < 200; i++) {
		int ps;
		if (waitpid(proxy, &ps, WNOHANG) == proxy) {
			printf("proxy exited after its client (status %d)\n",
				WIFEXITED(ps) ? WEXITSTATUS(ps) : -1);
			return rc;
		}
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "the proxy did not exit after its client\n");
	kill(proxy, SIGKILL);
	waitpid(proxy, NULL, 0);
	return 1;
}
