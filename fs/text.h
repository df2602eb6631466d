/* Text: what the manager's replies are shown as in the tree, and what text
 * written through the tree is stored as.  A value is its bytes, or its
 * JSON and a newline; a list an item a line; an array a number a line; a
 * queue item a line; a synchronisation object "member: value" lines.  Text
 * that reads back as it was written is stored so that it does.
 *
 * Nothing here talks to the manager or the kernel: each function turns
 * one into the other, appending to a buffer the caller owns. */
#ifndef MGRFS_TEXT_H
#define MGRFS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "datum.h"
#include "json.h"

/* The datum that len bytes written through the tree are stored as: JSON
 * when the text is exactly how the manager's JSON would be shown (so it
 * reads back byte for byte), else raw bytes.  With nl the text shown for
 * JSON ends in a newline that is not part of it (a value file); without,
 * the text is a line already stripped of its newline (an item).  0, or
 * -EFBIG, -ENOMEM.  The caller frees *out. */
int fs_text_datum_for(const char *data, size_t len, bool nl, struct mgr_datum **out);
/* Append how the datum in holder ("value" or "bytes") is shown: JSON as
 * its text and a newline, bytes as they are; with line, bytes that do not
 * end in a newline get one (an item shown as a line). */
int fs_text_show_datum(yajl_val holder, bool line, struct mgr_buf *out);
/* Append v as text: a string as its characters, anything else as JSON. */
int fs_text_json(yajl_val v, struct mgr_buf *out);
/* Append a stat result as "member: value" lines, a lock's holders as
 * "holder: session S owner O" lines. */
int fs_text_show_state(yajl_val stat, struct mgr_buf *out);
/* Append who holds a lock (or semaphore units), a line each; -ENODATA when
 * nobody does. */
int fs_text_show_holders(yajl_val stat, struct mgr_buf *out);
/* Append the text a data file shows for a "get" result of an object of
 * type (a value, list or array). */
int fs_text_show_content(int type, yajl_val result, struct mgr_buf *out);

/* Generate, into a "set" request's g, the members that store len bytes of
 * data as the content of an object of type: a value as its datum, an array
 * as its items (one JSON number a line). */
int fs_text_gen_content(yajl_gen g, int type, const char *data, size_t len);
/* Next line of data[*pos..len): its bounds, without the newline.  False at
 * the end. */
bool fs_text_next_line(const char *data, size_t len, size_t *pos, size_t *start,
		       size_t *end);

#endif
