/* A real manager for the C tests that talk to one (test_client and
 * test_client_reconnect): the mgrd named by $MGRD, started on a unix
 * socket in a private temporary directory and waited for until it
 * answers, then stopped or killed.  The directory goes, with all in it, at
 * the end.  mgrd_start fails the running cmocka test when the manager does
 * not come up. */
#ifndef FIXTURE_MGRD_H
#define FIXTURE_MGRD_H

#include <stddef.h>
#include <sys/types.h>

/* A guard against a test that would hang, not a measure of speed. */
#define HANG_MS 20000

/* The mgrd binary, from $MGRD. */
extern const char *mgrd_bin;

/* Before the tests: read $MGRD and make the directory /tmp/NAME.XXXXXX.
 * 0; 77, meson's skip, with a message when $MGRD is unset or empty (run by
 * hand without it there is nothing to test against); 1 when the directory
 * cannot be made. */
int mgrd_fixture_init(const char *name);

/* After them: remove the directory and all in it.  0, or -1. */
int mgrd_fixture_cleanup(void);

/* The path DIR/NAME of a file in the directory, and the address
 * unix:DIR/NAME of a socket there. */
void mgrd_fixture_path(char *out, size_t size, const char *name);
void mgrd_fixture_addr(char *out, size_t size, const char *name);

/* Start mgrd -q -l ADDR, with --authkey-file KEYFILE unless that is NULL,
 * and wait until it answers.  Fails the test when it exits first or does
 * not answer within HANG_MS. */
pid_t mgrd_start(const char *addr, const char *keyfile);

/* End the manager as asked to (SIGTERM), or as a crash does (SIGKILL);
 * either way it is reaped. */
void mgrd_stop(pid_t pid);
void mgrd_kill(pid_t pid);

#endif
