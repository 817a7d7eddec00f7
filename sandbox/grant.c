#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include "grant.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "paths.h"
#include "sandbox.h"
#include "util.h"

/* the granted names of one directory */
struct grant_name {
	char *name;
	bool file_made; /* its mount point was made inside */
	bool readonly; /* shown alone, read-only: never saved back */
	dev_t dev; /* the file shown now (0: not yet saved) */
	ino_t ino;
	struct grant_name *next;
};

/* One granted file's directory on the host and how it is shown. */
struct grant_dir {
	char *path; /* the real directory */
	int dfd; /* it, opened */
	bool whole; /* shown whole (cw_grants_add_dir), not file by file */
	bool readonly; /* whole, read-only */
	bool staged; /* shown as its staging directory (else file by file) */
	/* made inside by the grant: path's first made_end - 1 bytes are
	 * the first directory made (0: none) */
	size_t made_end;
	char *stage; /* the staging directory; NULL when not staged */
	int sfd;
	int wd; /* its inotify watch */
	struct grant_name *names;
	struct grant_dir *next;
};

/* every inode ever shown, for cw_grants_has */
struct grant_ino {
	dev_t dev;
	ino_t ino;
};

struct cw_grants {
	struct cw_loop *loop;
	pid_t init;
	char *list_path;
	char base[PATH_MAX]; /* $XDG_DATA_HOME/crate-wl/grants/ID */
	bool have_base;
	unsigned nstage;
	struct cw_source inotify;
	struct cw_source listener;
	char *listen_path;
	/* the sandbox's $HOME and where it is on the host (a kept home);
	 * NULL: nothing made inside outlives the sandbox */
	char *home, *host_home;
	struct grant_dir *dirs;
	struct grant_ino *inos;
	size_t ninos, capinos;
	unsigned tmp_seq;
};

static void remember_ino(struct cw_grants *g, dev_t dev, ino_t ino)
{
	if (cw_grants_has(g, dev, ino)) {
		return;
	}
	if (g->ninos == g->capinos) {
		size_t cap = g->capinos ? 2 * g->capinos : 16;
		struct grant_ino *n = realloc(g->inos, cap * sizeof(*n));
		if (n == NULL) {
			return;
		}
		g->inos = n;
		g->capinos = cap;
	}
	g->inos[g->ninos++] = (struct grant_ino){ dev, ino };
}

bool cw_grants_has(void *grants, dev_t dev, ino_t ino)
{
	struct cw_grants *g = grants;
	for (size_t i = 0; g != NULL && i < g->ninos; i++) {
		if (g->inos[i].dev == dev && g->inos[i].ino == ino) {
			return true;
		}
	}
	return false;
}

/* The list for ps and info: written whole, then renamed over the old. */
static void save_list(struct cw_grants *g)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", g->list_path);
	FILE *f = fopen(tmp, "we");
	if (f == NULL) {
		cw_log_errno(CW_LOG_ERROR, "%s", tmp);
		return;
	}
	for (struct grant_dir *d = g->dirs; d != NULL; d = d->next) {
		if (d->whole) {
			/* a folder: its path and a slash */
			fprintf(f, "%s%s\n", d->path,
				strcmp(d->path, "/") == 0 ? "" : "/");
		}
		for (struct grant_name *n = d->names; n != NULL; n = n->next) {
			fprintf(f, "%s%s%s\n", d->path,
				strcmp(d->path, "/") == 0 ? "" : "/", n->name);
		}
	}
	if (fclose(f) != 0 || rename(tmp, g->list_path) < 0) {
		cw_log_errno(CW_LOG_ERROR, "%s", g->list_path);
		unlink(tmp);
	}
}

/*
 * A file the app wrote at a granted name of a staging directory goes to
 * the real directory, atomically: linked at a temporary name there, then
 * renamed over the real name. Only a regular file with no other link
 * (one the app made, not a link to something else), and what was linked
 * is checked after the link, so that a swap of the entry (for a symlink,
 * a hard link) between the look and the link publishes nothing.
 */
