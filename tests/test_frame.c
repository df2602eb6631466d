/* Framing: splitting a byte stream into frames however it arrives, the
 * length limits, and decoding a payload into a JSON object. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "frame.h"
#include "json.h"

static void put_len(char *p, uint32_t n)
{
	p[0] = n >> 24;
	p[1] = n >> 16;
	p[2] = n >> 8;
	p[3] = n;
}

static void test_needs_whole_header(void **state)
{
	char hdr[4];
	const char *payload = NULL;
	size_t plen = 0, used = 0, i;

	put_len(hdr, 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(mgr_frame_next(hdr, i, MGR_FRAME_MAX, &payload, &plen, &used), 0);
	/* A whole header is not a whole frame. */
	assert_int_equal(mgr_frame_next(hdr, 4, MGR_FRAME_MAX, &payload, &plen, &used), 0);
	assert_null(payload);
}

/* Two frames arriving a byte at a time come out whole, once each, at the
 * moment their last byte is in. */
static void test_split_across_reads(void **state)
{
	static const char *const msgs[] = { "{\"id\":1,\"op\":\"ping\"}", "{}" };
	struct mgr_buf stream = MGR_BUF_INIT, in = MGR_BUF_INIT;
	const char *payload;
	size_t plen, used, i, got = 0, ends[2];
	char hdr[4];
	int r;

	for (i = 0; i < 2; i++) {
		put_len(hdr, strlen(msgs[i]));
		assert_int_equal(mgr_buf_append(&stream, hdr, 4), 0);
		assert_int_equal(mgr_buf_append(&stream, msgs[i], strlen(msgs[i])), 0);
		ends[i] = stream.len;
	}
	for (i = 0; i < stream.len; i++) {
		assert_int_equal(mgr_buf_append(&in, stream.data + i, 1), 0);
		r = mgr_frame_next(in.data, in.len, MGR_FRAME_MAX, &payload, &plen, &used);
		if (i + 1 != ends[got]) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_int_equal(r, 1);
		assert_int_equal(plen, strlen(msgs[got]));
		assert_memory_equal(payload, msgs[got], plen);
		assert_int_equal(used, 4 + plen);
		mgr_buf_consume(&in, used);
		got++;
	}
	assert_int_equal(got, 2);
	assert_int_equal(in.len, 0);
	mgr_buf_release(&stream);
	mgr_buf_release(&in);
}

/* Several frames in one buffer are taken one after the other. */
static void test_back_to_back(void **state)
{
	char buf[4 + 2 + 4 + 3 + 2];
	const char *payload;
	size_t plen, used;

	put_len(buf, 2);
	memcpy(buf + 4, "{}", 2);
	put_len(buf + 6, 3);
	memcpy(buf + 10, "[1]", 3);
	memcpy(buf + 13, "\0\0", 2);
	assert_int_equal(mgr_frame_next(buf, sizeof(buf), 100, &payload, &plen, &used), 1);
	assert_int_equal(plen, 2);
	assert_ptr_equal(payload, buf + 4);
	assert_int_equal(mgr_frame_next(buf + used, sizeof(buf) - used, 100, &payload, &plen,
					&used), 1);
	assert_int_equal(plen, 3);
	assert_memory_equal(payload, "[1]", 3);
	assert_int_equal(mgr_frame_next(buf + 13, 2, 100, &payload, &plen, &used), 0);
}

/* A bad length is reported as soon as the header is in, before any of
 * the payload: the server need not buffer what it will refuse. */
