/* The list type (list.c). */
#ifndef MGR_LIST_H
#define MGR_LIST_H

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_list;
extern const struct mgr_op mgr_ops_list[];

/* Replace list o's items with the request's "items" (or "value"), a JSON
 * array: set on an existing list.  Replies with the version. */
int mgr_list_set(struct mgr_call *c, struct mgr_obj *o);

#endif
