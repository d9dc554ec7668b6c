/* Section K of go-map-rules.md: concurrent-write detection.  A key type
 * whose equal callback re-enters the map runs an operation while a write
 * is in progress (hashWriting set), which is exactly what Go's checks
 * catch; a hash callback re-enters before the flag is set, which Go
 * deliberately does not catch (rule 22). */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/core_helpers.h"
#include "map_internal.h"

enum action {
	NONE, READ1, READ2, WRITE, DELETE, CLEAR, ITER_NEXT, ITER_INIT,
	ACCESS_K, LEN
};

typedef struct reenter {
	enum action action;
	bool done;
	gomap_iter *it;
	int status; /* of the inner operation */
} reenter;

static void run_action(gomap *m, reenter *r)
{
	uint64_t other = 777;
	void *e;
	bool found;
	const void *kk, *ee;
	gomap_iter it2;
	switch (r->action) {
	case NONE: break;
	case READ1: gomap_access1(m, &other); break;
	case READ2: gomap_access2(m, &other, &found); break;
	case WRITE: r->status = gomap_assign(m, &other, &e); break;
	case DELETE: r->status = gomap_delete(m, &other); break;
	case CLEAR: r->status = gomap_clear(m); break;
	case ITER_NEXT: gomap_iter_next(r->it); break;
	case ITER_INIT:
		gomap_iter_init(m, &it2);
		gomap_iter_release(&it2);
		break;
	case ACCESS_K: gomap_accessK(m, &other, &kk, &ee); break;
	case LEN: (void)gomap_len(m); break;
	}
}

static bool reentrant_equal(const gomap_keytype *kt, const void *a,
                            const void *b, gomap *m)
{
	reenter *r = kt->user;
	if (r && !r->done && r->action != NONE) {
		r->done = true;
		run_action(m, r);
	}
	return memcmp(a, b, 8) == 0;
}

static uint64_t reentrant_hash(const gomap_keytype *kt, const void *key,
                               uint64_t seed, gomap *m)
{
	reenter *r = kt->user;
	if (r && !r->done && r->action == WRITE) {
		r->done = true;
		run_action(m, r); /* before hashWriting is set */
	}
	return gomap_key_u64.hash(kt, key, seed, m);
}

static gomap *reentrant_map(ct_env *e, reenter *r, bool in_hash)
{
	gomap_keytype kt = gomap_key_u64;
	kt.fast = GOMAP_FAST_NONE;
	kt.user = r;
	if (in_hash)
		kt.hash = reentrant_hash;
	else
		kt.equal = reentrant_equal;
	gomap_type t;
	gomap_type_init(&t, &kt, &gomap_elem_u64);
	return ct_make_type(e, &t, 0);
}

/* rules 15, 22, 50, 67: an operation run from inside a write (an update
 * of an existing key, or its delete) meets Go's check and message. */
GM_TEST(concurrent__reentrant_equal_is_detected_with_go_messages)
{
	static const struct {
		enum action a;
		const char *msg; /* NULL: not detected */
	} table[] = {
		{READ1, "concurrent map read and map write"},
		{READ2, "concurrent map read and map write"},
		{WRITE, "concurrent map writes"},
		{DELETE, "concurrent map writes"},
		{CLEAR, "concurrent map writes"},
		{ITER_NEXT, "concurrent map iteration and map write"},
		{ITER_INIT, "concurrent map iteration and map write"},
		{ACCESS_K, NULL},
		{LEN, NULL},
	};
	for (int outer_delete = 0; outer_delete < 2; outer_delete++)
		for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
			reenter r = {0};
			ct_env e;
			ct_env_init(&e, 1, 0);
			gomap *m = reentrant_map(&e, &r, false);
			ct_put(m, 1, 1);
			ct_put(m, 2, 2);
			gomap_iter it;
			gomap_iter_init(m, &it);
			r.it = &it;
			r.action = table[i].a;
			int st = outer_delete ? ct_del(m, 1) : ct_put(m, 1, 5);
			GM_EXPECT(r.done);
			if (table[i].msg) {
				GM_EXPECT_EQ_U(e.fail.count, 1);
				GM_EXPECT_EQ_U(e.fail.sev, GOMAP_FATAL);
				GM_EXPECT_STR(e.fail.msg, table[i].msg);
				/* the map is dead: Go's process would be gone */
				GM_EXPECT_EQ_U(ct_put(m, 9, 9), GOMAP_EFATAL);
				GM_EXPECT_EQ_U(ct_del(m, 2), GOMAP_EFATAL);
			} else {
				GM_EXPECT_EQ_U(e.fail.count, 0);
				GM_EXPECT_EQ_U(st, GOMAP_OK);
				CT_CHECK(m);
			}
			if (table[i].a == WRITE || table[i].a == DELETE ||
			    table[i].a == CLEAR)
				GM_EXPECT_EQ_U(r.status, GOMAP_EFATAL);
			gomap_iter_release(&it);
			gomap_destroy(m);
		}
}

