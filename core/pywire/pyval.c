#include "pyval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pymap.h"

static struct mgr_pyval py_none = { .kind = MGR_PYVAL_NONE };
static struct mgr_pyval py_true = { .kind = MGR_PYVAL_BOOL, .u.b = true };
static struct mgr_pyval py_false = { .kind = MGR_PYVAL_BOOL, .u.b = false };

static struct mgr_pyval *pyval_node(struct mgr_pyarena *a, enum mgr_pyval_kind kind)
{
	struct mgr_pyval *v = mgr_pyarena_alloc(a, sizeof(*v));

	if (v) {
		memset(v, 0, sizeof(*v));
		v->kind = kind;
	}
	return v;
}

struct mgr_pyval *mgr_pyval_none(void)
{
	return &py_none;
}

struct mgr_pyval *mgr_pyval_bool(bool b)
{
	return b ? &py_true : &py_false;
}

struct mgr_pyval *mgr_pyval_int(struct mgr_pyarena *a, int64_t i)
{
	struct mgr_pyval *v = pyval_node(a, MGR_PYVAL_INT);

	if (v)
		v->u.i.small = i;
	return v;
}

struct mgr_pyval *mgr_pyval_long(struct mgr_pyarena *a, const unsigned char *le, size_t n)
{
	struct mgr_pyval *v;
	unsigned char *big;
	uint64_t u;
	size_t k;

	/* A top byte that only repeats the sign of the one below says
	 * nothing; dropping such bytes makes equal ints equal bytes. */
	while (n > 1 && ((le[n - 1] == 0x00 && !(le[n - 2] & 0x80)) ||
			 (le[n - 1] == 0xff && (le[n - 2] & 0x80))))
		n--;
	if (n <= 8) {
		u = n && (le[n - 1] & 0x80) ? UINT64_MAX : 0;
		for (k = n; k-- > 0;)
			u = u << 8 | le[k];
		return mgr_pyval_int(a, (int64_t)u);
	}
	v = pyval_node(a, MGR_PYVAL_INT);
	big = v ? mgr_pyarena_alloc(a, n) : NULL;
	if (!big)
		return NULL;
	memcpy(big, le, n);
	v->u.i.big = big;
	v->u.i.nbig = n;
	v->u.i.small = (le[n - 1] & 0x80) ? -1 : 1;
	return v;
}

struct mgr_pyval *mgr_pyval_float(struct mgr_pyarena *a, double f)
{
	struct mgr_pyval *v = pyval_node(a, MGR_PYVAL_FLOAT);

	if (v)
		v->u.f = f;
	return v;
}

/* The bytes of a str, bytes or bytearray, NUL-terminated for callers
 * that want C text. */
