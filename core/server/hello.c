#include "hello.h"

#include <errno.h>
#include <stdbool.h>

#include "auth.h"
#include "json.h"

static int hello_send(struct conn *c, bool auth)
{
	yajl_gen g = c->srv->gen;
	int r;

	if (auth) {
		r = mgr_auth_challenge(c->challenge);
		if (r < 0)
			return r;
	}
	if (srv_gen_ok(yajl_gen_map_open(g)) < 0 ||
	    mgr_json_kv_str(g, "hello", "mgrd") < 0 ||
	    mgr_json_kv_u64(g, "protocol", 1) < 0 ||
	    (auth && (mgr_json_kv_str(g, "auth", "hmac-sha256") < 0 ||
		      mgr_json_kv_str(g, "challenge", c->challenge) < 0)) ||
	    srv_gen_ok(yajl_gen_map_close(g)) < 0) {
		srv_gen_reset(g);
		return -ENOMEM;
	}
	return conn_send(c, g);
}

static bool is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return s[len] == '\0';
}

static void send_simple(struct conn *c, const char *k1, const char *v1,
			const char *k2, const char *v2, bool welcome)
{
	yajl_gen g = c->srv->gen;

	if (srv_gen_ok(yajl_gen_map_open(g)) < 0 ||
	    (welcome && mgr_json_kv_bool(g, "welcome", true) < 0) ||
	    (k1 && mgr_json_kv_str(g, k1, v1) < 0) ||
	    (k2 && mgr_json_kv_str(g, k2, v2) < 0) ||
	    srv_gen_ok(yajl_gen_map_close(g)) < 0) {
		srv_gen_reset(g);
		return;
	}
	conn_send(c, g);
}

void hello_auth(struct conn *c, yajl_val msg)
{
	/* Failures are a flood's favourite: one line a second of them. */
	static struct mgr_log_limit limit;
	struct mgr_server *srv = c->srv;
	char mine[MGR_RESPONSE_HEX + 1];
	const char *resp, *theirs;
	uint64_t id;

	if (msg && !mgr_json_get(msg, "response") && mgr_json_get_u64(msg, "id", &id) == 0) {
		/* A request too early: refused under its own id, so that a
		 * client waiting for that reply learns why. */
		mgr_log_limited(&limit, MGR_LOG_WARN, "authentication failed from %s: a request came first",
				c->peer);
		conn_reply_error(c, &id, -EACCES, "authentication required");
		conn_close(c, MGR_LOG_DEBUG, "a request before authentication");
		return;
	}
	if (!msg || mgr_json_get_str(msg, "response", &resp) < 0 ||
	    mgr_json_get_str(msg, "challenge", &theirs) < 0 ||
	    !is_hex(theirs, MGR_CHALLENGE_HEX) ||
	    !mgr_auth_check(srv->key, srv->keylen, MGR_AUTH_CLIENT, c->challenge, resp)) {
		mgr_log_limited(&limit, MGR_LOG_WARN, "authentication failed from %s", c->peer);
		send_simple(c, "error", "EACCES", "message", "authentication failed", false);
		conn_close(c, MGR_LOG_DEBUG, "authentication failed");
		return;
	}
	if (mgr_auth_respond(srv->key, srv->keylen, MGR_AUTH_SERVER, theirs, mine) < 0) {
		send_simple(c, "error", "EIO", "message", "cannot compute the response", false);
		conn_close(c, MGR_LOG_ERROR, "cannot compute the authentication response");
		return;
	}
	send_simple(c, "response", mine, NULL, NULL, true);
	c->authed = true;
	conn_preauth_leave(c);
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s) authenticated",
		(unsigned long long)c->sess.id, c->peer);
}

int hello_open(struct mgr_server *srv, int in_fd, int out_fd, bool auth, const char *peer,
	       struct conn **out)
{
	struct conn *c;
	int r = conn_new(srv, in_fd, out_fd, auth, peer, &c);

	if (r < 0)
		return r;
	r = hello_send(c, auth);
	if (r < 0) {
		/* Nothing was served: no session to end, nothing to say. */
		conn_free(c);
		return r;
	}
	mgr_log(MGR_LOG_DEBUG, "connection %llu (%s) opened",
		(unsigned long long)c->sess.id, c->peer);
	*out = c;
	return 0;
}
