#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define MAC_BYTES 32
/* A key file is a secret, not a document: anything bigger is a mistake. */
#define KEY_FILE_MAX (64 << 10)
/* A number in a message's text. */
#define TEXT(n) TEXT_(n)
#define TEXT_(n) #n

static const char *const side_prefix[] = {
	[MGR_AUTH_CLIENT] = "mgrfs-client:",
	[MGR_AUTH_SERVER] = "mgrfs-server:",
};

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode exactly 2n hex digits; -EINVAL on anything else. */
static int hex_decode(const char *in, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (strlen(in) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		hi = hex_digit(in[2 * i]);
		lo = hex_digit(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

int mgr_auth_challenge(char *hex)
{
	unsigned char raw[MGR_CHALLENGE_BYTES];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	hex_encode(raw, sizeof(raw), hex);
	return 0;
}

/* HMAC-SHA256(key, prefix of side + challenge) into mac. */
static int auth_mac(const void *key, size_t keylen, enum mgr_auth_side side,
		    const char *challenge, unsigned char mac[MAC_BYTES])
{
	const char *prefix = side_prefix[side];
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *hmac;
	size_t maclen;
	int r = -EIO;

	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac)
		return -EIO;
	ctx = EVP_MAC_CTX_new(hmac);
	if (!ctx)
		goto out_mac;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)prefix, strlen(prefix)) != 1 ||
	    EVP_MAC_update(ctx, (const unsigned char *)challenge, strlen(challenge)) != 1 ||
	    EVP_MAC_final(ctx, mac, &maclen, MAC_BYTES) != 1 || maclen != MAC_BYTES)
		goto out_ctx;
	r = 0;
out_ctx:
	EVP_MAC_CTX_free(ctx);
out_mac:
	EVP_MAC_free(hmac);
	return r;
}

int mgr_auth_respond(const void *key, size_t keylen, enum mgr_auth_side side,
		     const char *challenge, char *out)
{
	unsigned char mac[MAC_BYTES];
	int r;

	r = auth_mac(key, keylen, side, challenge, mac);
	if (r < 0)
		return r;
	hex_encode(mac, sizeof(mac), out);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

bool mgr_auth_check(const void *key, size_t keylen, enum mgr_auth_side side,
		    const char *challenge, const char *response)
{
	unsigned char want[MAC_BYTES], got[MAC_BYTES];
	bool ok = false;

	/* The response is compared as bytes, not as text, so the case of
	 * its hex digits does not matter; its length is no secret. */
	if (hex_decode(response, got, sizeof(got)) < 0)
		return false;
	if (auth_mac(key, keylen, side, challenge, want) < 0)
		return false;
	ok = CRYPTO_memcmp(want, got, sizeof(want)) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int mgr_auth_read_key(const char *file, char **key, size_t *len, const char **err)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t got;
	int fd, r;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		*err = "cannot open the key file";
		return r;
	}
	/* A key others can read is no longer a secret, and one they can
	 * write is not ours: as ssh does with a private key, it is refused
	 * rather than used with a warning nobody reads.  The descriptor is
	 * what is checked, so the file cannot change in between. */
	if (fstat(fd, &st) < 0) {
		r = -errno;
		*err = "cannot read the key file";
		goto out_close;
	}
	if (st.st_mode & 077) {
		r = -EACCES;
		*err = "other users can read or write the key file: make it private "
		       "to its owner (chmod 600)";
		goto out_close;
	}
	/* One byte more than the limit tells an oversized file apart. */
	buf = malloc(KEY_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		*err = "out of memory";
		goto out_close;
	}
	for (;;) {
		got = read(fd, buf + n, KEY_FILE_MAX + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			*err = "cannot read the key file";
			goto out_free;
		}
		if (got == 0)
			break;
		n += got;
		if (n > KEY_FILE_MAX)
			break;
	}
	if (n > KEY_FILE_MAX) {
		r = -EFBIG;
		*err = "the key file is larger than 64 KiB";
		goto out_free;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n == 0) {
		r = -EINVAL;
		*err = "the key file is empty";
		goto out_free;
	}
	/* A key of a byte or two is a mistake (a stray newline, a test's
	 * placeholder), and one overheard exchange is enough to guess it.
	 * Length is all a reader can check; keys should be random. */
	if (n < MGR_AUTH_KEY_MIN) {
		r = -EINVAL;
		*err = "the key is shorter than " TEXT(MGR_AUTH_KEY_MIN) " bytes: make one "
		       "with 'head -c 32 /dev/urandom | base64 > FILE'";
		goto out_free;
	}
	buf[n] = '\0';
	*key = buf;
	*len = n;
	close(fd);
	return 0;
out_free:
	OPENSSL_cleanse(buf, KEY_FILE_MAX + 1);
	free(buf);
out_close:
	close(fd);
	return r;
}
