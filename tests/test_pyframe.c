/* Python's framing (core/pywire/pyframe): both header forms, the limits,
 * lengths CPython never checks, and frames arriving a byte at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "pyframe.h"
#include "pwtest.h"

static int next(const char *hex, uint64_t max, size_t *plen, size_t *used)
{
	unsigned char in[64];
	const unsigned char *payload = NULL;
	size_t n = pw_unhex(hex, in);

	return mgr_pyframe_next(in, n, max, &payload, plen, used);
}

static void test_small_and_large_forms(void **state)
{
	size_t plen = 99, used = 0;

	assert_int_equal(next("00000003 616263", 100, &plen, &used), 1);
	assert_int_equal(plen, 3);
	assert_int_equal(used, 7);
	/* CPython 3.8+ reads the large form at any size. */
	assert_int_equal(next("ffffffff 0000000000000002 6869", 100, &plen, &used), 1);
	assert_int_equal(plen, 2);
	assert_int_equal(used, 14);
	/* An empty payload is a frame too. */
	assert_int_equal(next("00000000", 100, &plen, &used), 1);
	assert_int_equal(plen, 0);
	assert_int_equal(used, 4);
}

static void test_needs_more(void **state)
{
	size_t plen, used;

	assert_int_equal(next("", 100, &plen, &used), 0);
	assert_int_equal(next("000000", 100, &plen, &used), 0);
	assert_int_equal(next("00000003 6162", 100, &plen, &used), 0);
	assert_int_equal(next("ffffffff 00000000000000", 100, &plen, &used), 0);
	assert_int_equal(next("ffffffff 0000000000000002 68", 100, &plen, &used), 0);
}

static void test_limits(void **state)
{
	size_t plen, used;

	/* Over the maximum is known from the header alone. */
	assert_int_equal(next("00000101", MGR_PYFRAME_HANDSHAKE_MAX, &plen, &used), -EMSGSIZE);
	assert_int_equal(next("00000100", MGR_PYFRAME_HANDSHAKE_MAX, &plen, &used), 0);
	assert_int_equal(next("ffffffff ffffffffffffffff", 1u << 30, &plen, &used), -EMSGSIZE);
	/* Negative lengths other than -1 mean nothing. */
	assert_int_equal(next("80000000", 100, &plen, &used), -EBADMSG);
	assert_int_equal(next("fffffffe 00", 100, &plen, &used), -EBADMSG);
}

static void test_headers(void **state)
{
	unsigned char hdr[MGR_PYFRAME_HDR_LARGE], want[MGR_PYFRAME_HDR_LARGE];

	assert_int_equal(mgr_pyframe_header(0, hdr), 4);
	assert_memory_equal(hdr, "\0\0\0\0", 4);
	assert_int_equal(mgr_pyframe_header(0x7fffffff, hdr), 4);
	pw_unhex("7fffffff", want);
	assert_memory_equal(hdr, want, 4);
	/* The large form only when the small one cannot say the length. */
	assert_int_equal(mgr_pyframe_header(0x80000000u, hdr), 12);
	pw_unhex("ffffffff 0000000080000000", want);
	assert_memory_equal(hdr, want, 12);
	assert_int_equal(mgr_pyframe_header(0x123456789aull, hdr), 12);
	pw_unhex("ffffffff 000000123456789a", want);
	assert_memory_equal(hdr, want, 12);
}

/* Two frames written with append and begin/end come out whole, once
 * each, at the moment their last byte is in. */
static void test_stream_a_byte_at_a_time(void **state)
{
	struct mgr_buf stream = MGR_BUF_INIT, in = MGR_BUF_INIT;
	const unsigned char *payload;
	size_t plen, used, start, i, got = 0, ends[2];
	int r;

	assert_int_equal(mgr_pyframe_append(&stream, "#WELCOME#", 9), 0);
	ends[0] = stream.len;
	assert_int_equal(mgr_pyframe_begin(&stream, &start), 0);
	assert_int_equal(mgr_buf_append(&stream, "\x80\x04N.", 4), 0);
	assert_int_equal(mgr_pyframe_end(&stream, start), 0);
	ends[1] = stream.len;
	assert_int_equal(ends[1], 13 + 8);
	for (i = 0; i < stream.len; i++) {
		assert_int_equal(mgr_buf_append(&in, stream.data + i, 1), 0);
		r = mgr_pyframe_next(in.data, in.len, 1000, &payload, &plen, &used);
		if (got == 2 || i + 1 != ends[got]) {
			assert_int_equal(r, 0);
			continue;
		}
		assert_int_equal(r, 1);
		assert_memory_equal(payload, got ? "\x80\x04N." : "#WELCOME#", plen);
		mgr_buf_consume(&in, used);
		got++;
	}
	assert_int_equal(got, 2);
	assert_int_equal(in.len, 0);
	mgr_buf_release(&stream);
	mgr_buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_and_large_forms),
		cmocka_unit_test(test_needs_more),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_stream_a_byte_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
