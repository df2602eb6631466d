#include "pycmp.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pyenc.h"
#include "pyhash.h"
#include "pylong.h"
#include "pymap.h"

/* CPython 3.12 gave None a constant hash; older ones hashed its address. */
#define HASH_NONE 0xFCA86420

_Static_assert(sizeof(uintptr_t) >= sizeof(int64_t), "hashes are kept in a map of uintptr_t");

/* What one call learns as it goes: the hashes of the nodes it hashed and
 * the canonical pickles of the opaque objects it met.  Through the memo a
 * pickle can name one big node a million times for a few bytes each;
 * without this, each time would cost the node's whole size again. */
struct cmp {
	struct mgr_pymap hashes;	/* node -> its hash */
	struct mgr_pymap pickled;	/* opaque node -> 1 + its span */
	struct span {
		size_t off, len;
	} *spans;
	size_t nspans, cap;
	struct mgr_buf blob;		/* the pickles, back to back */
};

#define CMP_INIT { MGR_PYMAP_INIT, MGR_PYMAP_INIT, NULL, 0, 0, MGR_BUF_INIT }

static void cmp_release(struct cmp *c)
{
	mgr_pymap_release(&c->hashes);
	mgr_pymap_release(&c->pickled);
	free(c->spans);
	mgr_buf_release(&c->blob);
}

/* The canonical pickle of opaque object v, encoded once per call: its
 * place in c->blob. */
static int pickled(struct cmp *c, const struct mgr_pyval *v, struct span *out)
{
	uintptr_t *slot = NULL;
	struct span *spans;
	size_t off = c->blob.len;
	int added, r;

	if (!(slot = mgr_pymap_slot(&c->pickled, v, &added)))
		return -ENOMEM;
	/* A node whose encoding failed before keeps failing: its slot says
	 * 0, and the call is ending with that error anyway. */
	if (!added) {
		if (!*slot)
			return -ENOMEM;
		*out = c->spans[*slot - 1];
		return 0;
	}
	if (c->nspans == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		spans = realloc(c->spans, c->cap * sizeof(*spans));
		if (!spans)
			return -ENOMEM;
		c->spans = spans;
	}
	r = mgr_pyenc_value(&c->blob, v);
	if (r < 0)
		return r;
	c->spans[c->nspans].off = off;
	c->spans[c->nspans].len = c->blob.len - off;
	*out = c->spans[c->nspans++];
	*mgr_pymap_slot(&c->pickled, v, &added) = c->nspans;
	return 0;
}

static int hash_node(struct cmp *c, const struct mgr_pyval *v, int64_t *out, int depth);

static int hash_tuple(struct cmp *c, struct mgr_pyval *const *items, size_t n, int64_t *out,
		      int depth)
{
	uint64_t acc = MGR_PYHASH_TUPLE_SEED;
	int64_t lane;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = hash_node(c, items[i], &lane, depth + 1);
		if (r < 0)
			return r;
		acc = mgr_pyhash_tuple_step(acc, lane);
	}
	*out = mgr_pyhash_tuple_final(acc, n);
	return 0;
}

/* CPython's frozenset hash: the items' hashes shuffled and xored, so that
 * order does not matter, then mixed with the count. */
static int hash_frozenset(struct cmp *c, const struct mgr_pyval_seq *q, int64_t *out, int depth)
{
	uint64_t h = 0, e;
	int64_t lane;
	size_t i;
	int r;

	for (i = 0; i < q->len; i++) {
		if (q->nslots)
			lane = q->hashes[i];
		else if ((r = hash_node(c, q->items[i], &lane, depth + 1)) < 0)
			return r;
		e = (uint64_t)lane;
		h ^= ((e ^ 89869747ull) ^ (e << 16)) * 3644798167ull;
	}
	h ^= ((uint64_t)q->len + 1) * 1927868237ull;
	h ^= (h >> 11) ^ (h >> 25);
	h = h * 69069u + 907133923ull;
	*out = h == UINT64_MAX ? 590923713 : (int64_t)h;
	return 0;
}

