#include <archive.h>
#include <dirent.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "oci.h"
#include "paths.h"

#define MAX_JSON (4 << 20)
#define REF_ANNOTATION "org.opencontainers.image.ref.name"

struct blob_ref {
	char hex[65];
	long long size;
};

/* "sha256:" and 64 lower-case hex digits, nothing else. */
static bool parse_digest(const char *digest, struct blob_ref *out)
{
	if (digest == NULL || strncmp(digest, "sha256:", 7) != 0 ||
			strlen(digest + 7) != 64) {
		return false;
	}
	for (const char *p = digest + 7; *p != '\0'; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			return false;
		}
	}
	memcpy(out->hex, digest + 7, 65);
	return true;
}

static bool parse_descriptor(struct json_object *desc, struct blob_ref *out)
{
	struct json_object *digest, *size;
	if (!json_object_is_type(desc, json_type_object) ||
			!json_object_object_get_ex(desc, "digest", &digest) ||
			!json_object_object_get_ex(desc, "size", &size) ||
			!parse_digest(json_object_get_string(digest), out)) {
		return false;
	}
	out->size = json_object_get_int64(size);
	return out->size >= 0;
}

/* Hashes fd from its start; true when size and digest match. */
static bool verify_fd(int fd, const struct blob_ref *ref, char *err,
	size_t errlen)
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	unsigned char buf[65536];
	long long total = 0;
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), total)) > 0) {
		sha256_update(&ctx, (size_t)n, buf);
		total += n;
	}
	if (n < 0) {
		snprintf(err, errlen, "blob sha256:%s: %s", ref->hex,
			strerror(errno));
		return false;
	}
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_digest(&ctx, sizeof(digest), digest);
	char hex[65];
	for (size_t i = 0; i < sizeof(digest); i++) {
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	}
	if (total != ref->size || strcmp(hex, ref->hex) != 0) {
		snprintf(err, errlen, "blob sha256:%s does not match its "
			"digest (or size): the image is corrupt", ref->hex);
		return false;
	}
	return true;
}

