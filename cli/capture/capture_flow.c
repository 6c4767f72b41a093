/*
 * A connection's flow events on their way to its conversation view.
 *
 * A connection on a SOCKS port is a session from its first packet.  One
 * found by --sniff becomes one when its client's first message decodes.
 * One joined in its middle (no SYN) is decoded only when the first bytes
 * seen are the client's and form, alone in their segment, a whole greeting
 * or SOCKS4 request, or a whole SOCKS5 request (the flow is then given the
 * greeting and method selection that were not captured, as stand-ins that
 * are never shown) and, found by --sniff, has no anomaly; else it is
 * counted, not decoded, and said so: a mid-stream byte is never taken for a
 * message start.
 */
#include <arpa/inet.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "capture_engine_int.h"

#define ATYP_IPV4 0x01
#define ATYP_IPV6 0x04
#define CMD_UDP_ASSOCIATE 0x03

void
end_text(const struct tcp_end *end, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	if (inet_ntop(end->alen == 16 ? AF_INET6 : AF_INET, end->addr, addr, sizeof(addr)) == NULL)
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, cap, end->alen == 16 ? "[%s]:%u" : "%s:%u", addr, (unsigned)end->port);
}

/* A session's conversation, kept until it ends, in a buffer that starts
 * small and doubles.  Not open_memstream: its buffer starts at BUFSIZ
 * (8 KiB), half a gigabyte for the 65,536 sessions that may be open at
 * once, most of which say a few lines.  Unbuffered (printf formats each
 * call at once into the buffer); its position is its length, which the
 * session charges to the budget of what sessions keep (session_view.h). */
static ssize_t
text_write(void *cookie, const char *buf, size_t n)
{
	struct conn *c = cookie;

	if (c->textcap - c->textlen <= n) {
		size_t cap = c->textcap > 0 ? c->textcap : 256;
		while (cap - c->textlen <= n)
			cap *= 2;
		char *p = realloc(c->textp, cap);
		if (p == NULL)
			return -1;
		c->textp = p;
		c->textcap = cap;
	}
	memcpy(c->textp + c->textlen, buf, n);
	c->textlen += n;
	c->textp[c->textlen] = '\0';
	return (ssize_t)n;
}

/* Only where it is (ftell). */
static int
text_seek(void *cookie, off64_t *off, int whence)
{
	const struct conn *c = cookie;

	if (whence != SEEK_CUR || *off != 0)
		return -1;
	*off = (off64_t)c->textlen;
	return 0;
}

FILE *
text_open(struct conn *c)
{
	FILE *fp = fopencookie(c, "w", (cookie_io_functions_t){ .write = text_write,
								 .seek = text_seek });

	if (fp != NULL && setvbuf(fp, NULL, _IONBF, 0) != 0) {
		fclose(fp);
		return NULL;
	}
	return fp;
}

void
conn_begin(struct conn *c)
{
	struct cap_engine *e = c->e;
	char client[64], server[64];
	FILE *fp = NULL;

	if (c->begun)
		return;
	c->begun = true;
	c->state = CONN_SOCKS;
	if (e->keep_text) {
		c->text = text_open(c);
		fp = c->text;
	}
	end_text(&c->end[FLOW_CLIENT], client, sizeof(client));
	end_text(&c->end[FLOW_SERVER], server, sizeof(server));
	sv_begin(&c->sv, e->cfg.view, fp, ++e->nsessions, client, server, c->first, c->partial);
	if (fp == NULL)
		c->sv.fp = NULL;
	c->sv.budget = &e->keep;
	c->sv.text_kept = fp != NULL;
}

/* Not followed from here: a session on a SOCKS port says why and counts
 * its bytes; a connection found by sniffing is dropped. */
static void
give_up(struct conn *c, const char *why)
{
	if (!c->on_port) {
		c->state = CONN_IGNORED;
		return;
	}
	conn_begin(c);
	c->unsynced = true;
	memcpy(c->undecoded, c->fed, sizeof(c->undecoded));
	sv_note(&c->sv, c->now, why);
}

/* The first message of a connection not yet known to be a session: the
 * client's whole first message makes it one. */
static bool
first_event(struct conn *c, const struct flow_event *ev)
{
	bool whole = ev->kind == FLOW_EV_MESSAGE && ev->side == FLOW_CLIENT &&
		     ev->msg->status == PROTO_OK;

	if (whole) {
		conn_begin(c);
		if (c->at_request)
			sv_note(&c->sv, c->now, "joined in its middle: decoding starts at the "
				"client's request; its greeting and the method selection are not "
				"in the capture");
		return true;
	}
	give_up(c, "joined in its middle: the first bytes seen from the client start no "
		"SOCKS message, so the rest is counted, not decoded");
	return false;
}

