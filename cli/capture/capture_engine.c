/*
 * The connections of a capture (capture_engine.h): found by port or by
 * sniffing, reassembled one direction at a time, fed to the flow in
 * capture order, ended by FIN both ways, a reset, or the capture's end.
 *
 * Which end is the client: the one that sent the SYN; with no SYN seen,
 * the one not on a SOCKS port; sniffing with no SYN, the one with the
 * higher port (an ephemeral port).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture_engine_int.h"

/* FNV-1a from a key drawn for each run, then a finalizer that spreads
 * every bit into the bucket bits: a capture made so that its connections
 * all fall in one bucket (which takes a minute with a fixed hash) would
 * make each packet walk them all. */
static uint32_t
end_hash(uint32_t key, const struct tcp_end *e)
{
	uint32_t h = 2166136261u ^ key;

	for (size_t i = 0; i < e->alen; i++)
		h = (h ^ e->addr[i]) * 16777619u;
	h = (h ^ e->port) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The same for both directions of a connection; a sum, not an XOR, which
 * would put every connection from an end to itself in bucket 0. */
static uint32_t
conn_hash(const struct cap_engine *e, const struct tcp_end *a, const struct tcp_end *b)
{
	return (end_hash(e->hash_key, a) + end_hash(e->hash_key, b)) % CAP_HASH_SIZE;
}

uint32_t
cap_end_hash(const struct cap_engine *e, const struct tcp_end *end)
{
	return end_hash(e->hash_key, end);
}

static uint32_t
hash_key(void)
{
	uint32_t key;

	if (getentropy(&key, sizeof(key)) != 0)
		key = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	return key;
}

static struct conn *
lookup(struct cap_engine *e, const struct tcp_frame *f, enum flow_side *side)
{
	for (struct conn *c = e->hash[conn_hash(e, &f->src, &f->dst)]; c != NULL; c = c->hnext) {
		if (tcp_end_equal(&c->end[FLOW_CLIENT], &f->src) &&
		    tcp_end_equal(&c->end[FLOW_SERVER], &f->dst)) {
			*side = FLOW_CLIENT;
			return c;
		}
		if (tcp_end_equal(&c->end[FLOW_SERVER], &f->src) &&
		    tcp_end_equal(&c->end[FLOW_CLIENT], &f->dst)) {
			*side = FLOW_SERVER;
			return c;
		}
	}
	return NULL;
}

static bool
socks_port(const struct cap_engine *e, uint16_t port)
{
	for (size_t i = 0; i < e->cfg.nports; i++)
		if (e->cfg.ports[i] == port)
			return true;
	return false;
}

/* Whether f's source is the client of a new connection; false with *skip
 * when the packet starts nothing worth following. */
static bool
source_is_client(const struct cap_engine *e, const struct tcp_frame *f, bool *skip)
{
	bool syn = f->flags & TCPF_SYN, ack = f->flags & TCPF_ACK;
	bool dst_port = socks_port(e, f->dst.port), src_port = socks_port(e, f->src.port);

	*skip = false;
	if (syn)
		return !ack;
	if (f->payload_len == 0 || (f->flags & TCPF_RST)) {
		*skip = true; /* a lone ACK, FIN or reset starts nothing */
		return false;
	}
	if (dst_port != src_port)
		return dst_port;
	return f->src.port > f->dst.port;
}

#define CAP_SEC_MAX 100000000000LL

int64_t
cap_time(long long sec, long long usec)
{
	if (sec < 0)
		return 0;
	if (sec > CAP_SEC_MAX)
		sec = CAP_SEC_MAX;
	if (usec < 0 || usec > 999999)
		usec = 999999;
	return (int64_t)sec * 1000000 + usec;
}

struct cap_engine *
cap_new(const struct cap_config *cfg)
{
	struct cap_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->cfg = *cfg;
	e->hash_key = hash_key();
	if (e->cfg.reasm_limit == 0)
		e->cfg.reasm_limit = REASM_LIMIT_DEFAULT;
	if (e->cfg.open_max == 0)
		e->cfg.open_max = CAP_OPEN_MAX;
	e->keep.limit = e->cfg.keep_budget != 0 ? e->cfg.keep_budget : CAP_KEEP_BUDGET;
	snprintf(e->too_many, sizeof(e->too_many), "more than %zu connections open at once "
		 "(the least recent ends)", e->cfg.open_max);
	e->keep_text = cfg->keep_text;
	return e;
}

void
cap_stop_text(struct cap_engine *e)
{
	e->keep_text = false;
}

static struct conn *
conn_new(struct cap_engine *e, int64_t t, const struct tcp_frame *f, bool src_client)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->e = e;
	c->end[FLOW_CLIENT] = src_client ? f->src : f->dst;
	c->end[FLOW_SERVER] = src_client ? f->dst : f->src;
	c->on_port = socks_port(e, c->end[FLOW_SERVER].port);
	c->partial = !(f->flags & TCPF_SYN);
	c->first = c->now = t;
	c->seen = e->clock;
	for (int s = 0; s < 2; s++) {
		reasm_init(&c->rs[s], e->cfg.reasm_limit);
		c->sides[s] = (struct conn_side){ c, (enum flow_side)s };
	}
	flow_init(&c->fl, &(struct flow_config){ .version = 0, .on_event = conn_flow_event,
						  .ctx = c });
	c->state = CONN_PENDING;
	uint32_t h = conn_hash(e, &f->src, &f->dst);
	c->hnext = e->hash[h];
	e->hash[h] = c;
	c->prev = e->newest;
	if (e->newest != NULL)
		e->newest->next = c;
	else
		e->oldest = c;
	e->newest = c;
	e->nopen++;
	if (c->on_port && !c->partial)
		conn_begin(c);
	return c;
}

