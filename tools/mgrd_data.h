/* mgrd's data directory (--data-dir): the glue between the server's
 * journal hooks and core/persist.  See mgrd(8) and mgrfs(7). */
#ifndef MGRD_DATA_H
#define MGRD_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "persist.h"
#include "record.h"
#include "server.h"

/* Load o->dir (when o->dir is set) into the server's store and journal
 * its changes from now on; either way serve "snapshot" requests.  0, or
 * -errno with a message in err. */
int mgrd_data_start(struct mgr_server *srv, const struct mgr_persist_opts *o,
		    struct mgr_persist **out, char *err, size_t errlen);
/* mgrd --check: report on dir; the exit status. */
int mgrd_data_check(const char *dir, bool repair);
/* Before anything is opened: start mgrd again with glibc asking for huge
 * pages for its heap, where the system gives them on request.  Returns
 * only when that is not needed or cannot be done. */
void mgrd_data_huge_pages(char **argv);

#endif
