#include "pyhash.h"

#include <math.h>

#include "pyval.h"

#define HASH_BITS 61
#define HASH_MOD (((uint64_t)1 << HASH_BITS) - 1)
#define HASH_INF 314159

/* The constants of CPython's tuple hash: xxHash's primes. */
#define XXPRIME_1 11400714785074694791ull
#define XXPRIME_2 14029467366897019727ull
#define XXPRIME_5 MGR_PYHASH_TUPLE_SEED

static uint64_t sip_k0, sip_k1;

void mgr_pyhash_set_key(const unsigned char key[16])
{
	int i;

	sip_k0 = sip_k1 = 0;
	for (i = 7; i >= 0; i--) {
		sip_k0 = sip_k0 << 8 | key[i];
		sip_k1 = sip_k1 << 8 | key[8 + i];
	}
}

struct sip {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;
	size_t len;
};

static uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static void sip_round(struct sip *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13) ^ s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16) ^ s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21) ^ s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17) ^ s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void sip_init(struct sip *s)
{
	s->v0 = sip_k0 ^ 0x736f6d6570736575ull;
	s->v1 = sip_k1 ^ 0x646f72616e646f6dull;
	s->v2 = sip_k0 ^ 0x6c7967656e657261ull;
	s->v3 = sip_k1 ^ 0x7465646279746573ull;
	s->tail = 0;
	s->len = 0;
}

/* Feed bytes one at a time: str hashing produces them from code points
 * on the fly, so a word-at-a-time interface would need a copy. */
static void sip_byte(struct sip *s, unsigned char b)
{
	s->tail |= (uint64_t)b << (8 * (s->len & 7));
	if ((++s->len & 7) == 0) {
		s->v3 ^= s->tail;
		sip_round(s);
		s->v0 ^= s->tail;
		s->tail = 0;
	}
}

/* Finish as CPython's _Py_HashBytes does: no bytes hash to 0, -1 is -2. */
static int64_t sip_final(struct sip *s)
{
	uint64_t b = s->tail | (uint64_t)s->len << 56;
	int64_t h;

	if (!s->len)
		return 0;
	s->v3 ^= b;
	sip_round(s);
	s->v0 ^= b;
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	h = (int64_t)(s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
	return h == -1 ? -2 : h;
}

int64_t mgr_pyhash_bytes(const unsigned char *p, size_t n)
{
	struct sip s;
	size_t i;

	sip_init(&s);
	for (i = 0; i < n; i++)
		sip_byte(&s, p[i]);
	return sip_final(&s);
}

/* CPython hashes a str's code points as it stores them: one byte each when
 * all are below 256, two below 65536, else four, in native (little-endian
 * here) order. */
int64_t mgr_pyhash_str(const unsigned char *p, size_t n)
{
	uint32_t cp, max = 0;
	size_t i, k, width;
	struct sip s;

	for (i = 0; i < n;) {
		i += mgr_pyval_utf8_next(p + i, n - i, &cp);
		if (cp > max)
			max = cp;
	}
	width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
	sip_init(&s);
	for (i = 0; i < n;) {
		i += mgr_pyval_utf8_next(p + i, n - i, &cp);
		for (k = 0; k < width; k++)
			sip_byte(&s, (unsigned char)(cp >> (8 * k)));
	}
	return sip_final(&s);
}

int64_t mgr_pyhash_double(double v)
{
	uint64_t x = 0, y;
	double m;
	int e, sign = 1;

	if (isinf(v))
		return v > 0 ? HASH_INF : -HASH_INF;
	if (isnan(v))
		return 0;
	m = frexp(v, &e);
	if (m < 0) {
		sign = -1;
		m = -m;
	}
	/* Take the mantissa 28 bits at a time, multiplying by 2**28 modulo
	 * the prime as a rotation of 61 bits, then the exponent likewise. */
	while (m) {
		x = ((x << 28) & HASH_MOD) | x >> (HASH_BITS - 28);
		m *= 268435456.0;
		e -= 28;
		y = (uint64_t)m;
		m -= (double)y;
		x += y;
		if (x >= HASH_MOD)
			x -= HASH_MOD;
	}
	e = e >= 0 ? e % HASH_BITS : HASH_BITS - 1 - ((-1 - e) % HASH_BITS);
	x = ((x << e) & HASH_MOD) | x >> (HASH_BITS - e);
	x *= (uint64_t)(int64_t)sign;
	return (int64_t)x == -1 ? -2 : (int64_t)x;
}

uint64_t mgr_pyhash_tuple_step(uint64_t acc, int64_t lane)
{
	acc += (uint64_t)lane * XXPRIME_2;
	acc = rotl(acc, 31);
	return acc * XXPRIME_1;
}

int64_t mgr_pyhash_tuple_final(uint64_t acc, size_t n)
{
	acc += n ^ (XXPRIME_5 ^ 3527539ull);
	return acc == UINT64_MAX ? 1546275796 : (int64_t)acc;
}
