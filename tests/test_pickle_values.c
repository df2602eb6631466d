/* Python values in C (core/pywire/pyval, pycmp, pydict, pylong, pyrepr):
 * Python's equality and hashing across int, float and bool, dicts and
 * sets that find 1.0 under 1, reprs, copies that keep sharing and cycles,
 * and the arena.  semantics.py checks the same against every CPython;
 * these are the cases a C reader should see spelled out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "pycmp.h"
#include "pydict.h"
#include "pyenc.h"
#include "pylong.h"
#include "pyrepr.h"
#include "pyval.h"

static struct mgr_pyarena *arena;

static int setup(void **state)
{
	arena = mgr_pyarena_new();
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	mgr_pyarena_free(arena);
	return 0;
}

static struct mgr_pyval *I(int64_t x)
{
	return mgr_pyval_int(arena, x);
}

static struct mgr_pyval *F(double f)
{
	return mgr_pyval_float(arena, f);
}

static struct mgr_pyval *S(const char *s)
{
	return mgr_pyval_cstr(arena, s);
}

/* 2**k as a big int. */
static struct mgr_pyval *pow2(int k)
{
	unsigned char b[40] = { 0 };

	b[k / 8] = (unsigned char)(1u << (k % 8));
	return mgr_pyval_long(arena, b, (size_t)k / 8 + 2);
}

static int64_t H(const struct mgr_pyval *v)
{
	int64_t h;

	assert_int_equal(mgr_pycmp_hash(v, &h), 0);
	return h;
}

static const char *R(const struct mgr_pyval *v)
{
	static struct mgr_buf out;

	out.len = 0;
	assert_int_equal(mgr_pyrepr(&out, v), 0);
	assert_int_equal(mgr_buf_append(&out, "", 1), 0);
	return out.data;
}

static void test_numbers(void **state)
{
	struct mgr_pyval *one = I(1), *t = mgr_pyval_bool(true);

	assert_int_equal(mgr_pycmp_eq(one, F(1.0)), 1);
	assert_int_equal(mgr_pycmp_eq(one, t), 1);
	assert_int_equal(H(one), H(F(1.0)));
	assert_int_equal(H(one), H(t));
	assert_int_equal(H(I(-1)), -2);
	assert_int_equal(H(F(-0.0)), 0);
	assert_int_equal(H(F(1.5)), 1152921504606846977);
	assert_int_equal(H(F(INFINITY)), 314159);
	/* 2**61 - 1 is the modulus: 2**61 hashes as 1, and 2**64 as 8. */
	assert_int_equal(H(pow2(64)), 8);
	assert_int_equal(H(F(ldexp(1, 64))), 8);
	/* Exact comparison: 2**53 + 1 is no double. */
	assert_int_equal(mgr_pycmp_eq(I(((int64_t)1 << 53) + 1), F(ldexp(1, 53))), 0);
	assert_int_equal(mgr_pycmp_lt(F(ldexp(1, 53)), I(((int64_t)1 << 53) + 1)), 1);
	assert_int_equal(mgr_pycmp_eq(pow2(64), F(ldexp(1, 64))), 1);
	assert_int_equal(mgr_pycmp_lt(I(INT64_MAX), F(ldexp(1, 63))), 1);
	assert_int_equal(mgr_pycmp_eq(I(INT64_MIN), F(-ldexp(1, 63))), 1);
	assert_int_equal(mgr_pycmp_lt(pow2(70), pow2(71)), 1);
	assert_int_equal(mgr_pycmp_eq(F(NAN), F(NAN)), 0);
	assert_int_equal(mgr_pycmp_lt(F(NAN), I(1)), 0);
	assert_int_equal(mgr_pycmp_lt(I(1), S("a")), -EINVAL);
}

