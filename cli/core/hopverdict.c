/*
 * A hop's outcome in words, for the one-line error: the verdict, phase,
 * field, offset, code and meaning are the flow's (flow_outcome()); the
 * bytes held of a message cut short say how far it got; the flow's hints
 * say what answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hopflow.h"
#include "hopflow_int.h"
#include "session_io.h"
#include "term.h"

static const char *
phase_word(int version, enum flow_phase phase)
{
	switch (phase) {
	case FLOW_PH_GREETING:
		return version == 4 ? "request" : "greeting";
	case FLOW_PH_METHOD:
		return "greeting";
	case FLOW_PH_AUTH:
	case FLOW_PH_GSSAPI:
	case FLOW_PH_GSSAPI_DATA:
		return "auth";
	case FLOW_PH_BIND:
		return "bind-wait";
	case FLOW_PH_UDP:
		return "udp";
	default:
		return "request";
	}
}

const char *
hop_phase_word(const struct hop_flow *h)
{
	enum flow_phase p = flow_phase(&h->flow);

	if (p == FLOW_PH_TUNNEL || p == FLOW_PH_UDP || p == FLOW_PH_END)
		return NULL;
	return phase_word(h->flow.version, p);
}

uint64_t
hop_msg_offset(const struct hop_flow *h, uint64_t stream_off)
{
	if (stream_off >= h->held_off)
		return stream_off - h->held_off;
	return stream_off >= h->last_off ? stream_off - h->last_off : stream_off;
}

/* The server message being read (its bytes so far), else the last one. */
static void
server_message(const struct hop_flow *h, struct msg *m)
{
	struct proto_ctx ctx;
	enum msg_type type = h->server_type;

	if (h->nheld > 0)
		proto_decode(type, h->held, h->nheld, hop_ctx(h, type, &ctx), m);
	else
		proto_decode(type, h->last, h->nlast, hop_ctx(h, type, &ctx), m);
}

/* The server's field name when it is a whole code of one or two bytes. */
static bool
field_code(const struct hop_flow *h, const char *name, uint32_t *num, size_t *len)
{
	struct msg m;
	const struct field *f;

	server_message(h, &m);
	f = msg_field(&m, name);
	if (f == NULL || f->len < 1 || f->len > 2 || (f->flags & FF_TRUNCATED) != 0)
		return false;
	*num = f->num;
	*len = f->len;
	return true;
}

void
hop_field_value(const struct hop_flow *h, const char *name, char *buf, size_t cap)
{
	uint32_t num;
	size_t len;

	buf[0] = '\0';
	if (field_code(h, name, &num, &len))
		snprintf(buf, cap, " 0x%0*x", (int)len * 2, num);
}

/*
 * "7 of 10 bytes (in BND.ADDR)": how far an incomplete message got, and the
 * codes that did arrive whole ("; it said REP 0x07 command not supported"):
 * a reply cut after its code still says what the server meant.
 */
static void
progress(const struct msg *m, size_t have, char *buf, size_t cap)
{
	const char *field = msg_stop_field(m);
	bool open_ended;
	size_t total = msg_known_total(m, &open_ended);
	int n = snprintf(buf, cap, "%zu of %s%zu bytes (in %s", have, open_ended ? "at least " : "",
			 total, field != NULL ? field : "?");
	const char *sep = "; it said ";

	for (size_t i = 0; i < m->nfields && n > 0 && (size_t)n < cap; i++) {
		const struct field *f = &m->fields[i];

		if (f->desc->names == NULL || (f->flags & FF_TRUNCATED) != 0 || f->len != 1 ||
		    strcmp(f->desc->name, "VER") == 0 || strcmp(f->desc->name, "VN") == 0)
			continue;
		n += snprintf(buf + n, cap - (size_t)n, "%s%s 0x%02x %s", sep, f->desc->name, f->num,
			      reply_code_name(f->desc->names, f->num));
		sep = ", ";
	}
	if (n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, ")");
}

/* Shows the bytes of a message that never completed, once. */
static void
trace_held(struct hop_flow *h)
{
	struct proto_ctx ctx;

	if (h->nheld == 0)
		return;
	trace_message(h->s->trace, h->hop, h->server_type, h->held, h->nheld,
		      hop_ctx(h, h->server_type, &ctx), hop_role(h, h->server_type));
	h->nheld = 0;
}

