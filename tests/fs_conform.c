/* fs-conform: the system calls a mounted tree supports, checked as POSIX
 * and Linux have them, and the errno of each it does not (mgrfs(7)).
 *
 *   fs-conform DIR      an empty directory on the mount
 *
 * Each check is one TAP line.  Run by tests/fs/fs_conform.sh on a mount of
 * a fresh manager; it works on any file system but for the calls mgrfs
 * refuses (chown to another owner, links, devices, extended attributes),
 * which a local disk allows. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static int ntests, nfailed;
static char dir[4096];

static void ok(bool pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		nfailed++;
	fflush(stdout);
}

/* The call returned r: check it is 0 (or >= 0), else say errno. */
#define OK0(call, ...) do { \
	errno = 0; \
	long r_ = (long)(call); \
	ok(r_ >= 0, __VA_ARGS__); \
	if (r_ < 0) \
		printf("#   %s: %s\n", #call, strerror(errno)); \
} while (0)

/* The call fails with errno e. */
#define FAILS(e, call, ...) do { \
	errno = 0; \
	long r_ = (long)(call); \
	int e_ = errno; \
	ok(r_ < 0 && e_ == (e), __VA_ARGS__); \
	if (!(r_ < 0 && e_ == (e))) \
		printf("#   %s: want %s, got %ld (%s)\n", #call, strerrorname_np(e), r_, \
		       r_ < 0 ? strerrorname_np(e_) : "no error"); \
} while (0)

