/* The tree (tree.c): create, stat, ls in pages, delete, rename, dump and
 * pop of a container's member, driven as the server drives them. */
#include "ops_harness.h"

static void test_create(void **state)
{
	uint64_t v;

	OKV(0, "{\"version\":V}", "{'op':'create','path':'ns','type':'namespace'}");
	v = res_version();
	assert_true(v > 0);
	FAILS(0, EEXIST, "{'op':'create','path':'ns','type':'namespace'}");
	assert_non_null(strstr(msg, "namespace"));
	/* exist_ok: the same type is fine and changes nothing. */
	OKV(0, "{\"version\":V}", "{'op':'create','path':'ns','type':'namespace','exist_ok':true}");
	assert_int_equal(res_version(), v);
	FAILS(0, EEXIST, "{'op':'create','path':'ns','type':'dict','exist_ok':true}");
	FAILS(0, EEXIST, "{'op':'create','path':'','type':'dict'}");
	OKV(0, "{\"version\":V}", "{'op':'create','path':'','type':'namespace','exist_ok':true}");
	FAILS(0, EINVAL, "{'op':'create','path':'x','type':'exist_ok','exist_ok':1}");
	FAILS(0, EINVAL, "{'op':'create','path':'x','type':'namespace','exist_ok':1}");

	FAILS(0, ENOENT, "{'op':'create','path':'no/x','type':'dict'}");
	FAILS(0, EINVAL, "{'op':'create','path':'x','type':'tuple'}");
	assert_non_null(strstr(msg, "tuple"));
	FAILS(0, EINVAL, "{'op':'create','path':'x'}");
	FAILS(0, EINVAL, "{'op':'create','type':'dict'}");

	OKV(0, "{\"version\":V}", "{'op':'create','path':'ns/d','type':'dict',"
	   "'items':{'a':1,'b':{'deep':[1]},'a':2}}");
	/* A name given twice takes the last value, as a dict literal. */
	OKV(0, "{\"items\":[{\"name\":\"a\",\"type\":\"value\",\"value\":2},"
	   "{\"name\":\"b\",\"type\":\"value\",\"value\":{\"deep\":[1]}}]}",
	   "{'op':'items','path':'ns/d'}");
	FAILS(0, ENOTDIR, "{'op':'create','path':'ns/d/a/x','type':'dict'}");
	FAILS(0, EINVAL, "{'op':'create','path':'bad','type':'dict','items':{'..':1}}");
	FAILS(0, EINVAL, "{'op':'create','path':'bad','type':'dict','items':[1]}");
	assert_false(exists("bad"));

	OKV(0, "{\"version\":V}", "{'op':'create','path':'v','type':'value'}");
	OKV(0, "{\"value\":null,\"version\":V}", "{'op':'get','path':'v'}");
	OKV(0, "{\"version\":V}", "{'op':'create','path':'vb','type':'Value','bytes':'AAE='}");
	OKV(0, "{\"bytes\":\"AAE=\",\"version\":V}", "{'op':'get','path':'vb'}");
	OKV(0, "{\"version\":V}", "{'op':'create','path':'l','type':'list','items':[1,'a']}");
	OKV(0, "{\"items\":[{\"value\":1},{\"value\":\"a\"}],\"version\":V}",
	   "{'op':'get','path':'l'}");
	FAILS(0, EINVAL, "{'op':'create','path':'l2','type':'list','items':{'a':1}}");
	assert_false(exists("l2"));

	/* A failed init leaves nothing behind. */
	FAILS(0, EINVAL, "{'op':'create','path':'arr','type':'array'}");
	FAILS(0, EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'i','items':[1,'x']}");
	FAILS(0, EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'i','items':[1],'size':1}");
	FAILS(0, EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'z','size':1}");
	FAILS(0, EFBIG, "{'op':'create','path':'arr','type':'array','typecode':'b','size':100000000}");
	FAILS(0, EINVAL, "{'op':'create','path':'c','type':'value','typecode':'c'}");
	assert_false(exists("arr"));
	assert_false(exists("c"));

	/* Other modules' types are made by their init. */
	OKV(0, "{\"version\":V}", "{'op':'create','path':'q','type':'queue'}");
	assert_int_equal(req(0, 1, "{'op':'stat','path':'q'}"), 0);
	assert_non_null(strstr(res, "\"type\":\"queue\""));
}

