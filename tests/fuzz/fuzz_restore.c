/* libFuzzer target for core/persist: the files of a data directory, read
 * as mgrd reads them at start (mgr_load_dir, as mgrd --check does).  The
 * first byte chooses the file; the rest is
 *
 *   0  journal-0's records, each a u16 (little-endian) length and payload,
 *      framed here with their length and CRC so that the payloads reach
 *      the restore whatever they hold
 *   1  snapshot-1's records, framed the same way
 *   2  journal-0's bytes after a good header, as they are: frames, CRCs,
 *      torn tails and groups
 *
 * Beyond the sanitizers, a load that succeeds must survive a round trip:
 * the store it made, written as a snapshot, loaded into a fresh store and
 * written again, gives the same bytes.  Built and run by tests/fuzz.sh. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "load.h"
#include "record.h"
#include "snapshot.h"

static char dirs[3][64];
static int dirfd[3];

static void clean(void)
{
	static const char *const names[] = { "journal-0", "snapshot-1" };
	int i, k;

	for (i = 0; i < 3; i++) {
		for (k = 0; k < 2; k++)
			unlinkat(dirfd[i], names[k], 0);
		rmdir(dirs[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "/dev/shm/mgr-fuzz-restore.XXXXXX");
		if (!mkdtemp(dirs[i]) || (dirfd[i] = open(dirs[i], O_RDONLY | O_DIRECTORY)) < 0)
			abort();
	}
	atexit(clean);
	return 0;
}

static void put_file(int dir, const char *name, const void *data, size_t n)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	close(fd);
}

/* A file's bytes, to compare. */
static unsigned char *get_file(int dir, const char *name, size_t *n)
{
	int fd = openat(dir, name, O_RDONLY);
	unsigned char *p;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !(p = malloc((size_t)st.st_size + 1)) ||
	    read(fd, p, (size_t)st.st_size) != st.st_size)
		abort();
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

/* Frame the records of in (u16 length, payload, ...) after the header of
 * snapshot-1 or journal-0, the first of a directory without a snapshot. */
static void frame(struct mgr_buf *b, bool snap, const uint8_t *in, size_t n)
{
	unsigned char head[MGR_FILE_HEAD];
	size_t len;
	long at;

	mgr_file_head(head, snap, snap);
	if (mgr_buf_append(b, head, sizeof(head)) < 0)
		abort();
	while (n >= 3) {
		len = in[0] | (size_t)in[1] << 8;
		in += 2;
		n -= 2;
		len = len < 1 ? 1 : len > n ? n : len;
		/* The kind is the payload's first byte. */
		at = mgr_rec_begin(b, (enum mgr_rec_kind)in[0]);
		if (at < 0 || mgr_buf_append(b, in + 1, len - 1) < 0)
			abort();
		mgr_rec_end(b, at);
		in += len;
		n -= len;
	}
}

/* Load directory i into a fresh store: 0 with it and its items out in
 * *rs, or -errno with nothing kept. */
static int load(int i, struct mgr_restore *rs)
{
	struct mgr_load ld = { .check = true };
	char err[512];
	int r;

	memset(rs, 0, sizeof(*rs));
	rs->store = mgr_engine_new();
	if (!rs->store)
		abort();
	r = mgr_load_dir(dirfd[i], dirs[i], rs, &ld, err, sizeof(err));
	if (r < 0) {
		mgr_outset_clear(&rs->out);
		mgr_engine_free(rs->store);
	}
	return r;
}

static void snapshot(int i, struct mgr_restore *rs)
{
	char err[512];

	/* Written beside and renamed over the last input's. */
	if (mgr_snapshot_file(dirfd[i], "snapshot-1", rs->store, &rs->out, 1, err,
			      sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_restore: a loaded store cannot be written: %s\n", err);
		abort();
	}
	mgr_outset_clear(&rs->out);
	mgr_engine_free(rs->store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgr_buf b = MGR_BUF_INIT;
	struct mgr_restore rs;
	unsigned char *one, *two;
	size_t n1, n2;

	if (size < 1 || data[0] > 2)
		return 0;
	unlinkat(dirfd[0], "journal-0", 0);
	unlinkat(dirfd[0], "snapshot-1", 0);
	if (data[0] == 2) {
		frame(&b, false, NULL, 0);
		if (mgr_buf_append(&b, data + 1, size - 1) < 0)
			abort();
	} else {
		frame(&b, data[0] == 1, data + 1, size - 1);
	}
	put_file(dirfd[0], data[0] == 1 ? "snapshot-1" : "journal-0", b.data, b.len);
	mgr_buf_release(&b);
	if (load(0, &rs) < 0)
		return 0;
	snapshot(1, &rs);
	if (load(1, &rs) < 0) {
		fprintf(stderr, "fuzz_restore: the snapshot of a loaded store does not load\n");
		abort();
	}
	snapshot(2, &rs);
	one = get_file(dirfd[1], "snapshot-1", &n1);
	two = get_file(dirfd[2], "snapshot-1", &n2);
	if (n1 != n2 || memcmp(one, two, n1)) {
		fprintf(stderr, "fuzz_restore: a snapshot loaded and written again differs\n");
		abort();
	}
	free(one);
	free(two);
	return 0;
}
