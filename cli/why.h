/* The reason a parser refused its input, written into the caller's buffer. */
#ifndef SOCKSCOPE_WHY_H
#define SOCKSCOPE_WHY_H

#include <stddef.h>

/* Formats the reason into why[0..whylen) and returns -1, for `return refuse(...)`. */
int refuse(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
