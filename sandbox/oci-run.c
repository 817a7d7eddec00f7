/* Runs crate-wl-oci, from the build tree or from libexecdir. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "oci.h"

bool cw_oci_normalize(const char *spec, char *out, size_t len, char *err,
	size_t errlen)
{
	const char *rest = spec + 4; /* after "oci:" */
	char dir[PATH_MAX];
	const char *ref = NULL;
	const char *colon = strrchr(rest, ':');
	if (colon != NULL && strchr(colon, '/') == NULL) {
		ref = colon + 1;
		snprintf(dir, sizeof(dir), "%.*s", (int)(colon - rest), rest);
	} else {
		snprintf(dir, sizeof(dir), "%s", rest);
	}
	char real[PATH_MAX];
	if (dir[0] == '\0' || realpath(dir, real) == NULL) {
		snprintf(err, errlen, "%s: %s", spec, dir[0] ?
			strerror(errno) : "no directory");
		return false;
	}
	int n = snprintf(out, len, "oci:%s%s%s", real, ref ? ":" : "",
		ref ? ref : "");
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", spec);
		return false;
	}
	return true;
}

static bool find_helper(char *out, size_t len)
{
	/* next to the crate-wl that runs, in a build tree */
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((size_t)snprintf(out, len, "%s/../sandbox/crate-wl-oci",
				dirname(self)) < len && access(out, X_OK) == 0) {
			return true;
		}
	}
	return (size_t)snprintf(out, len, "%s/crate-wl-oci", CW_LIBEXECDIR) <
		len && access(out, X_OK) == 0;
}

bool cw_oci_root(const char *spec, bool dry_run, char *root, size_t len,
	char *err, size_t errlen)
{
	char helper[PATH_MAX];
	if (!find_helper(helper, sizeof(helper))) {
		snprintf(err, errlen, "OCI roots need %s/crate-wl-oci, which "
			"is not installed", CW_LIBEXECDIR);
		return false;
	}
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return false;
	}
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		char *argv[] = { helper, dry_run ? "--dry-run" : (char *)spec,
			dry_run ? (char *)spec : NULL, NULL };
		execv(helper, argv);
		_exit(127);
	}
	close(out[1]);
	size_t used = 0;
	ssize_t n;
	while (used < len - 1 && ((n = read(out[0], root + used,
			len - 1 - used)) > 0 || (n < 0 && errno == EINTR))) {
		used += n > 0 ? (size_t)n : 0;
	}
	close(out[0]);
	root[used] = '\0';
	root[strcspn(root, "\n")] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || root[0] != '/') {
		/* the helper said why on stderr */
		snprintf(err, errlen, "cannot use the image %s", spec);
		return false;
	}
	return true;
}
