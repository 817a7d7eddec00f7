/* A doubly linked intrusive list, the shape of wl_list. */
#ifndef CW_LIST_H
#define CW_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct cw_list {
	struct cw_list *prev, *next;
};

#define cw_container_of(ptr, sample, member) \
	((__typeof__(sample))((char *)(ptr) - offsetof(__typeof__(*sample), member)))

static inline void cw_list_init(struct cw_list *list)
{
	list->prev = list;
	list->next = list;
}

static inline void cw_list_insert(struct cw_list *list, struct cw_list *elm)
{
	elm->prev = list;
	elm->next = list->next;
	list->next = elm;
	elm->next->prev = elm;
}

static inline void cw_list_remove(struct cw_list *elm)
{
	elm->prev->next = elm->next;
	elm->next->prev = elm->prev;
	elm->next = NULL;
	elm->prev = NULL;
}

static inline bool cw_list_empty(const struct cw_list *list)
{
	return list->next == list;
}

#define cw_list_for_each_safe(pos, tmp, head, member) \
	for (pos = cw_container_of((head)->next, pos, member), \
	     tmp = cw_container_of((pos)->member.next, tmp, member); \
	     &pos->member != (head); \
	     pos = tmp, tmp = cw_container_of(pos->member.next, tmp, member))

#define cw_list_for_each(pos, head, member) \
	for (pos = cw_container_of((head)->next, pos, member); \
	     &pos->member != (head); \
	     pos = cw_container_of(pos->member.next, pos, member))

#endif
