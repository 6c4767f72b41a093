/*
 * One hop driven by the flow (see hopflow.h): feeding it, reading exactly
 * what it says the server owes, and showing what it reports (messages,
 * anomalies, hints).  What the outcome means in words is hopverdict.c's.
 */
#include "hopflow.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hopflow_int.h"
#include "net.h"
#include "session_io.h"

/* How long to wait for more bytes after a violation, for the hints. */
#define HINT_GRACE_MS 200

static void feed_server(struct session *s, int i, const uint8_t *p, size_t n);

bool
hop_granted(const struct session *s, int i)
{
	return flow_outcome(&s->flows[i].flow)->result == FLOW_RES_GRANTED;
}

/* Which of BIND's replies a reply of hop h is, as the flow's phase says
 * (or, once it ended, the phase it ended in: a second reply cut short). */
enum view_role
hop_role(const struct hop_flow *h, enum msg_type type)
{
	const struct flow_outcome *o = flow_outcome(&h->flow);

	if ((type != MSG_S4_REPLY && type != MSG_S5_REPLY) || h->s->command != COMMAND_BIND ||
	    h->hop != h->s->nhops)
		return VIEW_ROLE_NONE;
	if (flow_phase(&h->flow) == FLOW_PH_BIND ||
	    (o->result != FLOW_RES_NONE && o->phase == FLOW_PH_BIND))
		return VIEW_ROLE_BIND_SECOND;
	return VIEW_ROLE_BIND_FIRST;
}

const struct proto_ctx *
hop_ctx(const struct hop_flow *h, enum msg_type type, struct proto_ctx *ctx)
{
	if (type != MSG_S5_METHOD || h->noffered == 0)
		return NULL;
	ctx->offered = h->offered;
	ctx->noffered = h->noffered;
	return ctx;
}

static void
on_message(struct hop_flow *h, const struct flow_event *ev)
{
	const struct msg *m = ev->msg;
	enum msg_type type = m->desc->type;
	struct proto_ctx ctx;

	trace_message(h->s->trace, h->hop, type, m->buf, m->len, hop_ctx(h, type, &ctx),
		      hop_role(h, type));
	if (ev->side != FLOW_SERVER)
		return;
	h->server_messages++;
	h->last_off = ev->off;
	h->held_off = ev->off + m->len;
	if (m->len <= sizeof(h->last)) {
		memcpy(h->last, m->buf, m->len);
		h->nlast = m->len;
		h->server_type = type;
	}
	/* Its bytes were the first of those held: the rest are the next's. */
	if (h->nheld >= m->len) {
		memmove(h->held, h->held + m->len, h->nheld - m->len);
		h->nheld -= m->len;
	} else {
		h->nheld = 0;
	}
}

/*
 * Legal-but-wrong replies are what a diagnostic tool is for: the server's
 * are said on stderr whatever the verbosity, as warnings.
 */
static void
on_anomaly(struct hop_flow *h, const struct flow_event *ev)
{
	struct session *s = h->s;
	char where[HOST_MAX + 160], value[16] = "";
	/* The server's anomalies are in the message being read or just read;
	 * the client's are in what sockscope sent (a trace note only). */
	const char *title = ev->side == FLOW_SERVER ? proto_msg_desc(h->server_type)->title
						    : "the message sent";

	if (ev->field != NULL)
		hop_field_value(h, ev->field, value, sizeof(value));
	snprintf(where, sizeof(where), "%s at offset %llu%s%s%s", title,
		 (unsigned long long)(ev->side == FLOW_SERVER ? hop_msg_offset(h, ev->off) : ev->off),
		 ev->field != NULL ? ", " : "",
		 ev->field != NULL ? ev->field : "", value);
	if (ev->side == FLOW_SERVER && s->nhops > 1)
		session_say(s, "warning: hop %d: %s: %s", h->hop, where, ev->text);
	else if (ev->side == FLOW_SERVER)
		session_say(s, "warning: %s: %s", where, ev->text);
	trace_note(s->trace, h->hop, "%s: %s", where, ev->text);
}

