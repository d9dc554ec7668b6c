/* The reducer behind `gomap minimize` (cli/reduce.h).
 *
 * The ddmin engine runs on synthetic predicates, where the one right
 * answer is known.  The program reducer runs on a program that fails
 * honestly without breaking the core: a put made from inside another
 * put's key-equality callback is Go's fatal "concurrent map writes", and
 * with no expect-fatal after it the executor reports fatal.unexpected.
 * Buried in noise, it must come back as the three operations it needs. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "reduce.h"
#include "trace.h"

/* ---- ddmin on synthetic predicates -------------------------------------- */

typedef struct want {
	size_t need[4]; /* elements that must all be present */
	size_t nneed;
	size_t calls;
} want;

static bool has(const size_t *idx, size_t n, size_t x)
{
	for (size_t i = 0; i < n; i++)
		if (idx[i] == x)
			return true;
	return false;
}

static bool all_present(void *ctx, size_t *idx, size_t *n)
{
	want *w = ctx;
	w->calls++;
	for (size_t i = 0; i < w->nneed; i++)
		if (!has(idx, *n, w->need[i]))
			return false;
	return true;
}

static size_t *iota(size_t n)
{
	size_t *idx = malloc(n * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	return idx;
}

GM_TEST(reduce__ddmin_finds_the_two_elements_that_matter)
{
	want w = {.need = {123, 877}, .nneed = 2};
	size_t *idx = iota(1000);
	fz_ddmin_stats st = {0};
	size_t n = fz_ddmin(idx, 1000, all_present, &w, 0, &st);
	GM_EXPECT_EQ_U(n, 2);
	GM_EXPECT_EQ_U(idx[0], 123);
	GM_EXPECT_EQ_U(idx[1], 877);
	GM_EXPECT(!st.out_of_tests);
	GM_EXPECT_EQ_U(st.tests, w.calls);
	/* chunked removal: far fewer tests than one per element per pass */
	GM_EXPECT(st.tests < 200);
	free(idx);
}

GM_TEST(reduce__ddmin_result_is_one_minimal)
{
	/* four needed elements, two of them neighbours */
	want w = {.need = {0, 7, 8, 63}, .nneed = 4};
	size_t *idx = iota(64);
	fz_ddmin_stats st = {0};
	size_t n = fz_ddmin(idx, 64, all_present, &w, 0, &st);
	GM_EXPECT_EQ_U(n, 4);
	for (size_t i = 0; i < 4 && i < n; i++)
		GM_EXPECT_EQ_U(idx[i], w.need[i]);
	free(idx);
}

static bool always(void *ctx, size_t *idx, size_t *n)
{
	(void)ctx;
	(void)idx;
	(void)n;
	return true;
}

GM_TEST(reduce__ddmin_may_reduce_to_nothing)
{
	size_t *idx = iota(10);
	fz_ddmin_stats st = {0};
	GM_EXPECT_EQ_U(fz_ddmin(idx, 10, always, NULL, 0, &st), 0);
	free(idx);
}

GM_TEST(reduce__ddmin_stops_at_max_tests_with_an_interesting_list)
{
	want w = {.need = {3, 500}, .nneed = 2};
	size_t *idx = iota(1000);
	fz_ddmin_stats st = {0};
	size_t n = fz_ddmin(idx, 1000, all_present, &w, 5, &st);
	GM_EXPECT(st.out_of_tests);
	GM_EXPECT_EQ_U(st.tests, 5);
	GM_EXPECT(n > 2);
	GM_EXPECT(has(idx, n, 3) && has(idx, n, 500));
	free(idx);
}

/* Odd elements depend on the even one before them (as an iter-next on its
 * iter-start): the predicate drops an orphan, and the engine adopts the
 * shorter list.  Interesting iff 41 is present. */
static bool with_dependents(void *ctx, size_t *idx, size_t *n)
{
	size_t m = 0;
	for (size_t i = 0; i < *n; i++)
		if (idx[i] % 2 == 0 || has(idx, *n, idx[i] - 1))
			idx[m++] = idx[i];
	*n = m;
	return has(idx, m, 41);
}

GM_TEST(reduce__ddmin_adopts_what_the_predicate_dropped)
{
	size_t *idx = iota(100);
	fz_ddmin_stats st = {0};
	size_t n = fz_ddmin(idx, 100, with_dependents, NULL, 0, &st);
	GM_EXPECT_EQ_U(n, 2);
	GM_EXPECT_EQ_U(idx[0], 40);
	GM_EXPECT_EQ_U(idx[1], 41);
	free(idx);
}

/* ---- programs --------------------------------------------------------- */

/* A deterministic noise generator (no time, no libc rand). */
static uint64_t next_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* ~200 operations of noise over keys 1000..1063, then the failing
 * scenario on key 77777 (its put early, the reentrant pair late), then
 * more noise. */
static char *noisy_trace(void)
{
	gomap_textbuf tb = {0};
	uint64_t s = 12345;
	gomap_textbuf_puts(&tb, "map u64 u64 seed=7 hint=3\n");
	for (int i = 0; i < 200; i++) {
		unsigned long long k = 1000 + next_rand(&s) % 64;
		switch (next_rand(&s) % 6) {
		case 0: case 1: case 2:
			gomap_textbuf_printf(&tb, "put %llu %llu\n", k, k * 3);
			break;
		case 3: gomap_textbuf_printf(&tb, "get %llu\n", k); break;
		case 4: gomap_textbuf_printf(&tb, "del %llu\n", k); break;
		default: gomap_textbuf_puts(&tb, "len\n"); break;
		}
		if (i == 20)
			gomap_textbuf_puts(&tb, "put 77777 5\n");
		if (i == 150)
			gomap_textbuf_puts(&tb, "reenter equal put 88888 6\n"
			                        "gput 77777 9\n");
	}
	gomap_textbuf_puts(&tb, "iter\n");
	const char *t = fz_textbuf_cstr(&tb);
	char *r = malloc(strlen(t) + 1);
	memcpy(r, t, strlen(t) + 1);
	gomap_textbuf_free(&tb);
	return r;
}

static const orc_exec_opts replay_opts = {.honour_paths = true, .paranoid = true};

/* Reduces the noisy trace; returns the reduced program's canonical text
 * (malloc'd) or NULL. */
static char *reduce_noisy(fz_reduce_stats *st, bool keep_values)
{
	char *text = noisy_trace();
	fz_program p, min;
	fz_error err;
	char *out = NULL;
	if (fz_trace_parse("noisy.trace", text, strlen(text), &p, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		free(text);
		return NULL;
	}
	fz_reduce_opts o = {.exec = &replay_opts, .keep_values = keep_values};
	if (fz_reduce_program(&p, "fatal.unexpected", &o, &min, st) == 0) {
		gomap_textbuf tb = {0};
		fz_trace_print(&min, &tb);
		const char *t = fz_textbuf_cstr(&tb);
		out = malloc(strlen(t) + 1);
		memcpy(out, t, strlen(t) + 1);
		gomap_textbuf_free(&tb);
		fz_program_free(&min);
	}
	fz_program_free(&p);
	free(text);
	return out;
}

GM_TEST(reduce__program_keeps_only_the_reentrant_write_and_its_key)
{
	orc_verdict v;
	char *text = noisy_trace();
	fz_program p;
	fz_error err;
	GM_EXPECT(fz_trace_parse("noisy.trace", text, strlen(text), &p, &err) == 0);
	GM_EXPECT_EQ_U(orc_exec(&p, &replay_opts, &v), 1);
	GM_EXPECT_STR(v.check, "fatal.unexpected");
	fz_program_free(&p);
	free(text);

	fz_reduce_stats st;
	char *got = reduce_noisy(&st, true);
	GM_EXPECT(got != NULL);
	GM_EXPECT_STR(got ? got : "", "map u64 u64 hint=3 seed=7\n"
	                              "put 77777 5\n"
	                              "reenter equal put 88888 6\n"
	                              "gput 77777 9\n");
	GM_EXPECT_EQ_U(st.ops_after, 3);
	GM_EXPECT(st.ops_before > 200);
	GM_EXPECT_STR(st.verdict.check, "fatal.unexpected");
	free(got);
}

GM_TEST(reduce__program_values_become_small)
{
	fz_reduce_stats st;
	char *got = reduce_noisy(&st, false);
	GM_EXPECT_STR(got ? got : "", "map u64 u64 seed=1\n"
	                              "put 1 1\n"
	                              "reenter equal put 2 2\n"
	                              "gput 1 3\n");
	/* the same input, the same result, the same number of runs */
	fz_reduce_stats again;
	char *twice = reduce_noisy(&again, false);
	GM_EXPECT_STR(twice ? twice : "", got ? got : "");
	GM_EXPECT_EQ_U(again.tests, st.tests);
	free(got);
	free(twice);
}

GM_TEST(reduce__program_second_run_must_fail_its_own_check_too)
{
	char *text = noisy_trace();
	fz_program p, min;
	fz_error err;
	GM_EXPECT(fz_trace_parse("noisy.trace", text, strlen(text), &p, &err) == 0);
	/* a fuzz target's cadence: the structure checked after every op */
	const orc_exec_opts every_op = {.honour_paths = true, .check_all_below = 100000};
	fz_reduce_opts o = {.exec = &replay_opts, .also_exec = &every_op,
	                    .also_check = "fatal.unexpected", .keep_values = true};
	fz_reduce_stats st;
	GM_EXPECT(fz_reduce_program(&p, "fatal.unexpected", &o, &min, &st) == 0);
	GM_EXPECT_EQ_U(min.nops, 3);
	fz_program_free(&min);
	/* the second run does not fail that way: nothing to reduce */
	o.also_check = "content.missing";
	GM_EXPECT(fz_reduce_program(&p, "fatal.unexpected", &o, &min, &st) == -1);
	fz_program_free(&min);
	fz_program_free(&p);
	free(text);
}

GM_TEST(reduce__program_that_passes_is_refused)
{
	const char *text = "map u64 u64 seed=1\nput 1 2\nget 1\n";
	fz_program p, min;
	fz_error err;
	GM_EXPECT(fz_trace_parse("ok.trace", text, strlen(text), &p, &err) == 0);
	fz_reduce_opts o = {.exec = &replay_opts};
	fz_reduce_stats st;
	GM_EXPECT(fz_reduce_program(&p, "fatal.unexpected", &o, &min, &st) == -1);
	GM_EXPECT_EQ_U(min.nops, 0);
	fz_program_free(&min);
	fz_program_free(&p);
}

GM_TEST_MAIN()
