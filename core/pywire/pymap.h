/* A map from node addresses to numbers, for the walks that must know
 * whether they met a node before: the encoder's memo, mgr_pyval_copy.
 * Memory is malloc'd and the map's own; it does not own the keys. */
#ifndef MGR_PYMAP_H
#define MGR_PYMAP_H

#include <stddef.h>
#include <stdint.h>

struct mgr_pymap_slot {
	const void *key;
	uintptr_t val;
};

struct mgr_pymap {
	struct mgr_pymap_slot *slots;
	size_t len;
	size_t cap;		/* a power of two, or 0 */
};

#define MGR_PYMAP_INIT { NULL, 0, 0 }

void mgr_pymap_init(struct mgr_pymap *m);
void mgr_pymap_release(struct mgr_pymap *m);
/* 1 and *val when key is in the map, else 0. */
int mgr_pymap_get(const struct mgr_pymap *m, const void *key, uintptr_t *val);
/* The value slot of key, added with value 0 (and *added set) when missing;
 * NULL when out of memory.  The pointer is good until the next call. */
uintptr_t *mgr_pymap_slot(struct mgr_pymap *m, const void *key, int *added);

#endif
