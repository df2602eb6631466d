/* The replies a manager sends to Python clients, and the values that go in
 * them, in the shapes CPython's clients expect (python-wire/SPEC.md §3.2,
 * §3.6, §4.4).
 *
 * The writers append one pickle (unframed: see pyframe.h) to out and
 * return 0, -ENOMEM or -ELOOP, leaving out unchanged on failure; they
 * borrow their arguments.  The builders return nodes in arena a, or NULL
 * when out of memory; the values passed in become their parts. */
#ifndef MGR_PYREPLY_H
#define MGR_PYREPLY_H

#include <stddef.h>

#include "buf.h"
#include "pyval.h"

#define MGR_PYREPLY_RETURN "#RETURN"
#define MGR_PYREPLY_ERROR "#ERROR"
#define MGR_PYREPLY_TRACEBACK "#TRACEBACK"
#define MGR_PYREPLY_UNSERIALIZABLE "#UNSERIALIZABLE"
#define MGR_PYREPLY_PROXY "#PROXY"

/* (kind, payload). */
int mgr_pyreply(struct mgr_buf *out, const char *kind, const struct mgr_pyval *payload);
/* ('#RETURN', v); ('#RETURN', None) is 80 04 8c 07 "#RETURN" 4e 86 2e. */
int mgr_pyreply_return(struct mgr_buf *out, const struct mgr_pyval *v);
/* ('#ERROR', module.name(*args)), which the client raises: args is a tuple,
 * or NULL for none, e.g. ("_queue", "Empty", NULL). */
int mgr_pyreply_error(struct mgr_buf *out, const char *module, const char *name,
		      const struct mgr_pyval *args);
/* ('#ERROR', module.name(msg)) with one str argument, as
 * KeyError('popitem(): dictionary is empty'). */
int mgr_pyreply_error_msg(struct mgr_buf *out, const char *module, const char *name,
			  const char *msg);
/* (kind, text) for '#TRACEBACK' and '#UNSERIALIZABLE', whose payload must be
 * a str: text is UTF-8 of len bytes. */
int mgr_pyreply_text(struct mgr_buf *out, const char *kind, const char *text, size_t len);
/* ('#PROXY', (exposed, token)): exposed a tuple of str, token from
 * mgr_pyreply_token. */
int mgr_pyreply_proxy(struct mgr_buf *out, const struct mgr_pyval *exposed,
		      const struct mgr_pyval *token);

/* module.name(*args) as an exception instance (or any REDUCE); args NULL
 * for (). */
struct mgr_pyval *mgr_pyreply_exception(struct mgr_pyarena *a, const char *module,
					const char *name, struct mgr_pyval *args);
/* multiprocessing.managers.Token(typeid, address, id): NEWOBJ then BUILD
 * of the state tuple, as CPython pickles it; address is what the client
 * gave (a (host, port) tuple or a path str). */
struct mgr_pyval *mgr_pyreply_token(struct mgr_pyarena *a, const char *typeid,
				    struct mgr_pyval *address, const char *id);
/* multiprocessing.managers.Value with state {'_typecode': typecode,
 * '_value': value}, what #GETVALUE of a Value returns. */
struct mgr_pyval *mgr_pyreply_value(struct mgr_pyarena *a, const char *typecode,
				    struct mgr_pyval *value);
/* multiprocessing.managers.Namespace with the dict state as attributes. */
struct mgr_pyval *mgr_pyreply_namespace(struct mgr_pyarena *a, struct mgr_pyval *state);
/* array.array(typecode, raw): raw is the items in native machine layout. */
struct mgr_pyval *mgr_pyreply_array(struct mgr_pyarena *a, const char *typecode,
				    const void *raw, size_t n);
/* builtins.<name>(seq): "list" is how CPython sends dict views, "iter" an
 * iterator over a snapshot. */
struct mgr_pyval *mgr_pyreply_call(struct mgr_pyarena *a, const char *name, struct mgr_pyval *seq);
/* A tuple of the n strs in names, as an exposed tuple. */
struct mgr_pyval *mgr_pyreply_strs(struct mgr_pyarena *a, const char *const *names, size_t n);

#endif
