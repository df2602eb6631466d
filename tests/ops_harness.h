/* A harness for tests that drive operations as the server does: a request
 * text is parsed, run by mgr_engine_exec in a session, and both the direct
 * result and the replies of parked calls (through the session's complete
 * function) are checked.  Requests are written with ' for " to stay
 * readable.  Included by one test program each; everything is static.
 *
 * Errors are errno values as written, positive: FAILS(0, ENOENT, ...) and
 * DONE_ERR(0, id, ENOENT) mean a call that gave -ENOENT.  req() itself
 * returns what mgr_engine_exec returned: 0, MGR_PARKED or -errno. */
#ifndef OPS_HARNESS_H
#define OPS_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "engine.h"

#define NSESS 4
#define NDONE 512

struct done {
	uint64_t sess, id;
	int err;
	char msg[256];
	char result[1024];
};

static struct mgr_store *store;
static struct mgr_session sess[NSESS];
/* Replies of parked calls, in the order they were delivered. */
static struct done dones[NDONE];
static size_t ndone;
/* The clock the next call runs at, and what the last call gave. */
static uint64_t now = 1000;
static char res[1 << 16], msg[256];
/* The last result with every "version":N written "version":V, for results
 * whose versions a test does not pin down (twice res's size: a "version":
 * with no number after it gains a V), and the last call's owner. */
static char nres[2 * sizeof(res)];
static uint64_t last_owner;

static void record(struct mgr_session *s, uint64_t req_id, int err, const char *m,
		   const char *result, size_t len)
{
	struct done *d;

	assert_true(ndone < NDONE);
	d = &dones[ndone++];
	d->sess = s->id;
	d->id = req_id;
	d->err = err;
	snprintf(d->msg, sizeof(d->msg), "%s", m ? m : "");
	assert_true(len < sizeof(d->result));
	memcpy(d->result, result ? result : "", len);
	d->result[len] = '\0';
	/* An error always says why; a result is never empty. */
	if (err)
		assert_true(strlen(d->msg) > 0);
	else
		assert_true(len > 0);
}

static int setup(void **state)
{
	int i;

	store = mgr_engine_new();
	for (i = 0; i < NSESS; i++) {
		mgr_session_init(&sess[i], 100 + i);
		sess[i].complete = record;
	}
	ndone = 0;
	now = 1000;
	return store ? 0 : -1;
}

static int teardown(void **state)
{
	int i;

	/* Sessions end before the store goes, as in the server. */
	for (i = 0; i < NSESS; i++)
		mgr_session_end(store, &sess[i]);
	mgr_engine_free(store);
	return 0;
}

/* res with its versions as V and its times as T, into nres. */
static void normalize_versions(void)
{
	static const char *const keys[] = { "\"version\":", "\"mtime_ns\":", "\"ctime_ns\":" };
	const char *p = res;
	char *out = nres;
	size_t k;

	while (*p) {
		for (k = 0; k < 3; k++)
			if (strncmp(p, keys[k], strlen(keys[k])) == 0)
				break;
		if (k < 3) {
			out += sprintf(out, "%s%c", keys[k], k ? 'T' : 'V');
			p += strlen(keys[k]);
			while ((*p >= '0' && *p <= '9') || *p == '-')
				p++;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
}

/* Run a request as call id in session si.  Returns what mgr_engine_exec
 * returned; a result goes to res (and nres), an error message to msg, the
 * call's owner to last_owner. */
static int req(int si, uint64_t id, const char *fmt, ...)
{
	struct mgr_call c = { .store = store, .sess = &sess[si], .id = id, .now = now };
	const unsigned char *buf;
	char text[1 << 14], err[128], *q;
	va_list ap;
	size_t len;
	int r;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (q = text; *q; q++)
		if (*q == '\'')
			*q = '"';
	assert_int_equal(mgr_json_parse(text, strlen(text), &c.args, err, sizeof(err)), 0);
	c.size = strlen(text);
	c.out = mgr_json_gen_new();
	assert_non_null(c.out);
	r = mgr_engine_exec(&c);
	res[0] = msg[0] = '\0';
	yajl_gen_get_buf(c.out, &buf, &len);
	if (r == 0) {
		assert_null(c.err);
		assert_true(len > 0 && len < sizeof(res));
		memcpy(res, buf, len);
		res[len] = '\0';
	} else if (r == MGR_PARKED) {
		/* A parked call answers later, never now. */
		assert_int_equal(len, 0);
	} else {
		assert_true(r < 0);
		assert_non_null(c.err);
		assert_true(strlen(c.err) > 0);
		snprintf(msg, sizeof(msg), "%s", c.err);
	}
	normalize_versions();
	last_owner = c.owner;
	yajl_gen_free(c.out);
	yajl_tree_free(c.args);
	return r;
}

/* The call answers at once with this result text. */
#define OK(si, expect, ...) do { \
	assert_int_equal(req(si, 1, __VA_ARGS__), 0); \
	assert_string_equal(res, expect); \
} while (0)

/* The same, with the result's versions written V. */
#define OKV(si, expect, ...) do { \
	assert_int_equal(req(si, 1, __VA_ARGS__), 0); \
	assert_string_equal(nres, expect); \
} while (0)

