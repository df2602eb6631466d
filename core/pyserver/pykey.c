#include "pykey.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "pycmp.h"
#include "pyconv.h"
#include "pylong.h"
#include "pyrepr.h"

#define HASH_MARK "=#"
/* Keys with more spellings than this (tuples of many small ints) are
 * named by their hash, so that a lookup tries a bounded number of
 * names. */
#define VARIANTS_MAX 32
#define TUPLE_DEPTH_MAX 8
/* How far a run of keys that hash alike is searched. */
#define CHAIN_MAX 1000

/* ---- spellings of a key ---- */

/* The keys equal to v that differ from it only in the types of its
 * numbers, v among them: for 1, 1 and 1.0 and True; for 0, also -0.0;
 * for a tuple, the tuples of its items' spellings. */
struct variants {
	struct mgr_pyval *v[VARIANTS_MAX];
	size_t n;
	bool over;		/* more than VARIANTS_MAX, or not literal */
};

static void push(struct variants *vs, struct mgr_pyval *v)
{
	if (!v || vs->n == VARIANTS_MAX)
		vs->over = true;
	else
		vs->v[vs->n++] = v;
}

/* The double equal to int v, if any. */
static bool int_as_double(const struct mgr_pyval *v, double *d)
{
	struct mgr_buf dec = MGR_BUF_INIT;
	int64_t x;
	bool ok;

	if (mgr_pyval_get_int(v, &x) == 0 && x >= -((int64_t)1 << 53) && x <= ((int64_t)1 << 53)) {
		*d = (double)x;
		return true;
	}
	if (mgr_pylong_decimal(&dec, v, 400) < 0) {
		mgr_buf_release(&dec);
		return false;
	}
	*d = strtod(dec.data, NULL);
	ok = isfinite(*d) && mgr_pylong_cmp_double(v, *d) == 0;
	mgr_buf_release(&dec);
	return ok;
}

/* The int equal to a whole finite double d. */
static struct mgr_pyval *double_as_int(struct mgr_pyarena *a, double d)
{
	struct mgr_pyval *v;
	char text[400];

	if (fabs(d) < 9.2e18)
		return mgr_pyval_int(a, (int64_t)d);
	snprintf(text, sizeof(text), "%.0f", d);
	return pyconv_int_from_text(a, text, strlen(text), &v) == 0 ? v : NULL;
}

static void number_variants(struct mgr_pyarena *a, const struct mgr_pyval *v,
			    struct variants *vs)
{
	struct mgr_pyval *as_int = NULL;
	int64_t x = 2;
	double d;

	if (v->kind == MGR_PYVAL_FLOAT) {
		if (isnan(v->u.f)) {
			vs->over = true;
			return;
		}
		push(vs, (struct mgr_pyval *)v);
		if (!isfinite(v->u.f) || v->u.f != trunc(v->u.f))
			return;
		as_int = double_as_int(a, v->u.f);
		push(vs, as_int);
		if (v->u.f == 0)
			push(vs, mgr_pyval_float(a, signbit(v->u.f) ? 0.0 : -0.0));
		if (as_int)
			mgr_pyval_get_int(as_int, &x);
	} else {
		push(vs, (struct mgr_pyval *)v);
		if (v->kind == MGR_PYVAL_BOOL)
			push(vs, mgr_pyval_int(a, v->u.b));
		if (int_as_double(v, &d)) {
			push(vs, mgr_pyval_float(a, d));
			if (d == 0)
				push(vs, mgr_pyval_float(a, -0.0));
		}
		mgr_pyval_get_int(v, &x);
	}
	if ((x == 0 || x == 1) && v->kind != MGR_PYVAL_BOOL)
		push(vs, mgr_pyval_bool(x == 1));
}

static void variants_of(struct mgr_pyarena *a, const struct mgr_pyval *v, struct variants *vs,
			int depth);

static void tuple_variants(struct mgr_pyarena *a, const struct mgr_pyval *v,
			   struct variants *vs, int depth)
{
	struct variants acc = { .n = 0 }, next, item;
	struct mgr_pyval *t;
	size_t i, j, k, len = v->u.seq.len;

