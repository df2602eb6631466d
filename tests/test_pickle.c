/* The pickle decoder and encoder (core/pywire/pydec, pyenc, pyreply):
 * every opcode by hand, the refused ones, the errors CPython's unpickler
 * gives, the limits, and the exact bytes of what the encoder writes,
 * replies included. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pycmp.h"
#include "pydec.h"
#include "pydict.h"
#include "pyenc.h"
#include "pyreply.h"
#include "pwtest.h"

static struct mgr_pyarena *arena;
static char err[256];

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

/* Decode the pickle in hex with the given limits (NULL: defaults). */
static int dec_lim(const char *hex, const struct mgr_pydec_limits *lim, struct mgr_pyval **v)
{
	size_t n;
	unsigned char *p = pw_unhex_dup(hex, &n);
	int r = mgr_pydec_decode(arena, p, n, lim, v, err, sizeof(err));

	free(p);
	return r;
}

static struct mgr_pyval *dec(const char *hex)
{
	struct mgr_pyval *v = NULL;

	if (dec_lim(hex, NULL, &v) < 0)
		fail_msg("%s: %s", hex, err);
	return v;
}

static void dec_fails(const char *hex, int want, const char *msg)
{
	struct mgr_pyval *v;

	assert_int_equal(dec_lim(hex, NULL, &v), want);
	if (!strstr(err, msg))
		fail_msg("%s: '%s' does not say '%s'", hex, err, msg);
}

/* The encoder's bytes for v, as hex. */
static const char *enc(const struct mgr_pyval *v)
{
	static char hex[8192];
	struct mgr_buf out = MGR_BUF_INIT;
	size_t i;

	assert_int_equal(mgr_pyenc_value(&out, v), 0);
	assert_true(2 * out.len < sizeof(hex));
	for (i = 0; i < out.len; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)out.data[i]);
	hex[2 * out.len] = '\0';
	mgr_buf_release(&out);
	return hex;
}

/* Decoding then encoding hex gives want (both without spaces). */
static void reencodes(const char *hex, const char *want)
{
	char clean[8192];
	size_t i = 0;

	for (; *want; want++)
		if (*want != ' ')
			clean[i++] = *want;
	clean[i] = '\0';
	assert_string_equal(enc(dec(hex)), clean);
}

static void test_scalars(void **state)
{
	struct mgr_pyval *v;

	assert_int_equal(dec("80044e2e")->kind, MGR_PYVAL_NONE);
	assert_true(dec("8004882e")->u.b);
	assert_false(dec("8004892e")->u.b);
	assert_int_equal(dec("80044bff2e")->u.i.small, 255);
	assert_int_equal(dec("80044dffff2e")->u.i.small, 65535);
	assert_int_equal(dec("80044afeffffff2e")->u.i.small, -2);
	assert_int_equal(dec("80048a002e")->u.i.small, 0);
	assert_int_equal(dec("80048a01ff2e")->u.i.small, -1);
	/* 2**63 needs nine bytes: a big int, kept minimal. */
	v = dec("80048a0a" "00000000000000" "80" "0000" "2e");
	assert_non_null(v->u.i.big);
	assert_int_equal(v->u.i.nbig, 9);
	assert_int_equal(dec("80048b0200000034122e")->u.i.small, 0x1234);
	/* BINFLOAT is big-endian. */
	assert_true(dec("8004473ff80000000000002e")->u.f == 1.5);
	/* A lone surrogate passes, as with errors="surrogatepass". */
	v = dec("80048c03edb2802e");
	assert_int_equal(v->kind, MGR_PYVAL_STR);
	assert_int_equal(v->u.s.len, 3);
	v = dec("80048c03610062" "2e");
	assert_int_equal(v->u.s.len, 3);
	assert_memory_equal(v->u.s.data, "a\0b", 3);
	assert_int_equal(dec("8004580100000078" "2e")->u.s.len, 1);
	assert_int_equal(dec("80048d010000000000000078" "2e")->u.s.len, 1);
	assert_int_equal(dec("800443027879" "2e")->kind, MGR_PYVAL_BYTES);
	assert_int_equal(dec("8004420100000078" "2e")->kind, MGR_PYVAL_BYTES);
	assert_int_equal(dec("80048e010000000000000078" "2e")->kind, MGR_PYVAL_BYTES);
	assert_int_equal(dec("800596020000000000000078792e")->kind, MGR_PYVAL_BYTEARRAY);
	/* bytearray at protocol 4 is a call that the decoder knows. */
	v = dec("80048c086275696c74696e73948c096279746561727261799493944302616294859452942e");
	assert_int_equal(v->kind, MGR_PYVAL_BYTEARRAY);
	assert_memory_equal(v->u.s.data, "ab", 2);
	dec_fails("80048c02c3282e", -EBADMSG, "UTF-8");
	dec_fails("80048c05eda0802e", -EBADMSG, "truncated");
}

