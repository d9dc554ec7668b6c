/* The text trace: the spec's example, every malformed-trace message, the
 * canonical round trip, and literal edge cases. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "trace.h"

/* Parses `text` as file "t.trace"; on failure the error text is kept. */
static int parse(const char *text, fz_program *p, fz_error *err)
{
	memset(err, 0, sizeof *err);
	return fz_trace_parse("t.trace", text, strlen(text), p, err);
}

/* The canonical text of `text`, or "ERROR: <error>" (malloc'd). */
static char *canon(const char *text)
{
	fz_program p;
	fz_error err;
	gomap_textbuf tb = {0};
	if (parse(text, &p, &err) != 0) {
		gomap_textbuf_puts(&tb, "ERROR: ");
		gomap_textbuf_puts(&tb, err.text);
	} else {
		fz_trace_print(&p, &tb);
		fz_program_free(&p);
	}
	const char *t = fz_textbuf_cstr(&tb);
	char *r = malloc(strlen(t) + 1);
	if (r)
		memcpy(r, t, strlen(t) + 1);
	gomap_textbuf_free(&tb);
	return r;
}

static void expect_canon(const char *text, const char *want)
{
	char *got = canon(text);
	GM_EXPECT_STR(got, want);
	free(got);
}

static void expect_error(const char *text, const char *want)
{
	fz_program p;
	fz_error err;
	int rc = parse(text, &p, &err);
	GM_EXPECT(rc == -1);
	GM_EXPECT_STR(rc == -1 ? err.text : "(parsed)", want);
	GM_EXPECT_EQ_U(p.nops, 0); /* a failed parse leaves nothing behind */
	if (rc == 0)
		fz_program_free(&p);
}

GM_TEST(trace__spec_example_parses)
{
	static const char text[] =
		"# a map that grows once and shrinks to empty\n"
		"map u64 u64 seed=7\n"
		"put 1 10\n"
		"put 2 20\n"
		"get 1\n"
		"get 3\n"
		"del 1\n"
		"len\n"
		"iter\n";
	fz_program p;
	fz_error err;
	GM_EXPECT(parse(text, &p, &err) == 0);
	GM_EXPECT_STR(p.hdr.key_name, "u64");
	GM_EXPECT_STR(p.hdr.elem_name, "u64");
	GM_EXPECT_EQ_U(p.hdr.key.size, 8);
	GM_EXPECT_EQ_U(p.hdr.elem.size, 8);
	GM_EXPECT(p.hdr.has_seed);
	GM_EXPECT_EQ_U(p.hdr.seed, 7);
	GM_EXPECT_EQ_U(p.hdr.hint, 0);
	GM_EXPECT_EQ_U(p.hdr.hashkey, GOMAP_DEFAULT_HASHKEY0);
	GM_EXPECT_EQ_U(p.header_line, 2);
	GM_EXPECT_EQ_U(p.nops, 7);
	if (p.nops == 7) {
		static const enum fz_opcode want[7] = {
			FZ_OP_PUT, FZ_OP_PUT, FZ_OP_GET, FZ_OP_GET,
			FZ_OP_DEL, FZ_OP_LEN, FZ_OP_ITER};
		for (int i = 0; i < 7; i++) {
			GM_EXPECT_EQ_U(p.ops[i].code, want[i]);
			GM_EXPECT_EQ_U(p.ops[i].line, i + 3);
		}
		uint64_t k, v;
		memcpy(&k, p.ops[1].key, 8);
		memcpy(&v, p.ops[1].elem, 8);
		GM_EXPECT_EQ_U(k, 2);
		GM_EXPECT_EQ_U(v, 20);
		GM_EXPECT(p.ops[2].elem == NULL);
		GM_EXPECT(p.ops[5].key == NULL);
	}
	fz_program_free(&p);
	expect_canon(text, "map u64 u64 seed=7\nput 1 10\nput 2 20\nget 1\nget 3\n"
	                   "del 1\nlen\niter\n");
}

