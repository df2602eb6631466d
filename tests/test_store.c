#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"

/* Changes the hook heard, as "what:path" lines. */
struct events {
	char text[8192];
	int n;
};

static void record(void *arg, struct mgr_obj *o, enum mgr_change what)
{
	static const char *names[] = { "create", "update", "delete", "move" };
	struct events *ev = arg;
	struct mgr_buf b = MGR_BUF_INIT;
	size_t used = strlen(ev->text);

	assert_int_equal(mgr_obj_path(o, &b), 0);
	snprintf(ev->text + used, sizeof(ev->text) - used, "%s:%.*s\n", names[what],
		 (int)b.len, b.data ? b.data : "");
	ev->n++;
	mgr_buf_release(&b);
}

static struct mgr_obj *lookup(struct mgr_store *s, const char *path, int *err)
{
	struct mgr_obj *o = NULL;
	struct mgr_path p;
	const char *why;

	assert_int_equal(mgr_path_parse(path, strlen(path), &p, &why), 0);
	*err = mgr_store_lookup(s, &p, &o);
	mgr_path_release(&p);
	return *err ? NULL : o;
}

static struct mgr_obj *must(struct mgr_store *s, const char *path)
{
	int err;
	struct mgr_obj *o = lookup(s, path, &err);

	assert_int_equal(err, 0);
	return o;
}

static struct mgr_obj *mk(struct mgr_store *s, struct mgr_obj *dir, const char *name,
			  enum mgr_type_id t)
{
	struct mgr_obj *o = NULL;

	assert_int_equal(mgr_obj_new(s, dir, name, strlen(name), t, &o), 0);
	if (t == MGR_VALUE)
		o->u.value = mgr_datum_new(MGR_DATUM_JSON, "null", 4);
	mgr_store_changed(s, o, MGR_CHANGE_CREATE);
	return o;
}

static void test_new_free(void **state)
{
	struct mgr_store *s = mgr_engine_new();
	struct mgr_obj *root;

	assert_non_null(s);
	root = mgr_store_root(s);
	assert_int_equal(root->type, MGR_NAMESPACE);
	assert_null(root->parent);
	assert_int_equal(root->namelen, 0);
	assert_true(root->version > 0);
	assert_int_equal(mgr_obj_nchildren(root), 0);
	assert_null(mgr_obj_first_child(root));
	assert_null(mgr_obj_last_child(root));
	assert_non_null(mgr_store_waits(s));
	assert_true(must(s, "") == root);
	mgr_engine_free(s);
	mgr_engine_free(NULL);
	mgr_store_free(NULL);
}

static void test_types(void **state)
{
	const char *names[] = { "namespace", "dict", "list", "value", "array", "queue", "lock",
				"rlock", "semaphore", "bsemaphore", "event", "condition", "barrier" };
	int t;

	for (t = 0; t < MGR_NTYPES; t++) {
		assert_non_null(mgr_types[t]);
		assert_string_equal(mgr_type_name(t), names[t]);
		assert_int_equal(mgr_type_by_name(names[t]), t);
	}
	/* Python's own spelling works too. */
	assert_int_equal(mgr_type_by_name("Value"), MGR_VALUE);
	assert_int_equal(mgr_type_by_name("BoundedSemaphore"), MGR_BSEMAPHORE);
	assert_int_equal(mgr_type_by_name("JoinableQueue"), MGR_QUEUE);
	assert_int_equal(mgr_type_by_name("tuple"), -EINVAL);
	assert_int_equal(mgr_type_by_name(""), -EINVAL);
}