static const char *p(const char *name)
{
	static char bufs[4][8192];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static off_t size_of(const char *name)
{
	struct stat st;

	return stat(p(name), &st) < 0 ? -1 : st.st_size;
}

/* The whole content of name, NUL-terminated, in a static buffer. */
static const char *content(const char *name)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(p(name), O_RDONLY);

	buf[0] = '\0';
	if (fd < 0)
		return "(cannot open)";
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void put(const char *name, const char *text)
{
	int fd = open(p(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) < 0)
		printf("# cannot write %s: %s\n", name, strerror(errno));
}

static void test_create_open(void)
{
	struct stat st;
	char buf[16];
	int fd;

	fd = open(p("new"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	ok(fd >= 0, "open O_CREAT|O_EXCL makes a file");
	OK0(close(fd), "and closes");
	ok(stat(p("new"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
	   st.st_nlink == 1, "a regular file of size 0 with one link");
	FAILS(EEXIST, open(p("new"), O_WRONLY | O_CREAT | O_EXCL, 0644), "O_EXCL of a name that exists: EEXIST");
	FAILS(ENOENT, open(p("nodir/x"), O_WRONLY | O_CREAT, 0644), "O_CREAT in a missing directory: ENOENT");
	FAILS(ENOENT, open(p("missing"), O_RDONLY), "open of a missing name: ENOENT");
	memset(buf, 'n', sizeof(buf));
	{
		char name[300];

		memset(name, 'n', 256);
		name[256] = '\0';
		FAILS(ENAMETOOLONG, open(p(name), O_WRONLY | O_CREAT, 0644), "a name of 256 bytes: ENAMETOOLONG");
	}
	put("f", "hello\n");
	fd = open(p("f"), O_RDONLY);
	FAILS(EBADF, write(fd, "x", 1), "write to an O_RDONLY file: EBADF");
	close(fd);
	fd = open(p("f"), O_WRONLY);
	FAILS(EBADF, read(fd, buf, 1), "read of an O_WRONLY file: EBADF");
	close(fd);
	FAILS(ENOTDIR, open(p("f"), O_RDONLY | O_DIRECTORY), "O_DIRECTORY of a file: ENOTDIR");
	OK0(mkdir(p("d"), 0755), "mkdir");
	FAILS(EISDIR, open(p("d"), O_WRONLY), "a directory opened to write: EISDIR");
	fd = open(p("f"), O_WRONLY | O_TRUNC);
	ok(fd >= 0 && close(fd) == 0 && size_of("f") == 0, "O_TRUNC empties the file");
	put("f", "abc");
	fd = open(p("f"), O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	OK0(write(fd, "de", 2), "O_APPEND write");
	close(fd);
	ok(!strcmp(content("f"), "abcde"), "O_APPEND writes at the end whatever the offset");
	fd = open(p("f"), O_RDWR | O_TRUNC);
	OK0(write(fd, "xyz", 3), "O_RDWR|O_TRUNC write");
	ok(pread(fd, buf, sizeof(buf), 0) == 3 && !memcmp(buf, "xyz", 3), "reads back what it wrote");
	close(fd);
	ok(!strcmp(content("f"), "xyz"), "and holds it");
}

static void test_offsets(void)
{
	char buf[64];
	struct stat st;
	int fd = open(p("o"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	OK0(pwrite(fd, "end", 3, 10), "pwrite past the end");
	ok(fstat(fd, &st) == 0 && st.st_size == 13, "fstat shows the new size");
	ok(pread(fd, buf, sizeof(buf), 0) == 13 && !memcmp(buf, "\0\0\0\0\0\0\0\0\0\0end", 13),
	   "the gap reads as zeros");
	OK0(pwrite(fd, "AB", 2, 3), "pwrite inside");
	ok(pread(fd, buf, 4, 2) == 4 && !memcmp(buf, "\0AB\0", 4), "pread of a range");
	ok(pread(fd, buf, 4, 13) == 0, "pread at the end reads nothing");
	ok(lseek(fd, 0, SEEK_END) == 13, "SEEK_END is the size");
	OK0(write(fd, "+", 1), "write at SEEK_END");
	ok(size_of("o") == 14, "stat by path sees it");
	OK0(fsync(fd), "fsync");
	OK0(fdatasync(fd), "fdatasync");
	OK0(close(fd), "close");
}

static void test_truncate(void)
{
	struct stat st;
	char buf[16];
	int fd;

	put("t", "0123456789");
	OK0(truncate(p("t"), 4), "truncate shortens");
	ok(!strcmp(content("t"), "0123"), "to what it says");
	OK0(truncate(p("t"), 6), "truncate extends");
	ok(size_of("t") == 6 && !memcmp(content("t"), "0123\0\0", 6), "with zeros");
	fd = open(p("t"), O_RDWR);
	OK0(ftruncate(fd, 2), "ftruncate shortens");
	ok(fstat(fd, &st) == 0 && st.st_size == 2, "fstat shows it");
	ok(pread(fd, buf, sizeof(buf), 0) == 2, "and reads stop there");
	close(fd);
	fd = open(p("t"), O_RDONLY);
	FAILS(EINVAL, ftruncate(fd, 0), "ftruncate of an O_RDONLY file: EINVAL");
	close(fd);
	FAILS(EISDIR, truncate(p("d"), 0), "truncate of a directory: EISDIR");
	/* A rewrite not yet stored has its size on this mount. */
	fd = open(p("t"), O_WRONLY | O_TRUNC);
	OK0(write(fd, "0123456789", 10), "a rewrite's write");
	ok(fstat(fd, &st) == 0 && st.st_size == 10, "fstat shows the rewrite's size");
	ok(size_of("t") == 10, "so does stat by path");
	ok(lseek(fd, 0, SEEK_END) == 10, "and SEEK_END");
	OK0(ftruncate(fd, 3), "ftruncate of a rewrite");
	ok(fstat(fd, &st) == 0 && st.st_size == 3, "fstat follows");
	OK0(close(fd), "close stores it");
	ok(!strcmp(content("t"), "012"), "as it was left");
}

static void test_rename(void)
{
	struct stat st;

	put("r1", "one");
	OK0(rename(p("r1"), p("r2")), "rename a file");
	ok(!strcmp(content("r2"), "one") && stat(p("r1"), &st) < 0, "it is at the new name only");
	put("r3", "three");
	OK0(rename(p("r2"), p("r3")), "rename over a file");
	ok(!strcmp(content("r3"), "one"), "replaces it");
	OK0(rename(p("r3"), p("r3")), "rename to itself");
	OK0(rename(p("r3"), p("d/r3")), "rename into a directory");
	ok(!strcmp(content("d/r3"), "one"), "moves it there");
	OK0(mkdir(p("rd"), 0755), "mkdir");
	put("rd/in", "in");
	OK0(rename(p("rd"), p("rd2")), "rename a directory");
	ok(!strcmp(content("rd2/in"), "in"), "with what is in it");
	OK0(mkdir(p("empty"), 0755), "mkdir");
	OK0(rename(p("rd2"), p("empty")), "rename a directory over an empty one");
	ok(!strcmp(content("empty/in"), "in"), "replaces it");
	OK0(mkdir(p("full"), 0755), "mkdir");
	put("full/x", "x");
	FAILS(ENOTEMPTY, rename(p("empty"), p("full")), "over a directory that is not empty: ENOTEMPTY");
	FAILS(EISDIR, rename(p("d/r3"), p("full")), "a file over a directory: EISDIR");
	FAILS(ENOTDIR, rename(p("full"), p("d/r3")), "a directory over a file: ENOTDIR");
	FAILS(EINVAL, rename(p("full"), p("full/sub")), "a directory into itself: EINVAL");
	FAILS(ENOENT, rename(p("nothing"), p("x")), "a missing name: ENOENT");
	FAILS(ENOENT, rename(p("d/r3"), p("nodir/x")), "into a missing directory: ENOENT");
	FAILS(EEXIST, renameat2(AT_FDCWD, p("d/r3"), AT_FDCWD, p("full/x"), RENAME_NOREPLACE),
	      "RENAME_NOREPLACE over a name: EEXIST");
	OK0(renameat2(AT_FDCWD, p("d/r3"), AT_FDCWD, p("r4"), RENAME_NOREPLACE),
	    "RENAME_NOREPLACE to a free name");
	FAILS(EINVAL, renameat2(AT_FDCWD, p("r4"), AT_FDCWD, p("full/x"), RENAME_EXCHANGE),
	      "RENAME_EXCHANGE is not supported: EINVAL");
}

static void test_dirs(void)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int n = 0;

	OK0(mkdir(p("m"), 0755), "mkdir");
	FAILS(EEXIST, mkdir(p("m"), 0755), "mkdir of a name that exists: EEXIST");
	FAILS(ENOENT, mkdir(p("no/m"), 0755), "mkdir in a missing directory: ENOENT");
	ok(stat(p("m"), &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 2, "a directory has 2 links");
	OK0(mkdir(p("m/a"), 0755), "mkdir inside");
	OK0(mkdir(p("m/b"), 0755), "mkdir inside");
	put("m/f", "f");
	ok(stat(p("m"), &st) == 0 && st.st_nlink == 4, "and 2 more for 2 subdirectories");
	d = opendir(p("m"));
	while (d && (e = readdir(d)))
		n++;
	if (d)
		closedir(d);
	ok(n == 5, "readdir lists ., .. and the 3 names");
	FAILS(ENOTEMPTY, rmdir(p("m")), "rmdir of a directory that is not empty: ENOTEMPTY");
	FAILS(ENOTDIR, rmdir(p("m/f")), "rmdir of a file: ENOTDIR");
	FAILS(ENOENT, rmdir(p("m/none")), "rmdir of a missing name: ENOENT");
	FAILS(EISDIR, unlink(p("m/a")), "unlink of a directory: EISDIR");
	OK0(rmdir(p("m/a")), "rmdir");
	OK0(unlink(p("m/f")), "unlink");
	FAILS(ENOENT, unlink(p("m/f")), "unlink of a missing name: ENOENT");
	ok(stat(p("m"), &st) == 0 && st.st_nlink == 3, "the link count follows");
}

static void test_times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
	struct stat st, st2;
	int fd;

	put("tm", "x");
	OK0(utimensat(AT_FDCWD, p("tm"), ts, 0), "utimensat sets times");
	ok(stat(p("tm"), &st) == 0 && st.st_mtim.tv_sec == 1100000000 &&
	   st.st_mtim.tv_nsec == 987654321, "mtime to the nanosecond");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	OK0(utimensat(AT_FDCWD, p("tm"), ts, 0), "utimensat UTIME_NOW");
	ok(stat(p("tm"), &st) == 0 && st.st_mtim.tv_sec > 1700000000, "mtime is now");
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	stat(p("tm"), &st);
	OK0(utimensat(AT_FDCWD, p("tm"), ts, 0), "utimensat UTIME_OMIT of mtime");
	ok(stat(p("tm"), &st2) == 0 && st2.st_mtim.tv_sec == st.st_mtim.tv_sec &&
	   st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec, "leaves mtime");
	/* Reading leaves both times; writing moves both. */
	stat(p("tm"), &st);
	content("tm");
	ok(stat(p("tm"), &st2) == 0 && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
	   st2.st_ctim.tv_nsec == st.st_ctim.tv_nsec, "a read moves no time");
	fd = open(p("tm"), O_WRONLY | O_APPEND);
	write(fd, "y", 1);
	close(fd);
	ok(stat(p("tm"), &st2) == 0 && (st2.st_mtim.tv_sec > st.st_mtim.tv_sec ||
	   st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec), "a write moves mtime");
	ok(st2.st_ctim.tv_sec == st2.st_mtim.tv_sec && st2.st_ctim.tv_nsec == st2.st_mtim.tv_nsec,
	   "and ctime with it");
}

/* The calls mgrfs does not take, and that what fails changes nothing. */
static void test_unsupported(void)
{
	struct stat st, st2;

	put("u", "u");
	stat(p("u"), &st);
	FAILS(EPERM, chown(p("u"), st.st_uid + 1, -1), "chown to another owner: EPERM");
	FAILS(EPERM, chown(p("u"), -1, st.st_gid + 1), "chgrp to another group: EPERM");
	ok(stat(p("u"), &st2) == 0 && st2.st_ctim.tv_sec == st.st_ctim.tv_sec &&
	   st2.st_ctim.tv_nsec == st.st_ctim.tv_nsec, "a refused chown leaves ctime");
	OK0(chown(p("u"), st.st_uid, st.st_gid), "chown to the owner shown is a no-op");
	FAILS(EPERM, link(p("u"), p("u2")), "link: EPERM");
	FAILS(EPERM, symlink("u", p("u3")), "symlink: EPERM");
	FAILS(EPERM, mknod(p("dev"), S_IFCHR | 0600, makedev(1, 3)), "a device: EPERM");
	FAILS(ENOTSUP, setxattr(p("u"), "user.x", "1", 1, 0), "setxattr: ENOTSUP");
	FAILS(ENODATA, getxattr(p("u"), "user.none", NULL, 0), "a missing attribute: ENODATA");
	ok(stat(p("u"), &st2) == 0 && st2.st_ctim.tv_nsec == st.st_ctim.tv_nsec,
	   "nothing refused moved ctime");
}

static void test_unlinked(void)
{
	struct stat st;
	char buf[16];
	int fd;

	put("ul", "kept");
	fd = open(p("ul"), O_RDWR);
	OK0(unlink(p("ul")), "unlink of an open file");
	ok(fstat(fd, &st) == 0 && st.st_nlink == 0, "fstat shows no links");
	ok(pread(fd, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "kept", 4), "it still reads");
	OK0(pwrite(fd, "more", 4, 4), "and takes writes");
	ok(pread(fd, buf, sizeof(buf), 0) == 8 && !memcmp(buf, "keptmore", 8), "which read back");
	OK0(close(fd), "close of an unlinked file after a write is 0");
	fd = open(p("ul2"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "x", 1);
	OK0(unlink(p("ul2")), "unlink of a file being rewritten");
	OK0(close(fd), "whose close is 0");
}

static void test_mmap(void)
{
	char *m;
	int fd;

	put("mm", "0123456789");
	fd = open(p("mm"), O_RDWR);
	m = mmap(NULL, 10, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok(m != MAP_FAILED, "mmap MAP_SHARED of a value");
	if (m == MAP_FAILED) {
		close(fd);
		return;
	}
	ok(!memcmp(m, "0123456789", 10), "maps its bytes");
	memcpy(m + 2, "AB", 2);
	OK0(msync(m, 10, MS_SYNC), "msync");
	munmap(m, 10);
	close(fd);
	ok(!strcmp(content("mm"), "01AB456789"), "what was written to the map is stored");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fs-conform DIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	test_create_open();
	test_offsets();
	test_truncate();
	test_rename();
	test_dirs();
	test_times();
	test_unsupported();
	test_unlinked();
	test_mmap();
	printf("1..%d\n", ntests);
	if (nfailed)
		printf("# %d of %d failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