static void test_stat_ls(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict'}");
	RUN(0, "{'op':'set','path':'d/b','value':'hello'}");
	RUN(0, "{'op':'create','path':'d/a','type':'list','items':[1,2,3]}");
	RUN(0, "{'op':'set','path':'d/a%%2Fslash','bytes':'AAEC'}");
	RUN(0, "{'op':'create','path':'d/n','type':'value','typecode':'d'}");
	RUN(0, "{'op':'create','path':'d/arr','type':'array','typecode':'h','size':4}");

	OKV(0, "{\"type\":\"value\",\"version\":V,\"size\":7,\"mtime_ns\":T,\"ctime_ns\":T}",
	   "{'op':'stat','path':'d/b'}");
	OKV(0, "{\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T,\"bytes\":true}",
	   "{'op':'stat','path':'d/a%%2Fslash'}");
	OKV(0, "{\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T,\"typecode\":\"d\"}",
	   "{'op':'stat','path':'d/n'}");
	OKV(0, "{\"type\":\"list\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T}",
	   "{'op':'stat','path':'d/a'}");
	OKV(0, "{\"type\":\"array\",\"version\":V,\"size\":4,\"mtime_ns\":T,\"ctime_ns\":T,\"typecode\":\"h\"}",
	   "{'op':'stat','path':'d/arr'}");
	OKV(0, "{\"type\":\"dict\",\"version\":V,\"size\":5,\"mtime_ns\":T,\"ctime_ns\":T,\"subdirs\":0}",
	   "{'op':'stat','path':'d'}");
	/* Insertion order, names unescaped. */
	OKV(0, "{\"entries\":[{\"name\":\"b\",\"type\":\"value\",\"version\":V,\"size\":7,\"mtime_ns\":T,\"ctime_ns\":T},"
	   "{\"name\":\"a\",\"type\":\"list\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T},"
	   "{\"name\":\"a/slash\",\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T,\"bytes\":true},"
	   "{\"name\":\"n\",\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T},"
	   "{\"name\":\"arr\",\"type\":\"array\",\"version\":V,\"size\":4,\"mtime_ns\":T,\"ctime_ns\":T}]}",
	   "{'op':'ls','path':'d'}");
	OKV(0, "{\"entries\":[{\"name\":\"d\",\"type\":\"dict\",\"version\":V,\"size\":5,\"mtime_ns\":T,\"ctime_ns\":T,\"subdirs\":0}]}",
	   "{'op':'ls','path':''}");
	FAILS(0, ENOTSUP, "{'op':'ls','path':'d/a'}");
	/* In pages: "limit" names, "more" while others follow, the next
	 * page after the last name. */
	OKV(0, "{\"entries\":[{\"name\":\"b\",\"type\":\"value\",\"version\":V,\"size\":7,\"mtime_ns\":T,\"ctime_ns\":T},"
	   "{\"name\":\"a\",\"type\":\"list\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T}],\"more\":true}",
	   "{'op':'ls','path':'d','limit':2}");
	OKV(0, "{\"entries\":[{\"name\":\"a/slash\",\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T,"
	   "\"bytes\":true},"
	   "{\"name\":\"n\",\"type\":\"value\",\"version\":V,\"size\":3,\"mtime_ns\":T,\"ctime_ns\":T}],\"more\":true}",
	   "{'op':'ls','path':'d','limit':2,'after':'a'}");
	OKV(0, "{\"entries\":[{\"name\":\"arr\",\"type\":\"array\",\"version\":V,\"size\":4,\"mtime_ns\":T,\"ctime_ns\":T}]}",
	   "{'op':'ls','path':'d','after':'n'}");
	OKV(0, "{\"entries\":[]}", "{'op':'ls','path':'d','after':'arr'}");
	FAILS(0, ESTALE, "{'op':'ls','path':'d','after':'gone'}");
	FAILS(0, EINVAL, "{'op':'ls','path':'d','limit':0}");
	FAILS(0, EINVAL, "{'op':'ls','path':'d','after':1}");
}

