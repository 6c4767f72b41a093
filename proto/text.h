/* Building short reasons in words without stdio (proto/ prints nothing). */
#ifndef SOCKSCOPE_PROTO_TEXT_H
#define SOCKSCOPE_PROTO_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct text {
	char *buf;
	size_t cap;
	size_t len;  /* what was written */
	size_t need; /* what the whole text needs, as snprintf counts it */
};

void text_start(struct text *t, char *buf, size_t cap);
void text_str(struct text *t, const char *s);
void text_dec(struct text *t, uint32_t v);
void text_hex8(struct text *t, uint8_t v);    /* "0x07" */
void text_hex16(struct text *t, uint16_t v);  /* "0x0007" */
/* s[0..n), bytes outside printable ASCII (and the backslash) as \xNN. */
void text_printable(struct text *t, const char *s, size_t n);

#endif
