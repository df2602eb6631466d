/* Python values as pickles carry them, for speaking Python's own manager
 * protocol (python-wire/SPEC.md §3.9, §4).
 *
 * This room, core/pywire, holds the Python wire apart from mgrfs's own: the
 * framing (pyframe), the authentication handshake (pyauth), a tree of
 * Python values (this module), their equality, hashing and order (pycmp),
 * dicts and sets (pydict), repr() (pyrepr), and a pickle decoder (pydec)
 * and encoder (pyenc, pyreply).  It uses the wire room's buffers and
 * libcrypto, nothing else of the project, and it never runs anything a
 * pickle names: unknown classes and functions stay opaque nodes.
 *
 * Ownership: every node lives in an arena (struct mgr_pyarena), normally
 * one per decoded message, and dies with it; nothing is freed on its own.
 * That is what lets a node be shared (a pickle's memo refers to one object
 * twice) or part of a cycle (a list that holds itself) without reference
 * counts.  A value that must outlive its arena is copied into another one
 * with mgr_pyval_copy, which keeps sharing and cycles.  None, True and False
 * are static nodes shared by all arenas and must not be modified.  Arenas are
 * not thread-safe; distinct arenas may be used by distinct threads.
 *
 * A server speaks it so: frames from pyframe_next, the first six (at most
 * MGR_PYFRAME_HANDSHAKE_MAX bytes each) through mgr_pyauth_server_feed;
 * then each request decoded by mgr_pydec_decode into an arena of its own,
 * answered with pyreply between mgr_pyframe_begin and mgr_pyframe_end, and
 * the arena freed, after mgr_pyval_copy of what the store keeps. */
#ifndef MGR_PYVAL_H
#define MGR_PYVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pyarena.h"

/* How deep the recursive walks over a value (equality, hash, repr, copy,
 * encoding) go before giving up with -ELOOP.  CPython's pickler stops at
 * its recursion limit (1000) too, so no client can send deeper values. */
#define MGR_PYVAL_DEPTH_MAX 1000

enum mgr_pyval_kind {
	MGR_PYVAL_NONE,
	MGR_PYVAL_BOOL,
	MGR_PYVAL_INT,
	MGR_PYVAL_FLOAT,
	MGR_PYVAL_STR,
	MGR_PYVAL_BYTES,
	MGR_PYVAL_BYTEARRAY,
	MGR_PYVAL_TUPLE,
	MGR_PYVAL_LIST,
	MGR_PYVAL_DICT,
	MGR_PYVAL_SET,
	MGR_PYVAL_FROZENSET,
	MGR_PYVAL_GLOBAL,		/* a class or function named by module and name */
	MGR_PYVAL_OBJECT,		/* an instance of an unknown class, kept opaque */
};

/* How an opaque object was made: REDUCE calls func(*args), NEWOBJ calls
 * func.__new__(func, *args), NEWOBJ_EX adds **kwargs. */
enum mgr_pyval_how {
	MGR_PYVAL_REDUCE,
	MGR_PYVAL_NEWOBJ,
	MGR_PYVAL_NEWOBJ_EX,
};

/* Items of a tuple, list, set or frozenset; a dict holds 2 * len items,
 * key and value alternating, in insertion order.  Dicts and sets also
 * keep a hash index (hashes, slots) that only pydict and pycmp touch. */
struct mgr_pyval_seq {
	struct mgr_pyval **items;
	size_t len;
	size_t cap;
	int64_t *hashes;	/* per key, parallel to the keys */
	size_t hcap;		/* room in hashes */
	uint32_t *slots;	/* 0 empty, else a key's position + 1 */
	size_t nslots;		/* a power of two, or 0 before the first key */
};

/* An opaque object and what the pickle did to it after making it, in the
 * order CPython's pickler writes: items appended (APPEND, APPENDS), items set
 * (SETITEM, SETITEMS: key, value, key, value... in one list), then state
 * (BUILD).  Each is NULL when the pickle had none. */
struct mgr_pyval_obj {
	enum mgr_pyval_how how;
	struct mgr_pyval *func;
	struct mgr_pyval *args;
	struct mgr_pyval *kwargs;
	struct mgr_pyval *listitems;
	struct mgr_pyval *dictitems;
	struct mgr_pyval *state;
};

/* The next slot to try in a dict's or set's index, as CPython probes: a
 * step that mixes in more of the hash each time, so that keys sharing low
 * bits part ways soon.  Start with i = hash & mask, perturb = hash. */
static inline size_t mgr_pyval_probe(size_t i, uint64_t *perturb, size_t mask)
{
	*perturb >>= 5;
	return (i * 5 + 1 + (size_t)*perturb) & mask;
}

