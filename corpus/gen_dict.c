/* gen_dict TARGET: prints the libFuzzer/AFL dictionary for one fuzz target
 * (corpus/dict/TARGET.dict is this program's output, kept in git so fuzz
 * engines and OSS-Fuzz read it without a build; the test
 * dict__TARGET_current fails when the two differ).
 *
 * Nothing here restates the binary format: every byte comes from asking
 * the decoder.  Opcode bytes are fz_class_byte() of the target's weight
 * table, header codes are found by decoding trial headers, f64 specials
 * by making fresh keys from the arguments that select them, and the
 * trace keywords come from ops.def.  So when the decoder's tables change,
 * the build's copy changes with them and the test says which file to
 * regenerate:  build/corpus/gomap_gen_dict ops > corpus/dict/ops.dict
 *
 * Dictionary syntax (libFuzzer and AFL++ read the same): one entry per
 * line, name="value", bytes outside printable ASCII and the characters
 * `"` and `\` written as \xHH. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "program.h"

/* ---- output -------------------------------------------------------------- */

static void entry(const char *name, const uint8_t *v, size_t n)
{
	printf("%s=\"", name);
	for (size_t i = 0; i < n; i++) {
		if (v[i] >= 0x20 && v[i] < 0x7f && v[i] != '"' && v[i] != '\\')
			putchar(v[i]);
		else
			printf("\\x%02x", v[i]);
	}
	printf("\"\n");
}

static void text_entry(const char *name, const char *s)
{
	entry(name, (const uint8_t *)s, strlen(s));
}

/* A name made of a prefix and a suffix, with characters a dictionary
 * name may not hold ('-', '=', ...) turned into '_'. */
