#include "json_tree.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "proto.h"
#include "utf8.h"

/* A string node with its length after it.  yajl_tree_free frees it as any
 * other node, by the pointer to its first member. */
struct str_node {
	struct yajl_val_s v;
	size_t len;
};

/* Values that are complete but not yet in their container wait on a stack,
 * and so do keys.  A container is made when it closes, with arrays of
 * exactly its size, so nothing is reallocated element by element; a small
 * request never touches the heap for the stacks themselves. */
#define STACK_INLINE 32

struct level {
	bool object;
	size_t vbase;		/* its first value on the value stack */
};

struct parser {
	const unsigned char *p, *start, *end;
	yajl_val *vals;
	size_t nvals, capvals;
	char **keys;
	size_t nkeys, capkeys;
	int depth;
	struct level levels[MGR_FRAME_DEPTH_MAX];
	char *err;
	size_t errlen;
	yajl_val vals_inline[STACK_INLINE];
	char *keys_inline[STACK_INLINE];
};

/* Bytes that end the plain run of a string: the quote, the backslash,
 * control characters (which JSON requires escaped) and non-ASCII (to be
 * checked as UTF-8). */
static const unsigned char special[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static int fail(struct parser *ps, int err, const char *what)
{
	size_t at = (size_t)(ps->p - ps->start);

	if (err == -EINVAL && ps->p < ps->end && *ps->p == '\0')
		what = "NUL byte in JSON text";
	else if (err == -EINVAL && ps->p == ps->end)
		what = "unexpected end of JSON text";
	if (err == -ELOOP)
		snprintf(ps->err, ps->errlen, "JSON nested deeper than %d levels",
			 MGR_FRAME_DEPTH_MAX);
	else if (err == -ENOMEM)
		snprintf(ps->err, ps->errlen, "out of memory");
	else
		snprintf(ps->err, ps->errlen, "%s at byte %zu", what, at);
	return err;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
		ps->p++;
}

/* A stack of pointers twice as large, moved off its inline array the
 * first time; NULL (the stack unchanged) when memory runs out. */
static void *grow(void *stack, size_t *cap, const void *inline_array)
{
	size_t n = *cap * 2;
	void *bigger;

	if (stack == inline_array) {
		bigger = malloc(n * sizeof(void *));
		if (bigger)
			memcpy(bigger, stack, *cap * sizeof(void *));
	} else {
		bigger = realloc(stack, n * sizeof(void *));
	}
	if (bigger)
		*cap = n;
	return bigger;
}

/* Take v onto the value stack; on failure v is freed. */
static int push_val(struct parser *ps, yajl_val v)
{
	if (!v)
		return -ENOMEM;
	if (ps->nvals == ps->capvals) {
		yajl_val *bigger = grow(ps->vals, &ps->capvals, ps->vals_inline);

		if (!bigger) {
			yajl_tree_free(v);
			return -ENOMEM;
		}
		ps->vals = bigger;
	}
	ps->vals[ps->nvals++] = v;
	return 0;
}

static yajl_val new_node(yajl_type type, size_t size)
{
	yajl_val v = malloc(size);

	if (v)
		v->type = type;
	return v;
}

static int hex4(const unsigned char *s)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Decode the n raw bytes of a string that holds escapes or non-ASCII into
 * buf (room for n bytes: decoding never lengthens).  Returns the length,
 * or -errno with ps->p at the fault. */
static ssize_t decode(struct parser *ps, const unsigned char *s, size_t n, bool key, char *buf)
{
	static const char simple[256] = {
		['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
		['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
	};
	size_t i = 0, k;
	char *d = buf;
	int cp, lo;

	while (i < n) {
		if (s[i] < 0x80 && s[i] != '\\') {
			*d++ = (char)s[i++];
			continue;
		}
		ps->p = s + i;
		if (s[i] >= 0x80) {
			k = mgr_utf8_seq(s + i, n - i);
			if (!k)
				return fail(ps, -EINVAL, "invalid UTF-8 in a string");
			memcpy(d, s + i, k);
			d += k;
			i += k;
			continue;
		}
		/* The scan that found the string's end saw to it that a
		 * backslash is never its last byte. */
		if (s[i + 1] != 'u') {
			if (!simple[s[i + 1]])
				return fail(ps, -EINVAL, "invalid escape in a string");
			*d++ = simple[s[i + 1]];
			i += 2;
			continue;
		}
		cp = n - i >= 6 ? hex4(s + i + 2) : -1;
		if (cp < 0)
			return fail(ps, -EINVAL, "\\u needs four hex digits");
		i += 6;
		/* U+DC80 to U+DCFF stand for bytes that are not UTF-8
		 * (utf8.h), kept as UTF-8 would encode them; not in a key,
		 * which yajl_gen could not write back. */
		if (cp >= 0xdc80 && cp <= 0xdcff && !key) {
			*d++ = (char)0xed;
			*d++ = (char)(0xb2 | (cp >> 6 & 1));
			*d++ = (char)(0x80 | (cp & 0x3f));
			continue;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail(ps, -EILSEQ, "lone surrogate in a string");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			lo = n - i >= 6 && s[i] == '\\' && s[i + 1] == 'u' ? hex4(s + i + 2) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return fail(ps, -EILSEQ, "lone surrogate in a string");
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		}
		/* Keys are C strings to every reader of a tree; a NUL would
		 * cut one short and so make it another key. */
		if (cp == 0 && key)
			return fail(ps, -EILSEQ, "NUL in an object key");
		d += mgr_utf8_encode((uint32_t)cp, d);
	}
	return d - buf;
}

/* The string at ps->p (its opening quote), as a malloc'd copy, decoded and
 * NUL-terminated, with its length. */
static int parse_string(struct parser *ps, bool key, char **out, size_t *outlen)
{
	const unsigned char *s = ps->p + 1;
	size_t n = (size_t)(ps->end - s), i = 0;
	bool plain = true;
	ssize_t len;
	char *buf;

	for (;;) {
		while (i < n && !special[s[i]])
			i++;
		if (i == n) {
			ps->p = ps->end;
			return fail(ps, -EINVAL, "unterminated string");
		}
		if (s[i] == '"')
			break;
		if (s[i] < 0x20) {
			ps->p = s + i;
			return fail(ps, -EINVAL, "control character in a string");
		}
		plain = false;
		i += s[i] == '\\' && i + 1 < n ? 2 : 1;
	}
	buf = malloc(i + 1);
	if (!buf)
		return -ENOMEM;
	if (plain) {
		memcpy(buf, s, i);
		len = (ssize_t)i;
	} else {
		len = decode(ps, s, i, key, buf);
		if (len < 0) {
			free(buf);
			return (int)len;
		}
	}
	buf[len] = '\0';
	ps->p = s + i + 1;
	*out = buf;
	*outlen = (size_t)len;
	return 0;
}

static int string_value(struct parser *ps)
{
	struct str_node *sn;
	size_t len;
	char *s;
	int r = parse_string(ps, false, &s, &len);

	if (r < 0)
		return r;
	sn = (struct str_node *)new_node(yajl_t_string, sizeof(*sn));
	if (!sn) {
		free(s);
		return -ENOMEM;
	}
	sn->v.u.string = s;
	sn->len = len;
	return push_val(ps, &sn->v);
}

/* A number node for the n bytes of text at s; integer when it has neither
 * fraction nor exponent. */
static int number_value(struct parser *ps, const unsigned char *s, size_t n, bool integer)
{
	yajl_val v = new_node(yajl_t_number, sizeof(*v));
	size_t digits = n - (s[0] == '-');
	long long i = 0;
	size_t k;

	if (!v)
		return -ENOMEM;
	v->u.number.r = malloc(n + 1);
	if (!v->u.number.r) {
		free(v);
		return -ENOMEM;
	}
	memcpy(v->u.number.r, s, n);
	v->u.number.r[n] = '\0';
	v->u.number.i = 0;
	v->u.number.flags = YAJL_NUMBER_DOUBLE_VALID;
	if (s[n - 1] == 'N') {
		v->u.number.d = NAN;
	} else if (s[n - 1] == 'y') {
		v->u.number.d = s[0] == '-' ? -INFINITY : INFINITY;
	} else if (!integer) {
		/* As Python's float(): past the range is an infinity. */
		v->u.number.d = strtod(v->u.number.r, NULL);
	} else if (digits <= 15) {
		/* Exact in a double as well, so strtod is not needed. */
		for (k = n - digits; k < n; k++)
			i = i * 10 + (s[k] - '0');
		v->u.number.i = s[0] == '-' ? -i : i;
		v->u.number.d = (double)v->u.number.i;
		v->u.number.flags |= YAJL_NUMBER_INT_VALID;
	} else {
		errno = 0;
		i = strtoll(v->u.number.r, NULL, 10);
		if (errno == 0) {
			v->u.number.i = i;
			v->u.number.flags |= YAJL_NUMBER_INT_VALID;
		}
		v->u.number.d = strtod(v->u.number.r, NULL);
		if (!isfinite(v->u.number.d))
			v->u.number.flags &= ~YAJL_NUMBER_DOUBLE_VALID;
	}
	return push_val(ps, v);
}

static bool is_digit(const struct parser *ps, const unsigned char *q)
{
	return q < ps->end && *q >= '0' && *q <= '9';
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int parse_number(struct parser *ps)
{
	const unsigned char *s = ps->p, *q = s;
	bool integer = true;

	if (*q == '-')
		q++;
	if (q < ps->end && *q == 'I') {
		ps->p = q;
		if (!literal(ps, "Infinity"))
			return fail(ps, -EINVAL, "invalid number");
		return number_value(ps, s, (size_t)(ps->p - s), false);
	}
	if (!is_digit(ps, q)) {
		ps->p = q;
		return fail(ps, -EINVAL, "invalid number");
	}
	if (*q == '0')
		q++;
	else
		while (is_digit(ps, q))
			q++;
	if (q < ps->end && *q == '.') {
		integer = false;
		if (!is_digit(ps, ++q)) {
			ps->p = q;
			return fail(ps, -EINVAL, "a fraction needs digits");
		}
		while (is_digit(ps, q))
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		integer = false;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (!is_digit(ps, q)) {
			ps->p = q;
			return fail(ps, -EINVAL, "an exponent needs digits");
		}
		while (is_digit(ps, q))
			q++;
	}
	ps->p = q;
	return number_value(ps, s, (size_t)(q - s), integer);
}

/* A key and its colon, with ps->p at the key's opening quote or the space
 * before it. */
static int parse_key(struct parser *ps)
{
	size_t len;
	char *key;
	int r;

	skip_space(ps);
	if (ps->p == ps->end || *ps->p != '"')
		return fail(ps, -EINVAL, "expected a string as object key");
	if (ps->nkeys == ps->capkeys) {
		char **bigger = grow(ps->keys, &ps->capkeys, ps->keys_inline);

		if (!bigger)
			return -ENOMEM;
		ps->keys = bigger;
	}
	r = parse_string(ps, true, &key, &len);
	if (r < 0)
		return r;
	ps->keys[ps->nkeys++] = key;
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != ':')
		return fail(ps, -EINVAL, "expected ':' after an object key");
	ps->p++;
	return 0;
}

/* Make the innermost container from the values (and keys) above its base
 * and put it on the value stack in their place. */
static int close_level(struct parser *ps)
{
	struct level *lv = &ps->levels[--ps->depth];
	size_t n = ps->nvals - lv->vbase;
	yajl_val v = new_node(lv->object ? yajl_t_object : yajl_t_array, sizeof(*v));
	yajl_val *values = NULL;
	const char **keys = NULL;

	if (!v)
		return -ENOMEM;
	if (n) {
		values = malloc(n * sizeof(*values));
		keys = lv->object ? malloc(n * sizeof(*keys)) : NULL;
		if (!values || (lv->object && !keys)) {
			free(values);
			free(keys);
			free(v);
			return -ENOMEM;
		}
		memcpy(values, ps->vals + lv->vbase, n * sizeof(*values));
	}
	if (lv->object) {
		if (n)
			memcpy(keys, ps->keys + ps->nkeys - n, n * sizeof(*keys));
		ps->nkeys -= n;
		v->u.object.keys = keys;
		v->u.object.values = values;
		v->u.object.len = n;
	} else {
		v->u.array.values = values;
		v->u.array.len = n;
	}
	ps->nvals = lv->vbase;
	return push_val(ps, v);
}

/* One value, or the opening of a container: 1 when a container was opened
 * and its first value (after its first key) comes next, 0 when a whole
 * value was read. */
static int parse_value(struct parser *ps)
{
	struct level *lv;
	int r;

	skip_space(ps);
	if (ps->p == ps->end)
		return fail(ps, -EINVAL, "expected a value");
	switch (*ps->p) {
	case '{':
	case '[':
		if (ps->depth == MGR_FRAME_DEPTH_MAX)
			return fail(ps, -ELOOP, NULL);
		lv = &ps->levels[ps->depth++];
		lv->object = *ps->p++ == '{';
		lv->vbase = ps->nvals;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == (lv->object ? '}' : ']')) {
			ps->p++;
			return close_level(ps);
		}
		if (!lv->object)
			return 1;
		r = parse_key(ps);
		return r < 0 ? r : 1;
	case '"':
		return string_value(ps);
	case 't':
		if (literal(ps, "true"))
			return push_val(ps, new_node(yajl_t_true, sizeof(struct yajl_val_s)));
		break;
	case 'f':
		if (literal(ps, "false"))
			return push_val(ps, new_node(yajl_t_false, sizeof(struct yajl_val_s)));
		break;
	case 'n':
		if (literal(ps, "null"))
			return push_val(ps, new_node(yajl_t_null, sizeof(struct yajl_val_s)));
		break;
	case 'N':
		if (literal(ps, "NaN"))
			return number_value(ps, ps->p - 3, 3, false);
		break;
	case 'I':
	case '-':
	case '0' ... '9':
		return parse_number(ps);
	}
	return fail(ps, -EINVAL, "expected a value");
}

/* What follows a value: 1 at the end of the text, 0 when another value
 * comes next (after its key, in an object). */
static int after_value(struct parser *ps)
{
	struct level *lv;
	int r;

	for (;;) {
		skip_space(ps);
		if (ps->depth == 0) {
			if (ps->p != ps->end)
				return fail(ps, -EINVAL, "text after the JSON value");
			return 1;
		}
		lv = &ps->levels[ps->depth - 1];
		if (ps->p == ps->end)
			return fail(ps, -EINVAL, "unexpected end of JSON text");
		if (*ps->p == ',') {
			ps->p++;
			return lv->object ? parse_key(ps) : 0;
		}
		if (*ps->p != (lv->object ? '}' : ']'))
			return fail(ps, -EINVAL, lv->object ? "expected ',' or '}'" :
				    "expected ',' or ']'");
		ps->p++;
		r = close_level(ps);
		if (r < 0)
			return r;
	}
}

int mgr_json_parse(const char *text, size_t len, yajl_val *out,
		   char *err, size_t errlen)
{
	struct parser ps;
	size_t i;
	int r;

	ps.p = ps.start = (const unsigned char *)text;
	ps.end = ps.p + len;
	ps.vals = ps.vals_inline;
	ps.capvals = STACK_INLINE;
	ps.keys = ps.keys_inline;
	ps.capkeys = STACK_INLINE;
	ps.nvals = ps.nkeys = 0;
	ps.depth = 0;
	ps.err = err;
	ps.errlen = errlen;
	*out = NULL;
	do {
		do
			r = parse_value(&ps);
		while (r == 1);
		if (r == 0)
			r = after_value(&ps);
	} while (r == 0);
	if (r == 1) {
		*out = ps.vals[0];
		ps.nvals = 0;
		r = 0;
	} else if (r == -ENOMEM) {
		fail(&ps, r, NULL);
	}
	/* After a failure the stacks hold every part made so far: complete
	 * values, none deeper than the limit, and keys. */
	for (i = 0; i < ps.nvals; i++)
		yajl_tree_free(ps.vals[i]);
	for (i = 0; i < ps.nkeys; i++)
		free(ps.keys[i]);
	if (ps.vals != ps.vals_inline)
		free(ps.vals);
	if (ps.keys != ps.keys_inline)
		free(ps.keys);
	return r;
}

size_t mgr_json_strlen(yajl_val v)
{
	return YAJL_IS_STRING(v) ? ((struct str_node *)v)->len : 0;
}

int mgr_json_depth(yajl_val v)
{
	yajl_val *vals;
	size_t i, n;
	int d, max = 0;

	if (YAJL_IS_ARRAY(v)) {
		vals = v->u.array.values;
		n = v->u.array.len;
	} else if (YAJL_IS_OBJECT(v)) {
		vals = v->u.object.values;
		n = v->u.object.len;
	} else {
		return 0;
	}
	/* Trees come from mgr_json_parse, so this recursion is bounded. */
	for (i = 0; i < n; i++) {
		d = mgr_json_depth(vals[i]);
		if (d > max)
			max = d;
	}
	return max + 1;
}