/* A regular file only: a FIFO or a device in an image is not read. */
static int open_regular(const char *path, int flags, char *err,
	size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
		flags);
	struct stat st;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int open_blob(const char *dir, const struct blob_ref *ref, char *err,
	size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, ref->hex);
	int fd = open_regular(path, O_NOFOLLOW, err, errlen);
	if (fd < 0) {
		return -1;
	}
	if (!verify_fd(fd, ref, err, errlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A verified JSON blob, or a plain file when ref is NULL. */
static struct json_object *read_json(const char *dir, const char *file,
	const struct blob_ref *ref, char *err, size_t errlen)
{
	int fd;
	char path[PATH_MAX];
	if (ref != NULL) {
		fd = open_blob(dir, ref, err, errlen);
		snprintf(path, sizeof(path), "blob sha256:%s", ref->hex);
	} else {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		fd = open_regular(path, 0, err, errlen);
	}
	if (fd < 0) {
		return NULL;
	}
	struct stat st;
	char *text = NULL;
	struct json_object *obj = NULL;
	if (fstat(fd, &st) < 0 || st.st_size > MAX_JSON) {
		snprintf(err, errlen, "%s: not a JSON document of at most "
			"%d bytes", path, MAX_JSON);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL || pread(fd, text, (size_t)st.st_size, 0) !=
			st.st_size) {
		snprintf(err, errlen, "%s: cannot read", path);
		goto out;
	}
	text[st.st_size] = '\0';
	enum json_tokener_error jerr;
	obj = json_tokener_parse_verbose(text, &jerr);
	if (obj == NULL) {
		snprintf(err, errlen, "%s: %s", path,
			json_tokener_error_desc(jerr));
	}
out:
	free(text);
	close(fd);
	return obj;
}

#define MAX_INDEX_DEPTH 4

#if defined(__x86_64__)
#define OCI_ARCH "amd64"
#elif defined(__aarch64__)
#define OCI_ARCH "arm64"
#elif defined(__i386__)
#define OCI_ARCH "386"
#else
#define OCI_ARCH "unknown"
#endif

static bool is_index(struct json_object *desc)
{
	struct json_object *media;
	const char *m = json_object_object_get_ex(desc, "mediaType", &media) ?
		json_object_get_string(media) : NULL;
	return m != NULL && (strstr(m, "image.index") != NULL ||
		strstr(m, "manifest.list") != NULL);
}

static bool for_this_machine(struct json_object *desc)
{
	struct json_object *platform, *os, *arch;
	return json_object_object_get_ex(desc, "platform", &platform) &&
		json_object_object_get_ex(platform, "os", &os) &&
		json_object_object_get_ex(platform, "architecture", &arch) &&
		strcmp(json_object_get_string(os), "linux") == 0 &&
		strcmp(json_object_get_string(arch), OCI_ARCH) == 0;
}

/*
 * The entry of an index: named ref (index.json), or the only one, or, in
 * an index another one points to, the one for this machine (or the only
 * one, when it names no platform).
 */
static struct json_object *find_entry(struct json_object *index,
	const char *ref, bool nested, char *err, size_t errlen)
{
	const char *what = nested ? "a nested image index" : "index.json";
	struct json_object *manifests;
	if (!json_object_object_get_ex(index, "manifests", &manifests) ||
			!json_object_is_type(manifests, json_type_array)) {
		snprintf(err, errlen, "%s has no manifests", what);
		return NULL;
	}
	size_t n = json_object_array_length(manifests);
	size_t matches = 0;
	struct json_object *found = NULL;
	for (size_t i = 0; i < n; i++) {
		struct json_object *m = json_object_array_get_idx(manifests, i);
		struct json_object *annotations, *name;
		const char *mname = NULL;
		if (json_object_object_get_ex(m, "annotations", &annotations) &&
				json_object_object_get_ex(annotations,
				REF_ANNOTATION, &name)) {
			mname = json_object_get_string(name);
		}
		bool wanted;
		if (ref != NULL) {
			wanted = mname != NULL && strcmp(mname, ref) == 0;
		} else if (nested) {
			struct json_object *platform;
			wanted = for_this_machine(m) || (n == 1 &&
				!json_object_object_get_ex(m, "platform",
				&platform));
		} else {
			wanted = n == 1;
		}
		if (wanted) {
			found = m;
			matches++;
		}
	}
	if (matches == 1) {
		return found;
	}
	if (ref != NULL) {
		snprintf(err, errlen, "%s: %zu images named '%s'", what,
			matches, ref);
	} else if (nested) {
		snprintf(err, errlen, "%s holds %zu images, %zu of them for "
			"linux/%s", what, n, matches, OCI_ARCH);
	} else {
		snprintf(err, errlen, "index.json holds %zu images: give "
			"oci:DIR:REF", n);
	}
	return NULL;
}

/* The image manifest's descriptor for ref, through nested indexes. */
static bool find_manifest(const char *dir, struct json_object *index,
	const char *ref, int depth, struct blob_ref *out, char *err,
	size_t errlen)
{
	struct json_object *desc = find_entry(index, ref, depth > 0, err,
		errlen);
	if (desc == NULL) {
		return false;
	}
	if (!parse_descriptor(desc, out)) {
		snprintf(err, errlen, "%s: a bad manifest descriptor",
			depth > 0 ? "a nested image index" : "index.json");
		return false;
	}
	if (!is_index(desc)) {
		return true;
	}
	if (depth == MAX_INDEX_DEPTH) {
		snprintf(err, errlen, "image indexes nested more than %d deep",
			MAX_INDEX_DEPTH);
		return false;
	}
	struct json_object *nested = read_json(dir, NULL, out, err, errlen);
	if (nested == NULL) {
		return false;
	}
	bool ok = find_manifest(dir, nested, NULL, depth + 1, out, err,
		errlen);
	json_object_put(nested);
	return ok;
}

/* A JSON list of strings, as a NULL-terminated array. */
static bool string_list(struct json_object *obj, char ***out)
{
	if (!json_object_is_type(obj, json_type_array)) {
		return false;
	}
	size_t n = json_object_array_length(obj);
	char **list = calloc(n + 1, sizeof(*list));
	if (list == NULL) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(obj, i);
		if (!json_object_is_type(e, json_type_string) ||
				(list[i] = strdup(json_object_get_string(e))) ==
				NULL) {
			for (size_t j = 0; j < i; j++) {
				free(list[j]);
			}
			free(list);
			return false;
		}
	}
	*out = list;
	return true;
}

/* The config blob's Env, Entrypoint, Cmd and WorkingDir. */
static bool read_config(const char *dir, struct json_object *manifest,
	struct cw_oci_config *conf, char *err, size_t errlen)
{
	struct json_object *desc, *blob, *c, *v;
	struct blob_ref ref;
	if (!json_object_object_get_ex(manifest, "config", &desc) ||
			!parse_descriptor(desc, &ref)) {
		snprintf(err, errlen, "the image manifest: a bad config "
			"descriptor");
		return false;
	}
	blob = read_json(dir, NULL, &ref, err, errlen);
	if (blob == NULL) {
		return false;
	}
	bool ok = true;
	if (json_object_object_get_ex(blob, "config", &c) &&
			json_object_is_type(c, json_type_object)) {
		static const char *const keys[] = {
			"Env", "Entrypoint", "Cmd",
		};
		char **const *outs[] = {
			&conf->env, &conf->entrypoint, &conf->cmd,
		};
		for (size_t i = 0; ok && i < 3; i++) {
			if (json_object_object_get_ex(c, keys[i], &v) &&
					!json_object_is_type(v, json_type_null) &&
					!string_list(v, (char ***)outs[i])) {
				snprintf(err, errlen, "the image config: %s is "
					"not a list of strings", keys[i]);
				ok = false;
			}
		}
		for (char **e = conf->env; ok && e && *e; e++) {
			if (strchr(*e, '=') == NULL || **e == '=') {
				snprintf(err, errlen, "the image config: Env "
					"entry '%s' is not NAME=VALUE", *e);
				ok = false;
			}
		}
		if (ok && json_object_object_get_ex(c, "WorkingDir", &v) &&
				!json_object_is_type(v, json_type_null)) {
			const char *w = json_object_get_string(v);
			if (!json_object_is_type(v, json_type_string) ||
					(w[0] != '\0' && w[0] != '/')) {
				snprintf(err, errlen, "the image config: "
					"WorkingDir is not an absolute path");
				ok = false;
			} else if (w[0] != '\0') {
				conf->workdir = strdup(w);
				ok = conf->workdir != NULL;
			}
		}
	}
	json_object_put(blob);
	if (!ok) {
		cw_oci_config_free(conf);
	}
	return ok;
}

static bool clean_member(const char *in, char *out, size_t len)
{
	while (in[0] == '.' && in[1] == '/') {
		in += 2;
	}
	while (in[0] == '/') {
		in++;
	}
	if ((size_t)snprintf(out, len, "%s", in) >= len) {
		return false;
	}
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '/') {
		out[--n] = '\0';
	}
	for (const char *p = out; *p != '\0';) {
		const char *end = strchrnul(p, '/');
		size_t c = (size_t)(end - p);
		if ((c == 2 && p[0] == '.' && p[1] == '.') ||
				(c == 1 && p[0] == '.')) {
			return false;
		}
		p = *end ? end + 1 : end;
	}
	return true;
}

