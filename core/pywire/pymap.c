#include "pymap.h"

#include <errno.h>
#include <stdlib.h>

void mgr_pymap_init(struct mgr_pymap *m)
{
	m->slots = NULL;
	m->len = m->cap = 0;
}

void mgr_pymap_release(struct mgr_pymap *m)
{
	free(m->slots);
	mgr_pymap_init(m);
}

/* Addresses are aligned, so their low bits carry nothing; a multiplicative
 * hash spreads the rest over the table. */
static size_t pymap_home(const void *key, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 32) & (cap - 1);
}

static struct mgr_pymap_slot *pymap_find(const struct mgr_pymap *m, const void *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = pymap_home(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->slots[i].key == key || !m->slots[i].key)
			return &m->slots[i];
	}
}

int mgr_pymap_get(const struct mgr_pymap *m, const void *key, uintptr_t *val)
{
	struct mgr_pymap_slot *s = pymap_find(m, key);

	if (!s || !s->key)
		return 0;
	*val = s->val;
	return 1;
}

static int pymap_grow(struct mgr_pymap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 64, i;
	struct mgr_pymap_slot *old = m->slots, *s;
	struct mgr_pymap old_map = *m;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	for (i = 0; i < old_map.cap; i++) {
		if (!old[i].key)
			continue;
		s = pymap_find(m, old[i].key);
		*s = old[i];
	}
	free(old);
	return 0;
}

uintptr_t *mgr_pymap_slot(struct mgr_pymap *m, const void *key, int *added)
{
	struct mgr_pymap_slot *s;

	*added = 0;
	/* Keeping the table at most half full keeps probes short. */
	if (2 * (m->len + 1) > m->cap && pymap_grow(m) < 0)
		return NULL;
	s = pymap_find(m, key);
	if (!s->key) {
		s->key = key;
		s->val = 0;
		m->len++;
		*added = 1;
	}
	return &s->val;
}
