/*
 * The seccomp programs crate-wl was built with (seccomp.c generates them
 * at build time): nothing to compile, read or trust at run time.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include "sandbox.h"

const struct cw_seccomp *cw_seccomp_get(bool devel, bool nested)
{
	return &cw_seccomp_programs[(devel ? 1 : 0) | (nested ? 2 : 0)];
}

bool cw_seccomp_load(const struct cw_seccomp *sc)
{
	struct sock_fprog prog = {
		.len = (unsigned short)sc->len,
		.filter = (struct sock_filter *)sc->filter,
	};
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}

void cw_seccomp_print_rules(FILE *f, bool devel, bool nested)
{
	fputs(cw_seccomp_get(devel, nested)->rules, f);
}