/* A directory below root, never through a symlink; -1 when absent. */
static int open_below(int root, const char *path)
{
	if (path[0] == '\0') {
		return fcntl(root, F_DUPFD_CLOEXEC, 0);
	}
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
}

static void remove_below(int dirfd, const char *name);

static void empty_dir(int fd)
{
	DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	if (d == NULL) {
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 &&
				strcmp(de->d_name, "..") != 0) {
			remove_below(dirfd(d), de->d_name);
		}
	}
	closedir(d);
}

static void remove_below(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno != EISDIR) {
		return;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		O_CLOEXEC);
	if (fd >= 0) {
		empty_dir(fd);
		close(fd);
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Applies one whiteout entry to what the lower layers left in root. */
static void apply_whiteout(int root, const char *path)
{
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	const char *base = slash ? slash + 1 : parent;
	char name[NAME_MAX + 1];
	if ((size_t)snprintf(name, sizeof(name), "%s", base + 4) >=
			sizeof(name)) { /* after ".wh." */
		return;
	}
	if (slash != NULL) {
		*slash = '\0';
	} else {
		parent[0] = '\0';
	}
	int dir = open_below(root, parent);
	if (dir < 0) {
		return; /* nothing below to hide */
	}
	if (strcmp(name, ".wh..opq") == 0) {
		empty_dir(dir); /* opaque: lower layers' contents go */
	} else if (name[0] != '\0' && strcmp(name, ".") != 0 &&
			strcmp(name, "..") != 0) {
		remove_below(dir, name);
	}
	close(dir);
}

static bool is_whiteout(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, ".wh.", 4) == 0;
}