static void test_max_size(void **state)
{
	char hdr[4];
	const char *payload;
	size_t plen, used;

	put_len(hdr, 100);
	assert_int_equal(mgr_frame_next(hdr, 4, 100, &payload, &plen, &used), 0);
	put_len(hdr, 101);
	assert_int_equal(mgr_frame_next(hdr, 4, 100, &payload, &plen, &used), -EMSGSIZE);
	put_len(hdr, MGR_FRAME_MAX);
	assert_int_equal(mgr_frame_next(hdr, 4, MGR_FRAME_MAX, &payload, &plen, &used), 0);
	put_len(hdr, MGR_FRAME_MAX + 1);
	assert_int_equal(mgr_frame_next(hdr, 4, MGR_FRAME_MAX, &payload, &plen, &used),
			 -EMSGSIZE);
	put_len(hdr, 0xffffffffu);
	assert_int_equal(mgr_frame_next(hdr, 4, MGR_FRAME_MAX, &payload, &plen, &used),
			 -EMSGSIZE);
}

static void test_zero_length(void **state)
{
	char hdr[6] = { 0, 0, 0, 0, '{', '}' };
	const char *payload;
	size_t plen, used;

	assert_int_equal(mgr_frame_next(hdr, sizeof(hdr), MGR_FRAME_MAX, &payload, &plen, &used),
			 -EMSGSIZE);
}

