/* The bounded string builder the views write their text with (sbuf.h). */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "term.h"

void
sb_init(struct sbuf *sb, char *p, size_t cap)
{
	sb->p = p;
	sb->cap = cap;
	sb->len = 0;
	if (cap > 0)
		p[0] = '\0';
}

void
sb_put(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->len < sb->cap) {
		size_t room = sb->cap - sb->len - 1;
		size_t k = n < room ? n : room;
		memcpy(sb->p + sb->len, s, k);
		sb->p[sb->len + k] = '\0';
	}
	sb->len += n;
}

void
sb_puts(struct sbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_put(sb, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
sb_escaped(struct sbuf *sb, const uint8_t *p, size_t n)
{
	if (sb->len < sb->cap)
		sb->len += term_escape(sb->p + sb->len, sb->cap - sb->len, p, n);
	else
		sb->len += term_escaped_len(p, n);
}
