/* The Settings portal (settings.c): the desktop's appearance and the
 * GNOME interface keys GTK reads, from the host. */
#ifndef CW_SETTINGS_H
#define CW_SETTINGS_H

#include "portal.h"

extern const struct cw_portal cw_portal_settings;

#endif
