/* mgr-bench-fs: the system calls of tools/bench_fs.sh, timed in a tight
 * loop so that what is measured is the file system, not a shell's fork.
 *
 *   mgr-bench-fs read  FILE [SECONDS]    open, read, close
 *   mgr-bench-fs write FILE [SECONDS]    open(O_TRUNC), write, close
 *   mgr-bench-fs queue FILE [SECONDS]    items through an mgrfs queue
 *   mgr-bench-fs pipe  FILE [SECONDS]    lines through a FIFO, for scale
 *   mgr-bench-fs fill  FILE N            N lines into a queue, as seq writes them
 *   mgr-bench-fs drain FILE N            N items out of a queue, one a read()
 *   mgr-bench-fs append FILE,FILE2 [SECONDS]  appends from two processes
 *   mgr-bench-fs copy SRC,DST            a copy, as cp makes it
 *
 * Each prints one rate a second.  For queue and pipe, a producer process
 * writes one line a write() for SECONDS, then the line "end", and a
 * consumer process, with the file opened once, counts the items it reads
 * until "end", from the moment both are ready: the rate is items end to
 * end.  On an mgrfs queue the consumer checks that each read() returns one
 * whole item and the next one end of file, as mgrfs(1) says; a FIFO keeps
 * no items apart, so there lines are counted.  fill writes lines a
 * buffer at a time, as stdio does (seq 1 N > q); drain takes them back
 * with the consumer's system calls, from the queue fill left.  append runs
 * a process on each of two names of one file (the same file through two
 * mounts) that each write a line a write() with O_APPEND, and prints the
 * lines a second of both; copy reads SRC and writes DST in cp's pieces of
 * 128 KiB and prints megabytes (10^6 bytes) a second. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define VALUE "42\n"
#define ITEM "0123456789abcdef\n"
#define END "end\n"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "mgr-bench-fs: %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

/* Open, read and close path for seconds; the rate goes to *rate. */
static int bench_read(const char *path, double seconds, double *rate)
{
	char buf[4096];
	double t0, t;
	long n = 0;
	ssize_t r;
	int fd;

	t0 = t = now_s();
	while (t - t0 < seconds) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return fail("open", path);
		r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			if (r == 0)
				errno = ENODATA;
			close(fd);
			return fail("read", path);
		}
		if (close(fd) < 0)
			return fail("close", path);
		if ((++n & 31) == 0)
			t = now_s();
	}
	*rate = n / (now_s() - t0);
	return 0;
}

/* Replace path's content for seconds, as echo 42 > path does. */
static int bench_write(const char *path, double seconds, double *rate)
{
	double t0, t;
	long n = 0;
	int fd;

	t0 = t = now_s();
	while (t - t0 < seconds) {
		fd = open(path, O_WRONLY | O_TRUNC);
		if (fd < 0)
			return fail("open", path);
		if (write(fd, VALUE, strlen(VALUE)) != (ssize_t)strlen(VALUE)) {
			close(fd);
			return fail("write", path);
		}
		/* The value is stored at close: its failure is the write's. */
		if (close(fd) < 0)
			return fail("close", path);
		if ((++n & 31) == 0)
			t = now_s();
	}
	*rate = n / (now_s() - t0);
	return 0;
}

static void die(const char *what, const char *path)
{
	fail(what, path);
	_exit(1);
}

static void write_all(int fd, const char *s, size_t len, const char *path)
{
	ssize_t w;

	while (len) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write", path);
		s += w;
		len -= w;
	}
}

/* Write one item a write() for seconds, then "end", and close. */
static void producer(const char *path, double seconds, int go)
{
	double t0, t;
	long n = 0;
	char c;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		die("open", path);
	if (read(go, &c, 1) != 0)
		die("start", path);
	t0 = t = now_s();
	while (t - t0 < seconds) {
		write_all(fd, ITEM, strlen(ITEM), path);
		if ((++n & 31) == 0)
			t = now_s();
	}
	write_all(fd, END, strlen(END), path);
	if (close(fd) < 0)
		die("close", path);
	_exit(0);
}

/* Write n items into path, as many whole lines a write() as fit in a
 * buffer of stdio's size; the rate goes to *rate. */
