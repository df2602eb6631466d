#include "pydec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pycmp.h"
#include "pydict.h"
#include "pymap.h"

/* The pickle machine as CPython's C unpickler runs it: a stack of values
 * and a stack of marks, where the top mark is a fence that ops may not
 * pop below, and a memo of references. */
struct dec {
	struct mgr_pyarena *a;
	const unsigned char *p, *end;
	struct mgr_pydec_limits lim;
	struct mgr_pyval **stack;
	size_t sp, scap;
	size_t *marks;
	size_t nmarks, mcap;
	struct mgr_pyval **memo;
	size_t memo_len, memo_count;	/* slots, and slots in use */
	size_t pushes;
	struct mgr_pymap hashes;	/* key node -> its hash, once computed */
	char *err;
	size_t errlen;
};

static int fail(struct dec *d, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct dec *d, int r, const char *fmt, ...)
{
	va_list ap;

	if (d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

static int oom(struct dec *d)
{
	return fail(d, -ENOMEM, "out of memory");
}

/* Grow a malloc'd array of n elements of size sz to hold want. */
static int grow(void **arr, size_t *cap, size_t want, size_t sz)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (want <= *cap)
		return 0;
	while (n < want) {
		if (n > SIZE_MAX / 2 / sz)
			return -ENOMEM;
		n *= 2;
	}
	p = realloc(*arr, n * sz);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static int push(struct dec *d, struct mgr_pyval *v)
{
	if (!v)
		return oom(d);
	if (++d->pushes > d->lim.max_nodes)
		return fail(d, -E2BIG, "more than %zu values", d->lim.max_nodes);
	if (grow((void **)&d->stack, &d->scap, d->sp + 1, sizeof(*d->stack)) < 0)
		return oom(d);
	d->stack[d->sp++] = v;
	return 0;
}

static size_t fence(const struct dec *d)
{
	return d->nmarks ? d->marks[d->nmarks - 1] : 0;
}

static int underflow(struct dec *d)
{
	return fail(d, -EBADMSG, "unpickling stack underflow");
}

static int pop(struct dec *d, struct mgr_pyval **v)
{
	if (d->sp <= fence(d))
		return underflow(d);
	*v = d->stack[--d->sp];
	return 0;
}

static int marker(struct dec *d, size_t *m)
{
	*m = 0;
	if (!d->nmarks)
		return fail(d, -EBADMSG, "could not find MARK");
	*m = d->marks[--d->nmarks];
	return 0;
}

static int need(struct dec *d, size_t n, const unsigned char **at)
{
	*at = d->p;
	if ((size_t)(d->end - d->p) < n)
		return fail(d, -EBADMSG, "pickle data was truncated");
	d->p += n;
	return 0;
}

/* An unsigned little-endian argument of n bytes. */
static int arg(struct dec *d, size_t n, uint64_t *x)
{
	const unsigned char *s;
	int r = need(d, n, &s);

	*x = 0;
	while (r == 0 && n--)
		*x = *x << 8 | s[n];
	return r;
}

/* Container c now holds item: c is at least one level deeper than it. */
static int deepen(struct dec *d, struct mgr_pyval *c, const struct mgr_pyval *item)
{
	uint32_t want = item->depth + 1;

	if (want <= c->depth)
		return 0;
	if (want > d->lim.max_depth)
		return fail(d, -E2BIG, "values nested deeper than %zu", d->lim.max_depth);
	c->depth = want;
	return 0;
}

static struct mgr_pyval *container(struct dec *d, enum mgr_pyval_kind kind)
{
	struct mgr_pyval *v = mgr_pyval_new(d->a, kind, 0);

	if (v)
		v->depth = 1;
	return v;
}

static int load_text(struct dec *d, size_t width, enum mgr_pyval_kind kind)
{
	const unsigned char *s;
	uint64_t n;
	int r;

	if ((r = arg(d, width, &n)) < 0)
		return r;
	if (n > (uint64_t)(d->end - d->p))
		return fail(d, -EBADMSG, "pickle data was truncated");
	if ((r = need(d, (size_t)n, &s)) < 0)
		return r;
	if (kind == MGR_PYVAL_STR && mgr_pyval_utf8_check(s, (size_t)n) < 0)
		return fail(d, -EBADMSG, "a str is not valid UTF-8");
	return push(d, mgr_pyval_bytes(d->a, kind, s, (size_t)n));
}

static int load_long(struct dec *d, size_t width)
{
	const unsigned char *s;
	uint64_t n;
	int r;

	if ((r = arg(d, width, &n)) < 0)
		return r;
	if (width == 4 && (n & 0x80000000u))
		return fail(d, -EBADMSG, "LONG pickle has negative byte count");
	if ((r = need(d, (size_t)n, &s)) < 0)
		return r;
	return push(d, mgr_pyval_long(d->a, s, (size_t)n));
}

static int load_float(struct dec *d)
{
	uint64_t u = 0;
	const unsigned char *s;
	double f;
	int r, i;

	if ((r = need(d, 8, &s)) < 0)
		return r;
	/* BINFLOAT is big-endian, unlike every other argument. */
	for (i = 0; i < 8; i++)
		u = u << 8 | s[i];
	memcpy(&f, &u, sizeof(f));
	return push(d, mgr_pyval_float(d->a, f));
}

/* Hashes are kept in a map of uintptr_t. */
_Static_assert(sizeof(uintptr_t) >= sizeof(int64_t), "hashes must fit a pointer's width");

/* The hash of a key or set item, computed once per node: the memo lets a
 * pickle put one big tuple or str into sets a million times for a few
 * bytes each, and hashing it every time would be quadratic work.  Numbers
 * cost nothing to hash again.  Errors are reported as the pickle's. */
static int key_hash(struct dec *d, const struct mgr_pyval *key, int64_t *h)
{
	uintptr_t *slot;
	int added, r;

	if (key->kind == MGR_PYVAL_NONE || key->kind == MGR_PYVAL_BOOL ||
	    key->kind == MGR_PYVAL_FLOAT || (key->kind == MGR_PYVAL_INT && !key->u.i.big))
		r = mgr_pycmp_hash(key, h);
	else if (!(slot = mgr_pymap_slot(&d->hashes, key, &added)))
		r = -ENOMEM;
	else if (!added)
		return *h = (int64_t)*slot, 0;
	else if ((r = mgr_pycmp_hash(key, h)) == 0)
		*slot = (uintptr_t)*h;
	if (r == -EINVAL)
		return fail(d, -EBADMSG, "unhashable type: '%s'", mgr_pyval_type_name(key));
	if (r == -ELOOP)
		return fail(d, -E2BIG, "keys nested too deep to hash");
	return r == -ENOMEM ? oom(d) : r;
}

/* A tuple or frozenset of the values from position start up. */
static int load_seq(struct dec *d, size_t start, enum mgr_pyval_kind kind)
{
	struct mgr_pyval *t;
	size_t i;
	int64_t h;
	int r;

	if (start < fence(d) || start > d->sp)
		return underflow(d);
	t = kind == MGR_PYVAL_TUPLE ? mgr_pyval_tuple(d->a, d->sp - start, d->stack + start)
				 : container(d, kind);
	if (!t)
		return oom(d);
	for (i = start; i < d->sp; i++) {
		if (kind == MGR_PYVAL_FROZENSET) {
			if ((r = key_hash(d, d->stack[i], &h)) < 0)
				return r;
			r = mgr_pydict_add_hashed(d->a, t, d->stack[i], h);
			if (r < 0)
				return r == -ENOMEM ? oom(d) : fail(d, r, "items nest too deep");
		}
		if ((r = deepen(d, t, d->stack[i])) < 0)
			return r;
	}
	d->sp = start;
	return push(d, t);
}

/* Where APPENDS, SETITEMS and ADDITEMS put items into an opaque object:
 * in the order CPython's pickler writes them, so that they can be written
 * back the same way. */
static int object_items(struct dec *d, struct mgr_pyval *obj, unsigned char op,
			struct mgr_pyval **items, size_t n)
{
	struct mgr_pyval_obj *o = &obj->u.obj;
	struct mgr_pyval **list;
	size_t i;
	int r;

	if (op == 0x90)
		return fail(d, -EBADMSG, "ADDITEMS on a %s object", mgr_pyval_type_name(obj));
	if (o->state || (op == 'a' && o->dictitems))
		return fail(d, -EBADMSG, "%s on a %s object after its %s",
			    op == 'a' ? "APPENDS" : "SETITEMS", mgr_pyval_type_name(obj),
			    o->state ? "state" : "dict items");
	list = op == 'a' ? &o->listitems : &o->dictitems;
	if (!*list && !(*list = mgr_pyval_new(d->a, MGR_PYVAL_LIST, n)))
		return oom(d);
	for (i = 0; i < n; i++) {
		if ((r = mgr_pyval_append(d->a, *list, items[i])) < 0)
			return oom(d);
		if ((r = deepen(d, obj, items[i])) < 0)
			return r;
	}
	return 0;
}

/* Apply the values from position x up to the one below them, as APPEND(S)
 * ('a'), SETITEM(S) ('s') or ADDITEMS (0x90). */
static int load_items(struct dec *d, size_t x, unsigned char op)
{
	static const enum mgr_pyval_kind want[] = { MGR_PYVAL_LIST, MGR_PYVAL_DICT, MGR_PYVAL_SET };
	static const char *const names[] = { "APPENDS", "SETITEMS", "ADDITEMS" };
	struct mgr_pyval *target, **items;
	size_t n, i, k = op == 'a' ? 0 : op == 's' ? 1 : 2;
	int64_t h;
	int r = 0;

	if (x > d->sp || x <= fence(d))
		return underflow(d);
	n = d->sp - x;
	if (!n)
		return 0;
	if (k == 1 && n % 2)
		return fail(d, -EBADMSG, "odd number of items for SETITEMS");
	target = d->stack[x - 1];
	items = d->stack + x;
	if (target->kind == MGR_PYVAL_OBJECT) {
		r = object_items(d, target, op, items, n);
	} else if (target->kind != want[k]) {
		return fail(d, -EBADMSG, "%s on a %s", names[k], mgr_pyval_type_name(target));
	} else {
		for (i = 0; i < n && r >= 0; i += k == 1 ? 2 : 1) {
			if (k == 0)
				r = mgr_pyval_append(d->a, target, items[i]);
			else if ((r = key_hash(d, items[i], &h)) < 0)
				return r;
			else if (k == 1)
				r = mgr_pydict_set_hashed(d->a, target, items[i], h, items[i + 1]);
			else
				r = mgr_pydict_add_hashed(d->a, target, items[i], h);
			if (r == -ELOOP)
				return fail(d, -E2BIG, "keys nested too deep to compare");
			if (r >= 0 && (r = deepen(d, target, items[i])) >= 0 && k == 1)
				r = deepen(d, target, items[i + 1]);
		}
		if (r == -ENOMEM)
			return oom(d);
	}
	d->sp = x;
	return r < 0 ? r : 0;
}

static int load_global(struct dec *d)
{
	const unsigned char *s[2], *nl;
	size_t n[2];
	int i;

	/* GLOBAL's arguments are two lines, each ending with a newline. */
	for (i = 0; i < 2; i++) {
		s[i] = d->p;
		nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
		if (!nl)
			return fail(d, -EBADMSG, "pickle data was truncated");
		n[i] = (size_t)(nl - d->p);
		d->p = nl + 1;
		if (mgr_pyval_utf8_check(s[i], n[i]) < 0)
			return fail(d, -EBADMSG, "a GLOBAL name is not valid UTF-8");
	}
	return push(d, mgr_pyval_global(d->a, (const char *)s[0], n[0], (const char *)s[1], n[1]));
}

static int load_stack_global(struct dec *d)
{
	struct mgr_pyval *module, *name;
	int r;

	if ((r = pop(d, &name)) < 0 || (r = pop(d, &module)) < 0)
		return r;
	if (module->kind != MGR_PYVAL_STR || name->kind != MGR_PYVAL_STR)
		return fail(d, -EBADMSG, "STACK_GLOBAL requires str");
	return push(d, mgr_pyval_global(d->a, (const char *)module->u.s.data, module->u.s.len,
					(const char *)name->u.s.data, name->u.s.len));
}

/* The one call the decoder understands: bytearray(b'...'), or
 * bytearray() when empty, which is how protocol 4 pickles a bytearray. */
static struct mgr_pyval *known_call(struct dec *d, struct mgr_pyval *func, struct mgr_pyval *args)
{
	struct mgr_pyval *b;

	if (!mgr_pyval_is_global(func, "builtins", "bytearray") || args->u.seq.len > 1)
		return NULL;
	if (!args->u.seq.len)
		return mgr_pyval_bytes(d->a, MGR_PYVAL_BYTEARRAY, "", 0);
	b = args->u.seq.items[0];
	if (b->kind != MGR_PYVAL_BYTES)
		return NULL;
	return mgr_pyval_bytes(d->a, MGR_PYVAL_BYTEARRAY, b->u.s.data, b->u.s.len);
}

/* REDUCE, NEWOBJ and NEWOBJ_EX: the call is recorded, not made. */
static int load_call(struct dec *d, enum mgr_pyval_how how)
{
	static const char *const names[] = { "REDUCE", "NEWOBJ", "NEWOBJ_EX" };
	struct mgr_pyval *func, *args, *kwargs = NULL, *obj;
	int r;

	if (how == MGR_PYVAL_NEWOBJ_EX && (r = pop(d, &kwargs)) < 0)
		return r;
	if ((r = pop(d, &args)) < 0 || (r = pop(d, &func)) < 0)
		return r;
	if (func->kind != MGR_PYVAL_GLOBAL && func->kind != MGR_PYVAL_OBJECT)
		return fail(d, -EBADMSG, "%s: '%s' object is not callable", names[how],
			    mgr_pyval_type_name(func));
	if (args->kind != MGR_PYVAL_TUPLE || (kwargs && kwargs->kind != MGR_PYVAL_DICT))
		return fail(d, -EBADMSG, "%s expected an argument tuple", names[how]);
	if (how == MGR_PYVAL_REDUCE && (obj = known_call(d, func, args)))
		return push(d, obj);
	obj = mgr_pyval_object(d->a, how, func, args, kwargs);
	if (!obj)
		return oom(d);
	if ((r = deepen(d, obj, func)) < 0 || (r = deepen(d, obj, args)) < 0 ||
	    (kwargs && (r = deepen(d, obj, kwargs)) < 0))
		return r;
	return push(d, obj);
}

static int load_build(struct dec *d)
{
	struct mgr_pyval *state, *inst;
	int r;

	if ((r = pop(d, &state)) < 0)
		return r;
	if (d->sp <= fence(d))
		return underflow(d);
	inst = d->stack[d->sp - 1];
	if (inst->kind != MGR_PYVAL_OBJECT)
		return fail(d, -EBADMSG, "BUILD on a %s", mgr_pyval_type_name(inst));
	if (inst->u.obj.state)
		return fail(d, -EBADMSG, "BUILD twice on one %s object", mgr_pyval_type_name(inst));
	inst->u.obj.state = state;
	return deepen(d, inst, state);
}

static int memo_put(struct dec *d, uint64_t idx)
{
	if (d->sp <= fence(d))
		return underflow(d);
	/* CPython numbers memo entries densely, so an index past the values
	 * read so far is refused rather than given memory. */
	if (idx >= d->lim.max_memo || idx > d->pushes)
		return fail(d, -E2BIG, "memo index %llu out of bounds", (unsigned long long)idx);
	if (idx >= d->memo_len) {
		size_t cap = d->memo_len;

		if (grow((void **)&d->memo, &cap, (size_t)idx + 1, sizeof(*d->memo)) < 0)
			return oom(d);
		memset(d->memo + d->memo_len, 0, (cap - d->memo_len) * sizeof(*d->memo));
		d->memo_len = cap;
	}
	if (!d->memo[idx])
		d->memo_count++;
	d->memo[idx] = d->stack[d->sp - 1];
	return 0;
}

static int memo_get(struct dec *d, size_t width)
{
	uint64_t idx;
	int r;

	if ((r = arg(d, width, &idx)) < 0)
		return r;
	if (idx >= d->memo_len || !d->memo[idx])
		return fail(d, -EBADMSG, "Memo value not found at index %llu",
			    (unsigned long long)idx);
	return push(d, d->memo[idx]);
}

/* Opcodes that CPython knows and this decoder refuses, by name. */
static const char *refused(unsigned char op)
{
	switch (op) {
	case 'P': return "PERSID";
	case 'Q': return "BINPERSID";
	case 0x82: return "EXT1";
	case 0x83: return "EXT2";
	case 0x84: return "EXT4";
	case 0x97: return "NEXT_BUFFER";
	case 0x98: return "READONLY_BUFFER";
	case 'I': return "INT";
	case 'L': return "LONG";
	case 'S': return "STRING";
	case 'V': return "UNICODE";
	case 'F': return "FLOAT";
	case 'T': return "BINSTRING";
	case 'U': return "SHORT_BINSTRING";
	case 'd': return "DICT";
	case 'l': return "LIST";
	case 'i': return "INST";
	case 'o': return "OBJ";
	case 'p': return "PUT";
	case 'g': return "GET";
	default: return NULL;
	}
}

/* One opcode; 1 at STOP. */
static int step(struct dec *d, struct mgr_pyval **out)
{
	struct mgr_pyval *v;
	unsigned char op = *d->p++;
	uint64_t x;
	size_t m;
	int r;

	switch (op) {
	case 0x80:		/* PROTO */
		if ((r = arg(d, 1, &x)) < 0)
			return r;
		return x <= 5 ? 0 : fail(d, -EBADMSG, "unsupported pickle protocol: %d", (int)x);
	case 0x95:		/* FRAME */
		if ((r = arg(d, 8, &x)) < 0)
			return r;
		if (x > (uint64_t)(d->end - d->p))
			return fail(d, -EBADMSG, "pickle data was truncated");
		return 0;
	case '.':		/* STOP */
		if ((r = pop(d, out)) < 0)
			return r;
		return 1;
	case '(':		/* MARK */
		if (d->nmarks >= d->lim.max_depth)
			return fail(d, -E2BIG, "more than %zu open MARKs", d->lim.max_depth);
		if (grow((void **)&d->marks, &d->mcap, d->nmarks + 1, sizeof(*d->marks)) < 0)
			return oom(d);
		d->marks[d->nmarks++] = d->sp;
		return 0;
	case '0':		/* POP: a mark when it is on top, else a value */
		if (d->nmarks && d->marks[d->nmarks - 1] == d->sp) {
			d->nmarks--;
			return 0;
		}
		return pop(d, &v);
	case '1':		/* POP_MARK */
		if ((r = marker(d, &m)) < 0)
			return r;
		d->sp = m;
		return 0;
	case '2':		/* DUP */
		if (d->sp <= fence(d))
			return underflow(d);
		return push(d, d->stack[d->sp - 1]);
	case 'N':
		return push(d, mgr_pyval_none());
	case 0x88:
	case 0x89:		/* NEWTRUE, NEWFALSE */
		return push(d, mgr_pyval_bool(op == 0x88));
	case 'K':		/* BININT1 */
	case 'M':		/* BININT2 */
		if ((r = arg(d, op == 'K' ? 1 : 2, &x)) < 0)
			return r;
		return push(d, mgr_pyval_int(d->a, (int64_t)x));
	case 'J':		/* BININT: signed */
		if ((r = arg(d, 4, &x)) < 0)
			return r;
		return push(d, mgr_pyval_int(d->a, (int32_t)(uint32_t)x));
	case 0x8a:		/* LONG1 */
	case 0x8b:		/* LONG4 */
		return load_long(d, op == 0x8a ? 1 : 4);
	case 'G':		/* BINFLOAT */
		return load_float(d);
	case 0x8c:		/* SHORT_BINUNICODE */
	case 'X':		/* BINUNICODE */
	case 0x8d:		/* BINUNICODE8 */
		return load_text(d, op == 0x8c ? 1 : op == 'X' ? 4 : 8, MGR_PYVAL_STR);
	case 'C':		/* SHORT_BINBYTES */
	case 'B':		/* BINBYTES */
	case 0x8e:		/* BINBYTES8 */
		return load_text(d, op == 'C' ? 1 : op == 'B' ? 4 : 8, MGR_PYVAL_BYTES);
	case 0x96:		/* BYTEARRAY8 */
		return load_text(d, 8, MGR_PYVAL_BYTEARRAY);
	case ')':		/* EMPTY_TUPLE */
		return push(d, mgr_pyval_tuple(d->a, 0, NULL));
	case 0x85:
	case 0x86:
	case 0x87:		/* TUPLE1, TUPLE2, TUPLE3 */
		m = op - 0x84u;
		return d->sp < m ? underflow(d) : load_seq(d, d->sp - m, MGR_PYVAL_TUPLE);
	case 't':		/* TUPLE */
	case 0x91:		/* FROZENSET */
		if ((r = marker(d, &m)) < 0)
			return r;
		return load_seq(d, m, op == 't' ? MGR_PYVAL_TUPLE : MGR_PYVAL_FROZENSET);
	case ']':
		return push(d, container(d, MGR_PYVAL_LIST));
	case '}':
		return push(d, container(d, MGR_PYVAL_DICT));
	case 0x8f:
		return push(d, container(d, MGR_PYVAL_SET));
	case 'a':		/* APPEND */
		return d->sp ? load_items(d, d->sp - 1, 'a') : underflow(d);
	case 's':		/* SETITEM */
		return d->sp >= 2 ? load_items(d, d->sp - 2, 's') : underflow(d);
	case 'e':		/* APPENDS */
	case 'u':		/* SETITEMS */
	case 0x90:		/* ADDITEMS */
		if ((r = marker(d, &m)) < 0)
			return r;
		return load_items(d, m, op == 'e' ? 'a' : op == 'u' ? 's' : op);
	case 'c':
		return load_global(d);
	case 0x93:
		return load_stack_global(d);
	case 'R':
		return load_call(d, MGR_PYVAL_REDUCE);
	case 0x81:
		return load_call(d, MGR_PYVAL_NEWOBJ);
	case 0x92:
		return load_call(d, MGR_PYVAL_NEWOBJ_EX);
	case 'b':
		return load_build(d);
	case 0x94:		/* MEMOIZE */
		return memo_put(d, d->memo_count);
	case 'q':		/* BINPUT */
	case 'r':		/* LONG_BINPUT */
		if ((r = arg(d, op == 'q' ? 1 : 4, &x)) < 0)
			return r;
		return memo_put(d, x);
	case 'h':		/* BINGET */
	case 'j':		/* LONG_BINGET */
		return memo_get(d, op == 'h' ? 1 : 4);
	}
	if (refused(op))
		return fail(d, -EBADMSG, "opcode %s is not supported", refused(op));
	return fail(d, -EBADMSG, "invalid load key, '\\x%02x'", op);
}

int mgr_pydec_decode(struct mgr_pyarena *a, const void *in, size_t len,
		     const struct mgr_pydec_limits *lim, struct mgr_pyval **out,
		     char *err, size_t errlen)
{
	struct dec d = { .a = a, .p = in, .end = (const unsigned char *)in + len,
			 .err = err, .errlen = errlen };
	int r = 0;

	if (lim)
		d.lim = *lim;
	d.lim.max_input = d.lim.max_input ? d.lim.max_input : MGR_PYDEC_INPUT_MAX;
	d.lim.max_depth = d.lim.max_depth ? d.lim.max_depth : MGR_PYDEC_DEPTH_MAX;
	d.lim.max_memo = d.lim.max_memo ? d.lim.max_memo : MGR_PYDEC_MEMO_MAX;
	d.lim.max_nodes = d.lim.max_nodes ? d.lim.max_nodes : MGR_PYDEC_NODES_MAX;
	if (errlen)
		err[0] = '\0';
	if (len > d.lim.max_input)
		return fail(&d, -E2BIG, "a pickle of %zu bytes is over %zu", len, d.lim.max_input);
	/* A stack from the start spares every op a test for none. */
	if (grow((void **)&d.stack, &d.scap, 1, sizeof(*d.stack)) < 0)
		return oom(&d);
	while (r == 0) {
		if (d.p == d.end)
			r = fail(&d, -EBADMSG, "pickle data was truncated");
		else
			r = step(&d, out);
	}
	free(d.stack);
	free(d.marks);
	free(d.memo);
	mgr_pymap_release(&d.hashes);
	return r < 0 ? r : 0;
}
