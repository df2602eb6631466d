#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "proto.h"

static yajl_val parse(const char *text)
{
	char err[128];
	yajl_val v = NULL;

	assert_int_equal(mgr_json_parse(text, strlen(text), &v, err, sizeof(err)), 0);
	return v;
}

static int parse_fails(const char *text, size_t len, char *err, size_t errlen)
{
	yajl_val v = NULL;
	int r = mgr_json_parse(text, len, &v, err, errlen);

	assert_null(v);
	return r;
}

/* What g generated so far, compared with expect; g is then cleared and
 * reset for a new value. */
static void assert_gen(yajl_gen g, const char *expect)
{
	const unsigned char *buf;
	size_t len;

	yajl_gen_get_buf(g, &buf, &len);
	assert_int_equal(len, strlen(expect));
	assert_memory_equal(buf, expect, len);
	yajl_gen_clear(g);
	yajl_gen_reset(g, NULL);
}

static void test_parse(void **state)
{
	yajl_val v = parse(" {\"a\": [1, 2.5], \"b\": \"x\"} ");
	char err[128];

	assert_true(YAJL_IS_OBJECT(v));
	assert_true(YAJL_IS_ARRAY(mgr_json_get(v, "a")));
	assert_null(mgr_json_get(v, "c"));
	yajl_tree_free(v);

	/* Not NUL-terminated: only len bytes count. */
	assert_int_equal(mgr_json_parse("[1]xyz", 3, &v, err, sizeof(err)), 0);
	assert_true(YAJL_IS_ARRAY(v));
	yajl_tree_free(v);

	assert_int_equal(parse_fails("{\"a\":", 5, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	assert_int_equal(parse_fails("[1] [2]", 7, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_fails("", 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_fails("\"a\0b\"", 5, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	/* Invalid UTF-8 inside a string. */
	assert_int_equal(parse_fails("\"\xff\"", 3, err, sizeof(err)), -EINVAL);
}

/* n opening brackets, then n closing ones, after prefix; malloc'd. */
static char *nested(const char *prefix, size_t n, size_t *len)
{
	size_t p = strlen(prefix);
	char *text = malloc(p + 2 * n + 1);

	assert_non_null(text);
	memcpy(text, prefix, p);
	memset(text + p, '[', n);
	memset(text + p + n, ']', n);
	text[p + 2 * n] = '\0';
	*len = p + 2 * n;
	return text;
}

static void test_parse_depth(void **state)
{
	char text[512], err[128];
	size_t len;
	yajl_val v;
	char *deep;

	/* As deep as yajl_gen writes is fine, one more is refused. */
	deep = nested("", MGR_FRAME_DEPTH_MAX, &len);
	v = parse(deep);
	assert_int_equal(mgr_json_depth(v), MGR_FRAME_DEPTH_MAX);
	yajl_tree_free(v);
	free(deep);
	deep = nested("", MGR_FRAME_DEPTH_MAX + 1, &len);
	assert_int_equal(parse_fails(deep, len, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "deeper than 128"));
	free(deep);
	/* Brackets inside strings do not count. */
	memset(text, '[', 300);
	text[0] = '"';
	text[299] = '"';
	text[300] = '\0';
	v = parse(text);
	assert_true(YAJL_IS_STRING(v));
	assert_int_equal(mgr_json_depth(v), 0);
	yajl_tree_free(v);
}

/* Issue 10, finding 1: a comment hid a quote from the old depth check, and
 * yajl freed the 300,000 levels behind it by recursion, off the end of the
 * stack.  Comments are not JSON, and depth is counted while parsing. */
static void test_parse_comment_and_deep(void **state)
{
	char err[128];
	size_t len;
	char *deep;

	deep = nested("/*\"*/", 300000, &len);
	assert_int_equal(parse_fails(deep, len, err, sizeof(err)), -EINVAL);
	free(deep);
	deep = nested("{\"x\":\"/*\",\"y\":", 300000, &len);
	assert_int_equal(parse_fails(deep, len, err, sizeof(err)), -ELOOP);
	free(deep);
	deep = nested("", 300000, &len);
	assert_int_equal(parse_fails(deep, len, err, sizeof(err)), -ELOOP);
	free(deep);
}

/* RFC 8259 and nothing else, bar Python's three literals. */
static void test_parse_strict(void **state)
{
	static const char *const bad[] = {
		"/**/1", "1 // c", "# c\n1", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "'a'",
		"{'a':1}", "{a:1}", "{1:2}", "{\"a\" 1}", "{\"a\":}", "01", "-01", "1.",
		".5", "+1", "-", "1e", "1e+", "0x10", "1.5e", "--1", "tru", "nul", "True",
		"nan", "-NaN", "+Infinity", "infinity", "Inf", "\"a", "\"\\x41\"",
		"\"\\u12\"", "\"\\u12g4\"", "\"\\U0041\"", "\"\t\"", "\"\n\"", "\f1",
		"\xef\xbb\xbf" "1", "1 2", "[1] [2]", "", " ", "[", "]", "{", "}",
		"[1 2]", "{\"a\":1 \"b\":2}", "\"\\\"", "\"\\", "NaN1", "truefalse",
		NULL,
	};
	static const char *const good[] = {
		"0", "-0", "1.5", "-1.5e-3", "1E+2", "0.0e0", "true", "false", "null",
		" \t\r\n[ 1 , \"a\" , { } , [ ] ]\n", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
		"NaN", "Infinity", "-Infinity", "[NaN,-Infinity]", "{\"\":\"\"}", NULL,
	};
	char err[128];
	yajl_val v;
	size_t i;

	for (i = 0; bad[i]; i++) {
		int r = parse_fails(bad[i], strlen(bad[i]), err, sizeof(err));

		if (r != -EINVAL || !err[0])
			fail_msg("%s: %d (%s)", bad[i], r, err);
	}
	for (i = 0; good[i]; i++) {
		v = parse(good[i]);
		yajl_tree_free(v);
	}
}

/* Issue 10, finding 6: strings are kept whole, or refused. */
static void test_parse_strings(void **state)
{
	yajl_val v2;
	yajl_gen g;
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		/* What no string here can keep. */
		{ "{\"k\\u0000hidden\":1,\"k\":2}", -EILSEQ },
		{ "\"\\ud800\"", -EILSEQ },
		{ "\"\\udc00\"", -EILSEQ },
		{ "\"\\udc7f\"", -EILSEQ },
		{ "\"\\udd00\"", -EILSEQ },
		/* Bytes that are not UTF-8 (utf8.h) are no key. */
		{ "{\"\\udc80\":1}", -EILSEQ },
		{ "\"\\ud800\\u0041\"", -EILSEQ },
		{ "\"\\ud800x\"", -EILSEQ },
		{ "\"\\udbff\\udbff\"", -EILSEQ },
		/* Not UTF-8: overlong forms, encoded surrogates, past
		 * U+10FFFF, cut short, stray continuation bytes. */
		{ "\"\xc0\xaf\"", -EINVAL },
		{ "\"\xe0\x80\xaf\"", -EINVAL },
		{ "\"\xf0\x80\x80\xaf\"", -EINVAL },
		{ "\"\xed\xa0\x80\"", -EINVAL },
		{ "\"\xed\xbf\xbf\"", -EINVAL },
		{ "\"\xf4\x90\x80\x80\"", -EINVAL },
		{ "\"\xe2\x82\"", -EINVAL },
		{ "\"\x80\"", -EINVAL },
		{ "\"\xff\"", -EINVAL },
		{ "{\"\xc1\xbf\":1}", -EINVAL },
	};
	char err[128];
	const char *s;
	yajl_val v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse_fails(bad[i].text, strlen(bad[i].text), err, sizeof(err));

		if (r != bad[i].err)
			fail_msg("%s: %d, not %d (%s)", bad[i].text, r, bad[i].err, err);
	}
	/* A NUL inside a value is kept, and the length says where the
	 * string ends. */
	v = parse("\"abc\\u0000def\"");
	assert_int_equal(mgr_json_strlen(v), 7);
	assert_memory_equal(v->u.string, "abc\0def", 8);
	yajl_tree_free(v);
	v = parse("{\"s\":\"a\\u0000b\",\"t\":\"ok\"}");
	assert_int_equal(mgr_json_get_str(v, "s", &s), -EINVAL);
	assert_int_equal(mgr_json_get_str(v, "t", &s), 0);
	assert_int_equal(mgr_json_strlen(mgr_json_get(v, "t")), 2);
	assert_int_equal(mgr_json_strlen(v), 0);
	yajl_tree_free(v);
	/* Escapes, a surrogate pair, and the extremes of UTF-8. */
	v = parse("\"\\u00e9\\u20AC\\ud83d\\ude00\\udbff\\udfff\xf4\x8f\xbf\xbf\xc2\x80\"");
	assert_int_equal(mgr_json_strlen(v), 2 + 3 + 4 + 4 + 4 + 2);
	assert_memory_equal(v->u.string, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"
			    "\xf4\x8f\xbf\xbf\xc2\x80", 19);
	yajl_tree_free(v);
	/* U+DC80 to U+DCFF stand for bytes that are not UTF-8, as names
	 * hold them, and are written back as they came. */
	v = parse("[\"caf\\udce9\\\"\\udc80\"]");
	v2 = v->u.array.values[0];
	assert_int_equal(mgr_json_strlen(v2), 3 + 3 + 1 + 3);
	assert_memory_equal(v2->u.string, "caf\xed\xb3\xa9\"\xed\xb2\x80", 10);
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_gen_tree(g, v), 0);
	assert_gen(g, "[\"caf\\udce9\\\"\\udc80\"]");
	yajl_gen_free(g);
	yajl_tree_free(v);
	/* Not as a key, which yajl_gen could not write. */
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_map_open(g), 0);
	assert_int_equal(mgr_json_gen_strn(g, "\xed\xb2\x80", 3), -EINVAL);
	yajl_gen_free(g);
	/* Any other byte that is not UTF-8 is not written at all. */
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_gen_strn(g, "\xed\xb2\x80\xff", 4), -EINVAL);
	yajl_gen_free(g);
}

static void test_parse_numbers(void **state)
{
	yajl_val v = parse("[1,-9223372036854775808,9223372036854775807,9223372036854775808,"
			   "1e400,1" "0000000000000000000000000000000000000000000000000000000000"
			   "0000000000000000000000000000000000000000000000000000000000000000"
			   "0000000000000000000000000000000000000000000000000000000000000000"
			   "0000000000000000000000000000000000000000000000000000000000000000"
			   "0000000000000000000000000000000000000000000000000000000000000000"
			   "000000000000000000000000000000000,NaN,-Infinity,2.5,-0]");
	yajl_val *n = v->u.array.values;

	assert_int_equal(v->u.array.len, 10);
	assert_true(YAJL_IS_INTEGER(n[0]) && YAJL_IS_DOUBLE(n[0]));
	assert_true(n[0]->u.number.i == 1 && n[0]->u.number.d == 1);
	assert_true(YAJL_IS_INTEGER(n[1]) && n[1]->u.number.i == INT64_MIN);
	assert_true(YAJL_IS_INTEGER(n[2]) && n[2]->u.number.i == INT64_MAX);
	assert_false(YAJL_IS_INTEGER(n[3]));
	assert_true(YAJL_IS_DOUBLE(n[3]) && n[3]->u.number.d == 9223372036854775808.0);
	/* A float past the range is an infinity, as Python's float() reads
	 * it; an integer past it is no double at all. */
	assert_true(YAJL_IS_DOUBLE(n[4]) && isinf(n[4]->u.number.d));
	assert_false(YAJL_IS_INTEGER(n[5]) || YAJL_IS_DOUBLE(n[5]));
	assert_int_equal(strlen(n[5]->u.number.r), 348);
	assert_true(YAJL_IS_DOUBLE(n[6]) && isnan(n[6]->u.number.d));
	assert_string_equal(n[6]->u.number.r, "NaN");
	assert_true(YAJL_IS_DOUBLE(n[7]) && n[7]->u.number.d == -INFINITY);
	assert_false(YAJL_IS_INTEGER(n[8]));
	assert_true(n[8]->u.number.d == 2.5);
	assert_true(YAJL_IS_INTEGER(n[9]) && n[9]->u.number.i == 0);
	assert_string_equal(n[9]->u.number.r, "-0");
	yajl_tree_free(v);
}

static void test_getters(void **state)
{
	yajl_val v = parse("{\"s\":\"x\",\"u\":18446744073709551615,\"neg\":-5,"
			   "\"f\":1.5,\"big\":18446744073709551616,\"t\":true,\"n\":null}");
	const char *s = "unchanged";
	uint64_t u = 7;
	int64_t i = 7;
	double d = 7;
	bool b = false;

	assert_int_equal(mgr_json_get_str(v, "s", &s), 0);
	assert_string_equal(s, "x");
	assert_int_equal(mgr_json_get_str(v, "u", &s), -EINVAL);
	assert_int_equal(mgr_json_get_u64(v, "u", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(mgr_json_get_u64(v, "neg", &u), -EINVAL);
	assert_int_equal(mgr_json_get_u64(v, "f", &u), -EINVAL);
	assert_int_equal(mgr_json_get_u64(v, "big", &u), -EINVAL);
	assert_int_equal(mgr_json_get_i64(v, "neg", &i), 0);
	assert_int_equal(i, -5);
	assert_int_equal(mgr_json_get_i64(v, "f", &i), -EINVAL);
	assert_int_equal(mgr_json_get_double(v, "f", &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(mgr_json_get_double(v, "neg", &d), 0);
	assert_true(d == -5);
	assert_int_equal(mgr_json_get_double(v, "s", &d), -EINVAL);
	assert_int_equal(mgr_json_get_bool(v, "t", &b), 0);
	assert_true(b);
	assert_int_equal(mgr_json_get_bool(v, "neg", &b), -EINVAL);

	/* Absent and null leave the default alone. */
	s = "default";
	u = 3;
	assert_int_equal(mgr_json_get_str(v, "missing", &s), -ENOENT);
	assert_int_equal(mgr_json_get_u64(v, "n", &u), -ENOENT);
	assert_string_equal(s, "default");
	assert_true(u == 3);
	assert_non_null(mgr_json_get(v, "n"));
	assert_null(mgr_json_get(mgr_json_get(v, "s"), "x"));
	yajl_tree_free(v);
}

static void test_gen_tree(void **state)
{
	const char *text = "{\"a\":[1,2.50,true,false,null,\"x\\\"y/\\u00e9\"],\"b\":{},"
			   "\"c\":123456789012345678901234567890}";
	yajl_gen g = mgr_json_gen_new();
	yajl_val v = parse(text);

	assert_int_equal(mgr_json_gen_tree(g, v), 0);
	/* Numbers keep their text; strings are escaped the one yajl way. */
	assert_gen(g, "{\"a\":[1,2.50,true,false,null,\"x\\\"y/\xc3\xa9\"],\"b\":{},"
		      "\"c\":123456789012345678901234567890}");
	yajl_tree_free(v);
	/* Strings come back whole, NUL and all. */
	v = parse("[\"abc\\u0000def\",NaN,-Infinity,1e400]");
	assert_int_equal(mgr_json_gen_tree(g, v), 0);
	assert_gen(g, "[\"abc\\u0000def\",NaN,-Infinity,1e400]");
	yajl_tree_free(v);
	yajl_gen_free(g);
}

static void test_gen_helpers(void **state)
{
	yajl_gen g = mgr_json_gen_new();

	assert_int_equal(mgr_json_map_open(g), 0);
	assert_int_equal(mgr_json_kv_str(g, "s", "v"), 0);
	assert_int_equal(mgr_json_kv_u64(g, "u", UINT64_MAX), 0);
	assert_int_equal(mgr_json_kv_i64(g, "i", INT64_MIN), 0);
	assert_int_equal(mgr_json_kv_bool(g, "b", false), 0);
	assert_int_equal(mgr_json_kv_double(g, "d", 0.1), 0);
	assert_int_equal(mgr_json_kv_double(g, "one", 1), 0);
	assert_int_equal(mgr_json_kv_double(g, "big", 1e300), 0);
	assert_int_equal(mgr_json_gen_cstr(g, "raw"), 0);
	assert_int_equal(mgr_json_gen_raw(g, "{\"x\":[1,2]}", 11), 0);
	assert_int_equal(mgr_json_gen_cstr(g, "arr"), 0);
	assert_int_equal(mgr_json_array_open(g), 0);
	assert_int_equal(mgr_json_gen_raw(g, "1", 1), 0);
	assert_int_equal(mgr_json_gen_raw(g, "\"two\"", 5), 0);
	assert_int_equal(mgr_json_gen_u64(g, 3), 0);
	assert_int_equal(mgr_json_gen_double(g, -2.5), 0);
	assert_int_equal(mgr_json_array_close(g), 0);
	assert_int_equal(mgr_json_map_close(g), 0);
	assert_gen(g, "{\"s\":\"v\",\"u\":18446744073709551615,\"i\":-9223372036854775808,"
		      "\"b\":false,\"d\":0.1,\"one\":1.0,\"big\":1e+300,"
		      "\"raw\":{\"x\":[1,2]},\"arr\":[1,\"two\",3,-2.5]}");

	/* A raw value is not a key. */
	assert_int_equal(mgr_json_map_open(g), 0);
	assert_int_equal(mgr_json_gen_raw(g, "1", 1), -EINVAL);
	yajl_gen_free(g);
	/* NaN and the infinities as Python's json writes them. */
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_array_open(g), 0);
	assert_int_equal(mgr_json_gen_double(g, NAN), 0);
	assert_int_equal(mgr_json_gen_double(g, INFINITY), 0);
	assert_int_equal(mgr_json_gen_double(g, -INFINITY), 0);
	assert_int_equal(mgr_json_array_close(g), 0);
	assert_gen(g, "[NaN,Infinity,-Infinity]");
	/* Strings must be strictly UTF-8, as the parser wants them; NUL is
	 * written escaped. */
	assert_int_equal(mgr_json_gen_strn(g, "\xff", 1), -EINVAL);
	assert_int_equal(mgr_json_gen_strn(g, "\xc0\xaf", 2), -EINVAL);
	assert_int_equal(mgr_json_gen_strn(g, "\xed\xa0\x80", 3), -EINVAL);
	yajl_gen_free(g);
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_gen_strn(g, "a\0b", 3), 0);
	assert_gen(g, "\"a\\u0000b\"");
	yajl_gen_free(g);
}

static void test_double_round_trip(void **state)
{
	const double values[] = { 0.1, 1.0 / 3, 123456789.125, 5e-324, 1.7976931348623157e308, -0.0 };
	yajl_gen g = mgr_json_gen_new();
	const unsigned char *buf;
	size_t len, i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(mgr_json_gen_double(g, values[i]), 0);
		yajl_gen_get_buf(g, &buf, &len);
		assert_true(strtod((const char *)buf, NULL) == values[i]);
		assert_true(len <= 24);
		yajl_gen_clear(g);
		yajl_gen_reset(g, NULL);
	}
	yajl_gen_free(g);
}

static void check_b64(const char *raw, size_t n, const char *text)
{
	struct mgr_buf b = MGR_BUF_INIT;

	assert_int_equal(mgr_base64_encode(raw, n, &b), 0);
	assert_int_equal(b.len, strlen(text));
	assert_memory_equal(b.data, text, b.len);
	mgr_buf_release(&b);
	assert_int_equal(mgr_base64_decode(text, strlen(text), &b), 0);
	assert_int_equal(b.len, n);
	if (n)
		assert_memory_equal(b.data, raw, n);
	mgr_buf_release(&b);
}

static void test_base64(void **state)
{
	const char *bad[] = { "Zg=", "Z===", "====", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm!v", "Zm=v", NULL };
	struct mgr_buf b = MGR_BUF_INIT;
	unsigned char all[256];
	size_t i;

	check_b64("", 0, "");
	check_b64("f", 1, "Zg==");
	check_b64("fo", 2, "Zm8=");
	check_b64("foo", 3, "Zm9v");
	check_b64("foobar", 6, "Zm9vYmFy");
	check_b64("\0\0", 2, "AAA=");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	assert_int_equal(mgr_base64_encode(all, 256, &b), 0);
	assert_int_equal(b.len, 344);
	{
		struct mgr_buf back = MGR_BUF_INIT;

		assert_int_equal(mgr_base64_decode(b.data, b.len, &back), 0);
		assert_int_equal(back.len, 256);
		assert_memory_equal(back.data, all, 256);
		mgr_buf_release(&back);
	}
	mgr_buf_release(&b);

	/* Appends to what is there. */
	assert_int_equal(mgr_buf_append(&b, "x", 1), 0);
	assert_int_equal(mgr_base64_decode("eQ==", 4, &b), 0);
	assert_int_equal(b.len, 2);
	assert_memory_equal(b.data, "xy", 2);
	mgr_buf_release(&b);

	for (i = 0; bad[i]; i++) {
		assert_int_equal(mgr_base64_decode(bad[i], strlen(bad[i]), &b), -EINVAL);
		mgr_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_comment_and_deep),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_parse_strings),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_gen_tree),
		cmocka_unit_test(test_gen_helpers),
		cmocka_unit_test(test_double_round_trip),
		cmocka_unit_test(test_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
