/* Python's handshake (core/pywire/pyauth): SPEC.md §2.5's vectors, the
 * captured handshakes of CPython 3.8 and 3.13 clients, every digest, the
 * answers CPython refuses, and the server's state machine against clients
 * of both kinds played by the test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "pyauth.h"
#include "pyframe.h"
#include "pwtest.h"

#define KEY "abracadabra"

/* M = "{sha256}" || 00 01 .. 27, as SPEC.md §2.5 has it. */
static size_t spec_message(unsigned char *m, const char *name)
{
	size_t n = (size_t)sprintf((char *)m, "{%s}", name), i;

	for (i = 0; i < 40; i++)
		m[n + i] = (unsigned char)i;
	return n + 40;
}

static void test_spec_vectors(void **state)
{
	unsigned char frame[80], m[64], out[MGR_PYAUTH_RESPONSE_MAX], want[64];
	size_t mlen = spec_message(m, "sha256"), outlen, i;

	memcpy(frame, MGR_PYAUTH_CHALLENGE, 11);
	memcpy(frame + 11, m, mlen);
	assert_int_equal(mgr_pyauth_answer(KEY, 11, frame, 11 + mlen, out, &outlen), 0);
	assert_int_equal(outlen, 40);
	memcpy(want, "{sha256}", 8);
	pw_unhex("536016a8c32ca9231522a6e91ddbbd637ba292f333e6fd43599971f107db3002", want + 8);
	assert_memory_equal(out, want, 40);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, out, outlen), 0);
	/* A legacy client's raw MD5 over the same message is accepted. */
	pw_unhex("7690e2569f3bc902fa21a77cf545d7f6", want);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, want, 16), 0);
	/* A 20-byte legacy challenge is answered with raw MD5. */
	for (i = 0; i < 20; i++)
		frame[11 + i] = (unsigned char)i;
	assert_int_equal(mgr_pyauth_answer(KEY, 11, frame, 31, out, &outlen), 0);
	assert_int_equal(outlen, 16);
	pw_unhex("ff63d69f0d1055b99f32d588bd840b74", want);
	assert_memory_equal(out, want, 16);
	/* The empty key is a key. */
	assert_int_equal(mgr_pyauth_answer("", 0, frame, 31, out, &outlen), 0);
	pw_unhex("eee7e8c8fa6d98a59d76c44ce7018548", want);
	assert_memory_equal(out, want, 16);
}

/* The other digests CPython 3.12 allows, answered in kind (values from
 * Python's hmac module). */
static void test_other_digests(void **state)
{
	static const struct {
		const char *name, *mac;
	} cases[] = {
		{ "md5", "f70bfd024a752d679558d6e9b3d092f6" },
		{ "sha384", "9c51813cba2114994bc8e6d2537383996326f80de6f0964017d800aa31b1fdff"
			    "7794f0c73f9bfb151e242ff6de6a256b" },
		{ "sha3_256", "0e54ef968cbfdb4b61e5e6b129fd16902d209abcb02b4cd38f262af77b284f3d" },
		{ "sha3_384", "d115a2144989ca46a7d66205043eb6a83d557340c1525ce0b54b7e75fbfb7d73"
			      "332e7288b0029d047c9a4f3d4a0871ba" },
	};
	unsigned char frame[80], out[MGR_PYAUTH_RESPONSE_MAX], mac[64];
	size_t i, mlen, outlen, head, maclen;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(frame, MGR_PYAUTH_CHALLENGE, 11);
		mlen = spec_message(frame + 11, cases[i].name);
		head = strlen(cases[i].name) + 2;
		maclen = pw_unhex(cases[i].mac, mac);
		assert_int_equal(mgr_pyauth_answer(KEY, 11, frame, 11 + mlen, out, &outlen), 0);
		assert_int_equal(outlen, head + maclen);
		assert_memory_equal(out, frame + 11, head);
		assert_memory_equal(out + head, mac, maclen);
		assert_int_equal(mgr_pyauth_verify(KEY, 11, frame + 11, mlen, out, outlen), 0);
		out[outlen - 1] ^= 1;
		assert_int_equal(mgr_pyauth_verify(KEY, 11, frame + 11, mlen, out, outlen), -EACCES);
	}
}

