/* Reasons in words, truncated rather than overflowing their buffer. */
#include "text.h"

void
text_start(struct text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->need = 0;
	if (cap > 0)
		buf[0] = '\0';
}

static void
text_char(struct text *t, char c)
{
	t->need++;
	if (t->cap == 0 || t->len + 1 >= t->cap)
		return;
	t->buf[t->len++] = c;
	t->buf[t->len] = '\0';
}

void
text_str(struct text *t, const char *s)
{
	while (s != NULL && *s != '\0')
		text_char(t, *s++);
}

void
text_dec(struct text *t, uint32_t v)
{
	char digits[10];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		text_char(t, digits[--n]);
}

void
text_hex8(struct text *t, uint8_t v)
{
	static const char hex[] = "0123456789abcdef";

	text_str(t, "0x");
	text_char(t, hex[v >> 4]);
	text_char(t, hex[v & 0x0f]);
}

void
text_hex16(struct text *t, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";

	text_str(t, "0x");
	for (int shift = 12; shift >= 0; shift -= 4)
		text_char(t, hex[(v >> shift) & 0x0f]);
}

/* A reason may quote bytes it read: nothing a terminal would obey passes. */
void
text_printable(struct text *t, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			text_char(t, (char)c);
			continue;
		}
		text_str(t, "\\x");
		text_char(t, hex[c >> 4]);
		text_char(t, hex[c & 0x0f]);
	}
}
