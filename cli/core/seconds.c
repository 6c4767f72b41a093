/* Seconds as people type them (seconds.h). */
#include "seconds.h"

#include <stdlib.h>
#include <string.h>

int
seconds_parse(const char *s, double max_secs, int *ms)
{
	size_t digits = strspn(s, "0123456789");
	char *end;
	double v;

	/* strtod alone would also take hex ("0x10"), exponents ("1e-3"),
	   "inf", "nan" and leading blanks or signs. */
	if (digits == 0 || (s[digits] == '.' && strspn(s + digits + 1, "0123456789") == 0))
		return -1;
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	if (s[digits] != '\0')
		return -1;
	v = strtod(s, &end);
	if (*end != '\0' || v < 0 || v > max_secs)
		return -1;
	*ms = (int)(v * 1000);
	return 0;
}
