#include "call.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "store.h"
#include "utf8.h"

int mgr_call_err(struct mgr_call *c, int err, const char *fmt, ...)
{
	unsigned char *p;
	size_t i, o, n, k;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errbuf, sizeof(c->errbuf), fmt, ap);
	va_end(ap);
	/* A precision such as %.200s or the buffer's end may cut a name in
	 * the middle of a character; drop such pieces so the message is
	 * still a valid JSON string. */
	p = (unsigned char *)c->errbuf;
	n = strlen(c->errbuf);
	for (i = o = 0; i < n; i += k ? k : 1) {
		k = mgr_utf8_seq(p + i, n - i);
		memmove(p + o, p + i, k);
		o += k;
	}
	p[o] = 0;
	c->err = c->errbuf;
	return err;
}

int mgr_call_fits(struct mgr_call *c, uint64_t bytes)
{
	if (mgr_store_fits(c->store, bytes))
		return 0;
	return mgr_call_err(c, -ENOSPC, "the manager's memory for data is full (%llu MiB of %llu MiB used): delete something first",
			    (unsigned long long)(mgr_store_bytes(c->store) >> 20),
			    (unsigned long long)(mgr_store_limit(c->store) >> 20));
}

int mgr_call_room(struct mgr_call *c, uint64_t bytes)
{
	if (mgr_store_room(c->store, bytes) == 0)
		return 0;
	return mgr_call_err(c, -ENOSPC, "no space left on the data directory's disk: nothing was changed");
}

int mgr_call_items_fit(struct mgr_call *c, const char *what, uint64_t have, uint64_t more)
{
	if (have <= MGR_ITEMS_MAX && more <= MGR_ITEMS_MAX - have)
		return 0;
	return mgr_call_err(c, -ENOSPC, "a %s holds at most %u items", what, MGR_ITEMS_MAX);
}

#define PAGE_BYTES ((size_t)1 << 20)

static size_t out_len(struct mgr_call *c)
{
	const unsigned char *buf;
	size_t len = 0;

	yajl_gen_get_buf(c->out, &buf, &len);
	return len;
}

int mgr_page_begin(struct mgr_call *c, struct mgr_obj *dir, struct mgr_page *p)
{
	const char *after = NULL;
	struct mgr_obj *o;
	int r;

	p->first = mgr_obj_first_child(dir);
	p->limit = UINT64_MAX;
	r = mgr_json_get_str(c->args, "after", &after);
	if (r == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"after\" must be a name");
	if (after) {
		o = mgr_obj_child(dir, after, strlen(after));
		if (!o)
			return mgr_call_err(c, -ESTALE, "%.200s is gone: list again from the start",
					    after);
		p->first = o->next;
	}
	r = mgr_json_get_u64(c->args, "limit", &p->limit);
	if (r == -EINVAL || p->limit == 0)
		return mgr_call_err(c, -EINVAL, "\"limit\" must be a positive integer");
	p->start = out_len(c);
	return 0;
}

bool mgr_page_full(struct mgr_call *c, const struct mgr_page *p, uint64_t n)
{
	return n >= p->limit || out_len(c) - p->start >= PAGE_BYTES;
}

int mgr_call_result(struct mgr_call *c, int r)
{
	return r < 0 ? mgr_call_err(c, r, "cannot build the result") : 0;
}

int mgr_reply_bool(struct mgr_call *c, bool v)
{
	return mgr_call_result(c, yajl_gen_bool(c->out, v) == yajl_gen_status_ok ? 0 : -EINVAL);
}

int mgr_reply_u64(struct mgr_call *c, uint64_t v)
{
	return mgr_call_result(c, mgr_json_gen_u64(c->out, v));
}

int mgr_reply_version(struct mgr_call *c, const struct mgr_obj *o)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}

int mgr_call_path(struct mgr_call *c, const char *member, struct mgr_path *out)
{
	const char *s, *why;
	int r;

	r = mgr_json_get_str(c->args, member, &s);
	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"%s\"", member);
	if (r < 0 && YAJL_IS_STRING(mgr_json_get(c->args, member)))
		return mgr_call_err(c, -EINVAL, "bad path in \"%s\": a name cannot hold NUL",
				    member);
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"%s\" must be a string", member);
	r = mgr_path_parse(s, strlen(s), out, &why);
	if (r < 0)
		return mgr_call_err(c, r, "bad path \"%.200s\": %s", s, why);
	return 0;
}

const char *mgr_call_path_text(struct mgr_call *c, const char *member)
{
	const char *s = "";

	mgr_json_get_str(c->args, member, &s);
	return s;
}

int mgr_call_wait_args(struct mgr_call *c, bool *block, uint64_t *deadline)
{
	yajl_val t = mgr_json_get(c->args, "timeout");
	uint64_t wait;
	double ms;

	*block = true;
	*deadline = 0;
	if (mgr_json_get_bool(c->args, "block", block) == -EINVAL)
		return mgr_call_err(c, -EINVAL, "\"block\" must be true or false");
	if (!t || YAJL_IS_NULL(t) || !*block)
		return 0;
	if (!YAJL_IS_DOUBLE(t) || isnan(t->u.number.d))
		return mgr_call_err(c, -EINVAL, "\"timeout\" must be a number of seconds");
	if (t->u.number.d < 0)
		return mgr_call_err(c, -EINVAL, "\"timeout\" must be a non-negative number");
	/* Round up, so a wait never ends before the time asked; a deadline
	 * beyond any uptime is no deadline. */
	ms = t->u.number.d * 1000;
	if (ms >= 4e18)
		return 0;
	wait = (uint64_t)ms;
	if ((double)wait < ms)
		wait++;
	/* 0 means none, so an immediate deadline at time 0 is moved on. */
	*deadline = c->now + wait ? c->now + wait : 1;
	return 0;
}

int mgr_call_datum(struct mgr_call *c, struct mgr_datum **d)
{
	const char *why;
	int r = mgr_datum_from_msg(c->args, d, &why);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"value\" or \"bytes\"");
	return r < 0 ? mgr_call_err(c, r, "%s", why) : 0;
}

int mgr_call_index(struct mgr_call *c, size_t len, const char *what, size_t *out)
{
	int64_t i;
	int r = mgr_json_get_i64(c->args, "index", &i);

	if (r == -ENOENT)
		return mgr_call_err(c, -EINVAL, "missing \"index\"");
	if (r < 0)
		return mgr_call_err(c, -EINVAL, "\"index\" must be an integer");
	if (i < 0)
		i += (int64_t)len;
	if (i < 0 || (uint64_t)i >= len)
		return mgr_call_err(c, -ERANGE, "%s index out of range", what);
	*out = (size_t)i;
	return 0;
}

yajl_val mgr_call_items(struct mgr_call *c, bool also_value)
{
	yajl_val v = mgr_json_get(c->args, "items");

	return !v && also_value ? mgr_json_get(c->args, "value") : v;
}

int mgr_reply_datum(struct mgr_call *c, const struct mgr_datum *d, const struct mgr_obj *o)
{
	int r = mgr_json_map_open(c->out);

	if (!r)
		r = mgr_datum_gen_members(c->out, d);
	if (!r)
		r = mgr_json_kv_u64(c->out, "version", o->version);
	if (!r)
		r = mgr_json_map_close(c->out);
	return mgr_call_result(c, r);
}