	if (depth >= TUPLE_DEPTH_MAX) {
		vs->over = true;
		return;
	}
	/* Start with the empty prefix, and grow every prefix by every
	 * spelling of the next item. */
	push(&acc, (struct mgr_pyval *)v);
	acc.v[0] = NULL;
	for (i = 0; i < len && !acc.over; i++) {
		memset(&item, 0, sizeof(item));
		variants_of(a, v->u.seq.items[i], &item, depth + 1);
		if (item.over) {
			acc.over = true;
			break;
		}
		memset(&next, 0, sizeof(next));
		for (j = 0; j < acc.n && !next.over; j++) {
			for (k = 0; k < item.n && !next.over; k++) {
				t = mgr_pyval_new(a, MGR_PYVAL_TUPLE, len);
				if (t && acc.v[j])
					memcpy(t->u.seq.items, acc.v[j]->u.seq.items,
					       i * sizeof(*t->u.seq.items));
				if (t) {
					t->u.seq.items[i] = item.v[k];
					t->u.seq.len = i + 1;
				}
				push(&next, t);
			}
		}
		acc = next;
	}
	if (acc.over) {
		vs->over = true;
		return;
	}
	if (!len) {
		push(vs, (struct mgr_pyval *)v);
		return;
	}
	for (j = 0; j < acc.n; j++)
		push(vs, acc.v[j]);
}

static void variants_of(struct mgr_pyarena *a, const struct mgr_pyval *v, struct variants *vs,
			int depth)
{
	struct mgr_pyval num;

	switch (v->kind) {
	case MGR_PYVAL_NONE:
	case MGR_PYVAL_STR:
	case MGR_PYVAL_BYTES:
		push(vs, (struct mgr_pyval *)v);
		return;
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_INT:
	case MGR_PYVAL_FLOAT:
		number_variants(a, v, vs);
		return;
	case MGR_PYVAL_TUPLE:
		tuple_variants(a, v, vs, depth);
		return;
	default:
		/* complex(x, 0) and Decimal(n) are the numbers they equal. */
		if (mgr_pycmp_number_of(v, &num)) {
			struct mgr_pyval *copy = num.kind == MGR_PYVAL_FLOAT ?
						 mgr_pyval_float(a, num.u.f) :
						 mgr_pyval_int(a, num.u.i.small);

			if (copy) {
				number_variants(a, copy, vs);
				return;
			}
		}
		vs->over = true;
		return;
	}
}

/* ---- names ---- */

/* Whether a str key is its own name. */
static bool plain(const struct mgr_pyval *key)
{
	const char *why;

	return key->kind == MGR_PYVAL_STR && key->u.s.len && key->u.s.data[0] != PYKEY_MARK &&
	       mgr_name_check((const char *)key->u.s.data, key->u.s.len, &why) == 0;
}

/* '=' and repr(v) into name; false when it does not make a name. */
static bool literal_name(const struct mgr_pyval *v, struct mgr_buf *name)
{
	const char *why;

	name->len = 0;
	if (mgr_buf_append(name, "=", 1) < 0 || mgr_pyrepr(name, v) < 0)
		return false;
	return mgr_name_check(name->data, name->len, &why) == 0;
}

static int hash_name(int64_t h, unsigned n, struct mgr_buf *name)
{
	char text[48];
	int len;

	if (n < 2)
		len = snprintf(text, sizeof(text), HASH_MARK "%016" PRIx64, (uint64_t)h);
	else
		len = snprintf(text, sizeof(text), HASH_MARK "%016" PRIx64 "-%u", (uint64_t)h, n);
	name->len = 0;
	return mgr_buf_append(name, text, (size_t)len);
}

static struct mgr_obj *child(const struct mgr_obj *dir, const struct mgr_buf *name)
{
	return mgr_obj_child(dir, name->data, name->len);
}

bool pykey_is_pair(const struct mgr_obj *c)
{
	const struct mgr_datum *d;

	if (c->type != MGR_VALUE || c->namelen < 2 || memcmp(c->name, HASH_MARK, 2) != 0)
		return false;
	d = c->u.value;
	/* A protocol 4 pickle of a 2-tuple ends with TUPLE2 (0x86) STOP. */
	return d->kind == MGR_DATUM_PICKLE && d->len >= 4 &&
	       (unsigned char)d->data[d->len - 2] == 0x86 && d->data[d->len - 1] == '.';
}

/* The key a pair entry holds, or NULL. */
static struct mgr_pyval *pair_key(struct mgr_pyarena *a, const struct mgr_obj *c)
{
	struct mgr_pyval *v;

	if (!pykey_is_pair(c) || pyconv_value(a, c->u.value, &v) < 0 ||
	    v->kind != MGR_PYVAL_TUPLE || v->u.seq.len != 2)
		return NULL;
	return v->u.seq.items[0];
}

/* The run of entries for hash h: 1 and the one equal to key in *out,
 * else 0 and in *free_n the first number free in the run. */
static int chain_find(const struct mgr_obj *dir, const struct mgr_pyval *key, int64_t h,
		      struct mgr_obj **out, unsigned *free_n)
{
	struct mgr_buf name = MGR_BUF_INIT;
	struct mgr_pyarena *a;
	struct mgr_pyval *k;
	struct mgr_obj *c = NULL;
	unsigned n;
	int r = 0;

