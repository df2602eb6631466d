/* Arguments into requests: values as JSON, strings or bytes, items from
 * the arguments or from standard input, slices, the members of a wait,
 * and the generic command, which is one request built from its row's
 * spec of positional arguments. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "datum.h"
#include "json.h"
#include "mgrctl.h"

/* Values on the command line. */

static int read_all(struct sess *s, int fd, struct mgr_buf *b)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == 0)
			return ST_OK;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sess_fail(s, errno, "reading standard input: %s", strerror(errno));
		}
		if (mgr_buf_append(b, chunk, n) < 0)
			return sess_fail(s, ENOMEM, "out of memory");
	}
}

/* A JSON argument that the manager would refuse: one nested too deeply, or
 * (as mgr_json_parse says) one whose strings cannot be kept.  Taking it
 * as a string instead would store something the user did not write. */
static int refused(struct sess *s, const char *what, const char *why)
{
	return sess_fail(s, EINVAL, "%s is JSON that cannot be stored: %s "
			 "(--string stores the text as a string, --bytes as bytes)", what, why);
}

/* Parse text as the JSON of a value: ST_OK and *v, ST_OK and NULL when it
 * is not JSON, or the error when it is but cannot be stored. */
static int parse_value(struct sess *s, const char *text, size_t len, yajl_val *v)
{
	char err[128];
	int r = mgr_json_parse(text, len, v, err, sizeof(err));

	if (r == -EINVAL)
		return ST_OK;
	if (r == -ENOMEM)
		return sess_fail(s, ENOMEM, "out of memory");
	/* The parser's own limit is the frame's; say the value's. */
	if (r < 0)
		return refused(s, "the value", r == -ELOOP ? mgr_datum_why(r) : err);
	if (mgr_json_depth(*v) > MGR_VALUE_DEPTH_MAX) {
		yajl_tree_free(*v);
		*v = NULL;
		return refused(s, "the value", mgr_datum_why(-ELOOP));
	}
	return ST_OK;
}

/* Emit text as a JSON value: what it parses as, else (or with --string)
 * the string itself. */
static int gen_text(struct sess *s, const struct opts *o, yajl_gen g, const char *text,
		    size_t len)
{
	yajl_val v = NULL;
	int r, st;

	if (!o->string) {
		st = parse_value(s, text, len, &v);
		if (st)
			return st;
	}
	if (v) {
		r = mgr_json_gen_tree(g, v);
		yajl_tree_free(v);
	} else {
		r = mgr_json_gen_strn(g, text, len);
	}
	if (r < 0)
		return sess_fail(s, EILSEQ,
				 "a value must be valid UTF-8 (use --bytes for other data)");
	return ST_OK;
}

/* "-" reads standard input, less one trailing newline unless it is taken
 * as bytes. */