static void test_containers(void **state)
{
	struct mgr_pyval *v;

	v = dec("8004294b014b0285284b014b024b034b0474942e");
	assert_int_equal(v->kind, MGR_PYVAL_TUPLE);
	assert_int_equal(v->u.seq.len, 4);
	v = dec("80045d284b014b0265" "4b0361" "2e");
	assert_int_equal(v->u.seq.len, 3);
	assert_int_equal(v->u.seq.items[2]->u.i.small, 3);
	v = dec("80047d284b014b024b034b0475" "4b054b0673" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_DICT);
	assert_int_equal(v->u.seq.len, 3);
	v = dec("80048f284b014b024b0190" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_SET);
	assert_int_equal(v->u.seq.len, 2);
	v = dec("8004284b014b014b0291" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_FROZENSET);
	assert_int_equal(v->u.seq.len, 2);
	/* Keys equal in Python are one key: 1, 1.0 and True. */
	v = dec("80047d284b01" "8c0161" "473ff0000000000000" "8c0162" "88" "8c016375" "2e");
	assert_int_equal(v->u.seq.len, 1);
	assert_int_equal(MGR_PYDICT_KEY(v, 0)->kind, MGR_PYVAL_INT);
	assert_true(mgr_pyval_is_str(MGR_PYDICT_VALUE(v, 0), "c"));
	dec_fails("80047d285d4b0175" "2e", -EBADMSG, "unhashable type: 'list'");
	dec_fails("80048f285d90" "2e", -EBADMSG, "unhashable type: 'list'");
	dec_fails("80047d284b0175" "2e", -EBADMSG, "odd number");
	dec_fails("8004294b0161" "2e", -EBADMSG, "APPENDS on a tuple");
}

/* Memo entries are references: [l, l] holds one list, and a list can
 * hold itself. */
static void test_memo(void **state)
{
	struct mgr_pyval *v;

	v = dec("80045d94285d946801652e");
	assert_int_equal(v->u.seq.len, 2);
	assert_ptr_equal(v->u.seq.items[0], v->u.seq.items[1]);
	v = dec("80045d946800612e");
	assert_ptr_equal(v->u.seq.items[0], v);
	/* BINPUT, LONG_BINPUT and LONG_BINGET with explicit indices. */
	v = dec("80045d71005d720100000028680065" "6a01000000" "87" "2e");
	assert_ptr_equal(v->u.seq.items[1], v->u.seq.items[2]);
	assert_ptr_equal(v->u.seq.items[0], v->u.seq.items[1]->u.seq.items[0]);
	dec_fails("8004680f2e", -EBADMSG, "Memo value not found at index 15");
	/* CPython numbers its memo densely; a far index is refused. */
	dec_fails("80044e72ffffff002e", -E2BIG, "memo index");
}

/* POP, POP_MARK and DUP, which CPython writes for a tuple that holds
 * itself through a list, and FRAME, which may come anywhere. */
static void test_stack_ops(void **state)
{
	struct mgr_pyval *v;

	v = dec("80045d94" "5d94" "6801" "85" "94" "61" "30" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_LIST);
	v = dec("80044b01284b024b0331" "2e");
	assert_int_equal(v->u.i.small, 1);
	v = dec("80045d3261" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_LIST);
	assert_ptr_equal(v->u.seq.items[0], v);
	/* POP with a mark on top pops the mark, as CPython's does. */
	v = dec("80044b0128304b0286" "2e");
	assert_int_equal(v->u.seq.len, 2);
	v = dec("950200000000000000" "8004" "950000000000000000" "4e" "950000000000000000" "94" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_NONE);
	dec_fails("8004950500000000000000" "4e2e", -EBADMSG, "truncated");
	dec_fails("80052e", -EBADMSG, "underflow");
	dec_fails("8006" "4e2e", -EBADMSG, "unsupported pickle protocol: 6");
	dec_fails("80044e", -EBADMSG, "truncated");
	dec_fails("800431", -EBADMSG, "could not find MARK");
	dec_fails("80044e284e86" "2e", -EBADMSG, "underflow");
	dec_fails("80044e2861" "2e", -EBADMSG, "underflow");
}

/* Globals are never looked up: calls and instances stay opaque, holding
 * what the pickle did to them. */
