/*
 * What each complete message means for the session: the transitions of the
 * flow (see flow.h for the phases).  The bytes were decoded by flow.c; here
 * the flow decides who owes what next and how the session ended, in the
 * order doc/PROTOCOL.md gives ("The order of a session").
 */
#include <string.h>

#include "flow_int.h"
#include "text.h"

#define CMD_CONNECT 0x01
#define CMD_BIND 0x02
#define CMD_UDP 0x03
#define CMD_RESOLVE 0xf0     /* Tor: a name in, an address out */
#define CMD_RESOLVE_PTR 0xf1 /* Tor: an address in, a name out */
#define ATYP_DOMAIN 0x03
#define S4_GRANTED 0x5a
#define METHOD_NOAUTH 0x00
#define METHOD_GSSAPI 0x01
#define METHOD_USERPASS 0x02
#define METHOD_NONE 0xff
#define GSS_PROTECTION 0x02
#define GSS_ABORT 0xff

const struct proto_ctx *
flow_decode_ctx(const struct flow *fl, enum msg_type type, struct proto_ctx *ctx)
{
	if (type != MSG_S5_METHOD || fl->noffered == 0)
		return NULL;
	ctx->offered = fl->offered;
	ctx->noffered = fl->noffered;
	return ctx;
}

static uint32_t
num(const struct msg *m, const char *name)
{
	const struct field *f = msg_field(m, name);

	return f != NULL ? f->num : 0;
}

/* side now owes a message of this type; bytes it sent early are decoded now. */
static void
owe(struct flow *fl, enum flow_side side, enum msg_type type)
{
	struct flow_dir *d = &fl->dir[side];

	d->state = FLOW_X_MESSAGE;
	d->want = type;
	d->need = 1;
	flow_drain(fl, side);
}

static void
wait_for(struct flow *fl, enum flow_side side)
{
	fl->dir[side].state = FLOW_X_NOTHING;
}

/* An outcome with a code from a name table. */
static void
decide_code(struct flow *fl, enum flow_result r, enum flow_side side, uint64_t off,
	    uint32_t code, const struct name_table *t)
{
	const struct name_entry *e = names_find(t, code);
	struct flow_outcome o = { .result = r, .side = side, .phase = fl->phase, .code = code,
				  .meaning = e != NULL ? e->name : "unassigned", .off = off };

	flow_decide(fl, &o);
}

void
flow_token_too_long(struct flow *fl, enum flow_side side, uint64_t off, size_t need)
{
	const struct name_entry *e = names_find(&names_s5_method, METHOD_GSSAPI);
	struct flow_outcome o = { .result = FLOW_RES_OPAQUE, .side = side, .phase = fl->phase,
				  .code = METHOD_GSSAPI, .meaning = e != NULL ? e->name : "GSSAPI",
				  .off = off };
	struct text t;

	text_start(&t, o.why, sizeof(o.why));
	text_str(&t, "a GSSAPI frame of ");
	text_dec(&t, (uint32_t)need);
	text_str(&t, " bytes from the ");
	text_str(&t, flow_side_name(side));
	text_str(&t, ", more than the ");
	text_dec(&t, (uint32_t)FLOW_MSG_MAX);
	text_str(&t, " sockscope holds");
	flow_decide(fl, &o);
	flow_end(fl);
}

static void
client_message(struct flow *fl, const struct msg *m)
{
	const struct field *f;

	switch (m->desc->type) {
	case MSG_S4_REQUEST:
	case MSG_S5_REQUEST:
		fl->cmd = (uint8_t)num(m, m->desc->type == MSG_S4_REQUEST ? "CD" : "CMD");
		fl->cmd_seen = true;
		fl->dir[FLOW_CLIENT].state = FLOW_X_TUNNEL; /* anything more is data */
		flow_set_phase(fl, FLOW_PH_REPLY);
		owe(fl, FLOW_SERVER, m->desc->type == MSG_S4_REQUEST ? MSG_S4_REPLY : MSG_S5_REPLY);
		break;
	case MSG_S5_GREETING:
		f = msg_field(m, "METHODS");
		fl->noffered = f->len;
		memcpy(fl->offered, f->bytes, f->len);
		wait_for(fl, FLOW_CLIENT);
		flow_set_phase(fl, FLOW_PH_METHOD);
		owe(fl, FLOW_SERVER, MSG_S5_METHOD);
		break;
	case MSG_S5_AUTH_REQUEST:
		wait_for(fl, FLOW_CLIENT);
		owe(fl, FLOW_SERVER, MSG_S5_AUTH_STATUS);
		break;
	case MSG_GSSAPI:
		if (num(m, "MTYP") == GSS_ABORT) {
			decide_code(fl, FLOW_RES_AUTH_FAILED, FLOW_CLIENT, fl->dir[FLOW_CLIENT].off,
				    GSS_ABORT, &names_gssapi_mtyp);
			flow_end(fl);
		} else if (num(m, "MTYP") == GSS_PROTECTION)
			fl->gss_prot_client = true;
		break;
	default:
		break;
	}
}

