#include "order.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A datum read for comparing: an integer (booleans are 0 and 1, as in
 * Python), a float, a string's bytes (unescaped), raw bytes, an array of
 * keys, a null, or K_SLOW for what holds an object, which is rare enough
 * in a sort to be compared by mgr_datum_cmp itself.  Sixteen bytes, so
 * that many fit in the cache: a sort of many items is bound by memory. */
enum key_kind { K_INT, K_FLOAT, K_STR, K_BYTES, K_ARRAY, K_NULL, K_SLOW };

struct key {
	uint8_t kind;			/* enum key_kind */
	uint32_t len;			/* bytes of s, or elements */
	union {
		int64_t i;
		double f;
		const char *s;
		struct key *elems;
	} u;
};

/* A JSON number as Python reads it into k: an int when it has no
 * fraction or exponent, else a float (NaN and the infinities too), and *p
 * past it.  0, or 1 for an int too large for 64 bits, which only
 * mgr_datum_cmp compares exactly. */
static int read_number(const char **p, struct key *k)
{
	char *end;

	errno = 0;
	k->u.i = strtoll(*p, &end, 10);
	if (end != *p && *end != '.' && *end != 'e' && *end != 'E') {
		k->kind = K_INT;
		*p = end;
		return errno == ERANGE;
	}
	k->kind = K_FLOAT;
	k->u.f = strtod(*p, &end);
	*p = end;
	return 0;
}

/* An item being sorted, with its key and, for an item that yajl read
 * because a string in it has escapes, the tree that the key's strings
 * point into (else they point into the datum).  Entries are sorted by
 * value, so that a merge reads the keys it compares in order. */
struct entry {
	struct key key;
	struct mgr_datum *d;
	yajl_val tree;
};

/* Where the elements of array keys live while a sort runs: chunks that
 * never move, so that an array's elements sit side by side, and a stack
 * on which an array's elements gather until it has been read whole. */
struct arena {
	struct chunk {
		struct chunk *next;
		size_t used, cap;
		struct key keys[];
	} *chunks;
	struct key *stack;
	size_t depth, room;
};

#define CHUNK_KEYS 65536

static struct key *arena_take(struct arena *a, size_t n)
{
	struct chunk *c = a->chunks;
	size_t cap;

	if (!c || c->cap - c->used < n) {
		cap = n > CHUNK_KEYS ? n : CHUNK_KEYS;
		c = malloc(sizeof(*c) + cap * sizeof(c->keys[0]));
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->chunks;
		a->chunks = c;
	}
	c->used += n;
	return &c->keys[c->used - n];
}

static int arena_push(struct arena *a, const struct key *k)
{
	size_t room = a->room ? 2 * a->room : 64;
	struct key *s;

	if (a->depth == a->room) {
		s = realloc(a->stack, room * sizeof(*s));
		if (!s)
			return -ENOMEM;
		a->stack = s;
		a->room = room;
	}
	a->stack[a->depth++] = *k;
	return 0;
}

static void arena_release(struct arena *a)
{
	struct chunk *c;

	while ((c = a->chunks)) {
		a->chunks = c->next;
		free(c);
	}
	free(a->stack);
}

/* The elements gathered on the stack from base on, moved into the arena
 * as array key k's.  0 or -ENOMEM. */
static int arena_array(struct arena *a, size_t base, struct key *k)
{
	k->kind = K_ARRAY;
	k->len = a->depth - base;
	if (k->len) {
		k->u.elems = arena_take(a, k->len);
		if (!k->u.elems)
			return -ENOMEM;
		memcpy(k->u.elems, a->stack + base, k->len * sizeof(*k->u.elems));
	}
	a->depth = base;
	return 0;
}

/* Read the JSON value at *p, as yajl_gen wrote it (compact and valid),
 * into k: 0 with *p past it; 1 when it holds a string with escapes or an
 * object, which this does not read; -ENOMEM. */
static int scan(struct arena *a, const char **p, struct key *k)
{
	const char *q = *p;
	size_t base = a->depth;
	struct key e;
	char *end;
	int r = 0;

	memset(k, 0, sizeof(*k));
	switch (*q) {
	case '[':
		for (q++; *q != ']' && !r; q += *q == ',') {
			r = scan(a, &q, &e);
			if (!r)
				r = arena_push(a, &e);
		}
		if (!r)
			r = arena_array(a, base, k);
		a->depth = base;
		q++;
		break;
	case '"':
		end = strpbrk(q + 1, "\"\\");
		if (*end == '\\')
			return 1;
		k->kind = K_STR;
		k->u.s = q + 1;
		k->len = end - q - 1;
		q = end + 1;
		break;
	case 't':
		k->u.i = 1;
		q += 4;
		break;
	case 'f':
		q += 5;
		break;
	case 'n':
		k->kind = K_NULL;
		q += 4;
		break;
	case '{':
		return 1;
	default:
		r = read_number(&q, k);
		break;
	}
	*p = q;
	return r;
}

/* The key of a value that yajl read: as scan, for what scan does not
 * read. */
static int key_from_tree(struct arena *a, yajl_val v, struct key *k)
{
	size_t base = a->depth, i;
	const char *text;
	struct key e;
	int r = 0;

	memset(k, 0, sizeof(*k));
	switch (v->type) {
	case yajl_t_number:
		text = v->u.number.r;
		return read_number(&text, k);
	case yajl_t_true:
		k->u.i = 1;
		return 0;
	case yajl_t_false:
		return 0;
	case yajl_t_string:
		k->kind = K_STR;
		k->u.s = v->u.string;
		k->len = mgr_json_strlen(v);
		return 0;
	case yajl_t_array:
		for (i = 0; i < v->u.array.len && !r; i++) {
			r = key_from_tree(a, v->u.array.values[i], &e);
			if (!r)
				r = arena_push(a, &e);
		}
		if (!r)
			r = arena_array(a, base, k);
		a->depth = base;
		return r;
	case yajl_t_null:
		k->kind = K_NULL;
		return 0;
	default:
		return 1;
	}
}

