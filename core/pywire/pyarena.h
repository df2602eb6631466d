/* Arenas: where Python values (pyval.h) live.  An arena hands out memory
 * that is freed all at once with the arena, which is what lets values
 * share nodes and form cycles without reference counts; one arena per
 * decoded message is the usual life.  Not thread-safe. */
#ifndef MGR_PYARENA_H
#define MGR_PYARENA_H

#include <stddef.h>

struct mgr_pyarena;

struct mgr_pyarena *mgr_pyarena_new(void);
/* Free the arena and everything in it; NULL is allowed. */
void mgr_pyarena_free(struct mgr_pyarena *a);
/* Bytes the arena holds, which grows as values are built and replaced: a
 * long-lived arena is compacted by copying its live value to a new one
 * (mgr_pyval_copy). */
size_t mgr_pyarena_size(const struct mgr_pyarena *a);
/* n bytes, aligned for any type, owned by the arena; NULL when out of
 * memory. */
void *mgr_pyarena_alloc(struct mgr_pyarena *a, size_t n);

#endif
