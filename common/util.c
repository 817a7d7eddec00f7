#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

extern char **environ;

bool cw_parse_uint(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < 0 || v > INT_MAX) {
		return false;
	}
	*out = (int)v;
	return true;
}

int64_t cw_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t cw_now_ms(void)
{
	return cw_now_us() / 1000;
}

bool cw_find_program(const char *name, char *out, size_t len)
{
	return cw_find_program_except(name, NULL, out, len);
}

/* a directory named as the program (/usr/lib/x86_64-linux-gnu/gio, for a
 * PATH holding that library directory) is searchable, not runnable */
static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool cw_find_program_except(const char *name, const char *skip, char *out,
	size_t len)
{
	const char *path = getenv("PATH");
	if (path == NULL || path[0] == '\0') {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	char real_skip[PATH_MAX], real[PATH_MAX];
	if (skip != NULL && realpath(skip, real_skip) == NULL) {
		snprintf(real_skip, sizeof(real_skip), "%s", skip);
	}
	while (*path != '\0') {
		size_t n = strcspn(path, ":");
		if (n > 0 && (size_t)snprintf(out, len, "%.*s/%s", (int)n, path,
				name) < len && access(out, X_OK) == 0 &&
				is_file(out)) {
			char dir[PATH_MAX];
			snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
			if (skip == NULL || realpath(dir, real) == NULL ||
					strcmp(real, real_skip) != 0) {
				return true;
			}
		}
		path += n + (path[n] == ':');
	}
	return false;
}

int cw_unix_listen(const char *path, int backlog, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "%s: path too long for a socket", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
			listen(fd, backlog) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/* The length of the UTF-8 sequence at s and its code point; 0 if none. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t len;
	uint32_t min;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		min = 0x80;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		min = 0x800;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		min = 0x10000;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 &&
			*cp <= 0xdfff)) {
		return 0; /* overlong, too large, a surrogate */
	}
	return len;
}

static bool shown_as_is(uint32_t cp)
{
	return !(cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		(cp >= 0x202a && cp <= 0x202e) ||
		(cp >= 0x2066 && cp <= 0x2069));
}

void cw_text_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (*p != '\0') {
		uint32_t cp;
		size_t len = utf8_decode(p, &cp);
		if (len == 0) {
			*p++ = '?';
		} else if (!shown_as_is(cp)) {
			memset(p, '?', len);
			p += len;
		} else {
			p += len;
		}
	}
}

int cw_spawn(const char *path, char *const argv[], int out_fd, pid_t *pid)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
		POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
		O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd :
		STDERR_FILENO, STDOUT_FILENO);
	int r = posix_spawn(pid, path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return r;
}