GM_TEST(trace__header_errors)
{
	expect_error("", "t.trace:1: missing header \"map KEY ELEM [hint=N] [seed=N] [hashkey=N]\"");
	expect_error("# only\n\n# comments\n",
	             "t.trace:3: missing header \"map KEY ELEM [hint=N] [seed=N] [hashkey=N]\"");
	expect_error("\nput 1 2\n",
	             "t.trace:2: missing header: the first line must be \"map KEY ELEM [hint=N] [seed=N] [hashkey=N]\"");
	expect_error("map u64\n",
	             "t.trace:1: header needs a key kind and an elem kind: map KEY ELEM [hint=N] [seed=N] [hashkey=N]");
	expect_error("map u64 u64\nput 1 2\nmap u64 u64\n",
	             "t.trace:3: duplicate header (first on line 1)");
	expect_error("map u8 u64\n",
	             "t.trace:1: unknown key kind \"u8\" (want u32, u64, f64, str or bytes1..bytes1024)");
	expect_error("map bytes0 u64\n",
	             "t.trace:1: unknown key kind \"bytes0\" (want u32, u64, f64, str or bytes1..bytes1024)");
	expect_error("map bytes1025 u64\n",
	             "t.trace:1: unknown key kind \"bytes1025\" (want u32, u64, f64, str or bytes1..bytes1024)");
	expect_error("map u64 f64\n",
	             "t.trace:1: unknown elem kind \"f64\" (want u8, u32, u64, str or bytes1..bytes1024)");
	expect_error("map u64 u64 seed=1 color=red\n",
	             "t.trace:1: unknown header option \"color=red\" (want hint=N, seed=N or hashkey=N)");
	expect_error("map u64 u64 seed\n",
	             "t.trace:1: unknown header option \"seed\" (want hint=N, seed=N or hashkey=N)");
	expect_error("map u64 u64 seed=1 seed=2\n",
	             "t.trace:1: duplicate header option seed=");
	expect_error("map u64 u64 seed=abc\n",
	             "t.trace:1: bad seed=abc: not an unsigned integer");
	expect_error("map u64 u64 seed=18446744073709551616\n",
	             "t.trace:1: bad seed=18446744073709551616: out of range (max 18446744073709551615)");
	expect_error("map u64 u64 hint=9223372036854775808\n",
	             "t.trace:1: bad hint=9223372036854775808: out of range for int64");
	expect_error("map u64 u64 hashkey=0\n",
	             "t.trace:1: bad hashkey=0: must not be 0");
}

