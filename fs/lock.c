/* Locks: flock and whole-file POSIX locks held in the manager, so that
 * they hold across mounts and hosts.
 *
 * A file that is a lock, rlock or semaphore is its own lock: flock
 * acquires it (a semaphore gives one unit).  Any other file's lock is a
 * companion lock object that the manager keeps at .mgrfs-locks/KEY, where
 * KEY is the file's path (so in the tree it shows with its slashes as
 * %2F); every mount finds the same one.
 *
 * The owner of an acquisition is the kernel's lock owner: the open file
 * for flock, the process for POSIX locks.  What an open file holds by
 * flock is given back when it is closed for the last time (release), what
 * a process holds by POSIX lock when it closes any descriptor of the file
 * (flush).  If mgrfs or its connection dies, the manager gives back all
 * of it with the session.  When the link breaks and mgrfs connects again
 * (-o reconnect), the holds of the old session are gone: each is reported
 * to its holder by ENOLCK on its next use, never dropped silently.
 *
 * Shared and exclusive requests are both exclusive, and a POSIX lock on
 * any range locks the whole file: the manager's lock is held while the
 * process holds any range, and given back when it has unlocked them all,
 * so that a program that locks and unlocks bytes (sqlite) never believes
 * it holds what it does not.  A lock granted is answered after the
 * invalidations already heard of are done (notify.h): what its last
 * holder changed, on any mount, is then what this mount reads. */
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

/* Add r to h's ranges, merging those it touches.  0 or -ENOMEM. */
static int ranges_add(struct fs_posix_hold *h, struct fs_range r)
{
	struct fs_range *v;
	size_t i, j, k;

	for (i = 0; i < h->nranges && h->ranges[i].end < r.start; i++)
		;
	for (j = i; j < h->nranges && h->ranges[j].start <= r.end; j++) {
		if (h->ranges[j].start < r.start)
			r.start = h->ranges[j].start;
		if (h->ranges[j].end > r.end)
			r.end = h->ranges[j].end;
	}
	/* Ranges i to j-1 become r. */
	if (j == i) {
		v = realloc(h->ranges, (h->nranges + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		h->ranges = v;
		memmove(v + i + 1, v + i, (h->nranges - i) * sizeof(*v));
		h->nranges++;
		j = i + 1;
	}
	h->ranges[i] = r;
	for (k = j; k < h->nranges; k++)
		h->ranges[i + 1 + k - j] = h->ranges[k];
	h->nranges -= j - i - 1;
	return 0;
}

/* Take r out of h's ranges.  0 or -ENOMEM (a range split in two). */
static int ranges_sub(struct fs_posix_hold *h, struct fs_range r)
{
	struct fs_range *v, *c;
	size_t i = 0;

	while (i < h->nranges) {
		c = &h->ranges[i];
		if (c->end <= r.start || c->start >= r.end) {
			i++;
		} else if (c->start < r.start && c->end > r.end) {
			v = realloc(h->ranges, (h->nranges + 1) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			h->ranges = v;
			memmove(v + i + 1, v + i, (h->nranges - i) * sizeof(*v));
			h->nranges++;
			v[i].end = r.start;
			v[i + 1].start = r.end;
			return 0;
		} else if (c->start < r.start) {
			c->end = r.start;
			i++;
		} else if (c->end > r.end) {
			c->start = r.end;
			i++;
		} else {
			memmove(c, c + 1, (h->nranges - i - 1) * sizeof(*c));
			h->nranges--;
		}
	}
	return 0;
}

/* The range a struct flock names, as libfuse gives it (from l_start, for
 * l_len bytes, 0 for all that follow). */
static struct fs_range range_of(const struct flock *lock)
{
	struct fs_range r = { (uint64_t)lock->l_start, UINT64_MAX };

	if (lock->l_len > 0 && (uint64_t)lock->l_len < UINT64_MAX - r.start)
		r.end = r.start + lock->l_len;
	return r;
}

/* JSON integers are signed: owners are kept to 63 bits. */
static uint64_t owner_of(uint64_t lock_owner)
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

/* The manager path of the lock behind node n, into out (NUL-terminated);
 * *companion tells whether it is a companion.  Called with the lock held. */
static int lock_path(struct fs_node *n, struct mgr_buf *out, bool *companion)
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
		if (ph && (!ph->path || ranges_add(ph, l->range) < 0)) {
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

/* Start acquiring the lock behind inode ino for owner. */
static void start(fuse_req_t req, fuse_ino_t ino, struct fs_handle *h, uint64_t owner,
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
		err = n ? lock_path(n, &l->path, &l->companion) : -ENOENT;
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

/* Send a release of path for owner, then answer req or call done. */
static void send_release(struct mgrfs *fs, const char *path, uint64_t owner, fuse_req_t req,
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
		send_release(fs, path, owner, req, done, arg);
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
	uint64_t owner = owner_of(fi->lock_owner);
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
	start(req, ino, h, owner, false, !(op & LOCK_NB), (struct fs_range){ 0, UINT64_MAX });
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
		if (was == HELD && r && (ranges_sub(ph, *r) < 0 || ph->nranges))
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
		send_release(fs, path, owner, req, done, arg);
	else if (req)
		fuse_reply_err(req, -err);
	else
		done(arg, err);
	free(path);
}

void fs_lock_release_posix(struct mgrfs *fs, struct fs_node *node, uint64_t owner,
			   fs_done_fn done, void *arg)
{
	posix_unlock(fs, node->ino, owner_of(owner), NULL, NULL, done, arg);
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
		if (ranges_add(ph, *r) < 0)
			held = -ENOMEM;
	}
	pthread_mutex_unlock(&fs->lock);
	return held;
}

static void ll_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     struct flock *lock, int sleep)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	uint64_t owner = owner_of(fi->lock_owner);
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
	start(req, ino, NULL, owner, true, sleep, r);
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

	if (posix_holds(fs, ino, owner_of(fi->lock_owner), NULL)) {
		lock->l_type = F_UNLCK;
		fuse_reply_lock(req, lock);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	err = n ? lock_path(n, &path, &companion) : -ENOENT;
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

void fs_lock_ops(struct fuse_lowlevel_ops *ops)
{
	ops->flock = ll_flock;
	ops->getlk = ll_getlk;
	ops->setlk = ll_setlk;
}
