/* The binary fuzz format (fuzz/decode.h, docs/fuzz-format.md):
 * bytes -> program -> text -> program -> bytes -> program prints the same
 * text; hand-written and conformance traces compile to bytes that decode
 * to exactly them; the same input replays byte for byte; random inputs
 * pass on the correct core; and the encoder refuses what the format cannot
 * express, naming the operation's line. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "decoder.h"
#include "exec.h"
#include "harness.h"
#include "poison.h" /* FZ_POISON_ASAN: built with ASan */
#include "trace.h"
#include "support/trace_files.h"

static const enum fz_target all_targets[FZ_TARGETS] = {
	FZ_TARGET_OPS, FZ_TARGET_ITER, FZ_TARGET_FAULTS};

/* ---- helpers -------------------------------------------------------------- */

/* splitmix64 from a fixed seed: the tests' only randomness. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random input of up to max_records records after the header; one in
 * eight ends in the middle of a record. */
static size_t random_input(uint64_t *rng, uint8_t *buf, size_t max_records)
{
	size_t n = FZ_HEADER_SIZE + FZ_RECORD_SIZE * (next_random(rng) % (max_records + 1));
	if (next_random(rng) % 8 == 0)
		n += next_random(rng) % FZ_RECORD_SIZE;
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)next_random(rng);
	return n;
}

/* The canonical text of p (malloc'd). */
static char *program_text(const fz_program *p)
{
	gomap_textbuf tb = {0};
	fz_trace_print(p, &tb);
	const char *t = fz_textbuf_cstr(&tb);
	char *r = malloc(strlen(t) + 1);
	if (r)
		strcpy(r, t);
	gomap_textbuf_free(&tb);
	return r;
}

static int parse_text(const char *text, fz_program *p, fz_error *err)
{
	return fz_trace_parse("t.trace", text, strlen(text), p, err);
}

/* Compiles trace text for t and decodes the bytes again: the decoded
 * program's text, or "ERROR: FILE:LINE: ..." (malloc'd). */
static char *compile_and_explain(enum fz_target t, const char *text)
{
	fz_program p, back;
	fz_error err;
	uint8_t *bytes = NULL;
	size_t n = 0;
	char *r = NULL;
	if (parse_text(text, &p, &err) != 0 || fz_encode(t, &p, &bytes, &n, &err) != 0) {
		r = malloc(strlen(err.text) + 8);
		if (r)
			sprintf(r, "ERROR: %s", err.text);
	} else if (fz_decode(t, bytes, n, &back) == 0) {
		r = program_text(&back);
		fz_program_free(&back);
	}
	if (p.has_header)
		fz_program_free(&p);
	free(bytes);
	return r;
}

/* ---- bytes -> trace -> bytes -> trace ------------------------------------- */

/* One input through the whole circle.  Returns 0 when the two texts agree;
 * 1 when the encoder refused (its message printed); -1 on a mismatch. */
static int round_trip(enum fz_target t, const uint8_t *in, size_t n)
{
	fz_program first, parsed, again;
	fz_error err;
	if (fz_decode(t, in, n, &first) != 0)
		return -1;
	char *t1 = program_text(&first);
	fz_program_free(&first);
	int rc = -1;
	if (parse_text(t1, &parsed, &err) != 0) {
		fprintf(stderr, "%s target: the decoder's program does not parse back: %s\n",
		        fz_target_name(t), err.text);
		free(t1);
		return -1;
	}
	uint8_t *bytes;
	size_t len;
	if (fz_encode(t, &parsed, &bytes, &len, &err) != 0) {
		fprintf(stderr, "%s target: unencodable: %s\n", fz_target_name(t), err.text);
		rc = 1;
	} else {
		if (fz_decode(t, bytes, len, &again) == 0) {
			char *t2 = program_text(&again);
			rc = t2 && strcmp(t1, t2) == 0 ? 0 : -1;
			if (rc != 0)
				fprintf(stderr, "%s target: round trip differs:\n--- first\n%s--- again\n%s",
				        fz_target_name(t), t1, t2 ? t2 : "(null)");
			/* and the bytes are a fixed point: encoding again gives them */
			uint8_t *bytes3 = NULL;
			size_t len3 = 0;
			if (rc == 0) {
				bool same = fz_encode(t, &again, &bytes3, &len3, &err) == 0 &&
				            len3 == len && memcmp(bytes3, bytes, len) == 0;
				free(bytes3);
				if (!same) {
					fprintf(stderr, "%s target: encoding the decoded program again gives other bytes\n",
					        fz_target_name(t));
					rc = -1;
				}
			}
			free(t2);
			fz_program_free(&again);
		}
		free(bytes);
	}
	fz_program_free(&parsed);
	free(t1);
	return rc;
}

