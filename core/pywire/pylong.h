/* Python ints of any size (pyval.h's MGR_PYVAL_INT, and bool, which is an
 * int in Python): the little arithmetic that equality, hashing, repr and
 * the encoder need, on the two's complement bytes pickles carry. */
#ifndef MGR_PYLONG_H
#define MGR_PYLONG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pyval.h"

/* Most bytes an int in int64_t range takes as minimal two's complement. */
#define MGR_PYLONG_SMALL_MAX 8

/* The minimal little-endian two's complement of int or bool v, as LONG1 and
 * LONG4 want it (0 is no bytes): returns the length and sets *out to
 * either v's own bytes or buf. */
size_t mgr_pylong_bytes(const struct mgr_pyval *v, unsigned char buf[MGR_PYLONG_SMALL_MAX],
			const unsigned char **out);
/* Compare two ints or bools: -1, 0 or 1. */
int mgr_pylong_cmp(const struct mgr_pyval *a, const struct mgr_pyval *b);
/* Compare int or bool a with d exactly, as Python does (2**53 + 1 is not
 * 2.0**53): -1, 0, 1, or 2 when d is a NaN and nothing holds. */
int mgr_pylong_cmp_double(const struct mgr_pyval *a, double d);
/* hash(v) as CPython computes it for an int: v modulo 2**61 - 1 with v's
 * sign, -1 becoming -2. */
int64_t mgr_pylong_hash(const struct mgr_pyval *v);
/* Append v's decimal digits, with '-' when negative.  CPython 3.11 and
 * later refuse ints of more than 4300 digits (ValueError) because the
 * conversion is quadratic; so does this, with -E2BIG when v has more than
 * max_digits.  0, -E2BIG or -ENOMEM. */
#define MGR_PYLONG_DIGITS_MAX 4300
int mgr_pylong_decimal(struct mgr_buf *out, const struct mgr_pyval *v, size_t max_digits);

#endif
