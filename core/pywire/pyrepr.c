#include "pyrepr.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pylong.h"
#include "pyuni.h"

/* The containers being printed, innermost last, as CPython's
 * Py_ReprEnter keeps them: meeting one again prints "..." instead. */
struct printer {
	struct mgr_buf *out;
	size_t start;
	const struct mgr_pyval *open[MGR_PYVAL_DEPTH_MAX + 1];
	size_t nopen;
	int depth;
};

static int node(struct printer *p, const struct mgr_pyval *v);

static int put(struct printer *p, const char *s, size_t n)
{
	if (p->out->len - p->start + n > MGR_PYREPR_MAX)
		return -E2BIG;
	return mgr_buf_append(p->out, s, n);
}

static int puts_(struct printer *p, const char *s)
{
	return put(p, s, strlen(s));
}

/* The shortest digits that read back as x (finite, > 0), and the place of
 * the decimal point: x = 0.digits * 10**decpt.  printf rounds correctly, so
 * its p digits are the nearest; at a power of two the interval that reads
 * back is lopsided and the neighbour on the wide side may fit where the
 * nearest does not, so both neighbours are tried too. */
static size_t shortest(double x, char digits[24], int *decpt)
{
	char buf[48], cand[48];
	int p, e, k, delta;
	size_t n;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		n = 0;
		digits[n++] = buf[0];
		for (k = 2; k <= p; k++)
			digits[n++] = buf[k];
		e = atoi(strchr(buf, 'e') + 1);
		if (strtod(buf, NULL) == x)
			goto found;
		for (delta = -1; delta <= 1; delta += 2) {
			char d[24];
			int i = p - 1;

			memcpy(d, digits, n);
			while (i >= 0) {
				int c = d[i] - '0' + delta;

				d[i] = (char)('0' + (c + 10) % 10);
				if (c >= 0 && c <= 9)
					break;
				i--;
			}
			/* A carry out of the top or a borrow to a leading zero
			 * changes the length: skip those, longer p covers them. */
			if (i < 0 || d[0] == '0')
				continue;
			snprintf(cand, sizeof(cand), "%c.%.*se%d", d[0], p - 1, d + 1, e);
			if (strtod(cand, NULL) == x) {
				memcpy(digits, d, n);
				goto found;
			}
		}
	}
found:
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*decpt = e + 1;
	return n;
}

size_t mgr_pyrepr_float(double f, char buf[MGR_PYREPR_FLOAT_MAX])
{
	char digits[24], *o = buf;
	int decpt, i;
	size_t n;

	if (isnan(f))
		return (size_t)snprintf(buf, MGR_PYREPR_FLOAT_MAX, "nan");
	if (isinf(f))
		return (size_t)snprintf(buf, MGR_PYREPR_FLOAT_MAX, f > 0 ? "inf" : "-inf");
	if (signbit(f))
		*o++ = '-';
	if (f == 0)
		return (size_t)(o - buf) + (size_t)snprintf(o, 4, "0.0");
	n = shortest(fabs(f), digits, &decpt);
	/* Python's repr switches to an exponent below 1e-4 and from 1e16. */
	if (decpt <= -4 || decpt > 16) {
		*o++ = digits[0];
		if (n > 1) {
			*o++ = '.';
			memcpy(o, digits + 1, n - 1);
			o += n - 1;
		}
		o += snprintf(o, 8, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
	} else if (decpt <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = decpt; i < 0; i++)
			*o++ = '0';
		memcpy(o, digits, n);
		o += n;
	} else {
		for (i = 0; i < decpt; i++)
			*o++ = (size_t)i < n ? digits[i] : '0';
		*o++ = '.';
		if ((size_t)decpt < n) {
			memcpy(o, digits + decpt, n - (size_t)decpt);
			o += n - (size_t)decpt;
		} else {
			*o++ = '0';
		}
	}
	*o = '\0';
	return (size_t)(o - buf);
}

/* Python quotes with ' unless the text holds ' and no ". */
static char quote_for(const unsigned char *s, size_t n)
{
	return memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';
}

/* An escape for what needs one in both str and bytes reprs, else 0. */
static int common_escape(struct printer *p, uint32_t c, char q)
{
	char e[8];

	if (c == (unsigned char)q || c == '\\') {
		e[0] = '\\';
		e[1] = (char)c;
		return put(p, e, 2);
	}
	if (c == '\t')
		return put(p, "\\t", 2);
	if (c == '\n')
		return put(p, "\\n", 2);
	if (c == '\r')
		return put(p, "\\r", 2);
	if (c < ' ' || c == 0x7f) {
		snprintf(e, sizeof(e), "\\x%02x", c);
		return put(p, e, 4);
	}
	return 1;
}

