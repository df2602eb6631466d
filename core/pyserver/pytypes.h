/* What create makes of each typeid (python-wire/SPEC.md §3.3, §3.9). */
#ifndef MGR_PYTYPES_H
#define MGR_PYTYPES_H

#include "pycall.h"

/* Create the object x->args asks for ((typeid, *args), x->kwds): 0 and
 * *out, its entry with the one reference create counts; or 0 with *out
 * NULL after replying with Python's exception. */
int pytypes_create(struct pycall *x, struct pyent **out);

#endif
