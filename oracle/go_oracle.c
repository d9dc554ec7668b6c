/* Go's runtime map as a second oracle (see go_oracle.h).  Go gets the
 * program in the fuzz loop's encoding (go_wire.h); the port's side is kept
 * as the text gocheck prints in loop mode (gocheck/replay.go), so that the
 * comparison is a walk over two texts and its report is the first line
 * that differs. */
#include "go_oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go_wire.h"
#include "libgocheck.h"

/* The port's lines from `offset` on were shown by operation `index`
 * (p->nops: at the end), in a dump or an iteration. */
struct orc_go_mark {
	size_t offset;
	size_t index;
	bool dump;
};

static void mark(orc_go_log *g, size_t index, bool dump)
{
	if (g->nmarks > 0) {
		const orc_go_mark *last = &g->marks[g->nmarks - 1];
		if (last->index == index && last->dump == dump)
			return; /* the next step of the same iter-next */
	}
	if (g->nmarks == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->marks = realloc(g->marks, g->cap * sizeof *g->marks);
		if (g->marks == NULL)
			abort();
	}
	g->marks[g->nmarks++] = (orc_go_mark){g->port.len, index, dump};
}

/* Operations Go cannot follow end the comparison: a reenter runs another
 * operation inside a hash or equal callback, which Go's map has no way to
 * call, and only such an operation can raise the fatal error an
 * expect-fatal names. */
static size_t first_unfollowable(const fz_program *p)
{
	for (size_t i = 0; i < p->nops; i++)
		if (p->ops[i].code == FZ_OP_REENTER ||
		    p->ops[i].code == FZ_OP_EXPECT_FATAL)
			return i;
	return p->nops;
}

/* The buffers of the last run, emptied, for the next one.  Fresh ones
 * would be fresh pages under ASan, whose quarantine holds freed memory
 * back: their page faults were 5% of a fuzz run (perf).  One set per
 * thread. */
static _Thread_local struct spare {
	gomap_textbuf program, port;
	orc_go_mark *marks;
	size_t cap;
} spare;

void orc_go_begin(orc_go_log *g, const fz_program *p)
{
	*g = (orc_go_log){.p = p, .stop = first_unfollowable(p),
	                  .program = spare.program, .port = spare.port,
	                  .marks = spare.marks, .cap = spare.cap};
	spare = (struct spare){0};
	orc_go_wire_header(p, &g->program);
}

/* Keeps g's buffers in `spare`, unless they ran out of memory. */
static void keep_buffers(orc_go_log *g)
{
	if (g->program.oom || g->port.oom) {
		gomap_textbuf_free(&g->program);
		gomap_textbuf_free(&g->port);
	}
	g->program.len = g->port.len = 0;
	spare = (struct spare){g->program, g->port, g->marks, g->cap};
}

/* What the port shows is compared; what only injects faults or checks is
 * not sent: `fail-alloc` (the failure it arms is told by orc_go_enomem),
 * `check`, and the program's own `dump` (the comparison places its own). */
static bool sent_to_go(const fz_op *op)
{
	return op->code != FZ_OP_FAIL_ALLOC && op->code != FZ_OP_CHECK &&
	       op->code != FZ_OP_DUMP;
}

static void dump_both(orc_go_log *g, const gomap *m, size_t index)
{
	orc_go_wire_op(g->p, &(fz_op){.code = FZ_OP_DUMP}, &g->program);
	mark(g, index, true);
	gomap_dump_text(m, &g->port);
}

void orc_go_after_op(orc_go_log *g, const gomap *m, size_t index, bool checked)
{
	if (g->p == NULL || index >= g->stop)
		return;
	const fz_op *op = &g->p->ops[index];
	if (!g->skip_op && sent_to_go(op))
		orc_go_wire_op(g->p, op, &g->program);
	g->skip_op = false;
	g->dumped_last = checked;
	if (checked)
		dump_both(g, m, index);
}

void orc_go_enomem(orc_go_log *g)
{
	g->skip_op = true;
}

void orc_go_iterated(orc_go_log *g, size_t index, const orc_pair *pairs,
                     size_t n)
{
	if (g->p == NULL || index >= g->stop)
		return;
	mark(g, index, false);
	gomap_textbuf_puts(&g->port, "iter ");
	gomap_textbuf_putu(&g->port, n);
	gomap_textbuf_putc(&g->port, ':');
	for (size_t i = 0; i < n; i++) {
		gomap_textbuf_putc(&g->port, ' ');
		fz_format_key(g->p, pairs[i].key, &g->port);
		gomap_textbuf_putc(&g->port, '=');
		fz_format_elem(g->p, pairs[i].elem, &g->port);
	}
	gomap_textbuf_putc(&g->port, '\n');
}