/* Whether the decoder stops reading `in` because its budget of map
 * operations is spent (rather than at the end of the bytes or a fatal). */
static bool spends_budget(enum fz_target t, const uint8_t *in, size_t n)
{
	fz_program p;
	fz_decoder d;
	fz_program_init(&p, NULL);
	fz_decoder_init(&d, t, in, n, &p);
	size_t off = n < FZ_HEADER_SIZE ? n : FZ_HEADER_SIZE;
	for (size_t used; (used = fz_decoder_step(&d, in + off, n - off)) > 0;)
		off += used;
	bool spent = d.done && d.budget == 0;
	fz_program_free(&p);
	return spent;
}

GM_TEST(fuzz_format__bytes_trace_bytes_round_trip)
{
	enum { LONG = 3000 };
	static uint8_t buf[FZ_HEADER_SIZE + FZ_RECORD_SIZE * LONG + 8];
	for (int ti = 0; ti < FZ_TARGETS; ti++) {
		enum fz_target t = all_targets[ti];
		uint64_t rng = 0x5eed0000u + (uint64_t)t;
		int refused = 0, differ = 0, spent = 0;
		for (int i = 0; i < 400; i++) {
			/* mostly short inputs, a few long enough to spend the budget */
			size_t n = random_input(&rng, buf, i % 50 == 49 ? LONG : 64);
			int rc = round_trip(t, buf, n);
			refused += rc == 1;
			differ += rc == -1;
			spent += spends_budget(t, buf, n);
		}
		GM_EXPECT_EQ_U(differ, 0);
		/* the decoder's own programs are always expressible */
		GM_EXPECT_EQ_U(refused, 0);
		GM_EXPECT(spent > 0);
	}
}

/* ---- trace -> bytes -> trace ---------------------------------------------- */

/* Canonical traces (seeded, so they print back unchanged) over every
 * operation, value kind and header field the format carries. */
static const char *const faithful[] = {
	"map u64 u64 seed=7\n"
	"put 1 10\nput 2 20\nget 1\ngget 3\ndel 1\ngdel 2\nlen\niter\ndump\n"
	"check\nclear\nput 18446744073709551615 18446744073709551615\n",

	"map u32 u8 hint=100 seed=1 hashkey=0x1234\ninc 5\ninc 5\nget 5\n",

	"map f64 u32 seed=3 hash=collide\nput -0 1\nput 0 2\nput nan 3\nput nan 4\n"
	"put inf 5\nput -inf 6\nput 0.1 7\nput 1e+300 4294967295\nget -0\ndel nan\n",

	"map str str hint=-5 seed=0 hash=weak\nput \"\" \"\"\nput \"a\\x00b\" \"x\"\n"
	"put \"42\" \"42\"\nput \"007\" \"255\"\nput \"aaaaaaaaaaaa\" \"long elem value\"\n"
	"get \"a\\x00b\"\ngdel \"42\"\nlen\n",

	"map bytes5 bytes1024 seed=9 hash=tophash\nput x01 x02\n"
	"put xffeeddccbb x0000000000000000000000000001\ngget xffeeddccbb\n",

	"map bytes300 bytes129 seed=2\nput x0102030405 x01\nput x01 xff\n",

	/* runs of fresh keys and derived elems: bulk records */
	"map u64 u32 seed=4\nput 100 0\nput 101 1\nput 102 2\nput 103 3\n"
	"gput 7 250\ngput 8 251\ngput 9 252\ngput 10 253\ngput 11 254\ngput 12 255\n"
	"gput 13 256\n",

	"map u64 u64 seed=5\nput 1 1\nput 2 2\niter-start 3\niter-next 1 3\n"
	"iter-next 40 3\niter-next 1000000 3\niter-stop 3\niter-start\n"
	"iter-next 2\n",
};

