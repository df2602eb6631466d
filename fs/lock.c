/* Locks: flock held in the manager, so that it holds across mounts and
 * hosts, and the acquisition and release of the manager's locks that
 * POSIX locks (posix.c) share with it.
 *
 * A file that is a lock, rlock or semaphore is its own lock: flock
 * acquires it (a semaphore gives one unit).  Any other file's lock is a
 * companion lock object that the manager keeps at .mgrfs-locks/KEY, where
 * KEY is the file's path (so in the tree it shows with its slashes as
 * %2F); every mount finds the same one.
 *
 * The owner of an acquisition is the kernel's lock owner: the open file
 * for flock, the process for POSIX locks.  What an open file holds by
 * flock is given back when it is closed for the last time (release).  If
 * mgrfs or its connection dies, the manager gives back all of it with the
 * session.  When the link breaks and mgrfs connects again (-o reconnect),
 * the holds of the old session are gone: each is reported to its holder by
 * ENOLCK on its next use, never dropped silently.
 *
 * Shared and exclusive requests are both exclusive.  A lock granted is
 * answered after the invalidations already heard of are done (notify.h):
 * what its last holder changed, on any mount, is then what this mount
 * reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "handle.h"
#include "lock.h"
#include "notify.h"
#include "path.h"
#include "proto.h"
#include "util.h"

/* The manager namespace that holds the locks behind flock on files that
 * are not lock objects. */
#define FS_LOCKDIR ".mgrfs-locks"

struct lk {
	struct fs_park park;
	struct fs_handle *h;		/* flock: the open file */
	fuse_ino_t ino;			/* POSIX: the file */
	uint64_t owner;
	bool posix;
	bool block;
	bool companion;			/* the lock is at FS_LOCKDIR */
	bool made;			/* the companion was made once */
	struct fs_range range;		/* POSIX: the range asked for */
	struct fs_posix_hold *ph;	/* POSIX: the hold recorded */
	struct mgr_buf path;		/* the lock's manager path */
};

uint64_t fs_lock_owner(uint64_t lock_owner)
{
	return lock_owner & INT64_MAX;
}

static bool is_lock_type(int type)
{
	return type == MGR_LOCK || type == MGR_RLOCK || type == MGR_SEMAPHORE ||
	       type == MGR_BSEMAPHORE;
}

/* A companion's key made of a path longer than this: its start, then a
 * hash of all of it. */
#define LOCKKEY_MAX 200

static int long_key(struct mgr_buf *path)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i, cut = LOCKKEY_MAX - 20;
	char hash[20];

	for (i = 0; i < path->len; i++) {
		h ^= (unsigned char)path->data[i];
		h *= 0x100000001b3ull;
	}
	/* Not in the middle of a character: the key is UTF-8. */
	while (cut && ((unsigned char)path->data[cut] & 0xc0) == 0x80)
		cut--;
	path->len = cut;
	snprintf(hash, sizeof(hash), "#%016llx", (unsigned long long)h);
	return mgr_buf_append(path, hash, strlen(hash));
}

int fs_lock_path(struct fs_node *n, struct mgr_buf *out, bool *companion)
{
	struct mgr_buf path = MGR_BUF_INIT;
	int err;

	*companion = !is_lock_type(n->type);
	if (!*companion) {
		err = fs_node_path(n, out);
		return err ? err : mgr_buf_append(out, "", 1);
	}
	/* The companion's key is the file's path, so it is one name; a path
	 * too long for a name is cut and told apart by a hash of it. */
	err = fs_node_path(n, &path);
	if (!err && !path.len)
		err = -EINVAL;	/* the root is a directory: no flock */
	if (!err)
		err = mgr_buf_append(out, FS_LOCKDIR "/", strlen(FS_LOCKDIR) + 1);
	if (!err && path.len > LOCKKEY_MAX)
		err = long_key(&path);
	if (!err)
		err = mgr_name_escape(path.data, path.len, out);
	if (!err)
		err = mgr_buf_append(out, "", 1);
	mgr_buf_release(&path);
	return err;
}

static void lk_free(struct lk *l)
{
	mgr_buf_release(&l->path);
	free(l);
}

static int release_req(const char *path, uint64_t owner, struct mgr_req *r)
{
	int err = mgr_req_init(r, "release", path);

	if (!err)
		err = mgr_json_kv_u64(r->g, "owner", owner);
	if (err)
		mgr_req_release(r);
	return err;
}

/* Give back a hold nobody will answer for (its reply is dropped). */
static void release_quietly(struct mgrfs *fs, const char *path, uint64_t owner)
{
	struct mgr_req r;

	if (release_req(path, owner, &r) == 0) {
		mgr_client_call_async(fs->client, &r, NULL, NULL, NULL);
		mgr_req_release(&r);
	}
}

static void lk_acquire(struct lk *l);

/* The acquisition is answered.  It is recorded before the kernel hears of
 * it; if the kernel threw the answer away (the caller is gone), it is
 * undone. */
/* Tell the kernel a lock is granted; if it threw the answer away (the
 * caller is gone), undo it.  Runs on the loop's thread or the notifier's. */