static void test_containers(void **state)
{
	struct mgr_pyval *nan = F(NAN), *a = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0);
	struct mgr_pyval *b = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0), *items[2];
	struct mgr_pyval *x = mgr_pyval_bytes(arena, MGR_PYVAL_BYTES, "x", 1);
	struct mgr_pyval *bx = mgr_pyval_bytes(arena, MGR_PYVAL_BYTEARRAY, "x", 1);

	/* Inside a container the same node is equal to itself, NaN too. */
	mgr_pyval_append(arena, a, nan);
	mgr_pyval_append(arena, b, nan);
	assert_int_equal(mgr_pycmp_eq(a, b), 1);
	mgr_pyval_append(arena, b, F(NAN));
	mgr_pyval_append(arena, a, F(NAN));
	assert_int_equal(mgr_pycmp_eq(a, b), 0);
	/* str is never bytes; bytes equals a bytearray. */
	assert_int_equal(mgr_pycmp_eq(S("x"), x), 0);
	assert_int_equal(mgr_pycmp_eq(x, bx), 1);
	assert_int_equal(mgr_pycmp_hash(bx, &(int64_t){ 0 }), -EINVAL);
	/* A tuple hashes like CPython's and is unhashable with a list in it. */
	items[0] = I(1);
	items[1] = I(2);
	assert_int_equal(H(mgr_pyval_tuple(arena, 2, items)), -3550055125485641917);
	items[1] = a;
	assert_int_equal(mgr_pycmp_hash(mgr_pyval_tuple(arena, 2, items), &(int64_t){ 0 }), -EINVAL);
	/* Two lists that hold themselves: Python's RecursionError. */
	a = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0);
	b = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0);
	mgr_pyval_append(arena, a, a);
	mgr_pyval_append(arena, b, b);
	assert_int_equal(mgr_pycmp_eq(a, a), 1);
	assert_int_equal(mgr_pycmp_eq(a, b), -ELOOP);
}

static void test_dicts_and_sets(void **state)
{
	struct mgr_pyval *d = mgr_pyval_new(arena, MGR_PYVAL_DICT, 0);
	struct mgr_pyval *s = mgr_pyval_new(arena, MGR_PYVAL_SET, 0);
	struct mgr_pyval *fs = mgr_pyval_new(arena, MGR_PYVAL_FROZENSET, 0);
	size_t pos;
	int i;

	assert_int_equal(mgr_pydict_set(arena, d, I(1), S("a")), 0);
	assert_int_equal(mgr_pydict_set(arena, d, F(1.0), S("b")), 0);
	assert_int_equal(mgr_pydict_set(arena, d, mgr_pyval_bool(true), S("c")), 0);
	assert_int_equal(d->u.seq.len, 1);
	assert_string_equal(R(d), "{1: 'c'}");
	assert_int_equal(mgr_pydict_set(arena, d, mgr_pyval_new(arena, MGR_PYVAL_LIST, 0), I(0)), -EINVAL);
	for (i = 0; i < 1000; i++)
		assert_int_equal(mgr_pydict_set(arena, d, I(i * 7), I(i)), 0);
	assert_int_equal(d->u.seq.len, 1001);
	assert_int_equal(mgr_pydict_find(d, F(49.0), &pos), 1);
	assert_int_equal(MGR_PYDICT_VALUE(d, pos)->u.i.small, 7);
	/* Removing keeps the order of the rest, and their index. */
	assert_int_equal(mgr_pydict_remove(arena, d, 0), 0);
	assert_int_equal(mgr_pydict_find(d, mgr_pyval_bool(true), &pos), 0);
	assert_int_equal(mgr_pydict_find(d, I(0), &pos), 1);
	assert_int_equal(pos, 0);
	assert_int_equal(mgr_pydict_find(d, I(6993), &pos), 1);
	assert_int_equal(pos, 999);
	/* Sets: equality ignores order and kind; frozensets hash as CPython. */
	assert_int_equal(mgr_pydict_add(arena, s, I(2)), 1);
	assert_int_equal(mgr_pydict_add(arena, s, I(1)), 1);
	assert_int_equal(mgr_pydict_add(arena, s, F(2.0)), 0);
	assert_int_equal(mgr_pydict_add(arena, fs, I(1)), 1);
	assert_int_equal(mgr_pydict_add(arena, fs, I(2)), 1);
	assert_int_equal(mgr_pycmp_eq(s, fs), 1);
	assert_int_equal(H(fs), -1826646154956904602);
	assert_int_equal(mgr_pycmp_lt(mgr_pyval_new(arena, MGR_PYVAL_SET, 0), fs), 1);
	assert_int_equal(mgr_pycmp_lt(s, fs), 0);
}