static void
conn_unlink(struct cap_engine *e, struct conn *c)
{
	struct conn **pp = &e->hash[conn_hash(e, &c->end[0], &c->end[1])];

	while (*pp != c)
		pp = &(*pp)->hnext;
	*pp = c->hnext;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		e->oldest = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		e->newest = c->prev;
	e->nopen--;
}

/* A connection closed by FIN both ways or a reset, remembered for
 * CAP_TOMB_US of capture time, as TCP's TIME-WAIT remembers it: copies of
 * its last segments that come late (a lost ACK, a reset after the close)
 * are no new connection joined in its middle. */
struct tomb {
	struct tomb *hnext; /* hash chain */
	struct tomb *next;  /* in order of closing, oldest first */
	struct tcp_end a, b;
	int64_t closed;     /* the engine's clock then */
};

static void
forget_oldest_tomb(struct cap_engine *e)
{
	struct tomb *t = e->tomb_oldest;
	struct tomb **pp = &e->tombs[conn_hash(e, &t->a, &t->b)];

	while (*pp != t)
		pp = &(*pp)->hnext;
	*pp = t->hnext;
	e->tomb_oldest = t->next;
	if (e->tomb_oldest == NULL)
		e->tomb_newest = NULL;
	e->ntombs--;
	free(t);
}

static void
bury(struct cap_engine *e, const struct conn *c)
{
	if (e->ntombs == CAP_TOMBS_MAX)
		forget_oldest_tomb(e);

	struct tomb *t = malloc(sizeof(*t));
	uint32_t h = conn_hash(e, &c->end[0], &c->end[1]);

	if (t == NULL)
		return; /* a late copy then starts a connection: said as partial */
	t->a = c->end[0];
	t->b = c->end[1];
	t->closed = e->clock;
	t->hnext = e->tombs[h];
	e->tombs[h] = t;
	t->next = NULL;
	if (e->tomb_newest != NULL)
		e->tomb_newest->next = t;
	else
		e->tomb_oldest = t;
	e->tomb_newest = t;
	e->ntombs++;
}

