/*
 * Link, IP and TCP (or UDP) headers of a captured frame.
 *
 * A dump's frame (frame_parse) is tried as each link type in turn and must
 * lead to an IP header that holds up: version, header length, total length
 * within the frame (or past its end behind a link header: a frame cut by
 * the snap length), an IPv4 header checksum that sums right (or is 0, left
 * to the card by the host that captured it), protocol TCP
 * or UDP, no fragment; then a TCP header whose length fits, or a UDP
 * header whose length is the IP payload's exactly (a UDP ASSOCIATE's
 * datagrams are in the dump too).  A frame from libpcap
 * (frame_parse_link) has its link type named and may be cut by the snap
 * length: its headers must be whole, its payload may not be.  Every read is
 * checked against the length first, as tcpdump does.
 */
#include <string.h>

#include "frames.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100 /* 802.1ad's tag before it had a number */
#define VLAN_TAGS_MAX 8

/* The frame being read: whole (a dump: lengths must agree exactly) or as
 * captured (libpcap: the payload may be cut).  A dump's frame behind a
 * link header may be cut too (tshark -x of a capture with a snap length):
 * its headers whole, the IP length past the end. */
struct frame_in {
	const uint8_t *p;
	size_t len;
	bool whole;
	bool cut_ok; /* whole: the IP length may pass the end */
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The ones' complement sum of an IPv4 header is 0xffff when it is right. */
static bool
ipv4_checksum_ok(const uint8_t *p, size_t hlen)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < hlen; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The payload from at, ip_len bytes long by the IP header: how much of it
 * was captured. */
static void
set_payload(const struct frame_in *in, size_t at, size_t ip_len, struct tcp_frame *f)
{
	f->payload_off = at;
	f->payload_len = ip_len;
	f->payload_cap = in->len - at < ip_len ? in->len - at : ip_len;
}

/* TCP at `at`, seg_len bytes by the IP header. */
static bool
parse_tcp(const struct frame_in *in, size_t at, size_t seg_len, struct tcp_frame *f)
{
	if (seg_len < 20 || at + 20 > in->len)
		return false;
	const uint8_t *t = in->p + at;
	size_t hlen = (size_t)(t[12] >> 4) * 4;
	if (hlen < 20 || hlen > seg_len || at + hlen > in->len)
		return false;
	f->ipproto = IPPROTO_NUMBER_TCP;
	f->src.port = get16(t);
	f->dst.port = get16(t + 2);
	f->seq = get32(t + 4);
	f->ack = get32(t + 8);
	f->flags = t[13] & (TCPF_FIN | TCPF_SYN | TCPF_RST | TCPF_ACK);
	f->syn_only = (t[13] & 0x12) == 0x02;
	set_payload(in, at + hlen, seg_len - hlen, f);
	return true;
}

static bool
parse_udp(const struct frame_in *in, size_t at, size_t dgram_len, struct tcp_frame *f)
{
	if (dgram_len < 8 || at + 8 > in->len)
		return false;
	const uint8_t *u = in->p + at;
	size_t ulen = get16(u + 4);
	if (ulen < 8 || ulen > dgram_len || (in->whole && ulen != dgram_len))
		return false;
	f->ipproto = IPPROTO_NUMBER_UDP;
	f->src.port = get16(u);
	f->dst.port = get16(u + 2);
	set_payload(in, at + 8, ulen - 8, f);
	return true;
}

static bool
parse_transport(const struct frame_in *in, int proto, size_t at, size_t len, struct tcp_frame *f)
{
	if (proto == IPPROTO_NUMBER_TCP)
		return parse_tcp(in, at, len, f);
	if (proto == IPPROTO_NUMBER_UDP)
		return parse_udp(in, at, len, f);
	return false;
}

static bool
parse_ipv4(const struct frame_in *in, size_t at, struct tcp_frame *f)
{
	if (at + 20 > in->len)
		return false;
	const uint8_t *ip = in->p + at;
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4, total = get16(ip + 2);
	/* A segment the sender's card will split (TSO) is captured with
	 * total length 0: the frame says how long it is. */
	if (!in->whole && total == 0)
		total = in->len - at;
	if (ip[0] >> 4 != 4 || hlen < 20 || total < hlen || at + hlen > in->len ||
	    (get16(ip + 6) & 0x3fff) != 0)
		return false;
	/* A checksum of 0 is one the sending host left to its card (a capture
	 * on the host that sent it, with offload): no chance match. */
	if (in->whole && ((at + total > in->len && !in->cut_ok) ||
			  (!ipv4_checksum_ok(ip, hlen) && get16(ip + 10) != 0)))
		return false;
	f->ip_version = 4;
	f->src.alen = f->dst.alen = 4;
	memcpy(f->src.addr, ip + 12, 4);
	memcpy(f->dst.addr, ip + 16, 4);
	return parse_transport(in, ip[9], at + hlen, total - hlen, f);
}

#define IPV6_HOP_BY_HOP 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_AUTH 51
#define IPV6_DEST_OPTS 60
#define IPV6_EXT_MAX 8 /* more in one packet is no real traffic */

/* The extension headers between the fixed header and TCP or UDP (RFC 8200
 * section 4; hop-by-hop options are common on any link with MLD or jumbo
 * frames): *at and *len move past each, *proto becomes the transport.  A
 * fragment other than an atomic one (offset 0, no more to come) is left
 * alone, as an IPv4 fragment is. */
static bool
skip_ipv6_ext(const struct frame_in *in, size_t *at, size_t *len, int *proto)
{
	for (int n = 0; n < IPV6_EXT_MAX; n++) {
		size_t hlen;

		if (*proto != IPV6_HOP_BY_HOP && *proto != IPV6_ROUTING &&
		    *proto != IPV6_FRAGMENT && *proto != IPV6_AUTH && *proto != IPV6_DEST_OPTS)
			return true;
		if (*at + 8 > in->len)
			return false;
		const uint8_t *h = in->p + *at;
		if (*proto == IPV6_FRAGMENT) {
			if ((get16(h + 2) & 0xfff9) != 0)
				return false;
			hlen = 8;
		} else if (*proto == IPV6_AUTH) {
			hlen = ((size_t)h[1] + 2) * 4;
		} else {
			hlen = ((size_t)h[1] + 1) * 8;
		}
		if (hlen > *len)
			return false;
		*proto = h[0];
		*at += hlen;
		*len -= hlen;
	}
	return false;
}

static bool
parse_ipv6(const struct frame_in *in, size_t at, struct tcp_frame *f)
{
	if (at + 40 > in->len)
		return false;
	const uint8_t *ip = in->p + at;
	size_t payload = get16(ip + 4);
	int proto = ip[6];
	if (ip[0] >> 4 != 6 || (in->whole && !in->cut_ok && at + 40 + payload > in->len))
		return false;
	f->ip_version = 6;
	f->src.alen = f->dst.alen = 16;
	memcpy(f->src.addr, ip + 8, 16);
	memcpy(f->dst.addr, ip + 24, 16);
	at += 40;
	if (!skip_ipv6_ext(in, &at, &payload, &proto))
		return false;
	return parse_transport(in, proto, at, payload, f);
}

static bool
parse_ip(const struct frame_in *in, size_t at, uint16_t ethertype, struct tcp_frame *f)
{
	if (ethertype == ETHERTYPE_IPV4)
		return parse_ipv4(in, at, f);
	if (ethertype == ETHERTYPE_IPV6)
		return parse_ipv6(in, at, f);
	return false;
}

static bool
vlan_tag(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD;
}

/* Behind VLAN tags (802.1Q, 802.1ad, stacked as deep as providers stack
 * them). */
static bool
parse_ethernet(const struct frame_in *in, struct tcp_frame *f)
{
	size_t at = 12;

	if (in->len < 14)
		return false;
	uint16_t type = get16(in->p + at);
	for (int tags = 0; tags < VLAN_TAGS_MAX && vlan_tag(type); tags++) {
		if (in->len < at + 6)
			return false;
		at += 4;
		type = get16(in->p + at);
	}
	return parse_ip(in, at + 2, type, f);
}

/* Packet type (0 to 4), ARPHRD type, address length (at most 8), address,
 * protocol. */
static bool
parse_sll(const struct frame_in *in, struct tcp_frame *f)
{
	if (in->len < 16 || get16(in->p) > 4 || get16(in->p + 4) > 8)
		return false;
	return parse_ip(in, 16, get16(in->p + 14), f);
}

/* Protocol, reserved (0), interface index, ARPHRD type, packet type,
 * address length, address. */
static bool
parse_sll2(const struct frame_in *in, struct tcp_frame *f)
{
	if (in->len < 20 || get16(in->p + 2) != 0 || in->p[10] > 4 || in->p[11] > 8)
		return false;
	return parse_ip(in, 20, get16(in->p), f);
}

static bool
parse_raw(const struct frame_in *in, struct tcp_frame *f)
{
	if (in->len < 1)
		return false;
	return parse_ip(in, 0, in->p[0] >> 4 == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, f);
}

/* The address family: AF_INET is 2 everywhere; AF_INET6 is 10 on Linux,
 * 24, 28 or 30 on the BSDs and macOS, whose captures these are. */
static bool
parse_family(const struct frame_in *in, uint32_t family, struct tcp_frame *f)
{
	if (family == 2)
		return parse_ip(in, 4, ETHERTYPE_IPV4, f);
	if (family == 10 || family == 24 || family == 28 || family == 30)
		return parse_ip(in, 4, ETHERTYPE_IPV6, f);
	return false;
}

/* The family in the byte order of the host that captured it: either. */
static bool
parse_null(const struct frame_in *in, struct tcp_frame *f)
{
	if (in->len < 4)
		return false;
	uint32_t le = (uint32_t)in->p[3] << 24 | (uint32_t)in->p[2] << 16 |
		      (uint32_t)in->p[1] << 8 | in->p[0];
	return parse_family(in, le, f) || parse_family(in, get32(in->p), f);
}

static bool
parse_loop(const struct frame_in *in, struct tcp_frame *f)
{
	return in->len >= 4 && parse_family(in, get32(in->p), f);
}

static bool (*const parsers[])(const struct frame_in *, struct tcp_frame *) = {
	[LINK_ETHERNET] = parse_ethernet,
	[LINK_SLL] = parse_sll,
	[LINK_SLL2] = parse_sll2,
	[LINK_RAW_IP] = parse_raw,
	[LINK_NULL] = parse_null,
	[LINK_LOOP] = parse_loop,
};

bool
frame_parse(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	for (size_t i = 0; i < LINK_GUESSED; i++) {
		/* raw IP has no link header to vouch for a cut packet */
		const struct frame_in in = { .p = p, .len = len, .whole = true,
					     .cut_ok = i != LINK_RAW_IP };
		memset(f, 0, sizeof(*f));
		if (parsers[i](&in, f)) {
			f->link = (enum link_type)i;
			return true;
		}
	}
	memset(f, 0, sizeof(*f));
	return false;
}

bool
frame_parse_link(enum link_type link, const uint8_t *p, size_t caplen, struct tcp_frame *f)
{
	const struct frame_in in = { .p = p, .len = caplen, .whole = false };

	memset(f, 0, sizeof(*f));
	if ((size_t)link >= sizeof(parsers) / sizeof(parsers[0]) || !parsers[link](&in, f)) {
		memset(f, 0, sizeof(*f));
		return false;
	}
	f->link = link;
	return true;
}

const char *
link_type_name(enum link_type link)
{
	switch (link) {
	case LINK_ETHERNET:
		return "Ethernet";
	case LINK_SLL:
		return "Linux cooked capture";
	case LINK_SLL2:
		return "Linux cooked capture v2";
	case LINK_RAW_IP:
		return "raw IP";
	case LINK_NULL:
		return "BSD loopback";
	case LINK_LOOP:
		return "OpenBSD loopback";
	}
	return "unknown";
}

bool
tcp_end_equal(const struct tcp_end *a, const struct tcp_end *b)
{
	return a->alen == b->alen && a->port == b->port && memcmp(a->addr, b->addr, a->alen) == 0;
}