static void test_children(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *o, *d;
	char name[32];
	int i, err;

	d = mk(s, root, "d", MGR_DICT);
	assert_int_equal(mgr_obj_new(s, root, "d", 1, MGR_VALUE, &o), -EEXIST);
	assert_int_equal(mgr_obj_new(s, root, "..", 2, MGR_VALUE, &o), -EINVAL);
	assert_int_equal(mgr_obj_new(s, root, "", 0, MGR_VALUE, &o), -EINVAL);
	o = mk(s, d, "v", MGR_VALUE);
	assert_int_equal(mgr_obj_new(s, o, "x", 1, MGR_VALUE, &o), -ENOTDIR);

	/* Enough children to grow the table many times, then shrink it. */
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		mk(s, d, name, MGR_VALUE);
	}
	assert_int_equal(mgr_obj_nchildren(d), 5001);
	for (i = 0; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "k%d", i);
		o = mgr_obj_child(d, name, strlen(name));
		assert_non_null(o);
		assert_int_equal(mgr_obj_delete(s, o, false), 0);
		assert_null(mgr_obj_child(d, name, strlen(name)));
	}
	for (i = 1; i < 4990; i += 2) {
		snprintf(name, sizeof(name), "k%d", i);
		assert_int_equal(mgr_obj_delete(s, mgr_obj_child(d, name, strlen(name)), false), 0);
	}
	assert_int_equal(mgr_obj_nchildren(d), 6);
	/* What is left is still found, in insertion order. */
	o = mgr_obj_first_child(d);
	assert_string_equal(o->name, "v");
	assert_null(o->prev);
	for (i = 4991; i < 5000; i += 2) {
		o = o->next;
		snprintf(name, sizeof(name), "k%d", i);
		assert_string_equal(o->name, name);
		assert_true(mgr_obj_child(d, name, strlen(name)) == o);
	}
	assert_null(o->next);
	assert_true(mgr_obj_last_child(d) == o);
	assert_null(mgr_obj_child(d, "k4", 2));
	/* Names are compared whole: a prefix is another name. */
	assert_null(mgr_obj_child(d, "k499", 4));
	assert_non_null(mgr_obj_child(d, "k4999", 5));

	assert_null(lookup(s, "nope", &err));
	assert_int_equal(err, -ENOENT);
	assert_null(lookup(s, "d/v/x", &err));
	assert_int_equal(err, -ENOTDIR);
	assert_null(lookup(s, "d/nope/x", &err));
	assert_int_equal(err, -ENOENT);
	assert_true(must(s, "/d/k4999") == mgr_obj_last_child(d));
	mgr_store_free(s);
}

static void test_lookup_parent(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *d, *o;
	struct mgr_path p;
	const char *why;

	d = mk(s, root, "d", MGR_NAMESPACE);
	mk(s, d, "v", MGR_VALUE);
	assert_int_equal(mgr_path_parse("d/new", 5, &p, &why), 0);
	assert_int_equal(mgr_store_lookup_parent(s, &p, &o), 0);
	assert_true(o == d);
	mgr_path_release(&p);
	assert_int_equal(mgr_path_parse("d/v/new", 7, &p, &why), 0);
	assert_int_equal(mgr_store_lookup_parent(s, &p, &o), -ENOTDIR);
	mgr_path_release(&p);
	assert_int_equal(mgr_path_parse("x/new", 5, &p, &why), 0);
	assert_int_equal(mgr_store_lookup_parent(s, &p, &o), -ENOENT);
	mgr_path_release(&p);
	assert_int_equal(mgr_path_parse("top", 3, &p, &why), 0);
	assert_int_equal(mgr_store_lookup_parent(s, &p, &o), 0);
	assert_true(o == root);
	mgr_path_release(&p);
	assert_int_equal(mgr_path_parse("", 0, &p, &why), 0);
	assert_int_equal(mgr_store_lookup_parent(s, &p, &o), -EINVAL);
	mgr_store_free(s);
}

static void test_versions_and_hook(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *d, *v;
	struct events ev = { "", 0 };
	uint64_t before;

	mgr_store_set_hook(s, record, &ev);
	before = root->version;
	d = mk(s, root, "a/b", MGR_DICT);
	/* Creating a child is a change of its parent. */
	assert_true(d->version > before);
	assert_true(root->version > d->version);
	v = mk(s, d, "v", MGR_VALUE);
	before = v->version;
	mgr_value_set(s, v, mgr_datum_new(MGR_DATUM_JSON, "1", 1));
	assert_true(v->version > before);
	assert_string_equal(v->u.value->data, "1");
	assert_string_equal(ev.text, "create:a%2Fb\nupdate:\ncreate:a%2Fb/v\nupdate:a%2Fb\n"
			    "update:a%2Fb/v\n");

	/* Versions come from one counter: a re-created object is newer. */
	before = v->version;
	assert_int_equal(mgr_obj_delete(s, v, false), 0);
	v = mk(s, d, "v", MGR_VALUE);
	assert_true(v->version > before);

	mgr_store_set_hook(s, NULL, NULL);
	ev.n = 0;
	mk(s, d, "quiet", MGR_VALUE);
	assert_int_equal(ev.n, 0);
	mgr_store_free(s);
}

