/* A value's content as bytes, in pieces, so that a value of any size goes
 * through without a frame or a buffer holding it whole: cat prints it (or a
 * range), store replaces it at once from a stage, write changes a range in
 * place, touch sets its modification time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "json.h"
#include "mgrctl.h"

/* Bytes moved by one request: well within a frame once in base64. */
#define PIECE ((size_t)1 << 20)

/* A byte count or offset from the command line. */
static int parse_count(struct sess *s, const struct cmd *cmd, const char *arg, uint64_t *out)
{
	if (opts_parse_u64(arg, out) < 0)
		return sess_usage_err(s, cmd, "not a count of bytes: '%s'", arg);
	return ST_OK;
}

static int write_all(struct sess *s, const char *data, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(1, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sess_fail(s, errno, "writing standard output: %s", strerror(errno));
		data += n;
		len -= n;
	}
	return ST_OK;
}

/* cat PATH [OFFSET [LENGTH]]: the content, or LENGTH bytes of it from
 * OFFSET, on standard output as it is. */
int cmd_cat(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	    char **argv)
{
	struct mgr_buf data = MGR_BUF_INIT;
	uint64_t off = 0, left = UINT64_MAX, size;
	struct mgr_reply rep;
	struct mgr_req r;
	const char *b64;
	int st = ST_OK;

	if (argc > 1)
		st = parse_count(s, cmd, argv[1], &off);
	if (!st && argc > 2)
		st = parse_count(s, cmd, argv[2], &left);
	while (!st && left) {
		st = sess_req_begin(s, o, &r, "read", argv[0]);
		if (st)
			break;
		if (mgr_json_kv_u64(r.g, "offset", off) < 0 ||
		    mgr_json_kv_u64(r.g, "length", left < PIECE ? left : PIECE) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
		if (!st)
			st = sess_call(s, &r, &rep);
		mgr_req_release(&r);
		if (st)
			break;
		data.len = 0;
		size = 0;
		if (mgr_json_get_str(rep.result, "bytes", &b64) < 0 ||
		    mgr_json_get_u64(rep.result, "size", &size) < 0 ||
		    mgr_base64_decode(b64, strlen(b64), &data) < 0)
			st = sess_fail(s, EPROTO, "the manager's answer is not a piece of content");
		if (!st)
			st = write_all(s, data.data, data.len);
		mgr_reply_release(&rep);
		off += data.len;
		left -= data.len;
		/* The end, or a value cut short while it was read. */
		if (!data.len || off >= size)
			break;
	}
	mgr_buf_release(&data);
	return st;
}

/* The next piece of fd into b (at most PIECE bytes; none at the end). */
static int read_piece(struct sess *s, int fd, struct mgr_buf *b)
{
	ssize_t n;

	b->len = 0;
	if (mgr_buf_reserve(b, PIECE) < 0)
		return sess_fail(s, ENOMEM, "out of memory");
	while (b->len < PIECE) {
		n = read(fd, b->data + b->len, PIECE - b->len);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sess_fail(s, errno, "reading: %s", strerror(errno));
		b->len += n;
	}
	return ST_OK;
}

/* Send op with member "stage" (when stage is not 0) or on path, "offset"
 * and the piece as "bytes". */
static int send_piece(struct sess *s, const struct opts *o, const char *op, const char *path,
		      uint64_t stage, uint64_t off, const struct mgr_buf *piece)
{
	struct mgr_reply rep;
	struct mgr_req r;
	int st = sess_req_begin(s, o, &r, op, stage ? NULL : path);

	if (st)
		return st;
	if ((stage && mgr_json_kv_u64(r.g, "stage", stage) < 0) ||
	    mgr_json_kv_u64(r.g, "offset", off) < 0 ||
	    mgr_json_kv_base64(r.g, "bytes", piece->data, piece->len) < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	if (!st)
		st = sess_call(s, &r, &rep);
	if (!st)
		mgr_reply_release(&rep);
	mgr_req_release(&r);
	return st;
}

/* The descriptor to read: FILE, or standard input for none or "-". */
static int open_input(struct sess *s, int argc, char **argv, int i, int *fd)
{
	*fd = 0;
	if (argc <= i || !strcmp(argv[i], "-")) {
		if (s->in_batch)
			return sess_usage_err(s, NULL, "standard input is the batch: name a file");
		return ST_OK;
	}
	*fd = open(argv[i], O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return sess_fail(s, errno, "%s: %s", argv[i], strerror(errno));
	return ST_OK;
}

/* store PATH [FILE|-]: the value becomes FILE's bytes (standard input's),
 * made if missing.  They go to a stage in pieces and are committed at
 * once: readers see the old value until the end, never a part. */
int cmd_store(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	struct mgr_buf piece = MGR_BUF_INIT;
	struct mgr_reply rep;
	struct mgr_req r;
	uint64_t stage = 0, off = 0;
	int fd, st = open_input(s, argc, argv, 1, &fd);

	if (!st)
		st = sess_req_begin(s, o, &r, "stage", NULL);
	if (st)
		goto out;
	st = sess_call(s, &r, &rep);
	mgr_req_release(&r);
	if (!st && mgr_json_get_u64(rep.result, "stage", &stage) < 0)
		st = sess_fail(s, EPROTO, "the manager's answer has no stage");
	if (!st)
		mgr_reply_release(&rep);
	while (!st) {
		st = read_piece(s, fd, &piece);
		if (st || !piece.len)
			break;
		st = send_piece(s, o, "stage_write", argv[0], stage, off, &piece);
		off += piece.len;
	}
	/* A stage left behind goes with the session. */
	if (!st)
		st = sess_req_begin(s, o, &r, "commit", argv[0]);
	if (!st) {
		if (mgr_json_kv_u64(r.g, "stage", stage) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
		st = print_call(s, o, &r, st, OUT_NONE);
	}
out:
	if (fd > 0)
		close(fd);
	mgr_buf_release(&piece);
	return st;
}

/* write PATH OFFSET [FILE|-]: FILE's bytes at OFFSET, a piece at a time,
 * each applied as it comes (not at once: store is for that). */
int cmd_write(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	struct mgr_buf piece = MGR_BUF_INIT;
	uint64_t off;
	int fd = -1, st = parse_count(s, cmd, argv[1], &off);

	if (!st)
		st = open_input(s, argc, argv, 2, &fd);
	while (!st) {
		st = read_piece(s, fd, &piece);
		if (st || !piece.len)
			break;
		st = send_piece(s, o, "write", argv[0], 0, off, &piece);
		off += piece.len;
	}
	if (fd > 0)
		close(fd);
	mgr_buf_release(&piece);
	return st;
}

/* SECONDS[.FRACTION] (or @SECONDS, as touch -d takes it) since the epoch,
 * in nanoseconds, exactly: no binary fraction in between. */
static int parse_time(const char *arg, int64_t *ns)
{
	const char *dot, *p;
	int64_t sec, frac = 0;
	int digits = 0;

	if (*arg == '@')
		arg++;
	dot = strchr(arg, '.');
	if (opts_parse_i64(arg, dot ? (size_t)(dot - arg) : strlen(arg), &sec) < 0 ||
	    sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return -EINVAL;
	for (p = dot ? dot + 1 : ""; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (digits < 9) {
			frac = frac * 10 + (*p - '0');
			digits++;
		}
	}
	while (digits++ < 9)
		frac *= 10;
	*ns = sec * 1000000000 + (arg[0] == '-' ? -frac : frac);
	return 0;
}

/* touch PATH [SECONDS]: set the modification time (now by default). */
int cmd_touch(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
	      char **argv)
{
	struct mgr_req r;
	int64_t ns;
	int st;

	if (argc > 1 && parse_time(argv[1], &ns) < 0)
		return sess_usage_err(s, cmd, "not a time in seconds since the epoch: '%s'",
				      argv[1]);
	st = sess_req_begin(s, o, &r, "utime", argv[0]);
	if (!st && argc > 1 && mgr_json_kv_i64(r.g, "mtime_ns", ns) < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	return print_call(s, o, &r, st, OUT_NONE);
}
