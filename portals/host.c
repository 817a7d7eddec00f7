/*
 * The portals' host: the private bus's daemon, crate-wl's connection to
 * it, the names crate-wl owns there, and the portals started on it (see
 * portal.h). Requests are request.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "bus.h"
#include "daemon.h"
#include "host.h"
#include "listener.h"
#include "log.h"
#include "permission.h"
#include "portal-private.h"

#define MAX_PORTALS 16
#define MAX_GONE 16

struct started {
	const struct cw_portal *portal;
	void *state; /* NULL: did not start */
};

struct gone {
	cw_portal_gone_func func;
	void *data;
};

struct cw_portal_host {
	struct cw_portal_env env;
	char *app, *label, *instance, *dir, *compositor;
	struct cw_portal_daemon daemon;
	struct cw_source first; /* the daemon's pipe, until it says it runs */
	struct cw_bus bus;
	bool bus_inited;
	sd_bus_slot *owner_match;
	/* to start once the daemon says it runs */
	const struct cw_portal *want[MAX_PORTALS];
	size_t nwant;
	struct started portals[MAX_PORTALS];
	size_t nportals;
	struct gone gone[MAX_GONE];
	size_t ngone;
	struct cw_consent_listener revokes;
	bool listening;
	unsigned next_token;
	struct cw_list requests; /* cw_portal_request::link */
};

sd_bus *cw_portal_bus(struct cw_portal_host *host)
{
	return host->bus.bus;
}

void cw_portal_flush(struct cw_portal_host *host)
{
	cw_bus_update(&host->bus);
}

struct cw_list *cw_portal_requests(struct cw_portal_host *host)
{
	return &host->requests;
}

int cw_portal_add_interface(struct cw_portal_host *host, sd_bus_slot **slot,
	const char *iface, sd_bus_vtable *vtable, void *data)
{
	cw_sd_bus_vtable_fix(vtable);
	return sd_bus_add_object_vtable(host->bus.bus, slot, CW_PORTAL_PATH,
		iface, vtable, data);
}

bool cw_portal_on_gone(struct cw_portal_host *host, cw_portal_gone_func func,
	void *data)
{
	if (host->ngone == MAX_GONE) {
		return false;
	}
	host->gone[host->ngone++] = (struct gone){ func, data };
	return true;
}

/* ":1.42" -> "1_42", as the portal spec builds handles */
static void sender_part(const char *sender, char *out, size_t len)
{
	size_t i = 0;
	if (sender[0] == ':') {
		sender++;
	}
	for (; sender[i] != '\0' && i < len - 1; i++) {
		out[i] = sender[i] == '.' ? '_' : sender[i];
	}
	out[i] = '\0';
}

bool cw_portal_valid_token(const char *token)
{
	if (token[0] == '\0' || strlen(token) > 64) {
		return false;
	}
	for (const char *p = token; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9') || c == '_')) {
			return false;
		}
	}
	return true;
}

void cw_portal_handle_path(struct cw_portal_host *host, const char *kind,
	const char *sender, const char *token, char *out, size_t len)
{
	char part[128];
	sender_part(sender, part, sizeof(part));
	if (token[0] != '\0') {
		snprintf(out, len, CW_PORTAL_PATH "/%s/%s/%s", kind, part,
			token);
	} else {
		snprintf(out, len, CW_PORTAL_PATH "/%s/%s/crate_wl%u", kind,
			part, ++host->next_token);
	}
}

static void stop_portals(struct cw_portal_host *host)
{
	/* the portals hear of their Requests' end while they still run */
	cw_portal_requests_end(host, NULL);
	while (host->nportals > 0) {
		struct started *s = &host->portals[--host->nportals];
		if (s->state != NULL) {
			s->portal->stop(s->state);
		}
	}
	host->ngone = 0;
}

static void bus_ready(struct cw_bus *bus)
{
	struct cw_portal_host *host = cw_container_of(bus, host, bus);
	int r = cw_bus_process(bus);
	if (r < 0) {
		/* the private bus went: nothing to serve any more */
		cw_msg("portals: lost the sandbox's bus: %s", strerror(-r));
		stop_portals(host);
		return;
	}
	cw_bus_update(bus);
}