static unsigned char *pyval_dup(struct mgr_pyarena *a, const void *p, size_t n)
{
	unsigned char *d;

	if (n == SIZE_MAX)
		return NULL;
	d = mgr_pyarena_alloc(a, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

struct mgr_pyval *mgr_pyval_bytes(struct mgr_pyarena *a, enum mgr_pyval_kind kind,
				  const void *p, size_t n)
{
	struct mgr_pyval *v = pyval_node(a, kind);

	if (!v || !(v->u.s.data = pyval_dup(a, p, n)))
		return NULL;
	v->u.s.len = n;
	return v;
}

struct mgr_pyval *mgr_pyval_str(struct mgr_pyarena *a, const char *s, size_t len)
{
	return mgr_pyval_bytes(a, MGR_PYVAL_STR, s, len);
}

struct mgr_pyval *mgr_pyval_cstr(struct mgr_pyarena *a, const char *s)
{
	return mgr_pyval_str(a, s, strlen(s));
}

/* Room for want items where used are in use (a dict's len counts pairs,
 * so the caller says). */
static int pyval_reserve(struct mgr_pyarena *a, struct mgr_pyval_seq *q, size_t want, size_t used)
{
	struct mgr_pyval **items;
	size_t cap;

	if (want <= q->cap)
		return 0;
	cap = q->cap ? q->cap : 4;
	while (cap < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*items))
			return -ENOMEM;
		cap *= 2;
	}
	/* The old array stays in the arena: growing by doubling keeps what
	 * is left behind under the size of the live one. */
	items = mgr_pyarena_alloc(a, cap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	if (used)
		memcpy(items, q->items, used * sizeof(*items));
	q->items = items;
	q->cap = cap;
	return 0;
}

struct mgr_pyval *mgr_pyval_new(struct mgr_pyarena *a, enum mgr_pyval_kind kind, size_t cap)
{
	struct mgr_pyval *v = pyval_node(a, kind);

	if (!v)
		return NULL;
	if (kind == MGR_PYVAL_DICT)
		cap *= 2;
	if (cap && pyval_reserve(a, &v->u.seq, cap, 0) < 0)
		return NULL;
	return v;
}

int mgr_pyval_reserve(struct mgr_pyarena *a, struct mgr_pyval *seq, size_t n)
{
	struct mgr_pyval_seq *q = &seq->u.seq;

	return pyval_reserve(a, q, n, seq->kind == MGR_PYVAL_DICT ? 2 * q->len : q->len);
}

int mgr_pyval_append(struct mgr_pyarena *a, struct mgr_pyval *seq, struct mgr_pyval *item)
{
	struct mgr_pyval_seq *q = &seq->u.seq;
	int r;

	r = pyval_reserve(a, q, q->len + 1, q->len);
	if (r < 0)
		return r;
	q->items[q->len++] = item;
	return 0;
}

struct mgr_pyval *mgr_pyval_tuple(struct mgr_pyarena *a, size_t n, struct mgr_pyval *const *items)
{
	struct mgr_pyval *t = mgr_pyval_new(a, MGR_PYVAL_TUPLE, n);

	if (t && n) {
		memcpy(t->u.seq.items, items, n * sizeof(*items));
		t->u.seq.len = n;
	}
	return t;
}

struct mgr_pyval *mgr_pyval_global(struct mgr_pyarena *a, const char *module, size_t module_len,
				   const char *name, size_t name_len)
{
	struct mgr_pyval *v = pyval_node(a, MGR_PYVAL_GLOBAL);

	if (!v || !(v->u.g.module = (char *)pyval_dup(a, module, module_len)) ||
	    !(v->u.g.name = (char *)pyval_dup(a, name, name_len)))
		return NULL;
	v->u.g.module_len = module_len;
	v->u.g.name_len = name_len;
	return v;
}

struct mgr_pyval *mgr_pyval_object(struct mgr_pyarena *a, enum mgr_pyval_how how,
				   struct mgr_pyval *func, struct mgr_pyval *args,
				   struct mgr_pyval *kwargs)
{
	struct mgr_pyval *v = pyval_node(a, MGR_PYVAL_OBJECT);

	if (v) {
		v->u.obj.how = how;
		v->u.obj.func = func;
		v->u.obj.args = args;
		v->u.obj.kwargs = kwargs;
	}
	return v;
}

bool mgr_pyval_is_str(const struct mgr_pyval *v, const char *s)
{
	return v->kind == MGR_PYVAL_STR && v->u.s.len == strlen(s) &&
	       memcmp(v->u.s.data, s, v->u.s.len) == 0;
}

bool mgr_pyval_is_global(const struct mgr_pyval *v, const char *module, const char *name)
{
	return v->kind == MGR_PYVAL_GLOBAL && v->u.g.module_len == strlen(module) &&
	       v->u.g.name_len == strlen(name) &&
	       memcmp(v->u.g.module, module, v->u.g.module_len) == 0 &&
	       memcmp(v->u.g.name, name, v->u.g.name_len) == 0;
}

bool mgr_pyval_is_object_of(const struct mgr_pyval *v, const char *module, const char *name)
{
	return v->kind == MGR_PYVAL_OBJECT && mgr_pyval_is_global(v->u.obj.func, module, name);
}

int mgr_pyval_get_int(const struct mgr_pyval *v, int64_t *out)
{
	if (v->kind == MGR_PYVAL_BOOL) {
		*out = v->u.b;
		return 0;
	}
	if (v->kind != MGR_PYVAL_INT || v->u.i.big)
		return -ERANGE;
	*out = v->u.i.small;
	return 0;
}

/* How many continuation bytes follow lead byte c, and the range the first
 * of them must fall in; -1 for a byte that cannot lead.  Surrogates
 * (ED A0..BF) are allowed, which is all "surrogatepass" changes. */
static int utf8_lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 0;
	if (c < 0xc2)
		return -1;
	if (c < 0xe0)
		return 1;
	if (c < 0xf0) {
		if (c == 0xe0)
			*lo = 0xa0;
		return 2;
	}
	if (c > 0xf4)
		return -1;
	if (c == 0xf0)
		*lo = 0x90;
	else if (c == 0xf4)
		*hi = 0x8f;
	return 3;
}

