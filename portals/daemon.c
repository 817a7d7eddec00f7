/*
 * The sandbox's private session bus: a dbus-daemon of its own with a
 * config of ours, started when the app first connects (most runs never
 * do, and pay nothing); crate-wl listens on the socket until then and
 * hands it over as systemd would. crate-wl then takes the portals' names
 * and the config is reloaded so that no org.freedesktop.portal.* name nor
 * any other name crate-wl serves can be owned any more, not even queued
 * for. (An app quick enough to take a name first only talks to itself:
 * crate-wl says so, and serves no portal.) The portals are the only
 * services from outside; the app's own
 * processes may own names of their own (single-instance apps register one
 * and quit when they cannot), which reach nobody but the same sandbox.
 *
 * Nothing the app sends may start, configure or load a program outside
 * the sandbox. So the bus starts no program: its only service files name
 * the names crate-wl is about to own, each with a SystemdService, and
 * the daemon runs with --systemd-activation. A call to one of them made
 * before crate-wl owns it (the app's first connection is what starts the
 * daemon, and GTK 4 and Firefox read the Settings portal at once) then
 * waits for the name, as a call to an activatable service does, instead
 * of failing: for "systemd" the daemon only sends a signal to
 * org.freedesktop.systemd1, a name nobody owns and the app may not take,
 * and never runs the file's Exec. A call to any other unowned name fails
 * at once. Its config refuses the calls that configure or watch the
 * daemon, and the daemon itself runs confined as the app is (the
 * launcher's cw_confined_spawn).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "daemon.h"
#include "sd-bus-lazy.h"
#include "util.h"

#define BUS_START_TIMEOUT_MS 10000

/*
 * No standard session service directories: the only service files are
 * crate-wl's own names' (above), and the daemon waits for crate-wl to own
 * them, 10 s at most (service_start_timeout). The bus driver refuses (AccessDenied) what would configure or
 * watch the daemon: UpdateActivationEnvironment (the environment of what
 * it would start: LD_PRELOAD...), BecomeMonitor (every message of the bus;
 * the daemon lets any connection of its own uid do it). StartServiceByName
 * stays: for crate-wl's names it answers once crate-wl owns them; for any
 * other it answers ServiceUnknown, as an auto-starting call to an
 * unowned name does, and that is the answer
 * GDBusProxy waits on for a name that appears later (Chromium's portal
 * client, made before crate-wl owns the name, fails on AccessDenied). Eavesdropping match rules are
 * accepted but receive nothing: no rule allows eavesdrop="true". The bus's
 * own names and the portal backends' are never the app's. The limits keep
 * what the app can make the daemon hold (messages queued for a connection
 * that never reads, names, match rules) to a few MB a connection, not the
 * session bus's 1 GB: the daemon is outside the sandbox; its memory is
 * bounded as a whole too (max_memory).
 */
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
	"    <deny send_destination=\"org.freedesktop.DBus\"\n"
	"      send_interface=\"org.freedesktop.DBus\"\n"
	"      send_member=\"UpdateActivationEnvironment\"/>\n"
	"    <deny send_destination=\"org.freedesktop.DBus\"\n"
	"      send_interface=\"org.freedesktop.DBus.Monitoring\"\n"
	"      send_member=\"BecomeMonitor\"/>\n"
	"    <deny own_prefix=\"org.freedesktop.DBus\"/>\n"
	"    <deny own=\"org.freedesktop.systemd1\"/>\n"
	"    <deny own_prefix=\"org.freedesktop.impl.portal\"/>\n"
	"%s"
	"  </policy>\n"
	"  <limit name=\"max_completed_connections\">64</limit>\n"
	"  <limit name=\"max_incomplete_connections\">8</limit>\n"
	"  <limit name=\"max_connections_per_user\">64</limit>\n"
	"  <limit name=\"auth_timeout\">5000</limit>\n"
	"  <limit name=\"max_incoming_bytes\">4194304</limit>\n"
	"  <limit name=\"max_outgoing_bytes\">4194304</limit>\n"
	"  <limit name=\"max_message_size\">1048576</limit>\n"
	"  <limit name=\"max_incoming_unix_fds\">64</limit>\n"
	"  <limit name=\"max_outgoing_unix_fds\">64</limit>\n"
	"  <limit name=\"max_message_unix_fds\">16</limit>\n"
	"  <limit name=\"max_names_per_connection\">64</limit>\n"
	"  <limit name=\"max_replies_per_connection\">256</limit>\n"
	"  <limit name=\"max_match_rules_per_connection\">512</limit>\n"
	"  <limit name=\"service_start_timeout\">10000</limit>\n"
	"  <limit name=\"max_pending_service_starts\">64</limit>\n"
	"</busconfig>\n";

static bool write_config(const char *path, const char *services,
	const char *const *locked, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "we");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return false;
	}
	char denied[1024] = "";
	size_t used = 0;
	if (locked != NULL) {
		used = (size_t)snprintf(denied, sizeof(denied), "    <deny "
			"own_prefix=\"org.freedesktop.portal\"/>\n");
		for (size_t i = 0; locked[i] != NULL && used < sizeof(denied);
				i++) {
			used += (size_t)snprintf(denied + used,
				sizeof(denied) - used, "    <deny own=\"%s\"/>\n",
				locked[i]);
		}
	}
	if (used >= sizeof(denied)) {
		fclose(f);
		unlink(tmp);
		snprintf(err, errlen, "too many names to keep");
		return false;
	}
	fprintf(f, config_fmt, services, denied);
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