/* rule 22: a hash callback that writes to the map runs before the flag
 * is set, so it is not detected and both writes land. */
GM_TEST(concurrent__reentrant_hash_write_is_not_detected)
{
	reenter r = {0};
	ct_env e;
	ct_env_init(&e, 1, 0);
	gomap *m = reentrant_map(&e, &r, true);
	ct_put(m, 1, 1);
	r.action = WRITE;
	GM_EXPECT_EQ_U(ct_put(m, 2, 2), GOMAP_OK);
	GM_EXPECT(r.done);
	GM_EXPECT_EQ_U(r.status, GOMAP_OK);
	GM_EXPECT_EQ_U(e.fail.count, 0);
	GM_EXPECT_EQ_U(gomap_len(m), 3);
	uint64_t v;
	GM_EXPECT(ct_get(m, 777, &v));
	GM_EXPECT(ct_get(m, 2, &v) && v == 2);
	CT_CHECK(m);
	gomap_destroy(m);
}

/* rule 67, table-driven with the flag set by hand: every entry point,
 * generic and fast, reports (or not) as Go does. */
typedef enum { E_ACCESS1, E_ACCESS2, E_ACCESSK, E_ASSIGN, E_DELETE, E_CLEAR,
	E_LEN, E_ITER_INIT, E_ITER_NEXT, E_A1_64, E_A2_64, E_AS_64, E_DEL_64,
	E_A1_32, E_AS_32, E_DEL_32, E_A1_STR, E_AS_STR, E_DEL_STR, E_COUNT
} entry;

GM_TEST(concurrent__preset_flag_table_of_entry_points)
{
	static const char *const R = "concurrent map read and map write",
	                         *const W = "concurrent map writes",
	                         *const I = "concurrent map iteration and map write";
	static const char *const expect[E_COUNT] = {
		R, R, NULL, W, W, W, NULL, I, I, R, R, W, W, R, W, W, R, W, W};
	for (int en = 0; en < E_COUNT; en++) {
		const char *kind = en >= E_A1_STR ? "str" : en >= E_A1_32 ? "u32" : "u64";
		ct_env e;
		ct_env_init(&e, 1, 0);
		gomap *m = ct_make(&e, kind, "u64", 0);
		void *el;
		gomap_str s = {(const uint8_t *)"a", 1};
		uint64_t k = 1;
		uint32_t k32 = 1;
		bool found;
		const void *kk, *ee;
		if (en >= E_A1_STR)
			gomap_assign_faststr(m, s, &el);
		else if (en >= E_A1_32)
			gomap_assign_fast32(m, k32, &el);
		else
			gomap_assign(m, &k, &el);
		gomap_iter it;
		gomap_iter_init(m, &it);
		m->flags |= GM_HASH_WRITING; /* as if a write were running */
		switch ((entry)en) {
		case E_ACCESS1: gomap_access1(m, &k); break;
		case E_ACCESS2: gomap_access2(m, &k, &found); break;
		case E_ACCESSK: gomap_accessK(m, &k, &kk, &ee); break;
		case E_ASSIGN: GM_EXPECT_EQ_U(gomap_assign(m, &k, &el), GOMAP_EFATAL); break;
		case E_DELETE: GM_EXPECT_EQ_U(gomap_delete(m, &k), GOMAP_EFATAL); break;
		case E_CLEAR: GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_EFATAL); break;
		case E_LEN: GM_EXPECT_EQ_U(gomap_len(m), 1); break;
		case E_ITER_INIT: {
			gomap_iter it2;
			gomap_iter_init(m, &it2);
			GM_EXPECT(it2.key == NULL);
			gomap_iter_release(&it2);
			break;
		}
		case E_ITER_NEXT: gomap_iter_next(&it); break;
		case E_A1_64: gomap_access1_fast64(m, k); break;
		case E_A2_64: gomap_access2_fast64(m, k, &found); break;
		case E_AS_64: GM_EXPECT_EQ_U(gomap_assign_fast64(m, k, &el), GOMAP_EFATAL); break;
		case E_DEL_64: GM_EXPECT_EQ_U(gomap_delete_fast64(m, k), GOMAP_EFATAL); break;
		case E_A1_32: gomap_access1_fast32(m, k32); break;
		case E_AS_32: GM_EXPECT_EQ_U(gomap_assign_fast32(m, k32, &el), GOMAP_EFATAL); break;
		case E_DEL_32: GM_EXPECT_EQ_U(gomap_delete_fast32(m, k32), GOMAP_EFATAL); break;
		case E_A1_STR: gomap_access1_faststr(m, s); break;
		case E_AS_STR: GM_EXPECT_EQ_U(gomap_assign_faststr(m, s, &el), GOMAP_EFATAL); break;
		case E_DEL_STR: GM_EXPECT_EQ_U(gomap_delete_faststr(m, s), GOMAP_EFATAL); break;
		case E_COUNT: break;
		}
		if (expect[en]) {
			GM_EXPECT_EQ_U(e.fail.count, 1);
			GM_EXPECT_EQ_U(e.fail.sev, GOMAP_FATAL);
			GM_EXPECT_STR(e.fail.msg, expect[en]);
		} else {
			GM_EXPECT_EQ_U(e.fail.count, 0);
		}
		gomap_iter_release(&it);
		gomap_destroy(m);
	}
}