static void
on_hint(struct hop_flow *h, const struct hint *hint)
{
	struct session *s = h->s;
	struct session_hint *sh;

	for (int k = 0; k < s->nhints; k++)
		if (s->hints[k].hop == h->hop && strcmp(s->hints[k].text, hint->text) == 0)
			return;
	if (s->nhints == SESSION_HINTS)
		return;
	sh = &s->hints[s->nhints++];
	memset(sh, 0, sizeof(*sh));
	sh->hop = h->hop;
	sh->from_server = hint->from_server;
	snprintf(sh->text, sizeof(sh->text), "%s", hint->text);
	/* An echo's evidence is what sockscope sent: a password among it stays out. */
	if (hint->id == HINT_ECHO && s->hops[h->hop - 1].cred.has_pass)
		return;
	sh->evidence_len = hint->evidence_len < sizeof(sh->evidence) ? hint->evidence_len
								      : sizeof(sh->evidence);
	if (sh->evidence_len > 0) /* a close's hint has no evidence (NULL) */
		memcpy(sh->evidence, hint->evidence, sh->evidence_len);
}

/* The server's tunnel bytes: the next hop's server side, or the target's. */
static void
on_tunnel(struct hop_flow *h, const struct flow_event *ev)
{
	struct session *s = h->s;
	struct conn *c = &s->conn;
	size_t room = sizeof(c->in) - c->have;

	if (ev->side != FLOW_SERVER)
		return;
	if (h->hop < s->nhops && s->flows[h->hop].started) {
		feed_server(s, h->hop, ev->data, ev->len);
		return;
	}
	/* Reads never go past what is owed, so this holds at most a few bytes. */
	memcpy(c->in + c->have, ev->data, ev->len < room ? ev->len : room);
	c->have += ev->len < room ? ev->len : room;
}

static void
on_event(void *ctx, const struct flow_event *ev)
{
	struct hop_flow *h = ctx;

	switch (ev->kind) {
	case FLOW_EV_MESSAGE:
		on_message(h, ev);
		break;
	case FLOW_EV_ANOMALY:
		on_anomaly(h, ev);
		break;
	case FLOW_EV_HINT:
		on_hint(h, ev->hint);
		break;
	case FLOW_EV_TUNNEL:
		on_tunnel(h, ev);
		break;
	default:
		break;
	}
}

void
hop_start(struct session *s, int i, int version, const uint8_t *offered, size_t noffered)
{
	struct hop_flow *h = &s->flows[i];

	memset(h, 0, sizeof(*h));
	h->s = s;
	h->hop = i + 1;
	h->started = true;
	h->server_type = version == 4 ? MSG_S4_REPLY : MSG_S5_METHOD;
	h->noffered = noffered < sizeof(h->offered) ? noffered : sizeof(h->offered);
	if (offered != NULL) /* SOCKS4 offers no methods */
		memcpy(h->offered, offered, h->noffered);
	flow_init(&h->flow, &(struct flow_config){ .version = version, .on_event = on_event,
						   .ctx = h });
}

void
hop_wipe_all(struct session *s)
{
	explicit_bzero(s->flows, sizeof(s->flows));
}

int
hop_send(struct session *s, int i, const uint8_t *p, size_t len, int64_t deadline)
{
	struct hop_flow *h = &s->flows[i];
	const char *phase = hop_phase_word(h);
	struct msg m;
	int rc;

	/* Its title for a failure, before the flow moves on. */
	proto_decode(flow_expect(&h->flow, FLOW_CLIENT).type, p, len, NULL, &m);
	flow_feed(&h->flow, FLOW_CLIENT, p, len);
	rc = net_write_all(s->conn.fd, p, len, deadline);
	if (rc == -2 || rc == -3)
		return session_fail(s, EXIT_TIMEOUT, h->hop, "%s in the %s phase sending the %s",
				    rc == -3 ? "interrupted" : "timed out", phase, m.desc->title);
	if (rc < 0)
		return session_fail(s, EXIT_PROTOCOL, h->hop, "cannot send the %s in the %s phase: %s",
				    m.desc->title, phase, strerror(errno));
	return EXIT_OK;
}

