/* fixture-constfs: the smallest useful FUSE file system, the yardstick
 * that tools/bench_fs.sh measures mgrfs against.
 *
 *   fixture-constfs [-f] [-o OPTIONS] MOUNTPOINT
 *
 * It serves /value, holding "42\n" until something is written to it, and
 * /queue, a queue of lines in memory read as an mgrfs queue is: each read()
 * takes one line, waiting while there is none, and the next read() of the
 * same open file returns 0.  Every request is answered from memory by one
 * thread, so what it costs is what FUSE itself costs.  Files are opened as
 * mgrfs opens them (direct I/O, a queue not seekable) and flush and
 * getxattr are answered, as mgrfs answers them, so that the kernel sends
 * both file systems the same requests for the same system calls: what mgrfs
 * costs beyond this is its own work. */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VALUE_INO 2
#define QUEUE_INO 3
#define VALUE_MAX 4096

static const char *const names[] = { ".", "..", "value", "queue" };
static const fuse_ino_t inos[] = { FUSE_ROOT_ID, FUSE_ROOT_ID, VALUE_INO, QUEUE_INO };

static char value[VALUE_MAX] = "42\n";
static size_t value_len = 3;

/* The queue's lines, oldest first, and the reads waiting for one. */
struct item {
	struct item *next;
	size_t len;
	char text[];
};

struct reader {
	struct reader *next;
	fuse_req_t req;
	size_t size;
	bool *item_end;
};

static struct item *items, **items_tail = &items;
static struct reader *readers, **readers_tail = &readers;

static int fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == VALUE_INO || ino == QUEUE_INO) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = ino == VALUE_INO ? value_len : 0;
	} else {
		return -ENOENT;
	}
	return 0;
}

static void cf_init(void *userdata, struct fuse_conn_info *conn)
{
	/* As mgrfs does: open(O_TRUNC) comes to open, not as a setattr. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
}

static void cf_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	size_t i;

	for (i = 2; i < 4; i++) {
		if (parent == FUSE_ROOT_ID && strcmp(name, names[i]) == 0)
			break;
	}
	if (i == 4) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.ino = inos[i];
	e.generation = 1;
	e.attr_timeout = e.entry_timeout = 1.0;
	fill_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void cf_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (fill_stat(ino, &st) < 0)
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, 1.0);
}

/* Only the size can be changed; everything else is taken and forgotten,
 * so that touch and cp -p carry on. */
static void cf_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != VALUE_INO && ino != QUEUE_INO) {
		fuse_reply_err(req, ino == FUSE_ROOT_ID ? EPERM : ENOENT);
		return;
	}
	if (ino == VALUE_INO && (to_set & FUSE_SET_ATTR_SIZE)) {
		if (attr->st_size > VALUE_MAX) {
			fuse_reply_err(req, EFBIG);
			return;
		}
		if ((size_t)attr->st_size > value_len)
			memset(value + value_len, 0, attr->st_size - value_len);
		value_len = attr->st_size;
	}
	fill_stat(ino, &st);
	fuse_reply_attr(req, &st, 1.0);
}

static void cf_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	char buf[512];
	size_t used = 0, n;
	struct stat st;

	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	/* The offset of an entry is the index of the one after it. */
	for (; off < 4; off++) {
		memset(&st, 0, sizeof(st));
		st.st_ino = inos[off];
		st.st_mode = off < 2 ? S_IFDIR : S_IFREG;
		n = fuse_add_direntry(req, buf + used, size - used, names[off], &st, off + 1);
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void cf_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	bool *item_end;

	if (ino == QUEUE_INO) {
		/* An open queue keeps whether its last read ended an item. */
		item_end = calloc(1, sizeof(*item_end));
		if (!item_end) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		fi->fh = (uintptr_t)item_end;
		fi->direct_io = 1;
		fi->nonseekable = 1;
		if (fuse_reply_open(req, fi) != 0)
			free(item_end);
		return;
	}
	if (ino != VALUE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY && (fi->flags & O_TRUNC))
		value_len = 0;
	fi->direct_io = 1;
	fuse_reply_open(req, fi);
}

/* Answer a read with the oldest item, cut to the read's size. */
static void serve(fuse_req_t req, size_t size, bool *item_end)
{
	struct item *it = items;

	items = it->next;
	if (!items)
		items_tail = &items;
	*item_end = true;
	fuse_reply_buf(req, it->text, it->len < size ? it->len : size);
	free(it);
}

