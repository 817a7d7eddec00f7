#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include "bus.h"
#include "list.h"

static bool is_set(const char *var)
{
	const char *value = getenv(var);
	return value != NULL && value[0] != '\0';
}

bool cw_bus_findable(void)
{
	return is_set("DBUS_SESSION_BUS_ADDRESS") || is_set("XDG_RUNTIME_DIR");
}

static void bus_readable(struct cw_source *source, uint32_t events)
{
	struct cw_bus *bus = cw_container_of(source, bus, source);
	bus->ready(bus);
}

static void bus_timeout(struct cw_source *source, uint32_t events)
{
	struct cw_bus *bus = cw_container_of(source, bus, timer);
	cw_timer_ack(source);
	bus->ready(bus);
}

bool cw_bus_init(struct cw_bus *bus, struct cw_loop *loop,
	void (*ready)(struct cw_bus *bus))
{
	bus->loop = loop;
	bus->bus = NULL;
	bus->source.fd = -1;
	bus->ready = ready;
	return cw_loop_add_timer(loop, &bus->timer, bus_timeout);
}

void cw_bus_drop(struct cw_bus *bus)
{
	if (bus->bus == NULL) {
		return;
	}
	cw_loop_remove(bus->loop, &bus->source);
	bus->source.fd = -1;
	cw_timer_set_abs_usec(&bus->timer, UINT64_MAX);
	bus->bus = sd_bus_close_unref(bus->bus);
}

void cw_bus_finish(struct cw_bus *bus)
{
	cw_bus_drop(bus);
	cw_loop_remove_timer(bus->loop, &bus->timer);
}

bool cw_bus_connect(struct cw_bus *bus, const char *user, char *why,
	size_t len)
{
	if (bus->bus != NULL) {
		return true;
	}
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	if (!cw_bus_findable()) {
		snprintf(why, len, "no session bus (DBUS_SESSION_BUS_ADDRESS "
			"unset): %s needs one", user);
		return false;
	}
	char lib_err[256];
	if (!cw_sd_bus_load(lib_err, sizeof(lib_err))) {
		snprintf(why, len, "%s", lib_err);
		return false;
	}
	/* sd_bus_open_user() connects without waiting: a unix socket
	 * connect() completes at once, authentication and Hello run later
	 * through sd_bus_process() */
	sd_bus *b = NULL;
	int r = sd_bus_open_user(&b);
	if (r < 0) {
		if (is_set("DBUS_SESSION_BUS_ADDRESS")) {
			snprintf(why, len, "no session bus at '%s': %s",
				addr, strerror(-r));
		} else {
			snprintf(why, len, "no session bus (DBUS_SESSION_BUS_"
				"ADDRESS unset, nothing at %s/bus): %s", rt,
				strerror(-r));
		}
		return false;
	}
	return cw_bus_adopt(bus, b, why, len);
}

bool cw_bus_adopt(struct cw_bus *bus, sd_bus *b, char *why, size_t len)
{
	int fd = sd_bus_get_fd(b);
	if (fd < 0 || !cw_loop_add(bus->loop, &bus->source, fd, 0,
			bus_readable)) {
		snprintf(why, len, "cannot watch the session bus: %s",
			strerror(fd < 0 ? -fd : errno));
		bus->source.fd = -1;
		sd_bus_close_unref(b);
		return false;
	}
	bus->bus = b;
	cw_bus_update(bus);
	return true;
}

int cw_bus_process(struct cw_bus *bus)
{
	while (bus->bus != NULL) {
		int r = sd_bus_process(bus->bus, NULL);
		if (r == 0) {
			break;
		}
		if (r < 0) {
			cw_bus_drop(bus);
			return r;
		}
	}
	return 0;
}

void cw_bus_update(struct cw_bus *bus)
{
	if (bus->bus == NULL) {
		return;
	}
	int events = sd_bus_get_events(bus->bus);
	if (events < 0) {
		/* closed or closing: processing notices and tidies up */
		cw_timer_set_abs_usec(&bus->timer, 0);
		return;
	}
	uint32_t want = 0;
	if (events & POLLIN) {
		want |= EPOLLIN;
	}
	if (events & POLLOUT) {
		want |= EPOLLOUT;
	}
	cw_loop_update(bus->loop, &bus->source, want);
	uint64_t deadline;
	if (sd_bus_get_timeout(bus->bus, &deadline) < 0) {
		deadline = UINT64_MAX;
	}
	cw_timer_set_abs_usec(&bus->timer, deadline);
}
