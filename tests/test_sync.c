/* The synchronisation types (sync.c) against Python's threading
 * documentation: Lock, RLock, Semaphore, BoundedSemaphore, Event,
 * Condition and Barrier, with timeouts, cancellation and sessions that
 * end while holding or waiting. */
#include "ops_harness.h"

static void mk(const char *path, const char *type, const char *args)
{
	assert_int_equal(req(0, 1, "{'op':'create','path':'%s','type':'%s'%s}", path, type, args), 0);
}

static void test_lock(void **state)
{
	mk("l", "lock", "");
	OK(0, "false", "{'op':'locked','path':'l'}");
	OK(0, "true", "{'op':'acquire','path':'l'}");
	OK(0, "true", "{'op':'locked','path':'l'}");
	assert_string_equal(stat_member("l", "owner"), "{\"session\":100,\"owner\":0}");
	/* Not reentrant: the holder itself would wait. */
	OK(0, "false", "{'op':'acquire','path':'l','block':false}");
	OK(1, "false", "{'op':'acquire','path':'l','timeout':0}");
	PARKS(1, 11, "{'op':'acquire','path':'l','owner':5}");
	PARKS(2, 12, "{'op':'acquire','path':'l'}");
	assert_string_equal(stat_member("l", "waiters"), "2");
	OK(0, "true", "{'op':'release','path':'l'}");
	DONE(1, 11, "true");
	NOTHING_DONE();
	assert_string_equal(stat_member("l", "owner"), "{\"session\":101,\"owner\":5}");
	/* Python's Lock has no owner: anybody may release it. */
	OK(0, "true", "{'op':'release','path':'l'}");
	DONE(2, 12, "true");
	OK(2, "true", "{'op':'release','path':'l'}");
	OK(0, "false", "{'op':'locked','path':'l'}");
	FAILS(0, EPERM, "{'op':'release','path':'l'}");
	FAILS(0, ENOTSUP, "{'op':'get_value','path':'l'}");
	FAILS(0, EINVAL, "{'op':'acquire','path':'l','timeout':'soon'}");
}

static void test_lock_timeout(void **state)
{
	mk("l", "lock", "");
	OK(0, "true", "{'op':'acquire','path':'l'}");
	PARKS(1, 21, "{'op':'acquire','path':'l','timeout':1.5}");
	PARKS(2, 22, "{'op':'acquire','path':'l','timeout':0.25}");
	assert_int_equal(mgr_waits_next_deadline(store), 1250);
	mgr_waits_expire(store, 2499);
	/* A timed-out acquire answers false, as Python's. */
	DONE(2, 22, "false");
	NOTHING_DONE();
	mgr_waits_expire(store, 2500);
	DONE(1, 21, "false");
	assert_string_equal(stat_member("l", "waiters"), "0");
	OK(0, "true", "{'op':'release','path':'l'}");
	NOTHING_DONE();
}

static void test_rlock(void **state)
{
	mk("r", "rlock", "");
	OK(0, "true", "{'op':'acquire','path':'r'}");
	OK(0, "true", "{'op':'acquire','path':'r'}");
	assert_string_equal(stat_member("r", "count"), "2");
	/* Another owner of the same session is somebody else. */
	OK(0, "false", "{'op':'acquire','path':'r','owner':1,'block':false}");
	FAILS(0, EPERM, "{'op':'release','path':'r','owner':1}");
	FAILS(1, EPERM, "{'op':'release','path':'r'}");
	PARKS(1, 31, "{'op':'acquire','path':'r'}");
	OK(0, "true", "{'op':'release','path':'r'}");
	NOTHING_DONE();
	OK(0, "true", "{'op':'locked','path':'r'}");
	OK(0, "true", "{'op':'release','path':'r'}");
	DONE(1, 31, "true");
	assert_string_equal(stat_member("r", "owner"), "{\"session\":101,\"owner\":0}");
	assert_string_equal(stat_member("r", "count"), "1");
	FAILS(0, EPERM, "{'op':'release','path':'r'}");
	OK(1, "true", "{'op':'release','path':'r'}");
	FAILS(1, EPERM, "{'op':'release','path':'r'}");
	assert_string_equal(stat_member("r", "owner"), "null");
}