static void publish(struct cw_grants *g, struct grant_dir *d,
	struct grant_name *n)
{
	struct stat st, t;
	if (fstatat(d->sfd, n->name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			!S_ISREG(st.st_mode)) {
		return;
	}
	if (st.st_dev == n->dev && st.st_ino == n->ino) {
		return; /* written in place: it is the real file already */
	}
	if (st.st_nlink != 1) {
		cw_log(CW_LOG_ERROR, "grant: %s/%s has other links: not saved",
			d->path, n->name);
		return;
	}
	char tmp[NAME_MAX + 1];
	snprintf(tmp, sizeof(tmp), ".%.200s.crate-wl-%d-%u", n->name,
		(int)getpid(), g->tmp_seq++);
	if (linkat(d->sfd, n->name, d->dfd, tmp, 0) < 0) {
		cw_log_errno(CW_LOG_ERROR, "grant: cannot save %s/%s", d->path,
			n->name);
		return;
	}
	if (fstatat(d->dfd, tmp, &t, AT_SYMLINK_NOFOLLOW) < 0 ||
			!S_ISREG(t.st_mode) || t.st_dev != st.st_dev ||
			t.st_ino != st.st_ino || t.st_nlink != 2) {
		cw_log(CW_LOG_ERROR, "grant: %s/%s changed while saved: not "
			"saved", d->path, n->name);
		unlinkat(d->dfd, tmp, 0);
		return;
	}
	if (renameat(d->dfd, tmp, d->dfd, n->name) < 0) {
		cw_log_errno(CW_LOG_ERROR, "grant: cannot save %s/%s", d->path,
			n->name);
		unlinkat(d->dfd, tmp, 0);
		return;
	}
	n->dev = t.st_dev;
	n->ino = t.st_ino;
	remember_ino(g, t.st_dev, t.st_ino);
}

static void inotify_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_grants *g = cw_container_of(source, g, inotify);
	char buf[4096] __attribute__((aligned(__alignof__(
		struct inotify_event))));
	for (;;) {
		ssize_t len = read(source->fd, buf, sizeof(buf));
		if (len <= 0) {
			return;
		}
		for (char *p = buf; p < buf + len;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->len == 0) {
				continue;
			}
			for (struct grant_dir *d = g->dirs; d != NULL;
					d = d->next) {
				if (!d->staged || d->wd != ev->wd) {
					continue;
				}
				for (struct grant_name *n = d->names;
						n != NULL; n = n->next) {
					/* a read-only one's name in the
					 * staging directory is only the
					 * empty file its mount covers */
					if (!n->readonly &&
							strcmp(n->name, ev->name) == 0) {
						publish(g, d, n);
					}
				}
			}
		}
	}
}

struct cw_grants *cw_grants_create(struct cw_loop *loop, pid_t init,
	const char *id, const char *list_path, const char *home,
	const char *host_home, char *err, size_t errlen)
{
	struct cw_grants *g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (home != NULL && host_home != NULL) {
		g->home = strdup(home);
		g->host_home = strdup(host_home);
	}
	g->loop = loop;
	g->init = init;
	g->inotify.fd = -1;
	g->listener.fd = -1;
	g->list_path = strdup(list_path);
	char data[PATH_MAX];
	if (cw_path_data_home(data, sizeof(data)) &&
			(size_t)snprintf(g->base, sizeof(g->base),
			"%s/crate-wl/grants/%s", data, id) < sizeof(g->base)) {
		g->have_base = true;
	}
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (g->list_path == NULL || fd < 0 ||
			!cw_loop_add(loop, &g->inotify, fd, EPOLLIN,
			inotify_dispatch)) {
		snprintf(err, errlen, "cannot watch granted files: %s",
			strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		free(g->list_path);
		free(g);
		return NULL;
	}
	/* the list is written with the first grant: none is no file */
	return g;
}

static bool mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST) {
				return false;
			}
			*p = '/';
		}
	}
	return mkdir(buf, mode) == 0 || errno == EEXIST;
}

/* What the mount child says about the directory inside. */
enum inside_state {
	INSIDE_EMPTY = 'E', /* missing (made now) or empty */
	INSIDE_FULL = 'F', /* holds other things: only the file fits */
	INSIDE_FAIL = 'X',
};

static bool send_fd(int sock, char what, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &what, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1;
}

static int recv_fd(int sock, char *what)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = what, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1) {
		return -2;
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS) {
		return -1;
	}
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void child_fail(int sock, const char *what, const char *path)
{
	char msg[PATH_MAX + 128];
	int n = snprintf(msg, sizeof(msg), "X%s %s: %s", what, path,
		strerror(errno));
	if (n > 0 && write(sock, msg, (size_t)n)) {
	}
	_exit(1);
}

/*
 * In the sandbox's user and mount namespaces: the directory dir, made
 * where missing, each component opened without following a symlink (the
 * app's home is the app's: it may have put one there). Says whether dir
 * is empty (name NULL, a folder shown whole: not asked), takes the tree
 * to mount and which way, mounts it.
 */
