/* Typed elements: the typecodes that Python's array module and ctypes
 * name the C types by, shared by a typed Value (one element) and an Array
 * (many).  An element is checked and converted as ctypes would, so that
 * what is stored reads back as Python would show it. */
#ifndef MGR_ELEM_H
#define MGR_ELEM_H

#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "call.h"

/* One element of an Array or the number of a typed Value: integer codes
 * use i (signed) or u (unsigned), f and d use d, u and c hold a code
 * point in u. */
union mgr_elem {
	int64_t i;
	uint64_t u;
	double d;
};

/* The request's "typecode" into *tc, or 0 when absent; -EINVAL with a
 * message when it is not one of b B h H i I l L q Q f d u c. */
int mgr_elem_typecode(struct mgr_call *c, char *tc);
/* "typecode": "X" into an open object. */
int mgr_elem_gen_typecode(yajl_gen g, char tc);

/* Check v against typecode tc and convert it; -EINVAL with a message. */
int mgr_elem_from_json(struct mgr_call *c, char tc, yajl_val v, union mgr_elem *e);
/* Emit e as JSON. */
int mgr_elem_gen(yajl_gen g, char tc, const union mgr_elem *e);

/* The datum stored for v: as given when tc is 0, else converted for the
 * typecode.  The caller owns *out. */
int mgr_elem_datum(struct mgr_call *c, char tc, yajl_val v, struct mgr_datum **out);
/* The datum a request carries for a value of typecode tc (0: any datum,
 * "bytes" included); -ENOENT without a message when it carries none. */
int mgr_elem_value_arg(struct mgr_call *c, char tc, struct mgr_datum **out);

#endif