static int repr_str(struct printer *p, const unsigned char *s, size_t n)
{
	char q = quote_for(s, n), e[12];
	uint32_t c;
	size_t i, k;
	int r = put(p, &q, 1);

	for (i = 0; i < n && r >= 0; i += k) {
		k = mgr_pyval_utf8_next(s + i, n - i, &c);
		r = common_escape(p, c, q);
		if (r <= 0)
			continue;
		if (c < 0x7f || mgr_pyuni_printable(c))
			r = put(p, (const char *)s + i, k);
		else
			r = put(p, e, (size_t)snprintf(e, sizeof(e), c <= 0xff ? "\\x%02x" :
						  c <= 0xffff ? "\\u%04x" : "\\U%08x", c));
	}
	return r < 0 ? r : put(p, &q, 1);
}

/* bytes and bytearray choose quotes alike, but a bytearray's repr escapes
 * ' whichever quote it chose (CPython's bytearray_repr). */
static int repr_bytes(struct printer *p, const unsigned char *s, size_t n, bool bytearray)
{
	char q = quote_for(s, n), e[8];
	size_t i;
	int r = put(p, "b", 1);

	if (r >= 0)
		r = put(p, &q, 1);
	for (i = 0; i < n && r >= 0; i++) {
		r = common_escape(p, s[i], bytearray ? '\'' : q);
		if (r <= 0)
			continue;
		if (s[i] < 0x7f)
			r = put(p, (const char *)s + i, 1);
		else
			r = put(p, e, (size_t)snprintf(e, sizeof(e), "\\x%02x", s[i]));
	}
	return r < 0 ? r : put(p, &q, 1);
}

/* Items i of v joined by ", ", each "k: v" for a dict. */
static int items(struct printer *p, const struct mgr_pyval *v, bool dict)
{
	size_t i, n = v->u.seq.len;
	int r = 0;

	for (i = 0; i < n && r >= 0; i++) {
		if (i)
			r = put(p, ", ", 2);
		if (r >= 0)
			r = node(p, v->u.seq.items[dict ? 2 * i : i]);
		if (r >= 0 && dict && (r = put(p, ": ", 2)) >= 0)
			r = node(p, v->u.seq.items[2 * i + 1]);
	}
	return r;
}

/* Classes whose instances CPython prints as Name(arg, ...), which is
 * exactly their REDUCE: exceptions, slice and range. */
static bool prints_as_call(const struct mgr_pyval *func)
{
	static const char *const names[] = {
		"slice", "range", "StopIteration", "StopAsyncIteration", "KeyboardInterrupt",
		"SystemExit", "GeneratorExit", "Empty", "Full",
	};
	const char *n = func->u.g.name;
	size_t len = func->u.g.name_len, i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(n, names[i]))
			return true;
	return (len > 5 && !strcmp(n + len - 5, "Error")) ||
	       (len > 9 && !strcmp(n + len - 9, "Exception")) ||
	       (len > 7 && !strcmp(n + len - 7, "Warning"));
}

/* module.name of a global. */
static int dotted(struct printer *p, const struct mgr_pyval *g)
{
	int r;

	if ((r = put(p, g->u.g.module, g->u.g.module_len)) < 0 || (r = put(p, ".", 1)) < 0)
		return r;
	return put(p, g->u.g.name, g->u.g.name_len);
}

/* A proxy inside a value, RebuildProxy(Class, Token(typeid, address,
 * id), serializer, kwds), prints as BaseProxy.__repr__ would once
 * rebuilt: "<DictProxy object, typeid 'dict' at 0x...>". */
static int repr_proxy(struct printer *p, const struct mgr_pyval *v)
{
	const struct mgr_pyval *a = v->u.obj.args, *cls, *tok, *st;
	int r;

	if (!a || a->kind != MGR_PYVAL_TUPLE || a->u.seq.len < 2 ||
	    (cls = a->u.seq.items[0])->kind != MGR_PYVAL_GLOBAL ||
	    !mgr_pyval_is_object_of((tok = a->u.seq.items[1]), "multiprocessing.managers", "Token") ||
	    !(st = tok->u.obj.state) || st->kind != MGR_PYVAL_TUPLE || st->u.seq.len != 3 ||
	    st->u.seq.items[0]->kind != MGR_PYVAL_STR)
		return puts_(p, "<multiprocessing.managers.RebuildProxy object>");
	if ((r = put(p, "<", 1)) < 0 || (r = put(p, cls->u.g.name, cls->u.g.name_len)) < 0)
		return r;
	if (!strcmp(cls->u.g.name, "AutoProxy") &&
	    ((r = put(p, "[", 1)) < 0 ||
	     (r = put(p, (const char *)st->u.seq.items[0]->u.s.data,
		      st->u.seq.items[0]->u.s.len)) < 0 || (r = put(p, "]", 1)) < 0))
		return r;
	if ((r = puts_(p, " object, typeid ")) < 0 ||
	    (r = repr_str(p, st->u.seq.items[0]->u.s.data, st->u.seq.items[0]->u.s.len)) < 0)
		return r;
	return puts_(p, " at 0x0>");
}

