#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "path.h"

static int parse(const char *s, struct mgr_path *p, const char **err)
{
	*err = NULL;
	return mgr_path_parse(s, strlen(s), p, err);
}

static void assert_name(const struct mgr_path *p, size_t i, const char *expect)
{
	assert_true(i < p->n);
	assert_int_equal(p->names[i].len, strlen(expect));
	assert_memory_equal(p->names[i].s, expect, p->names[i].len);
}

static void assert_bad(const char *s, int err)
{
	struct mgr_path p;
	const char *why;

	assert_int_equal(parse(s, &p, &why), err);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
}

static void test_root(void **state)
{
	const char *roots[] = { "", "/", NULL };
	struct mgr_path p;
	const char *why;
	int i;

	for (i = 0; roots[i]; i++) {
		assert_int_equal(parse(roots[i], &p, &why), 0);
		assert_int_equal(p.n, 0);
		mgr_path_release(&p);
	}
}

static void test_names(void **state)
{
	struct mgr_path p;
	const char *why;

	assert_int_equal(parse("a", &p, &why), 0);
	assert_int_equal(p.n, 1);
	assert_name(&p, 0, "a");
	mgr_path_release(&p);

	assert_int_equal(parse("/jobs/q", &p, &why), 0);
	assert_int_equal(p.n, 2);
	assert_name(&p, 0, "jobs");
	assert_name(&p, 1, "q");
	mgr_path_release(&p);

	/* One trailing slash is what a shell user types after a directory. */
	assert_int_equal(parse("a/b/", &p, &why), 0);
	assert_int_equal(p.n, 2);
	assert_name(&p, 1, "b");
	mgr_path_release(&p);

	/* Escapes, either case; spaces and dots inside names are plain. */
	assert_int_equal(parse("a%2Fb/100%25/%2f/x y/.hidden/..x/%41", &p, &why), 0);
	assert_int_equal(p.n, 7);
	assert_name(&p, 0, "a/b");
	assert_name(&p, 1, "100%");
	assert_name(&p, 2, "/");
	assert_name(&p, 3, "x y");
	assert_name(&p, 4, ".hidden");
	assert_name(&p, 5, "..x");
	assert_name(&p, 6, "A");
	mgr_path_release(&p);

	assert_int_equal(parse("caf\xc3\xa9/%C3%A9", &p, &why), 0);
	assert_name(&p, 0, "caf\xc3\xa9");
	assert_name(&p, 1, "\xc3\xa9");
	mgr_path_release(&p);
}

static void test_bad(void **state)
{
	assert_bad("a//b", -EINVAL);
	assert_bad("//", -EINVAL);
	assert_bad("//a", -EINVAL);
	assert_bad("a//", -EINVAL);
	assert_bad("..", -EINVAL);
	assert_bad("a/./b", -EINVAL);
	assert_bad("a/../b", -EINVAL);
	assert_bad("%2E%2E", -EINVAL);
	assert_bad("a%", -EINVAL);
	assert_bad("a%2", -EINVAL);
	assert_bad("a%zz", -EINVAL);
	assert_bad("a%00b", -EINVAL);
	/* Names must be UTF-8, since they are listed as JSON strings. */
	assert_bad("%FF", -EINVAL);
	assert_bad("\xc3", -EINVAL);
	assert_bad("%C0%80", -EINVAL);
	assert_bad("%ED%A0%80", -EINVAL);
}

static void test_embedded_nul(void **state)
{
	struct mgr_path p;
	const char *why;

	assert_int_equal(mgr_path_parse("a\0b", 3, &p, &why), -EINVAL);
}

static void test_limits(void **state)
{
	char name[MGR_NAME_MAX + 2], *s;
	struct mgr_path p;
	const char *why;
	size_t i;

	memset(name, 'n', sizeof(name));
	name[MGR_NAME_MAX] = '\0';
	assert_int_equal(parse(name, &p, &why), 0);
	assert_int_equal(p.names[0].len, MGR_NAME_MAX);
	mgr_path_release(&p);
	name[MGR_NAME_MAX] = 'n';
	name[MGR_NAME_MAX + 1] = '\0';
	assert_bad(name, -ENAMETOOLONG);

	/* 2048 names deep is the limit: as many as PATH_MAX holds. */
	s = malloc(2 * MGR_PATH_DEPTH_MAX + 3);
	for (i = 0; i < MGR_PATH_DEPTH_MAX; i++)
		memcpy(s + 2 * i, "d/", 2);
	s[2 * MGR_PATH_DEPTH_MAX - 1] = '\0';
	assert_int_equal(parse(s, &p, &why), 0);
	assert_int_equal(p.n, MGR_PATH_DEPTH_MAX);
	mgr_path_release(&p);
	strcat(s, "/d");
	assert_bad(s, -ENAMETOOLONG);
	free(s);

	/* So is a text of 64 KiB: PATH_MAX's bytes, each escaped. */
	s = malloc(MGR_PATH_MAX + 2);
	memset(s, 'x', MGR_PATH_MAX + 1);
	for (i = 100; i < MGR_PATH_MAX; i += 100)
		s[i] = '/';
	s[MGR_PATH_MAX] = '\0';
	assert_int_equal(parse(s, &p, &why), 0);
	mgr_path_release(&p);
	s[MGR_PATH_MAX] = 'x';
	s[MGR_PATH_MAX + 1] = '\0';
	assert_bad(s, -ENAMETOOLONG);
	free(s);
}

