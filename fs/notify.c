/* Change events.  mgrfs subscribes to every change in the manager; each
 * event is heard on the loop's thread, in order with the replies, and:
 *   drops the content mgrfs keeps for the object (a change of content);
 *   wakes polls waiting on it (a queue);
 *   has the kernel drop the object's pages and attributes (a change of
 *   content), or only its attributes (its times set, or its delete: a
 *   file open on it keeps what it showed), if it was given any since it
 *   last dropped them, and the name (delete), telling the kernel it is
 *   deleted when the node is known, which inotify hears as IN_DELETE;
 *   marks a deleted object's node gone, so an open file's fstat answers;
 *   moves the object's node where it was renamed to (a delete marked
 *   "moving", then the create at the new path), so that open files follow.
 * A create needs nothing more: no lookup that failed is cached, and the
 * parent's own update event follows.
 * When the link to the manager comes back after a break, the changes made
 * meanwhile were not heard: every inode is dropped and every poll woken.
 * The kernel may need a directory's lock, or a page's, to invalidate, and
 * a process may hold that lock while it waits for a reply that only the
 * loop's thread can deliver: so invalidations are queued for a thread of
 * their own.  The frontend queues invalidations of its own there too, and
 * answers that must come after the invalidations queued before them (a
 * lock granted: fs_notify_after). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fname.h"
#include "notify.h"
#include "path.h"

/* What the thread does with an entry. */
enum ev_kind {
	EV_PAGES,	/* drop inode ino's pages and attributes */
	EV_ATTRS,	/* drop inode ino's attributes */
	EV_ENTRY,	/* drop the entry name in directory ino */
	EV_DELETE,	/* tell that name in ino, inode child, is deleted */
	EV_AFTER,	/* call fn(arg) */
};

struct ev {
	struct ev *next;
	enum ev_kind kind;
	uint64_t ino, child;
	void (*fn)(void *arg);
	void *arg;
	size_t len;
	char name[];
};

struct fs_notify {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ev *head, **tail;
	bool busy;		/* the thread is acting on an entry */
	bool stop;
	/* The node of an object heard moving, until its create is heard;
	 * touched only by the thread that hears events. */
	uint64_t moving;
};

static struct ev *ev_new(enum ev_kind kind, uint64_t ino, const char *name, size_t len)
{
	struct ev *e = calloc(1, sizeof(*e) + len + 1);

	if (!e)
		return NULL;
	e->kind = kind;
	e->ino = ino;
	e->len = len;
	memcpy(e->name, name, len);
	return e;
}

