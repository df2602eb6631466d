#include "elem.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/* The integer typecodes and the ranges of their C types here. */
static const struct {
	char tc;
	int64_t lo;
	uint64_t hi;
} int_codes[] = {
	{ 'b', INT8_MIN, INT8_MAX }, { 'B', 0, UINT8_MAX },
	{ 'h', INT16_MIN, INT16_MAX }, { 'H', 0, UINT16_MAX },
	{ 'i', INT_MIN, INT_MAX }, { 'I', 0, UINT_MAX },
	{ 'l', LONG_MIN, LONG_MAX }, { 'L', 0, ULONG_MAX },
	{ 'q', INT64_MIN, INT64_MAX }, { 'Q', 0, UINT64_MAX },
};

static int int_code(char tc)
{
	size_t i;

	for (i = 0; i < sizeof(int_codes) / sizeof(int_codes[0]); i++)
		if (int_codes[i].tc == tc)
			return (int)i;
	return -1;
}

static bool typecode_valid(char tc)
{
	return tc && strchr("bBhHiIlLqQfduc", tc);
}

int mgr_elem_typecode(struct mgr_call *c, char *tc)
{
	const char *s;
	int r = mgr_json_get_str(c->args, "typecode", &s);

	*tc = 0;
	if (r == -ENOENT)
		return 0;
	if (r < 0 || strlen(s) != 1 || !typecode_valid(s[0]))
		return mgr_call_err(c, -EINVAL,
				    "\"typecode\" must be one of b B h H i I l L q Q f d u c");
	*tc = s[0];
	return 0;
}

/* The one code point of string v when it holds one character (which may
 * be NUL), or -1. */
static int32_t single_char(yajl_val v)
{
	const unsigned char *p = (const unsigned char *)v->u.string;
	size_t len = mgr_json_strlen(v);
	int32_t cp;
	size_t n, i;

	if (!len || mgr_utf8_seq(p, len) != len)
		return -1;
	if (len == 1)
		return p[0];
	n = len - 1;
	cp = p[0] & (0x3f >> n);
	for (i = 1; i <= n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

/* Whether a number's text is a plain integer. */
static bool integer_text(const char *r)
{
	if (*r == '-')
		r++;
	return *r && strspn(r, "0123456789") == strlen(r);
}

static int int_from_json(struct mgr_call *c, char tc, yajl_val v, union mgr_elem *e)
{
	int k = int_code(tc);
	int64_t lo = int_codes[k].lo;
	uint64_t hi = int_codes[k].hi, mag = 0;
	long long neg = 0;
	bool is_neg = false;

	/* As in Python, a bool is an int. */
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		mag = YAJL_IS_TRUE(v);
	} else if (YAJL_IS_NUMBER(v) && integer_text(v->u.number.r)) {
		errno = 0;
		if (v->u.number.r[0] == '-') {
			neg = strtoll(v->u.number.r, NULL, 10);
			is_neg = neg < 0;
		} else {
			mag = strtoull(v->u.number.r, NULL, 10);
		}
		if (errno)
			goto range;
	} else {
		return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers", tc);
	}
	if (is_neg ? neg < lo : mag > hi)
		goto range;
	if (lo < 0)
		e->i = is_neg ? (int64_t)neg : (int64_t)mag;
	else
		e->u = mag;
	return 0;
range:
	if (lo < 0)
		return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers from %lld to %llu",
				    tc, (long long)lo, (unsigned long long)hi);
	return mgr_call_err(c, -EINVAL, "typecode '%c' holds integers from 0 to %llu",
			    tc, (unsigned long long)hi);
}