static void test_name_check(void **state)
{
	const char *why = NULL;

	assert_int_equal(mgr_name_check("ok", 2, &why), 0);
	assert_int_equal(mgr_name_check("", 0, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(mgr_name_check(".", 1, &why), -EINVAL);
	assert_int_equal(mgr_name_check("..", 2, &why), -EINVAL);
	assert_int_equal(mgr_name_check("...", 3, &why), 0);
	assert_int_equal(mgr_name_check("a\0", 2, &why), -EINVAL);
	/* A decoded name may hold '/' and '%': they are escaped in paths. */
	assert_int_equal(mgr_name_check("a/b%", 4, &why), 0);
}

static void test_escape_round_trip(void **state)
{
	const char *names[] = { "plain", "a/b", "100%", "%2F", "/", "caf\xc3\xa9", NULL };
	struct mgr_buf b = MGR_BUF_INIT;
	struct mgr_path p;
	const char *why;
	int i;

	assert_int_equal(mgr_name_escape("a/b%c", 5, &b), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "a%2Fb%25c", 9);
	mgr_buf_release(&b);

	for (i = 0; names[i]; i++) {
		assert_int_equal(mgr_name_escape(names[i], strlen(names[i]), &b), 0);
		assert_int_equal(mgr_path_parse(b.data, b.len, &p, &why), 0);
		assert_int_equal(p.n, 1);
		assert_name(&p, 0, names[i]);
		mgr_path_release(&p);
		mgr_buf_release(&b);
	}
}

/* Bytes that are not UTF-8 stand in a name as U+DC80 to U+DCFF (Python's
 * surrogateescape), and count one byte each; other surrogates do not. */
static void test_escaped_bytes(void **state)
{
	char name[3 * MGR_NAME_MAX + 4];
	struct mgr_buf b = MGR_BUF_INIT;
	const char *why;
	yajl_gen g;
	const unsigned char *text;
	size_t i, len;

	assert_int_equal(mgr_name_check("caf\xed\xb3\xa9", 6, &why), 0);
	assert_int_equal(mgr_name_check("\xed\xb2\x80", 3, &why), 0);
	assert_int_equal(mgr_name_check("\xed\xb0\x80", 3, &why), -EINVAL);
	assert_int_equal(mgr_name_check("\xed\xa0\x80", 3, &why), -EINVAL);
	assert_int_equal(mgr_name_check("\xed\xb2", 2, &why), -EINVAL);
	for (i = 0; i < MGR_NAME_MAX; i++)
		memcpy(name + 3 * i, "\xed\xb3\xbf", 3);
	assert_int_equal(mgr_name_check(name, 3 * MGR_NAME_MAX, &why), 0);
	memcpy(name + 3 * MGR_NAME_MAX, "x", 1);
	assert_int_equal(mgr_name_check(name, 3 * MGR_NAME_MAX + 1, &why), -ENAMETOOLONG);

	/* In a path, their bytes are escaped, so that paths are UTF-8. */
	assert_int_equal(mgr_name_escape("a\xed\xb3\xa9/", 5, &b), 0);
	assert_int_equal(b.len, 13);
	assert_memory_equal(b.data, "a%ED%B3%A9%2F", 13);
	mgr_buf_release(&b);

	/* In JSON, they are the escapes Python's json module writes. */
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_gen_strn(g, "a\xed\xb3\xa9\"\xed\xb2\x80", 8), 0);
	yajl_gen_get_buf(g, &text, &len);
	assert_int_equal(len, 17);
	assert_memory_equal(text, "\"a\\udce9\\\"\\udc80\"", 17);
	yajl_gen_free(g);
	g = mgr_json_gen_new();
	assert_int_equal(mgr_json_gen_strn(g, "plain", 5), 0);
	yajl_gen_get_buf(g, &text, &len);
	assert_int_equal(len, 7);
	yajl_gen_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_name_check),
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_escaped_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
