/* Value: a value in the tree, any Python value as pyconv.h stores it,
 * with the typecode Python gave kept beside it and never checked, as
 * CPython's manager does not check it. */
#include <errno.h>
#include <string.h>

#include "pyconv.h"
#include "pydict.h"
#include "pyops.h"
#include "pyreply.h"
#include "pyrepr.h"

/* ---- Value ---- */

static int v_get(struct pycall *x)
{
	struct mgr_pyval *v;
	int r;

	if (!pycall_no_args(x))
		return 0;
	r = pyconv_value(x->a, x->o->u.value, &v);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

static int v_set(struct pycall *x)
{
	static const char *const names[] = { "value" };
	struct mgr_pyval *a[1];
	struct mgr_datum *d;
	int r;

	if (!pycall_args(x, "set", names, 1, 1, a))
		return 0;
	pyops_mark_refs(x, a[0]);
	r = pyconv_datum(a[0], &d);
	if (r == -EFBIG)
		return pycall_raise(x, "builtins", "MemoryError", "a value larger than mgrd keeps");
	if (r < 0)
		return pycall_fail(x, r);
	mgr_value_set(x->ps->srv->store, x->o, d);
	return pycall_return_none(x);
}

/* The typecode Python gave, or None. */
static struct mgr_pyval *typecode(struct pycall *x)
{
	struct mgr_pyval *tc;

	if (!x->ent || !x->ent->typecode || pyconv_value(x->a, x->ent->typecode, &tc) < 0)
		return mgr_pyval_none();
	return tc;
}

/* "Value('i', 5)", as managers.Value prints itself. */
static int v_repr(struct pycall *x, struct mgr_buf *out)
{
	struct mgr_pyval *v;
	int r = pyconv_value(x->a, x->o->u.value, &v);

	if (!r)
		r = mgr_buf_append(out, "Value(", 6);
	if (!r)
		r = mgr_pyrepr(out, typecode(x));
	if (!r)
		r = mgr_buf_append(out, ", ", 2);
	if (!r)
		r = mgr_pyrepr(out, v);
	return r ? r : mgr_buf_append(out, ")", 1);
}

static int v_getvalue(struct pycall *x)
{
	struct mgr_pyval *v, *tc, *state, *k, *obj;
	int r = pyconv_value(x->a, x->o->u.value, &v);

	if (r < 0)
		return pycall_fail(x, r);
	tc = typecode(x);
	if (tc->kind == MGR_PYVAL_STR && strlen((const char *)tc->u.s.data) == tc->u.s.len) {
		obj = mgr_pyreply_value(x->a, (const char *)tc->u.s.data, v);
		return obj ? pycall_return(x, obj) : pycall_fail(x, -ENOMEM);
	}
	/* Any other typecode: the same object, built by hand. */
	state = mgr_pyval_new(x->a, MGR_PYVAL_DICT, 2);
	obj = mgr_pyreply_value(x->a, "?", v);
	k = mgr_pyval_cstr(x->a, "_typecode");
	if (!state || !obj || !k || mgr_pydict_set(x->a, state, k, tc) < 0 ||
	    !(k = mgr_pyval_cstr(x->a, "_value")) || mgr_pydict_set(x->a, state, k, v) < 0)
		return pycall_fail(x, -ENOMEM);
	obj->u.obj.state = state;
	return pycall_return(x, obj);
}

static const struct pymethod value_methods[] = {
	{ "get", v_get }, { "set", v_set },
	{ NULL, NULL },
};

const struct pytype pyops_value = {
	.name = "Value", .proxy = "ValueProxy", .typeid = "Value", .methods = value_methods,
	.repr = v_repr, .getvalue = v_getvalue,
};

