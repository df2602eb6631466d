/* fs-fsx: a randomized exerciser of one file, in the manner of fsx: writes
 * at offsets, truncations, reads, sizes and maps, each checked against a
 * model of what the file must hold.
 *
 *   fs-fsx FILE [OPS [SEED [OTHER]]]
 *
 * FILE is made anew.  OPS operations (100000) are drawn from SEED (1):
 * pwrite of up to 64 KiB anywhere below 256 KiB, ftruncate, pread checked
 * byte for byte, fstat and SEEK_END checked against the model's size,
 * reads and writes through a shared map, fsync, and a close and open
 * again; now and then the file is rewritten (opened O_WRONLY|O_TRUNC, as
 * `>` does) with its own writes and truncations, its size checked on the
 * way, and the whole checked once it is closed.  With OTHER, the same
 * file through a second mount of the manager, the whole content is read
 * there every 500 operations, from a fresh open: what one mount wrote,
 * the other reads.
 *
 * On the first difference it prints the last operations and exits 1. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXLEN (256 << 10)
#define MAXOP (64 << 10)
#define HISTORY 16

static const char *path, *other;
static unsigned char *model, *buf;
static size_t size;		/* the model's */
static int fd = -1;
static uint64_t rng;
static long opno;
static char history[HISTORY][128];

static uint64_t next(void)
{
	/* xorshift64*: the same run for the same seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static size_t pick(size_t n)
{
	return n ? next() % n : 0;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(history[opno % HISTORY], sizeof(history[0]), fmt, ap);
	va_end(ap);
}

static void die(const char *fmt, ...)
{
	va_list ap;
	long i;

	printf("not ok 1 - operation %ld: ", opno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# the last operations:\n");
	for (i = opno - HISTORY + 1 < 0 ? 0 : opno - HISTORY + 1; i <= opno; i++)
		printf("#   %ld: %s\n", i, history[i % HISTORY]);
	printf("1..1\n");
	exit(1);
}

/* A map that cannot be read or written says so by a signal. */
static void on_signal(int sig)
{
	die("%s", strsignal(sig));
}

static void check_bytes(const unsigned char *got, size_t off, size_t n, const char *how)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (got[i] != model[off + i])
			die("%s: byte %zu is %02x, the model has %02x", how, off + i, got[i],
			    model[off + i]);
}

static void open_file(int flags)
{
	if (fd >= 0 && close(fd) < 0)
		die("close: %s", strerror(errno));
	fd = open(path, flags, 0644);
	if (fd < 0)
		die("open: %s", strerror(errno));
}

static void check_size(const char *how)
{
	struct stat st;
	off_t end;

	if (fstat(fd, &st) < 0)
		die("fstat: %s", strerror(errno));
	if ((size_t)st.st_size != size)
		die("%s: fstat says %lld bytes, the model %zu", how, (long long)st.st_size, size);
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || (size_t)end != size)
		die("%s: SEEK_END is %lld, the model's size %zu", how, (long long)end, size);
}

static void op_write(void)
{
	size_t off = pick(MAXLEN - 1), n = 1 + pick(MAXOP), i;

	if (off + n > MAXLEN)
		n = MAXLEN - off;
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)next();
	note("write %zu bytes at %zu (size %zu)", n, off, size);
	if (pwrite(fd, buf, n, off) != (ssize_t)n)
		die("pwrite: %s", strerror(errno));
	if (off > size)
		memset(model + size, 0, off - size);
	memcpy(model + off, buf, n);
	if (off + n > size)
		size = off + n;
}

static void op_truncate(void)
{
	size_t to = pick(MAXLEN);

	note("truncate to %zu (size %zu)", to, size);
	if (ftruncate(fd, to) < 0)
		die("ftruncate: %s", strerror(errno));
	if (to > size)
		memset(model + size, 0, to - size);
	size = to;
}

