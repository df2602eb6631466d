#include "pyreply.h"

#include <errno.h>
#include <string.h>

#include "pydict.h"
#include "pyenc.h"

/* Replies are made of the caller's values and a few nodes that live only
 * while the pickle is written, so those are kept on the stack rather than
 * in an arena. */
static struct mgr_pyval stack_str(const char *s, size_t len)
{
	struct mgr_pyval v = { .kind = MGR_PYVAL_STR };

	v.u.s.data = (unsigned char *)s;
	v.u.s.len = len;
	return v;
}

static struct mgr_pyval stack_tuple(struct mgr_pyval **items, size_t n)
{
	struct mgr_pyval v = { .kind = MGR_PYVAL_TUPLE };

	v.u.seq.items = items;
	v.u.seq.len = v.u.seq.cap = n;
	return v;
}

int mgr_pyreply(struct mgr_buf *out, const char *kind, const struct mgr_pyval *payload)
{
	struct mgr_pyval k = stack_str(kind, strlen(kind));
	struct mgr_pyval *items[2] = { &k, (struct mgr_pyval *)payload };
	struct mgr_pyval pair = stack_tuple(items, 2);

	return mgr_pyenc_value(out, &pair);
}

int mgr_pyreply_return(struct mgr_buf *out, const struct mgr_pyval *v)
{
	return mgr_pyreply(out, MGR_PYREPLY_RETURN, v);
}

int mgr_pyreply_error(struct mgr_buf *out, const char *module, const char *name,
		      const struct mgr_pyval *args)
{
	struct mgr_pyval func = { .kind = MGR_PYVAL_GLOBAL }, none = stack_tuple(NULL, 0);
	struct mgr_pyval exc = { .kind = MGR_PYVAL_OBJECT };

	func.u.g.module = module;
	func.u.g.module_len = strlen(module);
	func.u.g.name = name;
	func.u.g.name_len = strlen(name);
	exc.u.obj.how = MGR_PYVAL_REDUCE;
	exc.u.obj.func = &func;
	exc.u.obj.args = args ? (struct mgr_pyval *)args : &none;
	return mgr_pyreply(out, MGR_PYREPLY_ERROR, &exc);
}

int mgr_pyreply_error_msg(struct mgr_buf *out, const char *module, const char *name,
			  const char *msg)
{
	struct mgr_pyval m = stack_str(msg, strlen(msg));
	struct mgr_pyval *items[1] = { &m };
	struct mgr_pyval args = stack_tuple(items, 1);

	return mgr_pyreply_error(out, module, name, &args);
}

int mgr_pyreply_text(struct mgr_buf *out, const char *kind, const char *text, size_t len)
{
	struct mgr_pyval t = stack_str(text, len);

	return mgr_pyreply(out, kind, &t);
}

int mgr_pyreply_proxy(struct mgr_buf *out, const struct mgr_pyval *exposed,
		      const struct mgr_pyval *token)
{
	struct mgr_pyval *items[2] = { (struct mgr_pyval *)exposed, (struct mgr_pyval *)token };
	struct mgr_pyval pair = stack_tuple(items, 2);

	return mgr_pyreply(out, MGR_PYREPLY_PROXY, &pair);
}

static struct mgr_pyval *global(struct mgr_pyarena *a, const char *module, const char *name)
{
	return mgr_pyval_global(a, module, strlen(module), name, strlen(name));
}

/* module.name(*args) by REDUCE; NULL args mean an earlier allocation
 * failed. */
static struct mgr_pyval *reduce(struct mgr_pyarena *a, const char *module, const char *name,
				struct mgr_pyval *args)
{
	struct mgr_pyval *func = global(a, module, name);

	if (!func || !args)
		return NULL;
	return mgr_pyval_object(a, MGR_PYVAL_REDUCE, func, args, NULL);
}

struct mgr_pyval *mgr_pyreply_exception(struct mgr_pyarena *a, const char *module,
					const char *name, struct mgr_pyval *args)
{
	return reduce(a, module, name, args ? args : mgr_pyval_tuple(a, 0, NULL));
}

/* cls() made by NEWOBJ and given state by BUILD, which is how protocol 2
 * and later pickle an instance of a plain class. */
static struct mgr_pyval *instance(struct mgr_pyarena *a, const char *name, struct mgr_pyval *state)
{
	struct mgr_pyval *cls = global(a, "multiprocessing.managers", name);
	struct mgr_pyval *none = mgr_pyval_tuple(a, 0, NULL), *obj;

	if (!cls || !none || !state)
		return NULL;
	obj = mgr_pyval_object(a, MGR_PYVAL_NEWOBJ, cls, none, NULL);
	if (obj)
		obj->u.obj.state = state;
	return obj;
}

struct mgr_pyval *mgr_pyreply_token(struct mgr_pyarena *a, const char *typeid,
				    struct mgr_pyval *address, const char *id)
{
	struct mgr_pyval *parts[3] = { mgr_pyval_cstr(a, typeid), address, mgr_pyval_cstr(a, id) };

	if (!parts[0] || !address || !parts[2])
		return NULL;
	return instance(a, "Token", mgr_pyval_tuple(a, 3, parts));
}

struct mgr_pyval *mgr_pyreply_value(struct mgr_pyarena *a, const char *typecode,
				    struct mgr_pyval *value)
{
	struct mgr_pyval *state = mgr_pyval_new(a, MGR_PYVAL_DICT, 2);
	struct mgr_pyval *k1 = mgr_pyval_cstr(a, "_typecode"), *k2 = mgr_pyval_cstr(a, "_value");
	struct mgr_pyval *tc = mgr_pyval_cstr(a, typecode);

	if (!state || !k1 || !k2 || !tc || !value || mgr_pydict_set(a, state, k1, tc) < 0 ||
	    mgr_pydict_set(a, state, k2, value) < 0)
		return NULL;
	return instance(a, "Value", state);
}

struct mgr_pyval *mgr_pyreply_namespace(struct mgr_pyarena *a, struct mgr_pyval *state)
{
	return instance(a, "Namespace", state);
}

struct mgr_pyval *mgr_pyreply_array(struct mgr_pyarena *a, const char *typecode,
				    const void *raw, size_t n)
{
	struct mgr_pyval *parts[2] = {
		mgr_pyval_cstr(a, typecode), mgr_pyval_bytes(a, MGR_PYVAL_BYTES, raw, n),
	};

	if (!parts[0] || !parts[1])
		return NULL;
	return reduce(a, "array", "array", mgr_pyval_tuple(a, 2, parts));
}

struct mgr_pyval *mgr_pyreply_call(struct mgr_pyarena *a, const char *name, struct mgr_pyval *seq)
{
	return seq ? reduce(a, "builtins", name, mgr_pyval_tuple(a, 1, &seq)) : NULL;
}

struct mgr_pyval *mgr_pyreply_strs(struct mgr_pyarena *a, const char *const *names, size_t n)
{
	struct mgr_pyval *t = mgr_pyval_new(a, MGR_PYVAL_TUPLE, n), *s;
	size_t i;

	for (i = 0; t && i < n; i++) {
		s = mgr_pyval_cstr(a, names[i]);
		if (!s || mgr_pyval_append(a, t, s) < 0)
			return NULL;
	}
	return t;
}
