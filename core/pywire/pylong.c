#include "pylong.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CPython hashes numbers modulo this Mersenne prime (sys.hash_info.modulus
 * on 64-bit builds), so that equal numbers of any type hash alike. */
#define HASH_BITS 61
#define HASH_MOD (((uint64_t)1 << HASH_BITS) - 1)

static int64_t small_of(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_BOOL ? v->u.b : v->u.i.small;
}

static bool is_big(const struct mgr_pyval *v)
{
	return v->kind == MGR_PYVAL_INT && v->u.i.big;
}

size_t mgr_pylong_bytes(const struct mgr_pyval *v, unsigned char buf[MGR_PYLONG_SMALL_MAX],
			const unsigned char **out)
{
	int64_t x;
	size_t n;

	if (is_big(v)) {
		*out = v->u.i.big;
		return v->u.i.nbig;
	}
	x = small_of(v);
	for (n = 0; n < MGR_PYLONG_SMALL_MAX; n++)
		buf[n] = (unsigned char)((uint64_t)x >> (8 * n));
	/* Drop top bytes that only repeat the sign of the byte below. */
	while (n > 1 && ((buf[n - 1] == 0x00 && !(buf[n - 2] & 0x80)) ||
			 (buf[n - 1] == 0xff && (buf[n - 2] & 0x80))))
		n--;
	if (x == 0)
		n = 0;
	*out = buf;
	return n;
}

/* Compare two minimal two's complement numbers of the same sign: the one
 * with more bytes is further from zero; at equal lengths, the top bytes
 * decide, read as unsigned. */
static int bytes_cmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
		     bool negative)
{
	size_t k;

	if (na != nb)
		return (na > nb) != negative ? 1 : -1;
	for (k = na; k-- > 0;)
		if (a[k] != b[k])
			return a[k] > b[k] ? 1 : -1;
	return 0;
}

static int sign_of(const struct mgr_pyval *v)
{
	int64_t x;

	if (is_big(v))
		return v->u.i.big[v->u.i.nbig - 1] & 0x80 ? -1 : 1;
	x = small_of(v);
	return (x > 0) - (x < 0);
}

int mgr_pylong_cmp(const struct mgr_pyval *a, const struct mgr_pyval *b)
{
	unsigned char ba[MGR_PYLONG_SMALL_MAX], bb[MGR_PYLONG_SMALL_MAX];
	const unsigned char *pa, *pb;
	size_t na, nb;
	int sa = sign_of(a), sb = sign_of(b);

	if (!is_big(a) && !is_big(b))
		return (small_of(a) > small_of(b)) - (small_of(a) < small_of(b));
	if (sa != sb)
		return sa > sb ? 1 : -1;
	na = mgr_pylong_bytes(a, ba, &pa);
	nb = mgr_pylong_bytes(b, bb, &pb);
	return bytes_cmp(pa, na, pb, nb, sa < 0);
}

/* The integral double d (|d| >= 2**63) as minimal two's complement in buf,
 * which has room for 1 + 1024 / 8 + 2 bytes; returns the length. */
static size_t double_bytes(double d, unsigned char *buf, size_t room)
{
	int e, shift, k;
	uint64_t m;
	unsigned __int128 w;
	size_t n, i;
	bool neg = d < 0;

	memset(buf, 0, room);
	m = (uint64_t)ldexp(frexp(fabs(d), &e), 53);
	shift = e - 53;
	w = (unsigned __int128)m << (shift % 8);
	for (k = 0; k < 9; k++)
		buf[shift / 8 + k] = (unsigned char)(w >> (8 * k));
	/* One byte more than the magnitude needs leaves room for the sign. */
	n = (size_t)(e / 8 + 2);
	if (neg) {
		unsigned carry = 1;

		for (i = 0; i < n; i++) {
			carry += (unsigned char)~buf[i];
			buf[i] = (unsigned char)carry;
			carry >>= 8;
		}
	}
	while (n > 1 && ((buf[n - 1] == 0x00 && !(buf[n - 2] & 0x80)) ||
			 (buf[n - 1] == 0xff && (buf[n - 2] & 0x80))))
		n--;
	return n;
}