static void test_repr(void **state)
{
	struct mgr_pyval *l = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0), *t, *e;
	char f[MGR_PYREPR_FLOAT_MAX];

	assert_string_equal(R(S("it's")), "\"it's\"");
	assert_string_equal(R(S("a\x01\n\xc3\xa9\xed\xb2\x80")), "'a\\x01\\né\\udc80'");
	assert_string_equal(R(mgr_pyval_bytes(arena, MGR_PYVAL_BYTES, "'\"\x80", 3)), "b'\\'\"\\x80'");
	assert_string_equal(R(pow2(70)), "1180591620717411303424");
	assert_string_equal(R(mgr_pyval_new(arena, MGR_PYVAL_SET, 0)), "set()");
	t = mgr_pyval_tuple(arena, 1, &l);
	mgr_pyval_append(arena, l, t);
	assert_string_equal(R(t), "([(...)],)");
	e = mgr_pyval_object(arena, MGR_PYVAL_REDUCE,
			     mgr_pyval_global(arena, "_queue", 6, "Empty", 5),
			     mgr_pyval_tuple(arena, 0, NULL), NULL);
	assert_string_equal(R(e), "Empty()");
	e->u.obj.func = mgr_pyval_global(arena, "datetime", 8, "date", 4);
	assert_string_equal(R(e), "<datetime.date object>");
	mgr_pyrepr_float(0.1, f);
	assert_string_equal(f, "0.1");
	mgr_pyrepr_float(1e16, f);
	assert_string_equal(f, "1e+16");
	mgr_pyrepr_float(-1e-5, f);
	assert_string_equal(f, "-1e-05");
	mgr_pyrepr_float(123456789.0, f);
	assert_string_equal(f, "123456789.0");
	mgr_pyrepr_float(-0.0, f);
	assert_string_equal(f, "-0.0");
	mgr_pyrepr_float(5e-324, f);
	assert_string_equal(f, "5e-324");
	mgr_pyrepr_float(NAN, f);
	assert_string_equal(f, "nan");
}

/* Ints of more than 4300 digits have no repr, as in CPython 3.11+. */
static void test_repr_limit(void **state)
{
	static unsigned char b[2000];
	struct mgr_buf out = MGR_BUF_INIT;

	b[1790] = 1;
	assert_int_equal(mgr_pyrepr(&out, mgr_pyval_long(arena, b, 1792)), -E2BIG);
	assert_int_equal(out.len, 0);
	b[1790] = 0;
	b[1780] = 1;
	assert_int_equal(mgr_pyrepr(&out, mgr_pyval_long(arena, b, 1782)), 0);
	mgr_buf_release(&out);
}

/* A copy lives in its own arena, with the sharing and cycles of the
 * original, and pickles to the same bytes. */
static void test_copy(void **state)
{
	struct mgr_pyarena *other = mgr_pyarena_new(), *third = mgr_pyarena_new();
	struct mgr_pyval *l = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0), *d = mgr_pyval_new(arena, MGR_PYVAL_DICT, 0);
	struct mgr_pyval *c, *c2;
	struct mgr_buf a = MGR_BUF_INIT, b = MGR_BUF_INIT;
	size_t pos;

	mgr_pyval_append(arena, l, l);
	mgr_pyval_append(arena, l, d);
	mgr_pyval_append(arena, l, d);
	mgr_pydict_set(arena, d, S("k"), l);
	assert_int_equal(mgr_pyval_copy(other, l, &c), 0);
	assert_ptr_equal(c->u.seq.items[0], c);
	assert_ptr_equal(c->u.seq.items[1], c->u.seq.items[2]);
	assert_ptr_not_equal(c->u.seq.items[1], d);
	assert_int_equal(mgr_pydict_find(c->u.seq.items[1], S("k"), &pos), 1);
	assert_int_equal(mgr_pyenc_value(&a, l), 0);
	assert_int_equal(mgr_pyenc_value(&b, c), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* A copy of the copy outlives the arena it came from. */
	assert_int_equal(mgr_pyval_copy(third, c, &c2), 0);
	mgr_pyarena_free(other);
	b.len = 0;
	assert_int_equal(mgr_pyenc_value(&b, c2), 0);
	assert_memory_equal(a.data, b.data, a.len);
	mgr_pyarena_free(third);
	mgr_buf_release(&a);
	mgr_buf_release(&b);
}

static void test_utf8_and_arena(void **state)
{
	void *p;

	assert_int_equal(mgr_pyval_utf8_check("\xed\xa0\x80", 3), 0);
	assert_int_equal(mgr_pyval_utf8_check("\xf4\x8f\xbf\xbf", 4), 0);
	assert_int_equal(mgr_pyval_utf8_check("\xf4\x90\x80\x80", 4), -EILSEQ);
	assert_int_equal(mgr_pyval_utf8_check("\xc0\x80", 2), -EILSEQ);
	assert_int_equal(mgr_pyval_utf8_check("\xe0\x80\x80", 3), -EILSEQ);
	assert_int_equal(mgr_pyval_utf8_check("\xe2\x82", 2), -EILSEQ);
	/* A large block does not strand the small ones' chunk. */
	p = mgr_pyarena_alloc(arena, 1 << 20);
	assert_non_null(p);
	memset(p, 1, 1 << 20);
	assert_true(mgr_pyarena_size(arena) >= (1 << 20));
	assert_string_equal(mgr_pyval_type_name(S("x")), "str");
	assert_true(mgr_pyval_is_str(S("x"), "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_dicts_and_sets),
		cmocka_unit_test(test_repr),
		cmocka_unit_test(test_repr_limit),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_utf8_and_arena),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
