/* Queues as files.  A read() takes one item with a parked "get"; the rest
 * of an item that did not fit stays in the open file for the next read(),
 * and the read() after an item's last byte sees end of file, so that
 * `cat q` takes exactly one item.  A write() puts each line as an item:
 * all of them with one "put_many" while the queue has room, and a line
 * that finds it full with a "put" that waits.
 *
 * Nothing is lost at an interruption: a waiting get or put is cancelled in
 * the manager, and an item that comes for a reader that was interrupted,
 * or whose answer the kernel threw away, is put back at the head with
 * "unget". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "datum.h"
#include "handle.h"
#include "proto.h"
#include "queue.h"
#include "text.h"
#include "util.h"

struct qread {
	struct fs_park park;
	struct fs_handle *h;
	size_t size;
	struct mgr_buf path;
};

struct qwrite {
	struct fs_park park;
	struct fs_handle *h;
	struct mgr_buf path;
	struct mgr_buf lines;	/* complete lines to put, in order */
	size_t pos;		/* where the next line starts in lines */
	size_t done;		/* bytes of lines put */
	size_t prefix;		/* bytes of lines written by earlier write()s */
	size_t size;		/* bytes of this write() */
	bool block;
	bool one;		/* the next line waits alone in a put */
};

/* Answer a read of size from the item in h->rest.  An item's end is never
 * answered with a full buffer: the kernel would read on in the same
 * read() and take the next item into it.  Called with the lock held;
 * returns what fuse_reply_buf did. */
static int serve_rest(fuse_req_t req, struct fs_handle *h, size_t size)
{
	size_t left = h->rest.len - h->rpos, n = left;
	int r;

	if (left > size)
		n = size;
	else if (left == size && size > 1)
		n = size - 1;
	r = fuse_reply_buf(req, h->rest.data + h->rpos, n);
	if (r == 0) {
		h->rpos += n;
		if (h->rpos == h->rest.len) {
			h->rest.len = h->rpos = 0;
			h->item_end = true;
		}
	}
	return r;
}

static void qread_free(struct qread *q)
{
	mgr_buf_release(&q->path);
	free(q);
}

/* Put an item that no reader got back at the head of its queue. */
static void unget(struct mgrfs *fs, const char *path, yajl_val result)
{
	yajl_val v = mgr_json_get(result, "value"), b = mgr_json_get(result, "bytes");
	yajl_val p = mgr_json_get(result, "pickle");
	struct mgr_req r;
	int err;

	/* A Python client's item is a pickle, which goes back as it came. */
	if (!v && !b && !p)
		return;
	err = mgr_req_init(&r, "unget", path);
	if (!err)
		err = mgr_json_gen_cstr(r.g, v ? "value" : b ? "bytes" : "pickle");
	if (!err)
		err = mgr_json_gen_tree(r.g, v ? v : b ? b : p);
	if (!err)
		err = mgr_client_call_async(fs->client, &r, NULL, NULL, NULL);
	mgr_req_release(&r);
}

static void qread_cb(void *arg, struct mgr_reply *rep)
{
	struct qread *q = arg;
	struct mgrfs *fs = q->park.fs;
	struct fs_handle *h = q->h;
	int err = rep->err, r;

	fs_park_finish(&q->park);
	/* The reader was signalled while the item came.  The kernel waits
	 * for this answer even when the signal kills the reader, and data
	 * given to a dying process are lost: the item goes back, and the
	 * read() ends with EINTR like any interrupted wait. */
	if (!err && q->park.interrupted) {
		unget(fs, q->path.data, rep->result);
		err = -EINTR;
	}
	pthread_mutex_lock(&fs->lock);
	h->reading = false;
	if (!err) {
		h->rest.len = h->rpos = 0;
		err = fs_text_show_datum(rep->result, true, &h->rest);
	}
	if (err) {
		h->rest.len = 0;
		pthread_mutex_unlock(&fs->lock);
		fuse_reply_err(q->park.req, fs_errno(err));
		qread_free(q);
		return;
	}
	r = serve_rest(q->park.req, h, q->size);
	if (r < 0)
		h->rest.len = h->rpos = 0;
	pthread_mutex_unlock(&fs->lock);
	/* The reader is gone (killed while it waited): the item was not
	 * returned by any read(), so it goes back. */
	if (r < 0)
		unget(fs, q->path.data, rep->result);
	qread_free(q);
}