/* The same for the faults target only. */
static const char *const faithful_faults[] = {
	/* faults' big-hint form: B = 16, where overflow buckets count by chance */
	"map u64 u64 hint=212993 seed=6 hash=collide\nput 1 1\nput 2 2\nput 3 3\n"
	"put 4 4\nput 5 5\nput 6 6\nput 7 7\nput 8 8\nput 9 9\nlen\n",

	"map u32 u8 hint=278528 seed=7\nput 1 1\n",

	"map u64 u64 seed=5\nput 1 1\nfail-alloc 3\nput 2 2\nfail-alloc 2147483648\n"
	"put 3 3\n",

	"map u64 u64 seed=6\nput 1 1\nput 2 2\nreenter hash put 3 30\nput 4 4\n"
	"reenter hash gget 3\ngput 5 77\nreenter hash len\nput 6 6\n",

	"map u64 u64 seed=6\nput 1 1\nreenter equal put 9 90\ngput 1 5\n"
	"expect-fatal concurrent map writes\n",

	"map str u64 seed=6\nput \"k\" 1\nreenter equal gget \"z\"\ngdel \"k\"\n"
	"expect-fatal concurrent map read and map write\n",

	"map u64 u64 seed=6\nput 1 1\nput 2 2\niter-start 2\n"
	"reenter equal iter-next 3 2\ngput 2 9\n"
	"expect-fatal concurrent map iteration and map write\n",

	"map u64 str seed=6\nput 1 \"a\"\niter-start\nreenter hash iter-next 8\n"
	"gput 4 \"200\"\nreenter equal len\ngdel 1\nlen\n",
};

/* text's canonical form (malloc'd), or NULL if it does not parse. */
static char *canonical(const char *text)
{
	fz_program p;
	fz_error err;
	if (parse_text(text, &p, &err) != 0)
		return NULL;
	char *r = program_text(&p);
	fz_program_free(&p);
	return r;
}

static void expect_faithful(enum fz_target t, const char *text)
{
	char *want = canonical(text);
	char *got = compile_and_explain(t, text);
	GM_EXPECT(want != NULL);
	GM_EXPECT_STR(got ? got : "(null)", want ? want : "(unparsable)");
	free(got);
	free(want);
}

GM_TEST(fuzz_format__trace_bytes_trace_is_exact)
{
	for (size_t i = 0; i < sizeof faithful / sizeof faithful[0]; i++)
		for (int ti = 0; ti < FZ_TARGETS; ti++)
			if (all_targets[ti] == FZ_TARGET_OPS || !strstr(faithful[i], "dump"))
				expect_faithful(all_targets[ti], faithful[i]);
	for (size_t i = 0; i < sizeof faithful_faults / sizeof faithful_faults[0]; i++)
		expect_faithful(FZ_TARGET_FAULTS, faithful_faults[i]);
	/* without a seed the input carries seed 0 */
	char *got = compile_and_explain(FZ_TARGET_OPS, "map u32 u32\nput 1 2\n");
	GM_EXPECT_STR(got ? got : "(null)", "map u32 u32 seed=0\nput 1 2\n");
	free(got);
}

/* The outer key of reenter equal is selected among pool slots known to
 * be in the map.  Forty literal keys after its put would push it out of
 * the pool; the encoder writes it again before that happens. */
GM_TEST(fuzz_format__equal_outer_keys_stay_in_the_pool)
{
	gomap_textbuf tb = {0};
	gomap_textbuf_puts(&tb, "map u64 u64 seed=1\nput 1 1\n");
	for (int i = 0; i < 40; i++) /* above 2^32: only a literal makes them */
		gomap_textbuf_printf(&tb, "get %llu\n", (1ULL << 40) + (unsigned long long)i);
	gomap_textbuf_puts(&tb, "reenter equal len\ngput 1 7\nreenter equal gget 2\ngdel 1\n"
	                        "expect-fatal concurrent map read and map write\n");
	expect_faithful(FZ_TARGET_FAULTS, fz_textbuf_cstr(&tb));
	gomap_textbuf_free(&tb);
}

/* Each target's weights share out all 256 opcode byte values, so every
 * byte selects the class its target's entry in targets.c names, and each
 * class a target weighs at all is reachable. */
GM_TEST(fuzz_format__each_targets_weights_share_out_the_opcode_byte)
{
	for (int t = 0; t < FZ_TARGETS; t++) {
		unsigned sum = 0;
		for (int c = 0; c < FZ_CLASSES; c++) {
			sum += fz_targets[t].weights[c];
			GM_EXPECT((fz_class_byte((enum fz_target)t, (enum fz_class)c) >= 0) ==
			          (fz_targets[t].weights[c] > 0));
		}
		GM_EXPECT_EQ_U(sum, 256);
		enum fz_target back;
		GM_EXPECT(fz_target_parse(fz_targets[t].name, &back) && back == (enum fz_target)t);
	}
}

/* A churn record (bulk, flag bits 6 and 7, in faults): 128 fresh keys
 * in, and once the window is full each put follows the delete of the
 * oldest key.  In ops, which does not churn, it is a bulk delete. */
