/*
 * The sandbox's private session bus: a dbus-daemon of its own with a
 * config of ours, started when the app first connects (most runs never
 * do, and pay nothing); crate-wl listens on the socket until then and
 * hands it over as systemd would. crate-wl then takes the portal's name
 * and the config is reloaded so that no org.freedesktop.portal.* name can
 * be owned any more, not even queued for. (An app quick enough to take
 * the name first only talks to itself: crate-wl says so, and serves no
 * portal.) The portal is the only
 * service from outside; the app's own processes may own names of their own
 * (single-instance apps register one and quit when they cannot), which
 * reach nobody but the same sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "screencast-private.h"
#include "sd-bus-lazy.h"
#include "util.h"

#define BUS_START_TIMEOUT_MS 10000

static const char config_fmt[] =
	"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
	"Configuration 1.0//EN\"\n"
	" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	"<busconfig>\n"
	"  <type>session</type>\n"
	"  <listen>systemd:</listen>\n"
	"  <auth>EXTERNAL</auth>\n"
	"  <servicedir>%s</servicedir>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"*\"/>\n"
	"    <allow receive_sender=\"*\"/>\n"
	"    <allow own=\"*\"/>\n"
	"%s"
	"  </policy>\n"
	"  <limit name=\"max_completed_connections\">64</limit>\n"
	"  <limit name=\"max_connections_per_user\">64</limit>\n"
	"  <limit name=\"max_match_rules_per_connection\">512</limit>\n"
	"</busconfig>\n";

static bool write_config(const char *path, const char *services,
	bool locked, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return false;
	}
	fprintf(f, config_fmt, services, !locked ? "" :
		"    <deny own_prefix=\"org.freedesktop.portal\"/>\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	return true;
}

/* The daemon's last words, from its log (which goes with the bus). */
static void last_line(const char *log, char *out, size_t len)
{
	char buf[4096];
	out[0] = '\0';
	FILE *f = fopen(log, "re");
	if (f == NULL) {
		return;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		size_t n = strlen(buf);
		if (n > 0) {
			n = n < len ? n : len - 1;
			memcpy(out, buf, n);
			out[n] = '\0';
		}
	}
	fclose(f);
}

/* Reads the address line the daemon prints once it listens. */
static bool read_address(int fd, char *buf, size_t len, const char *log,
	char *err, size_t errlen)
{
	size_t used = 0;
	int64_t deadline = cw_now_ms() + BUS_START_TIMEOUT_MS;
	while (used < len - 1) {
		int left = (int)(deadline - cw_now_ms());
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = left > 0 ? poll(&pfd, 1, left) : 0;
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r == 0) {
			snprintf(err, errlen, "dbus-daemon did not start within "
				"%d s", BUS_START_TIMEOUT_MS / 1000);
			return false;
		}
		ssize_t n = read(fd, buf + used, len - 1 - used);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			char said[512];
			last_line(log, said, sizeof(said));
			snprintf(err, errlen, "dbus-daemon did not start: %s",
				said[0] ? said : "it said nothing");
			return false;
		}
		used += (size_t)n;
		buf[used] = '\0';
		if (strchr(buf, '\n') != NULL) {
			return true;
		}
	}
	snprintf(err, errlen, "dbus-daemon printed no address");
	return false;
}

/*
 * A call to the portal that comes before crate-wl owns its name (the daemon
 * starts when the app first connects, and the app may ask at once) waits
 * in the daemon for the name, as D-Bus activation does: the "service" the
 * daemon starts only waits for crate-wl to take the name (gdbus wait), or
 * a few seconds where GLib's gdbus is missing.
 */
static bool write_service(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], gdbus[PATH_MAX];
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return false;
	}
	const char *wait = "/bin/sleep 10";
	char line[PATH_MAX + 128];
	if (cw_find_program("gdbus", gdbus, sizeof(gdbus))) {
		snprintf(line, sizeof(line), "%s wait --session --timeout 10 "
			CW_SC_BUS_NAME, gdbus);
		wait = line;
	}
	snprintf(path, sizeof(path), "%s/" CW_SC_BUS_NAME ".service", dir);
	FILE *f = fopen(path, "we");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	fprintf(f, "[D-BUS Service]\nName=" CW_SC_BUS_NAME "\nExec=%s\n", wait);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

