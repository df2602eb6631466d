#include "pycmp.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "buf.h"
#include "pyenc.h"
#include "pylong.h"

#define HASH_BITS 61
#define HASH_MOD (((uint64_t)1 << HASH_BITS) - 1)
/* CPython 3.12 gave None a constant hash; older ones hashed its address. */
#define HASH_NONE 0xFCA86420
#define HASH_INF 314159

/* The constants of CPython's tuple hash (xxHash's primes) and of its
 * frozenset hash. */
#define XXPRIME_1 11400714785074694791ull
#define XXPRIME_2 14029467366897019727ull
#define XXPRIME_5 2870177450012600261ull

static uint64_t sip_k0, sip_k1;

void mgr_pycmp_set_key(const unsigned char key[16])
{
	int i;

	sip_k0 = sip_k1 = 0;
	for (i = 7; i >= 0; i--) {
		sip_k0 = sip_k0 << 8 | key[i];
		sip_k1 = sip_k1 << 8 | key[8 + i];
	}
}

struct sip {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;
	size_t len;
};

static uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_init(struct sip *s)
{
	s->v0 = sip_k0 ^ 0x736f6d6570736575ull;
	s->v1 = sip_k1 ^ 0x646f72616e646f6dull;
	s->v2 = sip_k0 ^ 0x6c7967656e657261ull;
	s->v3 = sip_k1 ^ 0x7465646279746573ull;
	s->tail = 0;
	s->len = 0;
}

/* Feed bytes one at a time: str hashing produces them from code points
 * on the fly, so a word-at-a-time interface would need a copy. */
static void sip_byte(struct sip *s, unsigned char b)
{
	s->tail |= (uint64_t)b << (8 * (s->len & 7));
	if ((++s->len & 7) == 0) {
		s->v3 ^= s->tail;
		sip_round(s);
		s->v0 ^= s->tail;
		s->tail = 0;
	}
}

