/*
 * A stand-in portal backend for the parts a real one cannot be made to do
 * on demand: fake-portal NAME MODE
 * owns NAME on the session bus and answers AccessDialog on
 * /org/freedesktop/portal/desktop. It prints what it was asked, one
 * "key=value" a line, and "closed" when Request.Close comes. MODE:
 *   ss      response 0, choices a(ss) with remember=true (GTK's shape)
 *   sv-s    response 1, choices a{sv} with remember="true"
 *   sv-b    response 0, choices a{sv} with remember=true (a boolean)
 *   bad     response 7, no choices
 *   hang    no answer until Request.Close, then response 2
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define PORTAL_PATH "/org/freedesktop/portal/desktop"

static const char *mode;
static sd_bus_message *held; /* hang: the call waiting for Close */

static int print_options(sd_bus_message *m)
{
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	if (r < 0) {
		return r;
	}
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		const char *key, *contents = NULL, *s;
		int b;
		if ((r = sd_bus_message_read(m, "s", &key)) < 0 ||
				(r = sd_bus_message_peek_type(m, NULL,
				&contents)) < 0) {
			return r;
		}
		if (strcmp(contents, "b") == 0) {
			r = sd_bus_message_read(m, "v", "b", &b);
			printf("%s=%s\n", key, b ? "true" : "false");
		} else if (strcmp(contents, "s") == 0) {
			r = sd_bus_message_read(m, "v", "s", &s);
			printf("%s=%s\n", key, s);
		} else if (strcmp(contents, "a(ssa(ss)s)") == 0) {
			const char *id, *label, *def;
			if ((r = sd_bus_message_enter_container(m, 'v',
					contents)) < 0 ||
					(r = sd_bus_message_enter_container(m,
					'a', "(ssa(ss)s)")) < 0) {
				return r;
			}
			while ((r = sd_bus_message_enter_container(m, 'r',
					"ssa(ss)s")) > 0) {
				int n = 0;
				r = sd_bus_message_read(m, "s", &id);
				r = sd_bus_message_read(m, "s", &label);
				r = sd_bus_message_enter_container(m, 'a',
					"(ss)");
				while (r >= 0 && (r = sd_bus_message_skip(m,
						"(ss)")) > 0) {
					n++;
				}
				r = sd_bus_message_exit_container(m);
				r = sd_bus_message_read(m, "s", &def);
				printf("choice=%s|%s|%d|%s\n", id, label, n,
					def);
				r = sd_bus_message_exit_container(m);
			}
			r = sd_bus_message_exit_container(m);
			r = sd_bus_message_exit_container(m);
		} else {
			printf("%s has type %s\n", key, contents);
			r = sd_bus_message_skip(m, "v");
		}
		if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0) {
			return r;
		}
	}
	return sd_bus_message_exit_container(m);
}

static int reply(sd_bus_message *call, unsigned response,
	const char *choices)
{
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_return(call, &m);
	if (r < 0) {
		return r;
	}
	r = sd_bus_message_append(m, "u", response);
	if (choices == NULL) {
		r = sd_bus_message_append(m, "a{sv}", 0);
	} else if (strcmp(choices, "ss") == 0) {
		r = sd_bus_message_append(m, "a{sv}", 1, "choices", "a(ss)",
			2, "other", "x", "remember", "true");
	} else if (strcmp(choices, "sv-s") == 0) {
		r = sd_bus_message_append(m, "a{sv}", 2, "other", "u", 5,
			"choices", "a{sv}", 1, "remember", "s", "true");
	} else {
		r = sd_bus_message_append(m, "a{sv}", 1, "choices", "a{sv}",
			1, "remember", "b", 1);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, m, NULL);
	}
	sd_bus_message_unref(m);
	return r;
}

static int handle(sd_bus_message *m, void *data, sd_bus_error *err)
{
	if (sd_bus_message_is_method_call(m,
			"org.freedesktop.impl.portal.Request", "Close")) {
		printf("closed %s\n", sd_bus_message_get_path(m));
		fflush(stdout);
		if (held != NULL) {
			reply(held, 2, NULL);
			held = sd_bus_message_unref(held);
		}
		return sd_bus_reply_method_return(m, "");
	}
	if (!sd_bus_message_is_method_call(m,
			"org.freedesktop.impl.portal.Access", "AccessDialog") ||
			strcmp(sd_bus_message_get_path(m), PORTAL_PATH) != 0) {
		return 0;
	}
	const char *handle, *app_id, *parent, *title, *subtitle, *body;
	int r = sd_bus_message_read(m, "osssss", &handle, &app_id, &parent,
		&title, &subtitle, &body);
	if (r < 0) {
		return r;
	}
	printf("handle=%s\ntitle=%s\nsubtitle=%s\nbody=%s\n", handle, title,
		subtitle, body);
	if ((r = print_options(m)) < 0) {
		return r;
	}
	fflush(stdout);
	if (strcmp(mode, "hang") == 0) {
		held = sd_bus_message_ref(m);
		return 1;
	}
	if (strcmp(mode, "bad") == 0) {
		return reply(m, 7, NULL);
	}
	return reply(m, strcmp(mode, "sv-s") == 0 ? 1 : 0, mode);
}

int main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s NAME MODE\n", argv[0]);
		return 2;
	}
	mode = argv[2];
	sd_bus *bus = NULL;
	int r = sd_bus_open_user(&bus);
	if (r >= 0) {
		r = sd_bus_add_fallback(bus, NULL, PORTAL_PATH, handle, NULL);
	}
	if (r >= 0) {
		r = sd_bus_request_name(bus, argv[1], 0);
	}
	if (r < 0) {
		fprintf(stderr, "fake-portal: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0) {
			return 0;
		}
		if (r == 0 && sd_bus_wait(bus, UINT64_MAX) < 0) {
			return 0;
		}
	}
}