static void test_semaphore(void **state)
{
	mk("s", "semaphore", ",'value':2");
	OK(0, "2", "{'op':'get_value','path':'s'}");
	OK(0, "true", "{'op':'acquire','path':'s'}");
	OK(1, "true", "{'op':'acquire','path':'s'}");
	OK(2, "false", "{'op':'acquire','path':'s','block':false}");
	PARKS(2, 41, "{'op':'acquire','path':'s'}");
	PARKS(3, 42, "{'op':'acquire','path':'s'}");
	OK(0, "0", "{'op':'get_value','path':'s'}");
	OK(0, "true", "{'op':'release','path':'s'}");
	DONE(2, 41, "true");
	NOTHING_DONE();
	/* Releasing more than one unit wakes as many waiters as it can. */
	OK(1, "true", "{'op':'release','path':'s','n':2}");
	DONE(3, 42, "true");
	OK(0, "1", "{'op':'get_value','path':'s'}");
	FAILS(0, EINVAL, "{'op':'release','path':'s','n':0}");
	FAILS(0, ENOTSUP, "{'op':'locked','path':'s'}");
	/* A plain Semaphore may be released above its start. */
	OK(0, "true", "{'op':'release','path':'s','n':5}");
	OK(0, "6", "{'op':'get_value','path':'s'}");
}

static void test_bounded_semaphore(void **state)
{
	uint64_t v;

	mk("b", "bsemaphore", ",'value':1");
	FAILS(0, EOVERFLOW, "{'op':'release','path':'b'}");
	OK(0, "true", "{'op':'acquire','path':'b'}");
	v = version_of("b");
	FAILS(0, EOVERFLOW, "{'op':'release','path':'b','n':2}");
	/* A refused release changes nothing. */
	assert_int_equal(version_of("b"), v);
	OK(0, "0", "{'op':'get_value','path':'b'}");
	OK(0, "true", "{'op':'release','path':'b'}");
	OK(0, "1", "{'op':'get_value','path':'b'}");
	FAILS(0, EOVERFLOW, "{'op':'release','path':'b'}");
}

static void test_create_arguments(void **state)
{
	FAILS(0, EINVAL, "{'op':'create','path':'s','type':'semaphore','value':-1}");
	FAILS(0, EINVAL, "{'op':'create','path':'s','type':'semaphore','value':'one'}");
	FAILS(0, EINVAL, "{'op':'create','path':'b','type':'barrier'}");
	FAILS(0, EINVAL, "{'op':'create','path':'b','type':'barrier','parties':0}");
	FAILS(0, EINVAL, "{'op':'create','path':'b','type':'barrier','parties':2,'timeout':-1}");
	FAILS(0, ENOENT, "{'op':'stat','path':'b'}");
	mk("s", "semaphore", "");
	OK(0, "1", "{'op':'get_value','path':'s'}");
	mk("z", "semaphore", ",'value':0");
	OK(0, "false", "{'op':'acquire','path':'z','block':false}");
}

/* Everything a session held goes back when it ends, to the next waiter. */
static void test_session_end_releases(void **state)
{
	mk("l", "lock", "");
	mk("r", "rlock", "");
	mk("s", "semaphore", ",'value':2");
	OK(1, "true", "{'op':'acquire','path':'l'}");
	OK(1, "true", "{'op':'acquire','path':'r','owner':3}");
	OK(1, "true", "{'op':'acquire','path':'r','owner':3}");
	OK(1, "true", "{'op':'acquire','path':'s'}");
	OK(1, "true", "{'op':'acquire','path':'s','owner':9}");
	PARKS(0, 51, "{'op':'acquire','path':'l'}");
	PARKS(2, 52, "{'op':'acquire','path':'r'}");
	PARKS(0, 53, "{'op':'acquire','path':'s'}");
	PARKS(2, 54, "{'op':'acquire','path':'s'}");
	PARKS(3, 55, "{'op':'acquire','path':'s'}");
	/* Session 1 also waits for something when it goes. */
	PARKS(1, 56, "{'op':'acquire','path':'l','timeout':5}");
	mgr_session_end(store, &sess[1]);
	DONE(0, 51, "true");
	DONE(2, 52, "true");
	DONE(0, 53, "true");
	DONE(2, 54, "true");
	NOTHING_DONE();
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	assert_string_equal(stat_member("l", "owner"), "{\"session\":100,\"owner\":0}");
	assert_string_equal(stat_member("r", "count"), "1");
	OK(0, "0", "{'op':'get_value','path':'s'}");
	OK(0, "true", "{'op':'release','path':'s'}");
	DONE(3, 55, "true");
}

/* A release by someone who holds nothing takes the units off the oldest
 * holder, so that holder's session ending later gives nothing back
 * twice. */