static void test_delete(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict','items':{'x':1}}");
	RUN(0, "{'op':'create','path':'d/sub','type':'namespace'}");
	RUN(0, "{'op':'create','path':'d/sub/q','type':'queue'}");
	FAILS(0, EBUSY, "{'op':'delete','path':''}");
	FAILS(0, ENOTEMPTY, "{'op':'delete','path':'d'}");
	FAILS(0, EINVAL, "{'op':'delete','path':'d','recursive':'yes'}");
	FAILS(0, ENOENT, "{'op':'delete','path':'d/nope'}");
	OKV(0, "true", "{'op':'delete','path':'d/x'}");
	assert_false(exists("d/x"));
	OKV(0, "true", "{'op':'delete','path':'d','recursive':true}");
	assert_false(exists("d"));
	assert_false(exists("d/sub/q"));
	RUN(0, "{'op':'create','path':'e','type':'dict'}");
	OKV(0, "true", "{'op':'delete','path':'e'}");
}

static void test_rename(void **state)
{
	uint64_t before;
	char longname[256];

	RUN(0, "{'op':'create','path':'a','type':'dict','items':{'x':1,'y':2}}");
	RUN(0, "{'op':'create','path':'b','type':'dict'}");
	before = version_of("a/x");
	OKV(0, "{\"version\":V}", "{'op':'rename','path':'a/x','to':'b/z'}");
	assert_true(res_version() > before);
	OKV(0, "{\"value\":1,\"version\":V}", "{'op':'get','path':'b/z'}");
	assert_false(exists("a/x"));
	/* Replacing a value is atomic. */
	OKV(0, "{\"version\":V}", "{'op':'rename','path':'a/y','to':'b/z'}");
	OKV(0, "{\"value\":2,\"version\":V}", "{'op':'get','path':'b/z'}");

	FAILS(0, ENOENT, "{'op':'rename','path':'a/nope','to':'b/q'}");
	FAILS(0, ENOENT, "{'op':'rename','path':'b/z','to':'nope/q'}");
	FAILS(0, ENOTDIR, "{'op':'rename','path':'b','to':'b/z/q'}");
	FAILS(0, EINVAL, "{'op':'rename','path':'b','to':'b/inner'}");
	FAILS(0, EBUSY, "{'op':'rename','path':'','to':'r'}");
	FAILS(0, EBUSY, "{'op':'rename','path':'b','to':''}");
	FAILS(0, EISDIR, "{'op':'rename','path':'b/z','to':'a'}");
	FAILS(0, EINVAL, "{'op':'rename','path':'b/z'}");
	RUN(0, "{'op':'set','path':'a/full','value':0}");
	FAILS(0, ENOTEMPTY, "{'op':'rename','path':'b','to':'a'}");
	assert_true(exists("b/z"));

	/* A dict renamed to a long name keeps its children. */
	memset(longname, 'L', 255);
	longname[255] = '\0';
	OKV(0, "{\"version\":V}", "{'op':'rename','path':'b','to':'%s'}", longname);
	OKV(0, "{\"value\":2,\"version\":V}", "{'op':'get','path':'%s/z'}", longname);
	OKV(0, "{\"version\":V}", "{'op':'set','path':'%s/new','value':3}", longname);
}

