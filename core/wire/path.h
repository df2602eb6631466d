/* Paths name objects in the store.  A path is a string of names separated by
 * '/'; a leading '/' is optional and "" or "/" is the root.  Inside a name,
 * "%2F" stands for '/' and "%25" for '%' (any %XX is decoded; a '%' not
 * followed by two hex digits is an error).  A decoded name is 1 to
 * MGR_NAME_MAX bytes as a file name, has no NUL and is neither "." nor "..";
 * it is UTF-8, where U+DC80 to U+DCFF may also stand for bytes that are not
 * (see mgr_name_check). */
#ifndef MGR_PATH_H
#define MGR_PATH_H

#include <stddef.h>

#include "buf.h"
#include "proto.h"


struct mgr_name {
	const char *s;		/* decoded, not NUL-terminated */
	size_t len;
};

struct mgr_path {
	size_t n;		/* number of names; 0 is the root */
	struct mgr_name *names;	/* points into storage */
	char *storage;		/* owned */
};

/* Parse a path string.  Returns 0, or -EINVAL / -ENAMETOOLONG with a
 * one-line reason in *err (a static string).  Release with
 * mgr_path_release on success only. */
int mgr_path_parse(const char *s, size_t len, struct mgr_path *out, const char **err);
void mgr_path_release(struct mgr_path *p);

/* Validate one decoded name; 0 or -EINVAL/-ENAMETOOLONG with *err.  A name
 * is valid UTF-8 but for U+DC80 to U+DCFF, each standing for one byte that
 * is not UTF-8 as Python's surrogateescape has them, so that any byte
 * string can be a name; it is at most MGR_NAME_MAX bytes with each of those
 * counted as one. */
int mgr_name_check(const char *name, size_t len, const char **err);

/* Append name to out in path syntax: '/', '%' and the bytes of U+DC80 to
 * U+DCFF escaped, so that a path is always valid UTF-8. */
int mgr_name_escape(const char *name, size_t len, struct mgr_buf *out);

#endif
