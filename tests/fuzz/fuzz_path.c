/* libFuzzer target: paths.  A path that parses must be written back from
 * its names with mgr_name_escape, parse again to the same names, and each
 * name must pass mgr_name_check.  Built and run by tests/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "path.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgr_buf b = MGR_BUF_INIT;
	struct mgr_path p, q;
	const char *why = NULL;
	size_t i;

	if (mgr_path_parse((const char *)data, size, &p, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	for (i = 0; i < p.n; i++) {
		if (mgr_name_check(p.names[i].s, p.names[i].len, &why) < 0)
			abort();
		if ((i && mgr_buf_append(&b, "/", 1) < 0) ||
		    mgr_name_escape(p.names[i].s, p.names[i].len, &b) < 0)
			abort();
	}
	if (mgr_path_parse(b.data ? b.data : "", b.len, &q, &why) < 0 || q.n != p.n)
		abort();
	for (i = 0; i < p.n; i++)
		if (q.names[i].len != p.names[i].len ||
		    memcmp(q.names[i].s, p.names[i].s, p.names[i].len) != 0)
			abort();
	mgr_path_release(&q);
	mgr_path_release(&p);
	mgr_buf_release(&b);
	return 0;
}
