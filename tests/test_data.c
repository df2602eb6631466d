/* Operations of ops.c, ops_tree.c and ops_data.c, driven as the server
 * drives them: a request text, parsed, run by mgr_engine_exec, and the
 * generated result text checked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "engine.h"

static struct mgr_store *store;
static struct mgr_session sess;
/* The last call's result text, that text with every "version":N written
 * "version":V, its error message, and its owner. */
static char res[1 << 16], nres[1 << 16], msg[256];
static uint64_t last_owner;

static int setup(void **state)
{
	store = mgr_engine_new();
	mgr_session_init(&sess, 1);
	return store ? 0 : -1;
}

static int teardown(void **state)
{
	mgr_engine_free(store);
	return 0;
}

static void normalize(void)
{
	const char *key = "\"version\":", *p = res;
	char *out = nres;

	while (*p) {
		if (strncmp(p, key, strlen(key)) == 0) {
			out += sprintf(out, "%sV", key);
			p += strlen(key);
			while (*p >= '0' && *p <= '9')
				p++;
		} else {
			*out++ = *p++;
		}
	}
	*out = '\0';
}

/* Run a request written with ' for " (readability). */
static int call(const char *fmt, ...)
{
	struct mgr_call c = { .store = store, .sess = &sess, .id = 7, .now = 1000 };
	const unsigned char *buf;
	char req[1 << 14], err[128], *q;
	va_list ap;
	size_t len;
	int r;

	va_start(ap, fmt);
	vsnprintf(req, sizeof(req), fmt, ap);
	va_end(ap);
	for (q = req; *q; q++)
		if (*q == '\'')
			*q = '"';
	assert_int_equal(mgr_json_parse(req, strlen(req), &c.args, err, sizeof(err)), 0);
	c.out = mgr_json_gen_new();
	r = mgr_engine_exec(&c);
	assert_true(r <= 0);
	res[0] = msg[0] = '\0';
	if (r == 0) {
		assert_null(c.err);
		yajl_gen_get_buf(c.out, &buf, &len);
		assert_true(len > 0 && len < sizeof(res));
		memcpy(res, buf, len);
		res[len] = '\0';
	} else {
		/* Every failure says why. */
		assert_non_null(c.err);
		assert_true(strlen(c.err) > 0);
		snprintf(msg, sizeof(msg), "%s", c.err);
	}
	normalize();
	last_owner = c.owner;
	yajl_gen_free(c.out);
	yajl_tree_free(c.args);
	return r;
}

/* The call succeeds with this result (versions as V). */
#define OK(expect, ...) do { \
	assert_int_equal(call(__VA_ARGS__), 0); \
	assert_string_equal(nres, expect); \
} while (0)

/* The call fails with this errno. */
#define FAILS(err, ...) assert_int_equal(call(__VA_ARGS__), err)

/* The version in the last result. */
static uint64_t version(void)
{
	const char *p = strstr(res, "\"version\":");

	assert_non_null(p);
	return strtoull(p + 10, NULL, 10);
}

static uint64_t version_of(const char *path)
{
	assert_int_equal(call("{'op':'stat','path':'%s'}", path), 0);
	return version();
}

static bool exists(const char *path)
{
	int r = call("{'op':'stat','path':'%s'}", path);

	assert_true(r == 0 || r == -ENOENT);
	return r == 0;
}

static void test_exec(void **state)
{
	FAILS(-ENOSYS, "{'op':'frobnicate','path':''}");
	assert_non_null(strstr(msg, "frobnicate"));
	FAILS(-EINVAL, "{'path':''}");
	FAILS(-EINVAL, "{'op':5,'path':''}");
	FAILS(-EINVAL, "{'op':'stat'}");
	FAILS(-EINVAL, "{'op':'stat','path':5}");
	FAILS(-EINVAL, "{'op':'stat','path':'','owner':-1}");
	FAILS(-EINVAL, "{'op':'stat','path':'','owner':'x'}");
	OK("{\"type\":\"namespace\",\"version\":V,\"size\":0}", "{'op':'stat','path':'','owner':42}");
	assert_int_equal(last_owner, 42);
	OK("{\"type\":\"namespace\",\"version\":V,\"size\":0}", "{'op':'stat','path':'/'}");
	assert_int_equal(last_owner, 0);

	FAILS(-ENOENT, "{'op':'stat','path':'nope'}");
	assert_non_null(strstr(msg, "nope"));
	OK("{\"version\":V}", "{'op':'set','path':'v','value':1}");
	FAILS(-ENOTDIR, "{'op':'stat','path':'v/x'}");
	/* A known op on the wrong type names the type. */
	FAILS(-ENOTSUP, "{'op':'ls','path':'v'}");
	assert_non_null(strstr(msg, "value"));
	FAILS(-ENOTSUP, "{'op':'append','path':''}");
	assert_non_null(strstr(msg, "namespace"));
}

static void test_bad_paths(void **state)
{
	char longname[300];

	FAILS(-EINVAL, "{'op':'set','path':'a//b','value':1}");
	assert_non_null(strstr(msg, "a//b"));
	FAILS(-EINVAL, "{'op':'set','path':'..','value':1}");
	FAILS(-EINVAL, "{'op':'create','path':'x/../y','type':'dict'}");
	FAILS(-EINVAL, "{'op':'stat','path':'a%%zz'}");
	FAILS(-EINVAL, "{'op':'rename','path':'x','to':'..'}");
	memset(longname, 'n', 256);
	longname[256] = '\0';
	FAILS(-ENAMETOOLONG, "{'op':'set','path':'%s','value':1}", longname);
	FAILS(-ENAMETOOLONG, "{'op':'create','path':'%s','type':'list'}", longname);
	/* Nothing was made by any of them. */
	OK("{\"entries\":[]}", "{'op':'ls','path':''}");
}