static bool
closed_lately(const struct cap_engine *e, const struct tcp_frame *f)
{
	for (const struct tomb *t = e->tombs[conn_hash(e, &f->src, &f->dst)]; t != NULL; t = t->hnext)
		if ((tcp_end_equal(&t->a, &f->src) && tcp_end_equal(&t->b, &f->dst)) ||
		    (tcp_end_equal(&t->b, &f->src) && tcp_end_equal(&t->a, &f->dst)))
			return true;
	return false;
}

static void on_data(void *ctx, const uint8_t *p, size_t n, uint64_t off);
static void on_gap(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why);
static void on_fin(void *ctx, uint64_t off);
static void on_differ(void *ctx, uint64_t off, uint64_t len);

static const struct reasm_sink *
sink(struct conn *c, enum flow_side side, struct reasm_sink *s)
{
	*s = (struct reasm_sink){ on_data, on_gap, on_fin, &c->sides[side], on_differ };
	return s;
}

static void
on_data(void *ctx, const uint8_t *p, size_t n, uint64_t off)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;

	(void)off;
	if (c->state == CONN_IGNORED)
		return;
	if (c->partial && c->state == CONN_PENDING && !conn_sync(c, cs->side, p, n)) {
		if (c->state != CONN_IGNORED)
			c->undecoded[cs->side] += n;
		return;
	}
	if (c->stopped || c->unsynced) {
		c->undecoded[cs->side] += n;
		return;
	}
	c->fed[cs->side] += n;
	flow_feed(&c->fl, cs->side, p, n);
}

/* A gap in the tunnel loses bytes nobody decodes: the flow goes on.  Before
 * the tunnel, the flow cannot know where the next message starts. */
static void
on_gap(void *ctx, uint64_t off, uint64_t len, enum reasm_gap_why why)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;
	enum flow_phase ph = flow_phase(&c->fl);
	bool past = ph == FLOW_PH_TUNNEL || ph == FLOW_PH_UDP || ph == FLOW_PH_END ||
		    ph == FLOW_PH_GSSAPI_DATA;

	if (c->state == CONN_PENDING && !c->on_port) {
		c->state = CONN_IGNORED; /* sniffing: nothing to go on */
		return;
	}
	if (c->state == CONN_PENDING)
		conn_begin(c);
	if (c->state != CONN_SOCKS)
		return;
	enum sv_gap_effect effect = c->stopped || c->unsynced ? SV_GAP_UNDECODED :
				    past ? SV_GAP_TUNNEL : SV_GAP_STOPS;
	sv_gap(&c->sv, c->now, cs->side, off, len, reasm_gap_why_text(why), effect);
	if (effect == SV_GAP_STOPS)
		c->stopped = true;
}

static void
on_fin(void *ctx, uint64_t off)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;

	(void)off;
	c->fin_done[cs->side] = true;
	if (c->state != CONN_IGNORED && !c->stopped && !c->unsynced)
		flow_close(&c->fl, cs->side, FLOW_FIN);
}

/* A copy sent again differs from the first: said in the session (one
 * still to be found by sniffing, or joined in its middle and not yet
 * synced, is no session yet: not said). */
static void
on_differ(void *ctx, uint64_t off, uint64_t len)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;

	if (c->state == CONN_SOCKS)
		sv_resend_differs(&c->sv, c->now, cs->side, off, len);
}

static void
conn_free(struct conn *c)
{
	reasm_free(&c->rs[0]);
	reasm_free(&c->rs[1]);
	if (c->text != NULL)
		fclose(c->text);
	free(c->textp);
	sv_free(&c->sv);
	free(c);
}