void fs_queue_read(fuse_req_t req, struct fs_handle *h, size_t size, int flags)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct qread *q = NULL;
	struct mgr_req r = { NULL };
	int err;

	pthread_mutex_lock(&fs->lock);
	if (h->item_end) {
		h->item_end = false;
		fuse_reply_buf(req, NULL, 0);
		pthread_mutex_unlock(&fs->lock);
		return;
	}
	if (h->rpos < h->rest.len) {
		serve_rest(req, h, size);
		pthread_mutex_unlock(&fs->lock);
		return;
	}
	/* One read waits per open file: the rest of its item is kept in
	 * the file, which has room for one. */
	if (h->reading) {
		pthread_mutex_unlock(&fs->lock);
		fuse_reply_err(req, EBUSY);
		return;
	}
	q = calloc(1, sizeof(*q));
	err = q ? fs_node_path(h->node, &q->path) : -ENOMEM;
	if (!err)
		err = mgr_buf_append(&q->path, "", 1);
	h->reading = !err;
	pthread_mutex_unlock(&fs->lock);
	if (err)
		goto fail;
	q->park.req = req;
	q->park.fs = fs;
	q->h = h;
	q->size = size;
	err = mgr_req_init(&r, "get", q->path.data);
	if (!err && (flags & O_NONBLOCK))
		err = mgr_json_kv_bool(r.g, "block", false);
	if (!err)
		err = fs_park_send(&q->park, &r, qread_cb, q);
	mgr_req_release(&r);
	if (!err)
		return;
	pthread_mutex_lock(&fs->lock);
	h->reading = false;
	pthread_mutex_unlock(&fs->lock);
fail:
	if (q)
		qread_free(q);
	fuse_reply_err(req, fs_errno(err));
}

static void qwrite_free(struct qwrite *w)
{
	mgr_buf_release(&w->path);
	mgr_buf_release(&w->lines);
	free(w);
}

/* A put of len bytes of item text into the queue at path. */
static int put_req(const char *path, const char *line, size_t len, bool block,
		   struct mgr_req *r)
{
	struct mgr_datum *d = NULL;
	int err;

	err = fs_text_datum_for(line, len, false, &d);
	if (!err)
		err = mgr_req_init(r, "put", path);
	if (!err)
		err = mgr_datum_gen_members(r->g, d);
	if (!err && !block)
		err = mgr_json_kv_bool(r->g, "block", false);
	mgr_datum_free(d);
	if (err)
		mgr_req_release(r);
	return err;
}

static void qwrite_next(struct qwrite *w);

/* The write is over, at its end or at an error.  Lines put count as
 * written; when none of this write's bytes were, the error is the answer
 * and the line kept from earlier writes is kept still. */
static void qwrite_end(struct qwrite *w, int err)
{
	struct mgrfs *fs = w->park.fs;
	struct fs_handle *h = w->h;
	size_t written;

	pthread_mutex_lock(&fs->lock);
	if (!err) {
		written = w->size;
	} else if (w->done > w->prefix) {
		written = w->done - w->prefix;
		h->line.len = 0;
		err = 0;
	} else {
		written = 0;
		h->line.len = 0;
		mgr_buf_append(&h->line, w->lines.data, w->prefix);
	}
	pthread_mutex_unlock(&fs->lock);
	if (err)
		fuse_reply_err(w->park.req, fs_errno(err));
	else
		fuse_reply_write(w->park.req, written);
	qwrite_free(w);
}

/* Move past n lines that were put. */
static void qwrite_advance(struct qwrite *w, uint64_t n)
{
	const char *nl;

	while (n-- && w->pos < w->lines.len) {
		nl = memchr(w->lines.data + w->pos, '\n', w->lines.len - w->pos);
		w->pos = nl + 1 - w->lines.data;
	}
	w->done = w->pos;
}