/* Frames 1, 2, 4 and 5 of python-wire/vectors/handshake/hs.*.jsonl: the
 * server's challenge, the client's answer, the client's challenge and the
 * answer the reference server gave, under the key "secret". */
static const char *const captured[][4] = {
	{ /* hs.legacy.3.13.0: a 20-byte challenge to a 3.13 client */
	  "234348414c4c454e4745239167d68c7184b3d18af7a020d231502738c55105",
	  "c7e4749a0341ee7a0a854dffa2cc82b8",
	  "234348414c4c454e4745237b7368613235367d5d54a4c9fd9bb836ef2b061e628525b379e70ac4e54b0f2c"
	  "dc764cf849721fe7c9e6f9bd2be84360",
	  "7b7368613235367d752d63245017b609b9466ead22fcf1c4ca9ef01ebb126c96668704cc86604724" },
	{ /* hs.legacy.3.8.18 */
	  "234348414c4c454e474523ed0292331749cdcbbb4db3f6a2c42df97bb0ee34",
	  "562e46b861846ba8860257791b12e062",
	  "234348414c4c454e474523925cbed6ea5b626999f27c9b176e7f1b17d5dde3",
	  "808f9a8499dad97fc357353065cf310d" },
	{ /* hs.modern.3.13.0: {sha256} both ways */
	  "234348414c4c454e4745237b7368613235367d3c2b57b0a5ac223fc03b6041a06527b4fa909a6c67956d21"
	  "c0e0d60ab83ad1ee5ac15fa228eb656e",
	  "7b7368613235367dd76e8783f16a05676683c0296024469ec423782afa81fb069ad2d9dab7650127",
	  "234348414c4c454e4745237b7368613235367de05e5444696e763c4304fb37e8073d0f513f2e40a1e25357"
	  "7b187eefc5e020b0a187dfaba55292da",
	  "7b7368613235367d4c072399fa5a6bd3b9216abef38701b8fa6f767a1c614602809d1b495b49cd5b" },
	{ /* hs.modern.3.8.18: a legacy client answers {sha256} with raw MD5 */
	  "234348414c4c454e4745237b7368613235367de0d8d9469ed800d53ce9b94aec5f878053478e48bd938d98"
	  "1c2b74bd8bcb1e0ec62464a483b701fd",
	  "957ac76d48a2016574bd39f9f03d0e68",
	  "234348414c4c454e474523b42bc1a5021419f5f2a7cc079d6661c878810768",
	  "74857d2edc1cb959f5013ff040a911af" },
};

static void test_captured_handshakes(void **state)
{
	unsigned char s_chal[80], c_ans[64], c_chal[80], s_ans[64], out[MGR_PYAUTH_RESPONSE_MAX];
	size_t i, n1, n2, n3, n4, outlen;

	for (i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
		n1 = pw_unhex(captured[i][0], s_chal);
		n2 = pw_unhex(captured[i][1], c_ans);
		n3 = pw_unhex(captured[i][2], c_chal);
		n4 = pw_unhex(captured[i][3], s_ans);
		assert_int_equal(mgr_pyauth_verify("secret", 6, s_chal + 11, n1 - 11, c_ans, n2), 0);
		assert_int_equal(mgr_pyauth_verify("secreT", 6, s_chal + 11, n1 - 11, c_ans, n2),
				 -EACCES);
		assert_int_equal(mgr_pyauth_answer("secret", 6, c_chal, n3, out, &outlen), 0);
		assert_int_equal(outlen, n4);
		assert_memory_equal(out, s_ans, n4);
	}
}

/* Answers CPython's _verify_challenge refuses, and challenges its
 * answer_challenge cannot parse. */
