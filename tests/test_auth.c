/* The challenge and response of core/auth.c, checked against HMAC values
 * computed independently (Python's hmac module), and the key file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"

static const char challenge[] =
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
/* hmac.new(b"secret", b"mgrfs-client:" + challenge, sha256).hexdigest() */
static const char client_want[] =
	"286b001d477e324b630df8db653a12f2de7a046a825e1eaa90fb00f78f013b69";
/* The same with b"mgrfs-server:". */
static const char server_want[] =
	"aff50da5120d41f14408277937ec74b839c389a008b56c7cc6917566875d625c";

static void test_challenge_is_fresh_hex(void **state)
{
	char a[MGR_CHALLENGE_HEX + 1], b[MGR_CHALLENGE_HEX + 1];
	size_t i;

	assert_int_equal(mgr_auth_challenge(a), 0);
	assert_int_equal(mgr_auth_challenge(b), 0);
	assert_int_equal(strlen(a), MGR_CHALLENGE_HEX);
	for (i = 0; i < MGR_CHALLENGE_HEX; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_string_not_equal(a, b);
}

static void test_respond_matches_reference(void **state)
{
	char out[MGR_RESPONSE_HEX + 1];

	assert_int_equal(mgr_auth_respond("secret", 6, MGR_AUTH_CLIENT, challenge, out), 0);
	assert_string_equal(out, client_want);
	assert_int_equal(mgr_auth_respond("secret", 6, MGR_AUTH_SERVER, challenge, out), 0);
	assert_string_equal(out, server_want);
}

static void test_round_trip(void **state)
{
	static const char key[] = "a key\0with a NUL";
	char ch[MGR_CHALLENGE_HEX + 1], resp[MGR_RESPONSE_HEX + 1];

	assert_int_equal(mgr_auth_challenge(ch), 0);
	assert_int_equal(mgr_auth_respond(key, sizeof(key) - 1, MGR_AUTH_CLIENT, ch, resp), 0);
	assert_true(mgr_auth_check(key, sizeof(key) - 1, MGR_AUTH_CLIENT, ch, resp));
	assert_int_equal(mgr_auth_respond(key, sizeof(key) - 1, MGR_AUTH_SERVER, ch, resp), 0);
	assert_true(mgr_auth_check(key, sizeof(key) - 1, MGR_AUTH_SERVER, ch, resp));
	/* The bytes after the NUL are part of the key. */
	assert_false(mgr_auth_check(key, 5, MGR_AUTH_SERVER, ch, resp));
}

static void test_wrong_key_rejected(void **state)
{
	assert_true(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, client_want));
	assert_false(mgr_auth_check("secreT", 6, MGR_AUTH_CLIENT, challenge, client_want));
	assert_false(mgr_auth_check("secret!", 7, MGR_AUTH_CLIENT, challenge, client_want));
}

static void test_wrong_challenge_rejected(void **state)
{
	char other[] = "10112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, other, client_want));
}

/* A client's response handed back as if the server had made it (a peer
 * that reflects our own challenge) must not pass, nor the other way. */
static void test_reflection_rejected(void **state)
{
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_SERVER, challenge, client_want));
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, server_want));
}

static void test_malformed_response_rejected(void **state)
{
	char upper[sizeof(client_want)], s[sizeof(client_want) + 2];
	size_t i;

	for (i = 0; i < sizeof(client_want); i++)
		upper[i] = client_want[i] >= 'a' && client_want[i] <= 'f' ?
			client_want[i] - 'a' + 'A' : client_want[i];
	/* The digits' case does not change the bytes they stand for. */
	assert_true(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, upper));
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, ""));
	memcpy(s, client_want, 63);
	s[63] = '\0';
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, s));
	snprintf(s, sizeof(s), "%s0", client_want);
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, s));
	snprintf(s, sizeof(s), "%s", client_want);
	s[10] = 'g';
	assert_false(mgr_auth_check("secret", 6, MGR_AUTH_CLIENT, challenge, s));
}