static void test_semaphore_release_by_other(void **state)
{
	mk("s", "bsemaphore", ",'value':1");
	OK(1, "true", "{'op':'acquire','path':'s'}");
	OK(0, "true", "{'op':'release','path':'s'}");
	OK(2, "true", "{'op':'acquire','path':'s'}");
	mgr_session_end(store, &sess[1]);
	OK(0, "0", "{'op':'get_value','path':'s'}");
	mgr_session_end(store, &sess[2]);
	OK(0, "1", "{'op':'get_value','path':'s'}");
}

static void test_event(void **state)
{
	mk("e", "event", "");
	OK(0, "false", "{'op':'is_set','path':'e'}");
	OK(0, "false", "{'op':'wait','path':'e','timeout':0}");
	PARKS(0, 61, "{'op':'wait','path':'e'}");
	PARKS(1, 62, "{'op':'wait','path':'e','timeout':2}");
	PARKS(2, 63, "{'op':'wait','path':'e','timeout':1}");
	mgr_waits_expire(store, 2000);
	/* A wait that times out answers the flag. */
	DONE(2, 63, "false");
	OK(3, "true", "{'op':'set','path':'e'}");
	DONE(0, 61, "true");
	DONE(1, 62, "true");
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	OK(0, "true", "{'op':'is_set','path':'e'}");
	OK(0, "true", "{'op':'wait','path':'e'}");
	OK(0, "true", "{'op':'clear','path':'e'}");
	OK(0, "false", "{'op':'is_set','path':'e'}");
	assert_string_equal(stat_member("e", "is_set"), "false");
	/* A value sent to an event is a mistake, not a set. */
	FAILS(0, EINVAL, "{'op':'set','path':'e','value':5}");
	OK(0, "false", "{'op':'is_set','path':'e'}");
}

static void test_condition_notify(void **state)
{
	mk("c", "condition", "");
	FAILS(0, EPERM, "{'op':'wait','path':'c'}");
	FAILS(0, EPERM, "{'op':'notify','path':'c'}");
	OK(0, "true", "{'op':'acquire','path':'c'}");
	OK(0, "true", "{'op':'acquire','path':'c'}");
	PARKS(0, 71, "{'op':'wait','path':'c'}");
	/* The wait gave up every level. */
	OK(0, "false", "{'op':'locked','path':'c'}");
	OK(1, "true", "{'op':'acquire','path':'c'}");
	PARKS(1, 72, "{'op':'wait','path':'c'}");
	OK(2, "true", "{'op':'acquire','path':'c'}");
	PARKS(2, 73, "{'op':'wait','path':'c'}");
	assert_string_equal(stat_member("c", "n_waiting"), "3");
	OK(3, "true", "{'op':'acquire','path':'c'}");
	FAILS(0, EPERM, "{'op':'notify','path':'c'}");
	OK(3, "true", "{'op':'notify','path':'c','n':2}");
	/* The notified wait for the lock, which the notifier holds. */
	NOTHING_DONE();
	assert_string_equal(stat_member("c", "n_waiting"), "1");
	OK(3, "true", "{'op':'release','path':'c'}");
	DONE(0, 71, "true");
	NOTHING_DONE();
	assert_string_equal(stat_member("c", "owner"), "{\"session\":100,\"owner\":0}");
	assert_string_equal(stat_member("c", "count"), "2");
	OK(0, "true", "{'op':'notify_all','path':'c'}");
	OK(0, "true", "{'op':'release','path':'c'}");
	NOTHING_DONE();
	OK(0, "true", "{'op':'release','path':'c'}");
	DONE(1, 72, "true");
	OK(1, "true", "{'op':'release','path':'c'}");
	DONE(2, 73, "true");
	OK(2, "true", "{'op':'release','path':'c'}");
	OK(0, "false", "{'op':'locked','path':'c'}");
	FAILS(0, EPERM, "{'op':'release','path':'c'}");
}

