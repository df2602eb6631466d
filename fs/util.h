/* Helpers shared by the frontend's modules: errors, types and names as
 * the kernel has them, and the parking of calls that wait. */
#ifndef MGRFS_UTIL_H
#define MGRFS_UTIL_H

#include "mgrfs.h"

/* A call that may wait in the manager (a queue get or put, a lock
 * acquire): the kernel may interrupt it, and then it is cancelled. */
struct fs_park {
	fuse_req_t req;
	struct mgrfs *fs;
	uint64_t id;
	bool sent;
	bool interrupted;
	bool done;
};

/* The positive errno to answer the kernel with for -errno err: a lost
 * manager connection is ENOTCONN, a cancelled wait EINTR. */
int fs_errno(int err);

/* Parse the JSON member type ("queue", ...) of a stat-like result. */
int fs_result_type(yajl_val result);
/* The file type an object of manager type t is shown as. */
mode_t fs_type_fmt(int t);

/* Send r and park it: the kernel's interrupt cancels it in the manager.
 * 0 when sent (cb will run), or -errno (-EINTR when already interrupted)
 * and cb never runs. */
int fs_park_send(struct fs_park *p, struct mgr_req *r, mgr_reply_fn cb, void *arg);
/* First thing in cb: after it no interrupt callback runs for p. */
void fs_park_finish(struct fs_park *p);

/* Check a name from the kernel and copy it into out, NUL-terminated (any
 * bytes are a name: fname.h).  0, -ENAMETOOLONG (over 255 bytes) or
 * -ENOMEM. */
int fs_name_from_kernel(const char *name, struct mgr_buf *out);

#endif
