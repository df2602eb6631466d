#include "pydict.h"

#include <errno.h>
#include <string.h>

#include "pycmp.h"

static size_t entry_size(const struct mgr_pyval *c)
{
	return c->kind == MGR_PYVAL_DICT ? 2 : 1;
}

/* Put position p, whose key hashes to h, into the first free slot. */
static void index_put(struct mgr_pyval_seq *q, size_t p, int64_t h)
{
	size_t mask = q->nslots - 1, i;
	uint64_t perturb = (uint64_t)h;

	for (i = (size_t)h & mask; q->slots[i]; i = mgr_pyval_probe(i, &perturb, mask))
		;
	q->slots[i] = (uint32_t)(p + 1);
}

/* Build the index afresh with room for want keys, at most half full so
 * that probes stay short. */
static int index_build(struct mgr_pyarena *a, struct mgr_pyval_seq *q, size_t want)
{
	size_t n = 8, p;
	uint32_t *slots;

	while (n < 2 * want) {
		if (n > SIZE_MAX / 4 / sizeof(*slots))
			return -ENOMEM;
		n *= 2;
	}
	slots = mgr_pyarena_alloc(a, n * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots, 0, n * sizeof(*slots));
	q->slots = slots;
	q->nslots = n;
	for (p = 0; p < q->len; p++)
		index_put(q, p, q->hashes[p]);
	return 0;
}

/* Make room for one more entry in items, hashes and index. */
static int make_room(struct mgr_pyarena *a, struct mgr_pyval *c)
{
	struct mgr_pyval_seq *q = &c->u.seq;
	size_t want = q->len + 1, cap;
	int64_t *hashes;
	int r;

	/* Positions are stored as 32 bits in the index. */
	if (want >= UINT32_MAX)
		return -ENOMEM;
	r = mgr_pyval_reserve(a, c, want * entry_size(c));
	if (r < 0)
		return r;
	if (want > q->hcap) {
		cap = q->hcap ? 2 * q->hcap : 8;
		hashes = mgr_pyarena_alloc(a, cap * sizeof(*hashes));
		if (!hashes)
			return -ENOMEM;
		if (q->len)
			memcpy(hashes, q->hashes, q->len * sizeof(*hashes));
		q->hashes = hashes;
		q->hcap = cap;
	}
	if (2 * want > q->nslots)
		return index_build(a, q, want);
	return 0;
}

static int insert(struct mgr_pyarena *a, struct mgr_pyval *c, struct mgr_pyval *key,
		  struct mgr_pyval *value, int64_t h)
{
	struct mgr_pyval_seq *q = &c->u.seq;
	size_t p = q->len, k = p * entry_size(c);
	int r;

	r = make_room(a, c);
	if (r < 0)
		return r;
	q->items[k] = key;
	if (value)
		q->items[k + 1] = value;
	q->hashes[p] = h;
	q->len++;
	index_put(q, p, h);
	return 0;
}

int mgr_pydict_set_hashed(struct mgr_pyarena *a, struct mgr_pyval *d, struct mgr_pyval *key,
			  int64_t h, struct mgr_pyval *value)
{
	size_t pos;
	int r;

	r = mgr_pycmp_find(d, key, h, &pos);
	if (r < 0)
		return r;
	if (r) {
		MGR_PYDICT_VALUE(d, pos) = value;
		return 0;
	}
	return insert(a, d, key, value, h);
}

int mgr_pydict_add_hashed(struct mgr_pyarena *a, struct mgr_pyval *s, struct mgr_pyval *item,
			  int64_t h)
{
	size_t pos;
	int r;

	r = mgr_pycmp_find(s, item, h, &pos);
	if (r)
		return r < 0 ? r : 0;
	r = insert(a, s, item, NULL, h);
	return r < 0 ? r : 1;
}

int mgr_pydict_set(struct mgr_pyarena *a, struct mgr_pyval *d, struct mgr_pyval *key,
		   struct mgr_pyval *value)
{
	int64_t h;
	int r = mgr_pycmp_hash(key, &h);

	return r < 0 ? r : mgr_pydict_set_hashed(a, d, key, h, value);
}

int mgr_pydict_add(struct mgr_pyarena *a, struct mgr_pyval *s, struct mgr_pyval *item)
{
	int64_t h;
	int r = mgr_pycmp_hash(item, &h);

	return r < 0 ? r : mgr_pydict_add_hashed(a, s, item, h);
}

int mgr_pydict_find(const struct mgr_pyval *c, const struct mgr_pyval *key, size_t *pos)
{
	int64_t h;
	int r = mgr_pycmp_hash(key, &h);

	return r < 0 ? r : mgr_pycmp_find(c, key, h, pos);
}

int mgr_pydict_remove(struct mgr_pyarena *a, struct mgr_pyval *c, size_t pos)
{
	struct mgr_pyval_seq *q = &c->u.seq;
	size_t es = entry_size(c), after = q->len - pos - 1;

	memmove(&q->items[pos * es], &q->items[(pos + 1) * es], after * es * sizeof(*q->items));
	memmove(&q->hashes[pos], &q->hashes[pos + 1], after * sizeof(*q->hashes));
	q->len--;
	/* Every later position moved down by one, so the index is made
	 * again; it never needs more room than it had. */
	memset(q->slots, 0, q->nslots * sizeof(*q->slots));
	for (pos = 0; pos < q->len; pos++)
		index_put(q, pos, q->hashes[pos]);
	return 0;
}
