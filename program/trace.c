/* Text trace <-> program.
 *
 * A line is split into tokens (spaces and tabs separate them; a token that
 * starts with '"' runs to the matching unescaped quote, so str literals
 * may hold spaces), then the first token picks a row of ops.def, whose
 * argument shape says how the rest is read.  Placement rules (iterators,
 * reenter, expect-fatal) are checked by fz_program_append, shared with
 * the fuzz decoder. */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FZ_MAX_TOKENS 256

struct fz_tok {
	const char *s;
	size_t n;
};

struct fz_parser {
	fz_program *p;
	fz_error *err;
	uint32_t line;
	/* scratch, reused line by line; append copies what it keeps */
	_Alignas(16) unsigned char key[FZ_BYTES_MAX];
	_Alignas(16) unsigned char elem[FZ_BYTES_MAX];
	uint8_t *strbuf; /* room for every str literal of one line */
	size_t strbuf_used;
	char *msgbuf;
	struct fz_tok toks[FZ_MAX_TOKENS];
};

static void fail(struct fz_parser *ps, const char *fmt, const char *a,
                 size_t an, const char *b)
{
	/* Messages here carry at most one raw token (a, an) and one word. */
	char tok[160];
	snprintf(tok, sizeof tok, "%.*s", (int)(an < 150 ? an : 150), a ? a : "");
	fz_error_set(ps->err, ps->p->file, ps->line, fmt, tok, b ? b : "");
}

static int tokenize(struct fz_parser *ps, const char *s, size_t n, int *ntok)
{
	size_t i = 0;
	int k = 0;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		if (k == FZ_MAX_TOKENS) {
			fz_error_set(ps->err, ps->p->file, ps->line,
			             "too many tokens (max %d)", FZ_MAX_TOKENS);
			return -1;
		}
		size_t start = i;
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < n)
					i++;
			if (i >= n) {
				fail(ps, "unterminated str literal %s%s", s + start,
				     n - start, NULL);
				return -1;
			}
			i++;
			if (i < n && s[i] != ' ' && s[i] != '\t') {
				fail(ps, "junk after the closing quote of str literal %s%s",
				     s + start, i - start, NULL);
				return -1;
			}
		} else {
			while (i < n && s[i] != ' ' && s[i] != '\t')
				i++;
		}
		ps->toks[k].s = s + start;
		ps->toks[k].n = i - start;
		k++;
	}
	*ntok = k;
	return 0;
}

static bool tok_is(struct fz_tok t, const char *w)
{
	return strlen(w) == t.n && memcmp(t.s, w, t.n) == 0;
}

/* ---- header ------------------------------------------------------------- */

static const char fz_header_usage[] = "map KEY ELEM [hint=N] [seed=N] [hashkey=N]";

static int parse_header(struct fz_parser *ps, int ntok)
{
	fz_program *p = ps->p;
	struct fz_tok *t = ps->toks;
	if (ntok < 3) {
		fz_error_set(ps->err, p->file, ps->line,
		             "header needs a key kind and an elem kind: %s",
		             fz_header_usage);
		return -1;
	}
	char kname[32], ename[32];
	snprintf(kname, sizeof kname, "%.*s", (int)(t[1].n < 31 ? t[1].n : 31), t[1].s);
	snprintf(ename, sizeof ename, "%.*s", (int)(t[2].n < 31 ? t[2].n : 31), t[2].s);
	p->header_line = ps->line;
	if (fz_program_set_header(p, kname, ename, ps->err) != 0)
		return -1;

	bool seen[4] = {false, false, false, false};
	static const char *const names[4] = {"hint", "seed", "hashkey", "hash"};
	for (int i = 3; i < ntok; i++) {
		const char *eq = memchr(t[i].s, '=', t[i].n);
		int which = -1;
		for (int w = 0; eq && w < 4; w++)
			if ((size_t)(eq - t[i].s) == strlen(names[w]) &&
			    memcmp(t[i].s, names[w], strlen(names[w])) == 0)
				which = w;
		if (which < 0) {
			fail(ps, "unknown header option \"%s\" (want hint=N, seed=N or hashkey=N)%s",
			     t[i].s, t[i].n, NULL);
			return -1;
		}
		if (seen[which]) {
			fail(ps, "duplicate header option %s%s=", names[which],
			     strlen(names[which]), NULL);
			return -1;
		}
		seen[which] = true;
		const char *v = eq + 1;
		size_t vn = t[i].n - (size_t)(v - t[i].s);
		if (which == 3) {
			enum fz_hash_mode hm;
			if (!fz_hash_mode_parse(v, vn, &hm)) {
				fail(ps, "bad %s: want go, weak, collide or tophash%s",
				     t[i].s, t[i].n, NULL);
				return -1;
			}
			fz_program_set_hash_mode(p, hm);
			continue;
		}
		bool neg = which == 0 && vn > 0 && v[0] == '-';
		uint64_t u;
		const char *why = fz_parse_uint(v + neg, vn - neg, &u);
		if (why == NULL && which == 0 && u > (uint64_t)INT64_MAX + neg)
			why = "out of range for int64";
		if (why == NULL && which == 2 && u == 0)
			why = "must not be 0";
		if (why) {
			fail(ps, "bad %s: %s", t[i].s, t[i].n, why);
			return -1;
		}
		if (which == 0)
			p->hdr.hint = neg ? (int64_t)(0 - u) : (int64_t)u;
		else if (which == 1) {
			p->hdr.seed = u;
			p->hdr.has_seed = true;
		} else {
			p->hdr.hashkey = u;
		}
	}
	return 0;
}