GM_TEST(trace__operation_errors)
{
	expect_error("map u64 u64\nfrob 1\n", "t.trace:2: unknown operation \"frob\"");
	expect_error("map u64 u64\nput 1\n", "t.trace:2: put: got 1 argument; usage: put K V");
	expect_error("map u64 u64\nget\n", "t.trace:2: get: got 0 arguments; usage: get K");
	expect_error("map u64 u64\nlen 1\n", "t.trace:2: len: got 1 argument; usage: len");
	expect_error("map u64 u64\niter-next\n",
	             "t.trace:2: iter-next: got 0 arguments; usage: iter-next N [I]");
	expect_error("map u64 u64\niter-start 1 2\n",
	             "t.trace:2: iter-start: got 2 arguments; usage: iter-start [I]");
	expect_error("map u64 u64\nexpect-fatal\n",
	             "t.trace:2: expect-fatal: got 0 arguments; usage: expect-fatal MSG...");
	expect_error("map u64 u64\nreenter hash\n",
	             "t.trace:2: reenter: got 1 argument; usage: reenter hash|equal OP ARGS...");
	/* bad literals, naming the kind and the role */
	expect_error("map u64 u8\nput 1 256\n",
	             "t.trace:2: put: bad u8 elem 256: out of range (max 255)");
	expect_error("map u32 u8\nget 4294967296\n",
	             "t.trace:2: get: bad u32 key 4294967296: out of range (max 4294967295)");
	expect_error("map u64 u8\ndel -1\n",
	             "t.trace:2: del: bad u64 key -1: not an unsigned integer");
	expect_error("map u64 u8\ndel 0xg\n",
	             "t.trace:2: del: bad u64 key 0xg: not an unsigned integer");
	expect_error("map f64 u8\nget 1.5x\n", "t.trace:2: get: bad f64 key 1.5x: not a number");
	expect_error("map bytes4 u8\nget x0011223344\n",
	             "t.trace:2: get: bad bytes4 key x0011223344: 10 hex digits, at most 8");
	expect_error("map bytes4 u8\nget x00zz\n",
	             "t.trace:2: get: bad bytes4 key x00zz: not a hex digit");
	expect_error("map str u8\nget \"a\\qb\"\n",
	             "t.trace:2: get: bad str key \"a\\qb\": unknown escape (only \\\\, \\\" and \\xHH)");
	expect_error("map str u8\nget \"a\\x4\"\n",
	             "t.trace:2: get: bad str key \"a\\x4\": \\x needs two hex digits");
	expect_error("map str u8\nget \"a\tb\"\n",
	             "t.trace:2: get: bad str key \"a\tb\": raw byte outside 0x20..0x7e (write it as \\xHH)");
	expect_error("map str u8\nget \"abc\n", "t.trace:2: unterminated str literal \"abc");
	expect_error("map str u8\nget \"ab\"c 1\n",
	             "t.trace:2: junk after the closing quote of str literal \"ab\"");
	/* a literal of another kind */
	expect_error("map u64 u8\nput \"a\" 1\n",
	             "t.trace:2: put: key \"a\" is a str literal; this map's keys are u64");
	expect_error("map u64 u8\nput 1.5 1\n",
	             "t.trace:2: put: key 1.5 is an f64 literal; this map's keys are u64");
	expect_error("map str u8\nget 12\n",
	             "t.trace:2: get: key 12 is an integer literal; this map's keys are str");
	expect_error("map f64 u8\nget x12\n",
	             "t.trace:2: get: key x12 is a bytes literal; this map's keys are f64");
	expect_error("map u64 bytes2\nput 1 \"a\"\n",
	             "t.trace:2: put: elem \"a\" is a str literal; this map's elems are bytes2");
	/* numeric arguments */
	expect_error("map u64 u8\niter-start\niter-next 0\n",
	             "t.trace:3: iter-next: N 0 out of range (1..1000000)");
	expect_error("map u64 u8\niter-start\niter-next 1000001\n",
	             "t.trace:3: iter-next: N 1000001 out of range (1..1000000)");
	expect_error("map u64 u8\niter-next five\n",
	             "t.trace:2: iter-next: bad N five: not an unsigned integer");
	expect_error("map u64 u8\niter-start 8\n",
	             "t.trace:2: iter-start: iterator id 8 out of range (0..7)");
	expect_error("map u64 u8\nfail-alloc 0\n",
	             "t.trace:2: fail-alloc: N 0 out of range (N >= 1)");
	expect_error("map u64 str\ninc 1\n",
	             "t.trace:2: inc: the map's elems are str; inc needs u8, u32 or u64");
}

GM_TEST(trace__placement_errors)
{
	expect_error("map u64 u8\niter-next 1\n",
	             "t.trace:2: iter-next: iterator 0 is not running (no iter-start 0 before it, or stopped)");
	expect_error("map u64 u8\niter-start 2\niter-next 1\n",
	             "t.trace:3: iter-next: iterator 0 is not running (no iter-start 0 before it, or stopped)");
	expect_error("map u64 u8\niter-start 3\niter-stop 3\niter-next 1 3\n",
	             "t.trace:4: iter-next: iterator 3 is not running (no iter-start 3 before it, or stopped)");
	expect_error("map u64 u8\niter-stop 1\n",
	             "t.trace:2: iter-stop: iterator 1 is not running (no iter-start 1 before it, or stopped)");
	expect_error("map u64 u8\nreenter hash iter-next 1 5\nput 1 1\n",
	             "t.trace:2: iter-next: iterator 5 is not running (no iter-start 5 before it, or stopped)");
	expect_error("map u64 u8\nreenter color put 1 1\nput 2 2\n",
	             "t.trace:2: reenter: want hash or equal, got \"color\"");
	expect_error("map u64 u8\nreenter hash iter\nput 2 2\n",
	             "t.trace:2: reenter: iter cannot run inside a callback (allowed: put get del gput gget gdel clear len iter-next)");
	expect_error("map u64 u8\nreenter hash reenter hash put 1 1\nput 2 2\n",
	             "t.trace:2: reenter: reenter cannot run inside a callback (allowed: put get del gput gget gdel clear len iter-next)");
	expect_error("map u64 u8\nreenter hash put \"x\" 1\nput 2 2\n",
	             "t.trace:2: put: key \"x\" is a str literal; this map's keys are u64");
	expect_error("map u64 u8\nreenter hash get 1\n", "t.trace:2: reenter: no map operation follows");
	expect_error("map u64 u8\nreenter hash get 1\ndump\n",
	             "t.trace:3: dump cannot be the outer operation of the reenter on line 2 (want a map operation)");
	expect_error("map u64 u8\nexpect-fatal concurrent map writes\n",
	             "t.trace:2: expect-fatal must follow a map operation");
	expect_error("map u64 u8\nput 1 1\nexpect-fatal bad \"map\" state\n",
	             "t.trace:3: expect-fatal: the message must be printable ASCII words without '\"', separated by single spaces");
	expect_error("map u64 u8\nput 1 1\ncheck\nexpect-fatal concurrent map writes\n",
	             "t.trace:4: expect-fatal must follow a map operation");
	expect_error("map u64 u8\nput 1 1\nexpect-fatal concurrent map writes\n\n# fine\nlen\n",
	             "t.trace:6: len after expect-fatal (line 3): the map is dead, nothing may follow");
}