GM_TEST(fuzz_format__a_churn_keeps_a_window_of_fresh_keys)
{
	uint8_t in[FZ_HEADER_SIZE + FZ_RECORD_SIZE] = {2, 1, 0, 0, 2};
	uint8_t *r = in + FZ_HEADER_SIZE;
	r[0] = (uint8_t)fz_class_byte(FZ_TARGET_FAULTS, FZ_C_BULK);
	r[1] = FZ_FLAG_BULK_CHURN;
	r[2] = 24; /* a window of 25 */
	r[4] = 100; /* keys from 100 */
	fz_program p;
	GM_EXPECT(fz_decode(FZ_TARGET_FAULTS, in, sizeof in, &p) == 0);
	GM_EXPECT_EQ_U(p.nops, 25 + 2 * (FZ_CHURN_KEYS - 25));
	uint64_t k;
	memcpy(&k, p.ops[24].key, 8);
	GM_EXPECT(p.ops[24].code == FZ_OP_PUT && k == 124);
	memcpy(&k, p.ops[25].key, 8);
	GM_EXPECT(p.ops[25].code == FZ_OP_DEL && k == 100);
	memcpy(&k, p.ops[p.nops - 1].key, 8);
	GM_EXPECT(p.ops[p.nops - 1].code == FZ_OP_PUT && k == 100 + FZ_CHURN_KEYS - 1);
	/* the map never holds more than the window */
	long live = 0, most = 0;
	for (size_t i = 0; i < p.nops; i++) {
		live += p.ops[i].code == FZ_OP_PUT ? 1 : -1;
		most = live > most ? live : most;
	}
	GM_EXPECT_EQ_U(most, 25);
	fz_program_free(&p);
	r[0] = (uint8_t)fz_class_byte(FZ_TARGET_OPS, FZ_C_BULK);
	GM_EXPECT(fz_decode(FZ_TARGET_OPS, in, sizeof in, &p) == 0);
	GM_EXPECT_EQ_U(p.nops, 0); /* nothing in the pool to delete */
	fz_program_free(&p);
}

GM_TEST(fuzz_format__bulk_runs_take_one_record)
{
	/* 64 puts of consecutive keys and elems: far fewer than 64 records */
	gomap_textbuf tb = {0};
	gomap_textbuf_puts(&tb, "map u64 u64 seed=1\n");
	for (int i = 0; i < 64; i++)
		gomap_textbuf_printf(&tb, "put %d %d\n", 1000 + i, i);
	fz_program p;
	fz_error err;
	uint8_t *bytes = NULL;
	size_t n = 0;
	GM_EXPECT(parse_text(fz_textbuf_cstr(&tb), &p, &err) == 0);
	GM_EXPECT(fz_encode(FZ_TARGET_OPS, &p, &bytes, &n, &err) == 0);
	GM_EXPECT(n < FZ_HEADER_SIZE + 8 * FZ_RECORD_SIZE);
	fz_program_free(&p);
	free(bytes);
	gomap_textbuf_free(&tb);
}

/* Long str keys of one length and letter that differ only in their
 * middle byte (what faststr's two-candidate screen needs) are fresh keys,
 * a record each with no literal bytes, and decode to exactly themselves. */
GM_TEST(fuzz_format__long_keys_differing_inside_are_fresh_keys)
{
	char run[41], marked[3][41];
	memset(run, 'q', 40);
	run[40] = '\0';
	for (int i = 0; i < 3; i++) {
		memcpy(marked[i], run, sizeof run);
		marked[i][20] = (char)("BCZ"[i]);
	}
	gomap_textbuf tb = {0};
	gomap_textbuf_printf(&tb, "map str u64 seed=8\nput \"%s\" 1\n", run);
	gomap_textbuf_printf(&tb, "put \"%s\" 2\nput \"%s\" 3\n", marked[0], marked[1]);
	gomap_textbuf_printf(&tb, "get \"%s\"\n", marked[2]);
	fz_program p, back;
	fz_error err;
	uint8_t *bytes = NULL;
	size_t n = 0;
	GM_EXPECT(parse_text(fz_textbuf_cstr(&tb), &p, &err) == 0);
	GM_EXPECT(fz_encode(FZ_TARGET_OPS, &p, &bytes, &n, &err) == 0);
	GM_EXPECT(n <= FZ_HEADER_SIZE + 8 * FZ_RECORD_SIZE); /* no 40-byte literal */
	GM_EXPECT(fz_decode(FZ_TARGET_OPS, bytes, n, &back) == 0);
	char *want = program_text(&p), *got = program_text(&back);
	GM_EXPECT_STR(got, want);
	GM_EXPECT(strstr(got, marked[2]) != NULL);
	free(want);
	free(got);
	fz_program_free(&back);
	fz_program_free(&p);
	free(bytes);
	gomap_textbuf_free(&tb);
}

