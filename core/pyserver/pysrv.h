/* What a Python request does once decoded: a server function (create,
 * incref, decref, accept_connection..., SPEC §3.3), or a method of an
 * object on a persistent connection (serve_client, §3.4). */
#ifndef MGR_PYSRV_H
#define MGR_PYSRV_H

#include <stdbool.h>

#include "pycall.h"

/* The server function x->method with x->args and x->kwds; *persistent
 * is set when it was accept_connection.  0 (replied) always. */
int pysrv_function(struct pycall *x, bool *persistent);
/* The method x->method of the object named ident: 0 (replied) or
 * PYCALL_PARKED. */
int pysrv_method(struct pycall *x, const struct mgr_pyval *ident);

#endif