static void test_opaque(void **state)
{
	struct mgr_pyval *v;

	/* collections.OrderedDict() then SETITEMS, by GLOBAL. */
	v = dec("800463636f6c6c656374696f6e730a4f726465726564446963740a2952" "284b014b0275" "2e");
	assert_int_equal(v->kind, MGR_PYVAL_OBJECT);
	assert_int_equal(v->u.obj.how, MGR_PYVAL_REDUCE);
	assert_true(mgr_pyval_is_object_of(v, "collections", "OrderedDict"));
	assert_int_equal(v->u.obj.dictitems->u.seq.len, 2);
	assert_string_equal(mgr_pyval_type_name(v), "OrderedDict");
	/* A Token: STACK_GLOBAL, EMPTY_TUPLE NEWOBJ, state tuple BUILD. */
	v = dec("80048c186d756c746970726f63657373696e672e6d616e61676572738c05546f6b656e93"
		"29818c0164" "8c0161" "8c016987" "62" "2e");
	assert_int_equal(v->u.obj.how, MGR_PYVAL_NEWOBJ);
	assert_int_equal(v->u.obj.state->u.seq.len, 3);
	/* NEWOBJ_EX with keyword arguments. */
	v = dec("800463780a430a" "4b0185" "7d8c016b4b0273" "92" "2e");
	assert_int_equal(v->u.obj.how, MGR_PYVAL_NEWOBJ_EX);
	assert_int_equal(v->u.obj.kwargs->u.seq.len, 1);
	/* APPEND on a deque. */
	v = dec("800463636f6c6c656374696f6e730a64657175650a29524b0161" "2e");
	assert_int_equal(v->u.obj.listitems->u.seq.len, 1);
	dec_fails("80044e29522e", -EBADMSG, "'NoneType' object is not callable");
	dec_fails("800463780a430a4b01522e", -EBADMSG, "argument tuple");
	dec_fails("80048c01784b01932e", -EBADMSG, "STACK_GLOBAL requires str");
	dec_fails("800463780a430a2952" "4e62" "4e62" "2e", -EBADMSG, "BUILD twice");
	dec_fails("800463780a430a2952" "4e62" "4b0161" "2e", -EBADMSG, "after its state");
	dec_fails("80044b014e622e", -EBADMSG, "BUILD on a int");
	dec_fails("800463780a430a2952" "284b0190" "2e", -EBADMSG, "ADDITEMS on a C object");
	dec_fails("800463780a", -EBADMSG, "truncated");
}

/* What ForkingPickler never writes is refused by name. */
static void test_refused(void **state)
{
	static const struct {
		const char *hex, *name;
	} cases[] = {
		{ "800450310a2e", "PERSID" }, { "80044e512e", "BINPERSID" },
		{ "8004820100", "EXT1" }, { "800483010000", "EXT2" }, { "80048401000000", "EXT4" },
		{ "800597", "NEXT_BUFFER" }, { "80059798", "NEXT_BUFFER" }, { "800498", "READONLY_BUFFER" },
		{ "4931300a2e", "INT" }, { "4c31300a2e", "LONG" }, { "532761270a2e", "STRING" },
		{ "56610a2e", "UNICODE" }, { "46312e350a2e", "FLOAT" }, { "54010000006178", "BINSTRING" },
		{ "5501612e", "SHORT_BINSTRING" }, { "28642e", "DICT" }, { "286c2e", "LIST" },
		{ "2869780a790a2e", "INST" }, { "286f2e", "OBJ" }, { "4e70300a2e", "PUT" },
		{ "67300a2e", "GET" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "opcode %s is not supported", cases[i].name);
		dec_fails(cases[i].hex, -EBADMSG, want);
	}
	dec_fails("8004ff", -EBADMSG, "invalid load key, '\\xff'");
	dec_fails("", -EBADMSG, "truncated");
}