int args_datum(struct sess *s, const struct opts *o, yajl_gen g, const char *arg)
{
	struct mgr_buf in = MGR_BUF_INIT;
	const char *data = arg;
	size_t len = strlen(arg);
	int st = ST_OK;

	if (!strcmp(arg, "-")) {
		if (s->in_batch)
			return sess_usage_err(s, NULL, "'-' cannot be used in batch: standard input is the batch");
		st = read_all(s, 0, &in);
		if (st)
			goto out;
		data = in.data ? in.data : "";
		len = in.len;
		if (!o->bytes && len && data[len - 1] == '\n')
			len--;
	}
	if (o->bytes) {
		if (mgr_json_kv_base64(g, "bytes", data, len) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
	} else if (mgr_json_gen_cstr(g, "value") < 0) {
		st = sess_fail(s, ENOMEM, "out of memory");
	} else {
		st = gen_text(s, o, g, data, len);
	}
out:
	mgr_buf_release(&in);
	return st;
}

/* One item of an array: its JSON, or for put_many a datum object. */
static int gen_item(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		    const char *text, size_t len)
{
	bool datum = cmd->op && !strcmp(cmd->op, "put_many");
	int st;

	if (datum && (yajl_gen_map_open(g) != yajl_gen_status_ok ||
		      mgr_json_gen_cstr(g, "value") < 0))
		return sess_fail(s, ENOMEM, "out of memory");
	st = gen_text(s, o, g, text, len);
	if (!st && datum && yajl_gen_map_close(g) != yajl_gen_status_ok)
		st = sess_fail(s, ENOMEM, "out of memory");
	return st;
}

int args_item_array(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		    int argc, char **argv)
{
	struct mgr_buf in = MGR_BUF_INIT;
	int i, st = ST_OK;

	if (o->bytes)
		return sess_usage_err(s, cmd, "items are JSON or strings; give bytes one at a time "
				      "(append or put with --bytes)");
	if (yajl_gen_array_open(g) != yajl_gen_status_ok)
		return sess_fail(s, ENOMEM, "out of memory");
	if (argc == 1 && !strcmp(argv[0], "-")) {
		size_t at = 0;

		if (s->in_batch)
			return sess_usage_err(s, cmd, "'-' cannot be used in batch: standard input is the batch");
		st = read_all(s, 0, &in);
		while (!st && at < in.len) {
			char *nl = memchr(in.data + at, '\n', in.len - at);
			size_t end = nl ? (size_t)(nl - in.data) : in.len;

			st = gen_item(s, cmd, o, g, in.data + at, end - at);
			at = end + 1;
		}
	} else {
		for (i = 0; !st && i < argc; i++)
			st = gen_item(s, cmd, o, g, argv[i], strlen(argv[i]));
	}
	if (!st && yajl_gen_array_close(g) != yajl_gen_status_ok)
		st = sess_fail(s, ENOMEM, "out of memory");
	mgr_buf_release(&in);
	return st;
}

int args_item_object(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		     int argc, char **argv)
{
	yajl_val v = NULL;
	char err[128];
	size_t k;
	int i, r, st = ST_OK;

	r = argc == 1 ? mgr_json_parse(argv[0], strlen(argv[0]), &v, err, sizeof(err)) : -EINVAL;
	if (r == -ENOMEM)
		return sess_fail(s, ENOMEM, "out of memory");
	if (r < 0 && r != -EINVAL)
		return refused(s, "the object", r == -ELOOP ? mgr_datum_why(r) : err);
	if (v) {
		if (!YAJL_IS_OBJECT(v))
			st = sess_usage_err(s, cmd, "expected a JSON object or KEY=VALUE arguments");
		/* Each member becomes a value of its own. */
		for (k = 0; !st && k < v->u.object.len; k++)
			if (mgr_json_depth(v->u.object.values[k]) > MGR_VALUE_DEPTH_MAX)
				st = refused(s, "the object", mgr_datum_why(-ELOOP));
		if (!st && mgr_json_gen_tree(g, v) < 0)
			st = sess_fail(s, ENOMEM, "out of memory");
		yajl_tree_free(v);
		return st;
	}
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		return sess_fail(s, ENOMEM, "out of memory");
	for (i = 0; !st && i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i])
			return sess_usage_err(s, cmd, "expected KEY=VALUE: '%s'", argv[i]);
		if (mgr_json_gen_strn(g, argv[i], eq - argv[i]) < 0)
			return sess_fail(s, EILSEQ, "a key must be valid UTF-8");
		st = gen_text(s, o, g, eq + 1, strlen(eq + 1));
	}
	if (!st && yajl_gen_map_close(g) != yajl_gen_status_ok)
		st = sess_fail(s, ENOMEM, "out of memory");
	return st;
}