static void grant(void *arg)
{
	struct lk *l = arg;
	struct mgrfs *fs = l->park.fs;
	struct fs_posix_hold **pp;
	struct fs_node *n;
	int r = fuse_reply_err(l->park.req, 0);

	if (r < 0) {
		pthread_mutex_lock(&fs->lock);
		n = l->posix ? fs_node_get(&fs->nodes, l->ino) : NULL;
		for (pp = n ? &n->posix : NULL; pp && *pp; pp = &(*pp)->next) {
			if (*pp == l->ph) {
				*pp = l->ph->next;
				free(l->ph->ranges);
				free(l->ph->path);
				free(l->ph);
				break;
			}
		}
		if (!l->posix)
			l->h->flock_held = false;
		pthread_mutex_unlock(&fs->lock);
		release_quietly(fs, l->path.data, l->owner);
	}
	lk_free(l);
}

static void acquired(struct lk *l)
{
	struct mgrfs *fs = l->park.fs;
	struct fs_posix_hold *ph = NULL;
	struct fs_node *n = NULL;

	if (l->posix) {
		ph = calloc(1, sizeof(*ph));
		if (ph)
			ph->path = strdup(l->path.data);
		if (ph && (!ph->path || fs_node_hold_add(ph, l->range) < 0)) {
			free(ph->path);
			free(ph);
			ph = NULL;
		}
	}
	pthread_mutex_lock(&fs->lock);
	if (l->posix) {
		n = fs_node_get(&fs->nodes, l->ino);
		if (n && ph) {
			ph->owner = l->owner;
			ph->gen = fs->epoch;
			ph->next = n->posix;
			n->posix = ph;
			l->ph = ph;
		}
	} else {
		l->h->flock_held = true;
		l->h->flock_lost = false;
		l->h->flock_owner = l->owner;
		l->h->flock_gen = fs->epoch;
		free(l->h->flock_path);
		l->h->flock_path = strdup(l->path.data);
	}
	if ((l->posix && !(n && ph)) || (!l->posix && !l->h->flock_path)) {
		/* No memory to remember the hold: do not keep it. */
		if (!l->posix)
			l->h->flock_held = false;
		pthread_mutex_unlock(&fs->lock);
		if (ph) {
			free(ph->ranges);
			free(ph->path);
		}
		free(ph);
		release_quietly(fs, l->path.data, l->owner);
		fuse_reply_err(l->park.req, ENOMEM);
		lk_free(l);
		return;
	}
	pthread_mutex_unlock(&fs->lock);
	if (!fs_notify_after(fs, grant, l))
		grant(l);
}

static void made_cb(void *arg, struct mgr_reply *rep)
{
	struct lk *l = arg;

	if (rep->err) {
		fuse_reply_err(l->park.req, fs_errno(rep->err));
		lk_free(l);
		return;
	}
	lk_acquire(l);
}

/* Make the companion lock (and the namespace that holds it), then try
 * again.  Both creations tolerate that another client was first. */
static void make_companion(struct lk *l)
{
	struct mgrfs *fs = l->park.fs;
	struct mgr_req r;
	int err;

	l->made = true;
	err = mgr_req_init(&r, "create", FS_LOCKDIR);
	if (!err)
		err = mgr_json_kv_str(r.g, "type", "namespace");
	if (!err)
		err = mgr_json_kv_bool(r.g, "exist_ok", true);
	/* Its answer is not needed: requests are served in order, so the
	 * lock's creation below sees the namespace. */
	if (!err)
		err = mgr_client_call_async(fs->client, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
	if (!err)
		err = mgr_req_init(&r, "create", l->path.data);
	if (!err)
		err = mgr_json_kv_str(r.g, "type", "lock");
	if (!err)
		err = mgr_json_kv_bool(r.g, "exist_ok", true);
	if (!err)
		err = mgr_client_call_async(fs->client, &r, made_cb, l, NULL);
	mgr_req_release(&r);
	if (err) {
		fuse_reply_err(l->park.req, fs_errno(err));
		lk_free(l);
	}
}

static void acquire_cb(void *arg, struct mgr_reply *rep)
{
	struct lk *l = arg;
	int err = rep->err;

	fs_park_finish(&l->park);
	if (err == -ENOENT && l->companion && !l->made) {
		make_companion(l);
		return;
	}
	if (!err && !YAJL_IS_TRUE(rep->result))
		err = -EAGAIN;	/* a non-blocking attempt found it held */
	/* Taken just as the caller was interrupted (flock -w's alarm, a
	 * kill): an interrupted wait takes nothing. */
	if (!err && l->park.interrupted) {
		release_quietly(l->park.fs, l->path.data, l->owner);
		err = -EINTR;
	}
	if (err) {
		fuse_reply_err(l->park.req, fs_errno(err));
		lk_free(l);
		return;
	}
	acquired(l);
}

static void lk_acquire(struct lk *l)
{
	struct mgr_req r;
	int err;

	err = mgr_req_init(&r, "acquire", l->path.data);
	if (!err)
		err = mgr_json_kv_u64(r.g, "owner", l->owner);
	if (!err && !l->block)
		err = mgr_json_kv_bool(r.g, "block", false);
	if (!err)
		err = fs_park_send(&l->park, &r, acquire_cb, l);
	mgr_req_release(&r);
	if (err) {
		fuse_reply_err(l->park.req, fs_errno(err));
		lk_free(l);
	}
}

void fs_lock_acquire(fuse_req_t req, fuse_ino_t ino, struct fs_handle *h, uint64_t owner,
		     bool posix, bool block, struct fs_range range)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct lk *l = calloc(1, sizeof(*l));
	struct fs_node *n;
	int err = l ? 0 : -ENOMEM;

	if (l) {
		l->park.req = req;
		l->park.fs = fs;
		l->h = h;
		l->ino = ino;
		l->owner = owner;
		l->posix = posix;
		l->block = block;
		l->range = range;
		pthread_mutex_lock(&fs->lock);
		n = fs_node_get(&fs->nodes, ino);
		err = n ? fs_lock_path(n, &l->path, &l->companion) : -ENOENT;
		pthread_mutex_unlock(&fs->lock);
	}
	if (err) {
		if (l)
			lk_free(l);
		fuse_reply_err(req, fs_errno(err));
		return;
	}
	lk_acquire(l);
}

