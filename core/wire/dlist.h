/* Intrusive doubly linked lists: a node lives inside the object it links,
 * so parking a waiter or recording a hold costs no allocation. */
#ifndef MGR_DLIST_H
#define MGR_DLIST_H

#include <stddef.h>
#include <stdbool.h>

struct mgr_dlist {
	struct mgr_dlist *prev, *next;
};

#define mgr_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void mgr_dlist_init(struct mgr_dlist *l)
{
	l->prev = l->next = l;
}

static inline bool mgr_dlist_empty(const struct mgr_dlist *l)
{
	return l->next == l;
}

/* Insert n before pos; with pos the head this appends. */
static inline void mgr_dlist_insert_before(struct mgr_dlist *pos, struct mgr_dlist *n)
{
	n->prev = pos->prev;
	n->next = pos;
	pos->prev->next = n;
	pos->prev = n;
}

static inline void mgr_dlist_append(struct mgr_dlist *head, struct mgr_dlist *n)
{
	mgr_dlist_insert_before(head, n);
}

static inline void mgr_dlist_prepend(struct mgr_dlist *head, struct mgr_dlist *n)
{
	mgr_dlist_insert_before(head->next, n);
}

/* Unlink n and leave it self-linked, so removing twice is harmless. */
static inline void mgr_dlist_remove(struct mgr_dlist *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	mgr_dlist_init(n);
}

/* The number of nodes: a walk, for the rare caller that needs it. */
static inline size_t mgr_dlist_count(const struct mgr_dlist *l)
{
	const struct mgr_dlist *pos;
	size_t n = 0;

	for (pos = l->next; pos != l; pos = pos->next)
		n++;
	return n;
}

#define mgr_dlist_first(head, type, member) \
	(mgr_dlist_empty(head) ? NULL : mgr_container_of((head)->next, type, member))

/* Safe against removal of the current node. */
#define mgr_dlist_for_each(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
