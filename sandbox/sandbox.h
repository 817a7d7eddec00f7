/*
 * The namespace launcher: what a sandbox is made of (a config), the plan
 * built from it (a list of setup operations), and the spawn that runs the
 * plan in fresh namespaces.
 *
 * Processes: the caller (crate-wl, which also runs the sandbox's proxy)
 * clones the sandbox's init (pid 1 inside: it builds the mounts, then only
 * reaps and forwards signals), which forks the command. Everything talks
 * through pipes, never through sleeps.
 */
#ifndef CW_SANDBOX_H
#define CW_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "capability.h"
#include "oci.h"

enum cw_home_mode {
	CW_HOME_TMPFS,
	CW_HOME_PERSIST,
};

enum cw_net_mode {
	CW_NET_NONE, /* loopback only */
	CW_NET_HOST,
	CW_NET_NAT,  /* pasta */
};

struct cw_bind {
	char *src; /* absolute, resolved on the host */
	char *dst; /* absolute, inside */
	bool ro;
};

struct cw_kv {
	char *key;
	char *value;
};

#define CW_SANDBOX_MAX_ITEMS 256

/* Everything a run option or a manifest can say. */
struct cw_sandbox_config {
	char *app;  /* NULL: anonymous; the store's key and the instance's name */
	char *label; /* who it is in prompts, in words; NULL: app */
	char *root; /* NULL: the host root; a directory; or "oci:DIR[:REF]" */
	/* what an OCI root may unpack to: the user's options only, never a
	 * manifest's (0: the defaults of oci.h) */
	struct cw_oci_limits oci_limits;
	enum cw_home_mode home;
	enum cw_net_mode net;
	bool dev_dri;
	bool wayland;
	bool x11; /* a private rootful Xwayland, a client of the proxy */
	bool devel; /* ptrace (and its twins), perf_event_open allowed */
	/* nested-sandbox = allow: the app may make user namespaces of its
	 * own (a browser's sandbox, bwrap), at most CW_NESTED_NAMESPACES */
	bool nested;
	/* a terminal inside (tty.h): a pty crate-wl relays; or none */
	bool terminal;
	struct cw_bind binds[CW_SANDBOX_MAX_ITEMS];
	size_t nbinds;
	char *env[CW_SANDBOX_MAX_ITEMS]; /* NAME=VALUE */
	size_t nenv;
	/* the proxy: a base policy, then [wayland] keys in order */
	char *policy;
	struct cw_kv wayland_keys[CW_SANDBOX_MAX_ITEMS];
	size_t nwayland_keys;
	/* who asks the user: only ever the user's own choice (--prompt),
	 * never a manifest's; prompts are another component */
	char *prompt;
	/* [media]: no socket at all unless one of these asks for it */
	bool audio_playback;
	enum cw_decision microphone; /* capabilities.def: media.microphone */
	enum cw_decision camera;
	/* [portals]: the portals.* capabilities a manifest or override set
	 * (unset: the base policy's default) */
	bool portal_set[CW_CAP_COUNT];
	enum cw_decision portal[CW_CAP_COUNT];
	char **argv;  /* owned, NULL-terminated */
};

struct cw_sandbox_config *cw_sandbox_config_create(void);
void cw_sandbox_config_destroy(struct cw_sandbox_config *cfg);

/*
 * One option, by its long name without dashes ("bind", "net", "env"...),
 * as run options and [sandbox] keys spell it. False with a message in err.
 */
bool cw_sandbox_config_set(struct cw_sandbox_config *cfg, const char *key,
	const char *value, char *err, size_t errlen);
/* One [wayland] key (policy, allow, deny, screencopy, clipboard...). */
bool cw_sandbox_config_set_wayland(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen);
/* --prompt: the user's own choice, so no manifest key sets it. */
bool cw_sandbox_config_set_prompt(struct cw_sandbox_config *cfg,
	const char *spec);
/*
 * Who the sandbox is, set by the launcher, not by a manifest's words: app
 * may be a store key no name can be ("file:HASH"); label is what prompts
 * show (NULL: app). An --app given later replaces both.
 */
bool cw_sandbox_config_set_identity(struct cw_sandbox_config *cfg,
	const char *app, const char *label);
/* One [media] key (audio, microphone, camera). */
bool cw_sandbox_config_set_media(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen);
/* One [portals] key (open-uri, notifications). */
bool cw_sandbox_config_set_portals(struct cw_sandbox_config *cfg,
	const char *key, const char *value, char *err, size_t errlen);
/* Any [media] access at all: the sandbox gets a PipeWire socket. */
bool cw_sandbox_config_has_media(const struct cw_sandbox_config *cfg);
bool cw_sandbox_config_set_argv(struct cw_sandbox_config *cfg,
	char *const *argv, size_t argc);

