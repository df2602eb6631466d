#include "slice.h"

#include <errno.h>
#include <stdbool.h>

#include "json.h"

size_t mgr_slice_at(const struct mgr_slice *s, size_t k)
{
	return (size_t)(s->start + (int64_t)k * s->step);
}

/* One bound, adjusted as Python does: negative counts from the end, and
 * what falls outside is clamped (to -1 and len - 1 going backwards). */
static int64_t slice_bound(int64_t v, int64_t len, int64_t step)
{
	if (v < 0) {
		v = v < -len ? -1 : v + len;
		if (v < 0)
			v = step < 0 ? -1 : 0;
	} else if (v >= len) {
		v = step < 0 ? len - 1 : len;
	}
	return v;
}

int mgr_slice_arg(struct mgr_call *c, size_t len, struct mgr_slice *s)
{
	static const char *const keys[] = { "start", "stop", "step" };
	int64_t v[3] = { 0, 0, 1 };
	bool given[3];
	int i, r;

	for (i = 0; i < 3; i++) {
		r = mgr_json_get_i64(c->args, keys[i], &v[i]);
		if (r == -EINVAL)
			return mgr_call_err(c, -EINVAL, "\"%s\" must be an integer", keys[i]);
		given[i] = r == 0;
	}
	if (v[2] == 0)
		return mgr_call_err(c, -EINVAL, "slice step cannot be zero");
	/* -INT64_MIN does not exist; any step past the length is alike. */
	s->step = v[2] < -INT64_MAX ? -INT64_MAX : v[2];
	s->start = given[0] ? slice_bound(v[0], (int64_t)len, s->step) :
		   s->step < 0 ? (int64_t)len - 1 : 0;
	v[1] = given[1] ? slice_bound(v[1], (int64_t)len, s->step) :
	       s->step < 0 ? -1 : (int64_t)len;
	s->n = 0;
	if (s->step > 0 && s->start < v[1])
		s->n = (size_t)((v[1] - s->start - 1) / s->step + 1);
	else if (s->step < 0 && v[1] < s->start)
		s->n = (size_t)((s->start - v[1] - 1) / -s->step + 1);
	return 0;
}

int mgr_slice_given(struct mgr_call *c)
{
	bool slice = mgr_json_get(c->args, "start") || mgr_json_get(c->args, "stop") ||
		     mgr_json_get(c->args, "step");

	if (slice && mgr_json_get(c->args, "index"))
		return mgr_call_err(c, -EINVAL, "give \"index\" or a slice, not both");
	return slice;
}

size_t mgr_slice_up(const struct mgr_slice *s, size_t k)
{
	return mgr_slice_at(s, s->step > 0 ? k : s->n - 1 - k);
}
