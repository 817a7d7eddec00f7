/* The sandbox's PulseAudio socket and its server (pulse.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "log.h"
#include "pulse.h"

/*
 * No context.exec, no pulse.cmd: nothing is started and no PulseAudio
 * module is loaded but what a client asks for (see docs/threat-model.md).
 * "unix:native" is $XDG_RUNTIME_DIR/pulse/native, the socket it is handed.
 */
const char cw_pulse_config[] =
	"# crate-wl's pipewire-pulse, inside a sandbox\n"
	"context.properties = {\n"
	"    support.dbus = false\n"
	"}\n"
	"context.spa-libs = {\n"
	"    audio.convert.* = audioconvert/libspa-audioconvert\n"
	"    support.*       = support/libspa-support\n"
	"}\n"
	"context.modules = [\n"
	"    { name = libpipewire-module-protocol-native }\n"
	"    { name = libpipewire-module-client-node }\n"
	"    { name = libpipewire-module-adapter }\n"
	"    { name = libpipewire-module-metadata }\n"
	"    { name = libpipewire-module-protocol-pulse }\n"
	"]\n"
	"pulse.properties = {\n"
	"    server.address = [ \"unix:native\" ]\n"
	"}\n";

static void status_line(int status_fd, const char *fmt, ...)
	CW_ATTRIB_PRINTF(2, 3);

/* A line for crate-wl ("error ..."), or for stderr when it is gone. */
static void status_line(int status_fd, const char *fmt, ...)
{
	char line[PATH_MAX + 256];
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (n > 0 && (size_t)n < sizeof(line) && (status_fd < 0 ||
			write(status_fd, line, (size_t)n) != n)) {
		/* nobody to tell but stderr */
		fputs(line + 6, stderr);
	}
}

int cw_pulse_listen(const struct cw_plan *plan, int status_fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/pulse", plan->runtime_dir);
	int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/native",
		dir);
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path)) {
		status_line(status_fd, "error no PulseAudio socket in the "
			"sandbox: %s/native: %s\n", dir,
			strerror(ENAMETOOLONG));
		return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		status_line(status_fd, "error no PulseAudio socket in the "
			"sandbox: mkdir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
			listen(fd, 64) < 0) {
		status_line(status_fd, "error no PulseAudio socket in the "
			"sandbox: %s: %s\n", addr.sun_path, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

bool cw_pulse_write_config(const char *path, char *err, size_t errlen)
{
	/* the instance's directory, the user's own: made new, never
	 * followed; read-only to everyone from the start */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		O_NOFOLLOW, 0444);
	size_t len = sizeof(cw_pulse_config) - 1;
	bool ok = fd >= 0 && write(fd, cw_pulse_config, len) == (ssize_t)len;
	if (!ok) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			strerror(errno));
	}
	if (fd >= 0) {
		close(fd);
	}
	return ok;
}

/*
 * From the command's environment, only what says where things are, and
 * how much PipeWire should log (--env PIPEWIRE_DEBUG=3 to see why it
 * failed).
 */
static bool keep_env(const char *entry)
{
	static const char *const keep[] = {
		"HOME=", "PATH=", "XDG_RUNTIME_DIR=", "LANG=",
		"PIPEWIRE_DEBUG=",
	};
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		if (strncmp(entry, keep[i], strlen(keep[i])) == 0) {
			return true;
		}
	}
	return false;
}

/* In the forked child: dies (through _exit) on any failure. */
static _Noreturn void server_main(const struct cw_plan *plan,
	int listen_fd, int status_fd)
{
	char *envp[9], pid_env[32];
	size_t n = 0;
	bool debug = false;
	for (size_t i = 0; i < plan->nenvp && n < 5; i++) {
		if (keep_env(plan->envp[i])) {
			debug |= strncmp(plan->envp[i], "PIPEWIRE_DEBUG=",
				15) == 0;
			envp[n++] = plan->envp[i];
		}
	}
	snprintf(pid_env, sizeof(pid_env), "LISTEN_PID=%d", (int)getpid());
	envp[n++] = "LISTEN_FDS=1";
	envp[n++] = pid_env;
	if (!debug) {
		envp[n++] = "PIPEWIRE_DEBUG=1"; /* errors only: no warnings */
	}
	envp[n] = NULL;

	/* out of the way of 3 first: either may be 3 */
	int lfd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 16);
	int efd = fcntl(status_fd, F_DUPFD_CLOEXEC, 16);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (lfd < 0 || efd < 0 || dup2(lfd, 3) < 0 ||
			(null >= 0 && (dup2(null, 0) < 0 ||
			dup2(null, 1) < 0))) {
		status_line(efd >= 0 ? efd : status_fd, "error cannot start "
			"pipewire-pulse: %s\n", strerror(errno));
		_exit(1);
	}
	/* 3, without close-on-exec (dup2 clears it); every other fd but
	 * the status pipe (close-on-exec) goes */
	close_range(4, (unsigned)efd - 1, 0);
	close_range((unsigned)efd + 1, ~0u, 0);
	/* the configuration crate-wl wrote, bound read-only (the plan) */
	char *argv[] = {
		"pipewire-pulse", "-c", CW_PULSE_CONFIG, NULL,
	};
	cw_sandbox_exec(NULL, argv, envp, "/", efd, -1);
}

pid_t cw_pulse_start(const struct cw_plan *plan, int listen_fd,
	int status_fd)
{
	pid_t pid = fork();
	if (pid == 0) {
		server_main(plan, listen_fd, status_fd);
	}
	return pid;
}
