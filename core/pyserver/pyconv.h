/* Python values (core/pywire) and mgrd's data (datum.h), both ways,
 * without loss (mgrfs(7), "Python clients"):
 *
 * - what JSON holds exactly stays JSON, so that the tree shows it as text:
 *   None, bool, int of any size, float (NaN and the infinities too), str
 *   that is strict UTF-8 (NUL included), and lists and dicts with str keys
 *   of these, nested at most MGR_VALUE_DEPTH_MAX levels, with no list or
 *   dict reached twice;
 * - bytes are bytes;
 * - anything else (a tuple, a set, a bytearray, a str with a lone
 *   surrogate, an opaque object, a proxy...) is its canonical pickle
 *   (pyenc.h), which gives the client back the same value of the same
 *   type.
 *
 * Values made here live in the arena the caller gives; data are the
 * caller's to free. */
#ifndef MGR_PYCONV_H
#define MGR_PYCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "datum.h"
#include "pyval.h"

/* Whether v is stored as JSON. */
bool pyconv_is_json(const struct mgr_pyval *v);
/* v as a datum: 0 and *out, -EFBIG over MGR_DATUM_MAX, -ELOOP, -ENOMEM. */
int pyconv_datum(const struct mgr_pyval *v, struct mgr_datum **out);
/* The members a request carries v in ("value": JSON, "bytes" or "pickle":
 * base64), written into an object g has open.  Errors as pyconv_datum. */
int pyconv_gen_members(yajl_gen g, const struct mgr_pyval *v);
/* v as JSON into g; v must be pyconv_is_json.  0 or -EINVAL. */
int pyconv_gen_json(yajl_gen g, const struct mgr_pyval *v);

/* The Python value of a datum, of a parsed JSON value, and of what holds
 * a datum in a reply ({"value": ...}, {"bytes": ...}, {"pickle": ...}).
 * 0 and *out in arena a; -EPROTO for what is none of these, -EBADMSG for
 * a pickle that does not decode, -ENOMEM. */
int pyconv_value(struct mgr_pyarena *a, const struct mgr_datum *d, struct mgr_pyval **out);
int pyconv_from_json(struct mgr_pyarena *a, yajl_val v, struct mgr_pyval **out);
int pyconv_from_holder(struct mgr_pyarena *a, yajl_val holder, struct mgr_pyval **out);

/* An int from its decimal digits (with an optional '-'): 0 and *out,
 * -EINVAL when text is not that, -ENOMEM. */
int pyconv_int_from_text(struct mgr_pyarena *a, const char *text, size_t len,
			 struct mgr_pyval **out);

/* The items of an iterable argument as Python's list(v) takes them: a
 * list, tuple, set, frozenset, dict (its keys), str (its characters),
 * bytes or bytearray (ints), a range, and what clients send for dict
 * views and iterators (builtins.list, iter or reversed of a sequence).  A
 * new list in *out; -ENOTSUP when v is none of these (Python's TypeError
 * "... object is not iterable"), -E2BIG for a range too long, -ENOMEM. */
int pyconv_iterate(struct mgr_pyarena *a, const struct mgr_pyval *v, struct mgr_pyval **out);

/* Install the datum pickle ops (datum.h): Python's ==, < and repr() for
 * stored pickles.  Once, at the manager's start. */
void pyconv_install(void);

#endif