/* SOCKS4 reply VN 4 is tolerated only with a SOCKS4 reply code (0x5A-0x5D):
 * VN 4 with another code is most likely the request echoed back
 * (doc/PROTOCOL.md, "SOCKS4 reply"). */
static bool
s4_version_wrong(const struct msg *m)
{
	uint32_t cd = num(m, "CD");

	return m->desc->type == MSG_S4_REPLY && num(m, "VN") == 4 && (cd < 0x5a || cd > 0x5d);
}

/* The server chose a method the client did not offer. */
static bool
method_unoffered(const struct flow *fl, const struct msg *m)
{
	uint32_t method = num(m, "METHOD");

	return m->desc->type == MSG_S5_METHOD && method != METHOD_NONE &&
	       memchr(fl->offered, (int)method, fl->noffered) == NULL;
}

/* The method selection: the client's next message, or the end. */
static void
method_chosen(struct flow *fl, const struct msg *m)
{
	const struct field *f = msg_field(m, "METHOD");
	uint64_t off = fl->dir[FLOW_SERVER].off + f->off;
	uint8_t method = (uint8_t)f->num;

	if (method == METHOD_NONE) {
		decide_code(fl, FLOW_RES_NO_METHOD, FLOW_SERVER, off, method, &names_s5_method);
		flow_end(fl);
		return;
	}
	if (method_unoffered(fl, m)) {
		char why[PROTO_WHY_MAX];
		struct text t;

		text_start(&t, why, sizeof(why));
		text_str(&t, "method ");
		text_hex8(&t, method);
		text_str(&t, " was not offered by the client");
		flow_violation(fl, FLOW_SERVER, off, f->desc->name, why);
		return;
	}
	wait_for(fl, FLOW_SERVER);
	switch (method) {
	case METHOD_NOAUTH:
		flow_set_phase(fl, FLOW_PH_REQUEST);
		owe(fl, FLOW_CLIENT, MSG_S5_REQUEST);
		break;
	case METHOD_USERPASS:
		flow_set_phase(fl, FLOW_PH_AUTH);
		owe(fl, FLOW_CLIENT, MSG_S5_AUTH_REQUEST);
		break;
	case METHOD_GSSAPI:
		flow_set_phase(fl, FLOW_PH_GSSAPI);
		owe(fl, FLOW_CLIENT, MSG_GSSAPI);
		owe(fl, FLOW_SERVER, MSG_GSSAPI);
		break;
	default:
		decide_code(fl, FLOW_RES_OPAQUE, FLOW_SERVER, off, method, &names_s5_method);
		flow_end(fl);
		break;
	}
}

/* A granted reply: the tunnel, BIND's wait for its second reply, or the end.
 * BIND has two replies and never a third (doc/PROTOCOL.md, "SOCKS5
 * commands"); after UDP ASSOCIATE the TCP connection carries nothing. */
static void
granted(struct flow *fl, const struct msg *m, uint64_t off)
{
	struct flow_outcome o = { .result = FLOW_RES_GRANTED, .side = FLOW_SERVER,
				  .phase = fl->phase, .off = off };

	if (fl->cmd == CMD_BIND && fl->phase == FLOW_PH_REPLY) {
		flow_set_phase(fl, FLOW_PH_BIND);
		owe(fl, FLOW_SERVER, m->desc->type);
		return;
	}
	flow_decide(fl, &o);
	if (fl->cmd == CMD_CONNECT || fl->cmd == CMD_BIND) {
		fl->dir[FLOW_SERVER].state = FLOW_X_TUNNEL;
		flow_set_phase(fl, FLOW_PH_TUNNEL);
	} else if (fl->cmd == CMD_UDP && fl->version == 5) {
		fl->dir[FLOW_CLIENT].state = FLOW_X_END;
		fl->dir[FLOW_SERVER].state = FLOW_X_END;
		flow_set_phase(fl, FLOW_PH_UDP);
	} else {
		flow_end(fl); /* RESOLVE, RESOLVE_PTR: the answer is the reply itself */
	}
}

bool
flow_reply_grants(const struct msg *m)
{
	bool s4 = m->desc->type == MSG_S4_REPLY;
	const struct field *f;

	if (m->desc->type != MSG_S4_REPLY && m->desc->type != MSG_S5_REPLY)
		return false;
	f = msg_field(m, s4 ? "CD" : "REP");
	return f != NULL && f->len == 1 && f->num == (s4 ? S4_GRANTED : 0);
}

/* Tor's RESOLVE answers with an address and RESOLVE_PTR with a name, in
 * BND.ADDR (doc/PROTOCOL.md, "Tor's extensions"): the other kind is no
 * answer to what was asked. */