static int bench_fill(const char *path, long n, double *rate)
{
	char buf[4096];
	size_t per = sizeof(buf) / strlen(ITEM), k;
	double t0;
	long left = n;
	int fd;

	for (k = 0; k < per; k++)
		memcpy(buf + k * strlen(ITEM), ITEM, strlen(ITEM));
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return fail("open", path);
	t0 = now_s();
	while (left > 0) {
		k = left < (long)per ? (size_t)left : per;
		write_all(fd, buf, k * strlen(ITEM), path);
		left -= k;
	}
	if (close(fd) < 0)
		return fail("close", path);
	*rate = n / (now_s() - t0);
	return 0;
}

/* Read one item: a read() that returns one whole line, and the one after
 * it end of file.  Its length, or -1 with a message. */
static int read_item(int fd, char *buf, size_t size, const char *path)
{
	ssize_t r, end;

	while ((r = read(fd, buf, size)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return fail("read", path);
	if (r == 0 || (size_t)r == size || buf[r - 1] != '\n' ||
	    memchr(buf, '\n', r) != buf + r - 1) {
		errno = EPROTO;
		return fail("read of one item from", path);
	}
	while ((end = read(fd, buf + r, size - r)) < 0 && errno == EINTR)
		;
	if (end != 0) {
		errno = end < 0 ? errno : EPROTO;
		return fail("read of an item's end from", path);
	}
	return (int)r;
}

/* Take n items out of path, one a read() and the read() that ends it. */
static int bench_drain(const char *path, long n, double *rate)
{
	char buf[4096];
	double t0;
	long i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open", path);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (read_item(fd, buf, sizeof(buf), path) < 0) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	*rate = n / (now_s() - t0);
	return 0;
}

/* Read an mgrfs queue until "end": each read() returns one whole item,
 * and the one after it end of file.  Returns the items before "end". */
static long consume_queue(int fd, const char *path)
{
	char buf[4096];
	long items = 0;
	int r;

	for (;;) {
		r = read_item(fd, buf, sizeof(buf), path);
		if (r < 0)
			_exit(1);
		if ((size_t)r == strlen(END) && memcmp(buf, END, r) == 0)
			return items;
		items++;
	}
}

/* Read a FIFO to its end, where the producer closed it: lines may come
 * several to a read(), or split.  Returns the lines before "end". */
static long consume_pipe(int fd, const char *path)
{
	char buf[4096];
	long lines = 0;
	ssize_t r, i;

	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read", path);
		if (r == 0)
			return lines - 1;
		for (i = 0; i < r; i++)
			lines += buf[i] == '\n';
	}
}

/* Count the items that come until "end"; the rate goes to out. */
static void consumer(const char *path, bool fifo, int go, int out)
{
	double t0, rate;
	long items;
	char c;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open", path);
	if (read(go, &c, 1) != 0)
		die("start", path);
	t0 = now_s();
	items = fifo ? consume_pipe(fd, path) : consume_queue(fd, path);
	rate = items / (now_s() - t0);
	if (write(out, &rate, sizeof(rate)) != sizeof(rate))
		die("report", path);
	_exit(0);
}

/* Both processes open the file (a FIFO's opens wait for each other), then
 * start together when go is closed. */
static int bench_queue(const char *path, bool fifo, double seconds, double *rate)
{
	int go[2], out[2], status, i, err = 0;
	pid_t pid[2];

	if (pipe(go) < 0 || pipe(out) < 0)
		return fail("pipe", "");
	fflush(NULL);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return fail("fork", "");
		if (pid[i] == 0) {
			close(go[1]);
			close(out[0]);
			/* A guard against a wedged run, far beyond its length. */
			alarm((unsigned)seconds + 60);
			if (i == 0)
				producer(path, seconds, go[0]);
			consumer(path, fifo, go[0], out[1]);
		}
	}
	close(go[0]);
	close(out[1]);
	close(go[1]);
	if (read(out[0], rate, sizeof(*rate)) != sizeof(*rate))
		err = -1;
	close(out[0]);
	for (i = 0; i < 2; i++) {
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			err = -1;
	}
	if (err)
		fprintf(stderr, "mgr-bench-fs: queue %s: a process failed\n", path);
	return err;
}

/* Append a line a write() to path for seconds, from the moment go is
 * readable; write the count to out. */
