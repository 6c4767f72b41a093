/* One way for every parser to say why it refused (see why.h). */
#include "why.h"

#include <stdarg.h>
#include <stdio.h>

int
refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}