static int repr_object(struct printer *p, const struct mgr_pyval *v)
{
	const struct mgr_pyval_obj *o = &v->u.obj;
	const struct mgr_pyval *f = o->func;
	int r;

	if (f->kind != MGR_PYVAL_GLOBAL)
		return puts_(p, "<object>");
	if (mgr_pyval_is_global(f, "multiprocessing.managers", "RebuildProxy"))
		return repr_proxy(p, v);
	if (o->how == MGR_PYVAL_REDUCE && o->args->kind == MGR_PYVAL_TUPLE && prints_as_call(f)) {
		struct mgr_pyval args = *o->args;

		/* range(0, 10, 1) prints as range(0, 10). */
		if (!strcmp(f->u.g.name, "range") && args.u.seq.len == 3 &&
		    args.u.seq.items[2]->kind == MGR_PYVAL_INT && !args.u.seq.items[2]->u.i.big &&
		    args.u.seq.items[2]->u.i.small == 1)
			args.u.seq.len = 2;
		if ((r = put(p, f->u.g.name, f->u.g.name_len)) < 0 || (r = put(p, "(", 1)) < 0 ||
		    (r = items(p, &args, false)) < 0)
			return r;
		return put(p, ")", 1);
	}
	if ((r = put(p, "<", 1)) < 0 || (r = dotted(p, f)) < 0)
		return r;
	return puts_(p, " object>");
}

/* A container's brackets around its items, or its "..." when it is
 * already being printed further out. */
static int container(struct printer *p, const struct mgr_pyval *v, const char *open,
		     const char *close, const char *again)
{
	size_t i;
	int r;

	for (i = 0; i < p->nopen; i++)
		if (p->open[i] == v)
			return puts_(p, again);
	if (p->nopen > MGR_PYVAL_DEPTH_MAX)
		return -ELOOP;
	p->open[p->nopen++] = v;
	if ((r = puts_(p, open)) >= 0 && (r = items(p, v, v->kind == MGR_PYVAL_DICT)) >= 0) {
		if (v->kind == MGR_PYVAL_TUPLE && v->u.seq.len == 1)
			r = put(p, ",", 1);
		if (r >= 0)
			r = puts_(p, close);
	}
	p->nopen--;
	return r;
}

static int node_at(struct printer *p, const struct mgr_pyval *v)
{
	char f[MGR_PYREPR_FLOAT_MAX];
	int r;

	switch (v->kind) {
	case MGR_PYVAL_NONE:
		return put(p, "None", 4);
	case MGR_PYVAL_BOOL:
		return puts_(p, v->u.b ? "True" : "False");
	case MGR_PYVAL_INT:
		return mgr_pylong_decimal(p->out, v, MGR_PYLONG_DIGITS_MAX);
	case MGR_PYVAL_FLOAT:
		return put(p, f, mgr_pyrepr_float(v->u.f, f));
	case MGR_PYVAL_STR:
		return repr_str(p, v->u.s.data, v->u.s.len);
	case MGR_PYVAL_BYTES:
		return repr_bytes(p, v->u.s.data, v->u.s.len, false);
	case MGR_PYVAL_BYTEARRAY:
		if ((r = puts_(p, "bytearray(")) < 0 ||
		    (r = repr_bytes(p, v->u.s.data, v->u.s.len, true)) < 0)
			return r;
		return put(p, ")", 1);
	case MGR_PYVAL_TUPLE:
		return container(p, v, "(", ")", "(...)");
	case MGR_PYVAL_LIST:
		return container(p, v, "[", "]", "[...]");
	case MGR_PYVAL_DICT:
		return container(p, v, "{", "}", "{...}");
	case MGR_PYVAL_SET:
		return v->u.seq.len ? container(p, v, "{", "}", "set(...)") : puts_(p, "set()");
	case MGR_PYVAL_FROZENSET:
		return v->u.seq.len ? container(p, v, "frozenset({", "})", "frozenset(...)")
				    : puts_(p, "frozenset()");
	case MGR_PYVAL_GLOBAL:
		if ((r = puts_(p, "<class '")) < 0 || (r = dotted(p, v)) < 0)
			return r;
		return put(p, "'>", 2);
	case MGR_PYVAL_OBJECT:
		return repr_object(p, v);
	}
	return -EINVAL;
}

/* Objects' arguments nest without being containers, so depth is counted
 * for every value. */
static int node(struct printer *p, const struct mgr_pyval *v)
{
	int r;

	if (++p->depth > MGR_PYVAL_DEPTH_MAX)
		r = -ELOOP;
	else
		r = node_at(p, v);
	p->depth--;
	return r;
}

int mgr_pyrepr(struct mgr_buf *out, const struct mgr_pyval *v)
{
	struct printer *p = malloc(sizeof(*p));
	size_t start = out->len;
	int r;

	/* The stack of open containers is too big for a thread's stack. */
	if (!p)
		return -ENOMEM;
	p->out = out;
	p->start = start;
	p->nopen = 0;
	p->depth = 0;
	r = node(p, v);
	free(p);
	if (r < 0)
		out->len = start;
	return r < 0 ? r : 0;
}

int mgr_pyrepr_str(struct mgr_buf *out, const struct mgr_pyval *v)
{
	if (v->kind == MGR_PYVAL_STR)
		return mgr_buf_append(out, v->u.s.data, v->u.s.len);
	return mgr_pyrepr(out, v);
}