/* Whether p[0..n) is exactly one whole message of type; clean: with no
 * anomaly either (a SOCKS5 success reply has the shape of a request with
 * the unassigned command 0x00). */
static bool
exactly(enum msg_type type, const uint8_t *p, size_t n, bool clean)
{
	struct msg m;

	return proto_decode(type, p, n, NULL, &m) == PROTO_OK && m.len == n &&
	       (!clean || m.anomalies == 0);
}

bool
conn_sync(struct conn *c, enum flow_side side, const uint8_t *p, size_t n)
{
	static const uint8_t greeting[] = {0x05, 0x01, 0x00}, method[] = {0x05, 0x00};

	if (c->sync_decided)
		return true;
	c->sync_decided = true;
	if (side == FLOW_SERVER) {
		give_up(c, "joined in its middle: the server's bytes came first, so the rest "
			"is counted, not decoded");
		return false;
	}
	/* Sniffing, the client is only guessed (the higher port): the proxy's
	 * bytes may come first, so only a message without a flaw starts one. */
	bool clean = !c->on_port;
	if (exactly(MSG_S5_GREETING, p, n, clean) || exactly(MSG_S4_REQUEST, p, n, clean))
		return true;
	if (!exactly(MSG_S5_REQUEST, p, n, clean)) {
		give_up(c, "joined in its middle: the first bytes seen from the client start "
			"no SOCKS message, so the rest is counted, not decoded");
		return false;
	}
	c->at_request = c->muted = true;
	flow_feed(&c->fl, FLOW_CLIENT, greeting, sizeof(greeting));
	flow_feed(&c->fl, FLOW_SERVER, method, sizeof(method));
	c->muted = false;
	c->bias[FLOW_CLIENT] = sizeof(greeting);
	c->bias[FLOW_SERVER] = sizeof(method);
	return true;
}

/* A UDP ASSOCIATE request says where the client will send from; its
 * granted reply, where the relay listens. */
static void
watch_udp(struct conn *c, const struct flow_event *ev)
{
	const struct msg *m = ev->msg;

	if (m->status != PROTO_OK)
		return;
	if (m->desc->type == MSG_S5_REQUEST) {
		const struct field *cmd = msg_field(m, "CMD"), *addr = msg_field(m, "DST.ADDR"),
				   *port = msg_field(m, "DST.PORT"), *atyp = msg_field(m, "ATYP");
		c->udp_asked = cmd != NULL && cmd->num == CMD_UDP_ASSOCIATE;
		c->udp_client = c->end[FLOW_CLIENT];
		c->udp_client.port = 0;
		/* where the client will send from: its port, and its address
		 * unless that is all zeros ("the one I connect from", in
		 * either family) or a name (which says nothing of it) */
		if (c->udp_asked && addr != NULL && port != NULL && atyp != NULL) {
			static const uint8_t zero[16];
			if ((atyp->num == ATYP_IPV4 || atyp->num == ATYP_IPV6) &&
			    memcmp(addr->bytes, zero, addr->len) != 0) {
				c->udp_client.alen = addr->len;
				memcpy(c->udp_client.addr, addr->bytes, addr->len);
			}
			c->udp_client.port = (uint16_t)port->num;
		}
	} else if (m->desc->type == MSG_S5_REPLY && c->udp_asked && flow_reply_grants(m)) {
		udp_granted(c, m);
	}
}

/* The flow reports no message for one that broke off (a violation, or a
 * refusal whose ATYP is unknown, as Tor's to RESOLVE): shown as far as it
 * goes, as decode shows it, still held in the flow's buffer. */
static void
show_broken(struct conn *c, const struct flow_outcome *o)
{
	const struct flow_dir *d = &c->fl.dir[o->side];
	struct flow_event ev = { .kind = FLOW_EV_MESSAGE, .side = o->side, .off = d->off };
	struct msg m;

	if ((o->result != FLOW_RES_REFUSED && o->result != FLOW_RES_VIOLATION) ||
	    d->state != FLOW_X_MESSAGE || d->have == 0)
		return;
	if (proto_decode(d->want, d->buf, d->have, NULL, &m) >= 0)
		return; /* whole, or cut short: the flow reported it, or nothing to show */
	ev.msg = &m;
	conn_flow_event(c, &ev);
}