int
hop_timed_out(struct hop_flow *h, bool interrupted)
{
	struct session *s = h->s;
	enum msg_type type = flow_expect(&h->flow, FLOW_SERVER).type;
	const char *title = proto_msg_desc(type)->title, *phase = hop_phase_word(h);
	char when[64], what[400];
	struct msg m;

	if (interrupted)
		snprintf(when, sizeof(when), "interrupted");
	else
		snprintf(when, sizeof(when), "timed out after %g s", s->timeout_ms / 1000.0);
	if (h->nheld == 0)
		return session_fail(s, EXIT_TIMEOUT, h->hop, "%s in the %s phase: no %s arrived", when,
				    phase, title);
	proto_decode(type, h->held, h->nheld, NULL, &m);
	progress(&m, h->nheld, what, sizeof(what));
	trace_held(h);
	return session_fail(s, EXIT_TIMEOUT, h->hop, "%s in the %s phase: %s incomplete, %s", when,
			    phase, title, what);
}

/* "; the server answered in HTTP: ...: 'HTTP/1.1 400 Bad Request'" for each hint. */
static void
add_hints(const struct session *s, int hop, char *buf, size_t cap)
{
	size_t n = strlen(buf);

	for (int k = 0; k < s->nhints && n < cap; k++) {
		const struct session_hint *sh = &s->hints[k];
		char evidence[HINT_PREFIX * 4 + 1];

		if (sh->hop != hop)
			continue;
		n += (size_t)snprintf(buf + n, cap - n, "; %s", sh->text);
		if (sh->evidence_len == 0 || n >= cap)
			continue;
		term_escape(evidence, sizeof(evidence), sh->evidence, sh->evidence_len);
		n += (size_t)snprintf(buf + n, cap - n, ": '%s'", evidence);
	}
}

/* A close before the answer: how far the awaited message got. */
static void
closed_text(const struct hop_flow *h, const struct flow_outcome *o, char *buf, size_t cap)
{
	const char *title = proto_msg_desc(h->server_type)->title;
	const char *phase = phase_word(h->flow.version, o->phase);
	char what[400];
	struct msg m;

	if (o->phase == FLOW_PH_BIND && h->nheld == 0) {
		snprintf(buf, cap, "the server closed the connection between the two BIND replies: no peer connected");
		return;
	}
	proto_decode(h->server_type, h->held, h->nheld, NULL, &m);
	progress(&m, h->nheld, what, sizeof(what));
	/* The flow's offset of the close is where the message stopped: "after
	 * N of M bytes" says it, in the message, as the views count. */
	if (o->close == FLOW_FIN)
		snprintf(buf, cap, "%s phase: %s truncated: server closed after %s%s", phase, title, what,
			 h->nheld == 0 ? ": the server sent nothing" : "");
	else
		snprintf(buf, cap, "%s phase: %s: %s after %s%s", phase, title,
			 h->read_errno == 0 || h->read_errno == ECONNRESET
				 ? "connection reset by the server"
				 : strerror(h->read_errno),
			 what, h->nheld == 0 ? ": the server sent nothing" : "");
}

/* A violation: phase, field and its value, offset, and why. */
/* "; BND.ADDR holds the name "x"": what the reply being read answered. */
static void
answer_held(const struct hop_flow *h, char *buf, size_t cap)
{
	char text[HOST_MAX * 4 + 1];
	const struct field *a, *atyp;
	struct msg m;

	server_message(h, &m);
	a = msg_field(&m, "BND.ADDR");
	atyp = msg_field(&m, "ATYP");
	if (m.desc == NULL || m.desc->type != MSG_S5_REPLY || a == NULL || atyp == NULL ||
	    (a->flags & FF_TRUNCATED) != 0)
		return;
	if (atyp->num == 0x01 || atyp->num == 0x04) {
		if (inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->bytes, text, sizeof(text)) != NULL)
			snprintf(buf, cap, "; BND.ADDR holds the address %s", text);
		return;
	}
	term_escape(text, sizeof(text), a->bytes, a->len);
	snprintf(buf, cap, "; BND.ADDR holds the name \"%s\"", text);
}