/* rule 15: reading an empty map during a write is not detected (the
 * empty check comes first). */
GM_TEST(concurrent__read_of_empty_map_is_not_detected)
{
	ct_env e;
	ct_env_init(&e, 1, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	m->flags |= GM_HASH_WRITING;
	uint64_t k = 1;
	bool found;
	gomap_access2(m, &k, &found);
	gomap_access1_fast64(m, 1);
	GM_EXPECT_EQ_U(gomap_delete(m, &k), GOMAP_OK); /* empty: returns first */
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_OK);
	GM_EXPECT_EQ_U(e.fail.count, 0);
	m->flags &= (uint8_t)~GM_HASH_WRITING;
	gomap_destroy(m);
}

/* rules 67, 68: a map that met a fatal error is dead; reads miss, mapaccessK
 * finds nothing, a new iteration yields nothing and one already running
 * ends, all without a second report. */
GM_TEST(concurrent__dead_map_answers_nothing)
{
	ct_env e;
	ct_env_init(&e, 1, 0);
	gomap *m = ct_make(&e, "u64", "u64", 0);
	ct_put(m, 1, 10);
	gomap_iter before; /* started while the map was alive */
	gomap_iter_init(m, &before);
	GM_EXPECT(before.key != NULL);
	m->flags |= GM_HASH_WRITING;
	GM_EXPECT_EQ_U(ct_put(m, 2, 20), GOMAP_EFATAL);
	m->flags &= (uint8_t)~GM_HASH_WRITING;
	GM_EXPECT_EQ_U(e.fail.count, 1);
	uint64_t k = 1, v;
	GM_EXPECT(!ct_get(m, 1, &v));
	GM_EXPECT(gomap_access1_fast64(m, 1) != NULL);
	const void *kk, *ee;
	GM_EXPECT(!gomap_accessK(m, &k, &kk, &ee));
	gomap_iter it;
	gomap_iter_init(m, &it);
	GM_EXPECT(it.key == NULL);
	gomap_iter_next(&before); /* ends quietly: no second report */
	GM_EXPECT(before.key == NULL);
	GM_EXPECT_EQ_U(gomap_clear(m), GOMAP_EFATAL);
	GM_EXPECT_EQ_U(e.fail.count, 1);
	gomap_destroy(m);
}

/* rules 67-69 with two real threads, interleaved at fixed points by
 * semaphores (so the test has no data race): writer B hashes its key
 * before writer A sets hashWriting and sets its own flag (by XOR, as Go)
 * while A is comparing keys, which clears it.  Neither write saw the
 * other begin; both find the flag cleared at their end, Go's last check,
 * and report "concurrent map writes". */
