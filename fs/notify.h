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
/* Have the kernel drop inode ino's pages (and attributes), soon and from
 * that thread. */
void fs_notify_inval_pages(struct mgrfs *fs, uint64_t ino);
/* Request id, sent, changes what the kernel's pages already show: its
 * event will not drop them. */
void fs_notify_quiet(struct mgrfs *fs, uint64_t id);
/* Have fn(arg) run on that thread once the invalidations queued so far
 * are done: true, or false when none are waiting (nor ENOMEM), and the
 * caller runs it itself.  A lock granted is answered so, so that what
 * its last holder changed elsewhere is never read from a stale page. */
bool fs_notify_after(struct mgrfs *fs, void (*fn)(void *arg), void *arg);
/* Have the kernel drop parent/name, soon and from that thread. */
void fs_notify_inval_entry(struct mgrfs *fs, uint64_t parent, const char *name, size_t len);
/* Drop everything cached and wake every poll: the link came back, and
 * changes made while it was down were not heard. */
void fs_notify_all(struct mgrfs *fs);

#endif