static void
violation_text(const struct hop_flow *h, const struct flow_outcome *o, char *buf, size_t cap)
{
	const char *phase = phase_word(h->flow.version, o->phase);
	char value[16] = "";
	uint32_t method;
	size_t len;
	int n;

	if (o->field == NULL) {
		snprintf(buf, cap, "%s phase: at byte %llu of what the %s sent: %s", phase,
			 (unsigned long long)o->off, flow_side_name(o->side), o->why);
		return;
	}
	if (o->side == FLOW_SERVER)
		hop_field_value(h, o->field, value, sizeof(value));
	n = snprintf(buf, cap, "%s phase: %s%s at offset %llu: ", phase, o->field, value,
		     (unsigned long long)(o->side == FLOW_SERVER ? hop_msg_offset(h, o->off) : o->off));
	if (n < 0 || (size_t)n >= cap)
		return;
	/* The flow's violation at METHOD is a method the greeting did not offer:
	 * said with the method's name and what was offered. */
	if (o->side == FLOW_SERVER && strcmp(o->field, "METHOD") == 0 &&
	    field_code(h, "METHOD", &method, &len)) {
		snprintf(buf + n, cap - (size_t)n, "server chose method 0x%02x %s, which was not offered (offered %s)",
			 method, reply_code_name(&names_s5_method, method),
			 h->noffered > 1 ? "00, 02" : "00");
		return;
	}
	n += snprintf(buf + n, cap - (size_t)n, "%s", o->why);
	/* A Tor answer of the wrong kind: what it held is the evidence. */
	if (o->side == FLOW_SERVER && strcmp(o->field, "ATYP") == 0 && n > 0 && (size_t)n < cap)
		answer_held(h, buf + n, cap - (size_t)n);
}

static int
verdict_text(const struct hop_flow *h, const struct flow_outcome *o, char *buf, size_t cap)
{
	const char *code = h->flow.version == 4 ? "CD" : "REP";
	const char *meaning = o->meaning != NULL ? o->meaning : "unassigned";
	char user[CRED_MAX * 4 + 1];

	switch (o->result) {
	case FLOW_RES_REFUSED:
		/* A refusal whose reply never completed (Tor's ATYP 00) held its bytes. */
		snprintf(buf, cap, "%s phase: %s: %s 0x%02x %s (offset %llu%s)",
			 phase_word(h->flow.version, o->phase),
			 o->phase == FLOW_PH_BIND ? "the second BIND reply refused"
						  : "the server refused the request",
			 code, o->code, meaning, (unsigned long long)hop_msg_offset(h, o->off),
			 h->nheld > 0 ? "; the rest of its reply was not read" : "");
		return EXIT_REFUSED;
	case FLOW_RES_NO_METHOD:
		snprintf(buf, cap, "greeting phase: METHOD 0x%02X at offset %llu: no acceptable method: the server accepts none of those offered (%s)",
			 o->code, (unsigned long long)hop_msg_offset(h, o->off),
			 h->noffered > 1 ? "00 NO AUTHENTICATION REQUIRED, 02 USERNAME/PASSWORD"
					 : "00 NO AUTHENTICATION REQUIRED; give -U USER:PASS to offer 02");
		return EXIT_AUTH;
	case FLOW_RES_AUTH_FAILED:
		term_escape(user, sizeof(user), h->s->hops[h->hop - 1].cred.user,
			    strlen(h->s->hops[h->hop - 1].cred.user));
		snprintf(buf, cap, "auth phase: authentication failed: the server answered STATUS 0x%02x %s (offset %llu) for user '%s'",
			 o->code, meaning, (unsigned long long)hop_msg_offset(h, o->off), user);
		return EXIT_AUTH;
	case FLOW_RES_OPAQUE:
		snprintf(buf, cap, "greeting phase: METHOD 0x%02x %s at offset %llu: a method sockscope cannot follow",
			 o->code, meaning, (unsigned long long)hop_msg_offset(h, o->off));
		return EXIT_PROTOCOL;
	case FLOW_RES_VIOLATION:
		violation_text(h, o, buf, cap);
		return EXIT_PROTOCOL;
	case FLOW_RES_CLOSED:
		closed_text(h, o, buf, cap);
		return EXIT_PROTOCOL;
	default:
		return EXIT_OK;
	}
}

int
hop_verdict(struct session *s, int i)
{
	struct hop_flow *h = &s->flows[i];
	const struct flow_outcome *o = flow_outcome(&h->flow);
	char text[sizeof(s->error)];
	int status;

	if (o->result == FLOW_RES_NONE || o->result == FLOW_RES_GRANTED)
		return EXIT_OK;
	status = verdict_text(h, o, text, sizeof(text));
	trace_held(h);
	add_hints(s, h->hop, text, sizeof(text));
	return session_fail(s, status, h->hop, "%s", text);
}

bool
hop_control_bytes(struct session *s, const uint8_t *p, size_t n, char *why, size_t cap)
{
	struct hop_flow *h = &s->flows[s->nhops - 1];
	const struct flow_outcome *o = flow_outcome(&h->flow);
	bool said = o->result == FLOW_RES_VIOLATION;

	if (!h->started || said)
		return false;
	hop_feed(s, p, n);
	if (o->result != FLOW_RES_VIOLATION)
		return false;
	violation_text(h, o, why, cap);
	return true;
}