/* ---- operations --------------------------------------------------------- */

/* True when `tok` is of a different literal kind than the map's, so the
 * message can say "wrong kind" instead of "bad literal". */
static const char *wrong_kind(fz_vtype want, struct fz_tok tok)
{
	const char *guess = fz_literal_guess(tok.s, tok.n);
	if (guess == NULL)
		return NULL;
	switch (want.kind) {
	case FZ_KIND_U8:
	case FZ_KIND_U32:
	case FZ_KIND_U64: {
		if (strcmp(guess, "f64") == 0 && tok.n > 1 && tok.s[0] == '-') {
			size_t i = 1;
			while (i < tok.n && tok.s[i] >= '0' && tok.s[i] <= '9')
				i++;
			if (i == tok.n)
				return NULL; /* a negative integer: a bad literal */
		}
		return strcmp(guess, "integer") == 0 ? NULL : guess;
	}
	case FZ_KIND_F64:
		return strcmp(guess, "integer") == 0 || strcmp(guess, "f64") == 0
		               ? NULL
		               : guess;
	case FZ_KIND_STR:
		return strcmp(guess, "str") == 0 ? NULL : guess;
	case FZ_KIND_BYTES:
		return strcmp(guess, "bytes") == 0 ? NULL : guess;
	}
	return NULL;
}

static int parse_value(struct fz_parser *ps, const char *opname, bool is_key,
                       struct fz_tok tok, void *out)
{
	const fz_header *h = &ps->p->hdr;
	fz_vtype vt = is_key ? h->key_kind : h->elem_kind;
	const char *kname = is_key ? h->key_name : h->elem_name;
	const char *role = is_key ? "key" : "elem";
	const char *why = fz_literal_parse(vt, tok.s, tok.n, out,
	                                   ps->strbuf + ps->strbuf_used);
	char t[160];
	snprintf(t, sizeof t, "%.*s", (int)(tok.n < 150 ? tok.n : 150), tok.s);
	if (why == NULL) {
		if (vt.kind == FZ_KIND_STR)
			ps->strbuf_used += tok.n;
		return 0;
	}
	const char *guess = wrong_kind(vt, tok);
	if (guess) {
		bool an = strcmp(guess, "integer") == 0 || strcmp(guess, "f64") == 0;
		fz_error_set(ps->err, ps->p->file, ps->line,
		             "%s: %s %s is a%s %s literal; this map's %ss are %s",
		             opname, role, t, an ? "n" : "", guess, role, kname);
	} else if (vt.kind == FZ_KIND_BYTES && strcmp(why, "too many hex digits") == 0) {
		fz_error_set(ps->err, ps->p->file, ps->line,
		             "%s: bad %s %s %s: %zu hex digits, at most %lu",
		             opname, kname, role, t, tok.n - 1,
		             (unsigned long)vt.size * 2);
	} else {
		fz_error_set(ps->err, ps->p->file, ps->line, "%s: bad %s %s %s: %s",
		             opname, kname, role, t, why);
	}
	return -1;
}

