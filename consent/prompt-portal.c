/*
 * portal: the desktop's own permission dialog,
 * org.freedesktop.impl.portal.Access.AccessDialog, called on the session bus
 * through sd-bus. The bus fd and sd-bus's own deadline (a timerfd) live in
 * the proxy's cw_loop, so nothing here ever waits: a call goes out, and the
 * reply is read whenever the loop sees the fd readable.
 *
 * We talk to the backend (xdg-desktop-portal-gtk, -gnome or -kde) directly,
 * trying the names they own in that order: a name nobody owns gives
 * ServiceUnknown and the next one is tried.
 *
 * Answers: response 0 (granted) or 1 (denied), made "always" by the
 * "remember" checkbox; 2 (dismissed: Escape, window closed) is deny once.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "bus.h"
#include "list.h"
#include "log.h"
#include "prompt.h"

#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define ACCESS_IFACE "org.freedesktop.impl.portal.Access"
#define REQUEST_IFACE "org.freedesktop.impl.portal.Request"

/* the names xdg-desktop-portal backends own, in the order we try them */
static const char *const backend_names[] = {
	"org.freedesktop.impl.portal.desktop.gtk",
	"org.freedesktop.impl.portal.desktop.gnome",
	"org.freedesktop.impl.portal.desktop.kde",
};
#define N_BACKENDS (sizeof(backend_names) / sizeof(backend_names[0]))

/* the call may outlive prompt.c's deadline a little: that deadline wins */
#define CALL_SLACK_USEC (5 * 1000 * 1000ULL)

struct portal_prompter {
	struct cw_prompter base;
	struct cw_bus bus; /* connected when a prompt needs it */
	/* prompts that failed before any call went out: answered from the
	 * loop, since start() must not answer */
	struct cw_source failed_timer;
	struct cw_list prompts; /* portal_prompt::link */
	uint64_t serial;
	int dispatching;
	bool destroy_pending;
};

struct portal_prompt {
	struct cw_list link;
	struct portal_prompter *pp;
	struct cw_prompt *prompt;
	sd_bus_slot *slot;
	size_t backend; /* index into backend_names of the call in flight */
	char handle[128];
	char *error; /* set: answer deny with this from failed_timer */
	char *tried; /* the first backend's error */
};


static void portal_prompt_free(struct portal_prompt *pprompt)
{
	cw_list_remove(&pprompt->link);
	sd_bus_slot_unref(pprompt->slot);
	free(pprompt->error);
	free(pprompt->tried);
	free(pprompt);
}

/* Answers a prompt and forgets it; may run the user's callback. */
static void portal_answer(struct portal_prompt *pprompt, enum cw_answer answer,
	const char *why)
{
	struct cw_prompt *prompt = pprompt->prompt;
	prompt->priv = NULL;
	portal_prompt_free(pprompt);
	cw_prompt_finish(prompt, answer, why);
}

static void prompter_free(struct portal_prompter *pp)
{
	struct portal_prompt *pprompt, *tmp;
	/* prompt.c's users cancel their prompts first; anything left over
	 * only loses its pending call, never gets an answer */
	cw_list_for_each_safe(pprompt, tmp, &pp->prompts, link) {
		pprompt->prompt->priv = NULL;
		portal_prompt_free(pprompt);
	}
	cw_bus_finish(&pp->bus);
	cw_loop_remove_timer(pp->base.loop, &pp->failed_timer);
	free(pp);
}

/* Calls still out when the bus went: they will not come back. */
static void fail_pending(struct portal_prompter *pp, const char *why)
{
	struct portal_prompt *pprompt, *tmp;
	cw_list_for_each_safe(pprompt, tmp, &pp->prompts, link) {
		if (pprompt->error == NULL) {
			pprompt->slot = sd_bus_slot_unref(pprompt->slot);
			pprompt->error = strdup(why);
		}
	}
}

