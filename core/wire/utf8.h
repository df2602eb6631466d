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

/* U+DC80 to U+DCFF, the lone surrogates that Python's surrogateescape
 * (os.fsdecode) makes of bytes that are not UTF-8, stand for those bytes:
 * a name may hold them (path.h), and so may a JSON string, where they are
 * the escapes \udc80 to \udcff, as Python's json module writes them.
 * They are kept as UTF-8 would encode them (ED B2 80 to ED B3 BF), which is
 * not UTF-8 to mgr_utf8_seq.  The byte that the one at s (n bytes left)
 * stands for, or -1 when s does not start with one. */
int mgr_utf8_escaped_byte(const unsigned char *s, size_t n);

/* Write code point cp (at most U+10FFFF, not a surrogate) to out, which
 * has room for 4 bytes; returns the number of bytes written. */
size_t mgr_utf8_encode(uint32_t cp, char *out);

#endif