static void test_errno_names(void **state)
{
	const char *names[] = { "ENOENT", "EEXIST", "ENOTDIR", "EINVAL", "ENOTSUP", "ENOSYS",
				"ERANGE", "EAGAIN", "ETIMEDOUT", "EPERM", "EOVERFLOW", "EPIPE",
				"ECANCELED", "EFBIG", "EMSGSIZE", "EBADMSG", "EACCES",
				"ENAMETOOLONG", "ENOTEMPTY", "EISDIR", "EBUSY", "ENOMEM", "EIO",
				"ECONNRESET", "ECONNREFUSED", NULL };
	int i, e;

	for (i = 0; names[i]; i++) {
		e = mgr_errno_from_name(names[i]);
		assert_true(e > 0);
		assert_string_equal(mgr_errno_name(e), names[i]);
		assert_string_equal(mgr_errno_name(-e), names[i]);
	}
	assert_int_equal(mgr_errno_from_name("ENOENT"), ENOENT);
	assert_int_equal(mgr_errno_from_name("EOPNOTSUPP"), ENOTSUP);
	assert_int_equal(mgr_errno_from_name("EWHATEVER"), 0);
	assert_int_equal(mgr_errno_from_name(""), 0);
	assert_string_equal(mgr_errno_name(0), "EIO");
	assert_string_equal(mgr_errno_name(99999), "EIO");
}

static int wait_args(const char *text, bool *block, uint64_t *deadline)
{
	struct mgr_call c = { .store = store, .sess = &sess, .now = 1000 };
	char err[128];
	int r;

	assert_int_equal(mgr_json_parse(text, strlen(text), &c.args, err, sizeof(err)), 0);
	r = mgr_call_wait_args(&c, block, deadline);
	if (r < 0)
		assert_non_null(c.err);
	yajl_tree_free(c.args);
	return r;
}

static void test_wait_args(void **state)
{
	uint64_t deadline;
	bool block;

	assert_int_equal(wait_args("{}", &block, &deadline), 0);
	assert_true(block);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":null}", &block, &deadline), 0);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":0.5}", &block, &deadline), 0);
	assert_int_equal(deadline, 1500);
	assert_int_equal(wait_args("{\"timeout\":2}", &block, &deadline), 0);
	assert_int_equal(deadline, 3000);
	/* Rounded up: a wait is never shorter than asked. */
	assert_int_equal(wait_args("{\"timeout\":0.0001}", &block, &deadline), 0);
	assert_int_equal(deadline, 1001);
	assert_int_equal(wait_args("{\"timeout\":0}", &block, &deadline), 0);
	assert_int_equal(deadline, 1000);
	assert_int_equal(wait_args("{\"timeout\":1e300}", &block, &deadline), 0);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"block\":false,\"timeout\":5}", &block, &deadline), 0);
	assert_false(block);
	assert_int_equal(deadline, 0);
	assert_int_equal(wait_args("{\"timeout\":-1}", &block, &deadline), -EINVAL);
	assert_int_equal(wait_args("{\"timeout\":\"1\"}", &block, &deadline), -EINVAL);
	assert_int_equal(wait_args("{\"block\":1}", &block, &deadline), -EINVAL);
}

static void test_create(void **state)
{
	uint64_t v;

	OK("{\"version\":V}", "{'op':'create','path':'ns','type':'namespace'}");
	v = version();
	assert_true(v > 0);
	FAILS(-EEXIST, "{'op':'create','path':'ns','type':'namespace'}");
	assert_non_null(strstr(msg, "namespace"));
	/* exist_ok: the same type is fine and changes nothing. */
	OK("{\"version\":V}", "{'op':'create','path':'ns','type':'namespace','exist_ok':true}");
	assert_int_equal(version(), v);
	FAILS(-EEXIST, "{'op':'create','path':'ns','type':'dict','exist_ok':true}");
	FAILS(-EEXIST, "{'op':'create','path':'','type':'dict'}");
	OK("{\"version\":V}", "{'op':'create','path':'','type':'namespace','exist_ok':true}");
	FAILS(-EINVAL, "{'op':'create','path':'x','type':'exist_ok','exist_ok':1}");
	FAILS(-EINVAL, "{'op':'create','path':'x','type':'namespace','exist_ok':1}");

	FAILS(-ENOENT, "{'op':'create','path':'no/x','type':'dict'}");
	FAILS(-EINVAL, "{'op':'create','path':'x','type':'tuple'}");
	assert_non_null(strstr(msg, "tuple"));
	FAILS(-EINVAL, "{'op':'create','path':'x'}");
	FAILS(-EINVAL, "{'op':'create','type':'dict'}");

	OK("{\"version\":V}", "{'op':'create','path':'ns/d','type':'dict',"
	   "'items':{'a':1,'b':{'deep':[1]},'a':2}}");
	/* A name given twice takes the last value, as a dict literal. */
	OK("{\"items\":[{\"name\":\"a\",\"type\":\"value\",\"value\":2},"
	   "{\"name\":\"b\",\"type\":\"value\",\"value\":{\"deep\":[1]}}]}",
	   "{'op':'items','path':'ns/d'}");
	FAILS(-ENOTDIR, "{'op':'create','path':'ns/d/a/x','type':'dict'}");
	FAILS(-EINVAL, "{'op':'create','path':'bad','type':'dict','items':{'..':1}}");
	FAILS(-EINVAL, "{'op':'create','path':'bad','type':'dict','items':[1]}");
	assert_false(exists("bad"));

	OK("{\"version\":V}", "{'op':'create','path':'v','type':'value'}");
	OK("{\"value\":null,\"version\":V}", "{'op':'get','path':'v'}");
	OK("{\"version\":V}", "{'op':'create','path':'vb','type':'Value','bytes':'AAE='}");
	OK("{\"bytes\":\"AAE=\",\"version\":V}", "{'op':'get','path':'vb'}");
	OK("{\"version\":V}", "{'op':'create','path':'l','type':'list','items':[1,'a']}");
	OK("{\"items\":[{\"value\":1},{\"value\":\"a\"}],\"version\":V}", "{'op':'get','path':'l'}");
	FAILS(-EINVAL, "{'op':'create','path':'l2','type':'list','items':{'a':1}}");
	assert_false(exists("l2"));

	/* A failed init leaves nothing behind. */
	FAILS(-EINVAL, "{'op':'create','path':'arr','type':'array'}");
	FAILS(-EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'i','items':[1,'x']}");
	FAILS(-EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'i','items':[1],'size':1}");
	FAILS(-EINVAL, "{'op':'create','path':'arr','type':'array','typecode':'z','size':1}");
	FAILS(-EFBIG, "{'op':'create','path':'arr','type':'array','typecode':'b','size':100000000}");
	FAILS(-EINVAL, "{'op':'create','path':'c','type':'value','typecode':'c'}");
	assert_false(exists("arr"));
	assert_false(exists("c"));

	/* Other modules' types are made by their init. */
	OK("{\"version\":V}", "{'op':'create','path':'q','type':'queue'}");
	assert_int_equal(call("{'op':'stat','path':'q'}"), 0);
	assert_non_null(strstr(res, "\"type\":\"queue\""));
}