/* The setup operations, run in this order inside the sandbox. */
enum cw_op_type {
	CW_OP_BIND,     /* host src at dst, read-write */
	CW_OP_RO_BIND,  /* host src at dst, read-only */
	CW_OP_DEV_BIND, /* a device node or devices dir: no nodev */
	CW_OP_TMPFS,    /* an empty, private directory (see ops.c) */
	CW_OP_HIDE,     /* an empty, read-only directory (or file) over dst */
	CW_OP_PROC,
	CW_OP_DEVPTS,
	CW_OP_MKDIR,
	CW_OP_SYMLINK, /* src is the target */
	CW_OP_REMOUNT_RO_ROOT,
	/* the host's root file system itself, read-only and without the
	 * mounts below it, as the new root (the first op when present) */
	CW_OP_ROOT,
};

#define CW_OP_OPTIONAL (1u << 0) /* skip when the source is missing */
#define CW_OP_READONLY (1u << 1) /* a tmpfs: read-only from the start */
#define CW_OP_FILE (1u << 2)     /* a hide: an empty file, dst is one */

struct cw_setup_op {
	enum cw_op_type type;
	char *src;
	char *dst;
	unsigned mode;
	unsigned flags;
	int fd; /* the captured mount, inside the sandbox's init */
};

struct cw_plan {
	struct cw_setup_op *ops;
	size_t nops, cap;
	uid_t uid;
	gid_t gid;
	char *home;        /* inside */
	char *runtime_dir; /* inside */
	char *persist_home; /* host dir, for --home persist */
	char **envp;       /* the command's environment */
	size_t nenvp;
	char *cwd;
	bool x11;          /* start Xwayland on :0 first */
	bool pulse;        /* a PulseAudio socket (pulse.h) */
	int oci_hold;      /* the image's lock (cw_oci_hold), or -1 */
	int data_lock;     /* the persistent home's (cw_app_data_lock), or -1 */
	/* the command: the config's, or an OCI image's Entrypoint and Cmd
	 * when the config gives none */
	char **argv;
};

/*
 * Builds the plan for cfg. wayland_socket is the host path of the proxy
 * socket (NULL: no display). An OCI root is unpacked into the cache unless
 * dry_run; its config's Env comes after what the sandbox keeps of the
 * caller's environment and its PATH (and before --env), its WorkingDir is
 * the command's, and its Entrypoint and Cmd are the command when cfg has
 * none. NULL with a message in err.
 */
struct cw_plan *cw_plan_create(const struct cw_sandbox_config *cfg,
	const char *wayland_socket, bool dry_run, char *err, size_t errlen);
void cw_plan_destroy(struct cw_plan *plan);
/*
 * Binds a host socket as $XDG_RUNTIME_DIR/NAME inside (the sandbox's
 * PipeWire socket, a bus...). False when out of memory.
 */
bool cw_plan_add_socket(struct cw_plan *plan, const char *host_path,
	const char *name);
/* Binds a host file read-only as $XDG_RUNTIME_DIR/NAME inside. */
bool cw_plan_add_runtime_file(struct cw_plan *plan, const char *host_path,
	const char *name);
/* An empty read-only directory over the root's PATH, if it has one. */
bool cw_plan_hide(struct cw_plan *plan, const char *path);
/* Sets NAME=VALUE in the command's environment. */
bool cw_plan_setenv(struct cw_plan *plan, const char *entry);
/*
 * A PulseAudio socket at $XDG_RUNTIME_DIR/pulse/native inside, served by
 * pipewire-pulse inside the sandbox (pulse.h), and PULSE_SERVER naming it.
 * For a sandbox with a PipeWire socket. False when out of memory.
 */
bool cw_plan_add_pulse(struct cw_plan *plan, const char *config);
/* Where pipewire-pulse's configuration is, inside: the host's file
 * config (cw_pulse_write_config) bound read-only. PipeWire 1.4 takes a
 * configuration only from a name ending in .conf. */
#define CW_PULSE_CONFIG "/run/crate-wl/pipewire-pulse.conf"
void cw_plan_print(const struct cw_plan *plan, FILE *f);
const char *cw_op_type_name(enum cw_op_type type);
/* Whether an op of this type mounts something at its dst. */
bool cw_op_mounts(enum cw_op_type type);

/* The entries of proc that every sandbox has read-only (ops.c). */
extern const char *const cw_proc_read_only[];
extern const size_t cw_proc_read_only_len;

/*
 * An app's own data, outside every sandbox: $XDG_DATA_HOME/crate-wl/apps/APP
 * (its persistent home is home/ there). cw_app_data_lock takes the data
 * for one sandbox (an exclusive flock on its "running" file, where the
 * launcher writes the instance's id): the fd, or -1 with err and errno
 * EBUSY when a sandbox has it. cw_app_data_running says whether one has
 * it, and which (id, when written).
 */