int mgr_elem_from_json(struct mgr_call *c, char tc, yajl_val v, union mgr_elem *e)
{
	int32_t cp;

	if (int_code(tc) >= 0)
		return int_from_json(c, tc, v, e);
	if (tc == 'f' || tc == 'd') {
		if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
			e->d = YAJL_IS_TRUE(v);
		else if (YAJL_IS_DOUBLE(v))
			e->d = v->u.number.d;
		else if (YAJL_IS_NUMBER(v))
			return mgr_call_err(c, -EINVAL, "number out of range for typecode '%c'", tc);
		else
			return mgr_call_err(c, -EINVAL, "typecode '%c' holds numbers", tc);
		/* NaN and the infinities are floats too; only a finite number
		 * that a float cannot hold is out of its range. */
		if (tc == 'f' && isfinite(e->d) && fabs(e->d) > FLT_MAX)
			return mgr_call_err(c, -EINVAL, "number out of range for typecode 'f'");
		if (tc == 'f')
			e->d = (float)e->d;
		return 0;
	}
	cp = YAJL_IS_STRING(v) ? single_char(v) : -1;
	if (cp < 0 || (tc == 'c' && cp > 0xff))
		return mgr_call_err(c, -EINVAL, tc == 'c' ?
				    "typecode 'c' holds one character from U+0000 to U+00FF" :
				    "typecode 'u' holds one character");
	e->u = (uint64_t)cp;
	return 0;
}

int mgr_elem_gen(yajl_gen g, char tc, const union mgr_elem *e)
{
	char buf[4];
	int k = int_code(tc);

	if (k >= 0 && int_codes[k].lo < 0)
		return yajl_gen_integer(g, e->i) == yajl_gen_status_ok ? 0 : -EINVAL;
	if (k >= 0)
		return mgr_json_gen_u64(g, e->u);
	if (tc == 'f' || tc == 'd')
		return mgr_json_gen_double(g, e->d);
	return mgr_json_gen_strn(g, buf, mgr_utf8_encode((uint32_t)e->u, buf));
}

int mgr_elem_gen_typecode(yajl_gen g, char tc)
{
	int r = mgr_json_gen_cstr(g, "typecode");

	return r ? r : mgr_json_gen_strn(g, &tc, 1);
}

int mgr_elem_datum(struct mgr_call *c, char tc, yajl_val v, struct mgr_datum **out)
{
	const unsigned char *text;
	union mgr_elem e;
	yajl_gen g;
	size_t len;
	int r;

	if (!tc) {
		r = mgr_datum_from_tree(v, out);
		if (r < 0)
			return mgr_call_err(c, r == -ELOOP ? -EINVAL : r, "%s", mgr_datum_why(r));
		return 0;
	}
	r = mgr_elem_from_json(c, tc, v, &e);
	if (r < 0)
		return r;
	/* A typed value keeps an integer an integer once it is known to fit,
	 * as SyncManager's Value does: Value('d', 3) reads back 3.  Arrays
	 * hold C numbers and so floats. */
	if ((tc == 'f' || tc == 'd') && YAJL_IS_NUMBER(v) && integer_text(v->u.number.r)) {
		*out = mgr_datum_new(MGR_DATUM_JSON, v->u.number.r, strlen(v->u.number.r));
		return *out ? 0 : mgr_call_err(c, -ENOMEM, "out of memory");
	}
	g = mgr_json_gen_new();
	if (!g)
		return mgr_call_err(c, -ENOMEM, "out of memory");
	r = mgr_elem_gen(g, tc, &e);
	if (!r) {
		yajl_gen_get_buf(g, &text, &len);
		*out = mgr_datum_new(MGR_DATUM_JSON, text, len);
		if (!*out)
			r = -ENOMEM;
	}
	yajl_gen_free(g);
	return r < 0 ? mgr_call_err(c, r, "out of memory") : 0;
}

int mgr_elem_value_arg(struct mgr_call *c, char tc, struct mgr_datum **out)
{
	const char *why;
	yajl_val v;
	int r;

	if (!tc) {
		r = mgr_datum_from_msg(c->args, out, &why);
		return r < 0 && r != -ENOENT ? mgr_call_err(c, r, "%s", why) : r;
	}
	if (mgr_json_get(c->args, "bytes"))
		return mgr_call_err(c, -EINVAL, "a value of typecode '%c' does not hold bytes", tc);
	v = mgr_json_get(c->args, "value");
	if (!v)
		return -ENOENT;
	return mgr_elem_datum(c, tc, v, out);
}