/* Finish as CPython's _Py_HashBytes does: no bytes hash to 0, -1 is -2. */
static int64_t sip_final(struct sip *s)
{
	uint64_t b = s->tail | (uint64_t)s->len << 56;
	int64_t h;

	if (!s->len)
		return 0;
	s->v3 ^= b;
	sip_round(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	h = (int64_t)(s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
	return h == -1 ? -2 : h;
}

static int64_t hash_bytes(const unsigned char *p, size_t n)
{
	struct sip s;
	size_t i;

	sip_init(&s);
	for (i = 0; i < n; i++)
		sip_byte(&s, p[i]);
	return sip_final(&s);
}

/* CPython hashes a str's code points as it stores them: one byte each when
 * all are below 256, two below 65536, else four, in native (little-endian
 * here) order. */
static int64_t hash_str(const unsigned char *p, size_t n)
{
	uint32_t cp, max = 0;
	size_t i, k, width;
	struct sip s;

	for (i = 0; i < n;) {
		i += mgr_pyval_utf8_next(p + i, n - i, &cp);
		if (cp > max)
			max = cp;
	}
	width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
	sip_init(&s);
	for (i = 0; i < n;) {
		i += mgr_pyval_utf8_next(p + i, n - i, &cp);
		for (k = 0; k < width; k++)
			sip_byte(&s, (unsigned char)(cp >> (8 * k)));
	}
	return sip_final(&s);
}

static int64_t hash_double(double v)
{
	uint64_t x = 0, y;
	double m;
	int e, sign = 1;

	if (isinf(v))
		return v > 0 ? HASH_INF : -HASH_INF;
	if (isnan(v))
		return 0;
	m = frexp(v, &e);
	if (m < 0) {
		sign = -1;
		m = -m;
	}
	/* Take the mantissa 28 bits at a time, multiplying by 2**28 modulo
	 * the prime as a rotation of 61 bits, then the exponent likewise. */
	while (m) {
		x = ((x << 28) & HASH_MOD) | x >> (HASH_BITS - 28);
		m *= 268435456.0;
		e -= 28;
		y = (uint64_t)m;
		m -= (double)y;
		x += y;
		if (x >= HASH_MOD)
			x -= HASH_MOD;
	}
	e = e >= 0 ? e % HASH_BITS : HASH_BITS - 1 - ((-1 - e) % HASH_BITS);
	x = ((x << e) & HASH_MOD) | x >> (HASH_BITS - e);
	x *= (uint64_t)(int64_t)sign;
	return (int64_t)x == -1 ? -2 : (int64_t)x;
}

static int hash_node(const struct mgr_pyval *v, int64_t *out, int depth);

/* CPython's tuple hash over n lanes. */
static uint64_t tuple_step(uint64_t acc, int64_t lane)
{
	acc += (uint64_t)lane * XXPRIME_2;
	acc = rotl(acc, 31);
	return acc * XXPRIME_1;
}

static int64_t tuple_final(uint64_t acc, size_t n)
{
	acc += n ^ (XXPRIME_5 ^ 3527539ull);
	return acc == UINT64_MAX ? 1546275796 : (int64_t)acc;
}

static int hash_tuple(struct mgr_pyval *const *items, size_t n, int64_t *out, int depth)
{
	uint64_t acc = XXPRIME_5;
	int64_t lane;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = hash_node(items[i], &lane, depth + 1);
		if (r < 0)
			return r;
		acc = tuple_step(acc, lane);
	}
	*out = tuple_final(acc, n);
	return 0;
}

static int hash_frozenset(const struct mgr_pyval_seq *q, int64_t *out, int depth)
{
	uint64_t h = 0, e;
	int64_t lane;
	size_t i;
	int r;

	for (i = 0; i < q->len; i++) {
		if (q->nslots)
			lane = q->hashes[i];
		else if ((r = hash_node(q->items[i], &lane, depth + 1)) < 0)
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

static int hash_global(const struct mgr_pyval *v, int64_t *out)
{
	uint64_t acc = XXPRIME_5;

	acc = tuple_step(acc, hash_str((const unsigned char *)v->u.g.module, v->u.g.module_len));
	acc = tuple_step(acc, hash_str((const unsigned char *)v->u.g.name, v->u.g.name_len));
	*out = tuple_final(acc, 2);
	return 0;
}

/* An opaque object hashes by its canonical pickle, as it compares: equal
 * objects hash alike, and unequal ones of one class do not collide, which
 * keeps a dict of many such keys from turning quadratic. */
static int hash_object(const struct mgr_pyval *v, int64_t *out)
{
	struct mgr_buf e = MGR_BUF_INIT;
	int r = mgr_pyenc_value(&e, v);

	if (r == 0)
		*out = hash_bytes((const unsigned char *)e.data, e.len);
	mgr_buf_release(&e);
	return r;
}

static int hash_node(const struct mgr_pyval *v, int64_t *out, int depth)
{
	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	switch (v->kind) {
	case MGR_PYVAL_NONE:
		*out = HASH_NONE;
		return 0;
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_INT:
		*out = mgr_pylong_hash(v);
		return 0;
	case MGR_PYVAL_FLOAT:
		*out = hash_double(v->u.f);
		return 0;
	case MGR_PYVAL_STR:
		*out = hash_str(v->u.s.data, v->u.s.len);
		return 0;
	case MGR_PYVAL_BYTES:
		*out = hash_bytes(v->u.s.data, v->u.s.len);
		return 0;
	case MGR_PYVAL_TUPLE:
		return hash_tuple(v->u.seq.items, v->u.seq.len, out, depth);
	case MGR_PYVAL_FROZENSET:
		return hash_frozenset(&v->u.seq, out, depth);
	case MGR_PYVAL_GLOBAL:
		return hash_global(v, out);
	case MGR_PYVAL_OBJECT:
		return hash_object(v, out);
	default:
		return -EINVAL;
	}
}

int mgr_pycmp_hash(const struct mgr_pyval *v, int64_t *out)
{
	return hash_node(v, out, 0);
}

static int eq_node(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth);

/* Python compares container items with PyObject_RichCompareBool, which
 * takes the same object as equal before asking ==: that is what makes a
 * list holding a NaN, or itself, equal to itself. */
static int eq_item(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	return a == b ? 1 : eq_node(a, b, depth + 1);
}

static int find_in(const struct mgr_pyval *c, const struct mgr_pyval *key, int64_t h,
		   size_t *pos, int depth)
{
	const struct mgr_pyval_seq *q = &c->u.seq;
	size_t step = c->kind == MGR_PYVAL_DICT ? 2 : 1, mask, i, p;
	uint64_t perturb = (uint64_t)h;
	int r;

	/* A container built without its index is searched from end to end. */
	if (!q->nslots) {
		for (p = 0; p < q->len; p++) {
			r = eq_item(key, q->items[p * step], depth);
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
			r = eq_item(key, q->items[p * step], depth);
			if (r)
				return r < 0 ? r : (*pos = p, 1);
		}
	}
}

int mgr_pycmp_find(const struct mgr_pyval *c, const struct mgr_pyval *key, int64_t h,
		   size_t *pos)
{
	return find_in(c, key, h, pos, 0);
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

/* Whether every item of set a is in set b. */
static int subset(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i, pos;
	int64_t h;
	int r;

	for (i = 0; i < a->u.seq.len; i++) {
		if (a->u.seq.nslots)
			h = a->u.seq.hashes[i];
		else if ((r = hash_node(a->u.seq.items[i], &h, depth + 1)) < 0)
			return r;
		r = find_in(b, a->u.seq.items[i], h, &pos, depth);
		if (r <= 0)
			return r;
	}
	return 1;
}

static int dict_eq(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	const struct mgr_pyval_seq *q = &a->u.seq;
	size_t i, pos;
	int64_t h;
	int r;

	for (i = 0; i < q->len; i++) {
		if (q->nslots)
			h = q->hashes[i];
		else if ((r = hash_node(q->items[2 * i], &h, depth + 1)) < 0)
			return r;
		r = find_in(b, q->items[2 * i], h, &pos, depth);
		if (r <= 0)
			return r;
		r = eq_item(q->items[2 * i + 1], b->u.seq.items[2 * pos + 1], depth);
		if (r <= 0)
			return r;
	}
	return 1;
}

/* Opaque objects are equal when they pickle to the same bytes. */
static int object_eq(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	struct mgr_buf ea = MGR_BUF_INIT, eb = MGR_BUF_INIT;
	int r;

	if ((r = mgr_pyenc_value(&ea, a)) >= 0 && (r = mgr_pyenc_value(&eb, b)) >= 0)
		r = ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) == 0;
	mgr_buf_release(&ea);
	mgr_buf_release(&eb);
	return r;
}

static int eq_node(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
{
	size_t i;
	int r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (is_number(a) && is_number(b))
		return num_cmp(a, b) == 0;
	if (is_bytes(a) && is_bytes(b))
		return a->u.s.len == b->u.s.len && !memcmp(a->u.s.data, b->u.s.data, a->u.s.len);
	if (is_set(a) && is_set(b))
		return a->u.seq.len == b->u.seq.len ? subset(a, b, depth) : 0;
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
			r = eq_item(a->u.seq.items[i], b->u.seq.items[i], depth);
			if (r <= 0)
				return r;
		}
		return 1;
	case MGR_PYVAL_DICT:
		return a->u.seq.len == b->u.seq.len ? dict_eq(a, b, depth) : 0;
	case MGR_PYVAL_GLOBAL:
		return a->u.g.module_len == b->u.g.module_len &&
		       a->u.g.name_len == b->u.g.name_len &&
		       !memcmp(a->u.g.module, b->u.g.module, a->u.g.module_len) &&
		       !memcmp(a->u.g.name, b->u.g.name, a->u.g.name_len);
	case MGR_PYVAL_OBJECT:
		return object_eq(a, b);
	default:
		return 0;
	}
}

int mgr_pycmp_eq(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	return eq_node(a, b, 0);
}

/* Lexicographic order of two byte strings, shorter first on a tie. */
static int bytes_lt(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	int c = n ? memcmp(a->u.s.data, b->u.s.data, n) : 0;

	return c ? c < 0 : a->u.s.len < b->u.s.len;
}

static int lt_node(const struct mgr_pyval *a, const struct mgr_pyval *b, int depth)
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
		return a->u.seq.len < b->u.seq.len ? subset(a, b, depth) : 0;
	if ((a->kind != MGR_PYVAL_TUPLE && a->kind != MGR_PYVAL_LIST) || a->kind != b->kind)
		return -EINVAL;
	/* Sequences: the first pair of items that differ decides. */
	n = a->u.seq.len < b->u.seq.len ? a->u.seq.len : b->u.seq.len;
	for (i = 0; i < n; i++) {
		r = eq_item(a->u.seq.items[i], b->u.seq.items[i], depth);
		if (r < 0)
			return r;
		if (!r)
			return lt_node(a->u.seq.items[i], b->u.seq.items[i], depth + 1);
	}
	return a->u.seq.len < b->u.seq.len;
}

int mgr_pycmp_lt(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	return lt_node(a, b, 0);
}