/* START:STOP[:STEP], each part optional, as Python writes a slice. */
int args_slice(struct sess *s, const struct cmd *cmd, yajl_gen g, const char *arg)
{
	static const char *const keys[] = { "start", "stop", "step" };
	const char *p = arg, *end;
	bool any = false;
	int64_t v;
	int i, err = 0;

	for (i = 0; i < 3 && !err; i++) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end > p) {
			if (opts_parse_i64(p, end - p, &v) < 0)
				return sess_usage_err(s, cmd, "bad slice: '%s'", arg);
			err = mgr_json_kv_i64(g, keys[i], v);
			any = true;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	if (i == 3)
		return sess_usage_err(s, cmd, "bad slice: '%s'", arg);
	/* ':' alone is the whole sequence, as Python's [:]. */
	if (!err && !any && (mgr_json_gen_cstr(g, "start") < 0 ||
			     yajl_gen_null(g) != yajl_gen_status_ok))
		err = -ENOMEM;
	return err < 0 ? sess_fail(s, ENOMEM, "out of memory") : ST_OK;
}

int args_wait(struct sess *s, const struct opts *o, yajl_gen g, double deadline)
{
	int err = 0;

	if (o->nowait)
		err = mgr_json_kv_bool(g, "block", false);
	if (!err && deadline > 0) {
		double left = deadline - sess_now();

		err = mgr_json_kv_double(g, "timeout", left > 0 ? left : 0);
	} else if (!err && o->has_timeout) {
		err = mgr_json_kv_double(g, "timeout", o->timeout);
	}
	return err < 0 ? sess_fail(s, err, "out of memory") : ST_OK;
}

/* Generic commands: one request built from the spec. */

/* A file the manager writes on its host: a relative name is taken from
 * this directory, which is the manager's too when it runs here. */
static int args_file(struct sess *s, yajl_gen g, const char *arg)
{
	char cwd[PATH_MAX], *abs = NULL;
	int err;

	if (arg[0] != '/' && (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, arg) < 0))
		return sess_fail(s, errno, "cannot name %s from here", arg);
	err = mgr_json_kv_str(g, "file", abs ? abs : arg);
	free(abs);
	return err < 0 ? sess_fail(s, err, "out of memory") : ST_OK;
}

static int add_arg(struct sess *s, const struct cmd *cmd, const struct opts *o, yajl_gen g,
		   char kind, const char *arg)
{
	const char *member = NULL;
	int64_t v;
	int err = 0;

	switch (kind) {
	case 'V':
		return args_datum(s, o, g, arg);
	case 't':
		err = mgr_json_kv_str(g, "to", arg);
		break;
	case 'f':
		return args_file(s, g, arg);
	case 'i': member = "index"; break;
	case 'n': member = "n"; break;
	case 's': member = "start"; break;
	case 'e': member = "stop"; break;
	case 'z': member = "size"; break;
	case 'S':
		if (!strchr(arg, ':')) {
			member = "index";
			break;
		}
		return args_slice(s, cmd, g, arg);
	}
	if (member) {
		if (opts_parse_i64(arg, strlen(arg), &v) < 0)
			return sess_usage_err(s, cmd, "not an integer: '%s'", arg);
		err = mgr_json_kv_i64(g, member, v);
	}
	return err < 0 ? sess_fail(s, err, "out of memory") : ST_OK;
}

int cmd_generic(struct sess *s, const struct cmd *cmd, const struct opts *o, int argc,
		char **argv)
{
	const char *spec = cmd->spec, *path = NULL;
	struct mgr_req r;
	int i = 0, st;

	if (*spec == 'P' || *spec == 'p') {
		path = argc ? argv[i++] : "";
		spec++;
	}
	st = sess_req_begin(s, o, &r, cmd->op, path);
	if (st)
		return st;
	for (; *spec && i < argc && !st; spec++)
		if (*spec != '[')
			st = add_arg(s, cmd, o, r.g, *spec, argv[i++]);
	if (!st && (cmd->flags & CMD_WAITS))
		st = args_wait(s, o, r.g, 0);
	if (!st && o->reverse && mgr_json_kv_bool(r.g, "reverse", true) < 0)
		st = sess_fail(s, ENOMEM, "out of memory");
	return print_call(s, o, &r, st, cmd->out);
}
