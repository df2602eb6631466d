/* UTF-8 as RFC 3629 defines it, strictly: no overlong forms, no encoded
 * surrogates, nothing past U+10FFFF.  JSON text, names and generated
 * strings are all held to it, so that whatever the manager accepts it can
 * also write back, and a peer reads it as the same characters. */
#ifndef MGR_UTF8_H
#define MGR_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1 to 4) of the valid sequence at the start of s, which has n
 * bytes (n > 0), or 0 when it is malformed or cut short. */
size_t mgr_utf8_seq(const unsigned char *s, size_t n);

/* Whether all len bytes of s are valid UTF-8. */
bool mgr_utf8_valid(const char *s, size_t len);

/* Write code point cp (at most U+10FFFF, not a surrogate) to out, which
 * has room for 4 bytes; returns the number of bytes written. */
size_t mgr_utf8_encode(uint32_t cp, char *out);

#endif
