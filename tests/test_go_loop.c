/* Go's runtime map in the loop (oracle/go_oracle.h): the executor runs
 * every program on Go 1.19's map too and compares dumps and iteration
 * orders.  Linked with gomap_oracle_go (tests/CMakeLists.txt); without Go
 * 1.19 CTest reports these tests as skipped.
 *
 * A correct port agrees with Go on every trace the project keeps and on
 * random inputs of every target, including what Go cannot follow (an
 * allocation failure, a reentrant operation).  A port that shows another
 * structure, or another iteration order, is named go.dump or go.iter at
 * the operation that showed it, with Go's line as expected. */
#include <dirent.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "exec.h"
#include "go_oracle.h"
#include "harness.h"
#include "trace.h"

static void parse(const char *text, fz_program *p)
{
	fz_error err;
	if (fz_trace_parse("t.trace", text, strlen(text), p, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		abort();
	}
}

/* Structure checks, and so Go's dumps, after every operation. */
static const orc_exec_opts every_op = {.honour_paths = true,
                                       .check_all_below = SIZE_MAX};

static int run(const char *text, orc_verdict *v)
{
	fz_program p;
	parse(text, &p);
	int rc = orc_exec(&p, &every_op, v);
	if (rc != 0)
		orc_verdict_print(v, "t.trace", stderr);
	fz_program_free(&p);
	return rc;
}

/* A map of p's type on the port, with its own seed. */
static gomap *port_map(const fz_program *p, gomap_type *t, uint64_t seed)
{
	gomap_type_init(t, &p->hdr.key, &p->hdr.elem);
	gomap_hooks hooks = {.rand_seed = seed, .hashkey0 = p->hdr.hashkey};
	int st;
	return gomap_make(t, p->hdr.hint, &hooks, &st);
}

static void put_u64(gomap *m, uint64_t k, uint64_t e)
{
	void *slot;
	if (gomap_assign_fast64(m, k, &slot) == GOMAP_OK)
		memcpy(slot, &e, sizeof e);
}

GM_TEST(go_loop__a_structure_go_does_not_build_is_go_dump)
{
	/* The port's map is seeded differently from the trace: its first
	 * dump already shows another hash0. */
	fz_program p;
	parse("map u64 u64 seed=1\nput 1 10\nput 2 20\n", &p);
	gomap_type t;
	gomap *m = port_map(&p, &t, 2);
	orc_go_log g;
	orc_go_begin(&g, &p);
	for (size_t i = 0; i < p.nops; i++) {
		put_u64(m, i + 1, 10 * (i + 1));
		orc_go_after_op(&g, m, i, true);
	}
	orc_verdict v = {0};
	orc_go_judge(&g, m, &v);
	orc_verdict_print(&v, "t.trace", stderr);
	GM_EXPECT(v.failed);
	GM_EXPECT_STR(v.check, "go.dump");
	GM_EXPECT_EQ_U(v.op_index, 0);
	GM_EXPECT_EQ_U(v.line, 2);
	GM_EXPECT_STR(v.op, "put 1 10");
	GM_EXPECT(strncmp(v.expected, "dump count=1 ", 13) == 0);
	GM_EXPECT(strncmp(v.seen, "dump count=1 ", 13) == 0);
	GM_EXPECT(strcmp(v.expected, v.seen) != 0);
	gomap_destroy(m);
	fz_program_free(&p);
}

GM_TEST(go_loop__an_order_go_does_not_yield_is_go_iter)
{
	/* The port's map is right, but its `iter` is reported backwards. */
	fz_program p;
	parse("map u64 u64 seed=3\nput 1 1\nput 2 2\nput 3 3\niter\n", &p);
	gomap_type t;
	gomap *m = port_map(&p, &t, 3);
	orc_go_log g;
	orc_go_begin(&g, &p);
	for (size_t i = 0; i < 3; i++) {
		put_u64(m, i + 1, i + 1);
		orc_go_after_op(&g, m, i, false);
	}
	orc_pair pairs[3];
	size_t n = 0;
	gomap_iter it;
	for (gomap_iter_init(m, &it); it.key; gomap_iter_next(&it))
		pairs[2 - n++] = (orc_pair){it.key, it.elem};
	GM_EXPECT_EQ_U(n, 3);
	orc_go_iterated(&g, 3, pairs, n);
	orc_go_after_op(&g, m, 3, false);
	orc_verdict v = {0};
	orc_go_judge(&g, m, &v);
	orc_verdict_print(&v, "t.trace", stderr);
	GM_EXPECT_STR(v.check, "go.iter");
	GM_EXPECT_STR(v.op, "iter");
	GM_EXPECT_EQ_U(v.line, 5);
	GM_EXPECT(strncmp(v.expected, "iter 3: ", 8) == 0);
	GM_EXPECT(strncmp(v.seen, "iter 3: ", 8) == 0);
	GM_EXPECT(strcmp(v.expected, v.seen) != 0);
	gomap_iter_release(&it);
	gomap_destroy(m);
	fz_program_free(&p);
}

GM_TEST(go_loop__a_difference_in_a_long_line_is_shown_where_it_is)
{
	/* 8 keys of 300 bytes make a bucket line of some 5 KB.  The port's
	 * last elem differs, at the line's end: the verdict shows that end. */
	char text[8192];
	int n = snprintf(text, sizeof text, "map bytes300 u8 seed=1\n");
	for (int i = 1; i <= 8; i++) {
		n += snprintf(text + n, sizeof text - (size_t)n, "put x");
		for (int j = 0; j < 300; j++)
			n += snprintf(text + n, sizeof text - (size_t)n, "%02x", ((i * 7 + j) & 0xff) | 1);
		n += snprintf(text + n, sizeof text - (size_t)n, " 1\n");
	}
	fz_program p;
	parse(text, &p);
	gomap_type t;
	gomap *m = port_map(&p, &t, 1);
	orc_go_log g;
	orc_go_begin(&g, &p);
	for (size_t i = 0; i < p.nops; i++) {
		void *slot;
		GM_EXPECT(gomap_assign(m, p.ops[i].key, &slot) == GOMAP_OK);
		*(uint8_t *)slot = i == 7 ? 2 : 1;
		orc_go_after_op(&g, m, i, false);
	}
	orc_verdict v = {0};
	orc_go_judge(&g, m, &v);
	orc_verdict_print(&v, "t.trace", stderr);
	GM_EXPECT_STR(v.check, "go.dump");
	GM_EXPECT(strncmp(v.expected, "...", 3) == 0);
	GM_EXPECT(strncmp(v.seen, "...", 3) == 0);
	GM_EXPECT(strlen(v.expected) < 100);
	GM_EXPECT(strcmp(v.expected + strlen(v.expected) - 2, "=1") == 0);
	GM_EXPECT(strcmp(v.seen + strlen(v.seen) - 2, "=2") == 0);
	gomap_destroy(m);
	fz_program_free(&p);
}

GM_TEST(go_loop__an_operation_that_failed_with_enomem_is_not_run_by_go)
{
	/* The first put cannot allocate the bucket array.  Were it run on
	 * Go's map, Go's dumps would count one entry more. */
	orc_verdict v;
	GM_EXPECT_EQ_U(run("map u64 u64 seed=5\nfail-alloc 1\nput 1 1\n"
	                   "put 2 2\ndump\nlen\n", &v), 0);
	GM_EXPECT_EQ_U(run("map str u64 hint=9 seed=5\nput \"a\" 1\nfail-alloc 1\n"
	                   "put \"b\" 2\nput \"c\" 3\niter\n", &v), 0);
}

GM_TEST(go_loop__the_comparison_ends_before_a_reentrant_operation)
{
	/* Go's map cannot run an operation inside another's hash callback;
	 * were the outer put compared, Go's dump would lack the inner put's
	 * key. */
	orc_verdict v;
	GM_EXPECT_EQ_U(run("map u64 u64 seed=2\nput 1 1\nput 2 2\n"
	                   "reenter hash put 9 9\nput 3 3\nget 3\n", &v), 0);
	GM_EXPECT_EQ_U(run("map u64 u64 seed=2\nput 1 1\nreenter equal put 2 2\n"
	                   "gput 1 5\nexpect-fatal concurrent map writes\n", &v), 0);
	/* Nothing to compare at all. */
	GM_EXPECT_EQ_U(run("map u64 u64 seed=2\nreenter hash put 9 9\nput 3 3\n", &v), 0);
}

/* Every NAME.trace of dir runs with Go in the loop; returns how many ran.
 * Malformed traces (kept to test the parser) are not counted. */
static int run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	GM_EXPECT(d != NULL);
	int ran = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len < 7 || strcmp(e->d_name + len - 6, ".trace") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		fz_program p;
		fz_error err;
		if (fz_trace_parse_file(path, &p, &err) != 0)
			continue;
		orc_verdict v;
		int rc = orc_exec(&p, &every_op, &v);
		if (rc == 1 && strncmp(v.check, "go.", 3) == 0) {
			orc_verdict_print(&v, path, stderr);
			GM_EXPECT(!"Go disagrees with the port");
		}
		ran += rc != 2;
		fz_program_free(&p);
	}
	if (d)
		closedir(d);
	return ran;
}