/* A signal to a waiting reader: its read fails and takes nothing.  With
 * one thread this never runs inside fuse_req_interrupt_func, so the
 * request may be answered here. */
static void reader_interrupted(fuse_req_t req, void *data)
{
	struct reader **p, *r;

	for (p = &readers; (r = *p); p = &r->next) {
		if (r->req != req)
			continue;
		*p = r->next;
		if (readers_tail == &r->next)
			readers_tail = p;
		fuse_reply_err(req, EINTR);
		free(r);
		return;
	}
}

static void queue_read(fuse_req_t req, size_t size, struct fuse_file_info *fi)
{
	bool *item_end = (bool *)(uintptr_t)fi->fh;
	struct reader *r;

	if (*item_end) {
		*item_end = false;
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (items) {
		serve(req, size, item_end);
		return;
	}
	if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r->next = NULL;
	r->req = req;
	r->size = size;
	r->item_end = item_end;
	*readers_tail = r;
	readers_tail = &r->next;
	fuse_req_interrupt_func(req, reader_interrupted, NULL);
}

static void cf_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	size_t n = 0;

	if (ino == QUEUE_INO) {
		queue_read(req, size, fi);
		return;
	}
	if ((size_t)off < value_len)
		n = value_len - off < size ? value_len - off : size;
	fuse_reply_buf(req, n ? value + off : NULL, n);
}

/* Each line written is an item (a last one without its newline too), given
 * at once to the readers that wait. */
static void queue_write(fuse_req_t req, const char *buf, size_t size)
{
	const char *p = buf, *end = buf + size, *nl;
	struct reader *r;
	struct item *it;
	size_t len;

	while (p < end) {
		nl = memchr(p, '\n', end - p);
		len = nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
		it = malloc(sizeof(*it) + len);
		if (!it) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		it->next = NULL;
		it->len = len;
		memcpy(it->text, p, len);
		*items_tail = it;
		items_tail = &it->next;
		p += len;
	}
	while (items && (r = readers)) {
		readers = r->next;
		if (!readers)
			readers_tail = &readers;
		fuse_req_interrupt_func(r->req, NULL, NULL);
		serve(r->req, r->size, r->item_end);
		free(r);
	}
	fuse_reply_write(req, size);
}

static void cf_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	if (ino == QUEUE_INO) {
		queue_write(req, buf, size);
		return;
	}
	if (fi->flags & O_APPEND)
		off = value_len;
	if (off < 0 || (size_t)off > VALUE_MAX || size > VALUE_MAX - (size_t)off) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	if ((size_t)off > value_len)
		memset(value + value_len, 0, off - value_len);
	memcpy(value + off, buf, size);
	if (off + size > value_len)
		value_len = off + size;
	fuse_reply_write(req, size);
}

/* Answered, as mgrfs answers it, so that close() waits for it on both. */
static void cf_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

/* No extended attributes; answered rather than left unimplemented, since
 * mgrfs, which has some, is asked for security.capability at every
 * open(O_TRUNC). */
static void cf_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	fuse_reply_err(req, ENODATA);
}

static void cf_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino == QUEUE_INO)
		free((bool *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops cf_ops = {
	.init = cf_init,
	.lookup = cf_lookup,
	.getattr = cf_getattr,
	.setattr = cf_setattr,
	.readdir = cf_readdir,
	.open = cf_open,
	.read = cf_read,
	.write = cf_write,
	.flush = cf_flush,
	.release = cf_release,
	.getxattr = cf_getxattr,
};

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts opts;
	struct fuse_session *se = NULL;
	int ret = 1;

	if (fuse_parse_cmdline(&args, &opts) != 0)
		return 1;
	if (opts.show_help || !opts.mountpoint) {
		printf("usage: %s [-f] [-o OPTIONS] MOUNTPOINT\n", argv[0]);
		fuse_cmdline_help();
		fuse_lowlevel_help();
		ret = opts.show_help ? 0 : 2;
		goto out;
	}
	if (opts.show_version) {
		fuse_lowlevel_version();
		ret = 0;
		goto out;
	}
	se = fuse_session_new(&args, &cf_ops, sizeof(cf_ops), NULL);
	if (!se)
		goto out;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, opts.mountpoint) != 0)
		goto out_handlers;
	fuse_daemonize(opts.foreground);
	ret = fuse_session_loop(se) ? 1 : 0;
	fuse_session_unmount(se);
out_handlers:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out:
	free(opts.mountpoint);
	fuse_opt_free_args(&args);
	return ret;
}
