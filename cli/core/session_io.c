/*
 * For the client engine: the one place that words a failure into
 * s->error, and what is said on stderr.
 */
#include "session_io.h"

#include <stdarg.h>
#include <stdio.h>

#include "term.h"

int
session_fail(struct session *s, int status, int hop, const char *fmt, ...)
{
	char msg[sizeof(s->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->nhops > 1 && hop > 0) {
		char where[HOST_MAX + 16];

		host_format(&s->hops[hop - 1].host, where, sizeof(where));
		snprintf(s->error, sizeof(s->error), "hop %d (%s): %s", hop, where, msg);
	} else {
		snprintf(s->error, sizeof(s->error), "%s", msg);
	}
	return status;
}

void
session_say(const struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->quiet)
		return;
	va_start(ap, fmt);
	term_vsay("sockscope", fmt, ap);
	va_end(ap);
}

const char *
reply_code_name(const struct name_table *t, uint32_t code)
{
	const struct name_entry *e = names_find(t, code);

	return e != NULL ? e->name : "unassigned";
}

