/* Process hardening: capabilities, no_new_privs, death with the parent,
 * and the confinement of every process that stays in a sandbox. */
#include <errno.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "die.h"
#include "sandbox.h"

/*
 * Set once this process has dropped everything: its children (forked, or
 * sharing its memory until their exec) inherit empty sets and skip the
 * 40-odd system calls.
 */
static bool dropped;

void cw_drop_capabilities(void)
{
	if (dropped) {
		return;
	}
	for (int cap = 0; ; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0) {
			continue;
		}
		if (errno == EINVAL) {
			break; /* past the last capability this kernel knows */
		}
		/* no CAP_SETPCAP (EPERM comes before EINVAL): fine while
		 * the set holds nothing to drop */
		int e = errno;
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0) {
			break;
		}
		if (r == 1) {
			errno = e;
			cw_die_errno("cannot drop capability %d from the "
				"bounding set", cap);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
			errno != EINVAL) {
		cw_die_errno("cannot clear ambient capabilities");
	}
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = { 0 };
	if (syscall(SYS_capset, &hdr, data) < 0) {
		cw_die_errno("cannot drop capabilities");
	}
	dropped = true;
}

void cw_set_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		cw_die_errno("cannot set no_new_privs");
	}
}

void cw_die_with_parent(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		cw_die_errno("cannot set the parent-death signal");
	}
}

/*
 * The session keyring the caller had is the caller's: a keyring of the
 * process's own instead. ENOSYS: a kernel without keys. EPERM: keyctl is
 * refused to us already (an outer sandbox's filter), and then to everything
 * we start.
 */
static void join_new_session_keyring(void)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
			errno != ENOSYS && errno != EPERM) {
		cw_die_errno("cannot join a new session keyring");
	}
}

void cw_confine(const struct cw_seccomp *sc)
{
	/* first: nothing of the sandbox may open our memory, fds or
	 * environment through /proc or ptrace while we still have more than
	 * the app (exec makes the program dumpable again) */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		cw_die_errno("cannot make the process non-dumpable");
	}
	/* before the filter, which refuses keyctl */
	join_new_session_keyring();
	cw_drop_capabilities();
	cw_set_no_new_privs();
	if (!cw_seccomp_load(sc)) {
		cw_die_errno("cannot load the seccomp filter");
	}
}
