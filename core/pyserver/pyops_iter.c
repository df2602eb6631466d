/* The Iterator a dict's __iter__ makes (SPEC §3.5): a list of the dict's
 * keys in the tree, taken one at a time, which ends as a dict's key
 * iterator does when the dict changes size. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "list.h"
#include "pyconv.h"
#include "pykey.h"
#include "pyops.h"

int pyops_make_iter(struct pycall *x, struct mgr_obj *dict, struct pyent **out)
{
	struct mgr_pyval *keys, *k;
	struct pyent *src = pyops_hold(x, dict);
	struct mgr_obj *c, *o;
	yajl_val res;
	char *path;
	int r;

	keys = mgr_pyval_new(x->a, MGR_PYVAL_LIST, mgr_obj_nchildren(dict));
	if (!keys || !src)
		return -ENOMEM;
	for (c = mgr_obj_first_child(dict), r = 0; c && !r; c = c->next) {
		r = pykey_key(x->a, c, &k);
		if (!r)
			r = mgr_pyval_append(x->a, keys, k);
	}
	if (!r)
		r = pyops_new_path(x, "Iterator");
	path = r ? NULL : strdup(x->ps->path.data);
	if (!path)
		return r ? r : -ENOMEM;
	r = pycall_req(x, "create", path);
	if (!r)
		r = mgr_json_kv_str(pycall_gen(x), "type", "list");
	if (!r)
		r = pycall_run(x, &res);
	if (!r) {
		yajl_tree_free(res);
		r = pyops_adopt(x, path, "Iterator", out);
	}
	free(path);
	if (r < 0)
		return r;
	o = (*out)->obj;
	(*out)->kind = PYENT_ITER;
	(*out)->src_ident = strdup(src->ident);
	(*out)->src_size = mgr_obj_nchildren(dict);
	r = (*out)->src_ident ? pyops_list_fill(x, o, keys) : -ENOMEM;
	return r;
}

static int it_next(struct pycall *x)
{
	struct pyent *src;
	struct mgr_pyval *v;
	int r;

	if (!pycall_no_args(x))
		return 0;
	src = x->ent->src_ident ? pyreg_get(x->ps->reg, x->ent->src_ident,
					    strlen(x->ent->src_ident)) : NULL;
	if (!x->ent->exhausted && src && src->obj && mgr_obj_nchildren(src->obj) != x->ent->src_size) {
		x->ent->exhausted = true;
		return pycall_runtime_error(x, "dictionary changed size during iteration");
	}
	if (x->ent->exhausted || !mgr_list_len(x->o)) {
		x->ent->exhausted = true;
		return pycall_raise_args(x, "builtins", "StopIteration", NULL);
	}
	r = pyconv_value(x->a, mgr_list_item(x->o, 0), &v);
	if (!r)
		r = mgr_list_splice(x->ps->srv->store, x->o, 0, 1, NULL, 0);
	return r < 0 ? pycall_fail(x, r) : pycall_return(x, v);
}

/* send, throw and close: a dict's key iterator has none of them, which
 * CPython's server answers with a traceback. */
static int it_none(struct pycall *x)
{
	return pycall_traceback(x, "AttributeError",
				"'dict_keyiterator' object has no attribute '%s'", x->method);
}

static const struct pymethod iter_methods[] = {
	{ "__next__", it_next }, { "send", it_none }, { "throw", it_none }, { "close", it_none },
	{ NULL, NULL },
};

const struct pytype pyops_iter = {
	.name = "dict_keyiterator", .proxy = "IteratorProxy", .typeid = "Iterator",
	.methods = iter_methods,
};