/* Bytes from hop i's server: held while a message is owed, then fed. */
static void
feed_server(struct session *s, int i, const uint8_t *p, size_t n)
{
	struct hop_flow *h = &s->flows[i];
	enum flow_expect_kind k = flow_expect(&h->flow, FLOW_SERVER).kind;

	h->fed += n;
	if ((k == FLOW_X_MESSAGE || k == FLOW_X_NOTHING) && n <= sizeof(h->held) - h->nheld) {
		memcpy(h->held + h->nheld, p, n);
		h->nheld += n;
	}
	flow_feed(&h->flow, FLOW_SERVER, p, n);
}

void
hop_feed(struct session *s, const uint8_t *p, size_t n)
{
	feed_server(s, 0, p, n);
}

/* The server closed (or reset) the connection: every flow on it sees it. */
static void
close_all(struct session *s, int i, enum flow_close_kind kind)
{
	for (int j = i; j >= 0; j--)
		flow_close(&s->flows[j].flow, FLOW_SERVER, kind);
}

/* How many bytes the message hop i's server owes still needs: at least 1. */
static size_t
still_owed(struct hop_flow *h)
{
	struct flow_expect x = flow_expect(&h->flow, FLOW_SERVER);
	struct proto_ctx ctx;
	struct msg m;

	proto_decode(x.type, h->held, h->nheld, hop_ctx(h, x.type, &ctx), &m);
	if (m.status == PROTO_NEED_MORE && m.need > h->nheld)
		return m.need - h->nheld;
	return 1;
}

static bool
has_hint(const struct session *s, int hop)
{
	for (int k = 0; k < s->nhints; k++)
		if (s->hints[k].hop == hop)
			return true;
	return false;
}

/*
 * After a violation the session is over, and what the server sends next is
 * no tunnel data: the flow's hints may need more of it (a whole first line,
 * all of an echo), so a little more is read, briefly, for them.
 */
static void
read_for_hints(struct session *s, int i, int64_t deadline)
{
	struct hop_flow *h = &s->flows[i];
	int64_t until = now_ms() + HINT_GRACE_MS;

	while (h->fed < HINT_PREFIX && flow_outcome(&h->flow)->result == FLOW_RES_VIOLATION &&
	       !has_hint(s, h->hop)) {
		uint8_t buf[HINT_PREFIX];
		ssize_t n;

		if (net_wait(s->conn.fd, POLLIN, until < deadline ? until : deadline) != 1)
			return;
		n = recv(s->conn.fd, buf, HINT_PREFIX - (size_t)h->fed, 0);
		if (n > 0) {
			feed_server(s, 0, buf, (size_t)n);
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close_all(s, i, n == 0 ? FLOW_FIN : FLOW_RESET);
			return;
		}
	}
}

int
hop_read(struct session *s, int i, int64_t deadline)
{
	struct hop_flow *h = &s->flows[i];
	unsigned before = h->server_messages;

	h->server_type = flow_expect(&h->flow, FLOW_SERVER).type;
	while (flow_expect(&h->flow, FLOW_SERVER).kind == FLOW_X_MESSAGE &&
	       flow_outcome(&h->flow)->result == FLOW_RES_NONE && h->server_messages == before) {
		uint8_t buf[FLOW_MSG_MAX];
		size_t want = still_owed(h);
		int w = net_wait(s->conn.fd, POLLIN, deadline);
		ssize_t n;

		if (w == 0 || w == -2) /* -2: ^C in the REPL (net_stop) */
			return hop_timed_out(h, w == -2);
		n = w < 0 ? -1 : recv(s->conn.fd, buf, want < sizeof(buf) ? want : sizeof(buf), 0);
		if (n > 0)
			feed_server(s, 0, buf, (size_t)n);
		else if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		else if (n == 0)
			close_all(s, i, FLOW_FIN);
		else {
			h->read_errno = errno;
			close_all(s, i, FLOW_RESET);
		}
	}
	if (flow_outcome(&h->flow)->result == FLOW_RES_VIOLATION)
		read_for_hints(s, i, deadline);
	return EXIT_OK;
}
