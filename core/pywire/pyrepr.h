/* repr() and str() of Python values as CPython prints them, for the
 * manager's __repr__ and __str__ fallbacks (python-wire/SPEC.md §3.4):
 * quotes chosen as Python chooses them, escapes for what is not printable
 * (pyuni.h, Unicode as of the CPython that generated it), floats as the
 * shortest text that reads back the same, big ints, (1,), set() and the
 * [...] of a container that holds itself.  An opaque object has no repr
 * without its class: exceptions and a few builtins print as Name(args),
 * others as <module.name object>.  Output is UTF-8 appended to a buffer. */
#ifndef MGR_PYREPR_H
#define MGR_PYREPR_H

#include <stddef.h>

#include "buf.h"
#include "pyval.h"

/* Enough for any float's repr. */
#define MGR_PYREPR_FLOAT_MAX 32
/* The longest repr made.  A value that names one big node many times
 * through the memo prints it every time, so a small pickle can ask for a
 * huge text; no reply could carry one this long anyway. */
#define MGR_PYREPR_MAX ((size_t)64 << 20)

/* Append repr(v): 0; -E2BIG for an int over MGR_PYLONG_DIGITS_MAX digits
 * (as CPython 3.11 refuses) or a text over MGR_PYREPR_MAX; -ELOOP; -ENOMEM.
 * out is unchanged on failure. */
int mgr_pyrepr(struct mgr_buf *out, const struct mgr_pyval *v);
/* Append str(v), which is v's own text for a str, else its repr. */
int mgr_pyrepr_str(struct mgr_buf *out, const struct mgr_pyval *v);
/* repr(f) into buf, NUL-terminated; returns its length. */
size_t mgr_pyrepr_float(double f, char buf[MGR_PYREPR_FLOAT_MAX]);

#endif