	a = mgr_pyarena_new();
	if (!a)
		return -ENOMEM;
	for (n = 1; n < CHAIN_MAX; n++) {
		r = hash_name(h, n, &name);
		if (r < 0)
			break;
		c = child(dir, &name);
		if (!c)
			break;
		k = pair_key(a, c);
		r = k ? mgr_pycmp_eq(k, key) : 0;
		if (r != 0)
			break;
	}
	if (r == 1)
		*out = c;
	*free_n = n;
	mgr_pyarena_free(a);
	mgr_buf_release(&name);
	return r;
}

int pykey_find(const struct mgr_obj *dir, const struct mgr_pyval *key, struct mgr_obj **out)
{
	struct mgr_buf name = MGR_BUF_INIT;
	struct variants vs = { .n = 0 };
	struct mgr_pyarena *a = NULL;
	unsigned free_n;
	int64_t h;
	size_t i;
	int r;

	*out = NULL;
	/* The common case first: a str key that is its own name, which no
	 * other key equals. */
	if (plain(key)) {
		*out = mgr_obj_child(dir, (const char *)key->u.s.data, key->u.s.len);
		return *out != NULL;
	}
	r = mgr_pycmp_hash(key, &h);
	if (r < 0)
		return r;
	a = mgr_pyarena_new();
	if (!a)
		return -ENOMEM;
	variants_of(a, key, &vs, 0);
	for (i = 0; !vs.over && i < vs.n && !*out; i++)
		if (literal_name(vs.v[i], &name))
			*out = child(dir, &name);
	if (!*out) {
		r = chain_find(dir, key, h, out, &free_n);
		if (r < 0)
			goto out;
	}
	r = *out != NULL;
out:
	mgr_pyarena_free(a);
	mgr_buf_release(&name);
	return r;
}

int pykey_name(const struct mgr_obj *dir, const struct mgr_pyval *key, struct mgr_buf *name,
	       bool *pair)
{
	struct variants vs = { .n = 0 };
	struct mgr_pyarena *a;
	struct mgr_obj *found;
	unsigned free_n;
	int64_t h;
	int r;

	*pair = false;
	name->len = 0;
	if (plain(key))
		return mgr_buf_append(name, key->u.s.data, key->u.s.len);
	r = mgr_pycmp_hash(key, &h);
	if (r < 0)
		return r;
	a = mgr_pyarena_new();
	if (!a)
		return -ENOMEM;
	variants_of(a, key, &vs, 0);
	mgr_pyarena_free(a);
	/* A complex equal to a number has its variants, not a literal name. */
	if (!vs.over && key->kind != MGR_PYVAL_OBJECT && literal_name(key, name))
		return 0;
	r = chain_find(dir, key, h, &found, &free_n);
	if (r < 0)
		return r;
	if (r == 1 || free_n >= CHAIN_MAX)
		return -EEXIST;
	*pair = true;
	return hash_name(h, free_n, name);
}

/* ---- literals back to keys ---- */

struct lit {
	const char *p, *end;
	struct mgr_pyarena *a;
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A code point as UTF-8 with surrogates allowed (surrogatepass). */
static size_t put_cp(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static struct mgr_pyval *lit_quoted(struct lit *l, bool bytes)
{
	char q = *l->p++;
	unsigned char *buf, *o;
	uint32_t cp;
	int digits, i, h;
	struct mgr_pyval *v;

	buf = malloc((size_t)(l->end - l->p) * 4 + 1);
	if (!buf)
		return NULL;
	o = buf;
	while (l->p < l->end && *l->p != q) {
		if (*l->p != '\\') {
			*o++ = (unsigned char)*l->p++;
			continue;
		}
		if (++l->p == l->end)
			goto fail;
		digits = 0;
		switch (*l->p++) {
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case '\\': cp = '\\'; break;
		case '\'': cp = '\''; break;
		case '"': cp = '"'; break;
		case 'x': digits = 2; break;
		case 'u': digits = bytes ? -1 : 4; break;
		case 'U': digits = bytes ? -1 : 8; break;
		default: goto fail;
		}
		if (digits < 0 || l->end - l->p < digits)
			goto fail;
		if (digits) {
			for (cp = 0, i = 0; i < digits; i++) {
				h = hexval(*l->p++);
				if (h < 0)
					goto fail;
				cp = cp << 4 | (uint32_t)h;
			}
		}
		if (cp > 0x10ffff)
			goto fail;
		if (bytes)
			*o++ = (unsigned char)cp;
		else
			o += put_cp(cp, o);
	}
	if (l->p == l->end)
		goto fail;
	l->p++;
	v = bytes ? mgr_pyval_bytes(l->a, MGR_PYVAL_BYTES, buf, (size_t)(o - buf)) :
	    mgr_pyval_str(l->a, (const char *)buf, (size_t)(o - buf));
	free(buf);
	return v;
fail:
	free(buf);
	return NULL;
}

static bool lit_word(struct lit *l, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(l->end - l->p) < n || memcmp(l->p, w, n) != 0)
		return false;
	l->p += n;
	return true;
}

static struct mgr_pyval *lit_number(struct lit *l)
{
	const char *start = l->p;
	struct mgr_pyval *v;
	char text[512];
	size_t n;

