#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ini.h"

#define INI_MAX_LINE 4096
#define INI_MAX_SIZE (1 << 20)

static char *trim(char *s)
{
	while (isspace((unsigned char)*s)) {
		s++;
	}
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1])) {
		*--end = '\0';
	}
	return s;
}

/* section names may also hold ':' (the store's "file:HASH" apps) */
static bool valid_name(const char *s, bool section)
{
	if (*s == '\0') {
		return false;
	}
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
				*s != '.' && !(section && *s == ':')) {
			return false;
		}
	}
	return true;
}

bool cw_ini_parse_string(const char *name, const char *text,
	cw_ini_handler handler, void *data, struct cw_ini_error *error)
{
	char section[128] = "";
	char line[INI_MAX_LINE + 2];
	const char *p = text;
	unsigned lineno = 0;

	while (*p) {
		lineno++;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > INI_MAX_LINE) {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: line longer than %d bytes", name,
				lineno, INI_MAX_LINE);
			return false;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		if (memchr(line, '\0', len) != NULL) {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: NUL byte in line", name, lineno);
			return false;
		}

		char *s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';') {
			continue;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end == NULL || trim(end + 1)[0] != '\0') {
				snprintf(error->message, sizeof(error->message),
					"%s:%u: malformed section header '%s'",
					name, lineno, s);
				return false;
			}
			*end = '\0';
			char *sec = trim(s + 1);
			if (!valid_name(sec, true) || strlen(sec) >= sizeof(section)) {
				snprintf(error->message, sizeof(error->message),
					"%s:%u: invalid section name '%s'",
					name, lineno, sec);
				return false;
			}
			strcpy(section, sec);
			continue;
		}
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: expected 'key = value' or '[section]', "
				"got '%s'", name, lineno, s);
			return false;
		}
		*eq = '\0';
		char *key = trim(s);
		char *value = trim(eq + 1);
		if (!valid_name(key, false)) {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: invalid key '%s'", name, lineno, key);
			return false;
		}
		if (section[0] == '\0') {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: key '%s' outside of any [section]",
				name, lineno, key);
			return false;
		}
		char err[384] = "";
		if (!handler(data, section, key, value, err, sizeof(err))) {
			snprintf(error->message, sizeof(error->message),
				"%s:%u: %s", name, lineno,
				err[0] ? err : "invalid entry");
			return false;
		}
	}
	return true;
}

char *cw_ini_read_file(const char *path, size_t *len,
	struct cw_ini_error *error)
{
	/* O_NONBLOCK: a FIFO named as a file must not hang the caller */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(error->message, sizeof(error->message),
			"%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(error->message, sizeof(error->message),
			"%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	char *text = malloc(INI_MAX_SIZE + 1);
	if (text == NULL) {
		close(fd);
		snprintf(error->message, sizeof(error->message),
			"%s: out of memory", path);
		return NULL;
	}
	size_t n = 0;
	ssize_t r = 0;
	while (n < INI_MAX_SIZE + 1 && ((r = read(fd, text + n,
			INI_MAX_SIZE + 1 - n)) > 0 || (r < 0 &&
			errno == EINTR))) {
		n += r > 0 ? (size_t)r : 0;
	}
	bool read_error = r < 0 && n < INI_MAX_SIZE + 1;
	close(fd);
	if (read_error) {
		snprintf(error->message, sizeof(error->message),
			"%s: read error", path);
		free(text);
		return NULL;
	}
	if (n > INI_MAX_SIZE) {
		snprintf(error->message, sizeof(error->message),
			"%s: larger than %d bytes", path, INI_MAX_SIZE);
		free(text);
		return NULL;
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		size_t line = 1;
		for (size_t i = 0; i < strlen(text); i++) {
			line += text[i] == '\n';
		}
		snprintf(error->message, sizeof(error->message),
			"%s:%zu: NUL byte in line", path, line);
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}

bool cw_ini_parse_file(const char *path, cw_ini_handler handler, void *data,
	struct cw_ini_error *error)
{
	size_t len;
	char *text = cw_ini_read_file(path, &len, error);
	if (text == NULL) {
		return false;
	}
	bool ok = cw_ini_parse_string(path, text, handler, data, error);
	free(text);
	return ok;
}
