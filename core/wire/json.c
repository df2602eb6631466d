#include "json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "utf8.h"

yajl_val mgr_json_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/* A member for the typed getters: JSON null counts as absent, as None
 * stands for a default argument in Python. */
static yajl_val member(yajl_val obj, const char *key)
{
	yajl_val v = mgr_json_get(obj, key);

	return YAJL_IS_NULL(v) ? NULL : v;
}

int mgr_json_get_str(yajl_val obj, const char *key, const char **out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return -ENOENT;
	/* Callers take the string as a C string, which a NUL would cut
	 * short into another string. */
	if (!YAJL_IS_STRING(v) || strlen(v->u.string) != mgr_json_strlen(v))
		return -EINVAL;
	*out = v->u.string;
	return 0;
}

/* Whether a number's text is a plain integer (no fraction or exponent). */
static bool is_integer_text(const char *r)
{
	if (*r == '-')
		r++;
	return *r && strspn(r, "0123456789") == strlen(r);
}

int mgr_json_get_u64(yajl_val obj, const char *key, uint64_t *out)
{
	yajl_val v = member(obj, key);
	unsigned long long u;
	char *end;

	if (!v)
		return -ENOENT;
	/* Parse the text itself: yajl keeps integers as long long, which
	 * loses the top half of the u64 range. */
	if (!YAJL_IS_NUMBER(v) || !is_integer_text(v->u.number.r) || v->u.number.r[0] == '-')
		return -EINVAL;
	errno = 0;
	u = strtoull(v->u.number.r, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = u;
	return 0;
}

int mgr_json_get_i64(yajl_val obj, const char *key, int64_t *out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return -ENOENT;
	if (!YAJL_IS_INTEGER(v))
		return -EINVAL;
	*out = v->u.number.i;
	return 0;
}

int mgr_json_get_bool(yajl_val obj, const char *key, bool *out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return -ENOENT;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return -EINVAL;
	*out = YAJL_IS_TRUE(v);
	return 0;
}

int mgr_json_get_double(yajl_val obj, const char *key, double *out)
{
	yajl_val v = member(obj, key);

	if (!v)
		return -ENOENT;
	if (!YAJL_IS_DOUBLE(v))
		return -EINVAL;
	*out = v->u.number.d;
	return 0;
}

yajl_gen mgr_json_gen_new(void)
{
	/* yajl_gen's own check of UTF-8 lets overlong forms and encoded
	 * surrogates through, which mgr_json_parse refuses; strings are
	 * checked in mgr_json_gen_strn instead. */
	return yajl_gen_alloc(NULL);
}

static int gen_status(yajl_gen_status st)
{
	return st == yajl_gen_status_ok ? 0 : -EINVAL;
}

int mgr_json_gen_tree(yajl_gen g, yajl_val v)
{
	size_t i;
	int r;

	switch (v ? v->type : yajl_t_null) {
	case yajl_t_string:
		return mgr_json_gen_strn(g, v->u.string, mgr_json_strlen(v));
	case yajl_t_number:
		/* The original text, so 1.0 stays 1.0 and big integers
		 * stay exact. */
		return gen_status(yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)));
	case yajl_t_object:
		r = gen_status(yajl_gen_map_open(g));
		for (i = 0; !r && i < v->u.object.len; i++) {
			r = mgr_json_gen_cstr(g, v->u.object.keys[i]);
			if (!r)
				r = mgr_json_gen_tree(g, v->u.object.values[i]);
		}
		return r ? r : gen_status(yajl_gen_map_close(g));
	case yajl_t_array:
		r = gen_status(yajl_gen_array_open(g));
		for (i = 0; !r && i < v->u.array.len; i++)
			r = mgr_json_gen_tree(g, v->u.array.values[i]);
		return r ? r : gen_status(yajl_gen_array_close(g));
	case yajl_t_true:
		return gen_status(yajl_gen_bool(g, 1));
	case yajl_t_false:
		return gen_status(yajl_gen_bool(g, 0));
	default:
		return gen_status(yajl_gen_null(g));
	}
}

int mgr_json_gen_raw(yajl_gen g, const char *json, size_t len)
{
	return gen_status(yajl_gen_number(g, json, len));
}

int mgr_json_gen_cstr(yajl_gen g, const char *s)
{
	return mgr_json_gen_strn(g, s, strlen(s));
}

/* Append the len bytes at s, strictly UTF-8, to text as the inside of a
 * JSON string, escaped by yajl_gen as it escapes any string. */
static int append_run(yajl_gen run, const char *s, size_t len, struct mgr_buf *text)
{
	const unsigned char *out;
	size_t outlen;

	if (!mgr_utf8_valid(s, len))
		return -EINVAL;
	yajl_gen_reset(run, NULL);
	yajl_gen_clear(run);
	if (yajl_gen_string(run, (const unsigned char *)s, len) != yajl_gen_status_ok)
		return -EINVAL;
	yajl_gen_get_buf(run, &out, &outlen);
	return mgr_buf_append(text, out + 1, outlen - 2);
}

/* A string that holds U+DC80 to U+DCFF (utf8.h): yajl_gen would write
 * their bytes as they are, which is not UTF-8, so the text is made here,
 * they as \udc80 to \udcff, and inserted whole; at a value's place only,
 * for yajl_gen inserts no text as a key. */
