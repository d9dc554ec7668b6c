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
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "exec.h"
#include "go_oracle.h"
#include "harness.h"
#include "trace.h"
#include "support/trace_files.h"

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

/* The port's side of a comparison, made by hand: text's map on the port
 * (seeded with `seed`), its first n operations (puts of u64 keys 1, 2,
 * ..., each elem its key times `scale`) run and logged, with a dump after
 * each when `checked`. */
typedef struct by_hand {
	fz_program p;
	gomap_type t;
	gomap *m;
	orc_go_log g;
} by_hand;

static void run_puts(by_hand *h, const char *text, uint64_t seed, size_t n,
                     uint64_t scale, bool checked)
{
	parse(text, &h->p);
	h->m = port_map(&h->p, &h->t, seed);
	orc_go_begin(&h->g, &h->p);
	for (size_t i = 0; i < n; i++) {
		void *slot;
		uint64_t e = scale * (i + 1);
		if (gomap_assign_fast64(h->m, i + 1, &slot) == GOMAP_OK)
			memcpy(slot, &e, sizeof e);
		orc_go_after_op(&h->g, h->m, i, checked);
	}
}

/* Go's verdict on what h logged; frees h. */
static orc_verdict judged(by_hand *h)
{
	orc_verdict v = {0};
	orc_go_judge(&h->g, h->m, &v);
	orc_verdict_print(&v, "t.trace", stderr);
	gomap_destroy(h->m);
	fz_program_free(&h->p);
	return v;
}

GM_TEST(go_loop__a_structure_go_does_not_build_is_go_dump)
{
	/* The port's map is seeded differently from the trace: its first
	 * dump already shows another hash0. */
	by_hand h;
	run_puts(&h, "map u64 u64 seed=1\nput 1 10\nput 2 20\n", 2, 2, 10, true);
	orc_verdict v = judged(&h);
	GM_EXPECT(v.failed);
	GM_EXPECT_STR(v.check, "go.dump");
	GM_EXPECT_EQ_U(v.op_index, 0);
	GM_EXPECT_EQ_U(v.line, 2);
	GM_EXPECT_STR(v.op, "put 1 10");
	GM_EXPECT(strncmp(v.expected, "dump count=1 ", 13) == 0);
	GM_EXPECT(strncmp(v.seen, "dump count=1 ", 13) == 0);
	GM_EXPECT(strcmp(v.expected, v.seen) != 0);
}

GM_TEST(go_loop__an_order_go_does_not_yield_is_go_iter)
{
	/* The port's map is right, but its `iter` is reported backwards. */
	by_hand h;
	run_puts(&h, "map u64 u64 seed=3\nput 1 1\nput 2 2\nput 3 3\niter\n", 3, 3, 1, false);
	orc_pair pairs[3];
	size_t n = 0;
	gomap_iter it;
	for (gomap_iter_init(h.m, &it); it.key; gomap_iter_next(&it))
		pairs[2 - n++] = (orc_pair){it.key, it.elem};
	gomap_iter_release(&it);
	GM_EXPECT_EQ_U(n, 3);
	orc_go_iterated(&h.g, 3, pairs, n);
	orc_go_after_op(&h.g, h.m, 3, false);
	orc_verdict v = judged(&h);
	GM_EXPECT_STR(v.check, "go.iter");
	GM_EXPECT_STR(v.op, "iter");
	GM_EXPECT_EQ_U(v.line, 5);
	GM_EXPECT(strncmp(v.expected, "iter 3: ", 8) == 0);
	GM_EXPECT(strncmp(v.seen, "iter 3: ", 8) == 0);
	GM_EXPECT(strcmp(v.expected, v.seen) != 0);
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

/* Each trace runs with Go in the loop, and passes. */
static void expect_agree(const char *const *traces, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		orc_verdict v;
		GM_EXPECT_EQ_U(run(traces[i], &v), 0);
	}
}

GM_TEST(go_loop__an_operation_that_failed_with_enomem_is_not_run_by_go)
{
	/* The first put cannot allocate the bucket array.  Were it run on
	 * Go's map, Go's dumps would count one entry more. */
	static const char *const traces[] = {
		"map u64 u64 seed=5\nfail-alloc 1\nput 1 1\nput 2 2\ndump\nlen\n",
		"map str u64 hint=9 seed=5\nput \"a\" 1\nfail-alloc 1\nput \"b\" 2\nput \"c\" 3\niter\n"};
	expect_agree(traces, 2);
}

GM_TEST(go_loop__the_comparison_ends_before_a_reentrant_operation)
{
	/* Go's map cannot run an operation inside another's hash callback;
	 * were the outer put compared, Go's dump would lack the inner put's
	 * key.  The last one has nothing to compare at all. */
	static const char *const traces[] = {
		"map u64 u64 seed=2\nput 1 1\nput 2 2\nreenter hash put 9 9\nput 3 3\nget 3\n",
		"map u64 u64 seed=2\nput 1 1\nreenter equal put 2 2\ngput 1 5\nexpect-fatal concurrent map writes\n",
		"map u64 u64 seed=2\nreenter hash put 9 9\nput 3 3\n"};
	expect_agree(traces, 3);
}

/* One kept trace runs with Go in the loop and Go agrees; counted in *ran
 * unless malformed (some are kept to test the parser). */
static void expect_trace_agrees(const char *path, void *ran)
{
	fz_program p;
	fz_error err;
	if (fz_trace_parse_file(path, &p, &err) != 0)
		return;
	orc_verdict v;
	int rc = orc_exec(&p, &every_op, &v);
	if (rc == 1 && strncmp(v.check, "go.", 3) == 0) {
		orc_verdict_print(&v, path, stderr);
		GM_EXPECT(!"Go disagrees with the port");
	}
	*(int *)ran += rc != 2;
	fz_program_free(&p);
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
		GM_EXPECT(gm_each_trace_file(dir, expect_trace_agrees, &ran) > 0);
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

/* One random input of 32 to 1023 bytes for target t, run as the fuzz
 * targets run it; true when it passes. */
static bool random_input_agrees(enum fz_target t, uint64_t *rng)
{
	static uint8_t buf[1024];
	static const orc_exec_opts fuzz_cadence = {
		.honour_paths = true, .check_all_below = 1, .check_divisor = 1};
	size_t len = 32 + next(rng) % (sizeof buf - 32);
	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)next(rng);
	fz_program p;
	orc_verdict v = {0};
	int rc = fz_decode(t, buf, len, &p) == 0 ? orc_exec(&p, &fuzz_cadence, &v) : -1;
	if (rc != 0)
		orc_verdict_print(&v, "<input>", stderr);
	fz_program_free(&p);
	return rc == 0;
}

static void expect_random_inputs_agree(enum fz_target t, int n)
{
	uint64_t rng = 0x60100ull + (uint64_t)t;
	int agreed = 0;
	for (int i = 0; i < n; i++)
		agreed += random_input_agrees(t, &rng);
	GM_EXPECT_EQ_U(agreed, n);
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