static void answer_failed(struct portal_prompter *pp);

/* Runs sd-bus until it has nothing left to do, then re-arms fd and timer. */
static void portal_process(struct portal_prompter *pp)
{
	pp->dispatching++;
	int r = cw_bus_process(&pp->bus);
	if (r < 0) {
		/* the bus went away: sd-bus has already failed every
		 * pending call (their callbacks ran with an error) */
		char why[256];
		snprintf(why, sizeof(why), "lost the session bus: %s",
			strerror(-r));
		cw_msg("portal prompt: %s", why);
		fail_pending(pp, why);
		answer_failed(pp);
	}
	pp->dispatching--;
	if (pp->dispatching == 0 && pp->destroy_pending) {
		prompter_free(pp);
		return;
	}
	cw_bus_update(&pp->bus);
}

/* The first prompt waiting for an answer for the given reason, if any. */
static struct portal_prompt *first_failed(struct portal_prompter *pp)
{
	struct portal_prompt *pprompt, *tmp;
	cw_list_for_each_safe(pprompt, tmp, &pp->prompts, link) {
		if (pprompt->error != NULL) {
			return pprompt;
		}
	}
	return NULL;
}

/*
 * Answers every prompt that has an error. One at a time from the head:
 * an answer's callback may cancel or start other prompts.
 */
static void answer_failed(struct portal_prompter *pp)
{
	pp->dispatching++;
	struct portal_prompt *pprompt;
	while (!pp->destroy_pending && (pprompt = first_failed(pp)) != NULL) {
		char why[512];
		snprintf(why, sizeof(why), "%s", pprompt->error);
		portal_answer(pprompt, CW_ANSWER_DENY_ONCE, why);
	}
	pp->dispatching--;
}

static void bus_ready(struct cw_bus *bus)
{
	struct portal_prompter *pp = cw_container_of(bus, pp, bus);
	portal_process(pp);
}

static void failed_due(struct cw_source *source, uint32_t events)
{
	struct portal_prompter *pp = cw_container_of(source, pp, failed_timer);
	cw_timer_ack(source);
	answer_failed(pp);
	if (pp->dispatching == 0 && pp->destroy_pending) {
		prompter_free(pp);
	}
}

static const char *title_verb(const char *permission)
{
	static const struct {
		const char *permission, *verb;
	} verbs[] = {
		{ "screencopy", "capture your screen" },
		{ "clipboard", "read the clipboard" },
		{ "clipboard-manager", "see everything you copy" },
		{ "microphone", "use your microphone" },
		{ "camera", "use your camera" },
		{ "open-uri", "open a link outside the sandbox" },
		{ "notifications", "show notifications" },
	};
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].permission, permission) == 0) {
			return verbs[i].verb;
		}
	}
	return NULL;
}

static int append_options(sd_bus_message *m)
{
	int r = sd_bus_message_open_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	if ((r = sd_bus_message_append(m, "{sv}", "modal", "b", 1)) < 0 ||
			(r = sd_bus_message_append(m, "{sv}", "grant_label",
			"s", "Allow")) < 0 ||
			(r = sd_bus_message_append(m, "{sv}", "deny_label",
			"s", "Deny")) < 0) {
		return r;
	}
	/* one choice with no sub-choices: a checkbox, "true" or "false" */
	if ((r = sd_bus_message_open_container(m, 'e', "sv")) < 0 ||
			(r = sd_bus_message_append(m, "s", "choices")) < 0 ||
			(r = sd_bus_message_open_container(m, 'v',
			"a(ssa(ss)s)")) < 0 ||
			(r = sd_bus_message_append(m, "a(ssa(ss)s)", 1,
			"remember", "Remember this decision", 0,
			"false")) < 0 ||
			(r = sd_bus_message_close_container(m)) < 0 ||
			(r = sd_bus_message_close_container(m)) < 0) {
		return r;
	}
	return sd_bus_message_close_container(m);
}