static void test_delete(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *a, *b;
	struct events ev = { "", 0 };
	int err;

	a = mk(s, root, "a", MGR_NAMESPACE);
	b = mk(s, a, "b", MGR_DICT);
	mk(s, b, "v1", MGR_VALUE);
	mk(s, b, "v2", MGR_VALUE);
	mk(s, a, "l", MGR_LIST);
	mk(s, root, "after", MGR_VALUE);

	assert_int_equal(mgr_obj_delete(s, root, true), -EBUSY);
	assert_int_equal(mgr_obj_delete(s, a, false), -ENOTEMPTY);
	assert_non_null(must(s, "a/b/v2"));

	mgr_store_set_hook(s, record, &ev);
	assert_int_equal(mgr_obj_delete(s, a, true), 0);
	/* Each object is announced while it is still there, the parent
	 * once the child is gone. */
	assert_string_equal(ev.text, "delete:a\ndelete:a/b\ndelete:a/b/v1\ndelete:a/b/v2\n"
			    "delete:a/l\nupdate:\n");
	assert_null(lookup(s, "a", &err));
	assert_null(lookup(s, "a/b/v1", &err));
	assert_int_equal(mgr_obj_nchildren(root), 1);
	assert_string_equal(mgr_obj_first_child(root)->name, "after");

	/* An empty container goes without recursive. */
	a = mk(s, root, "empty", MGR_DICT);
	assert_int_equal(mgr_obj_delete(s, a, false), 0);
	mgr_store_free(s);
}

static void test_rename(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *a, *b, *v, *w, *o;
	struct events ev = { "", 0 };
	char longname[MGR_NAME_MAX + 1];
	uint64_t before;
	int err;

	a = mk(s, root, "a", MGR_DICT);
	b = mk(s, root, "b", MGR_DICT);
	v = mk(s, a, "v", MGR_VALUE);
	mk(s, a, "x", MGR_VALUE);
	w = mk(s, b, "w", MGR_VALUE);

	/* Within a container: the same object, a new name. */
	mgr_store_set_hook(s, record, &ev);
	before = v->version;
	assert_int_equal(mgr_obj_rename(s, v, a, "u", 1), 0);
	assert_string_equal(ev.text, "move:a/v\nupdate:a\ncreate:a/u\nupdate:a\n");
	mgr_store_set_hook(s, NULL, NULL);
	assert_true(must(s, "a/u") == v);
	assert_true(v->version > before);
	assert_null(lookup(s, "a/v", &err));
	/* A renamed object goes to the end of the order. */
	assert_string_equal(mgr_obj_last_child(a)->name, "u");

	/* Over an existing value, into another container. */
	assert_int_equal(mgr_obj_rename(s, v, b, "w", 1), 0);
	assert_true(must(s, "b/w") == v);
	assert_int_equal(mgr_obj_nchildren(b), 1);
	assert_int_equal(mgr_obj_nchildren(a), 1);
	(void)w;

	/* Onto itself: nothing happens. */
	before = v->version;
	assert_int_equal(mgr_obj_rename(s, v, b, "w", 1), 0);
	assert_int_equal(v->version, before);

	/* Kinds must match. */
	o = mk(s, root, "full", MGR_DICT);
	mk(s, o, "child", MGR_VALUE);
	mk(s, root, "emptydir", MGR_NAMESPACE);
	assert_int_equal(mgr_obj_rename(s, v, root, "emptydir", 8), -EISDIR);
	assert_int_equal(mgr_obj_rename(s, a, b, "w", 1), -ENOTDIR);
	assert_int_equal(mgr_obj_rename(s, a, root, "full", 4), -ENOTEMPTY);
	assert_int_equal(mgr_obj_rename(s, a, a, "self", 4), -EINVAL);
	assert_int_equal(mgr_obj_rename(s, o, must(s, "full"), "in", 2), -EINVAL);
	assert_int_equal(mgr_obj_rename(s, root, a, "r", 1), -EBUSY);
	assert_int_equal(mgr_obj_rename(s, a, v, "r", 1), -ENOTDIR);
	assert_int_equal(mgr_obj_rename(s, a, root, "..", 2), -EINVAL);
	/* A container replaces an empty one. */
	assert_int_equal(mgr_obj_rename(s, a, root, "emptydir", 8), 0);
	assert_non_null(must(s, "emptydir/x"));

	/* A long new name may move the object: its children follow. */
	memset(longname, 'L', MGR_NAME_MAX);
	o = must(s, "full");
	assert_int_equal(mgr_obj_rename(s, o, root, longname, MGR_NAME_MAX), 0);
	o = mgr_obj_child(root, longname, MGR_NAME_MAX);
	assert_non_null(o);
	assert_int_equal(o->namelen, MGR_NAME_MAX);
	assert_true(mgr_obj_first_child(o)->parent == o);
	assert_true(mgr_obj_child(o, "child", 5)->parent == o);
	assert_true(mgr_obj_last_child(root) == o);
	mgr_store_free(s);
}