static int gen_escaped(yajl_gen g, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	struct mgr_buf text = MGR_BUF_INIT;
	yajl_gen run = yajl_gen_alloc(NULL);
	char esc[6] = "\\udc";
	size_t i = 0, start = 0;
	int b, r;

	if (!run)
		return -ENOMEM;
	r = mgr_buf_append(&text, "\"", 1);
	while (!r && i < len) {
		b = mgr_utf8_escaped_byte(u + i, len - i);
		if (b < 0) {
			i++;
			continue;
		}
		esc[4] = hex[b >> 4];
		esc[5] = hex[b & 15];
		r = append_run(run, s + start, i - start, &text);
		if (!r)
			r = mgr_buf_append(&text, esc, 6);
		i += 3;
		start = i;
	}
	if (!r)
		r = append_run(run, s + start, len - start, &text);
	if (!r)
		r = mgr_buf_append(&text, "\"", 1);
	if (!r)
		r = mgr_json_gen_raw(g, text.data, text.len);
	yajl_gen_free(run);
	mgr_buf_release(&text);
	return r;
}

int mgr_json_gen_strn(yajl_gen g, const char *s, size_t len)
{
	if (!mgr_utf8_valid(s, len))
		return memchr(s, 0xed, len) ? gen_escaped(g, s, len) : -EINVAL;
	return gen_status(yajl_gen_string(g, (const unsigned char *)s, len));
}

int mgr_json_gen_u64(yajl_gen g, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)v);

	return gen_status(yajl_gen_number(g, num, n));
}

int mgr_json_kv_str(yajl_gen g, const char *key, const char *val)
{
	int r = mgr_json_gen_cstr(g, key);

	return r ? r : mgr_json_gen_cstr(g, val);
}

int mgr_json_kv_u64(yajl_gen g, const char *key, uint64_t val)
{
	int r = mgr_json_gen_cstr(g, key);

	return r ? r : mgr_json_gen_u64(g, val);
}

int mgr_json_kv_i64(yajl_gen g, const char *key, int64_t val)
{
	int r = mgr_json_gen_cstr(g, key);

	return r ? r : gen_status(yajl_gen_integer(g, val));
}

int mgr_json_kv_base64(yajl_gen g, const char *key, const void *data, size_t len)
{
	struct mgr_buf b64 = MGR_BUF_INIT;
	int r = mgr_base64_encode(len ? data : "", len, &b64);

	if (!r)
		r = mgr_json_gen_cstr(g, key);
	/* Base64 is ASCII: no need to check it as UTF-8, a megabyte a
	 * piece. */
	if (!r)
		r = gen_status(yajl_gen_string(g, b64.data ? (const unsigned char *)b64.data :
						   (const unsigned char *)"", b64.len));
	mgr_buf_release(&b64);
	return r;
}

int mgr_json_kv_bool(yajl_gen g, const char *key, bool val)
{
	int r = mgr_json_gen_cstr(g, key);

	return r ? r : gen_status(yajl_gen_bool(g, val));
}

int mgr_json_gen_double(yajl_gen g, double v)
{
	char num[32];
	int prec;

	/* As Python's json writes them, and mgr_json_parse reads them. */
	if (isnan(v))
		return gen_status(yajl_gen_number(g, "NaN", 3));
	if (isinf(v))
		return v > 0 ? gen_status(yajl_gen_number(g, "Infinity", 8)) :
			       gen_status(yajl_gen_number(g, "-Infinity", 9));
	/* yajl_gen_double prints 20 digits, which shows 0.1 as
	 * 0.10000000000000000555. */
	for (prec = 1; prec < 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, v);
		if (strtod(num, NULL) == v)
			break;
	}
	snprintf(num, sizeof(num), "%.*g", prec, v);
	/* Keep it a float for whoever reads it back. */
	if (strspn(num, "-0123456789") == strlen(num))
		strcat(num, ".0");
	return gen_status(yajl_gen_number(g, num, strlen(num)));
}

int mgr_json_kv_double(yajl_gen g, const char *key, double val)
{
	int r = mgr_json_gen_cstr(g, key);

	return r ? r : mgr_json_gen_double(g, val);
}

int mgr_json_map_open(yajl_gen g)
{
	return gen_status(yajl_gen_map_open(g));
}

int mgr_json_map_close(yajl_gen g)
{
	return gen_status(yajl_gen_map_close(g));
}

int mgr_json_array_open(yajl_gen g)
{
	return gen_status(yajl_gen_array_open(g));
}

int mgr_json_array_close(yajl_gen g)
{
	return gen_status(yajl_gen_array_close(g));
}

int mgr_base64_encode(const void *data, size_t len, struct mgr_buf *out)
{
	size_t n;
	int r;

	if (len > (size_t)INT_MAX / 4 * 3)
		return -EFBIG;
	n = (len + 2) / 3 * 4;
	r = mgr_buf_reserve(out, n + 1);
	if (r < 0)
		return r;
	EVP_EncodeBlock((unsigned char *)out->data + out->len, data, (int)len);
	out->len += n;
	return 0;
}

/* Whether c is in base64's alphabet: tested by range, since a value in
 * pieces of megabytes passes through here a byte at a time. */
static bool is_base64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int mgr_base64_decode(const char *text, size_t len, struct mgr_buf *out)
{
	size_t pad = 0, i;
	int n, r;

	if (len % 4 || len > INT_MAX)
		return -EINVAL;
	if (len && text[len - 1] == '=')
		pad = len > 1 && text[len - 2] == '=' ? 2 : 1;
	/* EVP_DecodeBlock skips white space and takes '=' anywhere as zero
	 * bits, so check the text strictly first. */
	for (i = 0; i < len - pad; i++)
		if (!is_base64(text[i]))
			return -EINVAL;
	r = mgr_buf_reserve(out, len / 4 * 3 + 1);
	if (r < 0)
		return r;
	n = EVP_DecodeBlock((unsigned char *)out->data + out->len,
			    (const unsigned char *)text, (int)len);
	if (n < 0)
		return -EINVAL;
	/* It also counts the padding as decoded zero bytes. */
	out->len += n - pad;
	return 0;
}