static void test_decode_object(void **state)
{
	static const char text[] = "{\"id\": 7, \"op\": \"get\", \"path\": \"a/b\"}";
	const char *op = NULL;
	uint64_t id = 0;
	char err[128];
	yajl_val v;

	assert_int_equal(mgr_frame_decode(text, strlen(text), &v, err, sizeof(err)), 0);
	assert_true(YAJL_IS_OBJECT(v));
	assert_int_equal(mgr_json_get_u64(v, "id", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(mgr_json_get_str(v, "op", &op), 0);
	assert_string_equal(op, "get");
	yajl_tree_free(v);
}

/* The payload is not NUL-terminated in the stream: what follows it must
 * not be read as part of it. */
static void test_decode_uses_length_only(void **state)
{
	static const char text[] = "{\"a\":1}garbage";
	char err[128];
	yajl_val v;

	assert_int_equal(mgr_frame_decode(text, 7, &v, err, sizeof(err)), 0);
	yajl_tree_free(v);
	assert_int_equal(mgr_frame_decode(text, sizeof(text) - 1, &v, err, sizeof(err)),
			 -EBADMSG);
}

static void decode_fails(const char *text, size_t len)
{
	char err[128] = "";
	yajl_val v = NULL;

	assert_int_equal(mgr_frame_decode(text, len, &v, err, sizeof(err)), -EBADMSG);
	assert_true(strlen(err) > 0);
}

static void test_bad_json(void **state)
{
	decode_fails("{\"id\": 1, \"op\": ", 15);
	decode_fails("{\"id\": 1,}", 10);
	decode_fails("{\"a\":1} {\"b\":2}", 15);
	decode_fails("\x01\x02\x03", 3);
	decode_fails("{\"a\":\"\xff\xfe\"}", 10);
	decode_fails("{\"a\":\0}", 7);
}

static void test_non_object(void **state)
{
	decode_fails("[1,2,3]", 7);
	decode_fails("42", 2);
	decode_fails("\"ping\"", 6);
	decode_fails("null", 4);
	decode_fails("true", 4);
}

static void test_deep_nesting_refused(void **state)
{
	enum { DEPTH = 100000 };
	static char text[2 * DEPTH + 32];
	char err[128];
	size_t n = 0;
	yajl_val v = NULL;
	uint64_t id;

	text[n++] = '{';
	memcpy(text + n, "\"x\":", 4);
	n += 4;
	memset(text + n, '[', DEPTH);
	n += DEPTH;
	memset(text + n, ']', DEPTH);
	n += DEPTH;
	text[n++] = '}';
	/* JSON, so refused rather than garbled: under its id if it has one. */
	assert_int_equal(mgr_frame_decode(text, n, &v, err, sizeof(err)), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(err, "deeper"));
	assert_int_equal(mgr_frame_id(text, n, &id), -ENOENT);
	memcpy(text + 1, "\"id\":7,\"x\":", 12);
	memmove(text + 13, text + 5, n - 5);
	n += 8;
	assert_int_equal(mgr_frame_id(text, n, &id), 0);
	assert_int_equal(id, 7);
}

static void test_frame_id(void **state)
{
	static const struct {
		const char *text;
		int id;
	} cases[] = {
		{ "{\"id\":5}", 5 },
		{ " { \"op\" : \"x\" , \"id\" : 12 , \"v\":[[[", 12 },
		{ "{\"a\":{\"id\":1},\"b\":[\"]\",{}],\"c\":\"\\\"\",\"id\":3}", 3 },
		{ "{\"a\":{\"id\":1}}", -1 },
		{ "{\"id\":-1}", -1 },
		{ "{\"id\":1.5}", -1 },
		{ "{\"id\":\"1\"}", -1 },
		{ "{\"id\":18446744073709551616}", -1 },
		{ "[{\"id\":1}]", -1 },
		{ "{\"a\":\"", -1 },
		{ "{\"a\":\"\\", -1 },
		{ "", -1 },
	};
	uint64_t id;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = mgr_frame_id(cases[i].text, strlen(cases[i].text), &id);

		if (cases[i].id < 0 ? r != -ENOENT : r != 0 || id != (uint64_t)cases[i].id)
			fail_msg("%s: %d", cases[i].text, r);
	}
}

static void test_append_round_trip(void **state)
{
	struct mgr_buf out = MGR_BUF_INIT;
	const char *payload;
	size_t plen, used;
	yajl_gen g;

	g = mgr_json_gen_new();
	assert_non_null(g);
	assert_int_equal(yajl_gen_map_open(g), yajl_gen_status_ok);
	assert_int_equal(mgr_json_kv_u64(g, "id", 3), 0);
	assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
	assert_int_equal(mgr_frame_append_gen(&out, g), 0);
	/* The generator is ready for the next message. */
	assert_int_equal(yajl_gen_map_open(g), yajl_gen_status_ok);
	assert_int_equal(mgr_json_kv_str(g, "op", "ping"), 0);
	assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
	assert_int_equal(mgr_frame_append_gen(&out, g), 0);
	assert_int_equal(mgr_frame_append(&out, "[]", 2), 0);

	assert_int_equal(mgr_frame_next(out.data, out.len, MGR_FRAME_MAX, &payload, &plen,
					&used), 1);
	assert_int_equal(plen, strlen("{\"id\":3}"));
	assert_memory_equal(payload, "{\"id\":3}", plen);
	mgr_buf_consume(&out, used);
	assert_int_equal(mgr_frame_next(out.data, out.len, MGR_FRAME_MAX, &payload, &plen,
					&used), 1);
	assert_memory_equal(payload, "{\"op\":\"ping\"}", plen);
	mgr_buf_consume(&out, used);
	assert_int_equal(mgr_frame_next(out.data, out.len, MGR_FRAME_MAX, &payload, &plen,
					&used), 1);
	assert_memory_equal(payload, "[]", 2);
	assert_int_equal(used, out.len);
	yajl_gen_free(g);
	mgr_buf_release(&out);
}

/* A frame the other side would refuse is not written, and nothing of it
 * lands in the buffer.  The length is checked before the text is read. */
static void test_append_refuses_bad_sizes(void **state)
{
	struct mgr_buf out = MGR_BUF_INIT;

	assert_int_equal(mgr_frame_append(&out, "{}", 2), 0);
	assert_int_equal(mgr_frame_append(&out, "", 0), -EMSGSIZE);
	assert_int_equal(mgr_frame_append(&out, "{}", (size_t)MGR_FRAME_MAX + 1), -EMSGSIZE);
	assert_int_equal(out.len, 6);
	mgr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_whole_header),
		cmocka_unit_test(test_split_across_reads),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_decode_object),
		cmocka_unit_test(test_decode_uses_length_only),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_non_object),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_frame_id),
		cmocka_unit_test(test_append_round_trip),
		cmocka_unit_test(test_append_refuses_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