/* The call fails at once with -err; err is positive, as errno is.  (A
 * negative one would be a slip that could pass for MGR_PARKED.) */
#define FAILS(si, err, ...) do { \
	assert_true((err) > 0); \
	assert_int_equal(req(si, 1, __VA_ARGS__), -(err)); \
} while (0)

/* The call answers at once, whether it succeeds or fails: a step that
 * sets up what the checks after it look at. */
#define RUN(si, ...) assert_true(req(si, 1, __VA_ARGS__) <= 0)

/* The call parks as request id. */
#define PARKS(si, id, ...) assert_int_equal(req(si, id, __VA_ARGS__), MGR_PARKED)

/* The next reply delivered to a parked call is this. */
static inline void next_done(int si, uint64_t id, int err, const char *result)
{
	struct done d;

	assert_true(ndone > 0);
	d = dones[0];
	memmove(dones, dones + 1, (ndone - 1) * sizeof(dones[0]));
	ndone--;
	assert_int_equal(d.sess, sess[si].id);
	assert_int_equal(d.id, id);
	assert_int_equal(d.err, err);
	if (!err)
		assert_string_equal(d.result, result);
	snprintf(msg, sizeof(msg), "%s", d.msg);
}

#define DONE(si, id, result) next_done(si, id, 0, result)
#define DONE_ERR(si, id, err) do { \
	assert_true((err) > 0); \
	next_done(si, id, -(err), NULL); \
} while (0)
/* No parked call has been answered since the last check. */
#define NOTHING_DONE() assert_int_equal(ndone, 0)

/* Cancel a parked call as the server's cancel op does. */
static inline bool cancel(int si, uint64_t id)
{
	struct mgr_waiter *w = mgr_waiter_find(&sess[si], id);

	if (w)
		mgr_waiter_abort(store, w, -ECANCELED);
	return w != NULL;
}

/* A member of the object's stat, as JSON text. */
static inline const char *stat_member(const char *path, const char *key)
{
	static char out[1024];
	char pat[64];
	const char *p, *e;
	int depth = 0;

	assert_int_equal(req(0, 1, "{'op':'stat','path':'%s'}", path), 0);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(res, pat);
	assert_non_null(p);
	p += strlen(pat);
	for (e = p; *e; e++) {
		if (*e == '{' || *e == '[')
			depth++;
		else if ((*e == '}' || *e == ']') && depth-- == 0)
			break;
		else if (*e == ',' && depth == 0)
			break;
	}
	snprintf(out, sizeof(out), "%.*s", (int)(e - p), p);
	return out;
}

static inline uint64_t version_of(const char *path)
{
	return strtoull(stat_member(path, "version"), NULL, 10);
}

/* The version in the last result. */
static inline uint64_t res_version(void)
{
	const char *p = strstr(res, "\"version\":");

	assert_non_null(p);
	return strtoull(p + 10, NULL, 10);
}

/* Whether path names an object; anything but "no such object" fails. */
static inline bool exists(const char *path)
{
	int r = req(0, 1, "{'op':'stat','path':'%s'}", path);

	assert_true(r == 0 || r == -ENOENT);
	return r == 0;
}

/* A list's or array's items as the JSON text of its dump, with ' for ",
 * for short expectations: "[1,'a',{'$bytes':'AA=='}]". */
static inline const char *items(const char *path)
{
	static char out[sizeof(res)];
	char *q;

	assert_int_equal(req(0, 1, "{'op':'dump','path':'%s'}", path), 0);
	memcpy(out, res, sizeof(out));
	for (q = out; *q; q++)
		if (*q == '"')
			*q = '\'';
	return out;
}

#endif
