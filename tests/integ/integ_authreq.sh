#!/usr/bin/env bash
# A client given a key talks only to a manager that proves it holds it
# (mgrfs(7)): one whose hello does not ask for the key is hung up on before
# anything is sent, over unix:, tcp: and exec: alike, and so is one that
# asks but cannot answer.  The managers here are fakes (fakemgr.py) that
# write down what they are sent; and a real mgrd without a key, which a
# keyed mgrctl must leave untouched.
. "$(dirname "$0")/lib.sh"

unset MGRFS_AUTHKEY_FILE MGRFS_ADDR
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/key")
refusal='did not ask for the authentication key'

# t_sent_nothing NAME DESC: the fake NAME was reached and sent no frame.
t_sent_nothing() {
	if fake_connected "$1" && ! fake_frames "$1" >/dev/null; then
		ok "$2"
	else
		not_ok "$2"
		sed 's/^/#   sent: /' "$TMP/$1.log"
	fi
}

start_fake plain --unix "$TMP/plain.sock"
t_out forged "without a key mgrctl takes the fake for a manager (so the fake is good)" \
	mc -c "unix:$TMP/plain.sock" get x
: >"$TMP/plain.log"
t_err 1 "$refusal" "with a key, a unix: manager that does not ask for it is refused" \
	mc -c "unix:$TMP/plain.sock" --authkey-file "$TMP/key" set secret '"hunter2"'
t_sent_nothing plain "and is sent nothing"
: >"$TMP/plain.log"
t_err 1 "$refusal" "a key from MGRFS_AUTHKEY_FILE insists the same" \
	env MGRFS_AUTHKEY_FILE="$TMP/key" "$MGRCTL" -c "unix:$TMP/plain.sock" set secret '"hunter2"'
t_sent_nothing plain "and sends nothing either"

start_fake tcp --tcp
t_err 1 "$refusal" "with a key, a tcp: manager that does not ask for it is refused" \
	mc -c "tcp:127.0.0.1:$FAKE_PORT" --authkey-file "$TMP/key" set secret '"hunter2"'
t_sent_nothing tcp "and is sent nothing, keepalive request included"

: >"$TMP/exec.log"
t_err 1 "$refusal" "with a key, an exec: manager that does not ask for it is refused" \
	mc -c "exec:$PYTHON $(dirname "$0")/fakemgr.py $TMP/exec.log --stdio" \
	--authkey-file "$TMP/key" set secret '"hunter2"'
t_sent_nothing exec "and is sent nothing"

# One that asks, but has no key to answer with.
start_fake liar --unix "$TMP/liar.sock" --auth
t_err 1 'does not know the authentication key' \
	"a manager that asks for the key but cannot prove it holds it is refused" \
	mc -c "unix:$TMP/liar.sock" --authkey-file "$TMP/key" set secret '"hunter2"'
t_true "and is sent the key exchange only" \
	test "$(fake_frames liar | grep -c .)" = 1 -a "$(fake_frames liar | grep -c '"response"')" = 1

# A real manager without a key.
start_mgrd
t_err 1 "$refusal" "a real manager without a key is refused by a client with one" \
	mc --authkey-file "$TMP/key" set secret '"hunter2"'
t_err 1 ENOENT "and nothing was set in it" mc get secret
t_out pong "without the key the same manager serves" mc ping
finish
