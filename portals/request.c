/*
 * org.freedesktop.portal.Request: what a call that answers later returns.
 * The caller subscribes to its Response signal (before calling, with the
 * handle_token it chose) and may Close it; only the caller that made it
 * can, and only the caller gets its Response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "list.h"
#include "log.h"
#include "portal-private.h"

#define IFACE_REQUEST "org.freedesktop.portal.Request"
/* one caller's Requests in flight: what it can make crate-wl hold */
#define MAX_REQUESTS 64

struct cw_portal_request {
	struct cw_list link;
	struct cw_portal_host *host;
	char *path;
	char *sender;
	sd_bus_slot *slot;
	cw_portal_cancel_func cancel;
	void *data;
};

static int method_close(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct cw_portal_request *req = data;
	if (strcmp(sd_bus_message_get_sender(m), req->sender) != 0) {
		return sd_bus_error_set(error, CW_PORTAL_ERR_NOT_ALLOWED,
			"not your request");
	}
	int r = sd_bus_reply_method_return(m, NULL);
	cw_portal_cancel_func cancel = req->cancel;
	void *cancel_data = req->data;
	cw_portal_request_free(req);
	if (cancel != NULL) {
		cancel(cancel_data);
	}
	return r;
}

static sd_bus_vtable request_vtable[] = {
	CW_SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Close", "", "", method_close,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("Response", "ua{sv}", 0),
	SD_BUS_VTABLE_END,
};

struct cw_portal_request *cw_portal_request_new(struct cw_portal_host *host,
	sd_bus_message *call, const char *token, cw_portal_cancel_func cancel,
	void *data)
{
	const char *sender = sd_bus_message_get_sender(call);
	if (sender == NULL || !cw_portal_valid_token(token)) {
		token = "";
	}
	size_t mine = 0;
	struct cw_portal_request *req;
	cw_list_for_each(req, cw_portal_requests(host), link) {
		if (sender != NULL && strcmp(req->sender, sender) == 0) {
			mine++;
		}
	}
	if (sender == NULL || mine >= MAX_REQUESTS) {
		errno = EBUSY;
		return NULL;
	}
	char path[512];
	cw_portal_handle_path(host, "request", sender, token, path,
		sizeof(path));
	/* a token used twice: the second gets one of ours */
	cw_list_for_each(req, cw_portal_requests(host), link) {
		if (strcmp(req->path, path) == 0) {
			cw_portal_handle_path(host, "request", sender, "",
				path, sizeof(path));
			break;
		}
	}
	req = calloc(1, sizeof(*req));
	if (req == NULL || (req->path = strdup(path)) == NULL ||
			(req->sender = strdup(sender)) == NULL) {
		goto fail;
	}
	req->host = host;
	req->cancel = cancel;
	req->data = data;
	cw_sd_bus_vtable_fix(request_vtable);
	int r = sd_bus_add_object_vtable(cw_portal_bus(host), &req->slot,
		req->path, IFACE_REQUEST, request_vtable, req);
	if (r < 0) {
		errno = -r;
		goto fail;
	}
	cw_list_insert(cw_portal_requests(host)->prev, &req->link);
	return req;
fail:
	if (req != NULL) {
		free(req->path);
		free(req->sender);
		free(req);
	}
	return NULL;
}

const char *cw_portal_request_path(const struct cw_portal_request *req)
{
	return req->path;
}

const char *cw_portal_request_sender(const struct cw_portal_request *req)
{
	return req->sender;
}

void cw_portal_request_respond(struct cw_portal_request *req,
	enum cw_portal_response code, cw_portal_results_func results,
	void *data)
{
	sd_bus *bus = cw_portal_bus(req->host);
	sd_bus_message *m = NULL;
	int r = bus == NULL ? -ENOTCONN : sd_bus_message_new_signal(bus, &m,
		req->path, IFACE_REQUEST, "Response");
	if (r >= 0) {
		r = sd_bus_message_set_destination(m, req->sender);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "u", (uint32_t)code);
	}
	if (r >= 0) {
		r = sd_bus_message_open_container(m, 'a', "{sv}");
	}
	if (r >= 0 && results != NULL) {
		r = results(m, data);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(m);
	}
	if (r >= 0) {
		r = sd_bus_send(bus, m, NULL);
	}
	if (r < 0 && bus != NULL) {
		cw_log(CW_LOG_ERROR, "portal: cannot answer %s: %s",
			req->path, strerror(-r));
	}
	sd_bus_message_unref(m);
	struct cw_portal_host *host = req->host;
	cw_portal_request_free(req);
	cw_portal_flush(host);
}

void cw_portal_request_free(struct cw_portal_request *req)
{
	if (req == NULL) {
		return;
	}
	cw_list_remove(&req->link);
	sd_bus_slot_unref(req->slot);
	free(req->path);
	free(req->sender);
	free(req);
}

void cw_portal_requests_end(struct cw_portal_host *host, const char *sender)
{
	/* from the head each time: a cancel may end other Requests */
	for (;;) {
		struct cw_portal_request *req, *found = NULL;
		cw_list_for_each(req, cw_portal_requests(host), link) {
			if (sender == NULL || strcmp(req->sender, sender) == 0) {
				found = req;
				break;
			}
		}
		if (found == NULL) {
			return;
		}
		cw_portal_cancel_func cancel = found->cancel;
		void *data = found->data;
		cw_portal_request_free(found);
		if (cancel != NULL) {
			cancel(data);
		}
	}
}