/* A wait that times out takes the lock back before answering false. */
static void test_condition_timeout(void **state)
{
	mk("c", "condition", "");
	OK(0, "true", "{'op':'acquire','path':'c'}");
	/* Nobody else wants the lock: answered at once. */
	OK(0, "false", "{'op':'wait','path':'c','timeout':0}");
	PARKS(0, 81, "{'op':'wait','path':'c','timeout':1}");
	mgr_waits_expire(store, 2000);
	DONE(0, 81, "false");
	OK(0, "true", "{'op':'locked','path':'c'}");

	/* Now the lock is held by another when the time is up. */
	PARKS(0, 82, "{'op':'wait','path':'c','timeout':1}");
	OK(1, "true", "{'op':'acquire','path':'c'}");
	mgr_waits_expire(store, 3000);
	NOTHING_DONE();
	assert_string_equal(stat_member("c", "waiters"), "1");
	assert_string_equal(stat_member("c", "n_waiting"), "0");
	/* A notify finds nobody left waiting for it. */
	OK(1, "true", "{'op':'notify','path':'c'}");
	OK(1, "true", "{'op':'release','path':'c'}");
	DONE(0, 82, "false");
	assert_string_equal(stat_member("c", "owner"), "{\"session\":100,\"owner\":0}");

	/* A timeout of 0 with others queued for the lock lets them first. */
	PARKS(1, 83, "{'op':'acquire','path':'c'}");
	PARKS(0, 84, "{'op':'wait','path':'c','timeout':0}");
	DONE(1, 83, "true");
	OK(1, "true", "{'op':'release','path':'c'}");
	DONE(0, 84, "false");
}

/* A cancelled Condition wait takes nothing, not even the lock. */
static void test_condition_cancel(void **state)
{
	mk("c", "condition", "");
	OK(0, "true", "{'op':'acquire','path':'c'}");
	PARKS(0, 91, "{'op':'wait','path':'c','timeout':3}");
	OK(1, "true", "{'op':'acquire','path':'c'}");
	OK(1, "true", "{'op':'notify','path':'c'}");
	PARKS(2, 92, "{'op':'acquire','path':'c'}");
	assert_true(cancel(0, 91));
	DONE_ERR(0, 91, ECANCELED);
	OK(1, "true", "{'op':'release','path':'c'}");
	DONE(2, 92, "true");
	/* Session end of a holder with a wait elsewhere frees both. */
	PARKS(2, 93, "{'op':'wait','path':'c'}");
	OK(1, "true", "{'op':'acquire','path':'c'}");
	mgr_session_end(store, &sess[2]);
	NOTHING_DONE();
	assert_string_equal(stat_member("c", "owner"), "{\"session\":101,\"owner\":0}");
	assert_string_equal(stat_member("c", "waiters"), "0");
}

static void test_barrier(void **state)
{
	mk("b", "barrier", ",'parties':3");
	OK(0, "3", "{'op':'parties','path':'b'}");
	PARKS(0, 101, "{'op':'wait','path':'b'}");
	PARKS(1, 102, "{'op':'wait','path':'b'}");
	OK(0, "2", "{'op':'n_waiting','path':'b'}");
	/* As CPython: the index is the count of earlier arrivals. */
	OK(2, "2", "{'op':'wait','path':'b'}");
	DONE(0, 101, "0");
	DONE(1, 102, "1");
	OK(0, "0", "{'op':'n_waiting','path':'b'}");
	OK(0, "false", "{'op':'broken','path':'b'}");
	/* And it can be used again at once. */
	PARKS(2, 103, "{'op':'wait','path':'b'}");
	PARKS(1, 104, "{'op':'wait','path':'b'}");
	OK(0, "2", "{'op':'wait','path':'b'}");
	DONE(2, 103, "0");
	DONE(1, 104, "1");

	mk("one", "barrier", ",'parties':1");
	OK(0, "0", "{'op':'wait','path':'one'}");
}

static void test_barrier_abort_reset(void **state)
{
	mk("b", "barrier", ",'parties':3");
	PARKS(0, 111, "{'op':'wait','path':'b'}");
	PARKS(1, 112, "{'op':'wait','path':'b'}");
	OK(2, "true", "{'op':'abort','path':'b'}");
	DONE_ERR(0, 111, EPIPE);
	DONE_ERR(1, 112, EPIPE);
	OK(0, "true", "{'op':'broken','path':'b'}");
	FAILS(0, EPIPE, "{'op':'wait','path':'b'}");
	OK(0, "true", "{'op':'reset','path':'b'}");
	OK(0, "false", "{'op':'broken','path':'b'}");
	PARKS(0, 113, "{'op':'wait','path':'b'}");
	/* A reset sends those waiting away broken, and stays usable. */
	OK(1, "true", "{'op':'reset','path':'b'}");
	DONE_ERR(0, 113, EPIPE);
	assert_non_null(strstr(msg, "reset"));
	OK(0, "false", "{'op':'broken','path':'b'}");
	PARKS(0, 114, "{'op':'wait','path':'b'}");
	PARKS(1, 115, "{'op':'wait','path':'b'}");
	OK(2, "2", "{'op':'wait','path':'b'}");
	DONE(0, 114, "0");
	DONE(1, 115, "1");
}

