/* The reason a parser refused its input, written into the caller's buffer. */
#ifndef SOCKSCOPE_WHY_H
#define SOCKSCOPE_WHY_H

#include <stddef.h>

/* Formats the reason into why[0..whylen) and returns -1, for `return refuse(...)`. */
int refuse(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* How much of a value a message quotes: a 100 KB argument is not echoed whole. */
#define QUOTE_MAX 64
#define QUOTE_BUF (QUOTE_MAX * 4 + 40)

/* s as a message quotes it, in buf[0..cap): whole when it is at most
 * QUOTE_MAX bytes, else its first QUOTE_MAX bytes, "..." and its length
 * ("1111...(100000 bytes)").  Returns buf.  Raw: the caller escapes the
 * message it ends up in (probe escapes its details as it prints them). */
const char *quote_cut(const char *s, char *buf, size_t cap);
/* The same for s[0..len), which need not be NUL-terminated. */
const char *quote_span(const char *s, size_t len, char *buf, size_t cap);
/* The first `shown` bytes of s, and "...(TOTAL bytes)" when shown is less
 * than total.  Not escaped: every message is escaped where it is written
 * (term_say, the JSON), and escaping here too would show "\\x1b". */
const char *quote_shown(const char *s, size_t shown, size_t total, char *buf, size_t cap);

#endif