/* Read d into e.  0 or -ENOMEM. */
static int entry_init(struct arena *a, struct entry *e, struct mgr_datum *d)
{
	const char *p = d->data;
	char err[64];
	int r;

	memset(e, 0, sizeof(*e));
	e->d = d;
	if (d->kind == MGR_DATUM_BYTES) {
		e->key.kind = K_BYTES;
		e->key.u.s = d->data;
		e->key.len = d->len;
		return 0;
	}
	r = scan(a, &p, &e->key);
	if (r <= 0)
		return r;
	/* A string with escapes (rare): yajl reads it.  Stored JSON was
	 * made by yajl_gen, so only memory can fail. */
	if (d->data[0] != '{' &&
	    mgr_json_parse(d->data, d->len, &e->tree, err, sizeof(err)) < 0)
		return -ENOMEM;
	r = e->tree ? key_from_tree(a, e->tree, &e->key) : 1;
	if (r == 1) {
		e->key.kind = K_SLOW;
		r = 0;
	}
	return r;
}

static bool is_num(const struct key *k)
{
	return k->kind == K_INT || k->kind == K_FLOAT;
}

static long double num_of(const struct key *k)
{
	return k->kind == K_INT ? (long double)k->u.i : k->u.f;
}

/* Numbers compare exactly, as Python's int and float do (a long double
 * holds every int64 and every double), and a NaN is neither smaller nor
 * larger than anything. */
static int num_cmp(const struct key *a, const struct key *b)
{
	long double x, y;

	if (a->kind == K_INT && b->kind == K_INT)
		return (a->u.i > b->u.i) - (a->u.i < b->u.i);
	x = num_of(a);
	y = num_of(b);
	return (x > y) - (x < y);
}

static bool key_eq(const struct key *a, const struct key *b)
{
	size_t i;

	/* A NaN equals nothing, itself included. */
	if (is_num(a) && is_num(b))
		return a->kind == K_INT && b->kind == K_INT ? a->u.i == b->u.i :
		       num_of(a) == num_of(b);
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case K_STR:
	case K_BYTES:
		return a->len == b->len && memcmp(a->u.s, b->u.s, a->len) == 0;
	case K_ARRAY:
		if (a->len != b->len)
			return false;
		for (i = 0; i < a->len; i++)
			if (!key_eq(&a->u.elems[i], &b->u.elems[i]))
				return false;
		return true;
	default:
		return true;
	}
}

static int key_cmp(const struct key *a, const struct key *b, int *cmp)
{
	size_t i, n = a->len < b->len ? a->len : b->len;
	int r;

	if (is_num(a) && is_num(b)) {
		*cmp = num_cmp(a, b);
		return 0;
	}
	if (a->kind != b->kind)
		return -EINVAL;
	switch (a->kind) {
	case K_STR:
	case K_BYTES:
		r = memcmp(a->u.s, b->u.s, n);
		*cmp = r ? r : (a->len > b->len) - (a->len < b->len);
		return 0;
	case K_ARRAY:
		/* As Python: the first pair that differs decides, else the
		 * shorter is smaller. */
		for (i = 0; i < n; i++)
			if (!key_eq(&a->u.elems[i], &b->u.elems[i]))
				return key_cmp(&a->u.elems[i], &b->u.elems[i], cmp);
		*cmp = (a->len > b->len) - (a->len < b->len);
		return 0;
	default:
		return -EINVAL;
	}
}

static int entry_cmp(const struct entry *a, const struct entry *b, int *cmp)
{
	if (a->key.kind == K_SLOW || b->key.kind == K_SLOW)
		return mgr_datum_cmp(a->d, b->d, cmp);
	return key_cmp(&a->key, &b->key, cmp);
}

/* A stable merge sort that stops at the first pair that cannot be
 * ordered; a takes items only when strictly smaller, as Python's sort
 * uses only "<". */
static int merge_sort(struct entry *a, struct entry *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int r, cmp;

	if (n < 2)
		return 0;
	r = merge_sort(a, tmp, mid);
	if (!r)
		r = merge_sort(a + mid, tmp, n - mid);
	if (r < 0)
		return r;
	memcpy(tmp, a, mid * sizeof(*a));
	while (i < mid && j < n) {
		r = entry_cmp(&a[j], &tmp[i], &cmp);
		if (r < 0)
			return r;
		a[k++] = cmp < 0 ? a[j++] : tmp[i++];
	}
	while (i < mid)
		a[k++] = tmp[i++];
	return 0;
}

int mgr_order_sort(struct mgr_datum **items, size_t n)
{
	struct entry *ents, *tmp = NULL;
	struct arena a = { 0 };
	size_t i, built = 0;
	int r = -ENOMEM;

	if (n < 2)
		return 0;
	ents = malloc(n * sizeof(*ents));
	tmp = malloc(n / 2 * sizeof(*tmp));
	if (!ents || !tmp)
		goto out;
	for (built = 0; built < n; built++) {
		r = entry_init(&a, &ents[built], items[built]);
		if (r < 0) {
			if (ents[built].tree)
				yajl_tree_free(ents[built].tree);
			goto out;
		}
	}
	r = merge_sort(ents, tmp, n);
	if (r == 0)
		for (i = 0; i < n; i++)
			items[i] = ents[i].d;
out:
	for (i = 0; ents && i < built; i++)
		if (ents[i].tree)
			yajl_tree_free(ents[i].tree);
	arena_release(&a);
	free(tmp);
	free(ents);
	return r;
}
