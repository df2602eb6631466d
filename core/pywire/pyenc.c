#include "pyenc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pylong.h"
#include "pymap.h"

/* Opcodes written (names as in Python's pickletools). */
#define OP_PROTO 0x80
#define OP_STOP '.'
#define OP_MARK '('
#define OP_POP '0'
#define OP_POP_MARK '1'
#define OP_NONE 'N'
#define OP_NEWTRUE 0x88
#define OP_NEWFALSE 0x89
#define OP_BININT 'J'
#define OP_BININT1 'K'
#define OP_BININT2 'M'
#define OP_LONG1 0x8a
#define OP_LONG4 0x8b
#define OP_BINFLOAT 'G'
#define OP_SHORT_BINUNICODE 0x8c
#define OP_BINUNICODE 'X'
#define OP_BINUNICODE8 0x8d
#define OP_SHORT_BINBYTES 'C'
#define OP_BINBYTES 'B'
#define OP_BINBYTES8 0x8e
#define OP_EMPTY_TUPLE ')'
#define OP_TUPLE 't'
#define OP_TUPLE1 0x85
#define OP_EMPTY_LIST ']'
#define OP_APPENDS 'e'
#define OP_EMPTY_DICT '}'
#define OP_SETITEMS 'u'
#define OP_EMPTY_SET 0x8f
#define OP_ADDITEMS 0x90
#define OP_FROZENSET 0x91
#define OP_GLOBAL 'c'
#define OP_STACK_GLOBAL 0x93
#define OP_REDUCE 'R'
#define OP_NEWOBJ 0x81
#define OP_NEWOBJ_EX 0x92
#define OP_BUILD 'b'
#define OP_MEMOIZE 0x94
#define OP_BINGET 'h'
#define OP_LONG_BINGET 'j'

/* CPython's pickler batches by this many items. */
#define BATCH 1000

/* In refs, beside the count of times a node is reached: whether the walk
 * is inside the node now, and whether a cycle forces it into the memo. */
#define ON_PATH ((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1))
#define FORCED ((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 2))
#define COUNT (FORCED - 1)

struct enc {
	struct mgr_buf *out;
	struct mgr_pymap refs;	/* node -> how many times it is reached, and flags */
	struct mgr_pymap memo;	/* node -> its memo index, once memoized */
	size_t nmemo;
	const struct mgr_pyval **path;	/* the memoizable nodes the walk is inside */
	size_t npath, pathcap;
};

static int emit(struct enc *e, const struct mgr_pyval *v, int depth);

static int put(struct enc *e, const void *p, size_t n)
{
	return mgr_buf_append(e->out, p, n);
}

static int put_op(struct enc *e, unsigned char op)
{
	return put(e, &op, 1);
}

/* An opcode and an unsigned little-endian argument of width bytes. */
static int put_op_le(struct enc *e, unsigned char op, uint64_t x, int width)
{
	unsigned char b[9];
	int i;

	b[0] = op;
	for (i = 0; i < width; i++)
		b[1 + i] = (unsigned char)(x >> (8 * i));
	return put(e, b, 1 + width);
}

/* Nodes worth a memo entry when reached twice: those whose identity a
 * reader can tell (mutable ones) and those that cost more to repeat than
 * to fetch.  That is all but the ones of a few bytes: written again, they
 * cost no more than fetching.  A decoded value may name one big int or
 * global a million times through the memo, so writing those again each
 * time could make a pickle a million times the size of the one read. */
static bool memoizable(const struct mgr_pyval *v)
{
	switch (v->kind) {
	case MGR_PYVAL_NONE:
	case MGR_PYVAL_BOOL:
	case MGR_PYVAL_FLOAT:
		return false;
	case MGR_PYVAL_INT:
		return v->u.i.big != NULL;
	case MGR_PYVAL_TUPLE:
		return v->u.seq.len > 0;
	default:
		return true;
	}
}

static size_t child_count(const struct mgr_pyval *v)
{
	switch (v->kind) {
	case MGR_PYVAL_TUPLE:
	case MGR_PYVAL_LIST:
	case MGR_PYVAL_SET:
	case MGR_PYVAL_FROZENSET:
		return v->u.seq.len;
	case MGR_PYVAL_DICT:
		return 2 * v->u.seq.len;
	case MGR_PYVAL_OBJECT:
		return 6;
	default:
		return 0;
	}
}

static const struct mgr_pyval *child(const struct mgr_pyval *v, size_t i)
{
	const struct mgr_pyval_obj *o = &v->u.obj;
	const struct mgr_pyval *parts[6] = {
		o->func, o->args, o->kwargs, o->listitems, o->dictitems, o->state,
	};

	return v->kind == MGR_PYVAL_OBJECT ? parts[i] : v->u.seq.items[i];
}