/* The connection is over: what is held is handed on, the session ends. */
static void
conn_end(struct cap_engine *e, struct conn *c, int64_t t, const char *how)
{
	struct reasm_sink s;

	c->now = t;
	for (int side = 0; side < 2; side++)
		reasm_flush(&c->rs[side], sink(c, (enum flow_side)side, &s));
	udp_conn_gone(e, c);
	conn_unlink(e, c);
	if (c->state == CONN_PENDING && c->on_port) {
		/* joined in its middle, and the client said nothing since */
		conn_begin(c);
		c->unsynced = true;
		memcpy(c->undecoded, c->fed, sizeof(c->undecoded));
		sv_note_kept(&c->sv, t, "joined in its middle: no message from the client to "
			     "start from", true);
	}
	if (c->state == CONN_SOCKS) {
		conn_last_notes(c, t);
		sv_end(&c->sv, t, how);
		struct cap_done d = { .sv = &c->sv };
		if (c->text != NULL && fflush(c->text) == 0 && !ferror(c->text) && c->textp != NULL) {
			d.text = c->textp;
			d.len = c->textlen;
		}
		e->cfg.on_done(e->cfg.ctx, &d);
	}
	conn_free(c);
}

static void
handle_reset(struct cap_engine *e, struct conn *c, enum flow_side side, int64_t t)
{
	struct reasm_sink s;

	for (int d = 0; d < 2; d++)
		reasm_flush(&c->rs[d], sink(c, (enum flow_side)d, &s));
	if (c->state == CONN_PENDING && c->on_port)
		conn_begin(c);
	if (c->state != CONN_IGNORED && !c->stopped && !c->unsynced)
		flow_close(&c->fl, side, FLOW_RESET);
	bury(e, c);
	conn_end(e, c, t, side == FLOW_CLIENT ? "a reset from the client"
					      : "a reset from the server");
}

void
conn_touch(struct cap_engine *e, struct conn *c, int64_t t)
{
	c->now = t;
	c->seen = e->clock;
	if (e->newest == c)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		e->oldest = c->next;
	c->next->prev = c->prev;
	c->prev = e->newest;
	c->next = NULL;
	e->newest->next = c;
	e->newest = c;
}

/* Connections with no packet for CAP_IDLE_US end, as Zeek's inactivity
 * timeout ends them: what is held is bounded by the connections alive in
 * that window, not by the capture.  The list is in order of last packet.
 * Idleness is measured on a clock that never goes back: a packet timed
 * before the others (a clock stepped back, merged captures, a pcapng block
 * with no time) would otherwise make every connection look idle. */
static void
expire_idle(struct cap_engine *e, int64_t t)
{
	if (t > e->clock)
		e->clock = t;
	while (e->oldest != NULL && e->clock - e->oldest->seen > CAP_IDLE_US)
		conn_end(e, e->oldest, e->oldest->now, "no packet for 15 minutes");
	while (e->tomb_oldest != NULL && e->clock - e->tomb_oldest->closed > CAP_TOMB_US)
		forget_oldest_tomb(e);
}

/* What one direction may hold behind a hole: its share of a budget for all
 * the connections open, at most the configured limit, at least enough for
 * any handshake message.  Many open connections with holes then give the
 * holes up sooner (each said as a gap) instead of holding without bound. */
static size_t
hold_limit(const struct cap_engine *e)
{
	size_t share = CAP_HOLD_BUDGET / (2 * (e->nopen > 0 ? e->nopen : 1));

	if (share < CAP_HOLD_MIN)
		share = CAP_HOLD_MIN;
	return share < e->cfg.reasm_limit ? share : e->cfg.reasm_limit;
}

/* The server's SYN-ACK is not in the capture (one direction captured, or
 * a packet lost), and the client acknowledges at its own first byte: on a
 * SOCKS port the client speaks first, so that acknowledges the server's SYN
 * and nothing more.  The server's stream starts there, and what the client
 * acknowledges later but the capture lacks is a gap, not silence. */