int mgr_pyval_utf8_check(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned char lo, hi;
	size_t i = 0, k;
	int more;

	while (i < n) {
		more = utf8_lead(s[i], &lo, &hi);
		if (more < 0 || (size_t)more >= n - i)
			return -EILSEQ;
		if (more && (s[i + 1] < lo || s[i + 1] > hi))
			return -EILSEQ;
		for (k = 2; k <= (size_t)more; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return -EILSEQ;
		i += more + 1;
	}
	return 0;
}

size_t mgr_pyval_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char lo, hi;
	int more = utf8_lead(p[0], &lo, &hi), k;
	uint32_t c;

	if (more <= 0 || (size_t)more >= n) {
		*cp = p[0];
		return 1;
	}
	c = p[0] & (0x3f >> more);
	for (k = 1; k <= more; k++)
		c = c << 6 | (p[k] & 0x3f);
	*cp = c;
	return more + 1;
}

const char *mgr_pyval_type_name(const struct mgr_pyval *v)
{
	static const char *const names[] = {
		[MGR_PYVAL_NONE] = "NoneType", [MGR_PYVAL_BOOL] = "bool", [MGR_PYVAL_INT] = "int",
		[MGR_PYVAL_FLOAT] = "float", [MGR_PYVAL_STR] = "str", [MGR_PYVAL_BYTES] = "bytes",
		[MGR_PYVAL_BYTEARRAY] = "bytearray", [MGR_PYVAL_TUPLE] = "tuple",
		[MGR_PYVAL_LIST] = "list", [MGR_PYVAL_DICT] = "dict", [MGR_PYVAL_SET] = "set",
		[MGR_PYVAL_FROZENSET] = "frozenset", [MGR_PYVAL_GLOBAL] = "type",
		[MGR_PYVAL_OBJECT] = "object",
	};

	/* The callable of REDUCE is the class itself for every reduce in
	 * the captures (exceptions, datetime, Decimal...), as NEWOBJ's is. */
	if (v->kind == MGR_PYVAL_OBJECT && v->u.obj.func->kind == MGR_PYVAL_GLOBAL)
		return v->u.obj.func->u.g.name;
	return names[v->kind];
}

struct pyval_copier {
	struct mgr_pyarena *dst;
	struct mgr_pymap seen;	/* source node -> its copy */
};

static int pyval_copy_node(struct pyval_copier *c, const struct mgr_pyval *v,
			   struct mgr_pyval **out, int depth);

/* Copy a field that may be NULL. */
static int pyval_copy_opt(struct pyval_copier *c, const struct mgr_pyval *v,
			  struct mgr_pyval **out, int depth)
{
	*out = NULL;
	return v ? pyval_copy_node(c, v, out, depth) : 0;
}

static int pyval_copy_seq(struct pyval_copier *c, const struct mgr_pyval *v,
			  struct mgr_pyval *n, int depth)
{
	const struct mgr_pyval_seq *q = &v->u.seq;
	struct mgr_pyval_seq *d = &n->u.seq;
	size_t count = v->kind == MGR_PYVAL_DICT ? 2 * q->len : q->len, i;
	int r;