static void test_depth_limit(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *d = root, *top = NULL, *o;
	int i;

	for (i = 0; i < MGR_PATH_DEPTH_MAX; i++) {
		d = mk(s, d, "d", MGR_NAMESPACE);
		if (!top)
			top = d;
	}
	assert_int_equal(mgr_obj_new(s, d, "x", 1, MGR_VALUE, &o), -ENAMETOOLONG);
	/* Nor can a rename hang a tree below itself deeper than that. */
	o = mk(s, root, "sub", MGR_DICT);
	mk(s, o, "leaf", MGR_VALUE);
	assert_int_equal(mgr_obj_rename(s, o, d, "sub", 3), -ENAMETOOLONG);
	assert_int_equal(mgr_obj_rename(s, top, root, "top2", 4), 0);
	mgr_store_free(s);
}

static void test_path(void **state)
{
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *root = mgr_store_root(s), *o;
	struct mgr_buf b = MGR_BUF_INIT;

	assert_int_equal(mgr_obj_path(root, &b), 0);
	assert_int_equal(b.len, 0);
	o = mk(s, root, "a/b", MGR_DICT);
	o = mk(s, o, "50%", MGR_DICT);
	o = mk(s, o, "c", MGR_VALUE);
	assert_int_equal(mgr_obj_path(o, &b), 0);
	assert_int_equal(b.len, strlen("a%2Fb/50%25/c"));
	assert_memory_equal(b.data, "a%2Fb/50%25/c", b.len);
	mgr_buf_release(&b);
	/* And the path leads back to it. */
	assert_true(must(s, "a%2Fb/50%25/c") == o);
	mgr_store_free(s);
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* A million 16-byte keys with 16-byte JSON string values, in one dict. */
static void test_memory_per_key(void **state)
{
	const size_t n = 1000000;
	struct mgr_store *s = mgr_store_new();
	struct mgr_obj *d, *o;
	char name[17], value[19];
	size_t before, after, i;
	double per_key;

	d = mk(s, mgr_store_root(s), "big", MGR_DICT);
	before = heap_in_use();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "key-%012zu", i);
		snprintf(value, sizeof(value), "\"val-%012zu\"", i);
		assert_int_equal(mgr_obj_new(s, d, name, 16, MGR_VALUE, &o), 0);
		o->u.value = mgr_datum_new(MGR_DATUM_JSON, value, 18);
		mgr_store_changed(s, o, MGR_CHANGE_CREATE);
	}
	after = heap_in_use();
	/* Under a sanitizer the allocator is not glibc's: nothing to see. */
	if (after <= before) {
		mgr_store_free(s);
		skip();
	}
	per_key = (double)(after - before) / n;
	printf("# %zu keys: %.1f bytes per key (heap), sizeof(struct mgr_obj) %zu\n",
	       n, per_key, sizeof(struct mgr_obj));
	assert_true(per_key < 200);
	assert_non_null(mgr_obj_child(d, "key-000000777777", 16));
	assert_int_equal(mgr_obj_nchildren(d), n);
	mgr_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_free),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_lookup_parent),
		cmocka_unit_test(test_versions_and_hook),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_memory_per_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
