/* Helpers shared by the cmocka tests of core/pywire. */
#ifndef MGR_PWTEST_H
#define MGR_PWTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bytes that the hex text stands for, into out (room for
 * strlen(hex) / 2); returns their number.  Spaces are skipped so that
 * tests can group bytes as pickletools shows them. */
static inline size_t pw_unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;
	unsigned v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		sscanf(hex, "%2x", &v);
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

/* The same into a malloc'd buffer, freed by the caller. */
static inline unsigned char *pw_unhex_dup(const char *hex, size_t *n)
{
	unsigned char *out = malloc(strlen(hex) / 2 + 1);

	*n = pw_unhex(hex, out);
	return out;
}

#endif