/* Lists, dicts, sets and objects are written before what is put into them
 * afterwards, so memoizing them at that point lets their items refer back
 * to them: every cycle a pickle can make passes through one of them. */
static bool memo_first(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_LIST || v->kind == MGR_PYVAL_DICT || v->kind == MGR_PYVAL_SET ||
	       v->kind == MGR_PYVAL_OBJECT;
}

/* A walk inside v met v again: memoize the nodes of the cycle that can be
 * memoized before their items.  A node reached twice is memoized anyway;
 * this matters for a cycle whose only node reached twice is a tuple, which
 * exists only after its items, as in t = ([],); t[0].append(t). */
static void mark_cycle(struct enc *e, const struct mgr_pyval *v)
{
	uintptr_t *slot;
	size_t i = e->npath;
	int added;

	while (i-- > 0) {
		if (memo_first(e->path[i]) && (slot = mgr_pymap_slot(&e->refs, e->path[i], &added)))
			*slot |= FORCED;
		if (e->path[i] == v)
			break;
	}
}

/* Count how many times each memoizable node is reached, walking each
 * one's children only the first time. */
static int count_refs(struct enc *e, const struct mgr_pyval *v, int depth)
{
	const struct mgr_pyval *c;
	bool track = memoizable(v);
	uintptr_t *n;
	size_t i, k;
	int added, r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (track) {
		n = mgr_pymap_slot(&e->refs, v, &added);
		if (!n)
			return -ENOMEM;
		++*n;
		if (*n & ON_PATH)
			mark_cycle(e, v);
		if ((*n & COUNT) > 1)
			return 0;
		*n |= ON_PATH;
		if (e->npath == e->pathcap) {
			size_t cap = e->pathcap ? 2 * e->pathcap : 64;
			const struct mgr_pyval **p = realloc(e->path, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			e->path = p;
			e->pathcap = cap;
		}
		e->path[e->npath++] = v;
	}
	k = child_count(v);
	for (i = 0; i < k; i++) {
		c = child(v, i);
		if (c && (r = count_refs(e, c, depth + 1)) < 0)
			return r;
	}
	if (track) {
		e->npath--;
		n = mgr_pymap_slot(&e->refs, v, &added);
		*n &= ~ON_PATH;
	}
	return 0;
}

static bool shared(struct enc *e, const struct mgr_pyval *v)
{
	uintptr_t n = 0;

	return memoizable(v) && mgr_pymap_get(&e->refs, v, &n) && ((n & COUNT) > 1 || (n & FORCED));
}

/* Fetch memo entry idx. */
static int put_get(struct enc *e, uintptr_t idx)
{
	if (idx < 256)
		return put_op_le(e, OP_BINGET, idx, 1);
	return put_op_le(e, OP_LONG_BINGET, idx, 4);
}

static int memoize(struct enc *e, const struct mgr_pyval *v)
{
	uintptr_t *slot;
	int added;

	if (!shared(e, v))
		return 0;
	slot = mgr_pymap_slot(&e->memo, v, &added);
	if (!slot)
		return -ENOMEM;
	*slot = e->nmemo++;
	return put_op(e, OP_MEMOIZE);
}

/* If v was memoized while its own parts were written (a cycle through a
 * list or an object's state), drop the n parts, or the mark, from the
 * stack and fetch the finished v instead: returns 1 when it did. */
static int fetch_instead(struct enc *e, const struct mgr_pyval *v, size_t npop, bool mark)
{
	uintptr_t idx;
	int r = 0;

	if (!mgr_pymap_get(&e->memo, v, &idx))
		return 0;
	if (mark)
		r = put_op(e, OP_POP_MARK);
	while (!mark && npop-- && r >= 0)
		r = put_op(e, OP_POP);
	if (r >= 0)
		r = put_get(e, idx);
	return r < 0 ? r : 1;
}

static int emit_int(struct enc *e, const struct mgr_pyval *v)
{
	unsigned char buf[MGR_PYLONG_SMALL_MAX];
	const unsigned char *p;
	int64_t x = v->u.i.small;
	size_t n;
	int r;

	if (!v->u.i.big && x >= 0 && x < 256)
		return put_op_le(e, OP_BININT1, (uint64_t)x, 1);
	if (!v->u.i.big && x >= 0 && x < 65536)
		return put_op_le(e, OP_BININT2, (uint64_t)x, 2);
	if (!v->u.i.big && x >= INT32_MIN && x <= INT32_MAX)
		return put_op_le(e, OP_BININT, (uint32_t)x, 4);
	n = mgr_pylong_bytes(v, buf, &p);
	r = n < 256 ? put_op_le(e, OP_LONG1, n, 1) : put_op_le(e, OP_LONG4, n, 4);
	return r < 0 ? r : put(e, p, n);
}

static int emit_float(struct enc *e, double f)
{
	unsigned char b[9];
	uint64_t u;
	int i;

	memcpy(&u, &f, sizeof(u));
	b[0] = OP_BINFLOAT;
	for (i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(u >> (56 - 8 * i));
	return put(e, b, sizeof(b));
}

/* A str or bytes with the shortest length form that holds it. */
static int emit_text(struct enc *e, const unsigned char *p, size_t n, bool str)
{
	int r;

	if (n < 256)
		r = put_op_le(e, str ? OP_SHORT_BINUNICODE : OP_SHORT_BINBYTES, n, 1);
	else if (n <= UINT32_MAX)
		r = put_op_le(e, str ? OP_BINUNICODE : OP_BINBYTES, n, 4);
	else
		r = put_op_le(e, str ? OP_BINUNICODE8 : OP_BINBYTES8, n, 8);
	return r < 0 ? r : put(e, p, n);
}

/* GLOBAL is a line each for module and name; names with a newline in them
 * can only go as two strs and STACK_GLOBAL. */
static int emit_global(struct enc *e, const struct mgr_pyval *v)
{
	const char *m = v->u.g.module, *n = v->u.g.name;
	size_t ml = v->u.g.module_len, nl = v->u.g.name_len;
	int r;

	if (memchr(m, '\n', ml) || memchr(n, '\n', nl)) {
		if ((r = emit_text(e, (const unsigned char *)m, ml, true)) < 0 ||
		    (r = emit_text(e, (const unsigned char *)n, nl, true)) < 0)
			return r;
		return put_op(e, OP_STACK_GLOBAL);
	}
	if ((r = put_op(e, OP_GLOBAL)) < 0 || (r = put(e, m, ml)) < 0 ||
	    (r = put(e, "\n", 1)) < 0 || (r = put(e, n, nl)) < 0)
		return r;
	return put(e, "\n", 1);
}

/* Items from..n of v's children, step at a time, as MARK ... op batches. */
static int emit_batches(struct enc *e, struct mgr_pyval *const *items, size_t n, size_t step,
			unsigned char op, int depth)
{
	size_t i, k, end;
	int r;

	for (i = 0; i < n; i = end) {
		end = n - i > BATCH ? i + BATCH : n;
		if ((r = put_op(e, OP_MARK)) < 0)
			return r;
		for (k = i * step; k < end * step; k++)
			if ((r = emit(e, items[k], depth + 1)) < 0)
				return r;
		if ((r = put_op(e, op)) < 0)
			return r;
	}
	return 0;
}

static int emit_tuple(struct enc *e, const struct mgr_pyval *v, int depth)
{
	size_t n = v->u.seq.len, i;
	int r;

	if (n == 0)
		return put_op(e, OP_EMPTY_TUPLE);
	if (n > 3 && (r = put_op(e, OP_MARK)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = emit(e, v->u.seq.items[i], depth + 1)) < 0)
			return r;
	r = fetch_instead(e, v, n, n > 3);
	if (r)
		return r < 0 ? r : 0;
	r = put_op(e, n > 3 ? OP_TUPLE : (unsigned char)(OP_TUPLE1 + n - 1));
	return r < 0 ? r : memoize(e, v);
}

static int emit_bytearray(struct enc *e, const struct mgr_pyval *v)
{
	int r;

	if ((r = put(e, "cbuiltins\nbytearray\n", 20)) < 0 ||
	    (r = emit_text(e, v->u.s.data, v->u.s.len, false)) < 0 ||
	    (r = put_op(e, OP_TUPLE1)) < 0 || (r = put_op(e, OP_REDUCE)) < 0)
		return r;
	return memoize(e, v);
}

/* An empty list, dict or set, memoized before its items so that items
 * can refer back to it. */
static int emit_container(struct enc *e, const struct mgr_pyval *v, unsigned char empty,
			  unsigned char op, size_t step, int depth)
{
	int r;

	if ((r = put_op(e, empty)) < 0 || (r = memoize(e, v)) < 0)
		return r;
	return emit_batches(e, v->u.seq.items, v->u.seq.len, step, op, depth);
}

static int emit_frozenset(struct enc *e, const struct mgr_pyval *v, int depth)
{
	size_t i;
	int r;

	if ((r = put_op(e, OP_MARK)) < 0)
		return r;
	for (i = 0; i < v->u.seq.len; i++)
		if ((r = emit(e, v->u.seq.items[i], depth + 1)) < 0)
			return r;
	r = fetch_instead(e, v, 0, true);
	if (r)
		return r < 0 ? r : 0;
	r = put_op(e, OP_FROZENSET);
	return r < 0 ? r : memoize(e, v);
}

static int emit_object(struct enc *e, const struct mgr_pyval *v, int depth)
{
	static const unsigned char ops[] = {
		[MGR_PYVAL_REDUCE] = OP_REDUCE, [MGR_PYVAL_NEWOBJ] = OP_NEWOBJ,
		[MGR_PYVAL_NEWOBJ_EX] = OP_NEWOBJ_EX,
	};
	const struct mgr_pyval_obj *o = &v->u.obj;
	const struct mgr_pyval_seq *q;
	int r;

	if ((r = emit(e, o->func, depth + 1)) < 0 || (r = emit(e, o->args, depth + 1)) < 0)
		return r;
	if (o->how == MGR_PYVAL_NEWOBJ_EX && (r = emit(e, o->kwargs, depth + 1)) < 0)
		return r;
	r = fetch_instead(e, v, o->how == MGR_PYVAL_NEWOBJ_EX ? 3 : 2, false);
	if (r)
		return r < 0 ? r : 0;
	if ((r = put_op(e, ops[o->how])) < 0 || (r = memoize(e, v)) < 0)
		return r;
	if (o->listitems) {
		q = &o->listitems->u.seq;
		if ((r = emit_batches(e, q->items, q->len, 1, OP_APPENDS, depth)) < 0)
			return r;
	}
	if (o->dictitems) {
		q = &o->dictitems->u.seq;
		if ((r = emit_batches(e, q->items, q->len / 2, 2, OP_SETITEMS, depth)) < 0)
			return r;
	}
	if (o->state && ((r = emit(e, o->state, depth + 1)) < 0 || (r = put_op(e, OP_BUILD)) < 0))
		return r;
	return 0;
}

static int emit(struct enc *e, const struct mgr_pyval *v, int depth)
{
	uintptr_t idx;
	int r;

	if (depth > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	if (mgr_pymap_get(&e->memo, v, &idx))
		return put_get(e, idx);
	switch (v->kind) {
	case MGR_PYVAL_NONE:
		return put_op(e, OP_NONE);
	case MGR_PYVAL_BOOL:
		return put_op(e, v->u.b ? OP_NEWTRUE : OP_NEWFALSE);
	case MGR_PYVAL_INT:
		r = emit_int(e, v);
		return r < 0 ? r : memoize(e, v);
	case MGR_PYVAL_FLOAT:
		return emit_float(e, v->u.f);
	case MGR_PYVAL_STR:
	case MGR_PYVAL_BYTES:
		r = emit_text(e, v->u.s.data, v->u.s.len, v->kind == MGR_PYVAL_STR);
		return r < 0 ? r : memoize(e, v);
	case MGR_PYVAL_BYTEARRAY:
		return emit_bytearray(e, v);
	case MGR_PYVAL_TUPLE:
		return emit_tuple(e, v, depth);
	case MGR_PYVAL_LIST:
		return emit_container(e, v, OP_EMPTY_LIST, OP_APPENDS, 1, depth);
	case MGR_PYVAL_DICT:
		return emit_container(e, v, OP_EMPTY_DICT, OP_SETITEMS, 2, depth);
	case MGR_PYVAL_SET:
		return emit_container(e, v, OP_EMPTY_SET, OP_ADDITEMS, 1, depth);
	case MGR_PYVAL_FROZENSET:
		return emit_frozenset(e, v, depth);
	case MGR_PYVAL_GLOBAL:
		r = emit_global(e, v);
		return r < 0 ? r : memoize(e, v);
	case MGR_PYVAL_OBJECT:
		return emit_object(e, v, depth);
	}
	return -EINVAL;
}

int mgr_pyenc_value(struct mgr_buf *out, const struct mgr_pyval *v)
{
	static const unsigned char proto[] = { OP_PROTO, 4 };
	struct enc e = { out, MGR_PYMAP_INIT, MGR_PYMAP_INIT, 0, NULL, 0, 0 };
	size_t start = out->len;
	int r;

	if ((r = count_refs(&e, v, 0)) < 0 || (r = put(&e, proto, 2)) < 0 ||
	    (r = emit(&e, v, 0)) < 0 || (r = put_op(&e, OP_STOP)) < 0)
		out->len = start;
	mgr_pymap_release(&e.refs);
	mgr_pymap_release(&e.memo);
	free(e.path);
	return r < 0 ? r : 0;
}
