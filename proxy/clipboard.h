/* The clipboard rules: see clipboard.c. */
#ifndef CW_CLIPBOARD_H
#define CW_CLIPBOARD_H

#include <stdbool.h>
#include <stdint.h>

bool cw_clipboard_filter_init(void);
/* Clipboard managers (data-control): see clipboard-manager.c. */
bool cw_clipboard_manager_filter_init(void);
struct cw_proxy;
struct cw_conn;
/* For the focus rule: a wl_seat bound from the global name, a global
 * removed, a connection gone. */
void cw_clipboard_seat_bound(struct cw_conn *conn, uint32_t seat,
	uint32_t name);
void cw_clipboard_global_removed(struct cw_conn *conn, uint32_t name);
void cw_clipboard_conn_gone(struct cw_conn *conn);
/* Listens on proxy->perms: when clipboard-manager is revoked, running
 * clipboard managers stop at once. */
void cw_clipboard_manager_listen(struct cw_proxy *proxy);

#endif
