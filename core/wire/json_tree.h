/* JSON text into yajl_val trees.  Every byte of JSON that reaches mgrfs
 * from outside is read here rather than by yajl_tree_parse, which accepts
 * comments, cuts strings at an escaped NUL, turns a lone surrogate into
 * '?' and frees its trees by recursion however deep they are.  The trees
 * are yajl's own (yajl_tree_free frees them, YAJL_IS_* and the getters of
 * json.h read them), with one addition: a string node keeps its length. */
#ifndef MGR_JSON_TREE_H
#define MGR_JSON_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* Parse len bytes (need not be NUL-terminated) as one JSON value: RFC 8259
 * strictly (no comments, no trailing commas, strict UTF-8), plus the
 * literals NaN, Infinity and -Infinity, as Python's json module reads and
 * writes them.  Nesting is checked while parsing, never past
 * MGR_FRAME_DEPTH_MAX levels, and nothing recurses.
 *
 * On success *out is a tree the caller frees with yajl_tree_free.  Strings
 * may hold NUL (\u0000) and then end at mgr_json_strlen, not at their first
 * NUL; object keys never hold NUL.  A number keeps its text in u.number.r;
 * INT_VALID says it is an integer that fits a long long, DOUBLE_VALID that
 * u.number.d holds it (NaN and the infinities included; an integer too
 * large for a double is not DOUBLE_VALID).
 *
 * On failure *out is NULL and err holds a one-line reason.  The result
 * says what failed; the text after the fault is not looked at:
 *   -EINVAL  the text is not JSON, which includes text that is not strictly
 *            UTF-8 (overlong forms, surrogates encoded in UTF-8);
 *   -EILSEQ  it is JSON as far as read, but holds a string that cannot be
 *            kept: a lone surrogate (\ud800), or a NUL in an object key.
 *            The escapes \udc80 to \udcff, which stand for bytes that are
 *            not UTF-8 (utf8.h), are kept in a string but not in a key;
 *   -ELOOP   it is JSON as far as read, but nests deeper than
 *            MGR_FRAME_DEPTH_MAX levels;
 *   -ENOMEM. */
int mgr_json_parse(const char *text, size_t len, yajl_val *out,
		   char *err, size_t errlen);

/* The length of string node v, NUL bytes included; 0 for any other node. */
size_t mgr_json_strlen(yajl_val v);

/* How deeply v nests: 0 for a scalar, 1 for [1] or {"a":1}, 2 for [[]]. */
int mgr_json_depth(yajl_val v);

#endif
