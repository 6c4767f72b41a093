/* A tshark text dump as packets (capture_text.h). */
#include "capture_text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The initial sequence numbers of a follow dump's connection: any will
 * do, the engine counts from the SYN. */
#define ISN_CLIENT 0x10000000u
#define ISN_SERVER 0x20000000u
#define SEGMENT_MAX 65535u /* a turn longer than an IP packet is split */

/* "127.0.0.1:40522", "[::1]:1080" or "::1:1080" (the port after the last
 * colon) into e. */
static bool
parse_end(const char *text, struct tcp_end *e)
{
	char addr[HEX_NODE_MAX];
	const char *colon = strrchr(text, ':');
	char *stop;

	if (colon == NULL || colon == text || (size_t)(colon - text) >= sizeof(addr))
		return false;
	unsigned long port = strtoul(colon + 1, &stop, 10);
	if (colon[1] < '0' || colon[1] > '9' || *stop != '\0' || port == 0 || port > 65535)
		return false;
	size_t n = (size_t)(colon - text);
	if (text[0] == '[' && text[n - 1] == ']') {
		memcpy(addr, text + 1, n - 2);
		addr[n - 2] = '\0';
	} else {
		memcpy(addr, text, n);
		addr[n] = '\0';
	}
	memset(e, 0, sizeof(*e));
	e->port = (uint16_t)port;
	if (inet_pton(AF_INET, addr, e->addr) == 1)
		e->alen = 4;
	else if (inet_pton(AF_INET6, addr, e->addr) == 1)
		e->alen = 16;
	return e->alen != 0;
}

/* Each connection's ends: from its Node lines, or stand-ins (a client
 * port of its own, so that connections stay apart) when they name no two
 * ends of one family (both the same end: no direction could be told). */
static void
follow_ends(const struct hex_input *in, struct cap_text *t)
{
	for (unsigned b = 0; b < in->nblocks; b++) {
		bool has_bytes = false;
		for (size_t i = 0; !has_bytes && i < in->nsegs; i++)
			has_bytes = in->segs[i].block == b;
		if (!has_bytes)
			continue;
		struct tcp_end *end = t->end[t->conns];
		t->block[t->conns++] = b;
		if (parse_end(in->node[b][0], &end[0]) && parse_end(in->node[b][1], &end[1]) &&
		    end[0].alen == end[1].alen && !tcp_end_equal(&end[0], &end[1]))
			continue;
		parse_end(CAP_TEXT_CLIENT, &end[0]);
		parse_end(CAP_TEXT_SERVER, &end[1]);
		end[0].port = (uint16_t)(end[0].port + t->placeholders++);
	}
	for (size_t i = 0; i < in->nsegs; i++) {
		int node = in->segs[i].indented;
		t->turns[node]++;
		t->bytes[node] += in->segs[i].len;
	}
}

/* Connections the scan remembers (a dump pasted to decode holds a few). */
#define SCAN_CONNS 256

struct scan {
	struct { struct tcp_end a, b; } conn[SCAN_CONNS];
	size_t n;
};

/* Whether the connection of f was seen before (remembered now if not). */
static bool
seen_before(struct scan *sc, const struct tcp_frame *f)
{
	for (size_t i = 0; i < sc->n; i++)
		if ((tcp_end_equal(&sc->conn[i].a, &f->src) && tcp_end_equal(&sc->conn[i].b, &f->dst)) ||
		    (tcp_end_equal(&sc->conn[i].a, &f->dst) && tcp_end_equal(&sc->conn[i].b, &f->src)))
			return true;
	if (sc->n < SCAN_CONNS) {
		sc->conn[sc->n].a = f->src;
		sc->conn[sc->n].b = f->dst;
		sc->n++;
	}
	return sc->n == SCAN_CONNS; /* past the bound: no more guesses */
}

/* port added to ports[0..*n) unless there already, or the list is full. */
static void
port_add(uint16_t *ports, size_t *n, uint16_t port)
{
	for (size_t i = 0; i < *n; i++)
		if (ports[i] == port)
			return;
	if (*n < CAP_PORTS_MAX)
		ports[(*n)++] = port;
}

/* A frame: counted, and its connection's first packet looked at. */
static void
scan_frame(struct cap_text *t, struct scan *sc, const struct tcp_frame *f, const uint8_t *p)
{
	if (t->frames++ == 0) {
		t->link = f->link;
		t->ip_version = f->ip_version;
	}
	if (f->ipproto == IPPROTO_NUMBER_UDP) {
		t->udp++;
		return; /* a datagram opens no connection */
	}
	if (!f->syn_only && f->payload_len == 0)
		return; /* an ACK says nothing of who connected */
	if (seen_before(sc, f) || f->syn_only || (f->flags & TCPF_SYN))
		return;
	if (f->payload_cap > 0 && (p[f->payload_off] == 0x04 || p[f->payload_off] == 0x05))
		port_add(t->opened, &t->nopened, f->dst.port);
}

bool
cap_text_scan(const struct hex_input *in, struct cap_text *t)
{
	memset(t, 0, sizeof(*t));
	t->shape = in->shape;
	if (in->shape == HEX_SHAPE_FOLLOW) {
		follow_ends(in, t);
		return true;
	}
	if (in->shape != HEX_SHAPE_DUMP)
		return false;
	struct scan *sc = calloc(1, sizeof(*sc));
	for (size_t i = 0; i < in->nsegs; i++) {
		const uint8_t *p = in->bytes + in->segs[i].off;
		struct tcp_frame f;
		if (!frame_parse(p, in->segs[i].len, &f))
			t->not_frames++;
		else if (sc != NULL)
			scan_frame(t, sc, &f, p);
		else
			t->frames++; /* no memory for guesses: the engine's own */
	}
	free(sc);
	return t->frames > 0;
}

