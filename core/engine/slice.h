/* Slices of lists and arrays, as Python's: "start", "stop" and "step" in
 * a request, each missing or null for None, made into the indices
 * slice.indices() gives. */
#ifndef MGR_SLICE_H
#define MGR_SLICE_H

#include <stddef.h>
#include <stdint.h>

#include "call.h"

/* The n indices start, start + step, ... of a sequence. */
struct mgr_slice {
	int64_t start, step;
	size_t n;
};

/* Whether the request names a slice (1) or not (0); -EINVAL with a
 * message when it gives both an "index" and a slice. */
int mgr_slice_given(struct mgr_call *c);
/* The request's slice of a sequence of len items; -EINVAL with a message
 * for a step of zero or bounds that are not integers. */
int mgr_slice_arg(struct mgr_call *c, size_t len, struct mgr_slice *s);
/* The k-th index, in the slice's order. */
size_t mgr_slice_at(const struct mgr_slice *s, size_t k);
/* The k-th index in increasing order. */
size_t mgr_slice_up(const struct mgr_slice *s, size_t k);

#endif
