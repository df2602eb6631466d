#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "datum.h"
#include "json.h"
#include "proto.h"

/* A JSON datum as yajl_gen would store text (parsed and regenerated). */
static struct mgr_datum *json(const char *text)
{
	struct mgr_datum *d = NULL;
	char err[128];
	yajl_val v;

	assert_int_equal(mgr_json_parse(text, strlen(text), &v, err, sizeof(err)), 0);
	assert_int_equal(mgr_datum_from_tree(v, &d), 0);
	yajl_tree_free(v);
	return d;
}

static struct mgr_datum *bytes(const char *raw, size_t n)
{
	struct mgr_datum *d = mgr_datum_new(MGR_DATUM_BYTES, raw, n);

	assert_non_null(d);
	return d;
}

/* The datum a request text carries, or the error. */
static int from_msg(const char *text, struct mgr_datum **d, const char **why)
{
	char err[128];
	yajl_val v;
	int r;

	assert_int_equal(mgr_json_parse(text, strlen(text), &v, err, sizeof(err)), 0);
	*d = NULL;
	*why = NULL;
	r = mgr_datum_from_msg(v, d, why);
	yajl_tree_free(v);
	return r;
}

static void assert_text(const struct mgr_datum *d, const char *expect)
{
	assert_int_equal(d->len, strlen(expect));
	assert_memory_equal(d->data, expect, d->len);
	assert_int_equal(d->data[d->len], '\0');
}

static void test_new(void **state)
{
	struct mgr_datum *d = mgr_datum_new(MGR_DATUM_BYTES, "a\0b", 3);

	assert_non_null(d);
	assert_int_equal(d->kind, MGR_DATUM_BYTES);
	assert_int_equal(d->len, 3);
	assert_memory_equal(d->data, "a\0b\0", 4);
	mgr_datum_free(d);
	mgr_datum_free(NULL);

	d = json(" { \"a\" : [ 1 , 2.0 ] } ");
	assert_int_equal(d->kind, MGR_DATUM_JSON);
	assert_text(d, "{\"a\":[1,2.0]}");
	mgr_datum_free(d);
}

