/* A hex parse error in words (hexparse.h): what the parser found, where. */
#include <stdio.h>

#include "hexparse.h"
#include "term.h"

void
hexparse_strerror(const struct hexparse_error *err, char *buf, size_t cap)
{
	char where[64], ch[8];

	if (err->multiline)
		snprintf(where, sizeof(where), "line %zu, column %zu", err->line, err->col);
	else
		snprintf(where, sizeof(where), "position %zu", err->pos);
	term_escape(ch, sizeof(ch), &err->ch, 1);
	switch (err->fault) {
	case HEX_BAD_CHAR:
		snprintf(buf, cap, "bad hex at %s: '%s'", where, ch);
		break;
	case HEX_ODD_DIGITS:
		snprintf(buf, cap, "odd number of hex digits at %s", where);
		break;
	case HEX_SHORT_LINE:
		snprintf(buf, cap, "hex dump line %zu has %zu bytes where its offsets say %zu",
			 err->line, err->have, err->want);
		break;
	case HEX_NO_MEMORY:
		snprintf(buf, cap, "out of memory reading hex");
		break;
	case HEX_UTF16:
		snprintf(buf, cap, "the text is UTF-16 (as PowerShell's > writes it): give it as "
			 "UTF-8 or ASCII");
		break;
	case HEX_FOLLOW_MANY:
		snprintf(buf, cap, "more than %d connections of tshark follow output: give at "
			 "most %d", HEX_FOLLOW_MAX, HEX_FOLLOW_MAX);
		break;
	case HEX_FOLLOW_FORM:
		snprintf(buf, cap, "tshark follow,%s output is not read: give the output of "
			 "tshark -q -z follow,tcp,hex,N", err->follow);
		break;
	}
}
