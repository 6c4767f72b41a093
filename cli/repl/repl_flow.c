/*
 * The connection as the flow (proto/flow.h) follows it.  Everything the
 * REPL sends is fed to the flow as the client's, everything it reads as the
 * server's (when it is consumed), and the server's close as such; the flow
 * alone says what each side owes next, what a reply means and what a close
 * means.  What it decodes from the server is shown here, each reply in its
 * role (BIND's first and second); a step's verdict is the flow's outcome,
 * with the flow's hints after a failure.
 */
#include "repl_engine.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "term.h"

/* BIND's command code in both versions' requests (CMD, CD). */
#define CMD_BIND 0x02

/*
 * Where a reply says the server bound (BND.ADDR and BND.PORT, or SOCKS4's
 * DSTIP and DSTPORT), copied out: the fields point into the flow's buffer.
 * False when the reply names no address.
 */
static bool
bound_read(const struct msg *m, struct host *h)
{
	const struct field *addr = msg_field(m, "BND.ADDR");
	const struct field *port = msg_field(m, "BND.PORT");

	if (addr == NULL) {
		addr = msg_field(m, "DSTIP");
		port = msg_field(m, "DSTPORT");
	}
	if (addr == NULL || port == NULL)
		return false;
	memset(h, 0, sizeof(*h));
	h->port = (uint16_t)port->num;
	if (addr->len == 4) {
		h->kind = HOST_IPV4;
		memcpy(h->addr, addr->bytes, 4);
		inet_ntop(AF_INET, h->addr, h->name, sizeof(h->name));
	} else if (addr->len == 16 && field_addr_form(m, addr) == ADDR_IPV6) {
		h->kind = HOST_IPV6;
		memcpy(h->addr, addr->bytes, 16);
		inet_ntop(AF_INET6, h->addr, h->name, sizeof(h->name));
	} else {
		size_t n = addr->len < HOST_MAX ? addr->len : HOST_MAX;

		h->kind = HOST_NAME;
		memcpy(h->name, addr->bytes, n);
		h->name[n] = '\0';
		h->namelen = n;
	}
	return true;
}

static void
client_message(struct rsess *s, const struct msg *m)
{
	const struct field *f;

	s->client_message = true;
	switch (m->desc->type) {
	case MSG_S5_GREETING:
		f = msg_field(m, "METHODS");
		s->noffered = f != NULL && f->len <= sizeof(s->offered) ? f->len : 0;
		if (s->noffered > 0)
			memcpy(s->offered, f->bytes, s->noffered);
		break;
	case MSG_S5_REQUEST:
	case MSG_S4_REQUEST:
		f = msg_field(m, m->desc->type == MSG_S5_REQUEST ? "CMD" : "CD");
		s->bind_requested = f != NULL && f->num == CMD_BIND;
		break;
	default:
		break;
	}
	/* `raw` bytes, or bytes the flow held until the server answered. */
	if (!s->step_sending)
		hexview_print(s->out, m, &s->vo);
}

struct view_opts
rs_server_view(const struct rsess *s)
{
	struct view_opts vo = s->vo;
	enum flow_phase ph = flow_phase(&s->fl);

	if (ph == FLOW_PH_BIND)
		vo.role = VIEW_ROLE_BIND_SECOND;
	else if (ph == FLOW_PH_REPLY && s->bind_requested)
		vo.role = VIEW_ROLE_BIND_FIRST;
	return vo;
}

/* A server message, shown; a reply titled by its role in a BIND. */
static void
server_message(struct rsess *s, const struct msg *m)
{
	struct view_opts vo = rs_server_view(s);

	vo.dir = VIEW_DIR_RECEIVED; /* a GSSAPI frame goes both ways: its table says client */
	if (m->desc->type == MSG_S5_METHOD) {
		s->method = msg_field(m, "METHOD")->num;
		s->has_method = true;
	}
	if (m->desc->type == MSG_S5_REPLY || m->desc->type == MSG_S4_REPLY)
		s->has_reply_bnd = bound_read(m, &s->reply_bnd);
	hexview_print(s->out, m, &vo);
}

static void
take_bound(struct rsess *s)
{
	if (s->has_reply_bnd) {
		s->bound = s->reply_bnd;
		s->has_bound = true;
	}
}