static void enqueue(struct fs_notify *q, struct ev *e)
{
	pthread_mutex_lock(&q->lock);
	*q->tail = e;
	q->tail = &e->next;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

static void push(struct fs_notify *q, enum ev_kind kind, uint64_t ino, const char *name,
		 size_t len)
{
	struct ev *e = ev_new(kind, ino, name, len);

	if (e)
		enqueue(q, e);
}

void fs_notify_inval_pages(struct mgrfs *fs, uint64_t ino)
{
	push(fs->notify, EV_PAGES, ino, "", 0);
}

void fs_notify_inval_entry(struct mgrfs *fs, uint64_t parent, const char *name, size_t len)
{
	push(fs->notify, EV_ENTRY, parent, name, len);
}

void fs_notify_quiet(struct mgrfs *fs, uint64_t id)
{
	pthread_mutex_lock(&fs->lock);
	fs->quiet[fs->nquiet++ % FS_QUIET] = id;
	pthread_mutex_unlock(&fs->lock);
}

/* Whether the event of request id is one of ours that fs_notify_quiet
 * named; it is forgotten.  Under the lock. */
static bool quiet(struct mgrfs *fs, yajl_val event)
{
	uint64_t id;
	unsigned int i;

	if (mgr_json_get_u64(event, "request", &id) < 0)
		return false;
	for (i = 0; i < FS_QUIET; i++) {
		if (fs->quiet[i] == id) {
			fs->quiet[i] = 0;
			return true;
		}
	}
	return false;
}

bool fs_notify_after(struct mgrfs *fs, void (*fn)(void *arg), void *arg)
{
	struct fs_notify *q = fs->notify;
	struct ev *e;

	/* Nothing queued: nothing to wait for. */
	pthread_mutex_lock(&q->lock);
	if (!q->head && !q->busy) {
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	pthread_mutex_unlock(&q->lock);
	e = ev_new(EV_AFTER, 0, "", 0);
	if (!e)
		return false;
	e->fn = fn;
	e->arg = arg;
	enqueue(q, e);
	return true;
}

/* What an event found in the inode table: taken under the lock, acted on
 * after it. */
struct target {
	uint64_t parent, ino;
	enum ev_kind inval;	/* for ino: EV_PAGES or EV_ATTRS */
	uint64_t self;		/* the object's node, if known */
	struct mgr_buf name;
	struct fs_pollreq *polls;
};

/* What an event says of its object. */
enum change {
	CH_CONTENT,	/* created, or its content changed */
	CH_META,	/* its times were set */
	CH_GONE,	/* deleted */
	CH_MOVING,	/* about to be created elsewhere */
};

/* The node of path p, or NULL; under the lock.  *dir gets its parent's
 * node when that is known (NULL for the root), and name its last name as
 * the kernel sees it. */
static struct fs_node *find(struct mgrfs *fs, const struct mgr_path *p, struct fs_node **dir,
			    struct mgr_buf *name)
{
	struct fs_node *n = fs->nodes.root;
	size_t i;

	*dir = NULL;
	for (i = 0; n && i < p->n; i++) {
		name->len = 0;
		if (fs_fname_from_key(p->names[i].s, p->names[i].len, name) < 0) {
			*dir = NULL;
			return NULL;
		}
		*dir = n;
		n = fs_node_child(&fs->nodes, n, name->data, name->len);
		if (!n && i + 1 < p->n)
			*dir = NULL;
	}
	return n;
}

/* Find the nodes of path, drop what is cached for it, and note what the
 * kernel may have cached that the change makes stale. */
static void resolve(struct mgrfs *fs, const char *path, enum change ch, bool update,
		    yajl_val event, struct target *t)
{
	struct mgr_buf name = MGR_BUF_INIT;
	struct fs_node *dir, *n;
	struct mgr_path p;
	const char *why;

	if (mgr_path_parse(path, strlen(path), &p, &why) < 0)
		return;
	pthread_mutex_lock(&fs->lock);
	/* What this mount wrote through the page cache is in it. */
	if (ch == CH_CONTENT && update && quiet(fs, event))
		ch = CH_META;
	n = find(fs, &p, &dir, &name);
	if (dir && p.n && mgr_buf_append(&t->name, name.data, name.len) == 0)
		t->parent = dir->ino;
	if (n) {
		t->self = n->ino;
		t->polls = n->polls;
		n->polls = NULL;
		/* What a file open on a deleted object showed, it shows on. */
		if (ch == CH_CONTENT || (ch == CH_GONE && !n->opens) ||
		    (ch == CH_META && update && !YAJL_IS_TRUE(mgr_json_get(event, "meta"))))
			fs_node_cache_drop(&fs->nodes, n);
		if (ch == CH_CONTENT && update && (n->attr_shown || n->pages)) {
			t->inval = EV_PAGES;
			t->ino = n->ino;
			n->attr_shown = n->pages = false;
		} else if ((ch == CH_META || ch == CH_GONE) && n->attr_shown) {
			t->inval = EV_ATTRS;
			t->ino = n->ino;
			n->attr_shown = false;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&name);
	mgr_path_release(&p);
}

/* The node of the directory that holds path p's last name, made where the
 * table lacks it: such a node is held only by what is put under it, and
 * the kernel learns of it when it looks the name up.  name gets the last
 * name as the kernel sees it.  Under the lock; NULL when it cannot be. */
static struct fs_node *parent_node(struct mgrfs *fs, const struct mgr_path *p,
				   struct mgr_buf *name)
{
	struct fs_node *dir = fs->nodes.root, *c;
	size_t i;

	if (!p->n)
		return NULL;
	for (i = 0;; i++) {
		name->len = 0;
		if (fs_fname_from_key(p->names[i].s, p->names[i].len, name) < 0)
			break;
		if (i + 1 == p->n)
			return dir;
		c = fs_node_child(&fs->nodes, dir, name->data, name->len);
		if (!c && (c = fs_node_found(&fs->nodes, dir, name->data, name->len, S_IFDIR)))
			c->nlookup--;
		if (!c || c->fmt != S_IFDIR)
			break;
		dir = c;
	}
	/* Directories made on the way go again. */
	fs_node_pin(dir);
	fs_node_unpin(&fs->nodes, dir);
	return NULL;
}

/* The object of node ino moved to path: so does the node, and files open
 * on it follow it, as they do on a local file system.  Where the node
 * cannot go there, it is let go of. */
static void move(struct mgrfs *fs, uint64_t ino, const char *path)
{
	struct mgr_buf name = MGR_BUF_INIT;
	struct fs_node *n, *dir;
	struct mgr_path p;
	const char *why;

	if (mgr_path_parse(path, strlen(path), &p, &why) < 0)
		return;
	pthread_mutex_lock(&fs->lock);
	n = fs_node_get(&fs->nodes, ino);
	if (n && n->parent) {
		dir = parent_node(fs, &p, &name);
		if (!dir || fs_node_move(&fs->nodes, n, dir, name.data, name.len) < 0)
			fs_node_detach(&fs->nodes, n);
		/* Directories made for nothing go again. */
		if (dir) {
			fs_node_pin(dir);
			fs_node_unpin(&fs->nodes, dir);
		}
	}
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&name);
	mgr_path_release(&p);
}

static void wake_polls(struct fs_pollreq *pr)
{
	struct fs_pollreq *next;

	/* Waking a poll takes no lock in the kernel: done here. */
	for (; pr; pr = next) {
		next = pr->next;
		fuse_lowlevel_notify_poll(pr->ph);
		fuse_pollhandle_destroy(pr->ph);
		free(pr);
	}
}

void fs_notify_all(struct mgrfs *fs)
{
	struct fs_pollreq *polls = NULL, **tail = &polls;
	uint64_t *inos;
	struct fs_node *n;
	size_t i, k = 0;

	pthread_mutex_lock(&fs->lock);
	inos = malloc((fs->nodes.count + 1) * sizeof(*inos));
	for (i = 0; i < fs->nodes.nbuckets; i++) {
		for (n = fs->nodes.by_ino[i]; n; n = n->ino_next) {
			fs_node_cache_drop(&fs->nodes, n);
			if (inos && (n->attr_shown || n->pages))
				inos[k++] = n->ino;
			n->attr_shown = n->pages = false;
			*tail = n->polls;
			n->polls = NULL;
			while (*tail)
				tail = &(*tail)->next;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	/* The create of a move heard before the break may never come. */
	fs->notify->moving = 0;
	__atomic_add_fetch(&fs->events, 1, __ATOMIC_RELEASE);
	wake_polls(polls);
	for (i = 0; i < k; i++)
		push(fs->notify, EV_PAGES, inos[i], "", 0);
	free(inos);
}

void fs_notify_event(void *arg, yajl_val event)
{
	struct mgrfs *fs = arg;
	const char *path = NULL, *what = NULL;
	struct target t = { 0 };
	struct fs_node *n;
	enum change ch = CH_CONTENT;
	bool delete, update;

	__atomic_add_fetch(&fs->events, 1, __ATOMIC_RELEASE);
	if (mgr_json_get_str(event, "path", &path) < 0 ||
	    mgr_json_get_str(event, "what", &what) < 0)
		return;
	delete = strcmp(what, "delete") == 0;
	update = strcmp(what, "update") == 0;
	if (delete)
		ch = YAJL_IS_TRUE(mgr_json_get(event, "moving")) ? CH_MOVING : CH_GONE;
	else if (update && YAJL_IS_TRUE(mgr_json_get(event, "meta")))
		ch = CH_META;
	/* A rename is heard as a delete marked "moving", then the create
	 * at the new path; nothing comes in between but updates. */
	if (!strcmp(what, "create") && fs->notify->moving) {
		move(fs, fs->notify->moving, path);
		fs->notify->moving = 0;
	}
	resolve(fs, path, ch, update, event, &t);
	if (delete)
		fs->notify->moving = ch == CH_MOVING ? t.self : 0;
	/* A file open on it answers fstat from what was last seen. */
	if (ch == CH_GONE && t.self) {
		pthread_mutex_lock(&fs->lock);
		n = fs_node_get(&fs->nodes, t.self);
		if (n)
			n->gone = true;
		pthread_mutex_unlock(&fs->lock);
	}
	wake_polls(t.polls);
	/* A name that goes is dropped first: it is what the next lookup
	 * meets. */
	if (ch == CH_GONE && t.parent && t.self) {
		struct ev *e = ev_new(EV_DELETE, t.parent, t.name.data, t.name.len);

		if (e) {
			e->child = t.self;
			enqueue(fs->notify, e);
		}
	} else if (delete && t.parent) {
		push(fs->notify, EV_ENTRY, t.parent, t.name.data, t.name.len);
	}
	if (t.ino)
		push(fs->notify, t.inval, t.ino, "", 0);
	mgr_buf_release(&t.name);
}

static void handle(struct mgrfs *fs, struct ev *e)
{
	switch (e->kind) {
	case EV_PAGES:
		fuse_lowlevel_notify_inval_inode(fs->se, e->ino, 0, 0);
		break;
	case EV_ATTRS:
		fuse_lowlevel_notify_inval_inode(fs->se, e->ino, -1, 0);
		break;
	case EV_DELETE:
		/* Where the kernel does not hold the entry as that inode,
		 * dropping the name is all there is to do. */
		if (fuse_lowlevel_notify_delete(fs->se, e->ino, e->child, e->name, e->len) == 0)
			break;
		/* fall through */
	case EV_ENTRY:
		fuse_lowlevel_notify_inval_entry(fs->se, e->ino, e->name, e->len);
		break;
	case EV_AFTER:
		e->fn(e->arg);
		break;
	}
}

static void *notify_main(void *arg)
{
	struct mgrfs *fs = arg;
	struct fs_notify *q = fs->notify;
	struct ev *e;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		if (q->stop)
			break;
		e = q->head;
		q->head = e->next;
		if (!q->head)
			q->tail = &q->head;
		q->busy = true;
		pthread_mutex_unlock(&q->lock);
		handle(fs, e);
		free(e);
		pthread_mutex_lock(&q->lock);
		q->busy = false;
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int fs_notify_start(struct mgrfs *fs)
{
	struct fs_notify *q = calloc(1, sizeof(*q));
	sigset_t all, old;
	int err;

	if (!q)
		return -ENOMEM;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	q->tail = &q->head;
	fs->notify = q;
	/* Signals are for libfuse's main thread, which ends the loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&q->thread, NULL, notify_main, fs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		free(q);
		fs->notify = NULL;
	}
	return err;
}

/* Called once the client is gone, so no event comes any more. */
void fs_notify_stop(struct mgrfs *fs)
{
	struct fs_notify *q = fs->notify;
	struct ev *e;

	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	while ((e = q->head)) {
		q->head = e->next;
		free(e);
	}
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
	fs->notify = NULL;
}
