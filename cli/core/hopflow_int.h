/* The hop module's internals, shared by hopflow.c and hopverdict.c (a hop's flow in words). */
#ifndef SOCKSCOPE_HOPFLOW_INT_H
#define SOCKSCOPE_HOPFLOW_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"
#include "view_opts.h"

/* Which of BIND's replies a message of type is, as hop h's flow says. */
enum view_role hop_role(const struct hop_flow *h, enum msg_type type);

/* The decoder's context for type (the methods offered), in ctx, or NULL. */
const struct proto_ctx *hop_ctx(const struct hop_flow *h, enum msg_type type,
				struct proto_ctx *ctx);

/* " 0x05": the value of the server's field name, in the message being read
 * or the last one, when it is a code of one or two bytes; else "". */
void hop_field_value(const struct hop_flow *h, const char *name, char *buf, size_t cap);

/* A stream offset of the server's (the flow's) as an offset in its
 * message, the one being read or the last one, as the views count. */
uint64_t hop_msg_offset(const struct hop_flow *h, uint64_t stream_off);

/* The deadline passed (or ^C, interrupted) while the server owed a message. */
int hop_timed_out(struct hop_flow *h, bool interrupted);

#endif