static void mount_child(int sock, pid_t init, const char *dir,
	const char *name)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	char err[512];
	if (!cw_namespaces_join(init, err, sizeof(err))) {
		errno = 0;
		char msg[600];
		int n = snprintf(msg, sizeof(msg), "X%s", err);
		if (write(sock, msg, (size_t)n)) {
		}
		_exit(1);
	}
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	bool made = false;
	/* the first directory made (to be removed with the grant) */
	long first_made = -1;
	bool file_made = false;
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *comp = strtok(buf, "/"); fd >= 0 && comp != NULL;
			comp = strtok(NULL, "/")) {
		int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
				child_fail(sock, "cannot make", dir);
			}
			made = true;
			if (first_made < 0) {
				first_made = comp - buf + (long)strlen(comp);
			}
			next = openat(fd, comp, O_PATH | O_DIRECTORY |
				O_NOFOLLOW | O_CLOEXEC);
		} else {
			made = false;
		}
		close(fd);
		fd = next;
	}
	if (fd < 0) {
		child_fail(sock, "cannot reach", dir);
	}
	char state = INSIDE_EMPTY;
	if (!made && name != NULL) {
		int rd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = rd >= 0 ? fdopendir(rd) : NULL;
		if (d == NULL) {
			child_fail(sock, "cannot read", dir);
		}
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 &&
					strcmp(e->d_name, "..") != 0) {
				state = INSIDE_FULL;
			}
		}
		closedir(d);
	}
	if (write(sock, &state, 1) != 1) {
		_exit(1);
	}
	char how;
	int tree = recv_fd(sock, &how);
	if (tree < 0) {
		_exit(1);
	}
	int target = fd;
	if (how == 'F') {
		/* the file alone: a regular file of that name to mount on */
		target = openat(fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0 && errno == ENOENT) {
			int c = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL |
				O_NOFOLLOW | O_CLOEXEC, 0600);
			if (c >= 0) {
				close(c);
				file_made = true;
			}
			target = openat(fd, name, O_PATH | O_NOFOLLOW |
				O_CLOEXEC);
		}
		struct stat st;
		if (target < 0 || fstat(target, &st) < 0) {
			child_fail(sock, "cannot make", name);
		}
		if (!S_ISREG(st.st_mode)) {
			errno = EEXIST;
			child_fail(sock, "not a file inside:", name);
		}
	}
	if (syscall(SYS_move_mount, tree, "", target, "",
			MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		child_fail(sock, "cannot mount on", dir);
	}
	/* what was made: "O" END FILE, END the length of dir's prefix
	 * ending in the first directory made (-1: none) */
	char ok[64];
	int n = snprintf(ok, sizeof(ok), "O%ld %d", first_made,
		file_made ? 1 : 0);
	if (write(sock, ok, (size_t)n) != n) {
		_exit(1);
	}
	_exit(0);
}

/*
 * In a user and mount namespace of its own (where it may), a detached
 * copy of the mount at src, passed to the mount child on sock. The host's
 * namespace would need CAP_SYS_ADMIN; the sandbox's cannot reach src.
 */
static void clone_child(int sock, const char *src, char how)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		_exit(1);
	}
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, src,
		OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0) {
		_exit(1);
	}
	/* 'R': the file alone, read-only, locked so as clone_dir_child's */
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID |
		MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY };
	if (how == 'R' && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH,
			&attr, sizeof(attr)) < 0) {
		_exit(1);
	}
	if (!send_fd(sock, how == 'R' ? 'F' : how, tree)) {
		_exit(1);
	}
	_exit(0);
}

/*
 * As clone_child, for a folder shown whole: a copy of the mount of the
 * directory open at fd (the one checked, whatever its path holds now),
 * nosuid and nodev, read-only unless writable. Flags set on a mount that
 * then goes to the sandbox's namespace are the sandbox's to keep: its
 * processes have no capability to change them, and a namespace of their
 * own (nested-sandbox) gets them locked.
 */
static void clone_dir_child(int sock, int fd, const char *path,
	bool writable)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct stat want, got;
	if (fstat(fd, &want) < 0 || unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		_exit(1);
	}
	/* by its path (a mount of the namespace left behind cannot be
	 * cloned here), then checked to be the directory fd holds */
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, path,
		OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	if (tree < 0 || fstat(tree, &got) < 0 || got.st_dev != want.st_dev ||
			got.st_ino != want.st_ino) {
		_exit(1);
	}
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID |
		MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY) };
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
			sizeof(attr)) < 0 || !send_fd(sock, 'D', tree)) {
		_exit(1);
	}
	_exit(0);
}

static bool wait_ok(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return false;
		}
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The child that mounts inside the sandbox (mount_child), and its end of
 * the conversation. */
struct mounter {
	int sock;
	pid_t pid;
};

/* Ends the mounter before its work is done (it fails, and exits). */
static void mounter_abort(struct mounter *m)
{
	close(m->sock);
	wait_ok(m->pid);
}

/*
 * Starts the mounter for d->path (and name in it, or NULL: the folder
 * whole) and reads its first word into *first, where first is not NULL
 * (INSIDE_EMPTY when the directory inside is missing or empty). False,
 * and err, when it cannot
 * show the directory; the mounter is ended then.
 */
