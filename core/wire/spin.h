/* Brief polling before sleeping.  On a local socket an answer often comes
 * back sooner than the kernel can put a thread to sleep and wake it again,
 * so a caller that expects one polls for up to MGR_SPIN_NS first.  A poll
 * that finds nothing makes the caller skip the next 1, 2, 4 ... 64 chances
 * to poll, so where answers are slow (an idle peer, more processes than
 * cores) polling costs almost nothing. */
#ifndef MGR_SPIN_H
#define MGR_SPIN_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define MGR_SPIN_NS 30000

struct mgr_spin {
	unsigned skip;		/* chances to poll left to skip */
	unsigned misses;	/* polls in a row that found nothing */
};

static inline uint64_t mgr_spin_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Whether to poll this time. */
static inline bool mgr_spin_begin(struct mgr_spin *s)
{
	if (!s->skip)
		return true;
	s->skip--;
	return false;
}

/* What the poll found. */
static inline void mgr_spin_end(struct mgr_spin *s, bool found)
{
	if (found) {
		s->misses = 0;
		return;
	}
	s->skip = 1u << s->misses;
	if (s->misses < 6)
		s->misses++;
}

#endif