static int access_reply(sd_bus_message *m, void *data, sd_bus_error *err);

/* Sends AccessDialog to backend_names[pprompt->backend]; -errno on error. */
static int send_access_dialog(struct portal_prompt *pprompt)
{
	struct portal_prompter *pp = pprompt->pp;
	const struct cw_prompt_request *req = &pprompt->prompt->request;
	char title[256], subtitle[256];
	const char *verb = title_verb(req->permission);
	if (verb != NULL) {
		snprintf(title, sizeof(title), "%s wants to %s", req->app,
			verb);
	} else {
		snprintf(title, sizeof(title), "%s asks for %s", req->app,
			req->permission);
	}
	snprintf(subtitle, sizeof(subtitle), "The sandboxed app \"%s\" asks "
		"for the \"%s\" permission.", req->app, req->permission);

	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(pp->bus.bus, &m,
		backend_names[pprompt->backend], PORTAL_PATH, ACCESS_IFACE,
		"AccessDialog");
	if (r < 0) {
		return r;
	}
	/* app_id names a .desktop file to the backend; ours is a sandbox
	 * name, so it goes into the words instead */
	r = sd_bus_message_append(m, "ossss", pprompt->handle, "",
		"", title, subtitle);
	if (r >= 0) {
		r = sd_bus_message_append(m, "s", req->detail);
	}
	if (r >= 0) {
		r = append_options(m);
	}
	if (r >= 0) {
		uint64_t usec = (uint64_t)pp->base.timeout_ms * 1000 +
			CALL_SLACK_USEC;
		r = sd_bus_call_async(pp->bus.bus, &pprompt->slot, m,
			access_reply, pprompt, usec);
	}
	sd_bus_message_unref(m);
	return r;
}

static bool is_true(const char *value)
{
	return strcmp(value, "true") == 0;
}

/* choices as a(ss): GTK and GNOME send { (id, value) } */
static int read_choices_ss(sd_bus_message *m, bool *remember)
{
	const char *id, *value;
	int r = sd_bus_message_enter_container(m, 'a', "(ss)");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_read(m, "(ss)", &id, &value)) > 0) {
		if (strcmp(id, "remember") == 0) {
			*remember = is_true(value);
		}
	}
	if (r < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

/* choices as a{sv}: id → "true"/"false" as s, or b */
static int read_choices_sv(sd_bus_message *m, bool *remember)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *id, *contents = NULL, *value;
		int b;
		if ((r = sd_bus_message_read(m, "s", &id)) < 0 ||
				(r = sd_bus_message_peek_type(m, NULL,
				&contents)) < 0) {
			return r;
		}
		if (strcmp(id, "remember") == 0 && contents != NULL &&
				strcmp(contents, "s") == 0) {
			r = sd_bus_message_read(m, "v", "s", &value);
			if (r >= 0) {
				*remember = is_true(value);
			}
		} else if (strcmp(id, "remember") == 0 && contents != NULL &&
				strcmp(contents, "b") == 0) {
			r = sd_bus_message_read(m, "v", "b", &b);
			if (r >= 0) {
				*remember = b != 0;
			}
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	}
	if (r < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

/* results a{sv}: the "remember" choice, if "choices" carries one */
static int read_remember(sd_bus_message *m, bool *remember)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *contents = NULL;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
				(r = sd_bus_message_peek_type(m, NULL,
				&contents)) < 0) {
			return r;
		}
		bool ss = contents != NULL && strcmp(contents, "a(ss)") == 0;
		bool sv = contents != NULL && strcmp(contents, "a{sv}") == 0;
		if (strcmp(key, "choices") != 0 || (!ss && !sv)) {
			r = sd_bus_message_skip(m, "v");
		} else if ((r = sd_bus_message_enter_container(m, 'v',
				contents)) >= 0) {
			r = ss ? read_choices_ss(m, remember) :
				read_choices_sv(m, remember);
			if (r >= 0) {
				r = sd_bus_message_exit_container(m);
			}
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	}
	if (r < 0) {
		return r;
	}
	return sd_bus_message_exit_container(m);
}

