/* The pickle encoder: Python values (pyval.h) to protocol 4 pickles that
 * every client from CPython 3.8 on loads (python-wire/SPEC.md §4.4).
 *
 * Output uses the minimal opcode subset the reference model validated:
 * "\x80\x04", no FRAME, GLOBAL rather than STACK_GLOBAL, ints in the
 * smallest of CPython's forms (BININT1, BININT2, BININT, then LONG1/LONG4
 * with minimal two's complement), APPENDS/SETITEMS/ADDITEMS in batches of
 * at most 1000.  MEMOIZE and BINGET appear only for nodes that are reached
 * twice (or close a cycle), which keeps sharing and cycles, and keeps a
 * pickle within a few bytes per reference of the tree.  The same tree
 * always gives the same bytes, which is what makes the encoding usable as
 * an opaque object's identity (pycmp.h).  An opaque object comes out as it came in:
 * its callable, arguments and REDUCE, NEWOBJ or NEWOBJ_EX, then its
 * appended items, set items and BUILD state.  A bytearray is sent as
 * builtins.bytearray REDUCE (bytes,), which protocol 4 readers know. */
#ifndef MGR_PYENC_H
#define MGR_PYENC_H

#include "buf.h"
#include "pyval.h"

/* Append the pickle of v, PROTO to STOP, to out: 0, or -ENOMEM, or -ELOOP
 * when v nests deeper than MGR_PYVAL_DEPTH_MAX; out is unchanged on
 * failure. */
int mgr_pyenc_value(struct mgr_buf *out, const struct mgr_pyval *v);

#endif