static void test_stat_ls(void **state)
{
	call("{'op':'create','path':'d','type':'dict'}");
	call("{'op':'set','path':'d/b','value':'hello'}");
	call("{'op':'create','path':'d/a','type':'list','items':[1,2,3]}");
	call("{'op':'set','path':'d/a%%2Fslash','bytes':'AAEC'}");
	call("{'op':'create','path':'d/n','type':'value','typecode':'d'}");
	call("{'op':'create','path':'d/arr','type':'array','typecode':'h','size':4}");

	OK("{\"type\":\"value\",\"version\":V,\"size\":7}", "{'op':'stat','path':'d/b'}");
	OK("{\"type\":\"value\",\"version\":V,\"size\":3,\"bytes\":true}",
	   "{'op':'stat','path':'d/a%%2Fslash'}");
	OK("{\"type\":\"value\",\"version\":V,\"size\":3,\"typecode\":\"d\"}",
	   "{'op':'stat','path':'d/n'}");
	OK("{\"type\":\"list\",\"version\":V,\"size\":3}", "{'op':'stat','path':'d/a'}");
	OK("{\"type\":\"array\",\"version\":V,\"size\":4,\"typecode\":\"h\"}",
	   "{'op':'stat','path':'d/arr'}");
	OK("{\"type\":\"dict\",\"version\":V,\"size\":5}", "{'op':'stat','path':'d'}");
	/* Insertion order, names unescaped. */
	OK("{\"entries\":[{\"name\":\"b\",\"type\":\"value\",\"version\":V,\"size\":7},"
	   "{\"name\":\"a\",\"type\":\"list\",\"version\":V,\"size\":3},"
	   "{\"name\":\"a/slash\",\"type\":\"value\",\"version\":V,\"size\":3,\"bytes\":true},"
	   "{\"name\":\"n\",\"type\":\"value\",\"version\":V,\"size\":3},"
	   "{\"name\":\"arr\",\"type\":\"array\",\"version\":V,\"size\":4}]}",
	   "{'op':'ls','path':'d'}");
	OK("{\"entries\":[{\"name\":\"d\",\"type\":\"dict\",\"version\":V,\"size\":5}]}",
	   "{'op':'ls','path':''}");
	FAILS(-ENOTSUP, "{'op':'ls','path':'d/a'}");
	/* In pages: "limit" names, "more" while others follow, the next
	 * page after the last name. */
	OK("{\"entries\":[{\"name\":\"b\",\"type\":\"value\",\"version\":V,\"size\":7},"
	   "{\"name\":\"a\",\"type\":\"list\",\"version\":V,\"size\":3}],\"more\":true}",
	   "{'op':'ls','path':'d','limit':2}");
	OK("{\"entries\":[{\"name\":\"a/slash\",\"type\":\"value\",\"version\":V,\"size\":3,"
	   "\"bytes\":true},"
	   "{\"name\":\"n\",\"type\":\"value\",\"version\":V,\"size\":3}],\"more\":true}",
	   "{'op':'ls','path':'d','limit':2,'after':'a'}");
	OK("{\"entries\":[{\"name\":\"arr\",\"type\":\"array\",\"version\":V,\"size\":4}]}",
	   "{'op':'ls','path':'d','after':'n'}");
	OK("{\"entries\":[]}", "{'op':'ls','path':'d','after':'arr'}");
	FAILS(-ESTALE, "{'op':'ls','path':'d','after':'gone'}");
	FAILS(-EINVAL, "{'op':'ls','path':'d','limit':0}");
	FAILS(-EINVAL, "{'op':'ls','path':'d','after':1}");
}

static void test_delete(void **state)
{
	call("{'op':'create','path':'d','type':'dict','items':{'x':1}}");
	call("{'op':'create','path':'d/sub','type':'namespace'}");
	call("{'op':'create','path':'d/sub/q','type':'queue'}");
	FAILS(-EBUSY, "{'op':'delete','path':''}");
	FAILS(-ENOTEMPTY, "{'op':'delete','path':'d'}");
	FAILS(-EINVAL, "{'op':'delete','path':'d','recursive':'yes'}");
	FAILS(-ENOENT, "{'op':'delete','path':'d/nope'}");
	OK("true", "{'op':'delete','path':'d/x'}");
	assert_false(exists("d/x"));
	OK("true", "{'op':'delete','path':'d','recursive':true}");
	assert_false(exists("d"));
	assert_false(exists("d/sub/q"));
	call("{'op':'create','path':'e','type':'dict'}");
	OK("true", "{'op':'delete','path':'e'}");
}

static void test_rename(void **state)
{
	uint64_t before;
	char longname[256];

	call("{'op':'create','path':'a','type':'dict','items':{'x':1,'y':2}}");
	call("{'op':'create','path':'b','type':'dict'}");
	before = version_of("a/x");
	OK("{\"version\":V}", "{'op':'rename','path':'a/x','to':'b/z'}");
	assert_true(version() > before);
	OK("{\"value\":1,\"version\":V}", "{'op':'get','path':'b/z'}");
	assert_false(exists("a/x"));
	/* Replacing a value is atomic. */
	OK("{\"version\":V}", "{'op':'rename','path':'a/y','to':'b/z'}");
	OK("{\"value\":2,\"version\":V}", "{'op':'get','path':'b/z'}");

	FAILS(-ENOENT, "{'op':'rename','path':'a/nope','to':'b/q'}");
	FAILS(-ENOENT, "{'op':'rename','path':'b/z','to':'nope/q'}");
	FAILS(-ENOTDIR, "{'op':'rename','path':'b','to':'b/z/q'}");
	FAILS(-EINVAL, "{'op':'rename','path':'b','to':'b/inner'}");
	FAILS(-EBUSY, "{'op':'rename','path':'','to':'r'}");
	FAILS(-EBUSY, "{'op':'rename','path':'b','to':''}");
	FAILS(-EISDIR, "{'op':'rename','path':'b/z','to':'a'}");
	FAILS(-EINVAL, "{'op':'rename','path':'b/z'}");
	call("{'op':'set','path':'a/full','value':0}");
	FAILS(-ENOTEMPTY, "{'op':'rename','path':'b','to':'a'}");
	assert_true(exists("b/z"));

	/* A dict renamed to a long name keeps its children. */
	memset(longname, 'L', 255);
	longname[255] = '\0';
	OK("{\"version\":V}", "{'op':'rename','path':'b','to':'%s'}", longname);
	OK("{\"value\":2,\"version\":V}", "{'op':'get','path':'%s/z'}", longname);
	OK("{\"version\":V}", "{'op':'set','path':'%s/new','value':3}", longname);
}

