/*
 * What flow.c (buffering, reporting) and flow_step.c (what each message
 * means for the session) share.  Not for front ends: they use flow.h.
 */
#ifndef SOCKSCOPE_PROTO_FLOW_INT_H
#define SOCKSCOPE_PROTO_FLOW_INT_H

#include "flow.h"

void flow_emit(struct flow *fl, struct flow_event *ev);
void flow_set_phase(struct flow *fl, enum flow_phase phase);
void flow_anomaly(struct flow *fl, enum flow_side side, uint64_t off, const char *field,
		  const char *text);
void flow_decide(struct flow *fl, const struct flow_outcome *o);
void flow_end(struct flow *fl);
void flow_violation(struct flow *fl, enum flow_side side, uint64_t off, const char *field,
		    const char *why);
void flow_drain(struct flow *fl, enum flow_side side);

/* flow_step.c: a complete message from side, m over the side's buffer. */
void flow_message(struct flow *fl, enum flow_side side, const struct msg *m);
/*
 * A SOCKS5 refusal whose ATYP is unknown (Tor sends ATYP 00 with its
 * RESOLVE errors: doc/PROTOCOL.md, "Tor's extensions"): the code is still
 * the server's answer.  true when m was one and the flow has ended with it.
 */
bool flow_refusal_undelimited(struct flow *fl, const struct msg *m);
/*
 * A GSSAPI frame (RFC 1961) of need bytes at stream offset off, more than
 * the flow holds (FLOW_MSG_MAX): legal (a token may be 65535 bytes;
 * Kerberos tokens often pass 2 KiB), so no violation: the negotiation is
 * not followed further (FLOW_RES_OPAQUE), said with the token's size.
 */
void flow_token_too_long(struct flow *fl, enum flow_side side, uint64_t off, size_t need);
/* What the decoder needs to know for type (the offered methods), in ctx, or
 * NULL. */
const struct proto_ctx *flow_decode_ctx(const struct flow *fl, enum msg_type type,
					struct proto_ctx *ctx);

#endif