static bool mounter_start(struct cw_grants *g, struct grant_dir *d,
	const char *name, struct mounter *m, char *first, char *err,
	size_t errlen)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return false;
	}
	m->pid = fork();
	if (m->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		return false;
	}
	if (m->pid == 0) {
		close(sp[0]);
		mount_child(sp[1], g->init, d->path, name);
	}
	close(sp[1]);
	m->sock = sp[0];
	char msg[PATH_MAX + 128];
	ssize_t n = read(m->sock, msg, sizeof(msg) - 1);
	if (n <= 0 || msg[0] == INSIDE_FAIL) {
		msg[n > 0 ? n : 0] = '\0';
		snprintf(err, errlen, "cannot show %s in the sandbox: %s",
			d->path, n > 1 ? msg + 1 : "the sandbox is gone");
		mounter_abort(m);
		return false;
	}
	if (first != NULL) {
		*first = msg[0];
	}
	return true;
}

/*
 * The mounter's last word once the cloner gave it src's mount: 'O', then
 * where the directories it made begin (*end, -1: none made) and whether it
 * made the file's mount point (*file). Then it is ended. False, and err,
 * when anything failed.
 */
static bool mounter_finish(struct mounter *m, bool cloned, const char *src,
	long *end, int *file, char *err, size_t errlen)
{
	*end = -1;
	*file = 0;
	bool ok = cloned;
	if (!cloned) {
		snprintf(err, errlen, "cannot copy the mount of %s", src);
	} else {
		char msg[PATH_MAX + 128];
		ssize_t n = read(m->sock, msg, sizeof(msg) - 1);
		msg[n > 0 ? n : 0] = '\0';
		if (n < 1 || msg[0] != 'O') {
			snprintf(err, errlen, "cannot show %s in the sandbox: "
				"%s", src, n > 1 ? msg + 1 :
				"the sandbox is gone");
			ok = false;
		} else if (sscanf(msg + 1, "%ld %d", end, file) != 2) {
			*end = -1;
			*file = 0;
		}
	}
	close(m->sock);
	if (!wait_ok(m->pid)) {
		ok = false;
	}
	return ok;
}

/*
 * Shows dir inside: the staging directory stage over it where it may
 * (the directory inside is missing or empty and stage is not NULL), else
 * the file dir/name alone (made on the host first when create; read-only
 * when readonly, which *staged false asks for too). *staged says which.
 * Waits for the two short children.
 */
static bool mount_into(struct cw_grants *g, struct grant_dir *d,
	const char *name, bool create, bool readonly, bool *staged,
	bool *file_made, char *err, size_t errlen)
{
	*file_made = false;
	struct mounter m;
	char first;
	if (!mounter_start(g, d, name, &m, &first, err, errlen)) {
		return false;
	}
	*staged = *staged && first == INSIDE_EMPTY;
	char src[PATH_MAX];
	if (*staged) {
		snprintf(src, sizeof(src), "%s", d->stage);
	} else {
		snprintf(src, sizeof(src), "%s/%s", d->path, name);
		if (create) {
			int c = openat(d->dfd, name, O_WRONLY | O_CREAT |
				O_NOFOLLOW | O_CLOEXEC, 0666);
			if (c < 0) {
				snprintf(err, errlen, "cannot make %s: %s",
					src, strerror(errno));
				mounter_abort(&m);
				return false;
			}
			close(c);
		}
	}
	pid_t cloner = fork();
	if (cloner == 0) {
		clone_child(m.sock, src, *staged ? 'D' : readonly ? 'R' : 'F');
	}
	long end;
	int file;
	if (!mounter_finish(&m, cloner > 0 && wait_ok(cloner), src, &end,
			&file, err, errlen)) {
		return false;
	}
	if (end > 0 && d->made_end == 0 && (size_t)end <= strlen(d->path)) {
		d->made_end = (size_t)end + 1; /* the "/" */
	}
	*file_made = file == 1;
	return true;
}

static struct grant_dir *find_dir(struct cw_grants *g, const char *path)
{
	for (struct grant_dir *d = g->dirs; d != NULL; d = d->next) {
		if (strcmp(d->path, path) == 0) {
			return d;
		}
	}
	return NULL;
}

static void free_dir(struct grant_dir *d);

/* A staging directory on dir's filesystem, or none (NULL stage). */
static void make_stage(struct cw_grants *g, struct grant_dir *d)
{
	struct stat a, b;
	char path[PATH_MAX];
	if (!g->have_base || !mkdirs(g->base, 0700) ||
			(size_t)snprintf(path, sizeof(path), "%s/%u", g->base,
			g->nstage++) >= sizeof(path) || mkdir(path, 0700) < 0) {
		return;
	}
	d->sfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d->sfd < 0 || fstat(d->sfd, &a) < 0 || fstat(d->dfd, &b) < 0 ||
			a.st_dev != b.st_dev) {
		/* a hard link cannot cross filesystems */
		if (d->sfd >= 0) {
			close(d->sfd);
			d->sfd = -1;
		}
		rmdir(path);
		return;
	}
	d->stage = strdup(path);
}