static int64_t hash_global(const struct mgr_pyval *v)
{
	uint64_t acc = MGR_PYHASH_TUPLE_SEED;

	acc = mgr_pyhash_tuple_step(acc, mgr_pyhash_str((const unsigned char *)v->u.g.module,
							v->u.g.module_len));
	acc = mgr_pyhash_tuple_step(acc, mgr_pyhash_str((const unsigned char *)v->u.g.name,
							v->u.g.name_len));
	return mgr_pyhash_tuple_final(acc, 2);
}

/* Whether v costs no more to hash again than to look up. */
static bool cheap(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_NONE || v->kind == MGR_PYVAL_BOOL ||
	       v->kind == MGR_PYVAL_FLOAT || v->kind == MGR_PYVAL_GLOBAL ||
	       (v->kind == MGR_PYVAL_INT && !v->u.i.big);
}

/* A complex number (builtins.complex of two floats, as pickles make it):
 * true with its parts.  Python's complex equals a real number when its
 * imaginary part is 0, and hashes alike. */
static bool complex_parts(const struct mgr_pyval *v, double *re, double *im)
{
	const struct mgr_pyval *a;

	if (!mgr_pyval_is_object_of(v, "builtins", "complex") || !(a = v->u.obj.args) ||
	    a->kind != MGR_PYVAL_TUPLE || a->u.seq.len != 2 ||
	    a->u.seq.items[0]->kind != MGR_PYVAL_FLOAT || a->u.seq.items[1]->kind != MGR_PYVAL_FLOAT ||
	    v->u.obj.listitems || v->u.obj.dictitems || v->u.obj.state)
		return false;
	*re = a->u.seq.items[0]->u.f;
	*im = a->u.seq.items[1]->u.f;
	return true;
}

/* A decimal.Decimal whose value is a whole number of int64 range ("7",
 * "-12.00"): true with it as a small int in *out.  Python's Decimal(7)
 * equals 7 and hashes alike; other decimals stay opaque. */
static bool decimal_int(const struct mgr_pyval *v, struct mgr_pyval *out)
{
	const struct mgr_pyval *a;
	const unsigned char *p, *end;
	uint64_t n = 0;
	bool neg = false, digits = false;

	if (!mgr_pyval_is_object_of(v, "decimal", "Decimal") || !(a = v->u.obj.args) ||
	    a->kind != MGR_PYVAL_TUPLE || a->u.seq.len != 1 ||
	    a->u.seq.items[0]->kind != MGR_PYVAL_STR || v->u.obj.state)
		return false;
	p = a->u.seq.items[0]->u.s.data;
	end = p + a->u.seq.items[0]->u.s.len;
	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits = true) {
		if (n > (UINT64_C(1) << 62) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p < end && *p == '.')
		for (p++; p < end && *p == '0'; p++)
			;
	if (p != end || !digits)
		return false;
	out->kind = MGR_PYVAL_INT;
	out->u.i.big = NULL;
	out->u.i.nbig = 0;
	out->u.i.small = neg ? -(int64_t)n : (int64_t)n;
	return true;
}

bool mgr_pycmp_number_of(const struct mgr_pyval *v, struct mgr_pyval *out)
{
	double re, im;

	if (decimal_int(v, out))
		return true;
	if (!complex_parts(v, &re, &im) || im != 0)
		return false;
	out->kind = MGR_PYVAL_FLOAT;
	out->u.f = re;
	return true;
}