	if (lit_word(l, "inf"))
		return mgr_pyval_float(l->a, INFINITY);
	if (lit_word(l, "-inf"))
		return mgr_pyval_float(l->a, -INFINITY);
	while (l->p < l->end && strchr("-+0123456789.e", *l->p))
		l->p++;
	n = (size_t)(l->p - start);
	if (!n || n >= sizeof(text))
		return NULL;
	memcpy(text, start, n);
	text[n] = '\0';
	if (strpbrk(text, ".e"))
		return mgr_pyval_float(l->a, strtod(text, NULL));
	return pyconv_int_from_text(l->a, text, n, &v) == 0 ? v : NULL;
}

static struct mgr_pyval *lit_value(struct lit *l, int depth)
{
	struct mgr_pyval *t, *item;

	if (l->p == l->end || depth > TUPLE_DEPTH_MAX)
		return NULL;
	if (lit_word(l, "None"))
		return mgr_pyval_none();
	if (lit_word(l, "True"))
		return mgr_pyval_bool(true);
	if (lit_word(l, "False"))
		return mgr_pyval_bool(false);
	if (*l->p == '\'' || *l->p == '"')
		return lit_quoted(l, false);
	if (*l->p == 'b' && l->end - l->p > 1 && (l->p[1] == '\'' || l->p[1] == '"')) {
		l->p++;
		return lit_quoted(l, true);
	}
	if (*l->p != '(')
		return lit_number(l);
	l->p++;
	t = mgr_pyval_new(l->a, MGR_PYVAL_TUPLE, 2);
	while (t && l->p < l->end && *l->p != ')') {
		item = lit_value(l, depth + 1);
		if (!item || mgr_pyval_append(l->a, t, item) < 0)
			return NULL;
		if (lit_word(l, ", ") || lit_word(l, ","))
			continue;
		if (l->p == l->end || *l->p != ')')
			return NULL;
	}
	if (!t || l->p == l->end)
		return NULL;
	l->p++;
	return t;
}

/* The key a literal name stands for, when the name is exactly the one
 * that key would get; else NULL. */
static struct mgr_pyval *literal_key(struct mgr_pyarena *a, const char *name, size_t len)
{
	struct lit l = { name + 1, name + len, a };
	struct mgr_buf again = MGR_BUF_INIT;
	struct mgr_pyval *v = lit_value(&l, 0);
	bool same;

	if (!v || l.p != l.end || plain(v))
		return NULL;
	same = literal_name(v, &again) && again.len == len && !memcmp(again.data, name, len);
	mgr_buf_release(&again);
	return same ? v : NULL;
}

int pykey_key(struct mgr_pyarena *a, const struct mgr_obj *c, struct mgr_pyval **key)
{
	*key = NULL;
	if (c->namelen > 1 && c->name[0] == PYKEY_MARK) {
		*key = c->name[1] == '#' ? pair_key(a, c) : literal_key(a, c->name, c->namelen);
		if (*key)
			return 0;
	}
	*key = mgr_pyval_str(a, c->name, c->namelen);
	return *key ? 0 : -ENOMEM;
}

int pykey_value(struct mgr_pyarena *a, const struct mgr_obj *c, struct mgr_pyval **value)
{
	struct mgr_pyval *v;
	int r = pyconv_value(a, c->u.value, &v);

	if (r < 0)
		return r;
	if (pykey_is_pair(c) && v->kind == MGR_PYVAL_TUPLE && v->u.seq.len == 2)
		v = v->u.seq.items[1];
	*value = v;
	return 0;
}

int pykey_datum(const struct mgr_pyval *key, const struct mgr_pyval *value,
		struct mgr_datum **out)
{
	struct mgr_pyval *items[2] = { (struct mgr_pyval *)key, (struct mgr_pyval *)value };
	struct mgr_pyval pair = { .kind = MGR_PYVAL_TUPLE };

	if (!key)
		return pyconv_datum(value, out);
	pair.u.seq.items = items;
	pair.u.seq.len = pair.u.seq.cap = 2;
	return pyconv_datum(&pair, out);
}