static bool add_name(struct grant_dir *d, const char *name,
	struct grant_name **out)
{
	for (struct grant_name *n = d->names; n != NULL; n = n->next) {
		if (strcmp(n->name, name) == 0) {
			*out = n;
			return true;
		}
	}
	struct grant_name *n = calloc(1, sizeof(*n));
	if (n == NULL || (n->name = strdup(name)) == NULL) {
		free(n);
		return false;
	}
	n->next = d->names;
	d->names = n;
	*out = n;
	return true;
}

/*
 * The existing file d->path/name, read-only: never a hard link in the
 * staging directory (the link would be the same inode, writable), but the
 * file alone, bound read-only over its name inside (made there, empty,
 * where missing: in the staging directory when d is staged). Where it is
 * shown already, writable or not, that stays.
 */
static bool add_readonly(struct cw_grants *g, struct grant_dir *d,
	bool fresh, const char *name, char *err, size_t errlen)
{
	for (struct grant_name *n = d->names; n != NULL; n = n->next) {
		if (strcmp(n->name, name) == 0) {
			return true;
		}
	}
	/* named before the mount makes its mount point: a staging
	 * directory's inotify must not take that empty file for a save */
	struct grant_name *n;
	if (!add_name(d, name, &n)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	n->readonly = true;
	bool staged = false, file_made = false;
	if (!mount_into(g, d, name, false, true, &staged, &file_made, err,
			errlen)) {
		d->names = n->next;
		free(n->name);
		free(n);
		goto fail;
	}
	n->file_made = file_made;
	if (fresh) {
		d->staged = false;
		d->next = g->dirs;
		g->dirs = d;
	}
	struct stat st;
	if (fstatat(d->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		n->dev = st.st_dev;
		n->ino = st.st_ino;
		remember_ino(g, st.st_dev, st.st_ino);
	}
	save_list(g);
	return true;
fail:
	if (fresh) {
		if (d->stage != NULL) {
			rmdir(d->stage);
		}
		free_dir(d);
	}
	return false;
}

bool cw_grants_add(struct cw_grants *g, const char *path, unsigned flags,
	char *err, size_t errlen)
{
	bool create = (flags & CW_GRANT_CREATE) != 0;
	bool readonly = !create && (flags & CW_GRANT_READONLY) != 0;
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
			strcmp(slash + 1, ".") == 0 ||
			strcmp(slash + 1, "..") == 0 ||
			strlen(path) >= PATH_MAX || strchr(path, '\n') != NULL) {
		snprintf(err, errlen, "%s: not a file's absolute path", path);
		return false;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		(int)(slash - path), path);
	const char *name = slash + 1;
	/* in a folder shown whole: there already (read-only, a name to
	 * save to is shown as ever) */
	for (struct grant_dir *w = g->dirs; w != NULL; w = w->next) {
		size_t wl = strlen(w->path);
		if (w->whole && (!w->readonly || !create) &&
				strncmp(dir, w->path, wl) == 0 &&
				(dir[wl] == '\0' || dir[wl] == '/' ||
				strcmp(w->path, "/") == 0)) {
			return true;
		}
	}
	struct grant_dir *d = find_dir(g, dir);
	bool fresh = d == NULL;
	if (fresh) {
		d = calloc(1, sizeof(*d));
		if (d == NULL || (d->path = strdup(dir)) == NULL) {
			free(d);
			snprintf(err, errlen, "out of memory");
			return false;
		}
		d->sfd = -1;
		d->wd = -1;
		d->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (d->dfd < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			free_dir(d);
			return false;
		}
		make_stage(g, d);
	}
	struct stat st;
	bool exists = fstatat(d->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists ? !S_ISREG(st.st_mode) : !create) {
		snprintf(err, errlen, "%s: %s", path, exists ?
			"not a regular file" : strerror(ENOENT));
		goto fail;
	}
	if (readonly) {
		return add_readonly(g, d, fresh, name, err, errlen);
	}
	bool staged = d->stage != NULL && (fresh || d->staged);
	bool file_made = false;
	/* the file in the staging directory before the mount shows it */
	bool linked = false;
	if (staged && exists) {
		if (linkat(d->dfd, name, d->sfd, name, 0) == 0) {
			linked = true;
		} else if (errno != EEXIST) {
			/* not ours to link (protected_hardlinks): alone */
			staged = false;
		}
	}
	if (fresh || !staged) {
		if (!fresh && d->staged) {
			snprintf(err, errlen, "%s: cannot link it beside the "
				"files granted before", path);
			goto fail;
		}
		if (!mount_into(g, d, name, create && !exists, false, &staged,
				&file_made, err, errlen)) {
			if (linked) {
				unlinkat(d->sfd, name, 0);
			}
			goto fail;
		}
		if (fresh) {
			d->staged = staged;
			if (staged) {
				d->wd = inotify_add_watch(g->inotify.fd,
					d->stage, IN_CLOSE_WRITE |
					IN_MOVED_TO);
			}
			d->next = g->dirs;
			g->dirs = d;
			fresh = false;
		}
		if (linked && !staged) {
			unlinkat(d->sfd, name, 0);
		}
	}
	struct grant_name *n;
	if (!add_name(d, name, &n)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	n->file_made = n->file_made || file_made;
	if (fstatat(d->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		n->dev = st.st_dev;
		n->ino = st.st_ino;
		remember_ino(g, st.st_dev, st.st_ino);
	}
	save_list(g);
	return true;
fail:
	if (fresh) {
		if (d->stage != NULL) {
			rmdir(d->stage);
		}
		free_dir(d);
	}
	return false;
}

/* The whole folder d->path (open at fd) over its path in the sandbox. */
static bool mount_dir_into(struct cw_grants *g, struct grant_dir *d, int fd,
	bool writable, char *err, size_t errlen)
{
	struct mounter m;
	if (!mounter_start(g, d, NULL, &m, NULL, err, errlen)) {
		return false;
	}
	pid_t cloner = fork();
	if (cloner == 0) {
		clone_dir_child(m.sock, fd, d->path, writable);
	}
	long end;
	int file;
	if (!mounter_finish(&m, cloner > 0 && wait_ok(cloner), d->path, &end,
			&file, err, errlen)) {
		return false;
	}
	if (end > 0 && (size_t)end <= strlen(d->path)) {
		d->made_end = (size_t)end + 1;
	}
	return true;
}

/* File systems that are a kernel's view, not files: never shown whole */
static bool pseudo_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0) {
		return true;
	}
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case DEVPTS_SUPER_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case BPF_FS_MAGIC:
	case NSFS_MAGIC:
	case SELINUX_MAGIC:
	case SMACK_MAGIC:
	case EFIVARFS_MAGIC:
		return true;
	default:
		return false;
	}
}