static void op_read(void)
{
	size_t off = pick(size + 1), n = 1 + pick(MAXOP), want;
	ssize_t got;

	note("read %zu bytes at %zu (size %zu)", n, off, size);
	got = pread(fd, buf, n, off);
	want = off >= size ? 0 : (size - off < n ? size - off : n);
	if (got < 0)
		die("pread: %s", strerror(errno));
	if ((size_t)got != want)
		die("pread of %zu at %zu gave %zd bytes, the model %zu", n, off, got, want);
	check_bytes(buf, off, want, "pread");
}

static void op_map(void)
{
	size_t off, n, i;
	unsigned char *m;

	if (!size)
		return;
	off = pick(size);
	n = 1 + pick(size - off < 4096 ? size - off : 4096);
	note("map %zu bytes and change %zu at %zu", size, n, off);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	check_bytes(m, 0, size, "a read through the map");
	for (i = 0; i < n; i++)
		m[off + i] = model[off + i] = (unsigned char)next();
	if (msync(m, size, MS_SYNC) < 0)
		die("msync: %s", strerror(errno));
	munmap(m, size);
}

/* The whole file as another open reads it: of this mount, or another. */
static void check_whole(const char *file, const char *how)
{
	ssize_t got;
	size_t at = 0;
	int f = open(file, O_RDONLY);

	if (f < 0)
		die("%s: open: %s", how, strerror(errno));
	while ((got = read(f, buf + at, MAXLEN + 1 - at)) > 0)
		at += got;
	if (got < 0)
		die("%s: read: %s", how, strerror(errno));
	close(f);
	if (at != size)
		die("%s: %zu bytes, the model %zu", how, at, size);
	check_bytes(buf, 0, size, how);
}

/* A rewrite, as `>` opens a file: the model starts empty, and what is
 * written shows on this mount (its size too) before it is stored. */
static void op_rewrite(void)
{
	int i, n = 1 + pick(8);

	note("rewrite with %d writes", n);
	open_file(O_WRONLY | O_TRUNC);
	size = 0;
	check_size("a rewrite just opened");
	for (i = 0; i < n; i++) {
		if (pick(4))
			op_write();
		else
			op_truncate();
		note("  in a rewrite, size %zu", size);
		check_size("in a rewrite");
		if (!pick(4))
			check_whole(path, "a rewrite read on its own mount");
	}
	open_file(O_RDWR);
	check_whole(path, "a rewrite once stored");
}

int main(int argc, char **argv)
{
	long ops = 100000, seed = 1;
	int k;

	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: fs-fsx FILE [OPS [SEED [OTHER]]]\n");
		return 2;
	}
	path = argv[1];
	if (argc > 2)
		ops = atol(argv[2]);
	if (argc > 3)
		seed = atol(argv[3]);
	if (argc > 4)
		other = argv[4];
	rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)seed;
	signal(SIGBUS, on_signal);
	signal(SIGSEGV, on_signal);
	model = calloc(MAXLEN, 1);
	buf = malloc(MAXLEN + 1);
	if (!model || !buf)
		return 1;
	unlink(path);
	open_file(O_RDWR | O_CREAT | O_EXCL);
	for (opno = 0; opno < ops; opno++) {
		k = pick(100);
		if (k < 35)
			op_write();
		else if (k < 45)
			op_truncate();
		else if (k < 80)
			op_read();
		else if (k < 90) {
			note("size (model %zu)", size);
			check_size("size");
		} else if (k < 93) {
			op_map();
		} else if (k < 95) {
			note("fsync");
			if (fsync(fd) < 0)
				die("fsync: %s", strerror(errno));
		} else if (k < 98) {
			note("close and open");
			open_file(O_RDWR);
		} else {
			op_rewrite();
		}
		if (other && opno % 500 == 499) {
			note("read it all through the other mount (size %zu)", size);
			check_whole(other, "through the other mount");
		}
	}
	close(fd);
	check_whole(path, "at the end");
	printf("ok 1 - %ld operations on %s, seed %ld, all as the model has them\n1..1\n",
	       ops, path, seed);
	return 0;
}
