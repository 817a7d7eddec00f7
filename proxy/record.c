#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "record.h"

struct cw_record {
	int client, compositor; /* the raw streams */
	FILE *log;
	char name[64];         /* PID-N, for messages */
	bool failed;
};

bool cw_record_prepare_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
			strerror(errno));
		return false;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return false;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "cannot write in %s: %s", dir,
			strerror(errno));
		return false;
	}
	return true;
}

static int create(const char *dir, const char *name, const char *ext)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.%s", dir, name, ext);
	/* what apps send may be private: readable by the user only */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		cw_msg("--record: cannot create %s: %s", path, strerror(errno));
	}
	return fd;
}

struct cw_record *cw_record_open(const char *dir, unsigned conn_id)
{
	struct cw_record *rec = calloc(1, sizeof(*rec));
	if (rec == NULL) {
		cw_msg("--record: out of memory");
		return NULL;
	}
	snprintf(rec->name, sizeof(rec->name), "%d-%u", (int)getpid(),
		conn_id);
	rec->client = create(dir, rec->name, "client");
	rec->compositor = rec->client < 0 ? -1 :
		create(dir, rec->name, "compositor");
	int log = rec->compositor < 0 ? -1 : create(dir, rec->name, "log");
	rec->log = log < 0 ? NULL : fdopen(log, "w");
	if (rec->log == NULL) {
		if (log >= 0) {
			close(log);
		}
		cw_record_close(rec);
		return NULL;
	}
	fprintf(rec->log, "# crate-wl proxy --record: one line per read, "
		"SIDE BYTES FDS\n");
	return rec;
}

static void fail(struct cw_record *rec, const char *what)
{
	if (!rec->failed) {
		cw_msg("--record: writing %s.%s: %s; this connection is no "
			"longer recorded", rec->name, what, strerror(errno));
	}
	rec->failed = true;
}

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

void cw_record_read(struct cw_record *rec, bool from_client,
	const void *data, size_t len, unsigned nfds)
{
	if (rec == NULL || rec->failed) {
		return;
	}
	const char *side = from_client ? "client" : "compositor";
	if (!write_all(from_client ? rec->client : rec->compositor, data,
			len)) {
		fail(rec, side);
		return;
	}
	/* flushed per line: a crash of the proxy keeps what led to it */
	if (fprintf(rec->log, "%s %zu %u\n", side, len, nfds) < 0 ||
			fflush(rec->log) != 0) {
		fail(rec, "log");
	}
}

void cw_record_eof(struct cw_record *rec, bool from_client)
{
	if (rec == NULL || rec->failed) {
		return;
	}
	if (fprintf(rec->log, "%s eof\n", from_client ? "client" :
			"compositor") < 0 || fflush(rec->log) != 0) {
		fail(rec, "log");
	}
}

void cw_record_close(struct cw_record *rec)
{
	if (rec == NULL) {
		return;
	}
	if (rec->client >= 0) {
		close(rec->client);
	}
	if (rec->compositor >= 0) {
		close(rec->compositor);
	}
	if (rec->log != NULL) {
		fclose(rec->log);
	}
	free(rec);
}