static void test_dump(void **state)
{
	RUN(0, "{'op':'create','path':'a','type':'dict','items':{'v':1}}");
	RUN(0, "{'op':'set','path':'a/b','bytes':'aGk='}");
	RUN(0, "{'op':'create','path':'a/n','type':'namespace'}");
	RUN(0, "{'op':'create','path':'l','type':'list','items':[1,[2]]}");
	RUN(0, "{'op':'append','path':'l','bytes':'AA=='}");
	RUN(0, "{'op':'create','path':'arr','type':'array','typecode':'d','items':[1,2.5]}");
	RUN(0, "{'op':'set','path':'x%%2Fy','value':'s'}");
	OKV(0, "{\"a\":{\"v\":1,\"b\":{\"$bytes\":\"aGk=\"},\"n\":{}},\"l\":[1,[2],{\"$bytes\":\"AA==\"}],"
	   "\"arr\":[1.0,2.5],\"x/y\":\"s\"}", "{'op':'dump','path':''}");
	OKV(0, "{\"v\":1,\"b\":{\"$bytes\":\"aGk=\"},\"n\":{}}", "{'op':'dump','path':'a'}");
	OKV(0, "1", "{'op':'dump','path':'a/v'}");
	/* A name with a byte that is not UTF-8 is listed, but is no key. */
	RUN(0, "{'op':'set','path':'a/n/caf%%ED%%B3%%A9','value':'x'}");
	OKV(0, "\"x\"", "{'op':'dump','path':'a/n/caf%%ED%%B3%%A9'}");
	FAILS(0, EINVAL, "{'op':'dump','path':'a'}");
}

static void test_pop(void **state)
{
	RUN(0, "{'op':'create','path':'d','type':'dict','items':{'k':[1,2]}}");
	RUN(0, "{'op':'set','path':'d/b','bytes':'/w=='}");
	OKV(0, "{\"value\":[1,2]}", "{'op':'pop','path':'d/k'}");
	assert_false(exists("d/k"));
	OKV(0, "{\"bytes\":\"/w==\"}", "{'op':'pop','path':'d/b'}");
	FAILS(0, ENOENT, "{'op':'pop','path':'d/k'}");
	FAILS(0, ENOTSUP, "{'op':'pop','path':'d'}");
}

static int64_t time_of(const char *path, const char *which)
{
	return strtoll(stat_member(path, which), NULL, 10);
}

/* Times: a new object has both; a child made or deleted moves its
 * container's; a rename moves only the status change time; a failed call
 * moves nothing.  A container counts its containers (a directory's links). */
static void test_times_subdirs(void **state)
{
	int64_t m, c;

	RUN(0, "{'op':'create','path':'d','type':'dict'}");
	assert_int_equal(time_of("d", "mtime_ns"), time_of("d", "ctime_ns"));
	assert_true(time_of("d", "mtime_ns") > 1500000000000000000ll);
	m = time_of("d", "mtime_ns");
	RUN(0, "{'op':'create','path':'d/sub','type':'namespace'}");
	RUN(0, "{'op':'create','path':'d/sub2','type':'dict'}");
	RUN(0, "{'op':'set','path':'d/v','value':1}");
	assert_true(time_of("d", "mtime_ns") > m);
	assert_string_equal(stat_member("d", "subdirs"), "2");
	assert_string_equal(stat_member("d", "size"), "3");
	RUN(0, "{'op':'delete','path':'d/sub2'}");
	assert_string_equal(stat_member("d", "subdirs"), "1");
	m = time_of("d/v", "mtime_ns");
	c = time_of("d/v", "ctime_ns");
	OKV(0, "{\"version\":V}", "{'op':'rename','path':'d/v','to':'d/sub/w'}");
	assert_int_equal(time_of("d/sub/w", "mtime_ns"), m);
	assert_true(time_of("d/sub/w", "ctime_ns") > c);
	RUN(0, "{'op':'rename','path':'d/sub','to':'e'}");
	assert_string_equal(stat_member("d", "subdirs"), "0");
	assert_string_equal(stat_member("", "subdirs"), "2");
	c = time_of("e/w", "ctime_ns");
	FAILS(0, EISDIR, "{'op':'rename','path':'e/w','to':'d'}");
	assert_int_equal(time_of("e/w", "ctime_ns"), c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_create),
		T(test_stat_ls),
		T(test_delete),
		T(test_rename),
		T(test_dump),
		T(test_pop),
		T(test_times_subdirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