static bool
answer_kind_wrong(struct flow *fl, const struct msg *m)
{
	const struct field *atyp = msg_field(m, "ATYP");
	bool name = atyp != NULL && atyp->num == ATYP_DOMAIN;
	uint64_t off = fl->dir[FLOW_SERVER].off + (atyp != NULL ? atyp->off : 0);

	if (fl->cmd == CMD_RESOLVE && name) {
		flow_violation(fl, FLOW_SERVER, off, "ATYP",
			       "RESOLVE answered with a name; expected ATYP 0x01 or 0x04 (an address)");
		return true;
	}
	if (fl->cmd == CMD_RESOLVE_PTR && !name) {
		flow_violation(fl, FLOW_SERVER, off, "ATYP",
			       "RESOLVE_PTR answered with an address; expected ATYP 0x03 (a name)");
		return true;
	}
	return false;
}

static void
reply(struct flow *fl, const struct msg *m)
{
	bool s4 = m->desc->type == MSG_S4_REPLY;
	const struct field *f = msg_field(m, s4 ? "CD" : "REP");
	uint64_t off = fl->dir[FLOW_SERVER].off + f->off;

	if (s4_version_wrong(m)) {
		flow_violation(fl, FLOW_SERVER, fl->dir[FLOW_SERVER].off, "VN",
			       "reply version 4 with a code that is no SOCKS4 reply code");
		return;
	}
	if (flow_reply_grants(m)) {
		if (!s4 && answer_kind_wrong(fl, m))
			return;
		granted(fl, m, off);
		return;
	}
	decide_code(fl, FLOW_RES_REFUSED, FLOW_SERVER, off, f->num,
		    s4 ? &names_s4_reply : &names_s5_reply);
	flow_end(fl);
}

bool
flow_refusal_undelimited(struct flow *fl, const struct msg *m)
{
	const struct field *rep = msg_field(m, "REP");
	uint64_t off = fl->dir[FLOW_SERVER].off;

	if (m->desc->type != MSG_S5_REPLY || m->status != PROTO_E_ATYP || rep == NULL ||
	    rep->num == 0)
		return false;
	flow_anomaly(fl, FLOW_SERVER, off + m->err_off, "ATYP",
		     "unknown address type in a refusal: the rest of the reply is ignored");
	decide_code(fl, FLOW_RES_REFUSED, FLOW_SERVER, off + rep->off, rep->num, &names_s5_reply);
	fl->dir[FLOW_SERVER].noted = true; /* its length is unknown: no later violation */
	flow_end(fl);
	return true;
}

static void
server_message(struct flow *fl, const struct msg *m)
{
	uint64_t off = fl->dir[FLOW_SERVER].off;

	switch (m->desc->type) {
	case MSG_S5_METHOD:
		method_chosen(fl, m);
		break;
	case MSG_S5_AUTH_STATUS:
		if (num(m, "STATUS") != 0) {
			decide_code(fl, FLOW_RES_AUTH_FAILED, FLOW_SERVER, off + 1,
				    num(m, "STATUS"), &names_auth_status);
			flow_end(fl);
			break;
		}
		wait_for(fl, FLOW_SERVER);
		flow_set_phase(fl, FLOW_PH_REQUEST);
		owe(fl, FLOW_CLIENT, MSG_S5_REQUEST);
		break;
	case MSG_GSSAPI:
		if (num(m, "MTYP") == GSS_ABORT) {
			decide_code(fl, FLOW_RES_AUTH_FAILED, FLOW_SERVER, off, GSS_ABORT,
				    &names_gssapi_mtyp);
			flow_end(fl);
		} else if (num(m, "MTYP") == GSS_PROTECTION && fl->gss_prot_client) {
			/* From here on the request and reply are sealed (RFC 1961, 5;
			 * doc/PROTOCOL.md, "GSSAPI"). */
			flow_set_phase(fl, FLOW_PH_GSSAPI_DATA);
		}
		break;
	case MSG_S4_REPLY:
	case MSG_S5_REPLY:
		reply(fl, m);
		break;
	default:
		break;
	}
}

/* Tells the anomalies the decoder found, field by field. */
static void
field_anomalies(struct flow *fl, enum flow_side side, const struct msg *m)
{
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];

		if (f->flags & (FF_ANOMALY | FF_UNASSIGNED))
			flow_anomaly(fl, side, fl->dir[side].off + f->off, f->desc->name,
				     f->note != NULL ? f->note : "unusual value");
	}
}

void
flow_message(struct flow *fl, enum flow_side side, const struct msg *m)
{
	struct flow_event ev = { .kind = FLOW_EV_MESSAGE, .side = side,
				 .off = fl->dir[side].off, .msg = m };

	flow_emit(fl, &ev);
	/* These are violations here, not the decoder's tolerated anomalies. */
	if (!method_unoffered(fl, m) && !s4_version_wrong(m))
		field_anomalies(fl, side, m);
	if (side == FLOW_CLIENT)
		client_message(fl, m);
	else
		server_message(fl, m);
}