static void test_refused(void **state)
{
	unsigned char m[64], resp[80], out[MGR_PYAUTH_RESPONSE_MAX];
	size_t mlen = spec_message(m, "sha256"), outlen;

	memset(resp, 0, sizeof(resp));
	/* 20 bytes pass for MD5 by length, then are the wrong length. */
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 20), -EPROTO);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 0), -EPROTO);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 32), -EPROTO);
	memcpy(resp, "{sha1}", 6);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 26), -EPROTO);
	memcpy(resp, "{sha256}", 8);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 8 + 31), -EPROTO);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 8 + 32), -EACCES);
	/* The closing brace must come within nine bytes. */
	memcpy(resp, "{sha256sha256}", 14);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, m, mlen, resp, 14 + 32), -EPROTO);
	assert_int_equal(mgr_pyauth_answer(KEY, 11, "#CHALLENGX#0123456789abcdefghij", 31, out, &outlen),
			 -EPROTO);
	assert_int_equal(mgr_pyauth_answer(KEY, 11, "#CHALLENGE#0123456789abcdefghijk", 32, out,
					   &outlen), -EPROTO);
	assert_int_equal(mgr_pyauth_answer(KEY, 11, "#CHALL", 6, out, &outlen), -EPROTO);
}

static void test_challenges(void **state)
{
	unsigned char a[MGR_PYAUTH_CHALLENGE_MAX], b[MGR_PYAUTH_CHALLENGE_MAX];
	size_t na, nb;

	assert_int_equal(mgr_pyauth_challenge(false, a, &na), 0);
	assert_int_equal(mgr_pyauth_challenge(false, b, &nb), 0);
	assert_int_equal(na, 59);
	assert_memory_equal(a, "#CHALLENGE#{sha256}", 19);
	assert_memory_not_equal(a + 19, b + 19, 40);
	assert_int_equal(mgr_pyauth_challenge(true, a, &na), 0);
	assert_int_equal(na, 31);
	assert_memory_equal(a, "#CHALLENGE#", 11);
}

/* The frames the machine appended since *at, one at a time. */
static const unsigned char *sent(struct mgr_buf *out, size_t *at, size_t *len)
{
	const unsigned char *payload;
	size_t used;

	assert_int_equal(mgr_pyframe_next(out->data + *at, out->len - *at, 256, &payload, len,
					  &used), 1);
	*at += used;
	return payload;
}

/* What CPython 3.8 to 3.11 answer to any challenge: a raw HMAC-MD5 over
 * all that follows "#CHALLENGE#". */
static size_t legacy_answer(const unsigned char *frame, size_t len, unsigned char *out)
{
	size_t maclen = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, KEY, 11, frame + 11, len - 11,
				  out, 16, &maclen));
	return maclen;
}

/* A whole handshake with the test as the client: a modern client answers
 * in {sha256} and challenges with {sha256}; a legacy one answers with raw
 * MD5 and challenges with 20 bytes. */