static void qwrite_cb(void *arg, struct mgr_reply *rep)
{
	struct qwrite *w = arg;
	uint64_t n = 1;

	fs_park_finish(&w->park);
	if (rep->err) {
		qwrite_end(w, rep->err);
		return;
	}
	/* put_many put the lines the queue had room for; the next one
	 * waits for room alone, and then the rest go together again. */
	if (!w->one && !YAJL_IS_INTEGER(rep->result)) {
		qwrite_end(w, -EPROTO);
		return;
	}
	if (!w->one)
		n = YAJL_GET_INTEGER(rep->result);
	qwrite_advance(w, n);
	w->one = !w->one && w->pos < w->lines.len;
	qwrite_next(w);
}

/* A put_many of the lines from pos on. */
static int put_many_req(struct qwrite *w, struct mgr_req *r)
{
	const char *p = w->lines.data + w->pos, *end = w->lines.data + w->lines.len, *nl;
	struct mgr_datum *d;
	int err;

	err = mgr_req_init(r, "put_many", w->path.data);
	if (!err)
		err = mgr_json_gen_cstr(r->g, "items");
	if (!err)
		err = mgr_json_array_open(r->g);
	for (; !err && p < end; p = nl + 1) {
		nl = memchr(p, '\n', end - p);
		d = NULL;
		err = fs_text_datum_for(p, nl - p, false, &d);
		if (!err)
			err = mgr_datum_gen(r->g, d);
		mgr_datum_free(d);
	}
	if (!err)
		err = mgr_json_array_close(r->g);
	if (err)
		mgr_req_release(r);
	return err;
}

/* Put the rest of the lines, or end. */
static void qwrite_next(struct qwrite *w)
{
	const char *start = w->lines.data + w->pos, *nl;
	struct mgr_req r;
	int err;

	if (w->pos >= w->lines.len) {
		qwrite_end(w, 0);
		return;
	}
	if (w->one) {
		nl = memchr(start, '\n', w->lines.len - w->pos);
		err = put_req(w->path.data, start, nl - start, w->block, &r);
	} else {
		err = put_many_req(w, &r);
	}
	if (!err) {
		err = fs_park_send(&w->park, &r, qwrite_cb, w);
		mgr_req_release(&r);
	}
	if (err)
		qwrite_end(w, err);
}

void fs_queue_write(fuse_req_t req, struct fs_handle *h, const char *buf, size_t size,
		    int flags)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	const char *last = memrchr(buf, '\n', size);
	struct qwrite *w;
	int err;

	pthread_mutex_lock(&fs->lock);
	if (!last) {
		/* No line ends here: keep the text for the next write. */
		err = h->line.len + size > MGR_DATUM_MAX ? -EFBIG :
		      mgr_buf_append(&h->line, buf, size);
		pthread_mutex_unlock(&fs->lock);
		if (err)
			fuse_reply_err(req, fs_errno(err));
		else
			fuse_reply_write(req, size);
		return;
	}
	w = calloc(1, sizeof(*w));
	err = w ? fs_node_path(h->node, &w->path) : -ENOMEM;
	if (!err)
		err = mgr_buf_append(&w->path, "", 1);
	if (!err)
		err = mgr_buf_append(&w->lines, h->line.data, h->line.len);
	if (!err)
		err = mgr_buf_append(&w->lines, buf, last + 1 - buf);
	if (!err) {
		w->prefix = h->line.len;
		h->line.len = 0;
		err = mgr_buf_append(&h->line, last + 1, size - (last + 1 - buf));
	}
	pthread_mutex_unlock(&fs->lock);
	if (err) {
		if (w)
			qwrite_free(w);
		fuse_reply_err(req, fs_errno(err));
		return;
	}
	w->park.req = req;
	w->park.fs = fs;
	w->h = h;
	w->size = size;
	w->block = !(flags & O_NONBLOCK);
	qwrite_next(w);
}

struct qflush {
	fs_done_fn done;
	void *arg;
};

static void qflush_cb(void *arg, struct mgr_reply *rep)
{
	struct qflush *f = arg;

	f->done(f->arg, rep->err);
	free(f);
}

