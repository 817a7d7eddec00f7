/* The clipboard rules: see clipboard.c. */
#ifndef CW_CLIPBOARD_H
#define CW_CLIPBOARD_H

#include <stdbool.h>

bool cw_clipboard_filter_init(void);

#endif
