/*
 * UDP associations: once a UDP ASSOCIATE is granted, the datagrams between
 * the client and the relay address the reply announced belong to that
 * session, until its TCP connection ends.  Each is decoded as a SOCKS5 UDP
 * datagram (header and payload size); those between the relay and the
 * targets carry no SOCKS header and are not the session's.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_engine_int.h"

struct udp_assoc {
	struct udp_assoc *next; /* in its bucket of e->assocs */
	struct conn *c;
	struct tcp_end client; /* port 0: any port of that address */
	struct tcp_end relay;
};

/* Associations are found by their relay's address and port and their
 * client's address (its port may be any): a datagram is compared with those
 * of two buckets, not with every association open, even when one relay
 * port serves every client. */
static struct udp_assoc **
bucket(struct cap_engine *e, const struct tcp_end *relay, const struct tcp_end *client)
{
	struct tcp_end host = *client;

	host.port = 0;
	return &e->assocs[(cap_end_hash(e, relay) + cap_end_hash(e, &host)) % CAP_UDP_HASH_SIZE];
}

static bool
unspecified(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The relay: BND.ADDR and BND.PORT, the server's own address when BND.ADDR
 * is all zeros (RFC 1928 lets a server say "the address you reached"). */
void
udp_granted(struct conn *c, const struct msg *reply)
{
	const struct field *addr = msg_field(reply, "BND.ADDR"), *port = msg_field(reply, "BND.PORT");
	struct udp_assoc *a;

	if (addr == NULL || port == NULL || (addr->len != 4 && addr->len != 16))
		return;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return;
	a->c = c;
	a->client = c->udp_client;
	a->relay = c->end[FLOW_SERVER];
	if (!unspecified(addr->bytes, addr->len)) {
		a->relay.alen = addr->len;
		memcpy(a->relay.addr, addr->bytes, addr->len);
	}
	a->relay.port = (uint16_t)port->num;
	if (c->assoc != NULL)
		udp_conn_gone(c->e, c); /* a second granted reply: the newer counts */
	struct udp_assoc **head = bucket(c->e, &a->relay, &a->client);
	a->next = *head;
	*head = a;
	c->assoc = a;
}

void
udp_conn_gone(struct cap_engine *e, struct conn *c)
{
	struct udp_assoc *a = c->assoc;

	if (a == NULL)
		return;
	struct udp_assoc **pp = bucket(e, &a->relay, &a->client);
	while (*pp != a)
		pp = &(*pp)->next;
	*pp = a->next;
	free(a);
	c->assoc = NULL;
}

static bool
same_host(const struct tcp_end *a, const struct tcp_end *b)
{
	return a->alen == b->alen && memcmp(a->addr, b->addr, a->alen) == 0;
}

static bool
is_client(const struct udp_assoc *a, const struct tcp_end *e)
{
	return same_host(&a->client, e) && (a->client.port == 0 || a->client.port == e->port);
}

static struct udp_assoc *
find(struct cap_engine *e, const struct tcp_frame *f, bool *to_relay)
{
	for (struct udp_assoc *a = *bucket(e, &f->dst, &f->src); a != NULL; a = a->next)
		if (tcp_end_equal(&a->relay, &f->dst) && is_client(a, &f->src)) {
			*to_relay = true;
			return a;
		}
	for (struct udp_assoc *a = *bucket(e, &f->src, &f->dst); a != NULL; a = a->next)
		if (tcp_end_equal(&a->relay, &f->src) && is_client(a, &f->dst)) {
			*to_relay = false;
			return a;
		}
	return NULL;
}

void
udp_packet(struct cap_engine *e, int64_t t, const struct tcp_frame *f, const uint8_t *payload)
{
	bool to_relay;
	struct udp_assoc *a = find(e, f, &to_relay);
	struct msg m;

	if (a == NULL)
		return;
	proto_decode(MSG_S5_UDP, payload, f->payload_cap, NULL, &m);
	conn_touch(e, a->c, t);
	sv_datagram(&a->c->sv, t, to_relay, &m, f->payload_len);
}

void
udp_free(struct cap_engine *e)
{
	for (size_t i = 0; i < CAP_UDP_HASH_SIZE; i++)
		while (e->assocs[i] != NULL) {
			struct udp_assoc *a = e->assocs[i];
			e->assocs[i] = a->next;
			free(a);
		}
}
