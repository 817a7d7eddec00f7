/*
 * Which folders the FileChooser may grant whole (sandbox/grant-check.c),
 * rule by rule, in a session of made-up paths: the home /h/me, its XDG
 * directories in it, the runtime directory /r/1000.
 */
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "grant.h"
#include "tap.h"

static struct cw_grant_limits lim;

static void allowed(const char *dir, bool writable)
{
	char why[PATH_MAX + 128] = "";
	ok(cw_grant_dir_allowed(dir, writable, &lim, why, sizeof(why)),
		"granted %s: %s%s", writable ? "read-write" : "read-only", dir,
		why);
}

static void refused(const char *dir, bool writable, const char *want)
{
	char why[PATH_MAX + 128] = "";
	bool ok = !cw_grant_dir_allowed(dir, writable, &lim, why,
		sizeof(why));
	ok(ok && strstr(why, want) != NULL, "refused %s: %s (%s)",
		writable ? "read-write" : "read-only", dir, why);
}

int main(void)
{
	/* none of these exist here: compared as given */
	setenv("HOME", "/h/me", 1);
	setenv("XDG_RUNTIME_DIR", "/r/1000", 1);
	setenv("XDG_CONFIG_HOME", "/h/me/.config", 1);
	setenv("XDG_DATA_HOME", "/h/me/.local/share", 1);
	setenv("XDG_CACHE_HOME", "/h/me/.cache", 1);
	setenv("XDG_STATE_HOME", "/h/me/.local/state", 1);
	cw_grant_limits_init(&lim);

	allowed("/h/me/Projects", true);
	allowed("/h/me/Projects/crate-wl", true);
	allowed("/h/me/Pictures", false);
	allowed("/mnt/usb", true);
	allowed("/srv/music", true);
	allowed("/tmp/work", true);
	/* a name that begins like a refused one is not it */
	allowed("/h/mesa", true);
	allowed("/h/me/.configs", true);
	allowed("/procedures", true);

	/* the whole file system, and folders holding the home */
	refused("/", false, "the whole file system");
	refused("/h", false, "it holds /h/me");
	refused("/h/me", false, "it holds /h/me");
	refused("/h/me/", false, "it holds /h/me");
	/* holding crate-wl's state, the runtime directory, X11's sockets */
	refused("/h/me/.local", false, "it holds /h/me/.local/share/crate-wl");
	refused("/h/me/.config", false, "it holds /h/me/.config/crate-wl");
	refused("/r", false, "it holds /r/1000");
	refused("/tmp", true, "it holds /tmp/.X11-unix");
	/* inside crate-wl's state or the runtime directory */
	refused("/h/me/.config/crate-wl", false, "crate-wl");
	refused("/h/me/.local/share/crate-wl/apps/x/home", false,
		"it is inside /h/me/.local/share/crate-wl");
	refused("/h/me/.cache/crate-wl/oci", false,
		"it is inside /h/me/.cache/crate-wl");
	refused("/r/1000/pulse", false, "it is inside /r/1000");
	/* the kernel's and the system's runtime */
	refused("/proc", false, "it is inside /proc");
	refused("/proc/1", false, "it is inside /proc");
	refused("/sys/fs", false, "it is inside /sys");
	refused("/dev/shm", false, "it is inside /dev");
	refused("/run/dbus", false, "it is inside /run");
	refused("/tmp/.X11-unix", false, "/tmp/.X11-unix");
	/* where programs start from: read-only only */
	refused("/h/me/.config/autostart", true, "read-only only");
	allowed("/h/me/.config/autostart", false);
	refused("/h/me/.local/share/applications", true, "read-only only");
	refused("/h/me/.local/bin", true, "read-only only");
	allowed("/h/me/.local/bin", false);
	refused("/etc", true, "read-only only");
	allowed("/etc/fonts", false);
	refused("/usr/local/bin", true, "read-only only");
	refused("/var/lib", true, "read-only only");
	refused("relative/path", false, "not an absolute path");

	/* the home the system knows, when $HOME says another */
	struct passwd *pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' &&
			strcmp(pw->pw_dir, "/") != 0) {
		char real[PATH_MAX];
		refused(pw->pw_dir, false, realpath(pw->pw_dir, real) != NULL ?
			real : pw->pw_dir);
	}
	return tap_done();
}