	if (count && pyval_reserve(c->dst, d, count, 0) < 0)
		return -ENOMEM;
	/* The index holds hashes and positions, which a copy keeps, so it
	 * is copied as it is rather than computed again. */
	if (q->nslots) {
		d->slots = mgr_pyarena_alloc(c->dst, q->nslots * sizeof(*q->slots));
		d->hashes = mgr_pyarena_alloc(c->dst, q->hcap * sizeof(*q->hashes));
		if (!d->slots || !d->hashes)
			return -ENOMEM;
		memcpy(d->slots, q->slots, q->nslots * sizeof(*q->slots));
		memcpy(d->hashes, q->hashes, q->len * sizeof(*q->hashes));
		d->nslots = q->nslots;
		d->hcap = q->hcap;
	}
	for (i = 0; i < count; i++) {
		r = pyval_copy_node(c, q->items[i], &d->items[i], depth + 1);
		if (r < 0)
			return r;
		/* Counting as items arrive keeps a cycle back into this
		 * container from seeing unset items. */
		d->len = v->kind == MGR_PYVAL_DICT ? (i + 1) / 2 : i + 1;
	}
	d->len = q->len;
	return 0;
}

static int pyval_copy_node(struct pyval_copier *c, const struct mgr_pyval *v,
			   struct mgr_pyval **out, int depth)
{
	const struct mgr_pyval_obj *o = &v->u.obj;
	struct mgr_pyval *n;
	uintptr_t *slot;
	int added, r = 0;

	if (v->kind == MGR_PYVAL_NONE || v->kind == MGR_PYVAL_BOOL) {
		*out = (struct mgr_pyval *)v;
		return 0;
	}
	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	slot = mgr_pymap_slot(&c->seen, v, &added);
	if (!slot)
		return -ENOMEM;
	if (!added) {
		*out = (struct mgr_pyval *)*slot;
		return 0;
	}
	switch (v->kind) {
	case MGR_PYVAL_INT:
		n = v->u.i.big ? mgr_pyval_long(c->dst, v->u.i.big, v->u.i.nbig)
			       : mgr_pyval_int(c->dst, v->u.i.small);
		break;
	case MGR_PYVAL_FLOAT:
		n = mgr_pyval_float(c->dst, v->u.f);
		break;
	case MGR_PYVAL_STR:
	case MGR_PYVAL_BYTES:
	case MGR_PYVAL_BYTEARRAY:
		n = mgr_pyval_bytes(c->dst, v->kind, v->u.s.data, v->u.s.len);
		break;
	case MGR_PYVAL_GLOBAL:
		n = mgr_pyval_global(c->dst, v->u.g.module, v->u.g.module_len,
				     v->u.g.name, v->u.g.name_len);
		break;
	default:
		n = pyval_node(c->dst, v->kind);
		break;
	}
	if (!n)
		return -ENOMEM;
	/* The copy is known before its parts are copied, so that a cycle
	 * through them comes back to it. */
	*(struct mgr_pyval **)mgr_pymap_slot(&c->seen, v, &added) = n;
	*out = n;
	switch (v->kind) {
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_DICT:
	case MGR_PYVAL_SET:
	case MGR_PYVAL_FROZENSET:
		r = pyval_copy_seq(c, v, n, depth);
		break;
	case MGR_PYVAL_OBJECT:
		n->u.obj.how = o->how;
		if ((r = pyval_copy_opt(c, o->func, &n->u.obj.func, depth + 1)) < 0 ||
		    (r = pyval_copy_opt(c, o->args, &n->u.obj.args, depth + 1)) < 0 ||
		    (r = pyval_copy_opt(c, o->kwargs, &n->u.obj.kwargs, depth + 1)) < 0 ||
		    (r = pyval_copy_opt(c, o->listitems, &n->u.obj.listitems, depth + 1)) < 0 ||
		    (r = pyval_copy_opt(c, o->dictitems, &n->u.obj.dictitems, depth + 1)) < 0)
			break;
		r = pyval_copy_opt(c, o->state, &n->u.obj.state, depth + 1);
		break;
	default:
		break;
	}
	return r;
}

int mgr_pyval_copy(struct mgr_pyarena *dst, const struct mgr_pyval *v, struct mgr_pyval **out)
{
	struct pyval_copier c = { dst, MGR_PYMAP_INIT };
	int r;

	r = pyval_copy_node(&c, v, out, 0);
	mgr_pymap_release(&c.seen);
	return r;
}
