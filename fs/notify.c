/* Cache invalidation.  mgrfs subscribes to every change in the manager;
 * each event is queued by the client's I/O thread and acted on by a thread
 * of its own:
 *   update  the inode's attributes (and any cached data) are dropped, and
 *           polls waiting on a queue are woken;
 *   delete  the name is dropped from its directory;
 *   create  nothing: no lookup that failed is cached, and the parent's own
 *           update event follows.
 *   all     after the link to the manager came back: what happened while
 *           it was down was not heard, so every inode is dropped and every
 *           poll woken.
 * The frontend queues invalidations of its own here too.
 * The kernel may need a directory's lock to invalidate, and a process may
 * hold that lock while it waits for a reply that only the I/O thread can
 * deliver: so the invalidation never runs on the I/O thread. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mgrfs.h"
#include "path.h"

enum what { EV_UPDATE, EV_DELETE, EV_INVAL, EV_ALL };

struct ev {
	struct ev *next;
	enum what what;
	uint64_t parent;	/* EV_INVAL: the directory, and path is a name */
	size_t len;
	char path[];
};

struct fs_notify {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ev *head, **tail;
	bool stop;
};

static void push(struct fs_notify *q, struct ev *e)
{
	e->next = NULL;
	pthread_mutex_lock(&q->lock);
	*q->tail = e;
	q->tail = &e->next;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void fs_notify_event(void *arg, yajl_val event)
{
	struct mgrfs *fs = arg;
	struct fs_notify *q = fs->notify;
	const char *path = NULL, *what = NULL;
	struct ev *e;
	size_t len;

	if (mgr_json_get_str(event, "path", &path) < 0 ||
	    mgr_json_get_str(event, "what", &what) < 0)
		return;
	if (strcmp(what, "create") == 0)
		return;
	len = strlen(path);
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return;
	e->what = strcmp(what, "delete") == 0 ? EV_DELETE : EV_UPDATE;
	e->len = len;
	memcpy(e->path, path, len + 1);
	push(q, e);
}

void fs_notify_inval_entry(struct mgrfs *fs, uint64_t parent, const char *name, size_t len)
{
	struct ev *e = malloc(sizeof(*e) + len + 1);

	if (!e)
		return;
	e->what = EV_INVAL;
	e->parent = parent;
	e->len = len;
	memcpy(e->path, name, len);
	e->path[len] = '\0';
	push(fs->notify, e);
}

void fs_notify_all(struct mgrfs *fs)
{
	struct ev *e = calloc(1, sizeof(*e) + 1);

	if (!e)
		return;
	e->what = EV_ALL;
	push(fs->notify, e);
}

/* What an event found in the inode table: taken under the lock, used
 * after it. */
struct target {
	uint64_t parent, ino;
	struct mgr_buf name;
	struct fs_pollreq *polls;
};

/* Find the nodes the kernel may have cached for path. */
static void resolve(struct mgrfs *fs, const struct ev *e, struct target *t)
{
	struct mgr_buf name = MGR_BUF_INIT;
	struct fs_node *dir, *n;
	struct mgr_path p;
	const char *why;
	size_t i;

	if (mgr_path_parse(e->path, e->len, &p, &why) < 0)
		return;
	pthread_mutex_lock(&fs->lock);
	n = fs->nodes.root;
	dir = NULL;
	for (i = 0; n && i < p.n; i++) {
		name.len = 0;
		if (fs_name_escape(p.names[i].s, p.names[i].len, &name) < 0) {
			n = NULL;
			break;
		}
		dir = n;
		n = fs_node_child(&fs->nodes, dir, name.data, name.len);
		if (!n && i + 1 < p.n)
			dir = NULL;
	}
	if (dir && p.n && mgr_buf_append(&t->name, name.data, name.len) == 0)
		t->parent = dir->ino;
	if (n) {
		t->ino = n->ino;
		t->polls = n->polls;
		n->polls = NULL;
	}
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&name);
	mgr_path_release(&p);
}

static void wake_polls(struct fs_pollreq *pr)
{
	struct fs_pollreq *next;

	for (; pr; pr = next) {
		next = pr->next;
		fuse_lowlevel_notify_poll(pr->ph);
		fuse_pollhandle_destroy(pr->ph);
		free(pr);
	}
}

/* Drop every inode the kernel knows of.  The numbers are taken first: the
 * kernel may call us back while it invalidates. */
static void drop_all(struct mgrfs *fs)
{
	struct fs_pollreq *polls = NULL, **tail = &polls;
	uint64_t *inos;
	struct fs_node *n;
	size_t i, k = 0;

	pthread_mutex_lock(&fs->lock);
	inos = malloc((fs->nodes.count + 1) * sizeof(*inos));
	for (i = 0; i < fs->nodes.nbuckets; i++) {
		for (n = fs->nodes.by_ino[i]; n; n = n->ino_next) {
			if (inos && k < fs->nodes.count)
				inos[k++] = n->ino;
			*tail = n->polls;
			n->polls = NULL;
			while (*tail)
				tail = &(*tail)->next;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < k; i++)
		fuse_lowlevel_notify_inval_inode(fs->se, inos[i], 0, 0);
	free(inos);
	wake_polls(polls);
}

static void handle(struct mgrfs *fs, const struct ev *e)
{
	struct target t = { 0 };

	if (e->what == EV_INVAL) {
		fuse_lowlevel_notify_inval_entry(fs->se, e->parent, e->path, e->len);
		return;
	}
	if (e->what == EV_ALL) {
		drop_all(fs);
		return;
	}
	resolve(fs, e, &t);
	if (e->what == EV_UPDATE && t.ino)
		fuse_lowlevel_notify_inval_inode(fs->se, t.ino, 0, 0);
	if (e->what == EV_DELETE && t.parent)
		fuse_lowlevel_notify_inval_entry(fs->se, t.parent, t.name.data, t.name.len);
	wake_polls(t.polls);
	mgr_buf_release(&t.name);
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
		pthread_mutex_unlock(&q->lock);
		handle(fs, e);
		free(e);
		pthread_mutex_lock(&q->lock);
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
