/* The list type (list.c). */
#ifndef MGR_LIST_H
#define MGR_LIST_H

#include <sys/types.h>

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_list;
extern const struct mgr_op mgr_ops_list[];
/* get, getitem, index, count, contains (listq.c). */
extern const struct mgr_op mgr_ops_list_query[];

/* Replace list o's items with the request's "items" (or "value"), a JSON
 * array: set on an existing list.  Replies with the version. */
int mgr_list_set(struct mgr_call *c, struct mgr_obj *o);

/* For the manager's other protocols (core/pyserver), which hold data
 * rather than JSON: the length of list o, its item i (borrowed, i <
 * len), and a splice that replaces items [start, stop) with the n data in
 * items (taken over on success) and reports the change.  0, -ENOSPC (past
 * MGR_ITEMS_MAX items or the store's limit) or -ENOMEM, nothing changed on
 * failure. */
size_t mgr_list_len(struct mgr_obj *o);
const struct mgr_datum *mgr_list_item(struct mgr_obj *o, size_t i);
/* The first index of an item equal to d in [start, stop), or -1. */
ssize_t mgr_list_find(struct mgr_obj *o, const struct mgr_datum *d, size_t start, size_t stop);
int mgr_list_splice(struct mgr_store *s, struct mgr_obj *o, size_t start, size_t stop,
		    struct mgr_datum **items, size_t n);

#endif