/* A caller left the bus: what it had goes with it. */
static int on_owner_changed(sd_bus_message *m, void *data,
	sd_bus_error *error)
{
	struct cw_portal_host *host = data;
	const char *name, *old, *new;
	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 ||
			new[0] != '\0' || name[0] != ':') {
		return 0;
	}
	cw_portal_requests_end(host, name);
	for (size_t i = 0; i < host->ngone; i++) {
		host->gone[i].func(host->gone[i].data, name);
	}
	return 0;
}

/* A revoke reaches every portal (each ends what it allowed). */
static void revoked(struct cw_consent_listener *listener,
	enum cw_capability cap, enum cw_decision decision)
{
	struct cw_portal_host *host = cw_container_of(listener, host, revokes);
	if (decision != CW_DECISION_DENY) {
		return;
	}
	for (size_t i = 0; i < host->nportals; i++) {
		struct started *s = &host->portals[i];
		if (s->state != NULL && s->portal->revoke != NULL) {
			s->portal->revoke(s->state, cap);
		}
	}
}

static int own(sd_bus *b, const char *name, const char *socket, char *err,
	size_t errlen)
{
	/* no replacement allowed: nobody else can take it later */
	int r = sd_bus_request_name(b, name, 0);
	if (r < 0) {
		snprintf(err, errlen, "cannot own %s on the sandbox's bus at "
			"%s (did the app take it first?): %s", name, socket,
			strerror(-r));
	}
	return r;
}

static bool bus_connect(struct cw_portal_host *host,
	const struct cw_portal *const *portals, size_t nportals, char *err,
	size_t errlen)
{
	char addr[PATH_MAX + 16];
	snprintf(addr, sizeof(addr), "unix:path=%s", host->daemon.socket);
	if (!cw_sd_bus_load(err, errlen)) {
		return false;
	}
	sd_bus *b = NULL;
	/* waits, once, when the app first connects: the daemon is ours
	 * and has just said it runs */
	int r = sd_bus_new(&b);
	if (r >= 0) {
		r = sd_bus_set_address(b, addr);
	}
	if (r >= 0) {
		r = sd_bus_set_bus_client(b, 1);
	}
	if (r >= 0) {
		r = sd_bus_start(b);
	}
	if (r >= 0) {
		r = sd_bus_match_signal(b, &host->owner_match,
			"org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus", "NameOwnerChanged",
			on_owner_changed, host);
	}
	if (r < 0) {
		snprintf(err, errlen, "the sandbox's bus at %s: %s",
			host->daemon.socket, strerror(-r));
		sd_bus_close_unref(b);
		return false;
	}
	const char *names[MAX_PORTALS + 1];
	size_t n = 0;
	r = own(b, CW_PORTAL_NAME, host->daemon.socket, err, errlen);
	for (size_t i = 0; r >= 0 && i < nportals; i++) {
		if (portals[i]->own != NULL) {
			r = own(b, portals[i]->own, host->daemon.socket, err,
				errlen);
			names[n++] = portals[i]->own;
		}
	}
	names[n] = NULL;
	if (r < 0 || !cw_portal_daemon_lock(&host->daemon, b, names, err,
			errlen)) {
		sd_bus_close_unref(b);
		return false;
	}
	return cw_bus_adopt(&host->bus, b, err, errlen);
}

/* Each portal starts on its own: one that cannot leaves the others. */
static void start_portals(struct cw_portal_host *host,
	const struct cw_portal *const *portals, size_t nportals)
{
	for (size_t i = 0; i < nportals; i++) {
		char err[PATH_MAX + 512];
		err[0] = '\0';
		struct started *s = &host->portals[host->nportals++];
		s->portal = portals[i];
		s->state = portals[i]->start(host, &host->env, err,
			sizeof(err));
		if (s->state == NULL) {
			cw_msg("no %s portal in the sandbox: %s",
				portals[i]->name, err);
		}
	}
	if (host->env.perms != NULL) {
		host->revokes.changed = revoked;
		cw_permissions_listen(host->env.perms, &host->revokes);
		host->listening = true;
	}
	cw_bus_update(&host->bus);
}

static void no_portals(struct cw_portal_host *host, const char *err)
{
	/* the app's bus refuses connections from now on */
	cw_portal_daemon_kill(&host->daemon);
	cw_msg("no portals in the sandbox: %s", err);
}