/* What an image has unpacked so far, against its limits. */
struct unpack {
	int root;
	uint64_t max_bytes, max_entries;
	uint64_t margin;      /* free space never used */
	uint64_t planned_bytes, planned_entries; /* the headers' word */
	uint64_t bytes, entries; /* written */
	uint64_t unchecked;   /* bytes since the last free-space check */
	const char *cache;    /* for messages */
	size_t layer, nlayers; /* for the progress */
	int64_t progress_ms;  /* when it was last told */
};

int cw_oci_progress_fd = -1;

/* "LAYER NLAYERS BYTES" on cw_oci_progress_fd, at most every 100 ms (and
 * at each layer's start): the caller shows it on a terminal. Never waits:
 * a line the pipe cannot take is dropped. */
static void progress(struct unpack *u, bool now)
{
	if (cw_oci_progress_fd < 0) {
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (!now && ms - u->progress_ms < 100) {
		return;
	}
	u->progress_ms = ms;
	char line[96];
	int n = snprintf(line, sizeof(line), "%zu %zu %llu\n", u->layer + 1,
		u->nlayers, (unsigned long long)u->bytes);
	if (write(cw_oci_progress_fd, line, (size_t)n) < 0 && errno == EPIPE) {
		cw_oci_progress_fd = -1;
	}
}

#define SPACE_CHECK_BYTES (16u << 20)

static void human_size(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB",
		"TiB" };
	double v = (double)n;
	size_t u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == (double)(uint64_t)v) {
		snprintf(out, len, "%llu %s", (unsigned long long)v, units[u]);
	} else {
		snprintf(out, len, "%.1f %s", v, units[u]);
	}
}

static bool within_limits(const struct unpack *u, uint64_t bytes,
	uint64_t entries, char *err, size_t errlen)
{
	char size[32];
	if (bytes > u->max_bytes) {
		human_size(u->max_bytes, size, sizeof(size));
		snprintf(err, errlen, "the image unpacks to more than %s, the "
			"limit (--oci-max-size raises it)", size);
		return false;
	}
	if (entries > u->max_entries) {
		snprintf(err, errlen, "the image holds more than %llu files, "
			"the limit (--oci-max-files raises it)",
			(unsigned long long)u->max_entries);
		return false;
	}
	return true;
}