void
conn_flow_event(void *ctx, const struct flow_event *ev)
{
	struct conn *c = ctx;
	struct flow_event shifted;
	struct flow_outcome outcome;

	if (c->state == CONN_IGNORED || c->unsynced || c->muted)
		return;
	if (c->state == CONN_PENDING && !first_event(c, ev))
		return;
	if (ev->kind == FLOW_EV_MESSAGE)
		watch_udp(c, ev);
	if (c->at_request) {
		/* offsets as the capture counts them, without the stand-ins */
		shifted = *ev;
		shifted.off -= shifted.off >= c->bias[ev->side] ? c->bias[ev->side] : shifted.off;
		if (ev->kind == FLOW_EV_OUTCOME) {
			outcome = *ev->outcome;
			outcome.off -= outcome.off >= c->bias[outcome.side] ? c->bias[outcome.side]
									 : outcome.off;
			shifted.outcome = &outcome;
		}
		ev = &shifted;
	}
	sv_event(&c->sv, c->now, ev);
	if (ev->kind == FLOW_EV_OUTCOME)
		show_broken(c, ev->outcome);
}

/* Bytes the flow still holds when the connection ends without a close (a
 * message cut short by the capture's end, a request sent before an answer
 * that never came): said, not left out. */
static void
say_held(struct conn *c, int64_t t)
{
	char why[160], note[240];

	for (int side = 0; side < 2; side++) {
		size_t n = flow_held(&c->fl, (enum flow_side)side, why, sizeof(why));
		if (n == 0)
			continue;
		snprintf(note, sizeof(note), "%zu byte%s from the %s not decoded: %s",
			 n, n == 1 ? "" : "s", flow_side_name((enum flow_side)side), why);
		sv_note_kept(&c->sv, t, note, true);
	}
}

void
conn_last_notes(struct conn *c, int64_t t)
{
	char note[200];

	if (c->undecoded[0] + c->undecoded[1] > 0) {
		snprintf(note, sizeof(note), "%llu bytes from the client and %llu from the server "
			 "not decoded, counted only", (unsigned long long)c->undecoded[0],
			 (unsigned long long)c->undecoded[1]);
		sv_note_kept(&c->sv, t, note, true);
	}
	say_held(c, t);
	/* a resend that differs only there would be silent: say that some
	 * bytes sent again were not checked, so no one takes silence for a
	 * check that passed */
	for (int side = 0; side < 2; side++) {
		if (c->rs[side].past_fin > 0) {
			snprintf(note, sizeof(note), "%llu bytes the %s sent past its FIN are no part "
				 "of the stream (ignored, as a receiver ignores them)",
				 (unsigned long long)c->rs[side].past_fin,
				 flow_side_name((enum flow_side)side));
			sv_note_kept(&c->sv, t, note, true);
		}
		if (c->rs[side].unchecked == 0)
			continue;
		uint64_t n = c->rs[side].unchecked;
		snprintf(note, sizeof(note), "%llu byte%s the %s sent again %s not compared with "
			 "the first copy (it was older than the last %u bytes handed on, or not "
			 "captured)", (unsigned long long)n, n == 1 ? "" : "s",
			 flow_side_name((enum flow_side)side), n == 1 ? "was" : "were", REASM_RECENT);
		sv_note_kept(&c->sv, t, note, true);
	}
}

bool
conn_new_syn(struct conn *c, const struct tcp_frame *f, enum flow_side side)
{
	uint8_t kind = f->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST);

	/* the held SYN answered, or its handshake's last ACK (the server's
	 * side may be missing from the capture) */
	if (c->syn_held && side == FLOW_SERVER && kind == (TCPF_SYN | TCPF_ACK))
		return f->ack == c->syn_held_seq + 1;
	if (c->syn_held && side == FLOW_CLIENT && kind == TCPF_ACK && f->payload_len == 0 &&
	    f->seq == c->syn_held_seq + 1)
		return true;
	if ((f->flags & (TCPF_SYN | TCPF_ACK)) != TCPF_SYN || side != FLOW_CLIENT ||
	    !c->rs[FLOW_CLIENT].started || c->rs[FLOW_CLIENT].base == f->seq + 1)
		return false;
	if (!c->rs[FLOW_SERVER].started || c->rs[0].fin_known || c->rs[1].fin_known)
		return true; /* not established, or closing: the ports reused */
	/* established and open: both ends ignore such a SYN (RFC 5961 4.2),
	 * one injected must not end the session; a new connection once the
	 * server answers it */
	if (c->state == CONN_SOCKS && !c->syn_held)
		sv_note(&c->sv, c->now, "a SYN with another sequence number inside the "
			"connection: ignored, as its ends do, unless the server answers it");
	c->syn_held = true;
	c->syn_held_seq = f->seq;
	return false;
}

void
conn_reset_data(struct conn *c, enum flow_side side, size_t n, int64_t t)
{
	char note[160];

	if (n == 0 || c->state != CONN_SOCKS)
		return;
	snprintf(note, sizeof(note), "the reset from the %s carried %zu byte%s: no part of the "
		 "stream (a receiver drops them)", flow_side_name(side), n, n == 1 ? "" : "s");
	sv_note(&c->sv, t, note);
}
