/* Output: results as the man page's OUTPUT section says, for a shell to
 * read: strings raw, other JSON compact on one line, bytes exactly, names
 * in path syntax, control characters included, so that they can be put
 * back into a path; with --json the result as the manager sent it. */
#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "mgrctl.h"
#include "path.h"

/* What g generated so far, as it is. */
static void put_gen(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		fwrite(buf, 1, len, stdout);
}

void print_gen(yajl_gen g)
{
	put_gen(g);
	putchar('\n');
}

static void put_json(yajl_val v)
{
	yajl_gen g = mgr_json_gen_new();

	if (g && mgr_json_gen_tree(g, v) == 0)
		put_gen(g);
	if (g)
		yajl_gen_free(g);
}

void print_json(yajl_val v)
{
	put_json(v);
	putchar('\n');
}

/* The dump form of a tagged item: {"$bytes": "..."} or {"$type": "..."}. */
static void put_tagged(const char *tag, const char *text)
{
	yajl_gen g = mgr_json_gen_new();

	if (g && yajl_gen_map_open(g) == yajl_gen_status_ok &&
	    mgr_json_kv_str(g, tag, text) == 0 &&
	    yajl_gen_map_close(g) == yajl_gen_status_ok)
		put_gen(g);
	if (g)
		yajl_gen_free(g);
}

/* A datum object: a string raw, other JSON compact, bytes exactly as they
 * are (followed by a newline only as an item of several). */
static void print_datum(yajl_val d, bool item)
{
	yajl_val v = mgr_json_get(d, "value"), b = mgr_json_get(d, "bytes");

	if (b && YAJL_IS_STRING(b)) {
		struct mgr_buf raw = MGR_BUF_INIT;
		const char *t = b->u.string;

		if (mgr_base64_decode(t, strlen(t), &raw) == 0 && raw.len)
			fwrite(raw.data, 1, raw.len, stdout);
		mgr_buf_release(&raw);
		if (item)
			putchar('\n');
	} else if (v && YAJL_IS_STRING(v)) {
		/* With its length: a string may hold NUL. */
		fwrite(v->u.string, 1, mgr_json_strlen(v), stdout);
		putchar('\n');
	} else if (v) {
		print_json(v);
	}
}

static void print_result(yajl_val res)
{
	yajl_val items;
	size_t i;

	if (YAJL_IS_STRING(res)) {
		puts(res->u.string);
	} else if (mgr_json_get(res, "value") || mgr_json_get(res, "bytes")) {
		print_datum(res, false);
	} else if ((items = mgr_json_get(res, "items")) && YAJL_IS_ARRAY(items)) {
		/* List items come as data, array items as plain numbers or
		 * one-character strings. */
		for (i = 0; i < items->u.array.len; i++) {
			yajl_val it = items->u.array.values[i];

			if (YAJL_IS_OBJECT(it)) {
				print_datum(it, true);
			} else if (YAJL_IS_STRING(it)) {
				fwrite(it->u.string, 1, mgr_json_strlen(it), stdout);
				putchar('\n');
			} else {
				print_json(it);
			}
		}
	} else {
		print_json(res);
	}
}

/* How many bytes at p (of left) a terminal would take as a command rather
 * than text: a C0 control or DEL, or a C1 control (U+0080 to U+009F, C2 80
 * to C2 9F in UTF-8), some of which terminals obey; 0 for anything else. */
static size_t control_len(const unsigned char *p, size_t left)
{
	if (p[0] < 0x20 || p[0] == 0x7f)
		return 1;
	if (p[0] == 0xc2 && left > 1 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

/* text, a name or a path in path syntax, with its control characters as
 * %XX: a name made by anyone must not move the cursor, retitle the
 * terminal or start a line of its own, and path syntax reads %XX back as
 * the byte, so what is printed still names the object. */
static void put_escaped(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, j, k, start = 0;

	while (i < len) {
		k = control_len(p + i, len - i);
		if (!k) {
			i++;
			continue;
		}
		fwrite(text + start, 1, i - start, stdout);
		for (j = 0; j < k; j++)
			printf("%%%02X", p[i + j]);
		i += k;
		start = i;
	}
	fwrite(text + start, 1, len - start, stdout);
}

static void put_name(const char *name)
{
	struct mgr_buf b = MGR_BUF_INIT;

	if (mgr_name_escape(name, strlen(name), &b) == 0)
		put_escaped(b.data, b.len);
	else
		put_escaped(name, strlen(name));
	mgr_buf_release(&b);
}

void print_path(const char *path)
{
	put_escaped(path, strlen(path));
}

/* NAME<TAB>JSON, with bytes and non-value objects in dump's tagged form. */
static void print_named(yajl_val it)
{
	const char *name = "", *type = "", *b64;
	yajl_val v = mgr_json_get(it, "value");

	mgr_json_get_str(it, "name", &name);
	put_name(name);
	putchar('\t');
	if (v)
		put_json(v);
	else if (mgr_json_get_str(it, "bytes", &b64) == 0)
		put_tagged("$bytes", b64);
	else if (mgr_json_get_str(it, "type", &type) == 0)
		put_tagged("$type", type);
	putchar('\n');
}

void print_items(yajl_val items)
{
	size_t i;

	for (i = 0; i < items->u.array.len; i++)
		print_named(items->u.array.values[i]);
}

void print_ls(yajl_val entries, bool long_list)
{
	size_t i;

	for (i = 0; i < entries->u.array.len; i++) {
		yajl_val e = entries->u.array.values[i];
		const char *name = "", *type = "";
		uint64_t version = 0, size = 0;

		mgr_json_get_str(e, "name", &name);
		if (long_list) {
			mgr_json_get_str(e, "type", &type);
			mgr_json_get_u64(e, "version", &version);
			mgr_json_get_u64(e, "size", &size);
			printf("%-10s %10" PRIu64 " %8" PRIu64 " ", type, version, size);
		}
		put_name(name);
		putchar('\n');
	}
}

static void print_stat(yajl_val res)
{
	size_t i;

	if (!YAJL_IS_OBJECT(res)) {
		print_json(res);
		return;
	}
	for (i = 0; i < res->u.object.len; i++) {
		yajl_val v = res->u.object.values[i];

		printf("%s: ", res->u.object.keys[i]);
		if (YAJL_IS_STRING(v))
			puts(v->u.string);
		else
			print_json(v);
	}
}

int print_out(const struct opts *o, enum out out, yajl_val res)
{
	if (o->json || out == OUT_JSON) {
		print_json(res);
	} else {
		switch (out) {
		case OUT_PRINT: print_result(res); break;
		case OUT_NAMED: print_named(res); break;
		case OUT_STAT: print_stat(res); break;
		default: break;
		}
	}
	return out == OUT_TRUE && YAJL_IS_FALSE(res) ? ST_TIMEOUT : ST_OK;
}

int print_call(struct sess *s, const struct opts *o, struct mgr_req *r, int st, enum out out)
{
	struct mgr_reply rep;

	if (!st)
		st = sess_call(s, r, &rep);
	mgr_req_release(r);
	if (st)
		return st;
	st = print_out(o, out, rep.result);
	mgr_reply_release(&rep);
	return st;
}

int print_wait(const struct opts *o, yajl_val res)
{
	return print_out(o, YAJL_IS_TRUE(res) || YAJL_IS_FALSE(res) ? OUT_TRUE : OUT_PRINT, res);
}
