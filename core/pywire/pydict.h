/* Dicts and sets (pyval.h's MGR_PYVAL_DICT, MGR_PYVAL_SET, MGR_PYVAL_FROZENSET) with
 * Python's semantics: a key is found by its hash and == (pycmp.h), so
 * d[1], d[1.0] and d[True] are one entry, and dicts keep insertion order.
 * Items and the index live in the container's arena. */
#ifndef MGR_PYDICT_H
#define MGR_PYDICT_H

#include <stddef.h>
#include <stdint.h>

#include "pyval.h"

/* The n-th key and value of dict d, and the n-th item of a set. */
#define MGR_PYDICT_KEY(d, n) ((d)->u.seq.items[2 * (n)])
#define MGR_PYDICT_VALUE(d, n) ((d)->u.seq.items[2 * (n) + 1])
#define MGR_PYDICT_ITEM(s, n) ((s)->u.seq.items[(n)])

/* d[key] = value: a key already there keeps its node and place and gets
 * the new value, as in Python.  0, -EINVAL when key is unhashable
 * (TypeError), -ENOMEM, -ELOOP. */
int mgr_pydict_set(struct mgr_pyarena *a, struct mgr_pyval *d, struct mgr_pyval *key,
		   struct mgr_pyval *value);
/* s.add(item) on a set or frozenset (still being built): 1 when added, 0
 * when an equal item was there, or an error as above. */
int mgr_pydict_add(struct mgr_pyarena *a, struct mgr_pyval *s, struct mgr_pyval *item);
/* The same with key's hash h (mgr_pycmp_hash) already known, for callers
 * that insert one key many times and keep its hash. */
int mgr_pydict_set_hashed(struct mgr_pyarena *a, struct mgr_pyval *d, struct mgr_pyval *key,
			  int64_t h, struct mgr_pyval *value);
int mgr_pydict_add_hashed(struct mgr_pyarena *a, struct mgr_pyval *s, struct mgr_pyval *item,
			  int64_t h);
/* Look key up in a dict or set: 1 and its position in *pos, 0 when
 * missing, -EINVAL when key is unhashable, -ENOMEM, -ELOOP. */
int mgr_pydict_find(const struct mgr_pyval *c, const struct mgr_pyval *key, size_t *pos);
/* Remove the entry at position pos of a dict or set, keeping the order of
 * the others; this costs time in the size of the container.  0 or
 * -ENOMEM. */
int mgr_pydict_remove(struct mgr_pyarena *a, struct mgr_pyval *c, size_t pos);

#endif
