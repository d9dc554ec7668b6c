/* gomap_dump: the `dump` block of the trace format (trace-format.md, "The
 * structure dump"), byte for byte what a Go cross-check prints for Go's own
 * runtime map: the header, the spare pool, then every listed bucket of the
 * current array and, while growing, of the old one. */
#include "map_internal.h"

static const char *const flag_names[] = {"iterator", "oldIterator",
                                         "hashWriting", "sameSizeGrow"};

/* The dump writes without printf: Go in the fuzz loop
 * (oracle/go_oracle.c) dumps the map at every structure check, and under
 * ASan each printf parses its format twice. */
static const char hex[] = "0123456789abcdef";

/* v as `digits` lowercase hex digits, after "0x". */
static void put_hex(gomap_textbuf *out, uint64_t v, int digits)
{
	char text[2 + 16] = "0x";
	for (int i = 0; i < digits; i++)
		text[2 + i] = hex[(v >> (4 * (digits - 1 - i))) & 15];
	gomap_textbuf_putn(out, text, 2 + (size_t)digits);
}

/* A name and its decimal value: " B=3". */
static void put_field(gomap_textbuf *out, const char *name, uint64_t v)
{
	gomap_textbuf_puts(out, name);
	gomap_textbuf_putu(out, v);
}

static void dump_header(const gomap *m, gomap_textbuf *out)
{
	put_field(out, "dump count=", m->count);
	gomap_textbuf_puts(out, " flags=");
	put_hex(out, m->flags, 2);
	gomap_textbuf_putc(out, '(');
	bool any = false;
	for (unsigned bit = 0; bit < 4; bit++) {
		if (!(m->flags & (1u << bit)))
			continue;
		if (any)
			gomap_textbuf_putc(out, '|');
		gomap_textbuf_puts(out, flag_names[bit]);
		any = true;
	}
	gomap_textbuf_puts(out, any ? ")" : "-)");
	put_field(out, " B=", m->B);
	put_field(out, " noverflow=", m->noverflow);
	gomap_textbuf_puts(out, " hash0=");
	put_hex(out, m->hash0, 8);
	put_field(out, " nevacuate=", (uint64_t)m->nevacuate);
	put_field(out, " growing=", m->oldbuckets != NULL);
	gomap_textbuf_puts(out, " hashkey0=");
	put_hex(out, m->hooks.hashkey0, 16);
	gomap_textbuf_puts(out, " rand=");
	put_hex(out, m->hooks.rand64 ? 0 : m->rand_state, 16);
	size_t prealloc = m->buckets ? m->nbuckets_alloc - gm_bucket_shift(m->B) : 0;
	gomap_textbuf_puts(out, "\n  spare next=");
	if (m->next_overflow)
		gomap_textbuf_putu(
			out, (size_t)(m->next_overflow - m->buckets) / m->t.bucketsize);
	else
		gomap_textbuf_puts(out, "none");
	put_field(out, " prealloc=", prealloc);
	gomap_textbuf_putc(out, '\n');
}

static void dump_value(gomap_format_fn fmt, const void *v, size_t size,
                       gomap_textbuf *out)
{
	if (fmt)
		fmt(v, size, out);
	else
		gomap_textbuf_putc(out, '?');
}

/* One bucket line: th=[..] then S:K=V for each live slot. */
static void dump_bucket(const gomap *m, uint8_t *b, gomap_textbuf *out)
{
	const gomap_type *t = &m->t;
	char th[sizeof " th=[" - 1 + 3 * GM_BUCKET_CNT] = " th=[";
	for (int i = 0; i < GM_BUCKET_CNT; i++) {
		char *at = th + sizeof " th=[" - 1 + 3 * i;
		at[-1] = i ? ' ' : '[';
		at[0] = hex[b[i] >> 4];
		at[1] = hex[b[i] & 15];
	}
	th[sizeof th - 1] = ']';
	gomap_textbuf_putn(out, th, sizeof th);
	for (uintptr_t i = 0; i < GM_BUCKET_CNT; i++) {
		if (b[i] < GM_MIN_TOPHASH)
			continue;
		char slot[3] = {' ', (char)('0' + i), ':'};
		gomap_textbuf_putn(out, slot, sizeof slot);
		dump_value(t->key.format, gm_key_value(t, gm_key_slot(t, b, i)),
		           t->key.size, out);
		gomap_textbuf_putc(out, '=');
		dump_value(t->elem.format,
		           gm_elem_value(t, gm_elem_slot(t, b, i)), t->elem.size,
		           out);
	}
	gomap_textbuf_putc(out, '\n');
}

static bool all_zero_tophash(const uint8_t *b)
{
	for (int i = 0; i < GM_BUCKET_CNT; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* `  NAME[I]` */
static void dump_bucket_name(const char *name, uintptr_t i, gomap_textbuf *out)
{
	gomap_textbuf_puts(out, "  ");
	gomap_textbuf_puts(out, name);
	gomap_textbuf_putc(out, '[');
	gomap_textbuf_putu(out, i);
	gomap_textbuf_putc(out, ']');
}

/* Lists one array: `name[I]` and its `.ovfD@preJ|@heap` chain. */
static void dump_array(const gomap *m, const char *name, uint8_t *a,
                       uintptr_t n, size_t nalloc, gomap_textbuf *out)
{
	const gomap_type *t = &m->t;
	uint8_t *end = a + nalloc * t->bucketsize;
	for (uintptr_t i = 0; i < n; i++) {
		uint8_t *b = gm_bucket_at(t, a, i);
		uint8_t *ovf = gm_overflow(t, b);
		if (all_zero_tophash(b) && ovf == NULL)
			continue;
		dump_bucket_name(name, i, out);
		dump_bucket(m, b, out);
		for (unsigned d = 1; ovf != NULL; d++, ovf = gm_overflow(t, ovf)) {
			dump_bucket_name(name, i, out);
			gomap_textbuf_puts(out, ".ovf");
			gomap_textbuf_putu(out, d);
			if (ovf >= a && ovf < end) {
				gomap_textbuf_puts(out, "@pre");
				gomap_textbuf_putu(out, (size_t)(ovf - a) / t->bucketsize);
			} else {
				gomap_textbuf_puts(out, "@heap");
			}
			dump_bucket(m, ovf, out);
		}
	}
}

void gomap_dump_text(const gomap *m, gomap_textbuf *out)
{
	if (m == NULL)
		return;
	dump_header(m, out);
	if (m->buckets)
		dump_array(m, "new", m->buckets, gm_bucket_shift(m->B),
		           m->nbuckets_alloc, out);
	if (m->oldbuckets)
		dump_array(m, "old", m->oldbuckets, gm_noldbuckets(m),
		           m->old_nbuckets_alloc, out);
}

int gomap_dump(const gomap *m, FILE *out)
{
	gomap_textbuf tb = {0};
	gomap_dump_text(m, &tb);
	int rc = 0;
	if (tb.oom || fwrite(tb.data ? tb.data : "", 1, tb.len, out) != tb.len)
		rc = -1;
	gomap_textbuf_free(&tb);
	return rc;
}