GM_TEST(trace__round_trip_is_stable)
{
	static const char text[] =
		"  # every operation, in non-canonical spelling\n"
		"map\tstr bytes3  hint=0x10 seed=0x7 hashkey=12345\r\n"
		"put \"a b\" x1\n"
		"put \"\\x41\\x7f\" x0102\n"
		"gput \"tab\\x09\" x\n"
		"get \"a b\"\n"
		"gget \"\"\n"
		"del \"zz\"\n"
		"gdel \"a b\"\n"
		"len\n"
		"clear\n"
		"iter\n"
		"dump\n"
		"check\n"
		"iter-start 0\n"
		"iter-start 7\n"
		"iter-next 0x10\n"
		"iter-next 3 7\n"
		"reenter equal iter-next 1 7\n"
		"put \"q\" x\n"
		"reenter hash gdel \"q\"\n"
		"get \"q\"\n"
		"iter-stop 7\n"
		"iter-stop\n"
		"fail-alloc 3\n"
		"put \"r\" xff\n"
		"expect-fatal   concurrent map\t writes\n";
	static const char want[] =
		"map str bytes3 hint=16 seed=7 hashkey=0x3039\n"
		"put \"a b\" x10\n"
		"put \"A\\x7f\" x0102\n"
		"gput \"tab\\x09\" x00\n"
		"get \"a b\"\n"
		"gget \"\"\n"
		"del \"zz\"\n"
		"gdel \"a b\"\n"
		"len\n"
		"clear\n"
		"iter\n"
		"dump\n"
		"check\n"
		"iter-start\n"
		"iter-start 7\n"
		"iter-next 16\n"
		"iter-next 3 7\n"
		"reenter equal iter-next 1 7\n"
		"put \"q\" x00\n"
		"reenter hash gdel \"q\"\n"
		"get \"q\"\n"
		"iter-stop 7\n"
		"iter-stop\n"
		"fail-alloc 3\n"
		"put \"r\" xff\n"
		"expect-fatal concurrent map writes\n";
	char *once = canon(text);
	GM_EXPECT_STR(once, want);
	char *twice = canon(once);
	GM_EXPECT_STR(twice, once);
	free(once);
	free(twice);

	/* The programs themselves agree too, value by value. */
	fz_program a, b;
	fz_error err;
	GM_EXPECT(parse(text, &a, &err) == 0);
	GM_EXPECT(parse(want, &b, &err) == 0);
	GM_EXPECT_EQ_U(a.nops, b.nops);
	GM_EXPECT_EQ_U(a.hdr.hint, 16);
	GM_EXPECT_EQ_U(a.hdr.hashkey, 12345);
	for (size_t i = 0; i < a.nops && i < b.nops; i++) {
		const fz_op *x = &a.ops[i], *y = &b.ops[i];
		GM_EXPECT_EQ_U(x->code, y->code);
		GM_EXPECT_EQ_U(x->n, y->n);
		GM_EXPECT_EQ_U(x->iter, y->iter);
		GM_EXPECT((x->key == NULL) == (y->key == NULL));
		if (x->key && y->key) {
			gomap_str s, t;
			memcpy(&s, x->key, sizeof s);
			memcpy(&t, y->key, sizeof t);
			GM_EXPECT(s.len == t.len && memcmp(s.ptr, t.ptr, s.len) == 0);
		}
		GM_EXPECT((x->elem == NULL) == (y->elem == NULL));
		if (x->elem && y->elem)
			GM_EXPECT(memcmp(x->elem, y->elem, 3) == 0);
	}
	fz_program_free(&a);
	fz_program_free(&b);
}