static void test_limits(void **state)
{
	struct mgr_pydec_limits lim = { 0 };
	struct mgr_pyval *v;
	char deep[4096];
	int i;

	lim.max_input = 4;
	assert_int_equal(dec_lim("80044e2e", &lim, &v), 0);
	assert_int_equal(dec_lim("80044e4e2e", &lim, &v), -E2BIG);
	lim.max_input = 0;
	/* Ten nested lists: fine at ten, not at nine. */
	strcpy(deep, "8004");
	for (i = 0; i < 10; i++)
		strcat(deep, "5d28");
	for (i = 0; i < 10; i++)
		strcat(deep, "65");
	strcat(deep, "2e");
	lim.max_depth = 11;
	assert_int_equal(dec_lim(deep, &lim, &v), 0);
	assert_int_equal(v->depth, 10);
	lim.max_depth = 9;
	assert_int_equal(dec_lim(deep, &lim, &v), -E2BIG);
	lim.max_depth = 0;
	lim.max_nodes = 3;
	assert_int_equal(dec_lim("80044e4e4e87" "2e", &lim, &v), -E2BIG);
	lim.max_nodes = 4;
	assert_int_equal(dec_lim("80044e4e4e87" "2e", &lim, &v), 0);
	lim.max_nodes = 0;
	lim.max_memo = 1;
	assert_int_equal(dec_lim("80044e94944e94" "2e", &lim, &v), -E2BIG);
	/* DUP makes no node but counts: items are bounded too. */
	lim.max_memo = 0;
	lim.max_nodes = 100;
	strcpy(deep, "80045d284e");
	for (i = 0; i < 120; i++)
		strcat(deep, "32");
	strcat(deep, "652e");
	assert_int_equal(dec_lim(deep, &lim, &v), -E2BIG);
}

/* Ints take the smallest of CPython's forms. */
static void test_encode_ints(void **state)
{
	static const struct {
		int64_t x;
		const char *hex;
	} cases[] = {
		{ 0, "80044b002e" }, { 255, "80044bff2e" }, { 256, "80044d00012e" },
		{ 65535, "80044dffff2e" }, { 65536, "80044a000001002e" }, { -1, "80044affffffff2e" },
		{ INT32_MAX, "80044affffff7f2e" }, { INT32_MIN, "80044a000000802e" },
		{ (int64_t)INT32_MAX + 1, "80048a0500000080002e" },
		{ INT64_MIN, "80048a0800000000000000802e" },
	};
	unsigned char big[300];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(enc(mgr_pyval_int(arena, cases[i].x)), cases[i].hex);
	/* Redundant sign bytes go: -129 fits BININT, a padded 2**63 nine bytes. */
	assert_string_equal(enc(mgr_pyval_long(arena, (const unsigned char *)"\x7f\xff\xff", 3)),
			    "80044a7fffffff2e");
	reencodes("80048a0a" "00000000000000" "80" "0000" "2e", "80048a09 00000000000000 80 00 2e");
	/* 256 bytes and more need LONG4. */
	memset(big, 0, sizeof(big));
	big[299] = 1;
	assert_memory_equal(enc(mgr_pyval_long(arena, big, 300)), "80048b2c010000", 14);
}

static void test_encode_memo_and_batches(void **state)
{
	struct mgr_pyval *l = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0), *s = mgr_pyval_cstr(arena, "x");
	struct mgr_pyval *strs[300], *back;
	struct mgr_buf out = MGR_BUF_INIT;
	int i, appends = 0;
	size_t k;

	/* A str reached twice is memoized once; an equal but distinct one
	 * is written again. */
	mgr_pyval_append(arena, l, s);
	mgr_pyval_append(arena, l, s);
	mgr_pyval_append(arena, l, mgr_pyval_cstr(arena, "x"));
	assert_string_equal(enc(l), "80045d288c01789468008c0178652e");
	/* 2500 items go in batches of 1000. */
	l = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0);
	for (i = 0; i < 2500; i++)
		mgr_pyval_append(arena, l, mgr_pyval_none());
	assert_int_equal(mgr_pyenc_value(&out, l), 0);
	for (k = 0; k < out.len; k++)
		appends += out.data[k] == 'e';
	assert_int_equal(appends, 3);
	assert_int_equal(out.len, 2 + 1 + 3 * 2 + 2500 + 1);
	/* Past 256 memo entries, LONG_BINGET; the pickle reads back with
	 * the same sharing. */
	l = mgr_pyval_new(arena, MGR_PYVAL_LIST, 0);
	for (i = 0; i < 300; i++) {
		char name[8];

		snprintf(name, sizeof(name), "%d", i);
		strs[i] = mgr_pyval_cstr(arena, name);
		mgr_pyval_append(arena, l, strs[i]);
	}
	for (i = 0; i < 300; i++)
		mgr_pyval_append(arena, l, strs[i]);
	out.len = 0;
	assert_int_equal(mgr_pyenc_value(&out, l), 0);
	assert_non_null(memmem(out.data, out.len, "j\x00\x01\x00\x00", 5));
	assert_int_equal(mgr_pydec_decode(arena, out.data, out.len, NULL, &back, err, sizeof(err)), 0);
	assert_ptr_equal(back->u.seq.items[299], back->u.seq.items[599]);
	assert_int_equal(mgr_pycmp_eq(back, l), 1);
	mgr_buf_release(&out);
}