static void test_dump(void **state)
{
	call("{'op':'create','path':'a','type':'dict','items':{'v':1}}");
	call("{'op':'set','path':'a/b','bytes':'aGk='}");
	call("{'op':'create','path':'a/n','type':'namespace'}");
	call("{'op':'create','path':'l','type':'list','items':[1,[2]]}");
	call("{'op':'append','path':'l','bytes':'AA=='}");
	call("{'op':'create','path':'arr','type':'array','typecode':'d','items':[1,2.5]}");
	call("{'op':'set','path':'x%%2Fy','value':'s'}");
	OK("{\"a\":{\"v\":1,\"b\":{\"$bytes\":\"aGk=\"},\"n\":{}},\"l\":[1,[2],{\"$bytes\":\"AA==\"}],"
	   "\"arr\":[1.0,2.5],\"x/y\":\"s\"}", "{'op':'dump','path':''}");
	OK("{\"v\":1,\"b\":{\"$bytes\":\"aGk=\"},\"n\":{}}", "{'op':'dump','path':'a'}");
	OK("1", "{'op':'dump','path':'a/v'}");
}

static void test_pop(void **state)
{
	call("{'op':'create','path':'d','type':'dict','items':{'k':[1,2]}}");
	call("{'op':'set','path':'d/b','bytes':'/w=='}");
	OK("{\"value\":[1,2]}", "{'op':'pop','path':'d/k'}");
	assert_false(exists("d/k"));
	OK("{\"bytes\":\"/w==\"}", "{'op':'pop','path':'d/b'}");
	FAILS(-ENOENT, "{'op':'pop','path':'d/k'}");
	FAILS(-ENOTSUP, "{'op':'pop','path':'d'}");
}

static void test_get_set(void **state)
{
	uint64_t v1, v2;

	FAILS(-ENOENT, "{'op':'set','path':'no/v','value':1}");
	FAILS(-EINVAL, "{'op':'set','path':'v'}");
	FAILS(-EINVAL, "{'op':'set','path':'v','value':1,'bytes':'AA=='}");
	FAILS(-EINVAL, "{'op':'set','path':'v','bytes':'A'}");
	assert_false(exists("v"));
	OK("{\"version\":V}", "{'op':'set','path':'v','value':{'a':[1,2.0,'x']}}");
	v1 = version();
	OK("{\"value\":{\"a\":[1,2.0,\"x\"]},\"version\":V}", "{'op':'get','path':'v'}");
	assert_int_equal(version(), v1);
	/* Reads never change the version. */
	OK("{\"value\":{\"a\":[1,2.0,\"x\"]},\"version\":V}", "{'op':'get','path':'v'}");
	assert_int_equal(version(), v1);
	OK("{\"version\":V}", "{'op':'set','path':'v','bytes':'aGVsbG8K'}");
	v2 = version();
	assert_true(v2 > v1);
	OK("{\"bytes\":\"aGVsbG8K\",\"version\":V}", "{'op':'get','path':'v'}");
	assert_int_equal(version(), v2);
	FAILS(-ENOTDIR, "{'op':'set','path':'v/x','value':1}");

	call("{'op':'create','path':'d','type':'dict'}");
	FAILS(-ENOTSUP, "{'op':'set','path':'d','value':1}");
	FAILS(-ENOTSUP, "{'op':'set','path':'','value':1}");
	FAILS(-ENOTSUP, "{'op':'get','path':'d'}");
	call("{'op':'create','path':'q','type':'queue'}");
	FAILS(-ENOTSUP, "{'op':'set','path':'q','value':1}");
	assert_non_null(strstr(msg, "queue"));
	/* The same name is an Event's own op: the typed entry wins. */
	call("{'op':'create','path':'e','type':'event'}");
	OK("true", "{'op':'set','path':'e'}");

	/* Lists and arrays are set whole. */
	call("{'op':'create','path':'l','type':'list'}");
	OK("{\"version\":V}", "{'op':'set','path':'l','items':[3,'x']}");
	OK("{\"items\":[{\"value\":3},{\"value\":\"x\"}],\"version\":V}", "{'op':'get','path':'l'}");
	OK("{\"version\":V}", "{'op':'set','path':'l','value':[]}");
	OK("{\"items\":[],\"version\":V}", "{'op':'get','path':'l'}");
	FAILS(-EINVAL, "{'op':'set','path':'l','value':5}");
	FAILS(-EINVAL, "{'op':'set','path':'l','bytes':'AA=='}");
}

