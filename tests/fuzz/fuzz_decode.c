/* libFuzzer target: arbitrary bytes go through the frame decoder as the
 * server reads them, and each decoded object is run as a request on a
 * scratch store, so the JSON decoding and every operation's argument
 * parsing meet hostile input.  Built and run by tests/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frame.h"
#include "json.h"
#include "engine.h"
#include "store.h"
#include "wait.h"

/* Replies of parked calls are only thrown away: what matters is that
 * producing them is sound. */
static void discard(struct mgr_session *sess, uint64_t req_id, int err,
		    const char *msg, const char *result, size_t len)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *payload;
	struct mgr_session sess;
	struct mgr_store *store;
	size_t off = 0, plen, used;
	struct mgr_call call;
	char err[256];
	yajl_val msg;
	yajl_gen out;

	store = mgr_engine_new();
	out = mgr_json_gen_new();
	if (!store || !out)
		goto out;
	mgr_session_init(&sess, 1);
	sess.complete = discard;
	while (mgr_frame_next(in + off, size - off, MGR_FRAME_MAX, &payload, &plen, &used) == 1) {
		off += used;
		if (mgr_frame_decode(payload, plen, &msg, err, sizeof(err)) < 0)
			continue;
		memset(&call, 0, sizeof(call));
		call.store = store;
		call.sess = &sess;
		mgr_json_get_u64(msg, "id", &call.id);
		call.now = 1000;
		call.args = msg;
		call.out = out;
		mgr_engine_exec(&call);
		yajl_gen_clear(out);
		yajl_gen_reset(out, NULL);
		yajl_tree_free(msg);
	}
	/* Every deadline passes, then the session ends: the paths by which
	 * parked calls are aborted and holds given back. */
	mgr_waits_expire(store, UINT64_MAX);
	mgr_session_end(store, &sess);
out:
	if (out)
		yajl_gen_free(out);
	mgr_engine_free(store);
	return 0;
}