GM_TEST(go_loop__every_kept_trace_agrees_with_go)
{
	static const char *const dirs[] = {
		"corpus/conformance", "corpus/regressions", "corpus/seeds/ops",
		"corpus/seeds/iter", "corpus/seeds/faults", "corpus/seeds/trace"};
	int ran = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", GOMAP_SOURCE_DIR, dirs[i]);
		ran += run_dir(dir);
	}
	fprintf(stderr, "%d traces agree with Go\n", ran);
	GM_EXPECT(ran >= 120);
}

static uint64_t next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15;
	uint64_t z = *s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

/* n random inputs for target t, run as the fuzz targets run them. */
static void expect_random_inputs_agree(enum fz_target t, int n)
{
	static uint8_t buf[1024];
	uint64_t rng = 0x60100ull + (uint64_t)t;
	const orc_exec_opts fuzz_cadence = {.honour_paths = true,
	                                    .check_all_below = 1,
	                                    .check_divisor = 1};
	int failed = 0;
	for (int i = 0; i < n; i++) {
		size_t len = 32 + next(&rng) % (sizeof buf - 32);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)next(&rng);
		fz_program p;
		GM_EXPECT(fz_decode(t, buf, len, &p) == 0);
		orc_verdict v;
		if (orc_exec(&p, &fuzz_cadence, &v) != 0) {
			orc_verdict_print(&v, "<input>", stderr);
			failed++;
		}
		fz_program_free(&p);
	}
	GM_EXPECT_EQ_U(failed, 0);
}

GM_TEST(go_loop__random_ops_inputs_agree_with_go)
{
	expect_random_inputs_agree(FZ_TARGET_OPS, 400);
}

GM_TEST(go_loop__random_iter_inputs_agree_with_go)
{
	expect_random_inputs_agree(FZ_TARGET_ITER, 400);
}

GM_TEST(go_loop__random_faults_inputs_agree_with_go)
{
	expect_random_inputs_agree(FZ_TARGET_FAULTS, 400);
}

GM_TEST_MAIN()