/* Room for more bytes, keeping the margin free. */
static bool enough_space(struct unpack *u, uint64_t more, char *err,
	size_t errlen)
{
	struct statvfs sv;
	u->unchecked = 0;
	if (fstatvfs(u->root, &sv) < 0) {
		return true; /* the writes themselves will fail */
	}
	uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (avail >= more && avail - more >= u->margin) {
		return true;
	}
	char size[32];
	human_size(u->margin, size, sizeof(size));
	snprintf(err, errlen, "unpacking the image would leave less than %s "
		"free on the file system of %s: stopped", size, u->cache);
	return false;
}

/*
 * The compressions OCI layers use (tar, tar+gzip, tar+zstd), in this
 * process only: libarchive runs an external program for what it cannot
 * decompress itself (lrzip, grzip, lzop... from the caller's PATH, on the
 * layer's say-so), which ARCHIVE_WARN announces. A layer names no program
 * that runs outside the sandbox.
 */
static struct archive *open_layer(int fd)
{
	struct archive *a = archive_read_new();
	if (a == NULL) {
		return NULL;
	}
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
			archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
			archive_read_support_format_tar(a) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	lseek(fd, 0, SEEK_SET);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/*
 * One layer on top of root (the current directory): first its whiteouts,
 * which hide what the lower layers have, then its own files.
 */
static bool apply_layer(struct unpack *u, int fd, const char *hex,
	char *err, size_t errlen)
{
	int root = u->root;
	struct archive *a = open_layer(fd);
	struct archive_entry *entry;
	char path[PATH_MAX];
	if (a == NULL) {
		snprintf(err, errlen, "layer sha256:%s: not an archive", hex);
		return false;
	}
	int r;
	bool ok = true;
	/* the headers first: a layer over the limits writes nothing */
	while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
		la_int64_t size = archive_entry_size(entry);
		u->planned_bytes += size > 0 ? (uint64_t)size : 0;
		u->planned_entries++;
		if (!within_limits(u, u->planned_bytes, u->planned_entries,
				err, errlen)) {
			ok = false;
			break;
		}
		if (clean_member(archive_entry_pathname(entry), path,
				sizeof(path)) && is_whiteout(path)) {
			apply_whiteout(root, path);
		}
	}
	if (ok && r != ARCHIVE_EOF) {
		ok = false;
		snprintf(err, errlen, "layer sha256:%s: %s", hex,
			archive_error_string(a));
	}
	archive_read_free(a);
	if (!ok) {
		return false;
	}

