#include "persist.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"
#include "record.h"
#include "restore.h"
#include "snapshot.h"

#define COMPACT_MIN ((uint64_t)4 << 20)
#define PREALLOC ((off_t)1 << 20)
/* What a request may add to the journal beyond its own size: the images
 * and notes of what it changes are about the size of what it carries. */
#define ADMIT_SLACK ((size_t)64 << 10)

struct mgr_persist {
	char *dir;
	int dirfd, lockfd, jfd;
	enum mgr_fsync fsync;
	struct mgr_store *store;
	uint64_t gen;			/* of the journal written */
	off_t pos, alloc_end;		/* its end, and what is reserved */
	bool no_prealloc;
	bool mappable;			/* its reserved tail may be mapped */
	char *map;			/* [map_off, map_end) of it, or NULL */
	off_t map_off, map_end;
	struct mgr_buf pending;		/* records of this round */
	struct mgr_buf move_from;	/* the old path of a rename */
	bool moving;
	struct mgr_obj *ranged;		/* changed by range, not yet reported */
	bool broken;			/* a record could not be made */
	bool unsynced;
	uint64_t last_sync;		/* ms */
	struct mgr_outset out;		/* items handed out, for snapshots */
	uint64_t snap_bytes, compact_min, compact_at;
	pid_t child;
	uint64_t child_gen;
	uint64_t oldest;		/* no file of an earlier generation */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void fatal(struct mgr_persist *p, const char *what, int err)
{
	mgr_log(MGR_LOG_ERROR, "%s/journal-%" PRIu64 ": %s: %s: stopping without replying to the requests it holds (nothing acknowledged is lost)",
		p->dir, p->gen, what, strerror(err));
	_exit(1);
}

static int write_pending(void *arg, struct mgr_buf *b);

/* ---- the journal's hooks ---- */

static void changed(void *arg, struct mgr_obj *o, enum mgr_change what)
{
	struct mgr_persist *p = arg;
	struct mgr_buf *b = &p->pending;
	long at;
	int r = 0;

	switch (what) {
	case MGR_CHANGE_MOVE:
		p->move_from.len = 0;
		r = mgr_rec_put_path(&p->move_from, o);
		p->moving = true;
		break;
	case MGR_CHANGE_CREATE:
		if (p->moving) {
			p->moving = false;
			at = mgr_rec_begin(b, MGR_REC_RENAME);
			r = at < 0 ? -ENOMEM : mgr_buf_append(b, p->move_from.data, p->move_from.len);
			if (!r)
				r = mgr_rec_put_path(b, o);
			r = mgr_rec_close(b, at, r);
			/* It moved whole: its new version and times. */
			if (!r)
				r = mgr_rec_times(b, o);
		} else {
			r = (int)mgr_rec_object(b, o, true, write_pending, p);
		}
		break;
	case MGR_CHANGE_UPDATE:
		if (p->ranged == o) {
			p->ranged = NULL;
			r = mgr_rec_times(b, o);
		} else {
			r = (int)mgr_rec_object(b, o, false, write_pending, p);
		}
		break;
	case MGR_CHANGE_META:
		r = mgr_rec_times(b, o);
		break;
	case MGR_CHANGE_DELETE:
		mgr_outset_forget(&p->out, o);
		at = mgr_rec_begin(b, MGR_REC_DELETE);
		r = at < 0 ? -ENOMEM : mgr_rec_put_path(b, o);
		if (!r)
			r = mgr_img_put_u64(b, o->version);
		r = mgr_rec_close(b, at, r);
		break;
	}
	if (r < 0)
		p->broken = true;
}

static void note(void *arg, struct mgr_obj *o, enum mgr_note what, const struct mgr_datum *d,
		 uint64_t id)
{
	struct mgr_persist *p = arg;
	struct mgr_buf *b = &p->pending;
	struct mgr_datum *copy;
	long at;
	int r = 0;

	if (what == MGR_NOTE_GIVEN) {
		copy = mgr_datum_new((enum mgr_datum_kind)d->kind, d->data, d->len);
		r = copy ? mgr_outset_add(&p->out, id, o, copy) : -ENOMEM;
		if (r < 0)
			mgr_datum_free(copy);
		if (!r)
			r = mgr_rec_given(b, id, o, d);
	} else if (what == MGR_NOTE_GONE) {
		mgr_outset_remove(&p->out, id);
		at = mgr_rec_begin(b, MGR_REC_GONE);
		r = mgr_rec_close(b, at, at < 0 ? -ENOMEM : mgr_img_put_u64(b, id));
	} else {
		at = mgr_rec_begin(b, MGR_REC_NOTE);
		r = at < 0 ? -ENOMEM : mgr_rec_put_path(b, o);
		if (!r)
			r = mgr_img_put_u64(b, what);
		if (!r && what != MGR_NOTE_POP_HEAD)
			r = mgr_img_put_datum(b, d);
		r = mgr_rec_close(b, at, r);
	}
	if (r < 0)
		p->broken = true;
}

static void range(void *arg, struct mgr_obj *o, uint64_t off, const void *data, size_t n)
{
	struct mgr_persist *p = arg;

	if (mgr_rec_range(&p->pending, o, off, data, n) < 0)
		p->broken = true;
	p->ranged = o;
}

/* ---- the journal file ---- */

/* Under --fsync always, space is written with zeros as soon as it is
 * reserved.  ext4 and xfs mark the blocks fallocate() gives unwritten, and
 * the first flush of a record into each block must also commit the block's
 * change to written, a second write to the file system's journal (with
 * sixteen clients' changes in a flush, in two flushes of five).  Zeros
 * written ahead, their write-back started here and not waited for, make
 * that change once for a whole reservation.  Only a gain: what fails here
 * stays unwritten, which reads as zeros all the same. */
static void fill(int fd, off_t from, off_t to)
{
	static const char zeros[64 << 10];
	ssize_t w = 0;
	size_t n;
	off_t at;

	for (at = from; at < to; at += w) {
		n = to - at < (off_t)sizeof(zeros) ? (size_t)(to - at) : sizeof(zeros);
		w = pwrite(fd, zeros, n, at);
		if (w <= 0)
			return;
	}
	sync_file_range(fd, from, to - from, SYNC_FILE_RANGE_WRITE);
}

static int reserve(struct mgr_persist *p, off_t need)
{
	off_t want = p->pos + need, to = want + PREALLOC;

	if (p->no_prealloc || want <= p->alloc_end)
		return 0;
	if (fallocate(p->jfd, 0, p->alloc_end, to - p->alloc_end) < 0) {
		if (errno == EOPNOTSUPP) {
			p->no_prealloc = true;
			return 0;
		}
		to = want;
		if (errno != ENOSPC || fallocate(p->jfd, 0, p->alloc_end, to - p->alloc_end) < 0)
			return -errno;
	}
	if (p->fsync == MGR_FSYNC_ALWAYS)
		fill(p->jfd, p->alloc_end, to);
	p->alloc_end = to;
	return 0;
}

static int write_at(int fd, const char *data, size_t n, off_t at)
{
	ssize_t w;

	while (n) {
		w = pwrite(fd, data, n, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		n -= (size_t)w;
		at += w;
	}
	return 0;
}

/* Under everysec and no, records are copied into a mapping of the
 * journal's reserved tail rather than written: a system call less for
 * each change, and as safe from a crash of mgrd, since what is stored in
 * the mapping is in the page cache at once.  Only on file systems that
 * write fallocate's blocks in place: where a store into the mapping could
 * still need space (btrfs copies on write), a full disk would kill mgrd
 * with SIGBUS instead of failing a write.  Not under always: each flush
 * makes the mapped pages read-only again, and the fault of the next store
 * into the page costs more than the write. */
static bool map_journal(const struct mgr_persist *p, int fd)
{
	struct statfs fs;

	if (p->fsync == MGR_FSYNC_ALWAYS || fstatfs(fd, &fs) < 0)
		return false;
	return fs.f_type == EXT4_SUPER_MAGIC || fs.f_type == XFS_SUPER_MAGIC ||
	       fs.f_type == TMPFS_MAGIC;
}

static void unmap_tail(struct mgr_persist *p)
{
	if (p->map)
		munmap(p->map, (size_t)(p->map_end - p->map_off));
	p->map = NULL;
	p->map_off = p->map_end = 0;
}

/* Map the journal from the page that holds its end to what is reserved. */
static void map_tail(struct mgr_persist *p)
{
	off_t off = p->pos & ~(off_t)(sysconf(_SC_PAGESIZE) - 1);
	void *m;

	unmap_tail(p);
	if (!p->mappable || p->no_prealloc || p->alloc_end <= p->pos)
		return;
	m = mmap(NULL, (size_t)(p->alloc_end - off), PROT_READ | PROT_WRITE, MAP_SHARED,
		 p->jfd, off);
	if (m == MAP_FAILED) {
		mgr_log(MGR_LOG_DEBUG, "%s/journal-%" PRIu64 ": mmap: %s; writing instead",
			p->dir, p->gen, strerror(errno));
		p->mappable = false;
		return;
	}
	p->map = m;
	p->map_off = off;
	p->map_end = p->alloc_end;
}

/* Append n bytes at the journal's end, within what reserve() gave. */
static int append(struct mgr_persist *p, const char *data, size_t n)
{
	if (p->mappable && p->pos + (off_t)n > p->map_end)
		map_tail(p);
	if (p->map && p->pos + (off_t)n <= p->map_end) {
		memcpy(p->map + (p->pos - p->map_off), data, n);
		return 0;
	}
	return write_at(p->jfd, data, n, p->pos);
}

static void sync_dir(struct mgr_persist *p)
{
	fsync(p->dirfd);
}

/* Make journal-gen and write to it from now on. */
static int open_journal(struct mgr_persist *p, uint64_t gen, off_t end)
{
	unsigned char head[MGR_FILE_HEAD];
	char name[64];
	int fd, r;

	snprintf(name, sizeof(name), "journal-%" PRIu64, gen);
	fd = openat(p->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (end < MGR_FILE_HEAD) {
		mgr_file_head(head, false, gen);
		r = write_at(fd, (const char *)head, sizeof(head), 0);
		if (r < 0 || fdatasync(fd) < 0) {
			r = r < 0 ? r : -errno;
			close(fd);
			return r;
		}
		sync_dir(p);
		end = MGR_FILE_HEAD;
	}
	unmap_tail(p);
	if (p->jfd >= 0)
		close(p->jfd);
	p->jfd = fd;
	p->gen = gen;
	p->pos = end;
	/* Blocks past the end are counted as reserved only once this
	 * process has allocated them: a copied journal may have holes. */
	p->alloc_end = end;
	p->no_prealloc = false;
	p->mappable = map_journal(p, fd);
	reserve(p, 0);
	return 0;
}

static int sync_journal(struct mgr_persist *p)
{
	if (fdatasync(p->jfd) < 0)
		return -errno;
	p->unsynced = false;
	p->last_sync = now_ms();
	return 0;
}

/* ---- compaction ---- */

static void remove_before(struct mgr_persist *p, uint64_t gen)
{
	char name[64];
	uint64_t g;

	for (g = p->oldest; g < gen; g++) {
		snprintf(name, sizeof(name), "snapshot-%" PRIu64, g);
		unlinkat(p->dirfd, name, 0);
		snprintf(name, sizeof(name), "journal-%" PRIu64, g);
		unlinkat(p->dirfd, name, 0);
	}
	p->oldest = gen;
	sync_dir(p);
}

static void reap(struct mgr_persist *p, bool wait)
{
	char name[64];
	struct stat st;
	int status;
	pid_t r;

	if (!p->child)
		return;
	do
		r = waitpid(p->child, &status, wait ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return;
	p->child = 0;
	if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		snprintf(name, sizeof(name), "snapshot-%" PRIu64, p->child_gen);
		if (fstatat(p->dirfd, name, &st, 0) == 0)
			p->snap_bytes = (uint64_t)st.st_size;
		remove_before(p, p->child_gen);
		mgr_log(MGR_LOG_INFO, "%s: compacted into snapshot-%" PRIu64 " (%" PRIu64 " bytes)",
			p->dir, p->child_gen, p->snap_bytes);
		return;
	}
	mgr_log(MGR_LOG_WARN, "%s: compaction into snapshot-%" PRIu64 " failed; the journal goes on, and it is tried again later",
		p->dir, p->child_gen);
}

static uint64_t threshold(const struct mgr_persist *p)
{
	uint64_t t = 2 * p->snap_bytes;

	return t > p->compact_min ? t : p->compact_min;
}

static void compact(struct mgr_persist *p)
{
	char path[64], err[256];
	uint64_t gen = p->gen + 1;
	pid_t pid, parent;
	int r;

	/* Everything so far is in journal-gen and earlier, on disk: the new
	 * snapshot is the store as it is now. */
	if (p->unsynced && sync_journal(p) < 0)
		fatal(p, "fsync", errno);
	r = open_journal(p, gen, 0);
	if (r < 0) {
		mgr_log(MGR_LOG_WARN, "%s: cannot begin journal-%" PRIu64 " to compact: %s",
			p->dir, gen, strerror(-r));
		p->compact_at = (uint64_t)p->pos + threshold(p);
		return;
	}
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/* The child writes the copy-on-write image and leaves.  It
		 * keeps no descriptor but the directory's: not the lock, which
		 * a manager started after a kill of this one must get at once,
		 * nor the clients' sockets, which must close when the manager
		 * closes them; and it dies with the manager. */
		signal(SIGTERM, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (p->dirfd > 3)
			close_range(3, (unsigned)p->dirfd - 1, 0);
		close_range((unsigned)p->dirfd + 1, ~0u, 0);
		snprintf(path, sizeof(path), "snapshot-%" PRIu64, gen);
		r = mgr_snapshot_file(p->dirfd, path, p->store, &p->out, gen, err, sizeof(err));
		if (r < 0)
			mgr_log(MGR_LOG_WARN, "compaction: %s", err);
		_exit(r < 0 ? 1 : 0);
	}
	if (pid < 0) {
		mgr_log(MGR_LOG_WARN, "%s: cannot fork to compact: %s", p->dir, strerror(errno));
		p->compact_at = threshold(p);
		return;
	}
	p->child = pid;
	p->child_gen = gen;
	p->compact_at = threshold(p);
}

/* ---- the round ---- */

/* Write the round's records so far (b is p->pending), unsynced; also
 * before each piece of a large image, so that the round never holds a
 * large value twice.  Replies still wait for the round's end. */
static int write_pending(void *arg, struct mgr_buf *b)
{
	struct mgr_persist *p = arg;
	int r = reserve(p, (off_t)b->len);

	if (!r)
		r = append(p, b->data, b->len);
	if (r < 0)
		return r;
	p->pos += (off_t)b->len;
	b->len = 0;
	p->unsynced = true;
	return 0;
}

void mgr_persist_commit(struct mgr_persist *p)
{
	int r;

	if (p->broken)
		fatal(p, "a record could not be made", ENOMEM);
	if (p->pending.len) {
		r = write_pending(p, &p->pending);
		if (r < 0)
			fatal(p, "write", -r);
		if (p->pending.cap > ((size_t)1 << 20)) {
			mgr_buf_release(&p->pending);
			mgr_buf_init(&p->pending);
		}
		if (p->fsync == MGR_FSYNC_ALWAYS && sync_journal(p) < 0)
			fatal(p, "fsync", errno);
	}
	if (p->fsync == MGR_FSYNC_EVERYSEC && p->unsynced && now_ms() - p->last_sync >= 1000 &&
	    sync_journal(p) < 0)
		fatal(p, "fsync", errno);
	reap(p, false);
	if (!p->child && (uint64_t)p->pos >= p->compact_at)
		compact(p);
}

bool mgr_persist_settled(struct mgr_persist *p)
{
	if (!p->pending.len && !p->broken)
		return true;
	if (p->fsync == MGR_FSYNC_ALWAYS)
		return false;
	mgr_persist_commit(p);
	return true;
}

int mgr_persist_timeout(struct mgr_persist *p)
{
	uint64_t since;
	int t = -1;

	if (p->fsync == MGR_FSYNC_EVERYSEC && p->unsynced) {
		since = now_ms() - p->last_sync;
		t = since >= 1000 ? 0 : (int)(1000 - since);
	}
	if (p->child && (t < 0 || t > 100))
		t = 100;
	return t;
}

/* Requests that change nothing run on a full disk too. */
static const char *const readers[] = {
	"stat", "ls", "dump", "len", "qsize", "empty", "full", "is_set", "locked",
	"get_value", "keys", "values", "items", "n_waiting", "broken", "parties",
	"contains", "count", "index", "getitem", "copy", "ping",
	/* Python's (core/pyserver) */
	"__getitem__", "__len__", "__contains__", "__repr__", "__str__", "_getvalue",
	"is_set", "#GETVALUE", "debug_info", "number_of_objects", "dummy",
};

static int room(void *arg, uint64_t bytes)
{
	struct mgr_persist *p = arg;

	return reserve(p, (off_t)(p->pending.len + bytes + ADMIT_SLACK));
}

int mgr_persist_admit(struct mgr_persist *p, const char *op, size_t size, const char **msg)
{
	size_t i;

	if (reserve(p, (off_t)(p->pending.len + 2 * size + ADMIT_SLACK)) == 0)
		return 0;
	for (i = 0; op && i < sizeof(readers) / sizeof(readers[0]); i++)
		if (strcmp(op, readers[i]) == 0)
			return 0;
	*msg = "no space left on the data directory's disk: nothing was changed";
	return -ENOSPC;
}

/* ---- the directory ---- */

static int open_dir(const char *dir, bool check, int *dirfd, int *lockfd, char *err, size_t errlen)
{
	struct stat st;
	int r;

	*lockfd = -1;
	if (stat(dir, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, r == -ENOENT ? "data directory %s does not exist (make it: mkdir -m 700 %s)" :
			 "data directory %s: %s", dir, r == -ENOENT ? dir : strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "data directory %s is not a directory", dir);
		return -ENOTDIR;
	}
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0) {
		r = -errno;
		snprintf(err, errlen, "data directory %s: %s", dir, strerror(-r));
		return r;
	}
	if (check)
		return 0;
	if (access(dir, W_OK) < 0) {
		r = -errno;
		snprintf(err, errlen, "data directory %s is not writable (%s): refusing to start",
			 dir, strerror(-r));
		goto fail;
	}
	if ((st.st_mode & 0777) != 0700 && fchmod(*dirfd, 0700) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot make data directory %s private (mode 0700): %s", dir, strerror(-r));
		goto fail;
	}
	*lockfd = openat(*dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (*lockfd < 0) {
		r = -errno;
		snprintf(err, errlen, r == -EROFS || r == -EACCES ?
			 "data directory %s is not writable (%s): refusing to start" :
			 "data directory %s: cannot make its lock file: %s", dir, strerror(-r));
		goto fail;
	}
	if (flock(*lockfd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		snprintf(err, errlen, r == -EWOULDBLOCK ? "data directory %s is in use by another mgrd" :
			 "data directory %s: cannot lock it: %s", dir, r == -EWOULDBLOCK ? "" : strerror(-r));
		goto fail;
	}
	return 0;
fail:
	if (*lockfd >= 0)
		close(*lockfd);
	close(*dirfd);
	return r;
}

/* Put back what was handed out before the restart and never acknowledged,
 * as the end of its session would have, and journal that it was. */
static size_t put_back(struct mgr_persist *p, struct mgr_outset *out)
{
	const struct mgr_type *t;
	struct mgr_outstanding *e;
	size_t i, n = 0;

	for (i = out->n; i-- > 0;) {
		e = &out->v[i];
		t = e->obj ? mgr_types[e->obj->type] : NULL;
		if (t && t->replay) {
			note(p, e->obj, MGR_NOTE_PUSH_HEAD, e->item, 0);
			if (t->replay(p->store, e->obj, MGR_NOTE_PUSH_HEAD, e->item) == 0) {
				e->item = NULL;
				n++;
			}
		}
		note(p, NULL, MGR_NOTE_GONE, NULL, e->id);
	}
	mgr_outset_clear(out);
	return n;
}

int mgr_persist_open(const struct mgr_persist_opts *o, struct mgr_store *s,
		     struct mgr_persist **out, char *err, size_t errlen)
{
	struct mgr_persist *p = calloc(1, sizeof(*p));
	struct mgr_restore rs = { .store = s };
	struct mgr_load ld = { .repair = o->repair };
	struct mgr_journal_hooks hooks;
	size_t back;
	int r;

	/* Named in full in the log: mgrd -d changes its directory to /. */
	if (p && !(p->dir = realpath(o->dir, NULL)))
		p->dir = strdup(o->dir);
	if (!p || !p->dir) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->jfd = -1;
	p->store = s;
	p->fsync = o->fsync;
	p->compact_min = o->compact_min ? o->compact_min : COMPACT_MIN;
	r = open_dir(o->dir, false, &p->dirfd, &p->lockfd, err, errlen);
	if (r < 0) {
		free(p->dir);
		free(p);
		return r;
	}
	r = mgr_load_dir(p->dirfd, o->dir, &rs, &ld, err, errlen);
	if (r == 0) {
		p->snap_bytes = ld.snap_bytes;
		p->oldest = ld.have_snap ? ld.snap_gen : 0;
		/* A journal of an older format is not appended to: the
		 * records from now on go to the next one, in this format. */
		if (!ld.fresh && ld.format != MGR_FORMAT_VERSION) {
			ld.gen++;
			ld.fresh = true;
		}
		r = open_journal(p, ld.gen, ld.fresh ? 0 : (off_t)ld.end);
		if (r < 0)
			snprintf(err, errlen, "data directory %s: cannot write journal-%" PRIu64 ": %s",
				 o->dir, ld.gen, strerror(-r));
	}
	if (r < 0) {
		mgr_outset_clear(&rs.out);
		mgr_persist_close(p);
		return r;
	}
	p->compact_at = threshold(p);
	hooks.changed = changed;
	hooks.note = note;
	hooks.range = range;
	hooks.room = room;
	hooks.arg = p;
	mgr_store_set_journal(s, &hooks);
	back = put_back(p, &rs.out);
	mgr_persist_commit(p);
	mgr_log(MGR_LOG_INFO, "%s: restored %" PRIu64 " records%s%s (snapshot %s, journal-%" PRIu64 ")",
		o->dir, rs.records, ld.dropped ? ", cut a torn tail" : "",
		back ? ", put back items handed out and not acknowledged" : "",
		ld.have_snap ? "yes" : "none", ld.gen);
	*out = p;
	return 0;
}

void mgr_persist_close(struct mgr_persist *p)
{
	if (!p)
		return;
	if (p->jfd >= 0) {
		mgr_persist_commit(p);
		reap(p, true);
		if (p->unsynced)
			sync_journal(p);
		mgr_store_set_journal(p->store, NULL);
		unmap_tail(p);
		close(p->jfd);
	}
	mgr_buf_release(&p->pending);
	mgr_buf_release(&p->move_from);
	mgr_outset_clear(&p->out);
	if (p->lockfd >= 0)
		close(p->lockfd);
	close(p->dirfd);
	free(p->dir);
	free(p);
}

int mgr_persist_backup(struct mgr_persist *p, struct mgr_store *s, const char *file,
		       char *err, size_t errlen)
{
	if (file[0] != '/') {
		snprintf(err, errlen, "the file of a snapshot must be an absolute path");
		return -EINVAL;
	}
	return mgr_snapshot_file(AT_FDCWD, file, s, p ? &p->out : NULL, 1, err, errlen);
}

static uint64_t count_tree(struct mgr_obj *o)
{
	uint64_t n = 1;
	struct mgr_obj *c;

	if (MGR_TYPE_BIT(o->type) & MGR_CONTAINERS)
		for (c = mgr_obj_first_child(o); c; c = c->next)
			n += count_tree(c);
	return n;
}

int mgr_persist_check(const char *dir, bool repair, struct mgr_load *ld, uint64_t *objects,
		      char *err, size_t errlen)
{
	struct mgr_restore rs = { 0 };
	int dirfd, lockfd, r;

	memset(ld, 0, sizeof(*ld));
	ld->check = true;
	ld->repair = repair;
	r = open_dir(dir, true, &dirfd, &lockfd, err, errlen);
	if (r < 0)
		return r;
	rs.store = mgr_engine_new();
	r = rs.store ? mgr_load_dir(dirfd, dir, &rs, ld, err, errlen) : -ENOMEM;
	if (r == -ENOMEM && rs.store == NULL)
		snprintf(err, errlen, "out of memory");
	*objects = rs.store ? count_tree(mgr_store_root(rs.store)) - 1 : 0;
	mgr_outset_clear(&rs.out);
	mgr_engine_free(rs.store);
	close(dirfd);
	return r;
}