static void test_from_msg(void **state)
{
	struct mgr_datum *d;
	const char *why;

	assert_int_equal(from_msg("{\"value\":{\"k\":[true,null]}}", &d, &why), 0);
	assert_int_equal(d->kind, MGR_DATUM_JSON);
	assert_text(d, "{\"k\":[true,null]}");
	mgr_datum_free(d);

	assert_int_equal(from_msg("{\"value\":null}", &d, &why), 0);
	assert_text(d, "null");
	mgr_datum_free(d);

	assert_int_equal(from_msg("{\"bytes\":\"AP8K\"}", &d, &why), 0);
	assert_int_equal(d->kind, MGR_DATUM_BYTES);
	assert_int_equal(d->len, 3);
	assert_memory_equal(d->data, "\x00\xff\n", 3);
	mgr_datum_free(d);

	assert_int_equal(from_msg("{\"bytes\":\"\"}", &d, &why), 0);
	assert_int_equal(d->len, 0);
	mgr_datum_free(d);

	assert_int_equal(from_msg("{\"op\":\"x\"}", &d, &why), -ENOENT);
	assert_int_equal(from_msg("{\"value\":1,\"bytes\":\"AA==\"}", &d, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(from_msg("{\"bytes\":\"A\"}", &d, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(from_msg("{\"bytes\":5}", &d, &why), -EINVAL);
	assert_null(d);
}

static void test_too_big(void **state)
{
	size_t n = MGR_DATUM_MAX + 16;
	char *text = malloc(n + 32);
	struct mgr_datum *d;
	const char *why;

	/* A string whose JSON text is just over the limit. */
	strcpy(text, "{\"value\":\"");
	memset(text + 10, 'x', MGR_DATUM_MAX - 1);
	strcpy(text + 10 + MGR_DATUM_MAX - 1, "\"}");
	assert_int_equal(from_msg(text, &d, &why), -EFBIG);
	assert_non_null(why);
	/* Two bytes fewer fit exactly. */
	strcpy(text + 10 + MGR_DATUM_MAX - 2, "\"}");
	assert_int_equal(from_msg(text, &d, &why), 0);
	assert_int_equal(d->len, MGR_DATUM_MAX);
	mgr_datum_free(d);
	free(text);
}

static void test_gen(void **state)
{
	struct mgr_datum *v = json("[1,\"a\"]"), *b = bytes("hi", 2);
	yajl_gen g = mgr_json_gen_new();
	const unsigned char *buf;
	size_t len;

	assert_int_equal(mgr_json_array_open(g), 0);
	assert_int_equal(mgr_datum_gen(g, v), 0);
	assert_int_equal(mgr_datum_gen(g, b), 0);
	assert_int_equal(mgr_json_map_open(g), 0);
	assert_int_equal(mgr_datum_gen_members(g, b), 0);
	assert_int_equal(mgr_json_kv_u64(g, "version", 9), 0);
	assert_int_equal(mgr_json_map_close(g), 0);
	assert_int_equal(mgr_json_array_close(g), 0);
	yajl_gen_get_buf(g, &buf, &len);
	assert_string_equal((const char *)buf,
			    "[{\"value\":[1,\"a\"]},{\"bytes\":\"aGk=\"},{\"bytes\":\"aGk=\",\"version\":9}]");
	yajl_gen_free(g);
	mgr_datum_free(v);
	mgr_datum_free(b);
}

static bool eq(const char *a, const char *b)
{
	struct mgr_datum *da = json(a), *db = json(b);
	bool r = mgr_datum_eq(da, db);

	assert_true(mgr_datum_eq(db, da) == r);
	mgr_datum_free(da);
	mgr_datum_free(db);
	return r;
}

static void test_eq(void **state)
{
	struct mgr_datum *b1 = bytes("a", 1), *b2 = bytes("a", 1), *b3 = bytes("b", 1);
	struct mgr_datum *s = json("\"a\""), *ya = json("\"YQ==\"");

	assert_true(eq("1", "1.0"));
	assert_true(eq("1", "1e0"));
	assert_true(eq("-0", "0.0"));
	assert_false(eq("1", "2"));
	/* As in Python, True == 1 and False == 0. */
	assert_true(eq("true", "1"));
	assert_true(eq("false", "0.0"));
	assert_false(eq("true", "false"));
	assert_true(eq("null", "null"));
	assert_false(eq("null", "0"));
	assert_true(eq("\"a\"", "\"a\""));
	assert_false(eq("\"a\"", "\"b\""));
	assert_true(eq("\"\\u0041\"", "\"A\""));
	assert_false(eq("\"1\"", "1"));
	assert_true(eq("[1,[2,\"x\"]]", "[1.0,[2,\"x\"]]"));
	assert_false(eq("[1]", "[1,2]"));
	assert_true(eq("{\"a\":1,\"b\":[2]}", "{\"b\":[2.0],\"a\":1}"));
	assert_false(eq("{\"a\":1}", "{\"a\":2}"));
	assert_false(eq("{\"a\":1}", "{\"b\":1}"));
	assert_false(eq("{}", "[]"));
	assert_true(eq("9007199254740993", "9007199254740993"));
	assert_false(eq("9007199254740993", "9007199254740992"));
	/* Issue 10, finding 8: exact at any size, and against floats as
	 * Python compares them. */
	assert_false(eq("18446744073709551617", "18446744073709551616"));
	assert_false(eq("-18446744073709551617", "-18446744073709551616"));
	assert_true(eq("18446744073709551616", "18446744073709551616.0"));
	assert_true(eq("18446744073709551616", "1.8446744073709551616e19"));
	assert_false(eq("9007199254740993", "9007199254740992.0"));
	assert_false(eq("[9007199254740993]", "[9007199254740992.0]"));
	assert_false(eq("123456789012345678901234567890", "1.2345678901234568e29"));
	assert_true(eq("0.1", "0.10000000000000000555"));
	assert_true(eq("1e400", "Infinity"));
	assert_true(eq("-Infinity", "-1e999"));
	assert_false(eq("Infinity", "1" "000000000000000000000000000000000000000000000000000000000"
			"0000000000000000000000000000000000000000000000000000000000000000"
			"0000000000000000000000000000000000000000000000000000000000000000"
			"0000000000000000000000000000000000000000000000000000000000000000"
			"0000000000000000000000000000000000000000000000000000000000000000"
			"0000000000000000000000000000000000000000"));
	/* NaN equals nothing, itself included, whatever holds it. */
	assert_false(eq("NaN", "NaN"));
	assert_false(eq("NaN", "1"));
	assert_false(eq("[NaN]", "[NaN]"));
	assert_false(eq("{\"a\":NaN}", "{\"a\":NaN}"));
	assert_true(eq("[\"NaN\"]", "[\"NaN\"]"));
	assert_true(eq("Infinity", "Infinity"));

	assert_true(mgr_datum_eq(b1, b2));
	assert_false(mgr_datum_eq(b1, b3));
	/* JSON never equals bytes, even with the same text. */
	assert_false(mgr_datum_eq(s, b1));
	assert_false(mgr_datum_eq(ya, b1));
	mgr_datum_free(b1);
	mgr_datum_free(b2);
	mgr_datum_free(b3);
	mgr_datum_free(s);
	mgr_datum_free(ya);
}

/* The sign of a < b, or 2 when they cannot be ordered. */
static int cmp(const char *a, const char *b)
{
	struct mgr_datum *da = json(a), *db = json(b);
	int c = 0, back = 0, r = mgr_datum_cmp(da, db, &c);

	if (r == 0) {
		assert_int_equal(mgr_datum_cmp(db, da, &back), 0);
		assert_int_equal((back > 0) - (back < 0), -((c > 0) - (c < 0)));
	} else {
		assert_int_equal(r, -EINVAL);
		assert_int_equal(mgr_datum_cmp(db, da, &back), -EINVAL);
	}
	mgr_datum_free(da);
	mgr_datum_free(db);
	return r ? 2 : (c > 0) - (c < 0);
}

static void test_cmp(void **state)
{
	struct mgr_datum *b0 = bytes("\x00", 1), *b1 = bytes("\x01", 1), *b01 = bytes("\x00\x01", 2);
	struct mgr_datum *s = json("\"a\"");
	int c;

	assert_int_equal(cmp("1", "2"), -1);
	assert_int_equal(cmp("1.5", "1"), 1);
	assert_int_equal(cmp("2", "2.0"), 0);
	assert_int_equal(cmp("-1e3", "-999"), -1);
	assert_int_equal(cmp("true", "0"), 1);
	assert_int_equal(cmp("false", "true"), -1);
	/* Exact for integers a double cannot tell apart. */
	assert_int_equal(cmp("9007199254740993", "9007199254740992"), 1);
	assert_int_equal(cmp("18446744073709551617", "18446744073709551616"), 1);
	assert_int_equal(cmp("-18446744073709551617", "-18446744073709551616"), -1);
	assert_int_equal(cmp("-18446744073709551617", "18446744073709551616"), -1);
	assert_int_equal(cmp("100000000000000000000", "99999999999999999999"), 1);
	assert_int_equal(cmp("9007199254740993", "9007199254740992.0"), 1);
	assert_int_equal(cmp("9007199254740993", "9007199254740994.0"), -1);
	assert_int_equal(cmp("-9007199254740993", "-9007199254740992.0"), -1);
	assert_int_equal(cmp("1000000000000001", "1000000000000000.5"), 1);
	assert_int_equal(cmp("1000000000000000", "1000000000000000.5"), -1);
	assert_int_equal(cmp("-1000000000000000", "-1000000000000000.5"), 1);
	assert_int_equal(cmp("123456789012345678901234567890", "1.2345678901234568e29"), 1);
	assert_int_equal(cmp("true", "0.5"), 1);
	/* Infinities are ordered, NaN is neither smaller nor larger. */
	assert_int_equal(cmp("Infinity", "1" "00000000000000000000000000000000000000000"), 1);
	assert_int_equal(cmp("-Infinity", "-1" "00000000000000000000000000000000000000000"), -1);
	assert_int_equal(cmp("-Infinity", "Infinity"), -1);
	assert_int_equal(cmp("NaN", "1"), 0);
	assert_int_equal(cmp("NaN", "NaN"), 0);
	assert_int_equal(cmp("NaN", "Infinity"), 0);
	assert_int_equal(cmp("NaN", "1" "00000000000000000000000000000000000000000"), 0);
	assert_int_equal(cmp("[NaN]", "[1]"), 0);
	assert_int_equal(cmp("[1,NaN]", "[2]"), -1);
	assert_int_equal(cmp("NaN", "\"a\""), 2);
	/* Strings with NUL in them, by every byte. */
	assert_int_equal(cmp("\"abc\"", "\"abc\\u0000def\""), -1);
	assert_int_equal(cmp("\"a\\u0000b\"", "\"a\\u0000a\""), 1);
	assert_int_equal(cmp("\"a\"", "\"b\""), -1);
	assert_int_equal(cmp("\"a\"", "\"ab\""), -1);
	assert_int_equal(cmp("\"\"", "\"a\""), -1);
	assert_int_equal(cmp("\"Z\"", "\"a\""), -1);
	/* By code point, escapes or not. */
	assert_int_equal(cmp("\"\xc3\xa9\"", "\"z\""), 1);
	assert_int_equal(cmp("\"a\\\"\"", "\"a\""), 1);
	assert_int_equal(cmp("\"a\\n\"", "\"a!\""), -1);
	assert_int_equal(cmp("[1,2]", "[1,3]"), -1);
	assert_int_equal(cmp("[1]", "[1,0]"), -1);
	assert_int_equal(cmp("[]", "[0]"), -1);
	assert_int_equal(cmp("[2]", "[1,5]"), 1);
	assert_int_equal(cmp("[\"a\",1]", "[\"a\",2]"), -1);
	/* Python compares lists by the first unequal pair only. */
	assert_int_equal(cmp("[null,1]", "[null,2]"), -1);
	assert_int_equal(cmp("[null]", "[null]"), 0);
	/* TypeError in Python. */
	assert_int_equal(cmp("1", "\"1\""), 2);
	assert_int_equal(cmp("null", "null"), 2);
	assert_int_equal(cmp("null", "1"), 2);
	assert_int_equal(cmp("{}", "{}"), 2);
	assert_int_equal(cmp("[1]", "1"), 2);
	assert_int_equal(cmp("[\"a\"]", "[1]"), 2);

	assert_int_equal(mgr_datum_cmp(b0, b1, &c), 0);
	assert_true(c < 0);
	assert_int_equal(mgr_datum_cmp(b01, b0, &c), 0);
	assert_true(c > 0);
	assert_int_equal(mgr_datum_cmp(b0, b0, &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(mgr_datum_cmp(b0, s, &c), -EINVAL);
	assert_int_equal(mgr_datum_cmp(s, b0, &c), -EINVAL);
	mgr_datum_free(b0);
	mgr_datum_free(b1);
	mgr_datum_free(b01);
	mgr_datum_free(s);
}

/* Issue 10, finding 7: a value is at most MGR_VALUE_DEPTH_MAX deep, so
 * that every reply can wrap it; deeper is refused where it comes in. */
static void test_depth(void **state)
{
	char text[2 * MGR_VALUE_DEPTH_MAX + 40];
	struct mgr_datum *d;
	const char *why;
	int n = MGR_VALUE_DEPTH_MAX;

	strcpy(text, "{\"value\":");
	memset(text + 9, '[', n);
	memset(text + 9 + n, ']', n);
	strcpy(text + 9 + 2 * n, "}");
	assert_int_equal(from_msg(text, &d, &why), 0);
	assert_int_equal(d->len, 2 * n);
	mgr_datum_free(d);

	n++;
	memset(text + 9, '[', n);
	memset(text + 9 + n, ']', n);
	strcpy(text + 9 + 2 * n, "}");
	assert_int_equal(from_msg(text, &d, &why), -EINVAL);
	assert_null(d);
	assert_string_equal(why, "value nested deeper than 100 levels");
	assert_string_equal(mgr_datum_why(-ELOOP), why);
}

/* Issue 10, finding 6: NUL is kept in values, whole. */
static void test_nul(void **state)
{
	struct mgr_datum *d;
	const char *why;

	d = json("\"abc\\u0000def\"");
	assert_text(d, "\"abc\\u0000def\"");
	assert_false(eq("\"abc\\u0000def\"", "\"abc\""));
	assert_true(eq("\"abc\\u0000def\"", "\"abc\\u0000def\""));
	assert_true(eq("[\"a\\u0000\"]", "[\"a\\u0000\"]"));
	assert_false(eq("[\"a\\u0000b\"]", "[\"a\"]"));
	mgr_datum_free(d);
	assert_int_equal(from_msg("{\"value\":{\"k\":\"\\u0000\"}}", &d, &why), 0);
	assert_text(d, "{\"k\":\"\\u0000\"}");
	mgr_datum_free(d);
	/* Base64 with a NUL in it is not base64, not a shorter one. */
	assert_int_equal(from_msg("{\"bytes\":\"AAAA\\u0000AAAA\"}", &d, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_from_msg),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_gen),
		cmocka_unit_test(test_eq),
		cmocka_unit_test(test_cmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