static void test_typed_values(void **state)
{
	call("{'op':'create','path':'i','type':'value','typecode':'i'}");
	OK("{\"value\":0,\"version\":V}", "{'op':'get','path':'i'}");
	OK("{\"version\":V}", "{'op':'set','path':'i','value':2147483647}");
	FAILS(-EINVAL, "{'op':'set','path':'i','value':2147483648}");
	assert_non_null(strstr(msg, "2147483647"));
	FAILS(-EINVAL, "{'op':'set','path':'i','value':-2147483649}");
	FAILS(-EINVAL, "{'op':'set','path':'i','value':1.5}");
	FAILS(-EINVAL, "{'op':'set','path':'i','value':1.0}");
	FAILS(-EINVAL, "{'op':'set','path':'i','value':'1'}");
	FAILS(-EINVAL, "{'op':'set','path':'i','bytes':'AA=='}");
	OK("{\"value\":2147483647,\"version\":V}", "{'op':'get','path':'i'}");
	/* A bool is an int, as in Python. */
	OK("{\"version\":V}", "{'op':'set','path':'i','value':true}");
	OK("{\"value\":1,\"version\":V}", "{'op':'get','path':'i'}");

	call("{'op':'create','path':'b','type':'value','typecode':'b','value':-128}");
	FAILS(-EINVAL, "{'op':'set','path':'b','value':128}");
	FAILS(-EINVAL, "{'op':'create','path':'B','type':'value','typecode':'B','value':-1}");
	FAILS(-EINVAL, "{'op':'create','path':'B','type':'value','typecode':'B','value':256}");
	OK("{\"version\":V}", "{'op':'create','path':'B','type':'value','typecode':'B','value':255}");
	OK("{\"version\":V}", "{'op':'create','path':'H','type':'value','typecode':'H','value':65535}");
	FAILS(-EINVAL, "{'op':'set','path':'H','value':65536}");
	call("{'op':'create','path':'Q','type':'value','typecode':'Q','value':18446744073709551615}");
	OK("{\"value\":18446744073709551615,\"version\":V}", "{'op':'get','path':'Q'}");
	FAILS(-EINVAL, "{'op':'set','path':'Q','value':18446744073709551616}");
	FAILS(-EINVAL, "{'op':'set','path':'Q','value':-1}");
	call("{'op':'create','path':'q','type':'value','typecode':'q','value':-9223372036854775808}");
	OK("{\"value\":-9223372036854775808,\"version\":V}", "{'op':'get','path':'q'}");
	FAILS(-EINVAL, "{'op':'set','path':'q','value':-9223372036854775809}");
	FAILS(-EINVAL, "{'op':'set','path':'q','value':9223372036854775808}");
	OK("{\"version\":V}", "{'op':'create','path':'L','type':'value','typecode':'L','value':0}");

	/* Floats are converted as ctypes does. */
	call("{'op':'create','path':'d','type':'value','typecode':'d','value':1}");
	OK("{\"value\":1.0,\"version\":V}", "{'op':'get','path':'d'}");
	call("{'op':'set','path':'d','value':0.1}");
	OK("{\"value\":0.1,\"version\":V}", "{'op':'get','path':'d'}");
	FAILS(-EINVAL, "{'op':'set','path':'d','value':'0.1'}");
	call("{'op':'create','path':'f','type':'value','typecode':'f','value':0.1}");
	OK("{\"value\":0.10000000149011612,\"version\":V}", "{'op':'get','path':'f'}");
	FAILS(-EINVAL, "{'op':'set','path':'f','value':1e300}");
	call("{'op':'create','path':'f0','type':'value','typecode':'f'}");
	OK("{\"value\":0.0,\"version\":V}", "{'op':'get','path':'f0'}");

	/* Characters. */
	call("{'op':'create','path':'u','type':'value','typecode':'u','value':'\xe2\x82\xac'}");
	OK("{\"value\":\"\xe2\x82\xac\",\"version\":V}", "{'op':'get','path':'u'}");
	FAILS(-EINVAL, "{'op':'set','path':'u','value':'ab'}");
	FAILS(-EINVAL, "{'op':'set','path':'u','value':''}");
	FAILS(-EINVAL, "{'op':'set','path':'u','value':1}");
	OK("{\"version\":V}", "{'op':'create','path':'c','type':'value','typecode':'c','value':'\xc3\xa9'}");
	FAILS(-EINVAL, "{'op':'set','path':'c','value':'\xe2\x82\xac'}");
	OK("{\"version\":V}", "{'op':'set','path':'c','value':'x'}");

	FAILS(-EINVAL, "{'op':'create','path':'z','type':'value','typecode':'x'}");
	FAILS(-EINVAL, "{'op':'create','path':'z','type':'value','typecode':'ii'}");
	FAILS(-EINVAL, "{'op':'create','path':'z','type':'value','typecode':'i','bytes':'AA=='}");
	assert_false(exists("z"));
}

static void test_setdefault(void **state)
{
	uint64_t v;

	OK("{\"value\":5,\"version\":V}", "{'op':'setdefault','path':'k','value':5}");
	v = version();
	OK("{\"value\":5,\"version\":V}", "{'op':'setdefault','path':'k','value':6}");
	assert_int_equal(version(), v);
	OK("{\"value\":null,\"version\":V}", "{'op':'setdefault','path':'n'}");
	OK("{\"bytes\":\"AA==\",\"version\":V}", "{'op':'setdefault','path':'b','bytes':'AA=='}");
	call("{'op':'create','path':'l','type':'list'}");
	FAILS(-ENOTSUP, "{'op':'setdefault','path':'l','value':1}");
	FAILS(-ENOENT, "{'op':'setdefault','path':'no/k','value':1}");
}

static void test_len(void **state)
{
	call("{'op':'create','path':'d','type':'dict','items':{'a':1,'b':2}}");
	call("{'op':'create','path':'l','type':'list','items':[1,2,3]}");
	call("{'op':'create','path':'a','type':'array','typecode':'i','size':4}");
	call("{'op':'create','path':'q','type':'queue'}");
	OK("2", "{'op':'len','path':'d'}");
	OK("3", "{'op':'len','path':'l'}");
	OK("4", "{'op':'len','path':'a'}");
	OK("4", "{'op':'len','path':''}");
	/* Found in the queue module's table. */
	OK("0", "{'op':'len','path':'q'}");
	call("{'op':'set','path':'v','value':1}");
	FAILS(-ENOTSUP, "{'op':'len','path':'v'}");
}

static void test_update(void **state)
{
	uint64_t v;

	call("{'op':'create','path':'d','type':'dict','items':{'a':1}}");
	call("{'op':'create','path':'d/sub','type':'dict'}");
	call("{'op':'create','path':'d/n','type':'value','typecode':'i'}");
	OK("{\"version\":V}", "{'op':'update','path':'d','items':{'a':10,'b':[2]}}");
	OK("{\"items\":[{\"name\":\"a\",\"type\":\"value\",\"value\":10},"
	   "{\"name\":\"sub\",\"type\":\"dict\"},"
	   "{\"name\":\"n\",\"type\":\"value\",\"value\":0},"
	   "{\"name\":\"b\",\"type\":\"value\",\"value\":[2]}]}", "{'op':'items','path':'d'}");
	/* In pages, as ls. */
	OK("{\"items\":[{\"name\":\"sub\",\"type\":\"dict\"}],\"more\":true}",
	   "{'op':'items','path':'d','after':'a','limit':1}");
	OK("{\"items\":[{\"name\":\"b\",\"type\":\"value\",\"value\":[2]}]}",
	   "{'op':'items','path':'d','after':'n'}");
	FAILS(-ESTALE, "{'op':'items','path':'d','after':'x'}");
	v = version_of("d");
	/* All or nothing. */
	FAILS(-ENOTSUP, "{'op':'update','path':'d','items':{'a':11,'sub':1}}");
	assert_non_null(strstr(msg, "sub"));
	FAILS(-EINVAL, "{'op':'update','path':'d','items':{'a':11,'..':1}}");
	FAILS(-EINVAL, "{'op':'update','path':'d','items':{'a':11,'n':'x'}}");
	FAILS(-EINVAL, "{'op':'update','path':'d','items':[1]}");
	FAILS(-EINVAL, "{'op':'update','path':'d'}");
	assert_int_equal(version_of("d"), v);
	OK("{\"value\":10,\"version\":V}", "{'op':'get','path':'d/a'}");
	OK("{\"version\":V}", "{'op':'update','path':'d','items':{'n':7}}");
	OK("{\"value\":7,\"version\":V}", "{'op':'get','path':'d/n'}");
	FAILS(-ENOTSUP, "{'op':'update','path':'d/a','items':{}}");
}