static const char *mkname(const char *prefix, const char *suffix)
{
	static char buf[96];
	snprintf(buf, sizeof buf, "%s%s", prefix, suffix);
	for (char *c = buf; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '_';
	return buf;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* ---- the binary header ---------------------------------------------------- */

/* Decodes header bytes h for target t: the header it gives. */
static fz_header trial(enum fz_target t, const uint8_t *h)
{
	fz_program p;
	fz_decoder d;
	fz_program_init(&p, "<gen_dict>");
	fz_decoder_init(&d, t, h, FZ_HEADER_SIZE, &p);
	fz_header out = p.hdr;
	fz_program_free(&p);
	return out;
}

/* The first code byte (0..15) that selects each distinct kind name at
 * header offset `off` (1: key, 4: elem); the u16 after it stays 0, so
 * the bytesN escape shows up once, as bytes1. */
static void header_codes(enum fz_target t, int off, uint8_t codes[16],
                         int *ncodes)
{
	char seen[16][16];
	*ncodes = 0;
	for (int c = 0; c < 16; c++) {
		uint8_t h[FZ_HEADER_SIZE] = {FZ_FORMAT_VERSION};
		h[off] = (uint8_t)c;
		fz_header got = trial(t, h);
		const char *name = off == 1 ? got.key_name : got.elem_name;
		bool dup = false;
		for (int i = 0; i < *ncodes; i++)
			dup |= strcmp(seen[i], name) == 0;
		if (!dup) {
			snprintf(seen[*ncodes], 16, "%s", name);
			codes[(*ncodes)++] = (uint8_t)c;
		}
	}
}

/* Header prefixes (offsets 0..7: version, key code, N, elem code, N, hash
 * mode): every key kind under every hash mode, elems rotating through
 * their kinds; then the hint field's interesting values. */
static void header_entries(enum fz_target t)
{
	uint8_t keys[16], elems[16], modes[FZ_HASH_MODES];
	int nkeys, nelems;
	header_codes(t, 1, keys, &nkeys);
	header_codes(t, 4, elems, &nelems);
	for (int m = 0; m < FZ_HASH_MODES; m++)
		for (int c = 0; c < 8; c++) {
			uint8_t h[FZ_HEADER_SIZE] = {FZ_FORMAT_VERSION};
			h[7] = (uint8_t)c;
			if (trial(t, h).hash_mode == (enum fz_hash_mode)m) {
				modes[m] = (uint8_t)c;
				break;
			}
		}

	printf("\n# Header prefixes: version, key kind, elem kind, hash mode (offsets 0-7)\n");
	for (int k = 0, e = 0; k < nkeys; k++)
		for (int m = 0; m < FZ_HASH_MODES; m++, e = (e + 1) % nelems) {
			uint8_t h[8] = {FZ_FORMAT_VERSION, keys[k], 0, 0, elems[e], 0, 0,
			                modes[m]};
			uint8_t full[FZ_HEADER_SIZE] = {0};
			char name[64];
			memcpy(full, h, sizeof h);
			fz_header got = trial(t, full);
			snprintf(name, sizeof name, "hdr_%s_%s_%s", got.key_name,
			         got.elem_name, fz_hash_mode_name(got.hash_mode));
			entry(name, h, sizeof h);
		}

	printf("\n# Hint (offset 8, int64): just past the load factor of B=0, 1, 2, 4; -1\n");
	static const int64_t hints[] = {9, 14, 27, 105, -1};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		uint8_t v[8];
		char name[32];
		le64(v, (uint64_t)hints[i]);
		snprintf(name, sizeof name, "hint_%s%lld", hints[i] < 0 ? "m" : "",
		         (long long)(hints[i] < 0 ? -hints[i] : hints[i]));
		entry(name, v, sizeof v);
	}
	/* the big-hint form (B = 16), where the target's decoder takes it */
	uint8_t h[FZ_HEADER_SIZE] = {FZ_FORMAT_VERSION};
	le64(h + 8, (uint64_t)FZ_BIG_HINT_MARK << 56);
	if (trial(t, h).hint == FZ_B16_HINT)
		entry("hint_b16", h + 8, 8);
}

/* ---- operation records ---------------------------------------------------- */

static const char *const class_names[FZ_CLASSES] = {
	"put", "get", "del", "inc", "len", "clear", "iter", "check", "dump",
	"iter_start", "iter_next", "iter_stop", "bulk", "litkey", "litelem",
	"fail_alloc", "reenter"};

/* One record: opcode byte of class c, then flags, key selector, elem
 * selector and the argument. */
static void record(enum fz_target t, enum fz_class c, const char *variant,
                   uint8_t flags, uint8_t ksel, uint8_t esel, uint32_t arg)
{
	int b = fz_class_byte(t, c);
	if (b < 0)
		return;
	uint8_t r[FZ_RECORD_SIZE] = {(uint8_t)b, flags, ksel, esel};
	le32(r + 4, arg);
	char name[64];
	snprintf(name, sizeof name, "op_%s%s%s", class_names[c],
	         *variant ? "_" : "", variant);
	entry(mkname("", name), r, sizeof r);
}

/* reenter records: byte 1 bit 0 asks for the equal scenario, bit 4 a
 * gput outer, bit 5 a gdel outer; byte 3 picks the inner operation; byte
 * 4 (the argument's low byte) is the inner's key selector.  Which
 * scenario a record really makes depends on what the decoder knows, so
 * each candidate is decoded after a put and an iter-start (a present
 * key, a fresh iterator) and named after the program it gives; a
 * record giving the same scenario as an earlier one is left out. */
static void reenter_entries(enum fz_target t)
{
	int rb = fz_class_byte(t, FZ_C_REENTER);
	int pb = fz_class_byte(t, FZ_C_PUT), sb = fz_class_byte(t, FZ_C_ITER_START);
	if (rb < 0 || pb < 0 || sb < 0)
		return;
	static const uint8_t flag_variants[] = {0x00, 0x10, 0x01, 0x21};
	char seen[64][64];
	int nseen = 0;
	for (int sel = 0; sel < 256; sel++) {
		for (size_t f = 0; f < sizeof flag_variants; f++) {
			uint8_t in[FZ_HEADER_SIZE + 3 * FZ_RECORD_SIZE] = {FZ_FORMAT_VERSION};
			uint8_t *r = in + FZ_HEADER_SIZE;
			const uint8_t put[FZ_RECORD_SIZE] = {(uint8_t)pb, 0, 0xe0, 1, 1};
			const uint8_t start[FZ_RECORD_SIZE] = {(uint8_t)sb};
			const uint8_t re[FZ_RECORD_SIZE] = {(uint8_t)rb, flag_variants[f],
				0, (uint8_t)sel, 0xe0};
			memcpy(r, put, sizeof put);
			memcpy(r + FZ_RECORD_SIZE, start, sizeof start);
			memcpy(r + 2 * FZ_RECORD_SIZE, re, sizeof re);
			fz_program p;
			if (fz_decode(t, in, sizeof in, &p) != 0)
				continue;
			for (size_t i = 0; i + 1 < p.nops; i++) {
				const fz_op *op = &p.ops[i];
				if (op->code != FZ_OP_REENTER)
					continue;
				char name[64];
				snprintf(name, sizeof name, "op_reenter_%s_%s_in_%s",
				         op->at == FZ_REENTER_EQUAL ? "equal" : "hash",
				         fz_ops[op->inner->code].name,
				         fz_ops[p.ops[i + 1].code].name);
				snprintf(name, sizeof name, "%s", mkname("", name));
				bool dup = false;
				for (int k = 0; k < nseen; k++)
					dup |= strcmp(seen[k], name) == 0;
				if (!dup && nseen < 64) {
					snprintf(seen[nseen++], sizeof seen[0], "%s", name);
					entry(name, re, sizeof re);
				}
			}
			fz_program_free(&p);
		}
	}
}

static void record_entries(enum fz_target t)
{
	printf("\n# Records (8 bytes): opcode, flags, key selector, elem selector, u32 argument.\n"
	       "# Opcode bytes are the first of each class in this target's weight table.\n");
	/* key selector 0xe0 (FZ_SEL_FRESH): a fresh key made from the
	 * argument; 0: the most recent key of the pool */
	record(t, FZ_C_PUT, "fresh", 0, 0xe0, 1, 1);
	record(t, FZ_C_PUT, "generic", 1, 0xe0, 2, 2);
	record(t, FZ_C_PUT, "recent", 0, 0, 3, 0);
	record(t, FZ_C_GET, "", 0, 0, 0, 0);
	record(t, FZ_C_GET, "generic", 1, 0, 0, 0);
	record(t, FZ_C_GET, "fresh", 0, 0xe0, 0, 0x7fffffff);
	/* FZ_SEL_SIBLING: the most recent key with its middle byte from the
	 * argument (str: 'B', then 'C') */
	record(t, FZ_C_PUT, "sibling", 0, FZ_SEL_SIBLING, 4, 1);
	record(t, FZ_C_GET, "sibling", 0, FZ_SEL_SIBLING, 0, 2);
	record(t, FZ_C_DEL, "", 0, 0, 0, 0);
	record(t, FZ_C_DEL, "generic", 1, 1, 0, 0);
	record(t, FZ_C_INC, "", 0, 0, 0, 0);
	record(t, FZ_C_LEN, "", 0, 0, 0, 0);
	record(t, FZ_C_CLEAR, "", 0, 0, 0, 0);
	record(t, FZ_C_ITER, "", 0, 0, 0, 0);
	record(t, FZ_C_CHECK, "", 0, 0, 0, 0);
	record(t, FZ_C_DUMP, "", 0, 0, 0, 0);
	record(t, FZ_C_ITER_START, "", 0, 0, 0, 0);
	record(t, FZ_C_ITER_START, "id7", 7 << 1, 0, 0, 0);
	record(t, FZ_C_ITER_NEXT, "1", 0, 0, 0, 0);
	record(t, FZ_C_ITER_NEXT, "32", 0, 0, 0, 31);
	record(t, FZ_C_ITER_NEXT, "many", 0, 0, 0, 0x800f423fu);
	record(t, FZ_C_ITER_STOP, "", 0, 0, 0, 0);
	/* bulk: byte 2 is the count - 1 */
	record(t, FZ_C_BULK, "9", 0, 8, 0, 1);
	record(t, FZ_C_BULK, "max", 0, FZ_BULK_MAX - 1, 0, 1000);
	record(t, FZ_C_BULK, "max_generic", 1, FZ_BULK_MAX - 1, 0, 5000);
	/* bulk delete (flag bit 6): the newest keys of the pool */
	record(t, FZ_C_BULK, "delete_13", FZ_FLAG_BULK_DELETE, 12, 0, 0);
	record(t, FZ_C_BULK, "delete_max", FZ_FLAG_BULK_DELETE, FZ_BULK_MAX - 1,
	       0, 0);
	/* churn (flag bits 6 and 7, targets that churn): byte 2 is the
	 * window - 1; a window of 25 at B = 2 (at most 26 keys) is the
	 * likeliest same-size growth */
	if (fz_targets[t].churns) {
		record(t, FZ_C_BULK, "churn_25", FZ_FLAG_BULK_CHURN, 24, 0, 1000);
		record(t, FZ_C_BULK, "churn_12", FZ_FLAG_BULK_CHURN, 11, 0, 2000);
	}
	/* literals: for str the argument is the length; 8 value bytes follow */
	record(t, FZ_C_LITKEY, "8", 0, 0, 0, 8);
	record(t, FZ_C_LITELEM, "8", 0, 0, 0, 8);
	record(t, FZ_C_FAIL_ALLOC, "1", 0, 0, 0, 0);
	record(t, FZ_C_FAIL_ALLOC, "3", 0, 0, 0, 2);
	record(t, FZ_C_FAIL_ALLOC, "far", 0, 0, 0, 0x80001000u);
	reenter_entries(t);
}

/* ---- values --------------------------------------------------------------- */

static const char *f64_name(double v)
{
	static char buf[32];
	if (isnan(v))
		return "nan";
	if (isinf(v))
		return v < 0 ? "neg_inf" : "inf";
	if (v == 0)
		return signbit(v) ? "neg_zero" : "zero";
	snprintf(buf, sizeof buf, "%s", v < 1e-300 ? "min_subnormal"
	                                : v > 1e300 ? "max" : "one");
	return buf;
}

static void value_entries(enum fz_target t)
{
	printf("\n# Arguments that make special keys: f64 specials (top byte 0xff),\n"
	       "# long str runs (top bit: length in the low 9 bits; bits 9-15 a middle\n"
	       "# capital), u32 limits\n");
	fz_program p;
	fz_error err;
	fz_program_init(&p, "<gen_dict>");
	fz_program_set_header(&p, "f64", "u8", &err);
	for (uint32_t k = 0; k < 8; k++) {
		uint32_t arg = 0xff000000u | k;
		double v;
		uint8_t strbuf[512], a[4];
		fz_fresh_key(&p.hdr, arg, &v, strbuf);
		le32(a, arg);
		entry(mkname("arg_f64_", f64_name(v)), a, 4);
	}
	fz_program_free(&p);
	static const uint32_t runs[] = {32, 129, 300};
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		uint8_t a[4];
		char name[32];
		le32(a, 0x80000000u | runs[i]);
		snprintf(name, sizeof name, "arg_str_run_%u", runs[i]);
		entry(name, a, 4);
	}
	/* runs of 40 with a capital in the middle (bits 9-15 of the
	 * argument): long keys that agree in their first and last four
	 * bytes, the faststr screen's two candidates; named after the key */
	fz_program_init(&p, "<gen_dict>");
	fz_program_set_header(&p, "str", "u8", &err);
	for (uint32_t mark = 1; mark <= 3; mark++) {
		uint32_t arg = 0x80000000u | mark << 9 | 40;
		gomap_str k;
		uint8_t strbuf[512], a[4];
		char name[32];
		fz_fresh_key(&p.hdr, arg, &k, strbuf);
		le32(a, arg);
		snprintf(name, sizeof name, "arg_str_run_40_%c", k.ptr[k.len / 2]);
		entry(name, a, 4);
	}
	fz_program_free(&p);
	uint8_t a[4];
	le32(a, 0xffffffffu);
	entry("arg_u32_max", a, 4);
	le32(a, 0x80000000u);
	entry("arg_top_bit", a, 4);

	printf("\n# Raw f64 values for literal keys (8 bytes, little-endian)\n");
	const double raw[] = {NAN, -0.0, INFINITY, -INFINITY, 5e-324, 1.7976931348623157e308};
	for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
		uint64_t bits;
		uint8_t v[8];
		memcpy(&bits, &raw[i], 8);
		le64(v, bits);
		entry(mkname("raw_f64_", f64_name(raw[i])), v, 8);
	}
	(void)t;
}

