#include "pyauth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pyframe.h"

/* The digests CPython 3.12 allows (connection._ALLOWED_DIGESTS), with
 * OpenSSL's names for them. */
static const struct digest {
	const char *name;
	const char *ossl;
	size_t len;
} digests[] = {
	{ "md5", "MD5", 16 },
	{ "sha256", "SHA256", 32 },
	{ "sha384", "SHA384", 48 },
	{ "sha3_256", "SHA3-256", 32 },
	{ "sha3_384", "SHA3-384", 48 },
};
#define NDIGESTS (sizeof(digests) / sizeof(digests[0]))
#define MD5 (&digests[0])
/* The longest name, which bounds where the closing brace may be. */
#define NAME_MAX_LEN 8

static int pyauth_hmac(const struct digest *d, const void *key, size_t keylen,
		       const void *data, size_t len, unsigned char *mac)
{
	static const unsigned char none;
	size_t maclen = 0;

	/* OpenSSL wants a key pointer even for an empty key, which Python
	 * allows: a manager started with authkey=b'' still authenticates. */
	if (!EVP_Q_mac(NULL, "HMAC", NULL, d->ossl, NULL, keylen ? key : &none, keylen,
		       data, len, mac, d->len, &maclen) || maclen != d->len)
		return -EIO;
	return 0;
}

/* Split a challenge message or an answer as CPython's
 * _get_digest_name_and_payload does: 16 or 20 bytes are legacy MD5 and all
 * payload; otherwise "{name}" and the payload behind it. */
static int split(const unsigned char *msg, size_t len, const struct digest **d, size_t *off,
		 bool *legacy)
{
	const unsigned char *curly;
	size_t i, n;

	*legacy = len == 16 || len == 20;
	if (*legacy) {
		*d = MD5;
		*off = 0;
		return 0;
	}
	if (len < 2 || msg[0] != '{')
		return -EPROTO;
	curly = memchr(msg + 1, '}', len - 1 < NAME_MAX_LEN + 1 ? len - 1 : NAME_MAX_LEN + 1);
	if (!curly)
		return -EPROTO;
	n = (size_t)(curly - msg) - 1;
	for (i = 0; i < NDIGESTS; i++) {
		if (strlen(digests[i].name) == n && !memcmp(msg + 1, digests[i].name, n)) {
			*d = &digests[i];
			*off = n + 2;
			return 0;
		}
	}
	return -EPROTO;
}

int mgr_pyauth_challenge(bool legacy, unsigned char out[MGR_PYAUTH_CHALLENGE_MAX], size_t *len)
{
	static const char modern[] = MGR_PYAUTH_CHALLENGE "{sha256}";
	size_t head = legacy ? MGR_PYAUTH_CHALLENGE_LEN : sizeof(modern) - 1;
	size_t nonce = legacy ? MGR_PYAUTH_LEGACY_NONCE : MGR_PYAUTH_NONCE;

	memcpy(out, modern, head);
	if (RAND_bytes(out + head, (int)nonce) != 1)
		return -EIO;
	*len = head + nonce;
	return 0;
}

int mgr_pyauth_verify(const void *key, size_t keylen, const void *m, size_t mlen,
		      const void *resp, size_t rlen)
{
	unsigned char want[EVP_MAX_MD_SIZE];
	const struct digest *d;
	size_t off;
	bool legacy;
	int r;

	r = split(resp, rlen, &d, &off, &legacy);
	if (r < 0)
		return r;
	/* A 20-byte answer passes for MD5 by its length and then fails on
	 * it, as in CPython. */
	if (rlen - off != d->len)
		return -EPROTO;
	r = pyauth_hmac(d, key, keylen, m, mlen, want);
	if (r < 0)
		return r;
	r = CRYPTO_memcmp(want, (const unsigned char *)resp + off, d->len) ? -EACCES : 0;
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}