static void test_clear_popitem(void **state)
{
	call("{'op':'create','path':'d','type':'dict','items':{'a':1,'b':2}}");
	call("{'op':'create','path':'d/sub','type':'namespace','items':{'x':1}}");
	call("{'op':'create','path':'l','type':'list','items':[1,2]}");
	FAILS(-ENOTSUP, "{'op':'popitem','path':'d'}");
	OK("true", "{'op':'clear','path':'d'}");
	OK("0", "{'op':'len','path':'d'}");
	assert_false(exists("d/sub/x"));
	OK("true", "{'op':'clear','path':'l'}");
	OK("0", "{'op':'len','path':'l'}");

	FAILS(-ENOENT, "{'op':'popitem','path':'d'}");
	call("{'op':'update','path':'d','items':{'x':1,'y':2}}");
	call("{'op':'set','path':'d/z','bytes':'AA=='}");
	OK("{\"name\":\"z\",\"bytes\":\"AA==\"}", "{'op':'popitem','path':'d'}");
	OK("{\"name\":\"y\",\"value\":2}", "{'op':'popitem','path':'d'}");
	OK("{\"name\":\"x\",\"value\":1}", "{'op':'popitem','path':'d'}");
	FAILS(-ENOENT, "{'op':'popitem','path':'d'}");
	/* An Event's clear is found in its module's table. */
	call("{'op':'create','path':'e','type':'event'}");
	OK("true", "{'op':'clear','path':'e'}");
}

/* The list's items as JSON values, for short comparisons. */
static const char *items(const char *path)
{
	static char out[sizeof(res)];
	char *p = out, *q;

	assert_int_equal(call("{'op':'dump','path':'%s'}", path), 0);
	memcpy(out, res, sizeof(out));
	/* Single quotes read better in expectations. */
	for (q = p; *q; q++)
		if (*q == '"')
			*q = '\'';
	return out;
}

static void test_list_basic(void **state)
{
	uint64_t v;

	call("{'op':'create','path':'l','type':'list'}");
	v = version_of("l");
	OK("{\"version\":V}", "{'op':'append','path':'l','value':1}");
	assert_true(version() > v);
	call("{'op':'append','path':'l','bytes':'AA=='}");
	FAILS(-EINVAL, "{'op':'append','path':'l'}");
	OK("{\"version\":V}", "{'op':'extend','path':'l','items':[2,'x']}");
	FAILS(-EINVAL, "{'op':'extend','path':'l','items':5}");
	FAILS(-EINVAL, "{'op':'extend','path':'l'}");
	assert_string_equal(items("l"), "[1,{'$bytes':'AA=='},2,'x']");

	/* insert clamps like Python. */
	call("{'op':'insert','path':'l','index':-100,'value':'first'}");
	call("{'op':'insert','path':'l','index':100,'value':'last'}");
	call("{'op':'insert','path':'l','index':-1,'value':'penult'}");
	call("{'op':'insert','path':'l','index':1,'value':'second'}");
	assert_string_equal(items("l"), "['first','second',1,{'$bytes':'AA=='},2,'x','penult','last']");
	FAILS(-EINVAL, "{'op':'insert','path':'l','value':0}");
	FAILS(-EINVAL, "{'op':'insert','path':'l','index':1.5,'value':0}");

	/* pop */
	OK("{\"value\":\"last\",\"version\":V}", "{'op':'pop','path':'l'}");
	OK("{\"value\":\"first\",\"version\":V}", "{'op':'pop','path':'l','index':0}");
	OK("{\"value\":\"x\",\"version\":V}", "{'op':'pop','path':'l','index':-2}");
	OK("{\"bytes\":\"AA==\",\"version\":V}", "{'op':'pop','path':'l','index':2}");
	FAILS(-ERANGE, "{'op':'pop','path':'l','index':4}");
	assert_string_equal(msg, "pop index out of range");
	FAILS(-ERANGE, "{'op':'pop','path':'l','index':-5}");
	assert_string_equal(items("l"), "['second',1,2,'penult']");
	call("{'op':'clear','path':'l'}");
	FAILS(-ERANGE, "{'op':'pop','path':'l'}");
	assert_string_equal(msg, "pop from empty list");
}

static void test_list_search(void **state)
{
	call("{'op':'create','path':'l','type':'list','items':[1,'a',2.0,[1],'a',true,null]}");
	OK("1", "{'op':'index','path':'l','value':'a'}");
	OK("4", "{'op':'index','path':'l','value':'a','start':2}");
	OK("4", "{'op':'index','path':'l','value':'a','start':-3}");
	FAILS(-EINVAL, "{'op':'index','path':'l','value':'a','start':2,'stop':4}");
	FAILS(-EINVAL, "{'op':'index','path':'l','value':'zz'}");
	/* 2 == 2.0 and 1 == True, as Python compares them. */
	OK("2", "{'op':'index','path':'l','value':2}");
	OK("0", "{'op':'index','path':'l','value':true}");
	OK("6", "{'op':'index','path':'l','value':null}");
	OK("2", "{'op':'count','path':'l','value':'a'}");
	OK("2", "{'op':'count','path':'l','value':1}");
	OK("1", "{'op':'count','path':'l','value':[1.0]}");
	OK("0", "{'op':'count','path':'l','value':'zz'}");
	OK("true", "{'op':'contains','path':'l','value':[1]}");
	OK("false", "{'op':'contains','path':'l','value':'A'}");
	OK("false", "{'op':'contains','path':'l','bytes':'YQ=='}");

	OK("{\"version\":V}", "{'op':'remove','path':'l','value':'a'}");
	assert_string_equal(items("l"), "[1,2.0,[1],'a',true,null]");
	OK("{\"version\":V}", "{'op':'remove','path':'l','value':2}");
	FAILS(-EINVAL, "{'op':'remove','path':'l','value':2}");
	assert_non_null(strstr(msg, "not in list"));
	assert_string_equal(items("l"), "[1,[1],'a',true,null]");
}

