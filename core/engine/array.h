/* The array type (array.c). */
#ifndef MGR_ARRAY_H
#define MGR_ARRAY_H

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_array;
extern const struct mgr_op mgr_ops_array[];

/* Replace every element of array o with the request's "items" (or
 * "value"), a JSON array of the same length: set on an existing array.
 * Replies with the version. */
int mgr_array_set(struct mgr_call *c, struct mgr_obj *o);

#endif