/* A temporary key file holding len bytes of data. */
static char *key_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/mgr-test-key.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void read_key_ok(const void *data, size_t len, const void *want, size_t wantlen)
{
	char *path = key_file(data, len), *key = NULL;
	const char *why = NULL;
	size_t n = 0;

	assert_int_equal(mgr_auth_read_key(path, &key, &n, &why), 0);
	assert_int_equal(n, wantlen);
	assert_memory_equal(key, want, wantlen);
	free(key);
	unlink(path);
	free(path);
}

static void read_key_fails(const void *data, size_t len, int want)
{
	char *path = key_file(data, len), *key = NULL;
	const char *why = NULL;
	size_t n = 0;

	assert_int_equal(mgr_auth_read_key(path, &key, &n, &why), want);
	assert_non_null(why);
	assert_null(key);
	unlink(path);
	free(path);
}

static void test_read_key(void **state)
{
	char *big;

	read_key_ok("hunter2hunter2\n", 15, "hunter2hunter2", 14);
	read_key_ok("hunter2hunter2", 14, "hunter2hunter2", 14);
	/* Only one newline goes: the rest is the key. */
	read_key_ok("hunter2hunter2\n\n", 16, "hunter2hunter2\n", 15);
	read_key_ok(" k  k  k \r\n", 11, " k  k  k \r", 10);
	read_key_ok("a\0bcdefgh\n", 10, "a\0bcdefgh", 9);
	read_key_fails("", 0, -EINVAL);
	read_key_fails("\n", 1, -EINVAL);
	big = malloc((64 << 10) + 1);
	assert_non_null(big);
	memset(big, 'k', (64 << 10) + 1);
	read_key_ok(big, 64 << 10, big, 64 << 10);
	read_key_fails(big, (64 << 10) + 1, -EFBIG);
	free(big);
}

/* The shortest key is MGR_AUTH_KEY_MIN bytes, newline not counted. */
static void test_read_key_short(void **state)
{
	read_key_ok("12345678\n", 9, "12345678", 8);
	read_key_ok("12345678", 8, "12345678", 8);
	read_key_fails("1234567\n", 8, -EINVAL);
	read_key_fails("1234567", 7, -EINVAL);
	read_key_fails("k", 1, -EINVAL);
}

/* A key file that anyone but its owner may read or write is refused, as
 * ssh refuses such a private key. */
static void test_read_key_mode(void **state)
{
	static const mode_t open_modes[] = { 0644, 0640, 0604, 0660, 0602, 0620, 0666 };
	char *path = key_file("0123456789abcdef", 16), *key = NULL;
	const char *why = NULL;
	size_t i, n = 0;

	for (i = 0; i < sizeof(open_modes) / sizeof(*open_modes); i++) {
		assert_int_equal(chmod(path, open_modes[i]), 0);
		why = NULL;
		assert_int_equal(mgr_auth_read_key(path, &key, &n, &why), -EACCES);
		assert_non_null(why);
		assert_non_null(strstr(why, "chmod 600"));
		assert_null(key);
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(mgr_auth_read_key(path, &key, &n, &why), 0);
	assert_int_equal(n, 16);
	free(key);
	unlink(path);
	free(path);
}

static void test_read_key_missing(void **state)
{
	const char *why = NULL;
	char *key = NULL;
	size_t n = 0;

	assert_int_equal(mgr_auth_read_key("/nonexistent/mgr-key", &key, &n, &why), -ENOENT);
	assert_non_null(why);
	assert_null(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_is_fresh_hex),
		cmocka_unit_test(test_respond_matches_reference),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_key_rejected),
		cmocka_unit_test(test_wrong_challenge_rejected),
		cmocka_unit_test(test_reflection_rejected),
		cmocka_unit_test(test_malformed_response_rejected),
		cmocka_unit_test(test_read_key),
		cmocka_unit_test(test_read_key_short),
		cmocka_unit_test(test_read_key_mode),
		cmocka_unit_test(test_read_key_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
