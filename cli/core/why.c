/* One way for every parser to say why it refused (see why.h). */
#include "why.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>


int
refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
quote_shown(const char *s, size_t shown, size_t total, char *buf, size_t cap)
{
	size_t used;

	if (cap == 0)
		return buf;
	snprintf(buf, cap, "%.*s", (int)shown, s);
	used = strlen(buf);
	if (shown < total)
		snprintf(buf + used, cap - used, "...(%zu bytes)", total);
	return buf;
}

const char *
quote_span(const char *s, size_t len, char *buf, size_t cap)
{
	if (len <= QUOTE_MAX)
		snprintf(buf, cap, "%.*s", (int)len, s);
	else
		snprintf(buf, cap, "%.*s...(%zu bytes)", QUOTE_MAX, s, len);
	return buf;
}

const char *
quote_cut(const char *s, char *buf, size_t cap)
{
	return quote_span(s, strlen(s), buf, cap);
}
