#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "record.h"

#define MAX_FILES 4096

struct found {
	uint64_t snaps[MAX_FILES], journals[MAX_FILES];
	size_t nsnaps, njournals;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool gen_of(const char *name, const char *prefix, uint64_t *gen)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(name, prefix, n) != 0 || name[n] < '0' || name[n] > '9')
		return false;
	errno = 0;
	*gen = strtoull(name + n, &end, 10);
	return !*end && !errno;
}

static int list_dir(int dirfd, bool check, struct found *f)
{
	struct dirent *e;
	size_t n;
	DIR *d;
	int fd = dup(dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		n = strlen(e->d_name);
		/* A snapshot written in part, by a compaction that died. */
		if (n > 4 && !strcmp(e->d_name + n - 4, ".tmp") &&
		    !strncmp(e->d_name, "snapshot-", 9)) {
			if (!check)
				unlinkat(dirfd, e->d_name, 0);
		} else if (gen_of(e->d_name, "snapshot-", &f->snaps[f->nsnaps])) {
			if (++f->nsnaps == MAX_FILES)
				break;
		} else if (gen_of(e->d_name, "journal-", &f->journals[f->njournals])) {
			if (++f->njournals == MAX_FILES)
				break;
		}
	}
	closedir(d);
	if (f->nsnaps == MAX_FILES || f->njournals == MAX_FILES)
		return -EMFILE;
	qsort(f->snaps, f->nsnaps, sizeof(uint64_t), cmp_u64);
	qsort(f->journals, f->njournals, sizeof(uint64_t), cmp_u64);
	return 0;
}

struct mapped {
	int fd;
	unsigned char *data;
	size_t size;
};