/* A key selector from FZ_SEL_SIBLING to FZ_SEL_FRESH copies a pool key
 * with its middle byte taken from the argument: for str a capital, so two
 * siblings of a long key and the key agree in their first and last four
 * bytes (faststr's two candidates); for other kinds the argument's low
 * byte.  Each sibling is a key of its own, joining the pool. */
GM_TEST(fuzz_format__siblings_differ_from_a_pool_key_in_the_middle)
{
	uint8_t in[FZ_HEADER_SIZE + 3 * FZ_RECORD_SIZE] = {FZ_FORMAT_VERSION, 3};
	uint8_t *r = in + FZ_HEADER_SIZE;
	const uint8_t put = (uint8_t)fz_class_byte(FZ_TARGET_OPS, FZ_C_PUT);
	const uint8_t get = (uint8_t)fz_class_byte(FZ_TARGET_OPS, FZ_C_GET);
	const uint8_t recs[3][FZ_RECORD_SIZE] = {
		{put, 0, FZ_SEL_FRESH, 1, 40, 0, 0, 0x80}, /* 40 'i': 0x8000 % 26 */
		{put, 0, FZ_SEL_SIBLING, 2, 1},            /* slot 0: 'B' inside */
		{get, 0, FZ_SEL_SIBLING + 1, 0, 25},       /* slot 1: 'Z' inside */
	};
	memcpy(r, recs, sizeof recs);
	fz_program p;
	GM_EXPECT(fz_decode(FZ_TARGET_OPS, in, sizeof in, &p) == 0);
	GM_EXPECT_EQ_U(p.nops, 3);
	char want[3][41];
	for (int i = 0; i < 3; i++) {
		memset(want[i], 'i', 40);
		want[i][40] = '\0';
	}
	want[1][20] = 'B';
	want[2][20] = 'Z';
	for (size_t i = 0; i < p.nops && i < 3; i++) {
		gomap_str k;
		memcpy(&k, p.ops[i].key, sizeof k);
		GM_EXPECT(k.len == 40 && memcmp(k.ptr, want[i], 40) == 0);
	}
	GM_EXPECT(p.nops == 3 && p.ops[2].code == FZ_OP_GET);
	fz_program_free(&p);

	/* u64: byte 4 of the key; the sibling of a sibling stays a key */
	in[1] = 1;
	const uint8_t u64recs[3][FZ_RECORD_SIZE] = {
		{put, 0, FZ_SEL_FRESH, 1, 0x11, 0x22, 0x33, 0x44},
		{put, 0, FZ_SEL_SIBLING, 2, 0xaa},
		{put, 0, FZ_SEL_SIBLING, 3, 0xbb},
	};
	memcpy(r, u64recs, sizeof u64recs);
	GM_EXPECT(fz_decode(FZ_TARGET_OPS, in, sizeof in, &p) == 0);
	GM_EXPECT_EQ_U(p.nops, 3);
	const uint64_t want64[3] = {0x44332211u, 0xaa44332211u, 0xbb44332211u};
	for (size_t i = 0; i < p.nops && i < 3; i++) {
		uint64_t k;
		memcpy(&k, p.ops[i].key, 8);
		GM_EXPECT_EQ_U(k, want64[i]);
	}
	fz_program_free(&p);
}

/* Fresh f64 keys: one x in FZ_F64_NAN_EVERY is a NaN, so a bulk put of
 * that many holds exactly one; the others are x / 2. */
GM_TEST(fuzz_format__a_bulk_of_f64_keys_holds_a_nan)
{
	uint8_t in[FZ_HEADER_SIZE + FZ_RECORD_SIZE] = {FZ_FORMAT_VERSION, 2};
	uint8_t *r = in + FZ_HEADER_SIZE;
	r[0] = (uint8_t)fz_class_byte(FZ_TARGET_OPS, FZ_C_BULK);
	r[2] = FZ_F64_NAN_EVERY - 1; /* that many puts */
	r[4] = 100;                  /* keys from x = 100 */
	fz_program p;
	GM_EXPECT(fz_decode(FZ_TARGET_OPS, in, sizeof in, &p) == 0);
	GM_EXPECT_EQ_U(p.nops, FZ_F64_NAN_EVERY);
	unsigned nans = 0;
	for (size_t i = 0; i < p.nops; i++) {
		double k;
		memcpy(&k, p.ops[i].key, 8);
		uint32_t x = 100 + (uint32_t)i;
		if (k != k)
			nans += x % FZ_F64_NAN_EVERY == FZ_F64_NAN_EVERY - 1;
		else
			GM_EXPECT(k == (double)x / 2);
	}
	GM_EXPECT_EQ_U(nans, 1);
	fz_program_free(&p);
}