static void appender(const char *path, double seconds, int go, int out)
{
	double t0;
	long n = 0;
	char c;
	int fd = open(path, O_WRONLY | O_APPEND);

	if (fd < 0)
		die("open", path);
	if (read(go, &c, 1) != 1)
		die("wait for", "the start");
	t0 = now_s();
	while (now_s() - t0 < seconds) {
		write_all(fd, ITEM, strlen(ITEM), path);
		n++;
	}
	close(fd);
	if (write(out, &n, sizeof(n)) != sizeof(n))
		die("report", "the count");
	_exit(0);
}

/* paths is "FILE,FILE2": a process appending to each at once. */
static int bench_append(const char *paths, double seconds, double *rate)
{
	char *two = strdup(paths), *comma = two ? strchr(two, ',') : NULL;
	int go[2], out[2], i, status;
	long n, total = 0;
	pid_t pid[2];

	if (!comma)
		return (fputs("mgr-bench-fs: append takes FILE,FILE2\n", stderr), -1);
	*comma = '\0';
	if (pipe(go) < 0 || pipe(out) < 0)
		return fail("pipe", "");
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			return fail("fork", "");
		if (pid[i] == 0)
			appender(i ? comma + 1 : two, seconds, go[0], out[1]);
	}
	if (write(go[1], "gg", 2) != 2)
		return fail("start", "");
	for (i = 0; i < 2; i++) {
		if (read(out[0], &n, sizeof(n)) != sizeof(n))
			return fail("count", "");
		total += n;
	}
	for (i = 0; i < 2; i++)
		waitpid(pid[i], &status, 0);
	free(two);
	*rate = total / seconds;
	return 0;
}

/* paths is "SRC,DST": copied as cp copies, megabytes a second. */
static int bench_copy(const char *paths, double *rate)
{
	static char buf[128 << 10];
	char *two = strdup(paths), *comma = two ? strchr(two, ',') : NULL;
	long long bytes = 0;
	double t0;
	ssize_t n;
	int in, out;

	if (!comma)
		return (fputs("mgr-bench-fs: copy takes SRC,DST\n", stderr), -1);
	*comma = '\0';
	t0 = now_s();
	in = open(two, O_RDONLY);
	out = open(comma + 1, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		return fail("open", in < 0 ? two : comma + 1);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		write_all(out, buf, n, comma + 1);
		bytes += n;
	}
	if (n < 0 || close(out) < 0)
		return fail(n < 0 ? "read" : "close", n < 0 ? two : comma + 1);
	close(in);
	*rate = bytes / 1e6 / (now_s() - t0);
	free(two);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 1.0, rate = 0;
	bool counted = argc > 1 && (!strcmp(argv[1], "fill") || !strcmp(argv[1], "drain"));
	bool copy = argc > 1 && !strcmp(argv[1], "copy");
	long n = 0;
	int err;

	if (argc == 4)
		seconds = atof(argv[3]);
	if (argc == 4 && counted)
		n = atol(argv[3]);
	if (argc < 3 || argc > 4 || seconds <= 0 || (counted && (argc != 4 || n != seconds)) ||
	    (copy && argc != 3)) {
		fputs("usage: mgr-bench-fs read|write|queue|pipe FILE [SECONDS]\n"
		      "       mgr-bench-fs fill|drain FILE N\n"
		      "       mgr-bench-fs append FILE,FILE2 [SECONDS]\n"
		      "       mgr-bench-fs copy SRC,DST\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "read") == 0)
		err = bench_read(argv[2], seconds, &rate);
	else if (strcmp(argv[1], "write") == 0)
		err = bench_write(argv[2], seconds, &rate);
	else if (strcmp(argv[1], "queue") == 0)
		err = bench_queue(argv[2], false, seconds, &rate);
	else if (strcmp(argv[1], "pipe") == 0)
		err = bench_queue(argv[2], true, seconds, &rate);
	else if (strcmp(argv[1], "fill") == 0)
		err = bench_fill(argv[2], n, &rate);
	else if (strcmp(argv[1], "drain") == 0)
		err = bench_drain(argv[2], n, &rate);
	else if (strcmp(argv[1], "append") == 0)
		err = bench_append(argv[2], seconds, &rate);
	else if (copy)
		err = bench_copy(argv[2], &rate);
	else
		err = (fputs("mgr-bench-fs: no such test\n", stderr), -1);
	if (err)
		return 1;
	printf("%.0f\n", rate);
	return 0;
}
