/* Sorting data in Python's order (see mgr_datum_cmp in datum.h), for
 * list.sort.  Each datum is read once into a key (a number, a string,
 * bytes, or an array of keys) before the n log n comparisons, which then
 * compare keys instead of parsing JSON text each time: the largest list
 * allowed (MGR_ITEMS_MAX) sorts in well under a second. */
#ifndef MGR_ORDER_H
#define MGR_ORDER_H

#include <stddef.h>

#include "datum.h"

/* Sort the n pointers in items, stably and ascending.  0; -EINVAL when two
 * items cannot be ordered (Python's TypeError), -ENOMEM; on failure the
 * items are left in their order. */
int mgr_order_sort(struct mgr_datum **items, size_t n);

#endif