/* The big-hint form (B = 16) decodes only under faults; ops and iter
 * fold it, so the encoder refuses such a header for them. */
GM_TEST(fuzz_format__big_hints_only_in_faults)
{
	const char *text = "map u64 u64 hint=212993 seed=3\nput 1 1\n";
	for (int ti = 0; ti < FZ_TARGETS; ti++) {
		fz_program p;
		fz_error err;
		uint8_t *bytes = NULL;
		size_t n = 0;
		GM_EXPECT(parse_text(text, &p, &err) == 0);
		int rc = fz_encode(all_targets[ti], &p, &bytes, &n, &err);
		GM_EXPECT((rc == 0) == (all_targets[ti] == FZ_TARGET_FAULTS));
		fz_program_free(&p);
		free(bytes);
	}
}

/* How many conformance traces parsed, and how many of them some target
 * can express. */
typedef struct compiled {
	int traces, expressible;
} compiled;

/* One trace that some target can express compiles for it to bytes that
 * decode to exactly it (seed 0 when it has none). */
static void expect_compiles_exactly(const char *path, void *ctx)
{
	compiled *c = ctx;
	fz_program p;
	fz_error err;
	if (fz_trace_parse_file(path, &p, &err) != 0)
		return; /* the malformed-trace examples */
	c->traces++;
	if (!p.hdr.has_seed) {
		p.hdr.has_seed = true;
		p.hdr.seed = 0;
	}
	char *want = program_text(&p);
	bool any = false;
	for (int ti = 0; ti < FZ_TARGETS; ti++) {
		uint8_t *bytes;
		size_t n;
		fz_program back;
		if (fz_encode(all_targets[ti], &p, &bytes, &n, &err) != 0) {
			/* a refusal names the file and a line */
			GM_EXPECT(strncmp(err.text, path, strlen(path)) == 0);
			continue;
		}
		any = true;
		GM_EXPECT(fz_decode(all_targets[ti], bytes, n, &back) == 0);
		char *got = program_text(&back);
		GM_EXPECT_STR(got, want);
		free(got);
		fz_program_free(&back);
		free(bytes);
	}
	c->expressible += any;
	free(want);
	fz_program_free(&p);
}

/* Every conformance trace that the format can express for a target
 * compiles exactly; most of them can be expressed for some target. */
GM_TEST(fuzz_format__conformance_traces_compile_exactly)
{
	compiled c = {0};
	GM_EXPECT(gm_each_trace_file(GOMAP_SOURCE_DIR "/corpus/conformance",
	                             expect_compiles_exactly, &c) > 0);
	GM_EXPECT(c.traces > 50);
	GM_EXPECT(c.expressible * 10 >= c.traces * 8);
}

/* ---- what the encoder refuses ------------------------------------------------ */

static void expect_refused(enum fz_target t, const char *text, const char *prefix)
{
	char *got = compile_and_explain(t, text);
	GM_EXPECT(got != NULL && strncmp(got, prefix, strlen(prefix)) == 0);
	if (got && strncmp(got, prefix, strlen(prefix)) != 0)
		fprintf(stderr, "  got:  %s\n  want: %s...\n", got, prefix);
	free(got);
}