static int map_file(int dirfd, const char *name, bool writable, struct mapped *m)
{
	struct stat st;

	m->data = NULL;
	m->size = 0;
	m->fd = openat(dirfd, name, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
	if (m->fd < 0)
		return -errno;
	if (fstat(m->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(m->fd);
		return -EINVAL;
	}
	m->size = (size_t)st.st_size;
	if (m->size) {
		m->data = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, m->fd, 0);
		if (m->data == MAP_FAILED) {
			close(m->fd);
			return -errno;
		}
	}
	return 0;
}

static void unmap_file(struct mapped *m)
{
	if (m->data)
		munmap(m->data, m->size);
	close(m->fd);
}

static int load_snapshot(int dirfd, const char *dir, uint64_t gen, struct mgr_restore *rs,
			 struct mgr_load *ld, char *err, size_t errlen)
{
	char name[64];
	struct mapped m;
	struct mgr_img pl;
	uint64_t fgen, count = 0, before = rs->records;
	size_t off = MGR_FILE_HEAD, size;
	int r;

	snprintf(name, sizeof(name), "snapshot-%" PRIu64, gen);
	r = map_file(dirfd, name, false, &m);
	if (r < 0) {
		snprintf(err, errlen, "cannot read %s/%s: %s", dir, name, strerror(-r));
		return r;
	}
	r = m.size < MGR_FILE_HEAD ? -EINVAL : mgr_file_head_check(m.data, true, &fgen, &rs->format);
	if (!r && fgen != gen)
		r = -EINVAL;
	while (!r) {
		r = mgr_rec_next(m.data + off, m.size - off, &pl, &size);
		if (r == -ENODATA)
			r = -EINVAL;	/* no end record: written in part */
		if (r < 0)
			break;
		r = mgr_restore_apply(rs, &pl, &count);
		off += size;
		if (r == -ENODATA) {
			r = count == rs->records - before - 1 && off == m.size ? 0 : -EINVAL;
			break;
		}
	}
	unmap_file(&m);
	ld->snap_bytes = m.size;
	if (r == -EPROTO)
		snprintf(err, errlen, "%s/%s is in format version %u, which this mgrd cannot read (it reads %u to %u)",
			 dir, name, rs->format, MGR_FORMAT_OLDEST, MGR_FORMAT_VERSION);
	else if (r < 0)
		snprintf(err, errlen, "%s/%s is corrupt at byte %zu (%s): refusing to load it, nothing was loaded",
			 dir, name, off, r == -ENOMEM ? "out of memory" : "bad record");
	return r;
}

/* Whether an intact record starts anywhere in data. */
static bool intact_after(const unsigned char *data, size_t n)
{
	struct mgr_img pl;
	size_t i, size;

	for (i = 1; i + MGR_REC_HEAD < n; i++)
		if (mgr_rec_next(data + i, n - i, &pl, &size) == 0 && pl.p < pl.end &&
		    pl.p[0] >= MGR_REC_IMAGE && pl.p[0] <= MGR_REC_LAST)
			return true;
	return false;
}

/* 0 unless the record pl is a group (MGR_REC_GROUP) that data, what
 * follows it, does not hold whole: -ENODATA when data ends within it
 * (written in part), -EINVAL when one of its records is bad. */
static int group_whole(struct mgr_img pl, const unsigned char *data, size_t n)
{
	struct mgr_img next;
	uint64_t kind, count;
	size_t size;
	int r;

	if (mgr_img_get_u64(&pl, &kind) < 0 || kind != MGR_REC_GROUP)
		return 0;
	if (mgr_img_get_u64(&pl, &count) < 0)
		return -EINVAL;
	for (; count; count--, data += size, n -= size) {
		r = mgr_rec_next(data, n, &next, &size);
		/* The last written, in part? */
		if (r == -EINVAL && !intact_after(data, n))
			r = -ENODATA;
		if (r < 0)
			return r;
	}
	return 0;
}

static int load_journal(int dirfd, const char *dir, uint64_t gen, bool last,
			struct mgr_restore *rs, struct mgr_load *ld, char *err, size_t errlen)
{
	char name[64];
	struct mapped m;
	struct mgr_img pl;
	uint64_t fgen, count;
	size_t off = MGR_FILE_HEAD, size;
	bool torn, cut_group;
	int r;

	snprintf(name, sizeof(name), "journal-%" PRIu64, gen);
	r = map_file(dirfd, name, !ld->check, &m);
	if (r < 0) {
		snprintf(err, errlen, "cannot open %s/%s: %s", dir, name, strerror(-r));
		return r;
	}
	ld->gen = gen;
	if (m.size < MGR_FILE_HEAD && last) {
		/* Made and not yet given its header: begin it again. */
		unmap_file(&m);
		ld->fresh = true;
		if (!ld->check)
			unlinkat(dirfd, name, 0);
		return 0;
	}
	r = m.size < MGR_FILE_HEAD ? -EINVAL : mgr_file_head_check(m.data, false, &fgen, &rs->format);
	if (r == 0 && fgen != gen)
		r = -EINVAL;
	if (r < 0) {
		if (r == -EPROTO)
			snprintf(err, errlen, "%s/%s is in format version %u, which this mgrd cannot read (it reads %u to %u)",
				 dir, name, rs->format, MGR_FORMAT_OLDEST, MGR_FORMAT_VERSION);
		else
			snprintf(err, errlen, "%s/%s has no valid header: refusing to start", dir, name);
		unmap_file(&m);
		return r;
	}
	for (;;) {
		r = mgr_rec_next(m.data + off, m.size - off, &pl, &size);
		if (r == -ENODATA) {
			r = 0;
			break;
		}
		cut_group = false;
		if (r == 0) {
			r = group_whole(pl, m.data + off + size, m.size - off - size);
			cut_group = r == -ENODATA;
		}
		if (r == 0) {
			r = mgr_restore_apply(rs, &pl, &count);
			if (r == 0) {
				off += size;
				ld->records++;
				continue;
			}
			if (r == -ENOMEM) {
				snprintf(err, errlen, "out of memory loading %s/%s", dir, name);
				break;
			}
		}
		/* A bad record at off, or a group the journal ends within. */
		torn = last && (cut_group || !intact_after(m.data + off, m.size - off));
		if (!torn && !ld->repair) {
			snprintf(err, errlen, "%s/%s: the record at byte %zu is corrupt and %s: refusing to start; nothing after it can be applied (mgrd --repair cuts the journal there, losing what follows)",
				 dir, name, off, last ? "intact records follow it" : "later journals follow it");
			r = -EINVAL;
			break;
		}
		/* Past the last byte written is space preallocated. */
		for (size = m.size; size > off && !m.data[size - 1]; size--)
			;
		ld->dropped += size - off;
		mgr_log(MGR_LOG_WARN, "%s/%s: %s at byte %zu: %s what follows (%zu bytes)",
			dir, name, torn ? "a record written in part (torn tail)" : "a corrupt record",
			off, ld->check ? "would drop" : "dropped", size - off);
		if (!ld->check && ftruncate(m.fd, (off_t)off) < 0) {
			r = -errno;
			snprintf(err, errlen, "cannot cut %s/%s: %s", dir, name, strerror(-r));
			break;
		}
		r = torn ? 0 : -ECANCELED;	/* repair: stop here */
		break;
	}
	ld->end = off;
	ld->format = rs->format;
	unmap_file(&m);
	return r;
}

int mgr_load_dir(int dirfd, const char *dir, struct mgr_restore *rs, struct mgr_load *ld,
		 char *err, size_t errlen)
{
	struct found *f = calloc(1, sizeof(*f));
	char name[64];
	uint64_t base = 0;
	size_t i, first = 0;
	int r;

	if (!f)
		return -ENOMEM;
	r = list_dir(dirfd, ld->check, f);
	if (r < 0) {
		snprintf(err, errlen, "cannot list %s: %s", dir, strerror(-r));
		goto out;
	}
	if (f->nsnaps) {
		ld->have_snap = true;
		ld->snap_gen = base = f->snaps[f->nsnaps - 1];
		r = load_snapshot(dirfd, dir, base, rs, ld, err, errlen);
		if (r < 0)
			goto out;
	}
	while (first < f->njournals && f->journals[first] < base)
		first++;
	ld->gen = base;
	ld->fresh = true;
	for (i = first; i < f->njournals; i++) {
		if (f->journals[i] != base + (i - first)) {
			snprintf(err, errlen, "%s: journal-%" PRIu64 " is missing: refusing to start",
				 dir, base + (i - first));
			r = -EINVAL;
			goto out;
		}
		ld->fresh = false;
		r = load_journal(dirfd, dir, f->journals[i], i + 1 == f->njournals, rs, ld,
				 err, errlen);
		if (r == -ECANCELED) {
			/* Repaired: what came after the cut cannot apply. */
			for (i++; i < f->njournals; i++) {
				snprintf(name, sizeof(name), "journal-%" PRIu64, f->journals[i]);
				mgr_log(MGR_LOG_WARN, "%s/%s: dropped whole, it follows a cut", dir, name);
				if (!ld->check)
					unlinkat(dirfd, name, 0);
			}
			r = 0;
			break;
		}
		if (r < 0)
			goto out;
	}
	mgr_store_set_version(rs->store, rs->version);
	/* What an earlier compaction left behind. */
	for (i = 0; !ld->check && i < f->nsnaps; i++)
		if (f->snaps[i] < base) {
			snprintf(name, sizeof(name), "snapshot-%" PRIu64, f->snaps[i]);
			unlinkat(dirfd, name, 0);
		}
	for (i = 0; !ld->check && i < first; i++) {
		snprintf(name, sizeof(name), "journal-%" PRIu64, f->journals[i]);
		unlinkat(dirfd, name, 0);
	}
out:
	free(f);
	return r;
}
