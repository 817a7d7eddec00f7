/* The clipboard rules: see clipboard.c. */
#ifndef CW_CLIPBOARD_H
#define CW_CLIPBOARD_H

#include <stdbool.h>

bool cw_clipboard_filter_init(void);
/* Clipboard managers (data-control): see clipboard-manager.c. */
bool cw_clipboard_manager_filter_init(void);
struct cw_proxy;
/* clipboard-manager was revoked: running clipboard managers stop at once. */
void cw_clipboard_manager_revoke(struct cw_proxy *proxy);

#endif