static void test_list_order(void **state)
{
	uint64_t v;

	call("{'op':'create','path':'l','type':'list','items':[3,1.5,true,-2,10]}");
	OK("{\"version\":V}", "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[-2,true,1.5,3,10]");
	call("{'op':'sort','path':'l','reverse':true}");
	assert_string_equal(items("l"), "[10,3,1.5,true,-2]");
	call("{'op':'reverse','path':'l'}");
	assert_string_equal(items("l"), "[-2,true,1.5,3,10]");

	/* Stable, also in reverse: equal items keep their order. */
	call("{'op':'set','path':'l','items':[1,1.0,0,true,false]}");
	call("{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[0,false,1,1.0,true]");
	call("{'op':'set','path':'l','items':[1,1.0,0,true,false]}");
	call("{'op':'sort','path':'l','reverse':true}");
	assert_string_equal(items("l"), "[1,1.0,true,0,false]");

	call("{'op':'set','path':'l','items':['b','a\\\"','a','\xc3\xa9','B']}");
	call("{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "['B','a','a\\'','b','\xc3\xa9']");
	call("{'op':'set','path':'l','items':[[2],[1,5],[1],[]]}");
	call("{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[[],[1],[1,5],[2]]");

	/* A TypeError leaves the list as it was. */
	call("{'op':'set','path':'l','items':[3,'a',1,2]}");
	v = version_of("l");
	FAILS(-EINVAL, "{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[3,'a',1,2]");
	assert_int_equal(version_of("l"), v);
	call("{'op':'set','path':'l','items':[null,null]}");
	FAILS(-EINVAL, "{'op':'sort','path':'l'}");
	call("{'op':'set','path':'l','items':[{'a':1}]}");
	OK("{\"version\":V}", "{'op':'sort','path':'l'}");
	FAILS(-EINVAL, "{'op':'sort','path':'l','reverse':1}");
	call("{'op':'set','path':'l','items':[]}");
	call("{'op':'append','path':'l','bytes':'Ag=='}");
	call("{'op':'append','path':'l','bytes':'AQI='}");
	call("{'op':'append','path':'l','bytes':'AQ=='}");
	call("{'op':'sort','path':'l'}");
	assert_string_equal(items("l"), "[{'$bytes':'AQ=='},{'$bytes':'AQI='},{'$bytes':'Ag=='}]");
	call("{'op':'append','path':'l','value':1}");
	FAILS(-EINVAL, "{'op':'sort','path':'l'}");
}

static void test_list_items(void **state)
{
	call("{'op':'create','path':'l','type':'list','items':[0,1,2,3,4,5]}");
	OK("{\"value\":0,\"version\":V}", "{'op':'getitem','path':'l','index':0}");
	OK("{\"value\":5,\"version\":V}", "{'op':'getitem','path':'l','index':-1}");
	FAILS(-ERANGE, "{'op':'getitem','path':'l','index':6}");
	assert_string_equal(msg, "list index out of range");
	FAILS(-ERANGE, "{'op':'getitem','path':'l','index':-7}");
	FAILS(-EINVAL, "{'op':'getitem','path':'l'}");
	FAILS(-EINVAL, "{'op':'getitem','path':'l','index':'0'}");
	FAILS(-EINVAL, "{'op':'getitem','path':'l','index':0,'start':1}");
	OK("{\"items\":[{\"value\":1},{\"value\":2}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':1,'stop':3}");
	OK("{\"items\":[{\"value\":4},{\"value\":5}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':-2}");
	OK("{\"items\":[{\"value\":0}],\"version\":V}", "{'op':'getitem','path':'l','stop':-5}");
	OK("{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':4,'stop':2}");
	OK("{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':100}");
	OK("{\"items\":[{\"value\":0},{\"value\":1}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':-100,'stop':2}");

	OK("{\"version\":V}", "{'op':'setitem','path':'l','index':-1,'value':'five'}");
	call("{'op':'setitem','path':'l','index':0,'bytes':'AA=='}");
	FAILS(-ERANGE, "{'op':'setitem','path':'l','index':6,'value':1}");
	assert_string_equal(msg, "list assignment index out of range");
	FAILS(-EINVAL, "{'op':'setitem','path':'l','index':1}");
	assert_string_equal(items("l"), "[{'$bytes':'AA=='},1,2,3,4,'five']");

	OK("{\"version\":V}", "{'op':'delitem','path':'l','index':0}");
	FAILS(-ERANGE, "{'op':'delitem','path':'l','index':5}");
	call("{'op':'delitem','path':'l','start':1,'stop':3}");
	assert_string_equal(items("l"), "[1,4,'five']");
	call("{'op':'delitem','path':'l','start':-1}");
	assert_string_equal(items("l"), "[1,4]");
	call("{'op':'delitem','path':'l','start':5}");
	assert_string_equal(items("l"), "[1,4]");
	FAILS(-EINVAL, "{'op':'delitem','path':'l'}");

	OK("true", "{'op':'imul','path':'l','n':3}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	OK("true", "{'op':'imul','path':'l','n':1}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	FAILS(-EINVAL, "{'op':'imul','path':'l'}");
	FAILS(-ENOMEM, "{'op':'imul','path':'l','n':1000000000000}");
	assert_string_equal(items("l"), "[1,4,1,4,1,4]");
	OK("true", "{'op':'imul','path':'l','n':0}");
	assert_string_equal(items("l"), "[]");
	call("{'op':'append','path':'l','value':1}");
	OK("true", "{'op':'imul','path':'l','n':-1}");
	assert_string_equal(items("l"), "[]");
}

/* Slices with a step, and slice assignment, as Python's. */
static void test_slices(void **state)
{
	call("{'op':'create','path':'l','type':'list','items':[0,1,2,3,4,5,6]}");
	OK("{\"items\":[{\"value\":6},{\"value\":4},{\"value\":2},{\"value\":0}],"
	   "\"version\":V}", "{'op':'getitem','path':'l','step':-2}");
	OK("{\"items\":[{\"value\":1},{\"value\":4}],\"version\":V}",
	   "{'op':'getitem','path':'l','start':1,'stop':-1,'step':3}");
	OK("{\"items\":[],\"version\":V}", "{'op':'getitem','path':'l','start':2,'step':-3,'stop':5}");
	OK("{\"items\":[{\"value\":0},{\"value\":1}],\"version\":V}",
	   "{'op':'getitem','path':'l','stop':2,'step':null}");
	FAILS(-EINVAL, "{'op':'getitem','path':'l','step':0}");
	OK("{\"items\":[{\"value\":6}],\"version\":V}",
	   "{'op':'getitem','path':'l','step':-9223372036854775807}");
	FAILS(-EINVAL, "{'op':'getitem','path':'l','step':'2'}");

	/* l[1:3] = ['a','b','c']: a plain slice takes any number. */
	OK("{\"version\":V}", "{'op':'setitem','path':'l','start':1,'stop':3,'items':['a','b','c']}");
	assert_string_equal(items("l"), "[0,'a','b','c',3,4,5,6]");
	/* l[::-3] = [...]: an extended one exactly as many as it has. */
	OK("{\"version\":V}", "{'op':'setitem','path':'l','step':-3,'items':['x','y','z']}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',4,5,'x']");
	FAILS(-EINVAL, "{'op':'setitem','path':'l','step':2,'items':[1]}");
	FAILS(-EINVAL, "{'op':'setitem','path':'l','start':1,'items':'ab'}");
	FAILS(-EINVAL, "{'op':'setitem','path':'l','index':1,'start':1,'items':[]}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',4,5,'x']");
	/* l[5:2] = [...] inserts at 5. */
	call("{'op':'setitem','path':'l','start':5,'stop':2,'items':[9]}");
	assert_string_equal(items("l"), "[0,'z','b','c','y',9,4,5,'x']");
	/* del l[::2], del l[::-3] */
	call("{'op':'delitem','path':'l','step':2}");
	assert_string_equal(items("l"), "['z','c',9,5]");
	call("{'op':'delitem','path':'l','step':-3}");
	assert_string_equal(items("l"), "['c',9]");

	call("{'op':'create','path':'a','type':'array','typecode':'i','items':[0,1,2,3,4]}");
	OK("{\"items\":[4,2,0],\"version\":V}", "{'op':'getitem','path':'a','step':-2}");
	OK("{\"version\":V}", "{'op':'setitem','path':'a','start':1,'stop':3,'items':[7,8]}");
	FAILS(-EINVAL, "{'op':'setitem','path':'a','start':1,'stop':3,'items':[7]}");
	FAILS(-EINVAL, "{'op':'setitem','path':'a','step':2,'items':[1,'x',3]}");
	OK("{\"items\":[0,7,8,3,4],\"version\":V}", "{'op':'getitem','path':'a','start':null}");
}

static void test_array(void **state)
{
	uint64_t v;

	OK("{\"version\":V}", "{'op':'create','path':'a','type':'array','typecode':'b','size':3}");
	OK("{\"items\":[0,0,0],\"version\":V}", "{'op':'get','path':'a'}");
	OK("3", "{'op':'len','path':'a'}");
	OK("{\"version\":V}", "{'op':'setitem','path':'a','index':-1,'value':-128}");
	OK("{\"value\":-128,\"version\":V}", "{'op':'getitem','path':'a','index':2}");
	FAILS(-EINVAL, "{'op':'setitem','path':'a','index':0,'value':128}");
	FAILS(-EINVAL, "{'op':'setitem','path':'a','index':0,'value':1.5}");
	FAILS(-EINVAL, "{'op':'setitem','path':'a','index':0}");
	FAILS(-ERANGE, "{'op':'setitem','path':'a','index':3,'value':1}");
	FAILS(-ERANGE, "{'op':'getitem','path':'a','index':-4}");
	OK("{\"items\":[0,-128],\"version\":V}", "{'op':'getitem','path':'a','start':1}");

	v = version_of("a");
	OK("{\"version\":V}", "{'op':'set','path':'a','items':[1,2,3]}");
	assert_true(version() > v);
	OK("{\"version\":V}", "{'op':'set','path':'a','value':[4,5,6]}");
	FAILS(-EINVAL, "{'op':'set','path':'a','items':[1,2]}");
	FAILS(-EINVAL, "{'op':'set','path':'a','items':[1,2,300]}");
	OK("{\"items\":[4,5,6],\"version\":V}", "{'op':'get','path':'a'}");
	/* Fixed length: no list ops. */
	FAILS(-ENOTSUP, "{'op':'append','path':'a','value':1}");
	FAILS(-ENOTSUP, "{'op':'delitem','path':'a','index':0}");

	call("{'op':'create','path':'u','type':'array','typecode':'u','items':['a','\xc3\xa9']}");
	OK("{\"items\":[\"a\",\"\xc3\xa9\"],\"version\":V}", "{'op':'get','path':'u'}");
	FAILS(-EINVAL, "{'op':'setitem','path':'u','index':0,'value':'ab'}");
	call("{'op':'create','path':'f','type':'array','typecode':'f','items':[0.5,1,0.1]}");
	OK("{\"items\":[0.5,1.0,0.10000000149011612],\"version\":V}", "{'op':'get','path':'f'}");
	call("{'op':'create','path':'Q','type':'array','typecode':'Q','items':[18446744073709551615]}");
	OK("{\"value\":18446744073709551615,\"version\":V}", "{'op':'getitem','path':'Q','index':0}");
	call("{'op':'create','path':'e','type':'array','typecode':'i','items':[]}");
	OK("{\"items\":[],\"version\":V}", "{'op':'get','path':'e'}");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exec),
		T(test_bad_paths),
		T(test_errno_names),
		T(test_wait_args),
		T(test_create),
		T(test_stat_ls),
		T(test_delete),
		T(test_rename),
		T(test_dump),
		T(test_pop),
		T(test_get_set),
		T(test_typed_values),
		T(test_setdefault),
		T(test_len),
		T(test_update),
		T(test_clear_popitem),
		T(test_list_basic),
		T(test_list_search),
		T(test_list_order),
		T(test_list_items),
		T(test_slices),
		T(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
