/* testcomp's zkde_screencast_unstable_v1 (testcomp-kde.c). */
#ifndef TESTCOMP_KDE_H
#define TESTCOMP_KDE_H

#include <stdbool.h>
#include <wayland-server.h>

enum testcomp_kde_mode {
	TESTCOMP_KDE_STREAM, /* streams until closed */
	TESTCOMP_KDE_FAIL,   /* answers every stream_output with failed */
	TESTCOMP_KDE_END,    /* ends each stream itself, with closed */
};

/* Adds the global. */
bool testcomp_kde_init(struct wl_display *display,
	enum testcomp_kde_mode how);

#endif