static bool error_means_absent(const sd_bus_error *e)
{
	return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
		sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_METHOD) ||
		sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_INTERFACE) ||
		sd_bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_OBJECT);
}

/* The first backend's error is the one worth reading: it is the default. */
static void keep_first_error(struct portal_prompt *pprompt,
	const sd_bus_error *e)
{
	if (pprompt->tried != NULL) {
		return;
	}
	if (asprintf(&pprompt->tried, "%s: %s", e->name,
			e->message ? e->message : "") < 0) {
		pprompt->tried = NULL;
	}
}

/* Request.Close on the prompt's handle, fire and forget. */
static void send_close(struct portal_prompt *pprompt)
{
	sd_bus *bus = pprompt->pp->bus.bus;
	sd_bus_message *m = NULL;
	if (bus != NULL && sd_bus_message_new_method_call(bus, &m,
			backend_names[pprompt->backend], pprompt->handle,
			REQUEST_IFACE, "Close") >= 0 &&
			sd_bus_message_set_expect_reply(m, 0) >= 0) {
		sd_bus_send(bus, m, NULL);
	}
	sd_bus_message_unref(m);
}

static int access_reply(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct portal_prompt *pprompt = data;
	pprompt->slot = sd_bus_slot_unref(pprompt->slot);
	const sd_bus_error *e = sd_bus_message_get_error(m);
	char why[1024];
	if (e != NULL) {
		keep_first_error(pprompt, e);
		bool absent = error_means_absent(e);
		if (absent && pprompt->backend + 1 < N_BACKENDS) {
			pprompt->backend++;
			int r = send_access_dialog(pprompt);
			if (r >= 0) {
				return 0;
			}
			snprintf(why, sizeof(why), "cannot call AccessDialog: "
				"%s", strerror(-r));
		} else if (absent) {
			snprintf(why, sizeof(why), "no portal backend on the "
				"session bus (tried gtk, gnome, kde): %s",
				pprompt->tried ? pprompt->tried : e->name);
		} else {
			/* the dialog may be up although the call failed
			 * (a timeout): do not leave it on screen */
			send_close(pprompt);
			snprintf(why, sizeof(why), "AccessDialog failed: "
				"%s: %s", e->name, e->message ? e->message : "");
		}
		portal_answer(pprompt, CW_ANSWER_DENY_ONCE, why);
		return 0;
	}
	uint32_t response;
	bool remember = false;
	int r = sd_bus_message_read(m, "u", &response);
	if (r >= 0) {
		r = read_remember(m, &remember);
	}
	if (r < 0) {
		snprintf(why, sizeof(why), "AccessDialog sent a reply "
			"that does not parse: %s", strerror(-r));
		portal_answer(pprompt, CW_ANSWER_DENY_ONCE, why);
		return 0;
	}
	switch (response) {
	case 0:
		portal_answer(pprompt, remember ? CW_ANSWER_ALLOW_ALWAYS :
			CW_ANSWER_ALLOW_ONCE, NULL);
		break;
	case 1:
		portal_answer(pprompt, remember ? CW_ANSWER_DENY_ALWAYS :
			CW_ANSWER_DENY_ONCE, NULL);
		break;
	case 2:
		portal_answer(pprompt, CW_ANSWER_DENY_ONCE,
			"the dialog was dismissed");
		break;
	default:
		snprintf(why, sizeof(why), "AccessDialog answered %" PRIu32
			", which is not a response (0-2)", response);
		portal_answer(pprompt, CW_ANSWER_DENY_ONCE, why);
		break;
	}
	return 0;
}