static void run_client(bool legacy_client, bool legacy_server)
{
	static const char c_modern[] = "#CHALLENGE#{sha256}0123456789012345678901234567890123456789";
	static const char c_legacy[] = "#CHALLENGE#01234567890123456789";
	const char *c_chal = legacy_client ? c_legacy : c_modern;
	struct mgr_buf out = MGR_BUF_INIT;
	struct mgr_pyauth_server s;
	unsigned char resp[MGR_PYAUTH_RESPONSE_MAX], key[] = KEY;
	const unsigned char *p;
	size_t at = 0, len, rlen;

	assert_int_equal(mgr_pyauth_server_init(&s, key, 11, legacy_server, &out), 0);
	/* The machine keeps its own copy of the key. */
	memset(key, 0, sizeof(key));
	p = sent(&out, &at, &len);
	assert_int_equal(len, legacy_server ? 31 : 59);
	if (legacy_client)
		rlen = legacy_answer(p, len, resp);
	else
		assert_int_equal(mgr_pyauth_answer(KEY, 11, p, len, resp, &rlen), 0);
	assert_int_equal(mgr_pyauth_server_feed(&s, resp, rlen, &out), 0);
	p = sent(&out, &at, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(p, MGR_PYAUTH_WELCOME, 9);
	assert_int_equal(mgr_pyauth_server_feed(&s, c_chal, strlen(c_chal), &out), 0);
	p = sent(&out, &at, &len);
	assert_int_equal(mgr_pyauth_verify(KEY, 11, c_chal + 11, strlen(c_chal) - 11, p, len), 0);
	assert_int_equal(len, legacy_client ? 16 : 40);
	assert_int_equal(mgr_pyauth_server_feed(&s, MGR_PYAUTH_WELCOME, 9, &out), 1);
	assert_int_equal(s.step, MGR_PYAUTH_DONE);
	assert_int_equal(at, out.len);
	assert_int_equal(mgr_pyauth_server_feed(&s, MGR_PYAUTH_WELCOME, 9, &out), -EINVAL);
	mgr_pyauth_server_release(&s);
	mgr_buf_release(&out);
}

static void test_server_machine(void **state)
{
	run_client(false, false);
	run_client(true, false);
	run_client(false, true);
	run_client(true, true);
}

static void test_server_failures(void **state)
{
	struct mgr_buf out = MGR_BUF_INIT;
	struct mgr_pyauth_server s;
	unsigned char resp[MGR_PYAUTH_RESPONSE_MAX], big[300];
	const unsigned char *p;
	size_t at = 0, len, rlen;
	int k;

	/* A wrong answer: #FAILURE# goes out, and the machine is done. */
	assert_int_equal(mgr_pyauth_server_init(&s, KEY, 11, false, &out), 0);
	p = sent(&out, &at, &len);
	assert_int_equal(mgr_pyauth_answer("wrong", 5, p, len, resp, &rlen), 0);
	assert_int_equal(mgr_pyauth_server_feed(&s, resp, rlen, &out), -EACCES);
	p = sent(&out, &at, &len);
	assert_memory_equal(p, MGR_PYAUTH_FAILURE, 9);
	assert_int_equal(s.step, MGR_PYAUTH_FAILED);
	assert_int_equal(mgr_pyauth_server_feed(&s, resp, rlen, &out), -EINVAL);
	mgr_pyauth_server_release(&s);

	/* An answer CPython could never give is a failure too. */
	assert_int_equal(mgr_pyauth_server_init(&s, KEY, 11, false, &out), 0);
	sent(&out, &at, &len);
	assert_int_equal(mgr_pyauth_server_feed(&s, "hello", 5, &out), -EACCES);
	p = sent(&out, &at, &len);
	assert_memory_equal(p, MGR_PYAUTH_FAILURE, 9);
	mgr_pyauth_server_release(&s);

	/* A good answer, then no challenge, or the client's refusal. */
	for (k = 0; k < 3; k++) {
		assert_int_equal(mgr_pyauth_server_init(&s, KEY, 11, false, &out), 0);
		p = sent(&out, &at, &len);
		assert_int_equal(mgr_pyauth_answer(KEY, 11, p, len, resp, &rlen), 0);
		assert_int_equal(mgr_pyauth_server_feed(&s, resp, rlen, &out), 0);
		sent(&out, &at, &len);
		if (k == 0) {
			assert_int_equal(mgr_pyauth_server_feed(&s, "#WELCOME#", 9, &out), -EPROTO);
		} else if (k == 1) {
			memset(big, 'x', sizeof(big));
			assert_int_equal(mgr_pyauth_server_feed(&s, big, sizeof(big), &out), -EMSGSIZE);
		} else {
			assert_int_equal(mgr_pyauth_server_feed(&s, "#CHALLENGE#01234567890123456789",
								31, &out), 0);
			sent(&out, &at, &len);
			assert_int_equal(mgr_pyauth_server_feed(&s, MGR_PYAUTH_FAILURE, 9, &out),
					 -EACCES);
		}
		assert_int_equal(at, out.len);
		mgr_pyauth_server_release(&s);
	}
	mgr_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_other_digests),
		cmocka_unit_test(test_captured_handshakes),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_server_machine),
		cmocka_unit_test(test_server_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