bool cw_sc_bus_setup(struct cw_sc_bus *bus, const char *dir, int listen_fd,
	char *err, size_t errlen)
{
	bus->pid = -1;
	bus->addr_fd = -1;
	bus->listen_fd = listen_fd;
	snprintf(bus->socket, sizeof(bus->socket), "%s/bus", dir);
	snprintf(bus->config, sizeof(bus->config), "%s/bus.conf", dir);
	snprintf(bus->log, sizeof(bus->log), "%s/bus.log", dir);
	snprintf(bus->services, sizeof(bus->services), "%s/bus-services",
		dir);
	return write_service(bus->services, err, errlen) &&
		write_config(bus->config, bus->services, false, err, errlen);
}

bool cw_sc_bus_spawn(struct cw_sc_bus *bus, char *err, size_t errlen)
{
	int lfd = bus->listen_fd;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	char config_arg[sizeof(bus->config) + 32], fd_arg[32];
	snprintf(config_arg, sizeof(config_arg), "--config-file=%s",
		bus->config);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return false;
	}
	if (pid == 0) {
		/* the bus goes with crate-wl, whatever way crate-wl goes */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != parent) {
			_exit(1);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* fd 3, as sd_listen_fds() expects it */
		int fd = dup(pipefd[1]); /* without O_CLOEXEC, and not 3 */
		if (fd == 3) {
			fd = dup(fd);
		}
		if (lfd == 3) {
			fcntl(lfd, F_SETFD, 0);
		} else if (dup2(lfd, 3) < 0) {
			_exit(127);
		}
		char pid_env[32];
		snprintf(pid_env, sizeof(pid_env), "%d", (int)getpid());
		setenv("LISTEN_FDS", "1", 1);
		setenv("LISTEN_PID", pid_env, 1);
		unsetenv("LISTEN_FDNAMES");
		snprintf(fd_arg, sizeof(fd_arg), "--print-address=%d", fd);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
		}
		/* its warnings (fd limits...) go to a log, not the app's
		 * terminal */
		int log = open(bus->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (log >= 0) {
			dup2(log, STDOUT_FILENO);
			dup2(log, STDERR_FILENO);
		}
		execlp("dbus-daemon", "dbus-daemon", config_arg, "--nofork",
			"--nopidfile", "--nosyslog", fd_arg, (char *)NULL);
		fprintf(stderr, "cannot run dbus-daemon (package dbus-daemon): "
			"%s\n", strerror(errno));
		_exit(127);
	}
	/* the daemon has it now: a dead daemon refuses connections */
	close(lfd);
	bus->listen_fd = -1;
	close(pipefd[1]);
	bus->pid = pid;
	bus->addr_fd = pipefd[0];
	return true;
}

bool cw_sc_bus_wait(struct cw_sc_bus *bus, char *err, size_t errlen)
{
	char line[1024];
	bool ok = read_address(bus->addr_fd, line, sizeof(line), bus->log,
		err, errlen);
	close(bus->addr_fd);
	bus->addr_fd = -1;
	return ok;
}

bool cw_sc_bus_lock(struct cw_sc_bus *bus, sd_bus *conn, char *err,
	size_t errlen)
{
	if (!write_config(bus->config, bus->services, true, err, errlen)) {
		return false;
	}
	/* answered once the daemon has read it again */
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = sd_bus_call_method(conn, "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "ReloadConfig",
		&error, NULL, "");
	if (r < 0) {
		snprintf(err, errlen, "dbus-daemon did not reload its config: "
			"%s", error.message ? error.message : strerror(-r));
	}
	sd_bus_error_free(&error);
	return r >= 0;
}

void cw_sc_bus_kill(struct cw_sc_bus *bus)
{
	if (bus->listen_fd >= 0) {
		close(bus->listen_fd);
		bus->listen_fd = -1;
	}
	if (bus->addr_fd >= 0) {
		close(bus->addr_fd);
		bus->addr_fd = -1;
	}
	if (bus->pid > 0) {
		kill(bus->pid, SIGTERM);
		while (waitpid(bus->pid, NULL, 0) < 0 && errno == EINTR) {
		}
		bus->pid = -1;
	}
}

void cw_sc_bus_stop(struct cw_sc_bus *bus)
{
	cw_sc_bus_kill(bus);
	if (bus->config[0] != '\0') {
		char service[PATH_MAX + 64];
		snprintf(service, sizeof(service), "%s/" CW_SC_BUS_NAME
			".service", bus->services);
		unlink(service);
		rmdir(bus->services);
		unlink(bus->socket);
		unlink(bus->log);
		unlink(bus->config);
		bus->config[0] = '\0';
	}
}
