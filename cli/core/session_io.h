/* Failures in words and what is said on stderr, for the client engine. */
#ifndef SOCKSCOPE_SESSION_IO_H
#define SOCKSCOPE_SESSION_IO_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "names.h"

/* Words a failure into s->error ("hop N (host): " in a chain); returns status. */
int session_fail(struct session *s, int status, int hop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "sockscope: TEXT" on stderr, unless s->quiet (the -j summary has stderr). */
void session_say(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A reply code's name in t, or "unknown code". */
const char *reply_code_name(const struct name_table *t, uint32_t code);

#endif