int mgr_pylong_cmp_double(const struct mgr_pyval *a, double d)
{
	unsigned char bd[1024 / 8 + 3], ba[MGR_PYLONG_SMALL_MAX];
	const unsigned char *pa;
	size_t na, nd;
	double t;
	int64_t x, ti;
	int sa, sd;

	if (isnan(d))
		return 2;
	if (isinf(d))
		return d > 0 ? -1 : 1;
	/* Below 2**63 in magnitude, d's integral part fits an int64_t
	 * exactly, and a small int compares with it and then with the
	 * fraction. */
	if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
		if (is_big(a))
			return sign_of(a);
		x = small_of(a);
		t = trunc(d);
		ti = (int64_t)t;
		if (x != ti)
			return x > ti ? 1 : -1;
		return d > t ? -1 : d < t ? 1 : 0;
	}
	/* Beyond that every double is an integer, and further from zero than
	 * any small int: compare as ints. */
	sd = d > 0 ? 1 : -1;
	sa = sign_of(a);
	if (!is_big(a) || sa != sd)
		return sa != sd ? (sa > sd ? 1 : -1) : -sd;
	nd = double_bytes(d, bd, sizeof(bd));
	na = mgr_pylong_bytes(a, ba, &pa);
	return bytes_cmp(pa, na, bd, nd, sa < 0);
}

/* Byte k of the magnitude of the n bytes p of two's complement, where z
 * is the index of p's lowest non-zero byte: negating is inverting and
 * adding one, and the one carries through the zero bytes below z only. */
static unsigned char mag_byte(const unsigned char *p, bool neg, size_t z, size_t k)
{
	if (!neg)
		return p[k];
	if (k < z)
		return 0;
	return k == z ? (unsigned char)-p[k] : (unsigned char)~p[k];
}

static size_t lowest_nonzero(const unsigned char *p, size_t n)
{
	size_t z = 0;

	while (z < n && !p[z])
		z++;
	return z;
}

int64_t mgr_pylong_hash(const struct mgr_pyval *v)
{
	unsigned char buf[MGR_PYLONG_SMALL_MAX];
	const unsigned char *p;
	unsigned __int128 acc;
	uint64_t h = 0;
	size_t n = mgr_pylong_bytes(v, buf, &p), z = lowest_nonzero(p, n), k;
	bool neg = sign_of(v) < 0;
	int64_t r;

	/* Horner's rule from the top byte keeps h below the modulus. */
	for (k = n; k-- > 0;) {
		acc = ((unsigned __int128)h << 8) | mag_byte(p, neg, z, k);
		h = (uint64_t)(acc % HASH_MOD);
	}
	r = neg ? -(int64_t)h : (int64_t)h;
	return r == -1 ? -2 : r;
}

int mgr_pylong_decimal(struct mgr_buf *out, const struct mgr_pyval *v, size_t max_digits)
{
	uint32_t *limbs = NULL, *chunks = NULL;
	size_t n, nl, nc = 0, i, z, digits, len;
	const unsigned char *p;
	bool neg;
	uint64_t rem;
	char tmp[32];
	int r = -ENOMEM;

	if (!is_big(v)) {
		len = (size_t)snprintf(tmp, sizeof(tmp), "%lld", (long long)small_of(v));
		return mgr_buf_append(out, tmp, len);
	}
	/* Each byte is at least 2.4 digits: refuse hopeless ones before
	 * doing quadratic work on them. */
	if (v->u.i.nbig > 2 && (v->u.i.nbig - 2) * 8 * 0.30103 > (double)max_digits)
		return -E2BIG;
	p = v->u.i.big;
	n = v->u.i.nbig;
	z = lowest_nonzero(p, n);
	neg = sign_of(v) < 0;
	nl = (n + 3) / 4;
	limbs = calloc(nl + 1, sizeof(*limbs));
	chunks = malloc((nl * 10 / 9 + 2) * sizeof(*chunks));
	if (!limbs || !chunks)
		goto out;
	for (i = 0; i < n; i++)
		limbs[i / 4] |= (uint32_t)mag_byte(p, neg, z, i) << (8 * (i % 4));
	while (nl && !limbs[nl - 1])
		nl--;
	/* Schoolbook division by 10**9 gives the digits nine at a time, the
	 * lowest first. */
	while (nl) {
		rem = 0;
		for (i = nl; i-- > 0;) {
			uint64_t cur = rem << 32 | limbs[i];

			limbs[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
		}
		chunks[nc++] = (uint32_t)rem;
		while (nl && !limbs[nl - 1])
			nl--;
	}
	digits = (size_t)snprintf(tmp, sizeof(tmp), "%u", chunks[nc - 1]) + 9 * (nc - 1);
	if (digits > max_digits) {
		r = -E2BIG;
		goto out;
	}
	r = mgr_buf_reserve(out, digits + 1);
	if (r < 0)
		goto out;
	if (neg)
		mgr_buf_append(out, "-", 1);
	len = (size_t)snprintf(tmp, sizeof(tmp), "%u", chunks[nc - 1]);
	mgr_buf_append(out, tmp, len);
	for (i = nc - 1; i-- > 0;) {
		len = (size_t)snprintf(tmp, sizeof(tmp), "%09u", chunks[i]);
		mgr_buf_append(out, tmp, len);
	}
	r = 0;
out:
	free(limbs);
	free(chunks);
	return r;
}