static int parse_number(struct fz_parser *ps, const char *opname,
                        const char *what, struct fz_tok tok, uint64_t *out)
{
	const char *why = fz_parse_uint(tok.s, tok.n, out);
	if (why == NULL)
		return 0;
	char t[160];
	snprintf(t, sizeof t, "%.*s", (int)(tok.n < 150 ? tok.n : 150), tok.s);
	fz_error_set(ps->err, ps->p->file, ps->line, "%s: bad %s %s: %s", opname,
	             what, t, why);
	return -1;
}

static int parse_iter_id(struct fz_parser *ps, const char *opname,
                         struct fz_tok tok, uint8_t *out)
{
	uint64_t v;
	if (parse_number(ps, opname, "iterator id", tok, &v) != 0)
		return -1;
	if (v >= FZ_ITERATORS) {
		fz_error_set(ps->err, ps->p->file, ps->line,
		             "%s: iterator id %llu out of range (0..%d)", opname,
		             (unsigned long long)v, FZ_ITERATORS - 1);
		return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

/* Reads toks[0..ntok) as one operation into *op.  `inner` is where a
 * reenter's inner operation is built. */
static int parse_op(struct fz_parser *ps, struct fz_tok *t, int ntok, fz_op *op,
                    fz_op *inner)
{
	enum fz_opcode code;
	memset(op, 0, sizeof *op);
	op->line = ps->line;
	if (!fz_op_lookup(t[0].s, t[0].n, &code)) {
		if (t == ps->toks && tok_is(t[0], "map"))
			fz_error_set(ps->err, ps->p->file, ps->line,
			             "duplicate header (first on line %lu)",
			             (unsigned long)ps->p->header_line);
		else
			fail(ps, "unknown operation \"%s\"%s", t[0].s, t[0].n, NULL);
		return -1;
	}
	const struct fz_opinfo *info = &fz_ops[code];
	int nargs = ntok - 1;
	int lo = 0, hi = 0;
	switch (info->args) {
	case FZ_ARGS_NONE: lo = hi = 0; break;
	case FZ_ARGS_K: lo = hi = 1; break;
	case FZ_ARGS_KV: lo = hi = 2; break;
	case FZ_ARGS_ID: lo = 0; hi = 1; break;
	case FZ_ARGS_N_ID: lo = 1; hi = 2; break;
	case FZ_ARGS_N: lo = hi = 1; break;
	case FZ_ARGS_REENTER: lo = 2; hi = FZ_MAX_TOKENS; break;
	case FZ_ARGS_MSG: lo = 1; hi = FZ_MAX_TOKENS; break;
	}
	if (nargs < lo || nargs > hi) {
		fz_error_set(ps->err, ps->p->file, ps->line,
		             "%s: got %d argument%s; usage: %s", info->name, nargs,
		             nargs == 1 ? "" : "s", info->usage);
		return -1;
	}
	op->code = code;
	switch (info->args) {
	case FZ_ARGS_NONE:
		break;
	case FZ_ARGS_K:
	case FZ_ARGS_KV:
		if (parse_value(ps, info->name, true, t[1], ps->key) != 0)
			return -1;
		op->key = ps->key;
		if (info->args == FZ_ARGS_KV) {
			if (parse_value(ps, info->name, false, t[2], ps->elem) != 0)
				return -1;
			op->elem = ps->elem;
		}
		break;
	case FZ_ARGS_N_ID:
	case FZ_ARGS_N:
		if (parse_number(ps, info->name, "N", t[1], &op->n) != 0)
			return -1;
		if (nargs == 2 && parse_iter_id(ps, info->name, t[2], &op->iter) != 0)
			return -1;
		break;
	case FZ_ARGS_ID:
		if (nargs == 1 && parse_iter_id(ps, info->name, t[1], &op->iter) != 0)
			return -1;
		break;
	case FZ_ARGS_REENTER:
		if (tok_is(t[1], "hash")) {
			op->at = FZ_REENTER_HASH;
		} else if (tok_is(t[1], "equal")) {
			op->at = FZ_REENTER_EQUAL;
		} else {
			fail(ps, "reenter: want hash or equal, got \"%s\"%s", t[1].s,
			     t[1].n, NULL);
			return -1;
		}
		{
			enum fz_opcode ic;
			if (fz_op_lookup(t[2].s, t[2].n, &ic) &&
			    !(fz_ops[ic].flags & FZ_F_INNER)) {
				fail(ps, "reenter: %s cannot run inside a callback (allowed: put get del gput gget gdel clear len iter-next)%s",
				     t[2].s, t[2].n, NULL);
				return -1;
			}
		}
		/* The inner op has no reenter of its own, so `inner` needs no
		 * further space and the key/elem scratch is free for it. */
		if (parse_op(ps, t + 2, ntok - 2, inner, NULL) != 0)
			return -1;
		op->inner = inner;
		break;
	case FZ_ARGS_MSG: {
		char *m = ps->msgbuf;
		if (memchr(t[1].s, '\0', (size_t)(t[ntok - 1].s + t[ntok - 1].n - t[1].s))) {
			fz_error_set(ps->err, ps->p->file, ps->line,
			             "%s: NUL byte in the message", info->name);
			return -1;
		}
		for (int i = 1; i < ntok; i++) {
			if (i > 1)
				*m++ = ' ';
			memcpy(m, t[i].s, t[i].n);
			m += t[i].n;
		}
		*m = '\0';
		op->msg = ps->msgbuf;
		break;
	}
	}
	return 0;
}

static int parse_line(struct fz_parser *ps, const char *s, size_t n)
{
	int ntok;
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] == '#')
		return 0; /* blank or comment: not even tokenized */
	ps->strbuf_used = 0;
	if (tokenize(ps, s, n, &ntok) != 0)
		return -1;
	if (!ps->p->has_header) {
		if (tok_is(ps->toks[0], "map"))
			return parse_header(ps, ntok);
		fail(ps, "missing header: the first line must be \"%s\"%s",
		     fz_header_usage, strlen(fz_header_usage), NULL);
		return -1;
	}
	fz_op op, inner;
	if (parse_op(ps, ps->toks, ntok, &op, &inner) != 0)
		return -1;
	return fz_program_append(ps->p, &op, ps->err);
}