bool cw_app_data_dir(const char *app, char *out, size_t len);
int cw_app_data_lock(const char *app, bool wait, char *err, size_t errlen);
bool cw_app_data_running(const char *app, char *id, size_t idlen);

/*
 * How many namespaces of each kind (user, mount, pid, net...) a sandbox
 * with nested sandboxes may make, all of its processes together: the
 * kernel's per-user-namespace limits (/proc/sys/user/max_*_namespaces),
 * set by the init before anything of the app runs. A browser makes a few.
 * Without nested sandboxes a sandbox may make no user namespace (the
 * other kinds need a capability only a user namespace of its own gives).
 */
#define CW_NESTED_NAMESPACES 64

/* Runs every op; dies with the failing path and errno. Inside the init. */
void cw_plan_run(struct cw_plan *plan);

/* A seccomp program built into crate-wl (seccomp.c, at build time). */
struct cw_seccomp {
	const void *filter; /* struct sock_filter[] */
	size_t len;         /* instructions */
	const char *rules;  /* the rules it was compiled from, as text */
};

/* [0]: the baseline; [1]: --devel's; [2]: nested sandboxes'; [3]: both
 * (generated: seccomp-bpf.c) */
extern const struct cw_seccomp cw_seccomp_programs[4];

/*
 * The baseline filter, or without the rules that block development tools
 * (ptrace, perf_event_open) for --devel, or without those that block user
 * namespaces and mounts (unshare, clone's CLONE_NEWUSER, mount, umount,
 * pivot_root, chroot) for nested sandboxes, or both.
 */
const struct cw_seccomp *cw_seccomp_get(bool devel, bool nested);
/* Loads it into this thread; needs no_new_privs. */
bool cw_seccomp_load(const struct cw_seccomp *sc);
void cw_seccomp_print_rules(FILE *f, bool devel, bool nested);

/* The running sandbox, as the caller sees it. */
struct cw_sandbox {
	pid_t pid;     /* the sandbox's init, in the caller's pid namespace */
	int status_fd; /* lines from the init: "error ...", "exit N" */
	int sync_fd;   /* closing it releases the command (after pasta) */
};

/*
 * What the sandbox gets as fds 0, 1 and 2 in place of the caller's
 * terminal (tty.h), and which of them the command makes its controlling
 * terminal.
 */
struct cw_stdio {
	int fd[3]; /* -1: the caller's own */
	int ctty;  /* 0, 1, 2, or -1: none */
};

/* stdio's fds as our 0, 1 and 2 (nothing when NULL): the caller's terminal
 * stays outside, with crate-wl. Dies on failure. */
void cw_stdio_install(const struct cw_stdio *stdio);

/*
 * Clones the sandbox's init, which builds the mounts and forks argv. The
 * command waits until cw_sandbox_release(). stdio NULL: the caller's fds
 * 0, 1 and 2 as they are. cg: the cgroup the init is born in (see
 * cw_cgroup_clone), or NULL.
 */
struct cw_cgroup;
struct cw_sandbox *cw_sandbox_spawn(struct cw_plan *plan,
	const struct cw_seccomp *sc, char *const argv[], bool net_ns,
	const struct cw_stdio *stdio, struct cw_cgroup *cg, char *err,
	size_t errlen);
void cw_sandbox_release(struct cw_sandbox *sb);
void cw_sandbox_destroy(struct cw_sandbox *sb);

/* fork() into new namespaces (clone flags): the child runs on a copy of
 * our stack. */
pid_t cw_raw_clone(unsigned long flags);

/*
 * The last step of every process that ends up running a command inside:
 * new session (its controlling terminal fd ctty, unless -1), then exec.
 * sc: the filter to confine it with (cw_confine), for a process that
 * joined the sandbox from outside (enter); NULL for the init's children,
 * which are confined already (they inherit the init's confinement: a
 * second copy of the filter would double its cost on every system call).
 * Never returns.
 */
_Noreturn void cw_sandbox_exec(const struct cw_seccomp *sc,
	char *const argv[], char **envp, const char *cwd, int error_fd,
	int ctty);

/* Process hardening (privs.c). */
void cw_drop_capabilities(void);
void cw_set_no_new_privs(void);
void cw_die_with_parent(void);
/*
 * What every process that stays in a sandbox gets before anything of the
 * app's can reach it, so that none is less restricted than the app:
 * non-dumpable (until its exec), a new session keyring, no capabilities,
 * no_new_privs, the filter sc. Dies on failure.
 */
void cw_confine(const struct cw_seccomp *sc);

/* A helper outside the sandbox, confined as the app (confine.c). */
struct cw_confined;
pid_t cw_confined_spawn(const struct cw_confined *what, char *err,
	size_t errlen);

/* Joins the namespaces of a running sandbox's init (enter). */
bool cw_namespaces_join(pid_t pid, char *err, size_t errlen);

#endif
