/* The pickle decoder: bytes from a Python client to values (pyval.h),
 * never running anything (python-wire/SPEC.md §4.2, §4.3).
 *
 * It reads what CPython 3.8 and later write at protocols 4 and 5: the 39
 * opcodes of real traffic (BYTEARRAY8 included), and POP, POP_MARK, DUP,
 * BINUNICODE8, BINBYTES8, GLOBAL, BINPUT, LONG_BINPUT and NEWOBJ_EX.  FRAME
 * may come anywhere and only has its length checked.  Refused with a
 * message: persistent ids (PERSID, BINPERSID), the extension registry
 * (EXT1, EXT2, EXT4), out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER) and
 * the text opcodes of protocols 0 and 1, none of which ForkingPickler
 * writes.
 *
 * Globals are never looked up.  builtins.bytearray called on one bytes
 * becomes a bytearray; any other call or class instantiation becomes an
 * opaque object (struct mgr_pyval_obj) holding what the pickle did to it, so
 * that pyenc.h gives it back to Python as it was.  Dicts and sets are
 * built with Python's semantics (pydict.h): an unhashable key is an error,
 * as in Python.  Memo entries are references, so a value the pickle names
 * twice is one node, and a list may hold itself.  A REDUCE whose result is
 * dropped by POP is lost: CPython writes that only for a __reduce__ with a
 * state_setter, whose effect a decoder that runs nothing cannot keep.
 * Bytes after STOP are ignored, as pickle.loads ignores them. */
#ifndef MGR_PYDEC_H
#define MGR_PYDEC_H

#include <stddef.h>

#include "pyval.h"

/* Bounds on what one pickle may make the decoder do; 0 in a field means
 * its default below. */
struct mgr_pydec_limits {
	size_t max_input;	/* bytes of pickle */
	size_t max_depth;	/* nesting of containers, and open MARKs */
	size_t max_memo;	/* memo entries */
	size_t max_nodes;	/* values pushed, which bounds nodes and items */
};

#define MGR_PYDEC_INPUT_MAX ((size_t)64 << 20)
#define MGR_PYDEC_DEPTH_MAX ((size_t)MGR_PYVAL_DEPTH_MAX)
#define MGR_PYDEC_MEMO_MAX ((size_t)1 << 22)
#define MGR_PYDEC_NODES_MAX ((size_t)1 << 23)

/* Decode the pickle in (len bytes) into arena a; lim may be NULL for the
 * defaults.  0 and *out, a value owned by a; or -EBADMSG (a malformed or
 * unsupported pickle), -E2BIG (over a limit) or -ENOMEM, with a reason in
 * err.  On failure whatever was built stays in a until it is freed. */
int mgr_pydec_decode(struct mgr_pyarena *a, const void *in, size_t len,
		     const struct mgr_pydec_limits *lim, struct mgr_pyval **out,
		     char *err, size_t errlen);

#endif