void orc_go_stepped(orc_go_log *g, size_t index, int it, const void *key,
                    const void *elem)
{
	if (g->p == NULL || index >= g->stop)
		return;
	mark(g, index, false);
	char prefix[] = {'i', 't', ' ', (char)('0' + it), ' '};
	gomap_textbuf_putn(&g->port, prefix, sizeof prefix);
	if (key == NULL) {
		gomap_textbuf_puts(&g->port, "end\n");
		return;
	}
	fz_format_key(g->p, key, &g->port);
	gomap_textbuf_putc(&g->port, '=');
	fz_format_elem(g->p, elem, &g->port);
	gomap_textbuf_putc(&g->port, '\n');
}

/* ---- the verdict ---------------------------------------------------------- */

/* One line of a text: [s, s + len). */
typedef struct line {
	const char *s;
	size_t len;
} line;

static bool next_line(const char **at, const char *end, line *l)
{
	if (*at >= end)
		return false;
	const char *nl = memchr(*at, '\n', (size_t)(end - *at));
	l->s = *at;
	l->len = nl ? (size_t)(nl - *at) : (size_t)(end - *at);
	*at = nl ? nl + 1 : end;
	return true;
}

/* A line for the verdict: whole when it fits, else from a little before
 * column `col`, where it first differs from the other side's. */
static void clip(const line *l, size_t col, char *out, size_t size)
{
	if (l->s == NULL) {
		snprintf(out, size, "(no line)");
		return;
	}
	size_t from = 0, room = size - 4;
	if (l->len > room && col > 40)
		from = col - 40 < l->len ? col - 40 : l->len;
	snprintf(out, size, "%s%.*s", from ? "..." : "",
	         (int)(l->len - from < room ? l->len - from : room), l->s + from);
}

/* The mark of the port's line at `offset`: the last one at or before it. */
static const orc_go_mark *mark_at(const orc_go_log *g, size_t offset)
{
	const orc_go_mark *found = NULL;
	for (size_t i = 0; i < g->nmarks && g->marks[i].offset <= offset; i++)
		found = &g->marks[i];
	return found;
}

static void fail_at(orc_go_log *g, orc_verdict *v, const char *check,
                    size_t index, const char *expected, const char *seen)
{
	orc_verdict_fail(v, check, expected, seen);
	v->op_index = index;
	v->line = 0;
	v->op[0] = '\0';
	if (index < g->p->nops) {
		const fz_op *op = &g->p->ops[index];
		gomap_textbuf tb = {0};
		fz_op_format(g->p, op, false, &tb);
		snprintf(v->op, sizeof v->op, "%s", fz_textbuf_cstr(&tb));
		gomap_textbuf_free(&tb);
		v->line = op->line;
	}
}

/* Walks Go's output and the port's side together; the first line that
 * differs fails the verdict. */
static void compare(orc_go_log *g, const char *go, size_t go_len,
                    orc_verdict *v)
{
	const char *a = go, *a_end = go + go_len;
	const char *port = g->port.data ? g->port.data : ""; /* NULL: nothing shown */
	const char *b = port, *b_end = port + g->port.len;
	for (;;) {
		line want = {0}, saw = {0};
		const char *saw_at = b;
		bool more_go = next_line(&a, a_end, &want);
		bool more_port = next_line(&b, b_end, &saw);
		if (!more_go && !more_port)
			return;
		if (more_go && more_port && want.len == saw.len &&
		    memcmp(want.s, saw.s, want.len) == 0)
			continue;
		size_t col = 0;
		while (col < want.len && col < saw.len && want.s[col] == saw.s[col])
			col++;
		const orc_go_mark *mk = mark_at(g, (size_t)(saw_at - port));
		bool dump = mk ? mk->dump
		               : want.len >= 4 && (memcmp(want.s, "dump", 4) == 0 ||
		                                   memcmp(want.s, "  ", 2) == 0);
		char expected[sizeof v->expected], seen[sizeof v->seen];
		clip(&want, col, expected, sizeof expected);
		clip(&saw, col, seen, sizeof seen);
		fail_at(g, v, dump ? "go.dump" : "go.iter",
		        mk ? mk->index : g->p->nops, expected, seen);
		return;
	}
}

/* The status codes of gocheck_replay_loop (gocheck/lib.go). */
static const char *go_failure(int status)
{
	switch (status) {
	case 2: return "go.trace";
	case 4: return "go.setup";
	default: return "go.panic";
	}
}

static void run_go(orc_go_log *g, orc_verdict *v)
{
	char *out;
	size_t out_len;
	int status = gocheck_replay_loop(g->program.data, g->program.len,
	                                 &out, &out_len);
	if (status == 0) {
		compare(g, out, out_len, v);
		return;
	}
	char seen[sizeof v->seen];
	snprintf(seen, sizeof seen, "%.*s", (int)out_len, out);
	fail_at(g, v, go_failure(status), g->p->nops,
	        "Go's runtime map to run the program", seen);
}

void orc_go_judge(orc_go_log *g, const gomap *m, orc_verdict *v)
{
	if (g->p != NULL && !v->failed && !g->program.oom && !g->port.oom) {
		if (g->stop == g->p->nops && !g->dumped_last)
			dump_both(g, m, g->p->nops);
		run_go(g, v);
	}
	keep_buffers(g);
	*g = (orc_go_log){0};
}