static bool
server_start_unseen(const struct conn *c, const struct tcp_frame *f, enum flow_side side,
		    uint32_t seq)
{
	const struct reasm *client = &c->rs[FLOW_CLIENT];

	return side == FLOW_CLIENT && c->on_port && (f->flags & (TCPF_ACK | TCPF_SYN)) == TCPF_ACK &&
	       !c->rs[FLOW_SERVER].started && client->started && !client->partial &&
	       seq == client->base;
}

static bool
tcp_packet(struct cap_engine *e, int64_t t, const struct tcp_frame *f, const uint8_t *payload)
{
	enum flow_side side = FLOW_CLIENT;
	struct conn *c = lookup(e, f, &side);
	struct reasm_sink s;
	bool skip, ok = true;

	if (c != NULL && conn_new_syn(c, f, side)) {
		conn_end(e, c, t, "a new connection on the same ports");
		c = NULL;
	}
	if (c == NULL && !(f->flags & TCPF_SYN) && closed_lately(e, f))
		return true;
	if (c == NULL) {
		bool src_client = source_is_client(e, f, &skip);
		const struct tcp_end *server = src_client ? &f->dst : &f->src;
		if (skip || (!e->cfg.sniff && !socks_port(e, server->port)))
			return true;
		if (e->nopen >= e->cfg.open_max)
			conn_end(e, e->oldest, e->oldest->now, e->too_many);
		if ((c = conn_new(e, t, f, src_client)) == NULL)
			return false;
		side = src_client ? FLOW_CLIENT : FLOW_SERVER;
	}
	conn_touch(e, c, t);
	if (f->flags & TCPF_RST) {
		conn_reset_data(c, side, f->payload_len, t);
		handle_reset(e, c, side, t);
		return true;
	}
	uint32_t seq = f->seq;
	if (f->flags & TCPF_SYN) {
		reasm_syn(&c->rs[side], seq);
		if ((f->flags & TCPF_ACK) && !c->rs[!side].started)
			reasm_syn(&c->rs[!side], f->ack - 1);
		seq++;
	}
	if (server_start_unseen(c, f, side, seq))
		reasm_syn(&c->rs[FLOW_SERVER], f->ack - 1);
	if ((f->flags & TCPF_ACK) && !(f->flags & TCPF_SYN))
		reasm_ack(&c->rs[!side], f->ack, sink(c, (enum flow_side)!side, &s));
	c->rs[side].limit = hold_limit(e);
	if (f->payload_len > 0 || (f->flags & TCPF_FIN))
		ok = reasm_segment(&c->rs[side], seq, payload, f->payload_cap, f->payload_len,
				   f->flags & TCPF_FIN, sink(c, side, &s));
	if (c->fin_done[0] && c->fin_done[1]) {
		bury(e, c);
		conn_end(e, c, t, "FIN both ways");
	}
	return ok;
}

bool
cap_packet(struct cap_engine *e, int64_t t, const struct tcp_frame *f, const uint8_t *payload)
{
	expire_idle(e, t);
	if (f->ipproto == IPPROTO_NUMBER_UDP) {
		udp_packet(e, t, f, payload);
		return true;
	}
	return tcp_packet(e, t, f, payload);
}

void
cap_finish(struct cap_engine *e, int64_t t)
{
	while (e->oldest != NULL)
		conn_end(e, e->oldest, t, e->cfg.end_words != NULL ? e->cfg.end_words
								   : "the capture's end");
}

unsigned
cap_sessions(const struct cap_engine *e)
{
	return e->nsessions;
}

size_t
cap_open(const struct cap_engine *e)
{
	return e->nopen;
}

void
cap_free(struct cap_engine *e)
{
	if (e == NULL)
		return;
	while (e->oldest != NULL) {
		struct conn *c = e->oldest;
		conn_unlink(e, c);
		conn_free(c);
	}
	while (e->tomb_oldest != NULL)
		forget_oldest_tomb(e);
	udp_free(e);
	free(e);
}