static bool portal_start(struct cw_prompter *prompter,
	struct cw_prompt *prompt)
{
	struct portal_prompter *pp = (struct portal_prompter *)prompter;
	struct portal_prompt *pprompt = calloc(1, sizeof(*pprompt));
	if (pprompt == NULL) {
		return false;
	}
	pprompt->pp = pp;
	pprompt->prompt = prompt;
	/* the backend exports a Request object at this path on its own
	 * connection: unique per process and per prompt */
	snprintf(pprompt->handle, sizeof(pprompt->handle),
		PORTAL_PATH "/request/crate_wl_%ld/p%" PRIu64,
		(long)getpid(), ++pp->serial);
	cw_list_insert(pp->prompts.prev, &pprompt->link);
	prompt->priv = pprompt;

	char why[512];
	int r = 0;
	if (!cw_bus_connect(&pp->bus, "the portal prompt", why,
			sizeof(why))) {
		r = -1;
	} else if ((r = send_access_dialog(pprompt)) < 0) {
		snprintf(why, sizeof(why), "cannot call AccessDialog on the "
			"session bus: %s", strerror(-r));
	}
	if (r < 0) {
		pprompt->error = strdup(why);
		if (pprompt->error == NULL) {
			prompt->priv = NULL;
			portal_prompt_free(pprompt);
			return false;
		}
		cw_timer_set(&pp->failed_timer, 0);
		return true;
	}
	/* the call may sit in sd-bus's write queue (still authenticating):
	 * ask the loop for writability; process only from the loop */
	cw_bus_update(&pp->bus);
	return true;
}

static void portal_cancel(struct cw_prompter *prompter,
	struct cw_prompt *prompt)
{
	struct portal_prompter *pp = (struct portal_prompter *)prompter;
	struct portal_prompt *pprompt = prompt->priv;
	if (pprompt == NULL) {
		return;
	}
	if (pprompt->slot != NULL) {
		/* the dialog goes away, and its reply (response 2) finds
		 * no slot */
		send_close(pprompt);
	}
	prompt->priv = NULL;
	portal_prompt_free(pprompt);
	cw_bus_update(&pp->bus);
}

static void portal_destroy(struct cw_prompter *prompter)
{
	struct portal_prompter *pp = (struct portal_prompter *)prompter;
	if (pp->dispatching > 0) {
		/* called from an answer's callback: free on the way out */
		pp->destroy_pending = true;
		return;
	}
	prompter_free(pp);
}

static const struct cw_prompter_impl portal_impl = {
	.name = "portal",
	.start = portal_start,
	.cancel = portal_cancel,
	.destroy = portal_destroy,
};

/*
 * The bus is connected when the first prompt needs it, not here, and
 * again after it dropped: the proxy is long-lived and the desktop's bus
 * may come (or come back) after it started, so a missing bus denies the
 * prompts asked while it is missing, each with the reason, instead of
 * making --prompt portal fatal. create() only fails when there is no way
 * a bus could ever be found (neither DBUS_SESSION_BUS_ADDRESS nor
 * XDG_RUNTIME_DIR set).
 */
struct cw_prompter *cw_prompter_portal_create(struct cw_loop *loop,
	char *err, size_t errlen)
{
	if (!cw_bus_findable()) {
		snprintf(err, errlen, "no session bus (DBUS_SESSION_BUS_ADDRESS "
			"unset): the portal prompt needs one");
		return NULL;
	}
	struct portal_prompter *pp = calloc(1, sizeof(*pp));
	if (pp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pp->base.impl = &portal_impl;
	pp->base.loop = loop;
	pp->failed_timer.fd = -1;
	cw_list_init(&pp->prompts);
	if (!cw_bus_init(&pp->bus, loop, bus_ready) ||
			!cw_loop_add_timer(loop, &pp->failed_timer, failed_due)) {
		snprintf(err, errlen, "portal prompt: timerfd: %s",
			strerror(errno));
		prompter_free(pp);
		return NULL;
	}
	return &pp->base;
}