GM_TEST(fuzz_format__encode_refuses_what_the_format_cannot_express)
{
	const enum fz_target OPS = FZ_TARGET_OPS, ITER = FZ_TARGET_ITER,
	                     FAULTS = FZ_TARGET_FAULTS;
	expect_refused(OPS, "map u64 u64 seed=1\nput 1 1\nfail-alloc 1\nput 2 2\n",
	               "ERROR: t.trace:3: fail-alloc: the ops target's opcode table has no records for it");
	expect_refused(ITER, "map u64 u64 seed=1\nput 1 1\nreenter hash get 1\nput 2 2\n",
	               "ERROR: t.trace:3: reenter: the iter target's opcode table has no records");
	expect_refused(ITER, "map u64 u64 seed=1\nput 1 1\ndump\n",
	               "ERROR: t.trace:3: dump: the iter target's");
	expect_refused(OPS, "map u64 u64 hint=5000 seed=1\nput 1 1\n",
	               "ERROR: t.trace:1: header: not expressible");
	expect_refused(FAULTS, "map u64 u64 seed=1\nfail-alloc 4294967296\nput 1 1\n",
	               "ERROR: t.trace:2: fail-alloc: N 4294967296 does not fit");
	/* reenter shapes the decoder does not make */
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter hash get 1\ngget 2\n",
	               "ERROR: t.trace:4: gget: the format's outer operation of reenter hash is put or gput");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter hash del 1\nput 2 2\n",
	               "ERROR: t.trace:3: reenter: not expressible for target faults here: the records for it decode to \"reenter hash get 1\"");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter equal get 1\ngput 2 2\n",
	               "ERROR: t.trace:3: reenter equal: the decoder does not know 2 to be in the map here");
	/* a NaN never equals itself, so no lookup of it reaches equal */
	expect_refused(FAULTS, "map f64 u64 seed=1\nput nan 1\nreenter equal len\ngput nan 1\n",
	               "ERROR: t.trace:3: reenter equal: the decoder does not know nan to be in the map here");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter hash len\nput 2 256\n",
	               "ERROR: t.trace:4: put: the outer elem of a reenter is derived from one byte");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\niter-start\nreenter hash iter-next 9\nput 2 2\n",
	               "ERROR: t.trace:4: reenter: not expressible for target faults here: the records for it decode to \"reenter hash iter-next 1\"");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter equal len\ngput 1 1\nexpect-fatal concurrent map writes\n",
	               "ERROR: t.trace:5: expect-fatal: the decoder writes one only after");
	expect_refused(FAULTS, "map u64 u64 seed=1\nput 1 1\nreenter equal put 2 2\ngput 1 1\n",
	               "ERROR: t.trace:3: reenter: the decoder follows it with \"expect-fatal concurrent map writes\"");
	/* a str literal longer than a literal record announces */
	gomap_textbuf tb = {0};
	gomap_textbuf_puts(&tb, "map str u8 seed=1\nput \"");
	for (int i = 0; i < 5000; i++)
		gomap_textbuf_putc(&tb, (char)('a' + i % 7));
	gomap_textbuf_puts(&tb, "\" 1\n");
	expect_refused(OPS, fz_textbuf_cstr(&tb), "ERROR: t.trace:2: put: the decoder reads");
	gomap_textbuf_free(&tb);
}

GM_TEST(fuzz_format__encode_refuses_programs_beyond_the_budget)
{
	/* far more map operations than one input may hold */
	fz_program p;
	fz_error err;
	fz_program_init(&p, "long.trace");
	GM_EXPECT(fz_program_set_header(&p, "u64", "u64", &err) == 0);
	p.hdr.has_seed = true;
	bool appended = true;
	for (uint32_t i = 0; i < 200000; i++)
		appended &= fz_program_append(&p, &(fz_op){.line = 2 + i, .code = FZ_OP_LEN}, &err) == 0;
	GM_EXPECT(appended);
	uint8_t *bytes = NULL;
	size_t n = 0;
	GM_EXPECT(fz_encode(FZ_TARGET_OPS, &p, &bytes, &n, &err) == -1);
	GM_EXPECT(bytes == NULL);
	GM_EXPECT(strncmp(err.text, "long.trace:", 11) == 0);
	GM_EXPECT(strstr(err.text, "len: the program is longer than one input can be") != NULL);
	fz_program_free(&p);
}

/* ---- running decoded inputs -------------------------------------------------- */

/* Runs one decoded input with its output captured (malloc'd in *out). */
static int run_captured(enum fz_target t, const uint8_t *in, size_t n,
                        bool dump_each, char **out, size_t *outlen)
{
	fz_program p;
	if (fz_decode(t, in, n, &p) != 0)
		return -1;
	FILE *f = open_memstream(out, outlen);
	orc_exec_opts opts = {.out = f, .dump_each = dump_each, .honour_paths = true,
	                      .paranoid = true};
	orc_verdict v;
	int rc = orc_exec(&p, &opts, &v);
	fclose(f);
	if (rc != 0)
		orc_verdict_print(&v, "<input>", stderr);
	fz_program_free(&p);
	return rc;
}

GM_TEST(fuzz_format__replay_is_byte_identical)
{
	static uint8_t buf[FZ_HEADER_SIZE + FZ_RECORD_SIZE * 64 + 8];
	for (int ti = 0; ti < FZ_TARGETS; ti++) {
		uint64_t rng = 0xbeef00u + (uint64_t)ti;
		int nonempty = 0;
		for (int i = 0; i < 40; i++) {
			size_t n = random_input(&rng, buf, 64);
			char *a = NULL, *b = NULL;
			size_t alen = 0, blen = 0;
			bool dump = i % 4 == 0;
			GM_EXPECT(run_captured(all_targets[ti], buf, n, dump, &a, &alen) == 0);
			GM_EXPECT(run_captured(all_targets[ti], buf, n, dump, &b, &blen) == 0);
			GM_EXPECT(alen == blen && memcmp(a, b, alen) == 0);
			nonempty += alen > 0;
			free(a);
			free(b);
		}
		GM_EXPECT(nonempty >= 30);
	}
}