	a = open_layer(fd);
	struct archive *disk = archive_write_disk_new();
	if (a == NULL || disk == NULL) {
		snprintf(err, errlen, "layer sha256:%s: cannot read", hex);
		archive_read_free(a);
		archive_write_free(disk);
		return false;
	}
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_TIME |
		ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	while ((r = archive_read_next_header(a, &entry)) == ARCHIVE_OK) {
		la_int64_t declared = archive_entry_size(entry);
		uint64_t size = declared > 0 ? (uint64_t)declared : 0;
		if (!within_limits(u, u->bytes + size, ++u->entries, err,
				errlen) || ((u->unchecked + size >=
				SPACE_CHECK_BYTES || u->entries % 256 == 0) &&
				!enough_space(u, size, err, errlen))) {
			break;
		}
		mode_t type = archive_entry_filetype(entry);
		if (!clean_member(archive_entry_pathname(entry), path,
				sizeof(path)) || path[0] == '\0' ||
				is_whiteout(path) || type == AE_IFCHR ||
				type == AE_IFBLK) {
			continue; /* devices cannot be made without privileges */
		}
		archive_entry_set_pathname(entry, path);
		const char *link = archive_entry_hardlink(entry);
		if (link != NULL) {
			char target[PATH_MAX];
			if (!clean_member(link, target, sizeof(target))) {
				continue;
			}
			archive_entry_set_hardlink(entry, target);
		}
		/* the owner can always write and remove the cache; inside,
		 * the root is read-only whatever the modes say */
		mode_t perm = archive_entry_perm(entry);
		archive_entry_set_perm(entry, (perm & 07777 & ~06000) |
			(type == AE_IFDIR ? 0700 : 0600));
		if (archive_write_header(disk, entry) < ARCHIVE_WARN) {
			snprintf(err, errlen, "layer sha256:%s: %s: %s", hex,
				path, archive_error_string(disk));
			break;
		}
		const void *buf;
		size_t block;
		la_int64_t offset;
		int d;
		bool written = true;
		while (written && (d = archive_read_data_block(a, &buf, &block,
				&offset)) == ARCHIVE_OK) {
			u->bytes += block;
			u->unchecked += block;
			progress(u, false);
			if (!within_limits(u, u->bytes, u->entries, err,
					errlen) || (u->unchecked >=
					SPACE_CHECK_BYTES && !enough_space(u, 0,
					err, errlen))) {
				written = false;
			} else if (archive_write_data_block(disk, buf, block,
					offset) < ARCHIVE_WARN) {
				snprintf(err, errlen, "layer sha256:%s: %s: %s",
					hex, path, archive_error_string(disk));
				written = false;
			}
		}
		archive_write_finish_entry(disk);
		if (!written) {
			break;
		}
		if (d != ARCHIVE_EOF) {
			snprintf(err, errlen, "layer sha256:%s: %s", hex,
				archive_error_string(a));
			break;
		}
	}
	ok = r == ARCHIVE_EOF;
	if (!ok && r != ARCHIVE_OK) {
		snprintf(err, errlen, "layer sha256:%s: %s", hex,
			archive_error_string(a));
	}
	if (archive_write_close(disk) != ARCHIVE_OK && ok) {
		snprintf(err, errlen, "layer sha256:%s: %s", hex,
			archive_error_string(disk));
		ok = false;
	}
	archive_write_free(disk);
	archive_read_free(a);
	return ok;
}

static bool unpack(const char *dir, struct json_object *manifest,
	const char *tmp, const struct cw_oci_limits *limits, const char *cache,
	char *err, size_t errlen)
{
	struct json_object *layers;
	if (!json_object_object_get_ex(manifest, "layers", &layers) ||
			!json_object_is_type(layers, json_type_array)) {
		snprintf(err, errlen, "the image manifest has no layers");
		return false;
	}
	int root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || cwd < 0 || fchdir(root) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (root >= 0) {
			close(root);
		}
		if (cwd >= 0) {
			close(cwd);
		}
		return false;
	}
	struct unpack u = {
		.root = root,
		.max_bytes = limits && limits->max_bytes ? limits->max_bytes :
			CW_OCI_MAX_BYTES,
		.max_entries = limits && limits->max_entries ?
			limits->max_entries : CW_OCI_MAX_ENTRIES,
		.margin = CW_OCI_FREE_MARGIN,
		.cache = cache,
	};
	struct statvfs sv;
	if (fstatvfs(root, &sv) == 0 && (uint64_t)sv.f_blocks * sv.f_frsize /
			20 < u.margin) {
		u.margin = (uint64_t)sv.f_blocks * sv.f_frsize / 20;
	}
	bool ok = enough_space(&u, 0, err, errlen);
	size_t n = json_object_array_length(layers);
	u.nlayers = n;
	for (size_t i = 0; ok && i < n; i++) {
		u.layer = i;
		progress(&u, true);
		struct blob_ref ref;
		if (!parse_descriptor(json_object_array_get_idx(layers, i),
				&ref)) {
			snprintf(err, errlen, "the image manifest: a bad layer "
				"descriptor");
			ok = false;
			break;
		}
		int fd = open_blob(dir, &ref, err, errlen);
		ok = fd >= 0 && apply_layer(&u, fd, ref.hex, err, errlen);
		if (fd >= 0) {
			close(fd);
		}
	}
	if (ok) {
		progress(&u, true); /* the whole, at the end */
	}
	if (fchdir(cwd) < 0) {
		ok = false;
	}
	close(cwd);
	close(root);
	return ok;
}

