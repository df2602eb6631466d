/* Authentication: an HMAC-SHA256 challenge and response in both
 * directions, as Python's multiprocessing does, over the hello frames (see
 * mgrfs(7)).  Distinct prefixes for the two directions keep a response from
 * being reflected back to its sender. */
#ifndef MGR_AUTH_H
#define MGR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define MGR_CHALLENGE_BYTES 32
#define MGR_CHALLENGE_HEX (2 * MGR_CHALLENGE_BYTES)
#define MGR_RESPONSE_HEX 64

enum mgr_auth_side {
	MGR_AUTH_CLIENT,	/* a response made by the client */
	MGR_AUTH_SERVER,	/* a response made by the server */
};

/* Fill hex (MGR_CHALLENGE_HEX + 1 bytes) with a fresh random challenge
 * from RAND_bytes.  0 or -EIO. */
int mgr_auth_challenge(char *hex);
/* The response side would give to challenge (hex text, as received), into
 * out (MGR_RESPONSE_HEX + 1 bytes).  0 or -EIO. */
int mgr_auth_respond(const void *key, size_t keylen, enum mgr_auth_side side,
		     const char *challenge, char *out);
/* Check a received response in constant time. */
bool mgr_auth_check(const void *key, size_t keylen, enum mgr_auth_side side,
		    const char *challenge, const char *response);

/* The shortest key a key file may hold, in bytes; mgrfs(7) documents it. */
#define MGR_AUTH_KEY_MIN 8

/* Read a key file: its whole content less one trailing newline (at most
 * 64 KiB).  0 and a malloc'd key (NUL-terminated for convenience; the key
 * itself may hold any bytes), or -errno with a message in *err (static).
 * A key shorter than MGR_AUTH_KEY_MIN bytes is -EINVAL, and a file that
 * its group or others may read or write -EACCES. */
int mgr_auth_read_key(const char *file, char **key, size_t *len, const char **err);

#endif
