/* The wire: what a manager and its clients say to each other and how.
 *
 * This room holds everything both ends need and nothing more: buffers,
 * JSON, data, paths, frames, authentication, addresses and logging, and
 * this header, the protocol's own facts (the types of object, the names
 * of errors on the wire, the limits and the keepalive rules) that the
 * manager and every client take from one place.  Modules here include
 * only each other and system libraries; the engine, the server and the
 * client rooms build on it.  See mgrfs(7) for the protocol itself. */
#ifndef MGR_PROTO_H
#define MGR_PROTO_H

/* The numbers are written in data directories (mgrfs(7)): a new type goes
 * at the end. */
enum mgr_type_id {
	MGR_NAMESPACE,
	MGR_DICT,
	MGR_LIST,
	MGR_VALUE,
	MGR_ARRAY,
	MGR_QUEUE,
	MGR_LOCK,
	MGR_RLOCK,
	MGR_SEMAPHORE,
	MGR_BSEMAPHORE,
	MGR_EVENT,
	MGR_CONDITION,
	MGR_BARRIER,
	MGR_NTYPES
};

#define MGR_TYPE_BIT(t) (1u << (t))
#define MGR_CONTAINERS (MGR_TYPE_BIT(MGR_NAMESPACE) | MGR_TYPE_BIT(MGR_DICT))

/* The wire name of type t ("dict", "queue", ...), or NULL out of range. */
const char *mgr_type_name(int t);
/* Type by wire name, in any case, or by Python's class name
 * ("BoundedSemaphore", "JoinableQueue"); -EINVAL when none. */
int mgr_type_by_name(const char *name);

/* Names of errno values on the wire ("ENOENT") and back; unknown values
 * map to "EIO" and 0 respectively. */
const char *mgr_errno_name(int err);
int mgr_errno_from_name(const char *name);

/* Limits.  A frame is a 4-byte big-endian length and that many bytes of
 * JSON; before authentication a peer may send only small ones. */
#define MGR_FRAME_HDR 4
#define MGR_FRAME_MAX (16u << 20)
#define MGR_PREAUTH_FRAME_MAX 4096
/* Largest datum carried whole in one frame (set, get, items, queue and
 * list items), in bytes of JSON text or raw bytes. */
#define MGR_DATUM_MAX (8u << 20)
/* Largest value of raw bytes.  A value over MGR_DATUM_MAX is made and read
 * in pieces (write, append, read, stages) of at most MGR_IO_MAX bytes each,
 * so that no frame, and no buffer of a client, holds it whole.  The
 * fuzzers (tests/fuzz.sh) build with a smaller one, so that a few bytes of
 * input cannot ask for 4 GiB of memory. */
#ifndef MGR_VALUE_MAX
#define MGR_VALUE_MAX 0xffffffffull
#endif
#define MGR_IO_MAX MGR_DATUM_MAX
/* Nesting.  A value ([] and {} each a level) may nest MGR_VALUE_DEPTH_MAX
 * levels; a frame, MGR_FRAME_DEPTH_MAX, which leaves room for what a reply
 * wraps around a value (at most four levels: {"result":{"items":[{"value":
 * ...) and is as deep as yajl_gen writes, so that a client that builds its
 * frames with yajl_gen never sends one the manager cannot read. */
#define MGR_VALUE_DEPTH_MAX 100
#define MGR_FRAME_DEPTH_MAX 128
/* Names and paths (see path.h).  A name is at most MGR_NAME_MAX bytes as a
 * file system shows it; each of U+DC80 to U+DCFF, which stands for one
 * byte that is not UTF-8, counts as one but is kept as three, hence
 * MGR_NAME_BYTES_MAX.  A path below a mount point may be as long as
 * PATH_MAX (4096), and every byte of it may take nine in the path's
 * syntax ("%ED%B2%80"); half of PATH_MAX is the most names it holds. */
#define MGR_NAME_MAX 255
#define MGR_NAME_BYTES_MAX (3 * MGR_NAME_MAX)
#define MGR_PATH_MAX 65536
#define MGR_PATH_DEPTH_MAX 2048

/* Before authentication: a connection that has not proved that it knows
 * the key MGR_HANDSHAKE_TIMEOUT seconds after it was accepted is closed,
 * and at most MGR_PREAUTH_MAX connections wait for authentication at
 * once.  A new one beyond that closes the oldest waiting: a flood of idle
 * connections then only ever drops its own, while a real client, which
 * answers the challenge at once, gets through. */
#define MGR_HANDSHAKE_TIMEOUT 10
#define MGR_PREAUTH_MAX 256

/* What one authenticated client may make the manager hold or do.  A
 * list or a queue holds at most MGR_ITEMS_MAX items, which bounds the
 * work of one request on it (a sort, an imul, a copy of all of it) and
 * what one request may add.  A session may have MGR_SUBS_MAX
 * subscriptions.  Frames in transit, over every connection, may take
 * MGR_INTAKE_BUDGET bytes beyond a small read buffer each; a frame that
 * would go over is refused (ENOMEM) and its connection closed.  Beyond
 * these, mgrd bounds the data stored in all (--max-memory, ENOSPC). */
#define MGR_ITEMS_MAX (1u << 20)
#define MGR_SUBS_MAX 1024
#define MGR_INTAKE_BUDGET ((size_t)128 << 20)

/* Keepalive: a peer that asked for interval S seconds (1 to
 * MGR_KEEPALIVE_MAX) is given up after MGR_KEEPALIVE_MISSES * S seconds
 * of silence.  Clients ask for MGR_KEEPALIVE_REMOTE over links that can
 * break (tcp:, ssh:) unless told otherwise. */
#define MGR_KEEPALIVE_MISSES 3
#define MGR_KEEPALIVE_MAX 3600
#define MGR_KEEPALIVE_REMOTE 10

#endif