void
cap_text_config(const struct cap_text *t, struct cap_config *cfg)
{
	cfg->end_words = "the dump's end";
	for (size_t b = 0; t->shape == HEX_SHAPE_FOLLOW && b < t->conns; b++)
		port_add(cfg->ports, &cfg->nports, t->end[b][1].port);
	for (size_t i = 0; cfg->sniff && i < t->nopened; i++)
		port_add(cfg->ports, &cfg->nports, t->opened[i]);
}

static void
end_words(const struct tcp_end *e, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(e->alen == 4 ? AF_INET : AF_INET6, e->addr, addr, sizeof(addr));
	snprintf(buf, cap, e->alen == 4 ? "%s:%u" : "[%s]:%u", addr, e->port);
}

void
cap_text_describe(const struct cap_text *t, char *buf, size_t cap)
{
	char a[64], b[64];

	if (t->shape != HEX_SHAPE_FOLLOW) {
		int n = snprintf(buf, cap, "a tshark -x dump of %zu frame%s: %s, IPv%d%s TCP%s "
				 "headers read; the dump holds no times", t->frames,
				 t->frames == 1 ? "" : "s", link_type_name(t->link), t->ip_version,
				 t->udp > 0 ? "," : " and", t->udp > 0 ? " and UDP" : "");
		if (t->not_frames > 0 && n > 0 && (size_t)n < cap)
			snprintf(buf + n, cap - (size_t)n, "; %zu block%s that %s no TCP or UDP frame "
				 "skipped (such as tshark's reassembled data)", t->not_frames,
				 t->not_frames == 1 ? "" : "s", t->not_frames == 1 ? "is" : "are");
		return;
	}
	end_words(&t->end[0][0], a, sizeof(a));
	end_words(&t->end[0][1], b, sizeof(b));
	if (t->conns > 1) {
		snprintf(buf, cap, "tshark follow output of %zu connections, the first %s to %s%s: "
			 "%zu bytes from the clients (unindented lines), %zu from the servers "
			 "(indented lines); the dump holds no times", t->conns, a, b,
			 t->placeholders > 0 ? "; stand-ins for the ends of those without Node "
					       "lines" : "", t->bytes[0], t->bytes[1]);
		return;
	}
	snprintf(buf, cap, "tshark follow output%s: %s%s (unindented lines, %zu byte%s) "
		 "connected to %s (indented lines, %zu byte%s); the dump holds no times",
		 t->placeholders > 0 ? " without Node lines that name its ends" : "", a,
		 t->placeholders > 0 ? " stands in for the client" : "", t->bytes[0],
		 t->bytes[0] == 1 ? "" : "s", b, t->bytes[1], t->bytes[1] == 1 ? "" : "s");
}

/* A segment of a follow dump's connection from node to the other. */
static bool
segment(struct cap_engine *e, const struct tcp_end end[2], int node, uint32_t seq,
	uint32_t ack, uint8_t flags, const uint8_t *p, size_t len)
{
	struct tcp_frame f = {
		.link = LINK_RAW_IP,
		.ip_version = end[0].alen == 4 ? 4 : 6,
		.ipproto = IPPROTO_NUMBER_TCP,
		.src = end[node],
		.dst = end[1 - node],
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.syn_only = flags == TCPF_SYN,
		.payload_len = len,
		.payload_cap = len,
	};

	return cap_packet(e, 0, &f, p);
}

/* Connection b of a follow dump: its handshake, then its turns. */
static bool
feed_conn(struct cap_engine *e, const struct hex_input *in, const struct tcp_end end[2],
	  unsigned b)
{
	static const uint8_t none[1];
	uint32_t next[2] = {ISN_CLIENT + 1, ISN_SERVER + 1};
	bool ok = segment(e, end, 0, ISN_CLIENT, 0, TCPF_SYN, none, 0) &&
		  segment(e, end, 1, ISN_SERVER, next[0], TCPF_SYN | TCPF_ACK, none, 0) &&
		  segment(e, end, 0, next[0], next[1], TCPF_ACK, none, 0);

	for (size_t i = 0; ok && i < in->nsegs; i++) {
		const struct hex_segment *sg = &in->segs[i];
		int node = sg->indented;
		for (size_t at = 0; ok && sg->block == b && at < sg->len; at += SEGMENT_MAX) {
			size_t n = sg->len - at < SEGMENT_MAX ? sg->len - at : SEGMENT_MAX;
			ok = segment(e, end, node, next[node], next[1 - node], TCPF_ACK,
				     in->bytes + sg->off + at, n);
			next[node] += (uint32_t)n;
		}
	}
	return ok;
}

static bool
feed_follow(struct cap_engine *e, const struct hex_input *in, const struct cap_text *t)
{
	bool ok = true;

	for (size_t k = 0; ok && k < t->conns; k++)
		ok = feed_conn(e, in, t->end[k], t->block[k]);
	return ok;
}

bool
cap_text_feed(struct cap_engine *e, const struct hex_input *in, const struct cap_text *t)
{
	if (t->shape == HEX_SHAPE_FOLLOW)
		return feed_follow(e, in, t);
	for (size_t i = 0; i < in->nsegs; i++) {
		const uint8_t *p = in->bytes + in->segs[i].off;
		struct tcp_frame f;
		if (frame_parse(p, in->segs[i].len, &f) && !cap_packet(e, 0, &f, p + f.payload_off))
			return false;
	}
	return true;
}