struct mgr_pyval {
	enum mgr_pyval_kind kind;
	/* How deeply the decoder found the value nested when it made it (0
	 * for scalars); pydec's bound on nesting, not kept up to date by
	 * later changes and 0 in values built otherwise. */
	uint32_t depth;
	union {
		bool b;
		/* An int in int64_t range is small; any other is big: its
		 * minimal little-endian two's complement bytes (9 or more). */
		struct {
			int64_t small;
			const unsigned char *big;
			size_t nbig;
		} i;
		double f;
		/* str holds UTF-8 where lone surrogates are encoded like other
		 * code points (Python's "surrogatepass"); every kind is followed
		 * by a NUL not counted in len, and may hold NULs itself. */
		struct {
			unsigned char *data;
			size_t len;
		} s;
		struct mgr_pyval_seq seq;
		struct {
			const char *module, *name;
			size_t module_len, name_len;
		} g;
		struct mgr_pyval_obj obj;
	} u;
};

/* Constructors.  Each returns a node owned by a (or a static one), or NULL
 * when out of memory. */
struct mgr_pyval *mgr_pyval_none(void);
struct mgr_pyval *mgr_pyval_bool(bool b);
struct mgr_pyval *mgr_pyval_int(struct mgr_pyarena *a, int64_t v);
/* An int from n bytes of little-endian two's complement (n = 0 is 0), as
 * LONG1 and LONG4 carry it; the result is normalized (small when it fits). */
struct mgr_pyval *mgr_pyval_long(struct mgr_pyarena *a, const unsigned char *le, size_t n);
struct mgr_pyval *mgr_pyval_float(struct mgr_pyarena *a, double f);
/* A str of len bytes of UTF-8 (surrogatepass), trusted: check text from
 * outside with mgr_pyval_utf8_check first. */
struct mgr_pyval *mgr_pyval_str(struct mgr_pyarena *a, const char *s, size_t len);
struct mgr_pyval *mgr_pyval_cstr(struct mgr_pyarena *a, const char *s);
/* kind is MGR_PYVAL_BYTES or MGR_PYVAL_BYTEARRAY. */
struct mgr_pyval *mgr_pyval_bytes(struct mgr_pyarena *a, enum mgr_pyval_kind kind,
				  const void *p, size_t n);
/* An empty tuple, list, dict, set or frozenset with room for cap items;
 * fill tuples and lists with mgr_pyval_append, dicts and sets through
 * pydict.h. */
struct mgr_pyval *mgr_pyval_new(struct mgr_pyarena *a, enum mgr_pyval_kind kind, size_t cap);
/* Make room for n items in all (two per pair in a dict); 0 or -ENOMEM. */
int mgr_pyval_reserve(struct mgr_pyarena *a, struct mgr_pyval *seq, size_t n);
/* Append item to a tuple or list; 0 or -ENOMEM. */
int mgr_pyval_append(struct mgr_pyarena *a, struct mgr_pyval *seq, struct mgr_pyval *item);
/* A tuple of n items (which may be NULL for none). */
struct mgr_pyval *mgr_pyval_tuple(struct mgr_pyarena *a, size_t n, struct mgr_pyval *const *items);
struct mgr_pyval *mgr_pyval_global(struct mgr_pyarena *a, const char *module, size_t module_len,
				   const char *name, size_t name_len);
/* An opaque object; kwargs is for NEWOBJ_EX only. */
struct mgr_pyval *mgr_pyval_object(struct mgr_pyarena *a, enum mgr_pyval_how how,
				   struct mgr_pyval *func, struct mgr_pyval *args,
				   struct mgr_pyval *kwargs);

/* Whether v is the str s (C text), the global module.name, or an opaque
 * object made by calling that global. */
bool mgr_pyval_is_str(const struct mgr_pyval *v, const char *s);
bool mgr_pyval_is_global(const struct mgr_pyval *v, const char *module, const char *name);
bool mgr_pyval_is_object_of(const struct mgr_pyval *v, const char *module, const char *name);
/* The int v in *out: 0, or -ERANGE for a big int or a non-int (bool
 * counts as int, as in Python). */
int mgr_pyval_get_int(const struct mgr_pyval *v, int64_t *out);

/* Whether p is valid UTF-8 with lone surrogates allowed, as Python's
 * decoder with errors="surrogatepass" accepts it: 0 or -EILSEQ. */
int mgr_pyval_utf8_check(const void *p, size_t n);
/* Decode one code point at p (n > 0 bytes of checked text); returns how
 * many bytes it took. */
size_t mgr_pyval_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/* Python's type name of v ("int", "str", "list"...); an opaque object
 * gives its class's name when it has one. */
const char *mgr_pyval_type_name(const struct mgr_pyval *v);

/* Copy v into arena dst, sharing and cycles kept: 0 and *out, or -ENOMEM,
 * or -ELOOP when v is nested deeper than MGR_PYVAL_DEPTH_MAX. */
int mgr_pyval_copy(struct mgr_pyarena *dst, const struct mgr_pyval *v, struct mgr_pyval **out);

#endif
