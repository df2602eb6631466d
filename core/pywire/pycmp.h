/* Equality, hashing and order of Python values as Python defines them
 * (python-wire/SPEC.md §3.9): 1 == 1.0 == True and they hash alike; str is
 * never bytes; bytes equals a bytearray of the same content; tuples,
 * lists, dicts, sets and frozensets compare by their items; NaN equals
 * nothing but, inside a container, the very same node (Python's identity
 * shortcut).  Opaque objects compare by their canonical pickle (pyenc.h).
 *
 * The hashes of None, bool, int, float, tuple and frozenset are CPython's on
 * 64-bit builds, and those of str and bytes CPython 3.11's under a key of
 * zero (pyhash.h).  NaN hashes to 0 as before 3.10; a global hashes
 * as the tuple (module, name) and an opaque object as the bytes of its
 * canonical pickle.  A dict or set keeps the hash a key had when it went
 * in: an opaque key that a pickle completes only afterwards (BUILD after
 * SETITEMS, which takes a cycle) is not found by its final state.
 * Within one call, each node is hashed and each opaque object encoded
 * once, so a node that the memo names many times costs its size once.
 * Nothing here allocates from an arena or keeps state between calls. */
#ifndef MGR_PYCMP_H
#define MGR_PYCMP_H

#include <stdbool.h>
#include <stdint.h>

#include "pyval.h"

/* a == b: 1 or 0; -ELOOP when the values nest deeper than
 * MGR_PYVAL_DEPTH_MAX (Python's RecursionError, as comparing two distinct
 * lists that hold themselves gives); -ENOMEM. */
int mgr_pycmp_eq(const struct mgr_pyval *a, const struct mgr_pyval *b);
/* hash(v) into *out: 0, -EINVAL when v is unhashable (a list, dict, set or
 * bytearray, or a tuple holding one: Python's TypeError), -ELOOP, -ENOMEM. */
int mgr_pycmp_hash(const struct mgr_pyval *v, int64_t *out);
/* a < b: 1 or 0; -EINVAL when Python raises TypeError ('<' not supported
 * between the two types); -ELOOP, -ENOMEM.  Numbers mix; str, bytes,
 * tuples and lists compare lexicographically; sets by inclusion.  a > b is
 * b < a for all of these. */
int mgr_pycmp_lt(const struct mgr_pyval *a, const struct mgr_pyval *b);
/* Look key up, with its hash h, in dict or set c: 1 and its position
 * (the n-th key) in *pos, 0 when missing, or an error of mgr_pycmp_eq. */
int mgr_pycmp_find(const struct mgr_pyval *c, const struct mgr_pyval *key, int64_t h,
		   size_t *pos);

/* A value that Python's == makes equal to a plain number though pickles
 * keep it opaque: complex(x, 0) is the float x, a whole decimal.Decimal
 * of int64 range the int.  True with that number in *out, a node that
 * points into nothing. */
bool mgr_pycmp_number_of(const struct mgr_pyval *v, struct mgr_pyval *out);

#endif