/* dir/NAME.service for each of names: "activated" by the name appearing
 * (see the top), never by running its Exec */
static bool write_services(const char *dir, const char *const *names,
	char *err, size_t errlen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return false;
	}
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		char path[PATH_MAX];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.service", dir,
				names[i]) >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", dir);
			return false;
		}
		FILE *f = fopen(path, "we");
		if (f == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return false;
		}
		fprintf(f, "[D-BUS Service]\nName=%s\nExec=/bin/false\n"
			"SystemdService=crate-wl-portal.service\n", names[i]);
		if (fclose(f) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return false;
		}
	}
	return true;
}

bool cw_portal_daemon_setup(struct cw_portal_daemon *bus, const char *dir,
	int listen_fd, const char *const *names, cw_confined_spawn_func spawn,
	char *err, size_t errlen)
{
	bus->pid = -1;
	bus->addr_fd = -1;
	bus->listen_fd = listen_fd;
	bus->spawn = spawn;
	snprintf(bus->socket, sizeof(bus->socket), "%s/bus", dir);
	/* a directory of its own, all the daemon sees of crate-wl's: the
	 * config is replaced by a rename, which a bind of the file would not
	 * show */
	snprintf(bus->config_dir, sizeof(bus->config_dir), "%s/bus-config",
		dir);
	snprintf(bus->config, sizeof(bus->config), "%s/bus.conf",
		bus->config_dir);
	snprintf(bus->log, sizeof(bus->log), "%s/bus.log", dir);
	snprintf(bus->services, sizeof(bus->services), "%s/services",
		bus->config_dir);
	if (mkdir(bus->config_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", bus->config_dir,
			strerror(errno));
		bus->config[0] = '\0';
		return false;
	}
	return write_services(bus->services, names, err, errlen) &&
		write_config(bus->config, bus->services, NULL, err, errlen);
}

bool cw_portal_daemon_spawn(struct cw_portal_daemon *bus, char *err, size_t errlen)
{
	char program[PATH_MAX];
	if (!cw_find_program("dbus-daemon", program, sizeof(program))) {
		snprintf(err, errlen, "cannot run dbus-daemon (package "
			"dbus-daemon): not found");
		return false;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	/* why it could not start goes to a log, not the app's terminal */
	int log = open(bus->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		0600);
	char config_arg[sizeof(bus->config) + 32];
	snprintf(config_arg, sizeof(config_arg), "--config-file=%s",
		bus->config);
	/* the listening socket at fd 3, as sd_listen_fds() expects it (the
	 * daemon is pid 1 of its own pid namespace), the address on fd 4.
	 * What it logs as it runs (a line for each refused call) goes to
	 * a syslog that its namespaces do not have, not to the log: the
	 * app would fill it at will. Why it could not start still does. */
	char *argv[] = {
		program, config_arg, "--nofork", "--nopidfile",
		"--syslog-only", "--print-address=4", "--systemd-activation",
		NULL,
	};
	char *envp[] = { "LISTEN_FDS=1", "LISTEN_PID=1", NULL };
	int fds[] = { bus->listen_fd, pipefd[1] };
	struct cw_confined what = {
		.argv = argv,
		.envp = envp,
		.fds = fds,
		.nfds = 2,
		.out_fd = -1,
		.log_fd = log,
		.ro_dir = bus->config_dir,
		.max_memory = 256 << 20,
	};
	pid_t pid = bus->spawn(&what, err, errlen);
	if (log >= 0) {
		close(log);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return false;
	}
	/* the daemon has it now: a dead daemon refuses connections */
	close(bus->listen_fd);
	bus->listen_fd = -1;
	bus->pid = pid;
	bus->addr_fd = pipefd[0];
	return true;
}

bool cw_portal_daemon_wait(struct cw_portal_daemon *bus, char *err, size_t errlen)
{
	char line[1024];
	bool ok = read_address(bus->addr_fd, line, sizeof(line), bus->log,
		err, errlen);
	close(bus->addr_fd);
	bus->addr_fd = -1;
	return ok;
}

bool cw_portal_daemon_lock(struct cw_portal_daemon *bus, sd_bus *conn,
	const char *const *names, char *err, size_t errlen)
{
	if (!write_config(bus->config, bus->services, names, err, errlen)) {
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

void cw_portal_daemon_kill(struct cw_portal_daemon *bus)
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
		kill(bus->pid, SIGKILL);
		while (waitpid(bus->pid, NULL, 0) < 0 && errno == EINTR) {
		}
		bus->pid = -1;
	}
}

void cw_portal_daemon_stop(struct cw_portal_daemon *bus)
{
	cw_portal_daemon_kill(bus);
	if (bus->config[0] != '\0') {
		unlink(bus->socket);
		unlink(bus->log);
		unlink(bus->config);
		rmdir(bus->config_dir);
		bus->config[0] = '\0';
	}
}
