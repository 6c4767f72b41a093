/* Sending a message and reading a reply, one bounded phase each, for the client engine. */
#ifndef SOCKSCOPE_SESSION_IO_H
#define SOCKSCOPE_SESSION_IO_H

#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "names.h"

/* Words a failure into s->error ("hop N (host): " in a chain); returns status. */
int session_fail(struct session *s, int status, int hop, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "sockscope: TEXT" on stderr, unless s->quiet (the -j summary has stderr). */
void session_say(const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Traces and sends p, bounded by deadline; EXIT_OK or a failure in s->error. */
int session_send(struct session *s, int hop, enum msg_type type, const uint8_t *p, size_t len,
		 const char *phase, int64_t deadline);

/*
 * Reads until the decoder says the message is complete.  On EXIT_OK, m
 * describes the first m->len bytes of s->conn.in; the caller consumes them.
 */
int session_read(struct session *s, int hop, enum msg_type type, const struct proto_ctx *ctx,
		 const char *phase, int64_t deadline, struct msg *m);

/* Drops the first n bytes of what c received. */
void session_consume(struct conn *c, size_t n);

/* A reply code's name in t, or "unknown code". */
const char *reply_code_name(const struct name_table *t, uint32_t code);

#endif