/*
 * What killed runs left: an .unpack-* directory that no unpack holds its
 * lock on (and not one just made, before its maker could lock it).
 */
static void remove_stale(const char *base)
{
	DIR *d = opendir(base);
	if (d == NULL) {
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".unpack-", 8) != 0) {
			continue;
		}
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 &&
				st.st_mtime + 60 < time(NULL) &&
				flock(fd, LOCK_EX | LOCK_NB) == 0) {
			char path[PATH_MAX + 300];
			snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
			cw_remove_tree(path);
		}
		if (fd >= 0) {
			close(fd);
		}
	}
	closedir(d);
}

bool cw_oci_prepare(const char *spec, bool do_unpack,
	const struct cw_oci_limits *limits, char *root, size_t len,
	struct cw_oci_config *conf, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *ref;
	cw_oci_split_spec(spec, dir, sizeof(dir), &ref);
	bool ok = false;
	int lock = -1;
	struct json_object *layout = read_json(dir, "oci-layout", NULL, err,
		errlen);
	struct json_object *index = NULL, *manifest = NULL;
	if (layout == NULL) {
		return false;
	}
	index = read_json(dir, "index.json", NULL, err, errlen);
	struct blob_ref mref;
	if (index == NULL || !find_manifest(dir, index, ref, 0, &mref, err,
			errlen)) {
		goto out;
	}
	manifest = read_json(dir, NULL, &mref, err, errlen);
	if (manifest == NULL || !read_config(dir, manifest, conf, err,
			errlen)) {
		goto out;
	}
	char cache[PATH_MAX];
	if (!cw_path_cache_home(cache, sizeof(cache))) {
		snprintf(err, errlen, "neither XDG_CACHE_HOME nor HOME is set");
		goto out;
	}
	char base[PATH_MAX + 16], final[PATH_MAX + 128];
	snprintf(base, sizeof(base), "%s/crate-wl/oci", cache);
	snprintf(final, sizeof(final), "%s/sha256-%s", base, mref.hex);
	if ((size_t)snprintf(root, len, "%s/rootfs", final) >= len) {
		snprintf(err, errlen, "%s: path too long", final);
		goto out;
	}
	struct stat st;
	if (!do_unpack || stat(root, &st) == 0) {
		ok = true; /* unpacked by an earlier run */
		goto out;
	}
	if (!cw_mkdir_p(base, 0700)) {
		snprintf(err, errlen, "cannot create %s: %s", base,
			strerror(errno));
		goto out;
	}
	remove_stale(base);
	/* unpacked aside, then renamed: a half-unpacked image is never
	 * taken for a whole one; locked while this unpack runs */
	char tmp[PATH_MAX + 32], tmproot[PATH_MAX + 48];
	snprintf(tmp, sizeof(tmp), "%s/.unpack-XXXXXX", base);
	if (mkdtemp(tmp) == NULL) {
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			strerror(errno));
		goto out;
	}
	lock = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0) {
		flock(lock, LOCK_EX);
	}
	snprintf(tmproot, sizeof(tmproot), "%s/rootfs", tmp);
	if (mkdir(tmproot, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmproot,
			strerror(errno));
		cw_remove_tree(tmp);
		goto out;
	}
	if (!unpack(dir, manifest, tmproot, limits, base, err, errlen)) {
		cw_remove_tree(tmp);
		goto out;
	}
	if (rename(tmp, final) < 0) {
		cw_remove_tree(tmp);
		if (stat(root, &st) < 0) {
			snprintf(err, errlen, "cannot move the image to %s: %s",
				final, strerror(errno));
			goto out;
		}
		/* another run unpacked it meanwhile */
	}
	ok = true;
out:
	if (lock >= 0) {
		close(lock);
	}
	if (!ok) {
		cw_oci_config_free(conf);
	}
	json_object_put(manifest);
	json_object_put(index);
	json_object_put(layout);
	return ok;
}
