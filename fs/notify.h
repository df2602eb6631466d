/* Change events: what mgrfs caches, and what the kernel caches, dropped
 * when the manager reports a change (see notify.c). */
#ifndef MGRFS_NOTIFY_H
#define MGRFS_NOTIFY_H

#include "mgrfs.h"

/* Hear the manager's change events, drop what mgrfs cached and invalidate
 * the kernel's caches from a thread of its own.  Invalidation may wait for
 * locks that a process holds while it waits for a reply from us, so it
 * must not run on the loop's thread, which delivers those replies. */
int fs_notify_start(struct mgrfs *fs);
void fs_notify_stop(struct mgrfs *fs);
void fs_notify_event(void *arg, yajl_val event);
/* Have the kernel drop parent/name, soon and from that thread. */
void fs_notify_inval_entry(struct mgrfs *fs, uint64_t parent, const char *name, size_t len);
/* Drop everything cached and wake every poll: the link came back, and
 * changes made while it was down were not heard. */
void fs_notify_all(struct mgrfs *fs);

#endif
