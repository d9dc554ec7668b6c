/* gomap_textbuf: a growable, always NUL-terminated text buffer.
 *
 * Dumps and format callbacks write into it without checking each call: an
 * allocation failure sets `oom` and turns every later write into a no-op,
 * so the caller checks once at the end.  The text written before the
 * failure stays valid and terminated. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gomap.h"

/* Makes room for `extra` more bytes plus the terminating NUL. */
static bool textbuf_reserve(gomap_textbuf *tb, size_t extra)
{
	if (tb->oom)
		return false;
	if (extra >= SIZE_MAX - tb->len) {
		/* coverage-unreachable: lengths come from strlen or an int */
		tb->oom = true;
		return false;
	}
	size_t need = tb->len + extra + 1;
	if (need <= tb->cap)
		return true;
	size_t cap = tb->cap ? tb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *data = realloc(tb->data, cap);
	if (!data) {
		/* coverage-unreachable: realloc failure not injectable */
		tb->oom = true;
		return false;
	}
	tb->data = data;
	tb->cap = cap;
	return true;
}

static void textbuf_append(gomap_textbuf *tb, const char *s, size_t n)
{
	if (!textbuf_reserve(tb, n))
		return;
	memcpy(tb->data + tb->len, s, n);
	tb->len += n;
	tb->data[tb->len] = '\0';
}

void gomap_textbuf_putc(gomap_textbuf *tb, char c)
{
	textbuf_append(tb, &c, 1);
}

void gomap_textbuf_putn(gomap_textbuf *tb, const char *s, size_t n)
{
	textbuf_append(tb, s, n);
}

void gomap_textbuf_puts(gomap_textbuf *tb, const char *s)
{
	textbuf_append(tb, s, strlen(s));
}

void gomap_textbuf_putu(gomap_textbuf *tb, uint64_t v)
{
	char digits[20];
	size_t n = sizeof digits;
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	textbuf_append(tb, digits + n, sizeof digits - n);
}

void gomap_textbuf_printf(gomap_textbuf *tb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* Only an unrepresentable conversion gets here; treat it like
		 * a failed write so the caller notices. */
		tb->oom = true;
		return;
	}
	if (!textbuf_reserve(tb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(tb->data + tb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	tb->len += (size_t)n;
}

/* Releases the storage and leaves an empty buffer that can be reused.  A
 * buffer never written to skips free(): the oracle frees a few unused
 * ones per operation, and under ASan and libFuzzer even free(NULL) runs
 * the allocator's hooks. */
void gomap_textbuf_free(gomap_textbuf *tb)
{
	if (tb->data)
		free(tb->data);
	tb->data = NULL;
	tb->len = tb->cap = 0;
	tb->oom = false;
}
