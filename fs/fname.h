/* File names: how the kernel's names, any bytes but '/' and NUL, map to
 * the manager's names, which are UTF-8, and back, losslessly.
 *
 * A kernel name is read as UTF-8.  Its valid sequences are themselves;
 * each byte that is not part of one stands for U+DC00 plus the byte
 * (U+DC80 to U+DCFF), as Python's os.fsdecode has it (surrogateescape);
 * and the two bytes C0 AF, an overlong '/' that no UTF-8 text contains,
 * stand for '/'.  '%' is itself.  So every file name is a name, and reads
 * back byte for byte; and every name is a file name but those that hold
 * U+DCC0 followed by U+DCAF (which would read back as '/'), or whose
 * bytes as a file name would be over 255: such names are not listed.
 *
 * The node table keeps kernel names; these turn them into the manager's
 * names, or its paths, when a request is made, and the manager's names in
 * listings and events back into kernel names.  Nothing here locks or
 * talks to anything. */
#ifndef MGRFS_FNAME_H
#define MGRFS_FNAME_H

#include <stddef.h>

#include "buf.h"

/* Append the manager's name for kernel name (len bytes) to out.  0,
 * -ENAMETOOLONG (over 255 bytes) or -ENOMEM. */
int fs_fname_to_key(const char *name, size_t len, struct mgr_buf *out);
/* The same, written in the manager's path syntax (path.h), to append to a
 * path. */
int fs_fname_to_path(const char *name, size_t len, struct mgr_buf *out);
/* Append the kernel name of the manager's name key (len bytes) to out.
 * 0, -ENAMETOOLONG (over 255 bytes as a file name), -EILSEQ (a name that
 * has no file name: see above) or -ENOMEM. */
int fs_fname_from_key(const char *key, size_t len, struct mgr_buf *out);

#endif
