/* The authentication handshake of Python's multiprocessing.connection
 * (python-wire/SPEC.md §2), which every manager connection starts with,
 * whatever the key, even an empty one.
 *
 * Each side sends "#CHALLENGE#" and a message, and the other answers with
 * an HMAC of the whole message under the shared key, then hears "#WELCOME#"
 * or "#FAILURE#".  CPython 3.8 to 3.11 send 20 random bytes and answer with
 * a raw 16-byte HMAC-MD5; 3.12 and later send "{sha256}" and 40 bytes and
 * answer "{name}" and the HMAC under the digest the message named.  Either
 * kind of client answers either kind of challenge, so the server sends the
 * modern one and accepts both answers, and answers each client in the
 * digest its challenge declares (a FIPS-mode client cannot check MD5).
 *
 * The server's half is a small state machine: frames' payloads in, whole
 * frames (pyframe.h) out; it only computes, the caller does the I/O. */
#ifndef MGR_PYAUTH_H
#define MGR_PYAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define MGR_PYAUTH_CHALLENGE "#CHALLENGE#"
#define MGR_PYAUTH_WELCOME "#WELCOME#"
#define MGR_PYAUTH_FAILURE "#FAILURE#"
#define MGR_PYAUTH_CHALLENGE_LEN 11
#define MGR_PYAUTH_VERDICT_LEN 9
/* Random bytes in a modern and in a legacy challenge. */
#define MGR_PYAUTH_NONCE 40
#define MGR_PYAUTH_LEGACY_NONCE 20
/* Room for any challenge this side makes and any answer it gives. */
#define MGR_PYAUTH_CHALLENGE_MAX 64
#define MGR_PYAUTH_RESPONSE_MAX 64

/* A challenge frame's payload into out, with *len set: "#CHALLENGE#{sha256}"
 * and 40 random bytes, or with legacy "#CHALLENGE#" and 20 (which every
 * client answers too).  0 or -EIO when no randomness could be had. */
int mgr_pyauth_challenge(bool legacy, unsigned char out[MGR_PYAUTH_CHALLENGE_MAX], size_t *len);
/* Check the answer resp (rlen bytes) to challenge message m (mlen bytes,
 * what followed "#CHALLENGE#"), in constant time: 16 bytes are a raw
 * HMAC-MD5, "{name}mac" an HMAC under md5, sha256, sha384, sha3_256 or
 * sha3_384.  0 when right, -EACCES when wrong, -EPROTO when resp is no
 * answer CPython could give (its length or digest), -EIO. */
int mgr_pyauth_verify(const void *key, size_t keylen, const void *m, size_t mlen,
		      const void *resp, size_t rlen);
/* The answer to a challenge frame's payload, into out with *outlen set: a
 * raw HMAC-MD5 for a 16 or 20-byte message, else "{name}" and the HMAC
 * under the digest the message names.  0, -EPROTO when the payload is no
 * challenge (no "#CHALLENGE#", or a message with neither form), -EIO. */
int mgr_pyauth_answer(const void *key, size_t keylen, const void *challenge, size_t len,
		      unsigned char out[MGR_PYAUTH_RESPONSE_MAX], size_t *outlen);

/* The server's six frames: it sends a challenge, reads the answer and
 * sends its verdict; then it reads the client's challenge, answers it and
 * reads the client's verdict. */
enum mgr_pyauth_step {
	MGR_PYAUTH_WAIT_ANSWER,
	MGR_PYAUTH_WAIT_CHALLENGE,
	MGR_PYAUTH_WAIT_VERDICT,
	MGR_PYAUTH_DONE,
	MGR_PYAUTH_FAILED,
};

/* Fields are the machine's own; callers may read step. */
struct mgr_pyauth_server {
	enum mgr_pyauth_step step;
	unsigned char challenge[MGR_PYAUTH_CHALLENGE_MAX];
	size_t challenge_len;
	unsigned char *key;	/* a copy, wiped on release */
	size_t keylen;
};

/* Start: copy the key, and append the challenge frame to out.  0, -ENOMEM
 * or -EIO; release the machine in every case. */
int mgr_pyauth_server_init(struct mgr_pyauth_server *s, const void *key, size_t keylen,
			   bool legacy, struct mgr_buf *out);
/* Give the machine the payload of the next frame the client sent (read
 * with MGR_PYFRAME_HANDSHAKE_MAX); any frame to send back is appended to
 * out.  Returns 0 when it wants the next frame, 1 when both sides are
 * authenticated, or, with the connection to be closed once out is sent:
 * -EACCES when the client's answer was wrong ("#FAILURE#" is in out) or the
 * client refused ours; -EPROTO when a frame is not what the handshake
 * allows; -EMSGSIZE for a frame over 256 bytes; -EINVAL after the end;
 * -ENOMEM, -EIO. */
int mgr_pyauth_server_feed(struct mgr_pyauth_server *s, const void *payload, size_t len,
			   struct mgr_buf *out);
void mgr_pyauth_server_release(struct mgr_pyauth_server *s);

#endif