/* Opaque objects come out as they went in: the calls CPython wrote,
 * now by GLOBAL and without FRAME or MEMOIZE. */
static void test_encode_opaque(void **state)
{
	reencodes("8004952a000000000000008c086461746574696d65948c086461746574696d65949394430a07e801"
		  "0100000000000094859452942e",
		  "8004 63 6461746574696d65 0a 6461746574696d65 0a 430a07e8010100000000000085 52 2e");
	reencodes("80049529000000000000008c0b636f6c6c656374696f6e73948c0b4f7264657265644469637494"
		  "93942952948c0161944b01732e",
		  "8004 63 636f6c6c656374696f6e73 0a 4f726465726564446963740a 29 52 28 8c0161 4b01 75 2e");
}

/* A name with a newline cannot be a GLOBAL line: STACK_GLOBAL. */
static void test_encode_globals(void **state)
{
	reencodes("80048c01618c016293" "2e", "8004 63 610a 620a 2e");
	reencodes("80048c03610a628c016393" "2e", "8004 8c03610a62 8c0163 93 2e");
}

/* SPEC.md §4.4's reply, and the shapes CPython's clients expect. */
static void test_replies(void **state)
{
	struct mgr_buf out = MGR_BUF_INIT;
	struct mgr_pyval *addr, *parts[2];
	static const char *const exposed[] = { "get", "put" };

	assert_int_equal(mgr_pyreply_return(&out, mgr_pyval_none()), 0);
	assert_memory_equal(out.data, "\x80\x04\x8c\x07#RETURN\x4e\x86\x2e", 14);
	assert_int_equal(out.len, 14);
	out.len = 0;
	assert_int_equal(mgr_pyreply_error(&out, "_queue", "Empty", NULL), 0);
	assert_memory_equal(out.data, "\x80\x04\x8c\x06#ERRORc_queue\nEmpty\n)R\x86.", out.len);
	out.len = 0;
	assert_int_equal(mgr_pyreply_error_msg(&out, "builtins", "KeyError", "k"), 0);
	assert_memory_equal(out.data, "\x80\x04\x8c\x06#ERRORcbuiltins\nKeyError\n\x8c\x01k\x85R\x86.",
			    out.len);
	out.len = 0;
	assert_int_equal(mgr_pyreply_text(&out, MGR_PYREPLY_TRACEBACK, "boom", 4), 0);
	assert_memory_equal(out.data, "\x80\x04\x8c\x0a#TRACEBACK\x8c\x04" "boom\x86.", out.len);
	out.len = 0;
	parts[0] = mgr_pyval_cstr(arena, "127.0.0.1");
	parts[1] = mgr_pyval_int(arena, 50000);
	addr = mgr_pyval_tuple(arena, 2, parts);
	assert_int_equal(mgr_pyreply_proxy(&out, mgr_pyreply_strs(arena, exposed, 2),
					   mgr_pyreply_token(arena, "Iterator", addr, "1f")), 0);
	assert_memory_equal(out.data,
			    "\x80\x04\x8c\x06#PROXY\x8c\x03get\x8c\x03put\x86"
			    "cmultiprocessing.managers\nToken\n)\x81"
			    "\x8c\x08Iterator\x8c\x09" "127.0.0.1M\x50\xc3\x86\x8c\x02" "1f\x87" "b"
			    "\x86\x86.", out.len);
	mgr_buf_release(&out);
	assert_string_equal(enc(mgr_pyreply_value(arena, "d", mgr_pyval_float(arena, 1.25))),
			    "8004636d756c746970726f63657373696e672e6d616e61676572730a56616c75650a2981"
			    "7d288c095f74797065636f64658c0164" "8c065f76616c7565473ff4000000000000" "7562"
			    "2e");
	assert_string_equal(enc(mgr_pyreply_array(arena, "i", "\x01\x00\x00\x00", 4)),
			    "80046361727261790a61727261790a8c016943040100000086522e");
	assert_string_equal(enc(mgr_pyreply_call(arena, "list", mgr_pyval_new(arena, MGR_PYVAL_LIST, 0))),
			    "8004636275696c74696e730a6c6973740a5d8552" "2e");
	assert_non_null(mgr_pyreply_namespace(arena, mgr_pyval_new(arena, MGR_PYVAL_DICT, 0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_memo),
		cmocka_unit_test(test_stack_ops),
		cmocka_unit_test(test_opaque),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_encode_ints),
		cmocka_unit_test(test_encode_memo_and_batches),
		cmocka_unit_test(test_encode_opaque),
		cmocka_unit_test(test_encode_globals),
		cmocka_unit_test(test_replies),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