/* The last line had no newline: it is an item all the same, put when the
 * file is closed (waiting for room, as a write would). */
void fs_queue_flush(struct mgrfs *fs, struct fs_handle *h, fs_done_fn done, void *arg)
{
	struct mgr_buf path = MGR_BUF_INIT;
	struct qflush *f = NULL;
	struct mgr_req r;
	int err = 0;

	pthread_mutex_lock(&fs->lock);
	if (h->kind != FS_H_QUEUE || !h->line.len) {
		pthread_mutex_unlock(&fs->lock);
		done(arg, 0);
		return;
	}
	f = malloc(sizeof(*f));
	err = f ? fs_node_path(h->node, &path) : -ENOMEM;
	if (!err)
		err = mgr_buf_append(&path, "", 1);
	if (!err)
		err = put_req(path.data, h->line.data, h->line.len, true, &r);
	h->line.len = 0;
	pthread_mutex_unlock(&fs->lock);
	mgr_buf_release(&path);
	if (!err) {
		f->done = done;
		f->arg = arg;
		err = mgr_client_call_async(fs->client, &r, qflush_cb, f, NULL);
		mgr_req_release(&r);
		if (!err)
			return;
	}
	free(f);
	done(arg, err);
}

/* poll: a queue is readable when it has items (or the open file has the
 * rest of one), writable when it has room.  The poll handle is kept on the
 * node and notified on the queue's next change. */

struct qpoll {
	fuse_req_t req;
	unsigned int ready;
};

static void qpoll_cb(void *arg, struct mgr_reply *rep)
{
	struct qpoll *p = arg;
	uint64_t qsize = 0, maxsize = 0;
	unsigned int ev = p->ready;

	if (rep->err) {
		fuse_reply_err(p->req, fs_errno(rep->err));
		free(p);
		return;
	}
	mgr_json_get_u64(rep->result, "qsize", &qsize);
	mgr_json_get_u64(rep->result, "maxsize", &maxsize);
	if (qsize)
		ev |= POLLIN | POLLRDNORM;
	if (!maxsize || qsize < maxsize)
		ev |= POLLOUT | POLLWRNORM;
	fuse_reply_poll(p->req, ev);
	free(p);
}

static void ll_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	struct mgrfs *fs = fuse_req_userdata(req);
	struct fs_handle *h = (struct fs_handle *)(uintptr_t)fi->fh;
	struct mgr_buf path = MGR_BUF_INIT;
	struct fs_pollreq *pr = NULL;
	struct qpoll *p = NULL;
	struct mgr_req r;
	int err;

	if (h->kind != FS_H_QUEUE) {
		if (ph)
			fuse_pollhandle_destroy(ph);
		fuse_reply_poll(req, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (ph)
		pr = calloc(1, sizeof(*pr));
	pthread_mutex_lock(&fs->lock);
	err = p && (pr || !ph) ? fs_node_path(h->node, &path) : -ENOMEM;
	if (!err)
		err = mgr_buf_append(&path, "", 1);
	/* Registered before the manager is asked, so that a change in
	 * between still wakes the poller. */
	if (!err && pr) {
		pr->ph = ph;
		pr->next = h->node->polls;
		h->node->polls = pr;
		ph = NULL;
	}
	if (!err && (h->rpos < h->rest.len || h->item_end))
		p->ready = POLLIN | POLLRDNORM;
	pthread_mutex_unlock(&fs->lock);
	if (!err) {
		p->req = req;
		err = mgr_req_init(&r, "stat", path.data);
	}
	mgr_buf_release(&path);
	if (!err) {
		err = mgr_client_call_async(fs->client, &r, qpoll_cb, p, NULL);
		mgr_req_release(&r);
		if (!err)
			return;
	}
	if (ph) {
		fuse_pollhandle_destroy(ph);
		free(pr);
	}
	free(p);
	fuse_reply_err(req, fs_errno(err));
}

void fs_queue_ops(struct fuse_lowlevel_ops *ops)
{
	ops->poll = ll_poll;
}
