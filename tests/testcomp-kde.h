/* testcomp's zkde_screencast_unstable_v1 (testcomp-kde.c). */
#ifndef TESTCOMP_KDE_H
#define TESTCOMP_KDE_H

#include <stdbool.h>
#include <wayland-server.h>

/* Adds the global; fail: every stream_output is answered `failed`. */
bool testcomp_kde_init(struct wl_display *display, bool fail);

#endif