GM_TEST(trace__round_trip_every_kind)
{
	/* Canonical text of every kind is a fixed point of parse + print. */
	static const char *const texts[] = {
		"map u32 u8 hint=-5\nput 4294967295 255\nput 0 0\ninc 7\n",
		"map u64 u32\nput 18446744073709551615 4294967295\n",
		"map f64 u64\nput -0 1\nput nan 2\nput inf 3\nput -inf 4\n"
		"put 0.10000000000000001 5\nput 1.7976931348623157e+308 6\n"
		"put 4.9406564584124654e-324 7\nput -2.5 8\n",
		"map bytes1 bytes1024\nput x00 x00\nput xff x0000000000000001\n",
		"map bytes200 str\nput x01 \"\\\\\\\"\\x00\\xff ~\"\n",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		expect_canon(texts[i], texts[i]);
}

static void parse_key(const char *header, const char *lit, void *out, size_t n)
{
	char text[256];
	snprintf(text, sizeof text, "%s\nget %s\n", header, lit);
	fz_program p;
	fz_error err;
	int rc = parse(text, &p, &err);
	GM_EXPECT(rc == 0);
	if (rc != 0) {
		fprintf(stderr, "  %s\n", err.text);
		memset(out, 0xee, n);
		return;
	}
	memcpy(out, p.ops[0].key, n);
	fz_program_free(&p);
}

GM_TEST(trace__literal_edge_cases)
{
	double d;
	parse_key("map f64 u8", "-0", &d, 8);
	GM_EXPECT(d == 0 && signbit(d));
	parse_key("map f64 u8", "0", &d, 8);
	GM_EXPECT(d == 0 && !signbit(d));
	parse_key("map f64 u8", "nan", &d, 8);
	GM_EXPECT(isnan(d));
	parse_key("map f64 u8", "-nan", &d, 8); /* any strtod form; one NaN */
	GM_EXPECT(isnan(d) && !signbit(d));
	parse_key("map f64 u8", "-inf", &d, 8);
	GM_EXPECT(isinf(d) && d < 0);
	parse_key("map f64 u8", "0x1p-2", &d, 8);
	GM_EXPECT(d == 0.25);
	parse_key("map f64 u8", "1e999", &d, 8); /* strtod: overflow is inf */
	GM_EXPECT(isinf(d) && d > 0);

	uint32_t u;
	parse_key("map u32 u8", "0xFFffFFff", &u, 4);
	GM_EXPECT_EQ_U(u, 0xffffffffu);
	parse_key("map u32 u8", "007", &u, 4); /* decimal, not octal */
	GM_EXPECT_EQ_U(u, 7);

	uint8_t b[4];
	parse_key("map bytes4 u8", "x1", b, 4); /* digits pad on the right */
	GM_EXPECT(memcmp(b, "\x10\x00\x00\x00", 4) == 0);
	parse_key("map bytes4 u8", "xAbC", b, 4);
	GM_EXPECT(memcmp(b, "\xab\xc0\x00\x00", 4) == 0);
	parse_key("map bytes4 u8", "x", b, 4);
	GM_EXPECT(memcmp(b, "\x00\x00\x00\x00", 4) == 0);
	parse_key("map bytes4 u8", "x01020304", b, 4);
	GM_EXPECT(memcmp(b, "\x01\x02\x03\x04", 4) == 0);

	gomap_str s;
	fz_program p;
	fz_error err;
	GM_EXPECT(parse("map str u8\nput \"a \\\"q\\\" \\\\ \\x00\\xFf\" 1\nput \"\" 2\n",
	                &p, &err) == 0);
	if (p.nops == 2) {
		memcpy(&s, p.ops[0].key, sizeof s);
		GM_EXPECT_EQ_U(s.len, 10);
		GM_EXPECT(memcmp(s.ptr, "a \"q\" \\ \x00\xff", 10) == 0);
		memcpy(&s, p.ops[1].key, sizeof s);
		GM_EXPECT_EQ_U(s.len, 0);
		GM_EXPECT(s.ptr != NULL);
	}
	fz_program_free(&p);

	expect_canon("map f64 u8\nput 1e2 0x0\nput 1.0 1\nput -0.0 2\nput 0.0 3\n",
	             "map f64 u8\nput 100 0\nput 1 1\nput -0 2\nput 0 3\n");
	expect_canon("map bytes4 bytes2\nput x00000000 x\nput x1000 x0001\n",
	             "map bytes4 bytes2\nput x00 x00\nput x10 x0001\n");
	expect_canon("map str u8\nput \"\\x20\\x7e\\x7F\\x1f\" 1\n",
	             "map str u8\nput \" ~\\x7f\\x1f\" 1\n");
}

GM_TEST(trace__equal_str_literals_get_their_own_bytes)
{
	/* Two puts of the same string keep two buffers, so a replay can see
	 * Go's key update (needkeyupdate) replace the stored pointer. */
	fz_program p;
	fz_error err;
	GM_EXPECT(parse("map str u8\nput \"ab\" 1\nput \"ab\" 2\n", &p, &err) == 0);
	if (p.nops == 2) {
		gomap_str a, b;
		memcpy(&a, p.ops[0].key, sizeof a);
		memcpy(&b, p.ops[1].key, sizeof b);
		GM_EXPECT(a.ptr != b.ptr);
		GM_EXPECT(a.len == 2 && memcmp(a.ptr, b.ptr, 2) == 0);
	}
	fz_program_free(&p);
}

GM_TEST(trace__extension_fields_and_observed_names)
{
	fz_program p;
	fz_error err;
	GM_EXPECT(parse("map u64 u32\niter-start 2\nreenter equal gget 9\nput 5 50\n"
	                "gput 5 51\nexpect-fatal concurrent map writes\n",
	                &p, &err) == 0);
	GM_EXPECT_EQ_U(p.nops, 5);
	if (p.nops == 5) {
		GM_EXPECT_EQ_U(p.ops[0].iter, 2);
		const fz_op *r = &p.ops[1];
		GM_EXPECT_EQ_U(r->code, FZ_OP_REENTER);
		GM_EXPECT_EQ_U(r->at, FZ_REENTER_EQUAL);
		GM_EXPECT(r->inner != NULL && r->inner->code == FZ_OP_GGET);
		GM_EXPECT(r->inner != NULL && r->inner->line == 3);
		GM_EXPECT_STR(p.ops[4].msg, "concurrent map writes");

		gomap_textbuf tb = {0};
		fz_op_format(&p, &p.ops[3], true, &tb);
		GM_EXPECT_STR(fz_textbuf_cstr(&tb), "put 5 51"); /* `put 5 51 -> enomem` */
		tb.len = 0;
		fz_op_format(&p, &p.ops[3], false, &tb);
		GM_EXPECT_STR(fz_textbuf_cstr(&tb), "gput 5 51");
		gomap_textbuf_free(&tb);
	}
	GM_EXPECT_STR(fz_ops[FZ_OP_GGET].obs, "get");
	GM_EXPECT(fz_ops[FZ_OP_PUT].flags & FZ_F_CORE);
	GM_EXPECT(!(fz_ops[FZ_OP_GPUT].flags & FZ_F_CORE));
	fz_program_free(&p);
}

GM_TEST(trace__programmatic_build_checks_like_the_parser)
{
	fz_program p;
	fz_error err;
	fz_program_init(&p, "decoded");
	GM_EXPECT(fz_program_set_header(&p, "u32", "u8", &err) == 0);
	uint32_t k = 7;
	uint8_t v = 70;
	fz_op op = {.code = FZ_OP_PUT, .key = &k, .elem = &v};
	GM_EXPECT(fz_program_append(&p, &op, &err) == 0);
	k = 8; /* the program copied the value */
	GM_EXPECT(memcmp(p.ops[0].key, "\x07\x00\x00\x00", 4) == 0);
	fz_op bad = {.code = FZ_OP_ITER_NEXT, .n = 1, .iter = 1, .line = 12};
	GM_EXPECT(fz_program_append(&p, &bad, &err) == -1);
	GM_EXPECT_STR(err.text,
	              "decoded:12: iter-next: iterator 1 is not running (no iter-start 1 before it, or stopped)");
	fz_op inner = {.code = FZ_OP_LEN};
	fz_op re = {.code = FZ_OP_REENTER, .at = FZ_REENTER_HASH, .inner = &inner, .line = 3};
	GM_EXPECT(fz_program_append(&p, &re, &err) == 0);
	GM_EXPECT(fz_program_finish(&p, &err) == -1);
	GM_EXPECT_STR(err.text, "decoded:3: reenter: no map operation follows");
	fz_op get = {.code = FZ_OP_GET, .key = &k};
	GM_EXPECT(fz_program_append(&p, &get, &err) == 0);
	GM_EXPECT(fz_program_finish(&p, &err) == 0);
	gomap_textbuf tb = {0};
	fz_trace_print(&p, &tb);
	GM_EXPECT_STR(fz_textbuf_cstr(&tb), "map u32 u8\nput 7 70\nreenter hash len\nget 8\n");
	gomap_textbuf_free(&tb);
	fz_program_free(&p);
}

GM_TEST(trace__file_errors_name_the_file)
{
	fz_program p;
	fz_error err;
	GM_EXPECT(fz_trace_parse_file("/nonexistent/x.trace", &p, &err) == -1);
	GM_EXPECT(strncmp(err.text, "/nonexistent/x.trace:0: cannot read: ", 37) == 0);
}

static void expect_printed(fz_vtype t, const void *value, const char *want)
{
	gomap_textbuf tb = {0};
	fz_literal_format(t, value, &tb);
	GM_EXPECT_STR(fz_textbuf_cstr(&tb), want);
	gomap_textbuf_free(&tb);
}

GM_TEST(trace__canonical_printing_follows_the_spec)
{
	/* Values built directly, not parsed, so a printer bug cannot hide
	 * behind the parser's matching bug. */
	const fz_vtype f64 = {FZ_KIND_F64, 8}, str = {FZ_KIND_STR, sizeof(gomap_str)},
		       b4 = {FZ_KIND_BYTES, 4}, u8 = {FZ_KIND_U8, 1},
		       u32 = {FZ_KIND_U32, 4}, u64 = {FZ_KIND_U64, 8};
	uint64_t bits = UINT64_C(0xfff8000000000001); /* a negative NaN, payload 1 */
	double d;
	memcpy(&d, &bits, 8);
	expect_printed(f64, &d, "nan");
	expect_printed(f64, &(double){-0.0}, "-0");
	expect_printed(f64, &(double){0.0}, "0");
	expect_printed(f64, &(double){-INFINITY}, "-inf");
	expect_printed(f64, &(double){INFINITY}, "inf");
	expect_printed(f64, &(double){0.1}, "0.10000000000000001");
	expect_printed(f64, &(double){1e21}, "1e+21");
	expect_printed(f64, &(double){4.9406564584124654e-324}, "4.9406564584124654e-324");
	expect_printed(u8, &(uint8_t){255}, "255");
	expect_printed(u32, &(uint32_t){4294967295u}, "4294967295");
	expect_printed(u64, &(uint64_t){UINT64_MAX}, "18446744073709551615");
	expect_printed(b4, "\0\0\0\0", "x00");
	expect_printed(b4, "\0\xab\0\0", "x00ab");
	expect_printed(b4, "\x01\x02\x03\xff", "x010203ff");
	static const uint8_t raw[] = {'a', ' ', '"', '\\', 0x00, 0x1f, 0x7e, 0x7f, 0x80, 0xff};
	expect_printed(str, &(gomap_str){raw, sizeof raw}, "\"a \\\"\\\\\\x00\\x1f~\\x7f\\x80\\xff\"");
	expect_printed(str, &(gomap_str){raw, 0}, "\"\"");
	expect_printed(str, &(gomap_str){NULL, 0}, "\"\""); /* a cleared slot */
}

GM_TEST_MAIN()