/* The daemon said it runs (or died): crate-wl joins the bus. */
static void daemon_said(struct cw_source *source, uint32_t events)
{
	struct cw_portal_host *host = cw_container_of(source, host, first);
	cw_loop_remove(host->env.loop, &host->first);
	host->first.fd = -1;
	char err[PATH_MAX + 512];
	if (!cw_portal_daemon_wait(&host->daemon, err, sizeof(err)) ||
			!bus_connect(host, host->want, host->nwant, err,
			sizeof(err))) {
		no_portals(host, err);
		return;
	}
	start_portals(host, host->want, host->nwant);
}

static char *dup_or_null(const char *s, bool *failed)
{
	if (s == NULL) {
		return NULL;
	}
	char *d = strdup(s);
	if (d == NULL) {
		*failed = true;
	}
	return d;
}

struct cw_portal_host *cw_portal_host_create(
	const struct cw_portal_host_config *cfg, char *err, size_t errlen)
{
	struct cw_portal_host *host = calloc(1, sizeof(*host));
	if (host == NULL) {
		if (cfg->listen_fd >= 0) {
			close(cfg->listen_fd);
		}
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	host->env = cfg->env;
	bool failed = false;
	host->env.app = host->app = dup_or_null(cfg->env.app, &failed);
	host->env.label = host->label = dup_or_null(cfg->env.label, &failed);
	host->env.instance = host->instance = dup_or_null(cfg->env.instance,
		&failed);
	host->env.dir = host->dir = dup_or_null(cfg->env.dir, &failed);
	host->env.compositor = host->compositor =
		dup_or_null(cfg->env.compositor, &failed);
	host->daemon.pid = -1;
	host->daemon.addr_fd = -1;
	/* ours from here: closed by cw_portal_host_destroy on failure */
	host->daemon.listen_fd = cfg->listen_fd;
	host->first.fd = -1;
	cw_list_init(&host->requests);
	for (size_t i = 0; i < cfg->nportals && i < MAX_PORTALS; i++) {
		host->want[host->nwant++] = cfg->portals[i];
	}
	if (failed) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (!cw_bus_init(&host->bus, host->env.loop, bus_ready)) {
		snprintf(err, errlen, "cannot make a timer: %s",
			strerror(errno));
		goto fail;
	}
	host->bus_inited = true;
	/* the app's first connection waits in the socket's backlog; the
	 * daemon starts on it now, and nothing here waits for the daemon: a
	 * call to a name of crate-wl's that comes before crate-wl owns it
	 * waits for it in the daemon (daemon.c) */
	const char *names[MAX_PORTALS + 2];
	size_t n = 0;
	names[n++] = CW_PORTAL_NAME;
	for (size_t i = 0; i < host->nwant; i++) {
		if (host->want[i]->own != NULL) {
			names[n++] = host->want[i]->own;
		}
	}
	names[n] = NULL;
	if (!cw_portal_daemon_setup(&host->daemon, host->dir, cfg->listen_fd,
			names, cfg->spawn, err, errlen) ||
			!cw_portal_daemon_spawn(&host->daemon, err, errlen)) {
		goto fail;
	}
	if (!cw_loop_add(host->env.loop, &host->first, host->daemon.addr_fd,
			EPOLLIN, daemon_said)) {
		snprintf(err, errlen, "cannot watch dbus-daemon: %s",
			strerror(errno));
		host->first.fd = -1;
		goto fail;
	}
	return host;
fail:
	cw_portal_host_destroy(host);
	return NULL;
}

void cw_portal_host_destroy(struct cw_portal_host *host)
{
	if (host == NULL) {
		return;
	}
	if (host->listening) {
		cw_consent_unlisten(&host->revokes);
	}
	stop_portals(host);
	if (host->first.fd >= 0) {
		cw_loop_remove(host->env.loop, &host->first);
	}
	sd_bus_slot_unref(host->owner_match);
	if (host->bus.bus != NULL) {
		sd_bus_flush(host->bus.bus);
	}
	if (host->bus_inited) {
		cw_bus_finish(&host->bus);
	}
	cw_portal_daemon_stop(&host->daemon);
	free(host->app);
	free(host->label);
	free(host->instance);
	free(host->dir);
	free(host->compositor);
	free(host);
}