/* 2000 random inputs for target t, run as the fuzz targets run them:
 * the correct core never fails. */
static void expect_random_inputs_pass(enum fz_target t)
{
	static uint8_t buf[FZ_HEADER_SIZE + FZ_RECORD_SIZE * 16 + 8];
	uint64_t rng = 0xc0de00u + (uint64_t)t;
	int failed = 0;
	for (int i = 0; i < 2000; i++) {
		size_t n = random_input(&rng, buf, 16);
		fz_program p;
		GM_EXPECT(fz_decode(t, buf, n, &p) == 0);
		orc_exec_opts opts = {.honour_paths = true, .check_all_below = 16,
		                      .paranoid = true};
		orc_verdict v;
		if (orc_exec(&p, &opts, &v) != 0) {
			orc_verdict_print(&v, "<input>", stderr);
			failed++;
		}
		fz_program_free(&p);
	}
	GM_EXPECT_EQ_U(failed, 0);
}

/* One test per target, so that CTest can run them side by side. */
GM_TEST(fuzz_format__random_ops_inputs_pass_on_the_correct_core)
{
	expect_random_inputs_pass(FZ_TARGET_OPS);
}

GM_TEST(fuzz_format__random_iter_inputs_pass_on_the_correct_core)
{
	expect_random_inputs_pass(FZ_TARGET_ITER);
}

GM_TEST(fuzz_format__random_faults_inputs_pass_on_the_correct_core)
{
	expect_random_inputs_pass(FZ_TARGET_FAULTS);
}

/* The fuzz targets decode every input into one program, emptied with
 * fz_program_reset between inputs (target_common.c).  A program decoded
 * that way is the program a fresh decode gives: nothing of the inputs
 * before it (ops, arena values, header, iterator or reenter state) shows,
 * whether the kept memory was outgrown or not. */
GM_TEST(fuzz_format__a_reused_program_decodes_as_a_fresh_one)
{
	uint64_t rng = 77;
	static uint8_t buf[FZ_HEADER_SIZE + FZ_RECORD_SIZE * 200 + FZ_RECORD_SIZE];
	fz_program reused;
	fz_program_init(&reused, "<input>");
	for (int i = 0; i < 300; i++) {
		enum fz_target t = all_targets[i % FZ_TARGETS];
		/* mostly short inputs, now and then a long one */
		size_t n = random_input(&rng, buf, i % 10 == 0 ? 200 : 12);
		fz_program fresh;
		GM_EXPECT(fz_decode(t, buf, n, &fresh) == 0);
		GM_EXPECT(fz_decode_into(t, buf, n, &reused) == 0);
		char *want = program_text(&fresh), *got = program_text(&reused);
		GM_EXPECT(want && got && strcmp(want, got) == 0);
		free(want);
		free(got);
		fz_program_free(&fresh);
		fz_program_reset(&reused, "<input>");
	}
	fz_program_free(&reused);
}

/* The values of an input before are poisoned once the program is reset,
 * so a stale pointer to one is reported as ASan reports a use after free;
 * allocations open the kept block again as far as they reach. */
GM_TEST(fuzz_format__a_reset_program_poisons_its_kept_values_under_asan)
{
	fz_program p;
	fz_program_init(&p, "t");
	unsigned char *a = fz_program_alloc(&p, 40);
	GM_EXPECT(a != NULL);
	memset(a, 1, 40);
	fz_program_reset(&p, "t");
#ifdef FZ_POISON_ASAN
	GM_EXPECT(__asan_address_is_poisoned(a));
	GM_EXPECT(__asan_address_is_poisoned(a + 39));
	unsigned char *b = fz_program_alloc(&p, 40); /* the kept block */
	GM_EXPECT(b == a);
	GM_EXPECT(!__asan_address_is_poisoned(b) && !__asan_address_is_poisoned(b + 39));
	unsigned char *c = fz_program_alloc(&p, 3000);
	GM_EXPECT(c == b + 48);
	GM_EXPECT(!__asan_address_is_poisoned(c + 2999));
	GM_EXPECT(__asan_address_is_poisoned(c + 3008)); /* nothing reached it */
#else
	GM_EXPECT(fz_program_alloc(&p, 40) == a);
#endif
	fz_program_free(&p);
}

GM_TEST_MAIN()