static int hash_uncached(struct cmp *c, const struct mgr_pyval *v, int64_t *out, int depth)
{
	struct mgr_pyval whole;
	double re, im;

	struct span s;
	int r;

	switch (v->kind) {
	case MGR_PYVAL_NONE:
		*out = HASH_NONE;
		return 0;
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_INT:
		*out = mgr_pylong_hash(v);
		return 0;
	case MGR_PYVAL_FLOAT:
		*out = mgr_pyhash_double(v->u.f);
		return 0;
	case MGR_PYVAL_STR:
		*out = mgr_pyhash_str(v->u.s.data, v->u.s.len);
		return 0;
	case MGR_PYVAL_BYTES:
		*out = mgr_pyhash_bytes(v->u.s.data, v->u.s.len);
		return 0;
	case MGR_PYVAL_TUPLE:
		return hash_tuple(c, v->u.seq.items, v->u.seq.len, out, depth);
	case MGR_PYVAL_FROZENSET:
		return hash_frozenset(c, &v->u.seq, out, depth);
	case MGR_PYVAL_GLOBAL:
		*out = hash_global(v);
		return 0;
	case MGR_PYVAL_OBJECT:
		if (decimal_int(v, &whole)) {
			*out = mgr_pylong_hash(&whole);
			return 0;
		}
		if (complex_parts(v, &re, &im)) {
			uint64_t h = (uint64_t)mgr_pyhash_double(re) +
				     1000003u * (uint64_t)mgr_pyhash_double(im);

			*out = (int64_t)h == -1 ? -2 : (int64_t)h;
			return 0;
		}
		/* An opaque object hashes by its canonical pickle, as it
		 * compares: equal objects hash alike, and unequal ones of one
		 * class do not all collide. */
		if ((r = pickled(c, v, &s)) < 0)
			return r;
		*out = mgr_pyhash_bytes((const unsigned char *)c->blob.data + s.off, s.len);
		return 0;
	default:
		return -EINVAL;
	}
}

static int hash_node(struct cmp *c, const struct mgr_pyval *v, int64_t *out, int depth)
{
	uintptr_t *slot;
	int added, r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (cheap(v))
		return hash_uncached(c, v, out, depth);
	if (!(slot = mgr_pymap_slot(&c->hashes, v, &added)))
		return -ENOMEM;
	if (!added) {
		*out = (int64_t)*slot;
		return 0;
	}
	r = hash_uncached(c, v, out, depth);
	/* The slot may have moved while the parts were hashed. */
	if (r == 0)
		*mgr_pymap_slot(&c->hashes, v, &added) = (uintptr_t)*out;
	return r;
}

int mgr_pycmp_hash(const struct mgr_pyval *v, int64_t *out)
{
	struct cmp c = CMP_INIT;
	int r = hash_node(&c, v, out, 0);

	cmp_release(&c);
	return r;
}

static int eq_node(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth);

/* Python compares container items with PyObject_RichCompareBool, which
 * takes the same object as equal before asking ==: that is what makes a
 * list holding a NaN, or itself, equal to itself. */
static int eq_item(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	return a == b ? 1 : eq_node(c, a, b, depth + 1);
}

static int find_in(struct cmp *c, const struct mgr_pyval *set, const struct mgr_pyval *key,
		   int64_t h, size_t *pos, int depth)
{
	const struct mgr_pyval_seq *q = &set->u.seq;
	size_t step = set->kind == MGR_PYVAL_DICT ? 2 : 1, mask, i, p;
	uint64_t perturb = (uint64_t)h;
	int r;

	/* A container built without its index is searched from end to end. */
	if (!q->nslots) {
		for (p = 0; p < q->len; p++) {
			r = eq_item(c, key, q->items[p * step], depth);
			if (r)
				return r < 0 ? r : (*pos = p, 1);
		}
		return 0;
	}
	mask = q->nslots - 1;
	for (i = (size_t)h & mask;; i = mgr_pyval_probe(i, &perturb, mask)) {
		if (!q->slots[i])
			return 0;
		p = q->slots[i] - 1;
		if (q->hashes[p] == h) {
			r = eq_item(c, key, q->items[p * step], depth);
			if (r)
				return r < 0 ? r : (*pos = p, 1);
		}
	}
}

int mgr_pycmp_find(const struct mgr_pyval *set, const struct mgr_pyval *key, int64_t h,
		   size_t *pos)
{
	struct cmp c = CMP_INIT;
	int r = find_in(&c, set, key, h, pos, 0);

	cmp_release(&c);
	return r;
}