/* A wait that times out breaks the barrier for everybody, itself too. */
static void test_barrier_timeout(void **state)
{
	mk("b", "barrier", ",'parties':3");
	PARKS(0, 121, "{'op':'wait','path':'b'}");
	PARKS(1, 122, "{'op':'wait','path':'b','timeout':2}");
	mgr_waits_expire(store, 3000);
	DONE_ERR(0, 121, EPIPE);
	assert_non_null(strstr(msg, "timed out"));
	DONE_ERR(1, 122, EPIPE);
	assert_non_null(strstr(msg, "timed out"));
	OK(0, "true", "{'op':'broken','path':'b'}");
	FAILS(2, EPIPE, "{'op':'wait','path':'b'}");

	/* The default timeout from create applies when a wait gives none. */
	mk("d", "barrier", ",'parties':2,'timeout':0.5");
	PARKS(0, 123, "{'op':'wait','path':'d'}");
	assert_int_equal(mgr_waits_next_deadline(store), 1500);
	mgr_waits_expire(store, 1500);
	DONE_ERR(0, 123, EPIPE);
	OK(0, "true", "{'op':'broken','path':'d'}");

	/* A wait that may not block breaks it at once. */
	mk("n", "barrier", ",'parties':3");
	PARKS(1, 124, "{'op':'wait','path':'n'}");
	FAILS(0, EPIPE, "{'op':'wait','path':'n','timeout':0}");
	DONE_ERR(1, 124, EPIPE);
}

/* A waiter that is cancelled or whose session ends leaves without
 * breaking the barrier, and the others' indexes close up. */
static void test_barrier_leave(void **state)
{
	mk("b", "barrier", ",'parties':3");
	PARKS(0, 131, "{'op':'wait','path':'b'}");
	PARKS(1, 132, "{'op':'wait','path':'b'}");
	assert_true(cancel(0, 131));
	DONE_ERR(0, 131, ECANCELED);
	OK(0, "false", "{'op':'broken','path':'b'}");
	OK(0, "1", "{'op':'n_waiting','path':'b'}");
	PARKS(3, 133, "{'op':'wait','path':'b'}");
	mgr_session_end(store, &sess[3]);
	NOTHING_DONE();
	PARKS(2, 134, "{'op':'wait','path':'b'}");
	OK(0, "2", "{'op':'wait','path':'b'}");
	DONE(1, 132, "0");
	DONE(2, 134, "1");
}

static void test_delete_fails_waiters(void **state)
{
	mk("l", "lock", "");
	mk("e", "event", "");
	OK(1, "true", "{'op':'acquire','path':'l'}");
	PARKS(0, 141, "{'op':'acquire','path':'l','timeout':4}");
	PARKS(2, 142, "{'op':'wait','path':'e'}");
	OK(0, "true", "{'op':'delete','path':'l'}");
	DONE_ERR(0, 141, ENOENT);
	OK(0, "true", "{'op':'delete','path':'e'}");
	DONE_ERR(2, 142, ENOENT);
	assert_int_equal(mgr_waits_next_deadline(store), 0);
	/* The hold went with the lock: ending its session is harmless. */
	mgr_session_end(store, &sess[1]);
	NOTHING_DONE();
}

/* Every change of state gives a new version; reads do not. */
static void test_versions(void **state)
{
	uint64_t v;

	mk("l", "lock", "");
	v = version_of("l");
	OK(0, "false", "{'op':'locked','path':'l'}");
	assert_int_equal(version_of("l"), v);
	OK(0, "true", "{'op':'acquire','path':'l'}");
	assert_true(version_of("l") > v);
	v = version_of("l");
	PARKS(1, 151, "{'op':'acquire','path':'l','timeout':1}");
	assert_true(version_of("l") > v);
	v = version_of("l");
	mgr_waits_expire(store, 5000);
	DONE(1, 151, "false");
	assert_true(version_of("l") > v);
	v = version_of("l");
	mgr_session_end(store, &sess[0]);
	assert_true(version_of("l") > v);
	OK(1, "false", "{'op':'locked','path':'l'}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_semaphore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_semaphore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_end_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_semaphore_release_by_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_condition_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_condition_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_condition_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_barrier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_barrier_abort_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_barrier_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_barrier_leave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_fails_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
