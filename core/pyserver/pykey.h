/* Python's dict keys and Namespace attributes as names in the tree
 * (mgrfs(7), "Python clients").  A container's child is one entry; its
 * name says which key it is:
 *
 * - a str key that is a valid name (1 to 255 bytes of UTF-8, no NUL, not
 *   "." or "..") and does not start with '=' is the name itself;
 * - any other key made of None, bools, ints, floats (not NaN), strs, bytes
 *   and tuples of these is '=' and its repr(), when that fits in a name:
 *   "=1", "=1.5", "=None", "=b'k'", "=(1, 'a')", "=''", "='.'", "='=x'";
 * - any other key (too long, a frozenset, an opaque object, a NaN...) is
 *   "=#" and its hash in 16 hex digits ("-2", "-3"... after it when keys
 *   that differ hash alike), and the entry's value is the pickle of the
 *   pair (key, value), which keeps the key exactly.
 *
 * A name starting with '=' therefore never stands for a str that could be
 * a plain name, and no two entries of a container stand for equal keys:
 * 1, 1.0 and True are one key, found by any of them, and the name is that
 * of the key that made the entry, as Python keeps the first key object.
 * A name that none of these rules would make (a shell user's "=x")
 * stands for the str it is. */
#ifndef MGR_PYKEY_H
#define MGR_PYKEY_H

#include <stdbool.h>

#include "buf.h"
#include "pyval.h"
#include "store.h"

#define PYKEY_MARK '='

/* The entry of container dir for key: 1 and *out, 0 when there is none;
 * -EINVAL when key is unhashable (Python's TypeError), -ELOOP, -ENOMEM. */
int pykey_find(const struct mgr_obj *dir, const struct mgr_pyval *key, struct mgr_obj **out);
/* The name for a new entry of key in dir (which has none for it) into
 * name; *pair tells whether its value must be the pair (key, value).
 * Errors as pykey_find. */
int pykey_name(const struct mgr_obj *dir, const struct mgr_pyval *key, struct mgr_buf *name,
	       bool *pair);
/* Whether child is an entry whose value is a (key, value) pair. */
bool pykey_is_pair(const struct mgr_obj *child);
/* The key child stands for, in arena a: 0 or -ENOMEM. */
int pykey_key(struct mgr_pyarena *a, const struct mgr_obj *child, struct mgr_pyval **key);
/* The value of a value child (of a pair, its second item), in arena a:
 * 0, -EPROTO, -EBADMSG, -ENOMEM. */
int pykey_value(struct mgr_pyarena *a, const struct mgr_obj *child, struct mgr_pyval **value);
/* The datum an entry holds for value: value's own, or with key (not
 * NULL) the pair's.  As pyconv_datum. */
int pykey_datum(const struct mgr_pyval *key, const struct mgr_pyval *value,
		struct mgr_datum **out);

#endif
