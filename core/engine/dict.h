/* The container types, namespace and dict (dict.c). */
#ifndef MGR_DICT_H
#define MGR_DICT_H

#include <yajl/yajl_tree.h>

#include "call.h"
#include "store.h"

extern const struct mgr_type mgr_type_namespace, mgr_type_dict;
extern const struct mgr_op mgr_ops_dict[];

/* Set a value child of container dir for each name in the JSON object
 * items.  Every name and datum is checked before the first change.  0, or
 * -errno after mgr_call_err. */
int mgr_dict_update(struct mgr_call *c, struct mgr_obj *dir, yajl_val items);

#endif
