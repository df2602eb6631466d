/* The hash functions of CPython 3.8+ on 64-bit builds, for pycmp's hash():
 * ints and floats modulo 2**61 - 1, the tuple hash (from xxHash), and
 * SipHash-1-3 for str and bytes as 3.11 and later use it, under a key that
 * is zero (Python's PYTHONHASHSEED=0) until a program sets its own. */
#ifndef MGR_PYHASH_H
#define MGR_PYHASH_H

#include <stddef.h>
#include <stdint.h>

/* Set the 16-byte SipHash key, little-endian k0 then k1 as CPython reads
 * it.  Not thread-safe: call before any hashing. */
void mgr_pyhash_set_key(const unsigned char key[16]);
/* hash(b) of n bytes: 0 for none, -1 becomes -2. */
int64_t mgr_pyhash_bytes(const unsigned char *p, size_t n);
/* hash(s) of a str of n bytes of UTF-8 (surrogatepass), hashed as CPython
 * stores it: one, two or four bytes a code point. */
int64_t mgr_pyhash_str(const unsigned char *p, size_t n);
/* hash(f); NaN hashes to 0, as before CPython 3.10. */
int64_t mgr_pyhash_double(double v);
/* The tuple hash: start with MGR_PYHASH_TUPLE_SEED, take each item's hash
 * with step, finish with the number of items. */
#define MGR_PYHASH_TUPLE_SEED 2870177450012600261ull
uint64_t mgr_pyhash_tuple_step(uint64_t acc, int64_t lane);
int64_t mgr_pyhash_tuple_final(uint64_t acc, size_t n);

#endif
