/*
 * What the OpenURI and Notification portals accept from the app, case by
 * case: the links that may leave the sandbox, the paths, the icon names
 * that may reach the desktop's notification daemon.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notification.h"
#include "openuri.h"
#include "tap.h"

int main(void)
{
	static const char *const good[] = {
		"http://example.org/",
		"https://example.org/a?b=1&c=%20d#frag",
		"HTTPS://EXAMPLE.ORG",
		"https://user@example.org:8443/x",
		"mailto:a@example.org",
		"mailto:a@example.org?subject=hi%20there",
		"mailto:a@example.org?Subject=x&CC=b@example.org&bcc=c@x&body=see%20the%20attachment",
		"mailto:a@example.org?in-reply-to=%3Cid@x%3E&to=d@x",
		"mailto:a@example.org?&subject=x&",
	};
	static const char *const bad[] = {
		"",
		"-e",
		"--help",
		"file:///etc/passwd",
		"FILE:///etc/passwd",
		"javascript:alert(1)",
		"ftp://example.org/",
		"x-scheme-handler/http:foo",
		"http:",
		"https:",
		"https:/example.org",
		"https:///etc/passwd",
		"https://",
		"https://?x",
		"https://@example.org",
		"mailto:",
		"mailto:a@example.org?attach=/home/me/.ssh/id_ed25519",
		"mailto:a@example.org?subject=x&attachment=%2Fetc%2Fshadow",
		"mailto:a@example.org?ATTACH=/etc/passwd",
		"mailto:a@example.org?%61ttach=/etc/passwd",
		"mailto:a@example.org?body=x;attach=/etc/passwd",
		"mailto:a@example.org?x-attach=/etc/passwd",
		"mailto:a@example.org?subjectsubjectsubject=x",
		"mailto:a@example.org%3Fattach=/etc/passwd",
		"https://example.org/a b",
		"https://example.org/\ta",
		"https://example.org/\na",
		"https://example.org/\x7f",
		"https://example.org/\xc3\xa9",
		" https://example.org/",
		"sh -c id",
		"$(id)",
	};
	char why[256];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ok(cw_openuri_check(good[i], why, sizeof(why)), "accepted: %s",
			good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ok(!cw_openuri_check(bad[i], why, sizeof(why)) &&
			why[0] != '\0', "refused (%s)", why);
	}
	char longest[CW_OPENURI_MAX + 2];
	memset(longest, 'a', sizeof(longest));
	memcpy(longest, "https://x/", 10);
	longest[CW_OPENURI_MAX] = '\0';
	ok(cw_openuri_check(longest, why, sizeof(why)),
		"a link of %d bytes is accepted", CW_OPENURI_MAX);
	longest[CW_OPENURI_MAX] = 'a';
	longest[CW_OPENURI_MAX + 1] = '\0';
	ok(!cw_openuri_check(longest, why, sizeof(why)),
		"one of %d is refused", CW_OPENURI_MAX + 1);

	ok(cw_openuri_path_ok("/home/me/a b.pdf", why, sizeof(why)),
		"a path with a space");
	ok(!cw_openuri_path_ok("relative.pdf", why, sizeof(why)),
		"a relative path is refused");
	ok(!cw_openuri_path_ok("/tmp/a\nb", why, sizeof(why)),
		"a path with a newline is refused");

	static const char *const icons[] = {
		"mail-unread", "org.gnome.Calculator", "dialog_warning2",
	};
	static const char *const not_icons[] = {
		"", "/etc/passwd", "../../x", ".hidden", "-x", "a/b",
		"file:///tmp/x.png", "a b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	for (size_t i = 0; i < sizeof(icons) / sizeof(icons[0]); i++) {
		ok(cw_notify_icon_name_ok(icons[i]), "icon name %s", icons[i]);
	}
	for (size_t i = 0; i < sizeof(not_icons) / sizeof(not_icons[0]);
			i++) {
		ok(!cw_notify_icon_name_ok(not_icons[i]), "not an icon name: "
			"'%s'", not_icons[i]);
	}

	/* a body goes to a daemon that reads markup as text */
	char *e = cw_notify_markup_escape("<a href=\"file:///etc/passwd\">x</a>"
		" & <img src=\"/etc/shadow\"/> &amp; caf\xc3\xa9");
	ok(e != NULL && strcmp(e, "&lt;a href=\"file:///etc/passwd\"&gt;"
		"x&lt;/a&gt; &amp; &lt;img src=\"/etc/shadow\"/&gt; "
		"&amp;amp; caf\xc3\xa9") == 0, "markup escaped: %s",
		e != NULL ? e : "(null)");
	free(e);
	e = cw_notify_markup_escape("");
	ok(e != NULL && e[0] == '\0', "an empty body stays empty");
	free(e);
	return tap_done();
}
