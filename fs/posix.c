/* POSIX locks (fcntl F_SETLK, F_SETLKW, F_GETLK, lockf), held in the
 * manager as flock's are (lock.c), by the process: the lock behind the
 * file is the whole file's, and a process holds it while it holds any
 * range of the file, so that the ranges it locks and unlocks one by one
 * (sqlite's) never leave it believing it holds what it does not.  Each
 * node keeps, for each process holding it, the ranges it holds and the
 * lock's path when it was taken, for the file may be renamed or deleted
 * before the process gives it back; it does so when it has unlocked every
 * range, or at any close() of the file (flush). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "posix.h"
#include "proto.h"
#include "util.h"

/* The range a struct flock names, as libfuse gives it (from l_start, for
 * l_len bytes, 0 for all that follow). */
static struct fs_range range_of(const struct flock *lock)
{
	struct fs_range r = { (uint64_t)lock->l_start, UINT64_MAX };

	if (lock->l_len > 0 && (uint64_t)lock->l_len < UINT64_MAX - r.start)
		r.end = r.start + lock->l_len;
	return r;
}

enum hold { NOT_HELD, HELD, LOST, STILL_HELD };

/* Take range r (NULL: all) off owner's POSIX hold on node n: whether it
 * had one, whether it was lost with a broken link, and whether ranges
 * are left (STILL_HELD); *path gets the lock's path when it is to be
 * given back (the caller frees it).  Called with the lock held. */
static enum hold posix_take(struct mgrfs *fs, struct fs_node *n, uint64_t owner,
			    const struct fs_range *r, char **path)
{
	struct fs_posix_hold **pp, *ph;
	enum hold was;

	for (pp = &n->posix; (ph = *pp); pp = &ph->next) {
		if (ph->owner != owner)
			continue;
		was = ph->gen == fs->epoch ? HELD : LOST;
		/* Without memory to split a range, the lock stays held: too
		 * much locked is safe, too little is not. */
		if (was == HELD && r && (fs_node_hold_sub(ph, *r) < 0 || ph->nranges))
			return STILL_HELD;
		*pp = ph->next;
		*path = ph->path;
		free(ph->ranges);
		free(ph);
		return was;
	}
	return NOT_HELD;
}

/* Give back owner's POSIX hold on range r (NULL: all) of inode ino, to
 * the manager once no range is left; answer req or call done.  A hold
 * lost with the link is reported by ENOLCK, once. */
static void posix_unlock(struct mgrfs *fs, fuse_ino_t ino, uint64_t owner,
			 const struct fs_range *r, fuse_req_t req, fs_done_fn done, void *arg)
{
	enum hold held = NOT_HELD;
	struct fs_node *n;
	char *path = NULL;
	int err;

	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	if (n && n->posix)
		held = posix_take(fs, n, owner, r, &path);
	pthread_mutex_unlock(&fs->lock);
	err = held == LOST ? -ENOLCK : 0;
	if (held == HELD)
		fs_lock_send_release(fs, path, owner, req, done, arg);
	else if (req)
		fuse_reply_err(req, -err);
	else
		done(arg, err);
	free(path);
}

void fs_posix_release(struct mgrfs *fs, struct fs_node *node, uint64_t owner, fs_done_fn done,
		      void *arg)
{
	posix_unlock(fs, node->ino, fs_lock_owner(owner), NULL, NULL, done, arg);
}

/* Whether owner holds inode ino's lock; when it does and r is not NULL,
 * r is added to its ranges (-ENOMEM: not). */
static int posix_holds(struct mgrfs *fs, fuse_ino_t ino, uint64_t owner,
		       const struct fs_range *r)
{
	struct fs_posix_hold *ph;
	struct fs_node *n;
	int held = NOT_HELD;

	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	for (ph = n ? n->posix : NULL; ph && held == NOT_HELD; ph = ph->next)
		if (ph->owner == owner)
			held = ph->gen == fs->epoch ? HELD : LOST;
	if (held == HELD && r) {
		for (ph = n->posix; ph->owner != owner; ph = ph->next)
			;
		if (fs_node_hold_add(ph, *r) < 0)
			held = -ENOMEM;
	}
	pthread_mutex_unlock(&fs->lock);
	return held;
}

static void ll_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct flock *lock, int sleep)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	uint64_t owner = fs_lock_owner(fi->lock_owner);
	struct fs_range r = range_of(lock);
	int held;

	if (lock->l_type == F_UNLCK) {
		posix_unlock(fs, ino, owner, &r, req, NULL, NULL);
		return;
	}
	held = posix_holds(fs, ino, owner, &r);
	if (held == LOST) {
		/* Reported once: the hold is forgotten, and the next
		 * request takes the lock anew. */
		posix_unlock(fs, ino, owner, NULL, req, NULL, NULL);
		return;
	}
	if (held == HELD || held < 0) {
		fuse_reply_err(req, held < 0 ? -held : 0);
		return;
	}
	fs_lock_acquire(req, ino, NULL, owner, true, sleep, r);
}

struct getlk {
	fuse_req_t req;
	struct flock lock;
};

/* Whether a lock object's stat says it would make an acquire wait. */
static bool stat_locked(yajl_val st)
{
	uint64_t value = 1;
	bool locked = false;

	if (mgr_json_get_bool(st, "locked", &locked) == 0)
		return locked;
	return mgr_json_get_u64(st, "value", &value) == 0 && value == 0;
}

static void getlk_cb(void *arg, struct mgr_reply *rep)
{
	struct getlk *g = arg;

	if (rep->err && rep->err != -ENOENT) {
		fuse_reply_err(g->req, fs_errno(rep->err));
	} else {
		if (rep->err || !stat_locked(rep->result)) {
			g->lock.l_type = F_UNLCK;
		} else {
			/* Held by another process, maybe on another host. */
			g->lock.l_type = F_WRLCK;
			g->lock.l_whence = SEEK_SET;
			g->lock.l_start = 0;
			g->lock.l_len = 0;
			g->lock.l_pid = 0;
		}
		fuse_reply_lock(g->req, &g->lock);
	}
	free(g);
}

static void ll_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct flock *lock)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct mgr_buf path = MGR_BUF_INIT;
	struct getlk *g = NULL;
	struct fs_node *n;
	struct mgr_req r;
	bool companion;
	int err;

	if (posix_holds(fs, ino, fs_lock_owner(fi->lock_owner), NULL)) {
		lock->l_type = F_UNLCK;
		fuse_reply_lock(req, lock);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	err = n ? fs_lock_path(n, &path, &companion) : -ENOENT;
	pthread_mutex_unlock(&fs->lock);
	if (!err) {
		g = malloc(sizeof(*g));
		err = g ? mgr_req_init(&r, "stat", path.data) : -ENOMEM;
	}
	mgr_buf_release(&path);
	if (!err) {
		g->req = req;
		g->lock = *lock;
		err = mgr_client_call_async(fs->client, &r, getlk_cb, g, NULL);
		mgr_req_release(&r);
		if (!err)
			return;
	}
	free(g);
	fuse_reply_err(req, fs_errno(err));
}

void fs_posix_ops(struct fuse_lowlevel_ops *ops)
{
	ops->getlk = ll_getlk;
	ops->setlk = ll_setlk;
}
