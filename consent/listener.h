/*
 * The one way to hear about a permission: the answer to a question, a
 * revoke, a new grant. Whoever holds the list (cw_permissions) calls
 * changed with the capability and what now holds:
 *
 * - on a question's list (cw_permissions_wait): allow or deny, once;
 *   the listener is off the list by then;
 * - on the listeners of a cw_permissions: deny when a revoke ends
 *   whatever was allowed (the next check decides anew), allow when the
 *   store grants it now (crate-wl permissions grant).
 *
 * Never ask.
 */
#ifndef CW_CONSENT_LISTENER_H
#define CW_CONSENT_LISTENER_H

#include "capability.h"
#include "list.h"

struct cw_consent_listener {
	struct cw_list link; /* next NULL: on no list */
	void (*changed)(struct cw_consent_listener *listener,
		enum cw_capability cap, enum cw_decision decision);
};

static inline bool cw_consent_listening(
	const struct cw_consent_listener *listener)
{
	return listener->link.next != NULL;
}

static inline void cw_consent_listen(struct cw_list *list,
	struct cw_consent_listener *listener)
{
	cw_list_insert(list->prev, &listener->link);
}

/* Off its list, if on one; a no-op otherwise. */
static inline void cw_consent_unlisten(struct cw_consent_listener *listener)
{
	if (listener->link.next != NULL) {
		cw_list_remove(&listener->link);
	}
}

/*
 * Tells every listener of list, in the order they came. once: each is
 * taken off the list before it hears (a question's answer), and so are
 * those that join while it runs. Otherwise a listener may take itself
 * off the list from changed, not the one after it.
 */
static inline void cw_consent_tell(struct cw_list *list,
	enum cw_capability cap, enum cw_decision decision, bool once)
{
	if (once) {
		while (!cw_list_empty(list)) {
			struct cw_consent_listener *l = cw_container_of(
				list->next, l, link);
			cw_list_remove(&l->link);
			l->changed(l, cap, decision);
		}
		return;
	}
	struct cw_list *pos = list->next;
	while (pos != list) {
		struct cw_consent_listener *l = cw_container_of(pos, l, link);
		pos = pos->next;
		l->changed(l, cap, decision);
	}
}

#endif
