/* A datum is what a value, a list item or a queue item holds: a JSON value,
 * kept as the compact text yajl_gen made of it, raw bytes, or a pickle: a
 * Python object that neither JSON nor bytes can hold (a tuple, a set, a
 * datetime, an instance of a program's class), kept as the protocol 4
 * pickle the manager's Python room made of it (see mgrfs(7), "Python
 * clients").  Data are immutable once made, so they can be shared by
 * moving the pointer. */
#ifndef MGR_DATUM_H
#define MGR_DATUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "proto.h"

struct mgr_buf;

enum mgr_datum_kind {
	MGR_DATUM_JSON = 0,
	MGR_DATUM_BYTES = 1,
	MGR_DATUM_PICKLE = 2,
};

struct mgr_datum {
	uint32_t len;
	uint8_t kind;
	char data[];		/* len bytes, then a NUL for convenience */
};


/* Copy data into a new datum; NULL on ENOMEM.  Caller owns the result. */
struct mgr_datum *mgr_datum_new(enum mgr_datum_kind kind, const void *data, size_t len);
void mgr_datum_free(struct mgr_datum *d);
/* A datum from a parsed JSON value (regenerated compactly).  -ELOOP when v
 * nests deeper than MGR_VALUE_DEPTH_MAX, -EFBIG when its text is over
 * MGR_DATUM_MAX, -EINVAL when it holds a string that is not UTF-8 (never
 * so from mgr_json_parse), -ENOMEM. */
int mgr_datum_from_tree(yajl_val v, struct mgr_datum **out);
/* What an error of mgr_datum_from_tree means, as a message (static). */
const char *mgr_datum_why(int err);

/* Read the datum a request carries: member "value" (any JSON), member
 * "bytes" (base64) or member "pickle" (base64; "repr" beside it is
 * ignored).  Returns 0 and a new datum, -ENOENT when none is present,
 * -EINVAL (two of them, bad base64, a value nested too deeply) or -EFBIG
 * (over MGR_DATUM_MAX) with a reason in *err. */
int mgr_datum_from_msg(yajl_val msg, struct mgr_datum **out, const char **err);

/* Emit the wire form into g: {"value": JSON}, {"bytes": "base64"} or
 * {"pickle": "base64", "repr": TEXT}. */
int mgr_datum_gen(yajl_gen g, const struct mgr_datum *d);
/* Emit the members only ("value": X, "bytes": B, or "pickle": P and
 * "repr": R) into an object that the caller has opened, so it can add
 * members such as "version". */
int mgr_datum_gen_members(yajl_gen g, const struct mgr_datum *d);

/* Emit d as dump shows data: JSON as itself, bytes as {"$bytes": B}, a
 * pickle as {"$pickle": P, "repr": R}.  -EINVAL when g would nest deeper
 * than yajl_gen writes. */
int mgr_datum_gen_dump(yajl_gen g, const struct mgr_datum *d);

/* What a pickle means is Python's to say, and the wire knows no Python:
 * the manager's Python room sets these once at start (a program that
 * never does, a client, compares pickles byte for byte and shows no
 * repr).  Each takes data of which at least one is a pickle. */
struct mgr_datum_pickle_ops {
	/* Python's a == b: 1 or 0 (an error counts as unequal). */
	int (*eq)(const struct mgr_datum *a, const struct mgr_datum *b);
	/* Python's order, as mgr_datum_cmp. */
	int (*cmp)(const struct mgr_datum *a, const struct mgr_datum *b, int *cmp);
	/* Append repr() of the pickle d, as UTF-8: 0 or -errno. */
	int (*repr)(const struct mgr_datum *d, struct mgr_buf *out);
};
/* ops is borrowed for good; NULL takes the byte-for-byte defaults back. */
void mgr_datum_set_pickle_ops(const struct mgr_datum_pickle_ops *ops);

/* Equality as Python's ==: numbers compare by value, exactly (1 == 1.0 ==
 * true, 2**53 + 1 != 2.0**53, NaN equals nothing, itself included), other
 * JSON by canonical text, bytes by content; JSON never equals bytes; a
 * pickle as the pickle ops say. */
bool mgr_datum_eq(const struct mgr_datum *a, const struct mgr_datum *b);
/* Ordering as Python's <: numbers with numbers (exactly, as for equality),
 * strings with strings (by code point, which for UTF-8 is by byte), bytes
 * with bytes, arrays lexicographically, booleans as 0 and 1.  Returns 0 and
 * sets *cmp to <0 when a < b, >0 when b < a, 0 when neither (equal, or not
 * ordered as a NaN is not); -EINVAL when the two cannot be compared at all
 * (Python's TypeError). */
int mgr_datum_cmp(const struct mgr_datum *a, const struct mgr_datum *b, int *cmp);

#endif