/* ---- the text trace target ------------------------------------------------ */

static void trace_entries(void)
{
	printf("\n# Operations (program/ops.def)\n");
	for (int i = 0; i < FZ_OP_COUNT; i++)
		text_entry(mkname("op_", fz_ops[i].name), fz_ops[i].name);
	printf("\n# Header\n");
	text_entry("map", "map ");
	static const char *const kinds[] = {"u8", "u32", "u64", "f64", "str",
		"bytes", "bytes1", "bytes8", "bytes128", "bytes129", "bytes300",
		"bytes1024"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		text_entry(mkname("kind_", kinds[i]), kinds[i]);
	static const char *const opts[] = {"hint=", "seed=", "hashkey=", "hash="};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		text_entry(mkname("opt_", opts[i]), opts[i]);
	for (int m = 0; m < FZ_HASH_MODES; m++)
		text_entry(mkname("hash_", fz_hash_mode_name((enum fz_hash_mode)m)),
		           fz_hash_mode_name((enum fz_hash_mode)m));
	printf("\n# reenter and expect-fatal (Go's own fatal messages)\n");
	text_entry("at_hash", " hash ");
	text_entry("at_equal", " equal ");
	text_entry("fatal_writes", "concurrent map writes");
	text_entry("fatal_read", "concurrent map read and map write");
	text_entry("fatal_iteration", "concurrent map iteration and map write");
	printf("\n# Literal syntax\n");
	static const char *const lits[][2] = {
		{"nan", "nan"}, {"neg_nan", "-nan"}, {"inf", "inf"},
		{"neg_inf", "-inf"}, {"infinity", "infinity"}, {"neg_zero", "-0"},
		{"huge", "1e999"}, {"hexfloat", "0x1p-3"}, {"subnormal", "5e-324"},
		{"hex", "0x"}, {"hex_upper", "0X"}, {"u8_max", "255"},
		{"u32_max", "4294967295"}, {"u64_max", "18446744073709551615"},
		{"int64_min", "-9223372036854775808"}, {"quote", "\""},
		{"esc_backslash", "\\\\"}, {"esc_quote", "\\\""}, {"esc_hex", "\\x"},
		{"esc_ff", "\\xff"}, {"bytes_prefix", " x"}, {"comment", "\n#"},
		{"crlf", "\r\n"}, {"tab", "\t"}};
	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++)
		text_entry(mkname("lit_", lits[i][0]), lits[i][1]);
}

int main(int argc, char **argv)
{
	enum fz_target t = FZ_TARGET_OPS;
	bool text = argc == 2 && strcmp(argv[1], "trace") == 0;
	if (argc != 2 || (!text && !fz_target_parse(argv[1], &t))) {
		fprintf(stderr, "usage: %s ops|iter|faults|trace > corpus/dict/TARGET.dict\n",
		        argv[0]);
		return 2;
	}
	printf("# Dictionary for the %s fuzz target (libFuzzer -dict=, AFL++ -x).\n"
	       "# Generated by corpus/gen_dict.c from the decoder's own tables: do not\n"
	       "# edit; regenerate with  build/corpus/gomap_gen_dict %s > corpus/dict/%s.dict\n",
	       argv[1], argv[1], argv[1]);
	if (text) {
		trace_entries();
	} else {
		header_entries(t);
		record_entries(t);
		value_entries(t);
	}
	return ferror(stdout) ? 1 : 0;
}