typedef struct interleave {
	sem_t b_hashing, b_go, b_done;
	gomap *m;
	bool a_waiting; /* A's next equal call lets B run */
	int b_status;
} interleave;

static interleave *g_inter;

static uint64_t interleave_hash(const gomap_keytype *kt, const void *key,
                                uint64_t seed, gomap *m)
{
	uint64_t k;
	memcpy(&k, key, 8);
	if (k == 2) { /* B's key: wait for A to be inside its write */
		sem_post(&g_inter->b_hashing);
		sem_wait(&g_inter->b_go);
	}
	return gomap_key_u64.hash(kt, key, seed, m);
}

static bool interleave_equal(const gomap_keytype *kt, const void *a,
                             const void *b, gomap *m)
{
	if (g_inter->a_waiting) {
		g_inter->a_waiting = false;
		sem_post(&g_inter->b_go);
		sem_wait(&g_inter->b_done);
	}
	return memcmp(a, b, 8) == 0;
}

static void *writer_b(void *arg)
{
	interleave *x = arg;
	x->b_status = ct_put(x->m, 2, 20);
	sem_post(&x->b_done);
	return NULL;
}

GM_TEST(concurrent__interleaved_writers_both_fail_at_their_end)
{
	for (int a_deletes = 0; a_deletes < 2; a_deletes++) {
		interleave x;
		memset(&x, 0, sizeof x);
		sem_init(&x.b_hashing, 0, 0);
		sem_init(&x.b_go, 0, 0);
		sem_init(&x.b_done, 0, 0);
		g_inter = &x;
		gomap_keytype kt = gomap_key_u64;
		kt.fast = GOMAP_FAST_NONE;
		kt.hash = interleave_hash;
		kt.equal = interleave_equal;
		gomap_type t;
		gomap_type_init(&t, &kt, &gomap_elem_u64);
		ct_env e;
		ct_env_init(&e, 1, 0);
		x.m = ct_make_type(&e, &t, 0);
		ct_put(x.m, 1, 10);

		pthread_t b;
		GM_EXPECT_EQ_U(pthread_create(&b, NULL, writer_b, &x), 0);
		sem_wait(&x.b_hashing);
		x.a_waiting = true; /* A's key 1 is present: its equal runs */
		int a_status = a_deletes ? ct_del(x.m, 1) : ct_put(x.m, 1, 11);
		pthread_join(b, NULL);

		GM_EXPECT_EQ_U(x.b_status, GOMAP_EFATAL);
		GM_EXPECT_EQ_U(a_status, GOMAP_EFATAL);
		GM_EXPECT_EQ_U(e.fail.count, 2);
		GM_EXPECT_EQ_U(e.fail.sev, GOMAP_FATAL);
		GM_EXPECT_STR(e.fail.msg, "concurrent map writes");
		gomap_destroy(x.m);
		sem_destroy(&x.b_hashing);
		sem_destroy(&x.b_go);
		sem_destroy(&x.b_done);
	}
}

/* gomap.h: without a fail hook a fatal error prints Go's message to
 * stderr and aborts, as Go's process dies.  Run in a child process whose
 * SIGABRT handler exits with a known status (exit, so that the child's
 * atexit work, a coverage profile for one, still happens). */
static gomap *g_doomed; /* reachable until the child exits */

static void exit_on_abort(int sig)
{
	(void)sig;
	exit(42);
}

GM_TEST(concurrent__fatal_without_fail_hook_prints_and_aborts)
{
	int fds[2];
	GM_EXPECT_EQ_U(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	GM_EXPECT(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		signal(SIGABRT, exit_on_abort);
		g_doomed = ct_make(NULL, "u64", "u64", 0);
		g_doomed->flags |= GM_HASH_WRITING;
		ct_put(g_doomed, 1, 1);
		_exit(0); /* not reached */
	}
	close(fds[1]);
	char buf[256] = {0};
	size_t n = 0;
	for (ssize_t got; n < sizeof buf - 1 &&
	                  (got = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0;)
		n += (size_t)got;
	close(fds[0]);
	int status = 0;
	GM_EXPECT_EQ_U(waitpid(pid, &status, 0), pid);
	GM_EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	GM_EXPECT_STR(buf, "fatal error: concurrent map writes\n");
}

GM_TEST_MAIN()