int fz_trace_parse(const char *file, const char *text, size_t len,
                   fz_program *out, fz_error *err)
{
	fz_program_init(out, file);
	struct fz_parser *ps = calloc(1, sizeof *ps);
	uint8_t *scratch = malloc(2 * len + 2);
	if (ps == NULL || scratch == NULL) {
		free(ps);
		free(scratch);
		fz_error_env(err, out->file, 0, "out of memory");
		return -1;
	}
	ps->p = out;
	ps->err = err;
	ps->strbuf = scratch;
	ps->msgbuf = (char *)scratch + len + 1;

	int rc = 0;
	size_t pos = 0;
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;
		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		ps->line++;
		rc = parse_line(ps, text + pos, n);
		pos = end + 1;
	}
	if (rc == 0) {
		if (!out->has_header)
			out->header_line = ps->line ? ps->line : 1;
		rc = fz_program_finish(out, err);
	}
	free(scratch);
	free(ps);
	if (rc != 0)
		fz_program_free(out);
	return rc;
}

int fz_trace_parse_file(const char *path, fz_program *out, fz_error *err)
{
	fz_program_init(out, path);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fz_error_set(err, path, 0, "cannot read: %s", strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				fz_error_env(err, path, 0, "out of memory");
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	int saved = errno;
	fclose(f);
	if (bad) {
		free(buf);
		char what[160];
		snprintf(what, sizeof what, "cannot read: %s", strerror(saved));
		if (saved == EISDIR) /* the argument's fault, not the machine's */
			fz_error_set(err, path, 0, "%s", what);
		else
			fz_error_env(err, path, 0, what);
		return -1;
	}
	int rc = fz_trace_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

void fz_trace_print(const fz_program *p, gomap_textbuf *out)
{
	fz_header_format(p, out);
	gomap_textbuf_putc(out, '\n');
	for (size_t i = 0; i < p->nops; i++) {
		fz_op_format(p, &p->ops[i], false, out);
		gomap_textbuf_putc(out, '\n');
	}
}