struct rel {
	fuse_req_t req;		/* to answer, or NULL */
	fs_done_fn done;	/* or to call */
	void *arg;
};

static void rel_cb(void *arg, struct mgr_reply *rep)
{
	struct rel *x = arg;

	/* The hold is forgotten either way: a lock that is no longer there
	 * or no longer ours is not held by us. */
	if (x->req)
		fuse_reply_err(x->req, 0);
	else
		x->done(x->arg, 0);
	free(x);
}

void fs_lock_send_release(struct mgrfs *fs, const char *path, uint64_t owner, fuse_req_t req,
			  fs_done_fn done, void *arg)
{
	struct rel *x = malloc(sizeof(*x));
	struct mgr_req r;
	int err = x ? release_req(path, owner, &r) : -ENOMEM;

	if (!err) {
		x->req = req;
		x->done = done;
		x->arg = arg;
		err = mgr_client_call_async(fs->client, &r, rel_cb, x, NULL);
		mgr_req_release(&r);
		if (!err)
			return;
	}
	free(x);
	if (req)
		fuse_reply_err(req, 0);
	else
		done(arg, 0);
}

/* Whether h's flock hold was lost with a broken link: then it is held no
 * more, and h reports it until unlocked or closed.  Called with the lock
 * held. */
static bool flock_stale(struct mgrfs *fs, struct fs_handle *h)
{
	if (h->flock_held && h->flock_gen != fs->epoch) {
		h->flock_held = false;
		h->flock_lost = true;
		free(h->flock_path);
		h->flock_path = NULL;
	}
	return h->flock_lost;
}

/* Give back h's flock hold, under the owner that took it; answer req, or
 * call done.  A hold lost with the link is not given back: the manager
 * did with its session. */
static void flock_unlock(struct mgrfs *fs, struct fs_handle *h, fuse_req_t req,
			 fs_done_fn done, void *arg)
{
	uint64_t owner = 0;
	char *path = NULL;
	bool lost;

	pthread_mutex_lock(&fs->lock);
	lost = flock_stale(fs, h);
	h->flock_lost = false;
	if (h->flock_held) {
		owner = h->flock_owner;
		h->flock_held = false;
		path = h->flock_path;
		h->flock_path = NULL;
	}
	pthread_mutex_unlock(&fs->lock);
	if (path) {
		fs_lock_send_release(fs, path, owner, req, done, arg);
		free(path);
	} else if (req) {
		fuse_reply_err(req, lost ? ENOLCK : 0);
	} else {
		done(arg, 0);
	}
}

static void ll_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, int op)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	uint64_t owner = fs_lock_owner(fi->lock_owner);
	bool held, lost;

	if (op & LOCK_UN) {
		flock_unlock(fs, h, req, NULL, NULL);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	lost = flock_stale(fs, h);
	held = h->flock_held;
	pthread_mutex_unlock(&fs->lock);
	if (lost) {
		fuse_reply_err(req, ENOLCK);
		return;
	}
	/* Held already: a conversion between shared and exclusive, which are
	 * the same here. */
	if (held) {
		fuse_reply_err(req, 0);
		return;
	}
	fs_lock_acquire(req, ino, h, owner, false, !(op & LOCK_NB), (struct fs_range){ 0, UINT64_MAX });
}

int fs_lock_lost(struct mgrfs *fs, struct fs_handle *h)
{
	bool lost;

	pthread_mutex_lock(&fs->lock);
	lost = flock_stale(fs, h);
	pthread_mutex_unlock(&fs->lock);
	return lost ? -ENOLCK : 0;
}

void fs_lock_release_flock(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg)
{
	flock_unlock(fs, h, NULL, done, arg);
}

void fs_lock_ops(struct fuse_lowlevel_ops *ops)
{
	ops->flock = ll_flock;
}