static bool is_number(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_BOOL || v->kind == MGR_PYVAL_INT || v->kind == MGR_PYVAL_FLOAT;
}

static bool is_bytes(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_BYTES || v->kind == MGR_PYVAL_BYTEARRAY;
}

static bool is_set(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_SET || v->kind == MGR_PYVAL_FROZENSET;
}

/* Compare two numbers: -1, 0, 1, or 2 when a NaN makes them unordered. */
static int num_cmp(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	int r;

	if (a->kind == MGR_PYVAL_FLOAT && b->kind == MGR_PYVAL_FLOAT) {
		if (isnan(a->u.f) || isnan(b->u.f))
			return 2;
		return (a->u.f > b->u.f) - (a->u.f < b->u.f);
	}
	if (a->kind == MGR_PYVAL_FLOAT) {
		r = mgr_pylong_cmp_double(b, a->u.f);
		return r == 2 ? 2 : -r;
	}
	if (b->kind == MGR_PYVAL_FLOAT)
		return mgr_pylong_cmp_double(a, b->u.f);
	return mgr_pylong_cmp(a, b);
}

/* Find the key at position i of dict or set a (stride step) in b. */
static int find_key_of(struct cmp *c, const struct mgr_pyval *a, size_t i, size_t step,
		       const struct mgr_pyval *b, size_t *pos, int depth)
{
	const struct mgr_pyval *key = a->u.seq.items[i * step];
	int64_t h;
	int r;

	if (a->u.seq.nslots)
		h = a->u.seq.hashes[i];
	else if ((r = hash_node(c, key, &h, depth + 1)) < 0)
		return r;
	return find_in(c, b, key, h, pos, depth);
}

/* Whether every item of set a is in set b. */
static int subset(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i, pos;
	int r;

	for (i = 0; i < a->u.seq.len; i++) {
		r = find_key_of(c, a, i, 1, b, &pos, depth);
		if (r <= 0)
			return r;
	}
	return 1;
}