static void
phase_entered(struct rsess *s, enum flow_phase ph)
{
	enum flow_phase prev = s->last_phase;
	char where[HOST_MAX * 4 + 16];

	s->last_phase = ph;
	if (ph == FLOW_PH_REQUEST && (prev == FLOW_PH_AUTH || prev == FLOW_PH_GSSAPI))
		s->authenticated = true;
	if (ph == FLOW_PH_BIND)
		take_bound(s);
	host_shown(&s->bound, where, sizeof(where));
	if (ph == FLOW_PH_BIND)
		fprintf(s->out, "BIND: the server listens on %s; `send` or `recv SECONDS` waits for the peer\n",
			where);
	else if (ph == FLOW_PH_TUNNEL && prev == FLOW_PH_BIND)
		fprintf(s->out, "BIND: the peer %s connected; the connection is a tunnel to it\n", where);
	else if (ph == FLOW_PH_UDP)
		fprintf(s->out, "UDP ASSOCIATE: the relay is %s (`dgram HOST PORT DATA`)\n", where);
}

static void
keep_hint(struct rsess *s, const struct hint *h)
{
	size_t n = h->evidence_len < sizeof(s->hint_evidence) ? h->evidence_len
							      : sizeof(s->hint_evidence);

	s->hint = *h;
	if (h->evidence != NULL && n > 0)
		memcpy(s->hint_evidence, h->evidence, n);
	s->hint.evidence = h->evidence != NULL && n > 0 ? s->hint_evidence : NULL;
	s->hint.evidence_len = s->hint.evidence != NULL ? n : 0;
	s->has_hint = true;
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct rsess *s = ctx;

	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		if (ev->side == FLOW_CLIENT)
			client_message(s, ev->msg);
		else
			server_message(s, ev->msg);
		break;
	case FLOW_EV_PHASE:
		phase_entered(s, ev->phase);
		break;
	case FLOW_EV_OUTCOME:
		s->outcomes++;
		if (ev->outcome->result == FLOW_RES_GRANTED)
			take_bound(s);
		break;
	case FLOW_EV_HINT:
		keep_hint(s, ev->hint);
		break;
	default:
		break;
	}
}

void
rs_flow_wipe(struct rsess *s)
{
	struct flow_config cfg = { .version = rs_socks5(s) ? 5 : 4, .on_event = on_event, .ctx = s };

	/* It holds what the client sent (its first bytes, for hints): an RFC
	   1929 request among them carries the password. */
	explicit_bzero(&s->fl, sizeof(s->fl));
	flow_init(&s->fl, &cfg);
}

void
rs_flow_start(struct rsess *s)
{
	rs_flow_wipe(s);
	s->outcomes = s->outcomes_said = 0;
	s->last_phase = FLOW_PH_GREETING;
	s->authenticated = s->in_tunnel = s->step_sending = s->client_message = false;
	s->bind_requested = s->has_hint = s->has_reply_bnd = false;
}

size_t
rs_flow_sent(struct rsess *s, const uint8_t *p, size_t len)
{
	return flow_feed(&s->fl, FLOW_CLIENT, p, len);
}

void
rs_take(struct rsess *s, size_t n)
{
	if (n > s->conn.have)
		n = s->conn.have;
	flow_feed(&s->fl, FLOW_SERVER, s->conn.in, n);
	rs_consume(&s->conn, n);
}

enum msg_type
rs_client_owes(const struct rsess *s, bool *owed)
{
	struct flow_expect x = flow_expect(&s->fl, FLOW_CLIENT);

	*owed = x.kind == FLOW_X_MESSAGE || x.kind == FLOW_X_FIRST;
	if (x.kind == FLOW_X_FIRST)
		return rs_socks5(s) ? MSG_S5_GREETING : MSG_S4_REQUEST;
	return x.type;
}

bool
rs_server_owes(const struct rsess *s, enum msg_type *type)
{
	struct flow_expect x = flow_expect(&s->fl, FLOW_SERVER);

	*type = x.type;
	return s->conn.fd >= 0 && x.kind == FLOW_X_MESSAGE;
}

enum rs_phase
rs_phase(const struct rsess *s)
{
	if (s->conn.fd < 0)
		return PH_CLOSED;
	if (s->in_tunnel)
		return PH_TUNNEL;
	switch (flow_phase(&s->fl)) {
	case FLOW_PH_GREETING:
		return PH_CONNECTED;
	case FLOW_PH_METHOD:
		return PH_GREETED;
	case FLOW_PH_AUTH:
	case FLOW_PH_GSSAPI:
	case FLOW_PH_GSSAPI_DATA:
		return PH_METHOD;
	case FLOW_PH_REQUEST:
		return s->authenticated ? PH_AUTHED : PH_METHOD;
	case FLOW_PH_REPLY:
		return PH_REQUESTED;
	case FLOW_PH_BIND:
		return PH_BOUND;
	case FLOW_PH_TUNNEL:
	case FLOW_PH_UDP:
		return PH_GRANTED;
	case FLOW_PH_END:
	default:
		return flow_outcome(&s->fl)->result == FLOW_RES_GRANTED ? PH_GRANTED : PH_ENDED;
	}
}

