/* Intrusive doubly linked lists: a node lives inside the object it links,
 * so parking a waiter or recording a hold costs no allocation. */
#ifndef MGR_LIST_H
#define MGR_LIST_H

#include <stddef.h>
#include <stdbool.h>

struct mgr_list {
	struct mgr_list *prev, *next;
};

#define mgr_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void mgr_list_init(struct mgr_list *l)
{
	l->prev = l->next = l;
}

static inline bool mgr_list_empty(const struct mgr_list *l)
{
	return l->next == l;
}

/* Insert n before pos; with pos the head this appends. */
static inline void mgr_list_insert_before(struct mgr_list *pos, struct mgr_list *n)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void mgr_list_append(struct mgr_list *head, struct mgr_list *n)
{
	mgr_list_insert_before(head, n);
}

static inline void mgr_list_prepend(struct mgr_list *head, struct mgr_list *n)
{
	mgr_list_insert_before(head->next, n);
}

/* Unlink n and leave it self-linked, so removing twice is harmless. */
static inline void mgr_list_remove(struct mgr_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	mgr_list_init(n);
}

#define mgr_list_first(head, type, member) \
	(mgr_list_empty(head) ? NULL : mgr_container_of((head)->next, type, member))

/* Safe against removal of the current node. */
#define mgr_list_for_each(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
