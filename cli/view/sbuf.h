/*
 * A bounded string builder: like snprintf, it counts what did not fit, so
 * a caller can size a buffer or ask for a length with cap 0.  Every view
 * writes its text with it.
 */
#ifndef SOCKSCOPE_CLI_SBUF_H
#define SOCKSCOPE_CLI_SBUF_H

#include <stddef.h>
#include <stdint.h>

/* A bounded string builder that, like snprintf, counts what did not fit. */
struct sbuf {
	char *p;
	size_t cap;
	size_t len; /* length the whole text needs */
};

void sb_init(struct sbuf *sb, char *p, size_t cap);
void sb_puts(struct sbuf *sb, const char *s);
__attribute__((format(printf, 2, 3))) void sb_printf(struct sbuf *sb,
						      const char *fmt, ...);
/* p[0..n), escaped as term_escape() does. */
void sb_escaped(struct sbuf *sb, const uint8_t *p, size_t n);
/* n bytes of s, as they are. */
void sb_put(struct sbuf *sb, const char *s, size_t n);

#endif