int mgr_pyauth_answer(const void *key, size_t keylen, const void *challenge, size_t len,
		      unsigned char out[MGR_PYAUTH_RESPONSE_MAX], size_t *outlen)
{
	const unsigned char *m = (const unsigned char *)challenge + MGR_PYAUTH_CHALLENGE_LEN;
	const struct digest *d;
	size_t off, head = 0;
	bool legacy;
	int r;

	if (len < MGR_PYAUTH_CHALLENGE_LEN ||
	    memcmp(challenge, MGR_PYAUTH_CHALLENGE, MGR_PYAUTH_CHALLENGE_LEN))
		return -EPROTO;
	len -= MGR_PYAUTH_CHALLENGE_LEN;
	r = split(m, len, &d, &off, &legacy);
	if (r < 0)
		return r;
	/* The MAC covers the whole message, "{name}" included; the answer
	 * names its digest unless the challenge was a legacy one. */
	if (!legacy) {
		head = off;
		memcpy(out, m, head);
	}
	r = pyauth_hmac(d, key, keylen, m, len, out + head);
	if (r < 0)
		return r;
	*outlen = head + d->len;
	return 0;
}

int mgr_pyauth_server_init(struct mgr_pyauth_server *s, const void *key, size_t keylen,
			   bool legacy, struct mgr_buf *out)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->step = MGR_PYAUTH_FAILED;
	s->key = malloc(keylen ? keylen : 1);
	if (!s->key)
		return -ENOMEM;
	if (keylen)
		memcpy(s->key, key, keylen);
	s->keylen = keylen;
	r = mgr_pyauth_challenge(legacy, s->challenge, &s->challenge_len);
	if (r < 0)
		return r;
	r = mgr_pyframe_append(out, s->challenge, s->challenge_len);
	if (r < 0)
		return r;
	s->step = MGR_PYAUTH_WAIT_ANSWER;
	return 0;
}

static int verdict(struct mgr_buf *out, bool ok)
{
	return mgr_pyframe_append(out, ok ? MGR_PYAUTH_WELCOME : MGR_PYAUTH_FAILURE,
				  MGR_PYAUTH_VERDICT_LEN);
}

int mgr_pyauth_server_feed(struct mgr_pyauth_server *s, const void *payload, size_t len,
			   struct mgr_buf *out)
{
	const unsigned char *m = s->challenge + MGR_PYAUTH_CHALLENGE_LEN;
	unsigned char resp[MGR_PYAUTH_RESPONSE_MAX];
	enum mgr_pyauth_step at = s->step;
	size_t rlen;
	int r, ok;

	if (at == MGR_PYAUTH_DONE || at == MGR_PYAUTH_FAILED)
		return -EINVAL;
	s->step = MGR_PYAUTH_FAILED;
	if (len > MGR_PYFRAME_HANDSHAKE_MAX)
		return -EMSGSIZE;
	switch (at) {
	case MGR_PYAUTH_WAIT_ANSWER:
		/* CPython answers #FAILURE# to a wrong answer and to one it
		 * cannot read alike. */
		ok = mgr_pyauth_verify(s->key, s->keylen, m,
				       s->challenge_len - MGR_PYAUTH_CHALLENGE_LEN, payload, len);
		if (ok == -EIO)
			return ok;
		if ((r = verdict(out, ok == 0)) < 0)
			return r;
		if (ok < 0)
			return -EACCES;
		s->step = MGR_PYAUTH_WAIT_CHALLENGE;
		return 0;
	case MGR_PYAUTH_WAIT_CHALLENGE:
		r = mgr_pyauth_answer(s->key, s->keylen, payload, len, resp, &rlen);
		if (r == 0)
			r = mgr_pyframe_append(out, resp, rlen);
		if (r < 0)
			return r;
		s->step = MGR_PYAUTH_WAIT_VERDICT;
		return 0;
	case MGR_PYAUTH_WAIT_VERDICT:
		if (len != MGR_PYAUTH_VERDICT_LEN || memcmp(payload, MGR_PYAUTH_WELCOME, len))
			return -EACCES;
		s->step = MGR_PYAUTH_DONE;
		return 1;
	default:
		return -EINVAL;
	}
}

void mgr_pyauth_server_release(struct mgr_pyauth_server *s)
{
	if (s->key) {
		OPENSSL_cleanse(s->key, s->keylen);
		free(s->key);
	}
	OPENSSL_cleanse(s->challenge, sizeof(s->challenge));
	memset(s, 0, sizeof(*s));
	s->step = MGR_PYAUTH_FAILED;
}