bool cw_grants_add_dir(struct cw_grants *g, const char *path, bool writable,
	char *err, size_t errlen)
{
	if (path[0] != '/' || strlen(path) >= PATH_MAX ||
			strchr(path, '\n') != NULL) {
		snprintf(err, errlen, "%s: not a folder's absolute path", path);
		return false;
	}
	/* opened once: what is checked is what is shown, whatever is put
	 * at its path meanwhile (the app may own a folder on the way) */
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	char link[64], real[PATH_MAX], why[PATH_MAX + 128];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	struct cw_grant_limits *lim = malloc(sizeof(*lim));
	bool ok = false;
	if (n <= 0 || lim == NULL) {
		snprintf(err, errlen, "%s: cannot tell where it is", path);
		goto out;
	}
	real[n] = '\0';
	if (strcmp(real, path) != 0) {
		snprintf(err, errlen, "%s: not granted: it moved to %s while "
			"it was chosen", path, real);
		goto out;
	}
	cw_grant_limits_init(lim);
	if (!cw_grant_dir_allowed(real, writable, lim, why, sizeof(why))) {
		snprintf(err, errlen, "%s: not granted: %s", real, why);
		goto out;
	}
	if (pseudo_fs(fd)) {
		snprintf(err, errlen, "%s: not granted: not a folder of files "
			"(a kernel file system)", real);
		goto out;
	}
	for (struct grant_dir *d = g->dirs; d != NULL; d = d->next) {
		if (d->whole && strcmp(d->path, real) == 0 &&
				(!writable || !d->readonly)) {
			ok = true; /* shown already, with as much */
			goto out;
		}
	}
	struct grant_dir *d = calloc(1, sizeof(*d));
	if (d == NULL || (d->path = strdup(real)) == NULL) {
		free(d);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	d->dfd = -1;
	d->sfd = -1;
	d->wd = -1;
	d->whole = true;
	d->readonly = !writable;
	if (!mount_dir_into(g, d, fd, writable, err, errlen)) {
		free_dir(d);
		goto out;
	}
	d->next = g->dirs;
	g->dirs = d;
	struct stat st;
	if (fstat(fd, &st) == 0) {
		remember_ino(g, st.st_dev, st.st_ino);
	}
	save_list(g);
	ok = true;
out:
	free(lim);
	close(fd);
	return ok;
}

/* Everything under dirfd, removed without following a symlink. */
static void remove_all_at(int dirfd)
{
	int rd = dup(dirfd);
	DIR *dir = rd >= 0 ? fdopendir(rd) : NULL;
	if (dir == NULL) {
		if (rd >= 0) {
			close(rd);
		}
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
				strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (unlinkat(dirfd, e->d_name, 0) == 0 || errno != EISDIR) {
			continue;
		}
		int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			remove_all_at(sub);
			close(sub);
		}
		unlinkat(dirfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(dir);
}

static void free_dir(struct grant_dir *d)
{
	while (d->names != NULL) {
		struct grant_name *n = d->names;
		d->names = n->next;
		free(n->name);
		free(n);
	}
	if (d->sfd >= 0) {
		remove_all_at(d->sfd);
		close(d->sfd);
		rmdir(d->stage);
	}
	if (d->dfd >= 0) {
		close(d->dfd);
	}
	free(d->stage);
	free(d->path);
	free(d);
}

void cw_grants_sweep(bool (*alive)(const char *id))
{
	char base[PATH_MAX];
	if (!cw_path_data_home(base, sizeof(base)) ||
			strlen(base) + sizeof("/crate-wl/grants") > sizeof(base)) {
		return;
	}
	strcat(base, "/crate-wl/grants");
	int bfd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (bfd < 0) {
		return;
	}
	int rd = dup(bfd);
	DIR *dir = rd >= 0 ? fdopendir(rd) : NULL;
	struct dirent *e;
	while (dir != NULL && (e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.' || alive(e->d_name)) {
			continue;
		}
		int sub = openat(bfd, e->d_name, O_RDONLY | O_DIRECTORY |
			O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			remove_all_at(sub);
			close(sub);
			unlinkat(bfd, e->d_name, AT_REMOVEDIR);
		}
	}
	if (dir != NULL) {
		closedir(dir);
	} else if (rd >= 0) {
		close(rd);
	}
	close(bfd);
}

/* One "PATH\n" a connection, answered "ok\n" or "error MESSAGE\n". */
static void listener_dispatch(struct cw_source *source, uint32_t events)
{
	struct cw_grants *g = cw_container_of(source, g, listener);
	int c = accept4(source->fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		return;
	}
	/* the user's own crate-wl, which writes at once */
	struct timeval tv = { .tv_sec = 2 };
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char line[PATH_MAX + 2];
	size_t len = 0;
	while (len < sizeof(line) - 1) {
		ssize_t n = read(c, line + len, sizeof(line) - 1 - len);
		if (n <= 0) {
			break;
		}
		len += (size_t)n;
		if (memchr(line, '\n', len) != NULL) {
			break;
		}
	}
	line[len] = '\0';
	char *nl = strchr(line, '\n');
	char answer[PATH_MAX + 600];
	char err[PATH_MAX + 512];
	if (nl == NULL || nl[1] != '\0') {
		snprintf(answer, sizeof(answer), "error not one line\n");
	} else {
		*nl = '\0';
		if (cw_grants_add(g, line, 0, err, sizeof(err))) {
			snprintf(answer, sizeof(answer), "ok\n");
		} else {
			snprintf(answer, sizeof(answer), "error %s\n", err);
		}
	}
	if (write(c, answer, strlen(answer)) < 0) {
		/* it left */
	}
	close(c);
}

bool cw_grants_listen(struct cw_grants *g, const char *path, char *err,
	size_t errlen)
{
	int fd = cw_unix_listen(path, 8, err, errlen);
	if (fd < 0) {
		return false;
	}
	if (!cw_loop_add(g->loop, &g->listener, fd, EPOLLIN,
			listener_dispatch)) {
		snprintf(err, errlen, "cannot watch %s: %s", path,
			strerror(errno));
		close(fd);
		unlink(path);
		return false;
	}
	g->listen_path = strdup(path);
	return true;
}

/* The directory rel under root's fd (NULL: root), each component
 * opened without following a symlink; -1 when any is not a directory. */
static int open_under(int root, const char *rel, size_t len)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%.*s", (int)len, rel);
	int fd = dup(root);
	for (char *c = strtok(buf, "/"); fd >= 0 && c != NULL;
			c = strtok(NULL, "/")) {
		int next = openat(fd, c, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
		close(fd);
		fd = next;
	}
	return fd;
}

/*
 * What a grant made in the app's kept home to mount on (an empty file,
 * directories) goes with it, so that the app's next run finds its home
 * as it left it: an empty regular file, empty directories, each reached
 * without following a symlink, inside the kept home only.
 */
static void remove_made(struct cw_grants *g, struct grant_dir *d)
{
	size_t hl = g->home != NULL ? strlen(g->home) : 0;
	if (hl == 0 || strncmp(d->path, g->home, hl) != 0 ||
			(d->path[hl] != '/' && d->path[hl] != '\0')) {
		return;
	}
	int root = open(g->host_home, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		O_CLOEXEC);
	if (root < 0) {
		return;
	}
	const char *rel = d->path + hl + (d->path[hl] == '/');
	int dfd = open_under(root, rel, strlen(rel));
	for (struct grant_name *n = d->names; dfd >= 0 && n != NULL;
			n = n->next) {
		struct stat st;
		if (n->file_made && fstatat(dfd, n->name, &st,
				AT_SYMLINK_NOFOLLOW) == 0 &&
				S_ISREG(st.st_mode) && st.st_size == 0) {
			unlinkat(dfd, n->name, 0);
		}
	}
	if (dfd >= 0) {
		close(dfd);
	}
	/* the made directories, deepest first, while empty */
	size_t len = strlen(rel);
	size_t stop = d->made_end > hl + 1 ? d->made_end - 1 - hl - 1 : len + 1;
	while (d->made_end > 0 && len >= stop && len > 0) {
		const char *slash = memrchr(rel, '/', len);
		size_t plen = slash != NULL ? (size_t)(slash - rel) : 0;
		int parent = open_under(root, rel, plen);
		if (parent < 0) {
			break;
		}
		char name[NAME_MAX + 1];
		size_t off = slash != NULL ? plen + 1 : 0;
		snprintf(name, sizeof(name), "%.*s", (int)(len - off),
			rel + off);
		int r = unlinkat(parent, name, AT_REMOVEDIR);
		close(parent);
		if (r < 0) {
			break;
		}
		len = plen;
	}
	close(root);
}

void cw_grants_destroy(struct cw_grants *g)
{
	if (g == NULL) {
		return;
	}
	if (g->listener.fd >= 0) {
		cw_loop_remove(g->loop, &g->listener);
		close(g->listener.fd);
		if (g->listen_path != NULL) {
			unlink(g->listen_path);
		}
	}
	cw_loop_remove(g->loop, &g->inotify);
	close(g->inotify.fd);
	while (g->dirs != NULL) {
		struct grant_dir *d = g->dirs;
		g->dirs = d->next;
		remove_made(g, d);
		free_dir(d);
	}
	free(g->home);
	free(g->host_home);
	if (g->have_base) {
		rmdir(g->base);
	}
	unlink(g->list_path);
	free(g->list_path);
	free(g->listen_path);
	free(g->inos);
	free(g);
}

bool cw_grants_request(const char *socket_path, const char *path,
	char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "%s: path too long", socket_path);
		return false;
	}
	strcpy(addr.sun_path, socket_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr,
			sizeof(addr)) < 0) {
		snprintf(err, errlen, "cannot reach the sandbox to grant %s: "
			"%s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return false;
	}
	char line[PATH_MAX + 600];
	int n = snprintf(line, sizeof(line), "%s\n", path);
	size_t len = 0;
	if (write(fd, line, (size_t)n) == n) {
		for (;;) {
			ssize_t r = read(fd, line + len, sizeof(line) - 1 - len);
			if (r <= 0) {
				break;
			}
			len += (size_t)r;
		}
	}
	close(fd);
	line[len] = '\0';
	char *nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
	}
	if (strcmp(line, "ok") == 0) {
		return true;
	}
	snprintf(err, errlen, "%s", strncmp(line, "error ", 6) == 0 ?
		line + 6 : "the sandbox did not answer");
	return false;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

bool cw_grants_arg_file(const char *arg, char *out, size_t len)
{
	char buf[PATH_MAX];
	if (strncmp(arg, "file://", 7) == 0) {
		/* an "Open with" %U: file:///path, or file://localhost/ */
		const char *p = arg + 7;
		if (strncmp(p, "localhost/", 10) == 0) {
			p += 9;
		}
		if (*p != '/') {
			return false;
		}
		size_t n = 0;
		for (; *p != '\0' && n < sizeof(buf) - 1; p++) {
			if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
				buf[n++] = (char)(hex(p[1]) * 16 + hex(p[2]));
				p += 2;
			} else {
				buf[n++] = *p;
			}
		}
		buf[n] = '\0';
		if (*p != '\0' || strlen(buf) != n) {
			return false;
		}
		arg = buf;
	} else if (arg[0] == '-' || arg[0] == '\0') {
		return false; /* an option, not a file */
	}
	char real[PATH_MAX];
	struct stat st;
	if (realpath(arg, real) == NULL || stat(real, &st) < 0 ||
			!S_ISREG(st.st_mode) || strlen(real) >= len ||
			strchr(real, '\n') != NULL) {
		return false;
	}
	memcpy(out, real, strlen(real) + 1);
	return true;
}