const char *
rs_phase_name(enum rs_phase p)
{
	static const char *const names[] = {
		[PH_CLOSED] = "closed",       [PH_CONNECTED] = "connected",
		[PH_GREETED] = "greeted",     [PH_METHOD] = "method chosen",
		[PH_AUTHED] = "authenticated", [PH_REQUESTED] = "requested",
		[PH_GRANTED] = "granted",     [PH_BOUND] = "bound",
		[PH_TUNNEL] = "tunnel",       [PH_ENDED] = "ended",
	};

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

void
rs_say_hint(struct rsess *s)
{
	char ev[HINT_PREFIX * 4 + 1];

	if (!s->has_hint)
		return;
	s->has_hint = false;
	/* rs_fail only for its "sockscope: " line: a hint is no status. */
	if (s->hint.evidence == NULL) {
		rs_fail(EXIT_OK, "hint: %s", s->hint.text);
		return;
	}
	/* The peer's bytes: escaped, never raw. */
	term_escape(ev, sizeof(ev), s->hint.evidence, s->hint.evidence_len);
	rs_fail(EXIT_OK, "hint: %s (the %s sent \"%s\")", s->hint.text,
		s->hint.from_server ? "server" : "client", ev);
}

/* A violation, said with its side, phase, field and offset. */
static int
violation(struct rsess *s, const struct flow_outcome *o)
{
	int rc = rs_fail(EXIT_PROTOCOL, "protocol violation by the %s in the %s phase: %s%sat stream offset %llu: %s",
			 flow_side_name(o->side), flow_phase_name(o->phase),
			 o->field != NULL ? o->field : "", o->field != NULL ? " " : "",
			 (unsigned long long)o->off, o->why);

	rs_say_hint(s);
	return rc;
}

/* A close before any answer: what it cut short, if anything. */
static int
closed(struct rsess *s, const struct flow_outcome *o, const char *label, const char *awaited)
{
	const char *how = o->close == FLOW_RESET ? "reset" : "closed";
	int rc;

	rs_close(s, true);
	if (o->why[0] != '\0')
		rc = rs_fail(EXIT_PROTOCOL, "the server %s the connection in the %s phase: %s%s%s%s",
			     how, label, o->why, o->field != NULL ? " (in " : "",
			     o->field != NULL ? o->field : "", o->field != NULL ? ")" : "");
	else
		rc = rs_fail(EXIT_PROTOCOL, "the server %s the connection in the %s phase before sending the %s",
			     how, label, awaited != NULL ? awaited : "answer");
	rs_say_hint(s);
	return rc;
}

int
rs_verdict(struct rsess *s, const char *label, const char *awaited)
{
	/* A copy: closing the connection wipes the flow. */
	struct flow_outcome oc = *flow_outcome(&s->fl);
	const struct flow_outcome *o = &oc;
	char list[400];

	if (s->outcomes == s->outcomes_said)
		return EXIT_OK;
	s->outcomes_said = s->outcomes;
	switch (o->result) {
	case FLOW_RES_REFUSED:
		rs_close(s, true);
		return rs_fail(EXIT_REFUSED, "the server refused the request: %s 0x%02x %s",
			       rs_socks5(s) ? "REP" : "CD", o->code, o->meaning);
	case FLOW_RES_NO_METHOD:
		rs_offered_text(s, list, sizeof(list));
		rs_close(s, true);
		return rs_fail(EXIT_AUTH, "no acceptable method: the server accepts none of those offered (%s)",
			       list);
	case FLOW_RES_AUTH_FAILED:
		rs_close(s, true);
		if (o->phase == FLOW_PH_AUTH)
			return rs_fail(EXIT_AUTH, "authentication failed: the server answered STATUS 0x%02x %s",
				       o->code, o->meaning);
		return rs_fail(EXIT_AUTH, "authentication failed: the %s aborted the GSSAPI negotiation",
			       flow_side_name(o->side));
	case FLOW_RES_VIOLATION:
		if (o->side == FLOW_CLIENT) {
			/* What the user composed or typed, sent on purpose. */
			rs_warn("what was sent breaks the protocol (%s%sat stream offset %llu: %s): the session cannot be followed past it",
				o->field != NULL ? o->field : "", o->field != NULL ? " " : "",
				(unsigned long long)o->off, o->why);
			return EXIT_OK;
		}
		return violation(s, o);
	case FLOW_RES_CLOSED:
		return closed(s, o, label, awaited);
	case FLOW_RES_OPAQUE:
		/* o->why: what ended the following (a GSSAPI frame too long to hold) */
		fprintf(s->out, "the server chose method 0x%02x %s, whose sub-negotiation the REPL does not follow (`raw` sends it)%s%s\n",
			o->code, o->meaning, o->why[0] != '\0' ? ": " : "", o->why);
		return EXIT_OK;
	default:
		return EXIT_OK;
	}
}