static int dict_eq(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i, pos;
	int r;

	for (i = 0; i < a->u.seq.len; i++) {
		r = find_key_of(c, a, i, 2, b, &pos, depth);
		if (r <= 0)
			return r;
		r = eq_item(c, a->u.seq.items[2 * i + 1], b->u.seq.items[2 * pos + 1], depth);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* Opaque objects are equal when they pickle to the same bytes. */
static int object_eq(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	struct span sa, sb;
	int r;

	if ((r = pickled(c, a, &sa)) < 0 || (r = pickled(c, b, &sb)) < 0)
		return r;
	return sa.len == sb.len && !memcmp(c->blob.data + sa.off, c->blob.data + sb.off, sa.len);
}

/* A number and a complex: true with *eq set. */
static bool complex_eq_number(const struct mgr_pyval *a, const struct mgr_pyval *b, int *eq)
{
	struct mgr_pyval f = { .kind = MGR_PYVAL_FLOAT };
	double re, im;

	if (!complex_parts(is_number(a) ? b : a, &re, &im))
		return false;
	f.u.f = re;
	*eq = im == 0 && num_cmp(is_number(a) ? a : b, &f) == 0;
	return true;
}

/* A whole Decimal and a number or another whole Decimal: true with *eq. */
static bool decimal_eq(const struct mgr_pyval *a, const struct mgr_pyval *b, int *eq)
{
	struct mgr_pyval wa, wb;
	bool da = decimal_int(a, &wa), db = decimal_int(b, &wb);

	if ((!da && !db) || (da && !db && !is_number(b)) || (db && !da && !is_number(a)))
		return false;
	*eq = num_cmp(da ? &wa : a, db ? &wb : b) == 0;
	return true;
}

/* Two complex numbers: by value, not by pickle (0j == -0j). */
static bool complex_both(const struct mgr_pyval *a, const struct mgr_pyval *b, int *eq)
{
	double ar, ai, br, bi;

	if (!complex_parts(a, &ar, &ai) || !complex_parts(b, &br, &bi))
		return false;
	*eq = ar == br && ai == bi;
	return true;
}

static int eq_node(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i;
	int r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (is_number(a) && is_number(b))
		return num_cmp(a, b) == 0;
	if ((is_number(a) || is_number(b)) && complex_eq_number(a, b, &r))
		return r;
	if (decimal_eq(a, b, &r))
		return r;
	if (a->kind == MGR_PYVAL_OBJECT && b->kind == MGR_PYVAL_OBJECT && complex_both(a, b, &r))
		return r;
	if (is_bytes(a) && is_bytes(b))
		return a->u.s.len == b->u.s.len && !memcmp(a->u.s.data, b->u.s.data, a->u.s.len);
	if (is_set(a) && is_set(b))
		return a->u.seq.len == b->u.seq.len ? subset(c, a, b, depth) : 0;
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case MGR_PYVAL_NONE:
		return 1;
	case MGR_PYVAL_STR:
		return a->u.s.len == b->u.s.len && !memcmp(a->u.s.data, b->u.s.data, a->u.s.len);
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_LIST:
		if (a->u.seq.len != b->u.seq.len)
			return 0;
		for (i = 0; i < a->u.seq.len; i++) {
			r = eq_item(c, a->u.seq.items[i], b->u.seq.items[i], depth);
			if (r <= 0)
				return r;
		}
		return 1;
	case MGR_PYVAL_DICT:
		return a->u.seq.len == b->u.seq.len ? dict_eq(c, a, b, depth) : 0;
	case MGR_PYVAL_GLOBAL:
		return a->u.g.module_len == b->u.g.module_len &&
		       a->u.g.name_len == b->u.g.name_len &&
		       !memcmp(a->u.g.module, b->u.g.module, a->u.g.module_len) &&
		       !memcmp(a->u.g.name, b->u.g.name, a->u.g.name_len);
	case MGR_PYVAL_OBJECT:
		return object_eq(c, a, b);
	default:
		return 0;
	}
}

int mgr_pycmp_eq(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	struct cmp c = CMP_INIT;
	int r = eq_node(&c, a, b, 0);

	cmp_release(&c);
	return r;
}

/* Lexicographic order of two byte strings, shorter first on a tie. */
static int bytes_lt(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	int d = n ? memcmp(a->u.s.data, b->u.s.data, n) : 0;

	return d ? d < 0 : a->u.s.len < b->u.s.len;
}

static int lt_node(struct cmp *c, const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i, n;
	int r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (is_number(a) && is_number(b))
		return num_cmp(a, b) == -1;
	if (is_bytes(a) && is_bytes(b))
		return bytes_lt(a, b);
	/* UTF-8 keeps code point order, surrogates included. */
	if (a->kind == MGR_PYVAL_STR && b->kind == MGR_PYVAL_STR)
		return bytes_lt(a, b);
	if (is_set(a) && is_set(b))
		return a->u.seq.len < b->u.seq.len ? subset(c, a, b, depth) : 0;
	if ((a->kind != MGR_PYVAL_TUPLE && a->kind != MGR_PYVAL_LIST) || a->kind != b->kind)
		return -EINVAL;
	/* Sequences: the first pair of items that differ decides. */
	n = a->u.seq.len < b->u.seq.len ? a->u.seq.len : b->u.seq.len;
	for (i = 0; i < n; i++) {
		r = eq_item(c, a->u.seq.items[i], b->u.seq.items[i], depth);
		if (r < 0)
			return r;
		if (!r)
			return lt_node(c, a->u.seq.items[i], b->u.seq.items[i], depth + 1);
	}
	return a->u.seq.len < b->u.seq.len;
}

int mgr_pycmp_lt(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	struct cmp c = CMP_INIT;
	int r = lt_node(&c, a, b, 0);

	cmp_release(&c);
	return r;
}
