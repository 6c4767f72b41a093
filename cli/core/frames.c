/*
 * Link, IP and TCP headers of a captured frame.
 *
 * Each link type is tried in turn and must lead to an IP header that holds
 * up: version, header length, total length within the frame, an IPv4
 * header checksum that sums right, protocol TCP, no fragment; then a TCP
 * header whose length fits.  Every read is checked against the length
 * first, as tcpdump does.
 */
#include <string.h>

#include "frames.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_TCP_NUMBER 6

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

static bool
parse_tcp(const uint8_t *p, size_t len, size_t at, size_t tcp_len, struct tcp_frame *f)
{
	if (tcp_len < 20 || at + tcp_len > len)
		return false;
	const uint8_t *t = p + at;
	size_t hlen = (size_t)(t[12] >> 4) * 4;
	if (hlen < 20 || hlen > tcp_len)
		return false;
	f->src.port = get16(t);
	f->dst.port = get16(t + 2);
	f->seq = get32(t + 4);
	f->syn_only = (t[13] & 0x12) == 0x02;
	f->payload_off = at + hlen;
	f->payload_len = tcp_len - hlen;
	return true;
}

static bool
parse_ipv4(const uint8_t *p, size_t len, size_t at, struct tcp_frame *f)
{
	if (at + 20 > len)
		return false;
	const uint8_t *ip = p + at;
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4, total = get16(ip + 2);
	if (ip[0] >> 4 != 4 || hlen < 20 || total < hlen || at + total > len ||
	    ip[9] != IPPROTO_TCP_NUMBER || (get16(ip + 6) & 0x3fff) != 0 ||
	    !ipv4_checksum_ok(ip, hlen))
		return false;
	f->ip_version = 4;
	f->src.alen = f->dst.alen = 4;
	memcpy(f->src.addr, ip + 12, 4);
	memcpy(f->dst.addr, ip + 16, 4);
	return parse_tcp(p, len, at + hlen, total - hlen, f);
}

/* Only a TCP header right after the fixed header: extension headers are
 * rare on a SOCKS connection, and such a frame is left alone. */
static bool
parse_ipv6(const uint8_t *p, size_t len, size_t at, struct tcp_frame *f)
{
	if (at + 40 > len)
		return false;
	const uint8_t *ip = p + at;
	size_t payload = get16(ip + 4);
	if (ip[0] >> 4 != 6 || ip[6] != IPPROTO_TCP_NUMBER || at + 40 + payload > len)
		return false;
	f->ip_version = 6;
	f->src.alen = f->dst.alen = 16;
	memcpy(f->src.addr, ip + 8, 16);
	memcpy(f->dst.addr, ip + 24, 16);
	return parse_tcp(p, len, at + 40, payload, f);
}

static bool
parse_ip(const uint8_t *p, size_t len, size_t at, uint16_t ethertype, struct tcp_frame *f)
{
	if (ethertype == ETHERTYPE_IPV4)
		return parse_ipv4(p, len, at, f);
	if (ethertype == ETHERTYPE_IPV6)
		return parse_ipv6(p, len, at, f);
	return false;
}

static bool
parse_ethernet(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	size_t at = 12;

	if (len < 14)
		return false;
	uint16_t type = get16(p + at);
	if (type == ETHERTYPE_VLAN) {
		if (len < 18)
			return false;
		at += 4;
		type = get16(p + at);
	}
	return parse_ip(p, len, at + 2, type, f);
}

/* Packet type (0 to 4), ARPHRD type, address length (at most 8), address,
 * protocol. */
static bool
parse_sll(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	if (len < 16 || get16(p) > 4 || get16(p + 4) > 8)
		return false;
	return parse_ip(p, len, 16, get16(p + 14), f);
}

/* Protocol, reserved (0), interface index, ARPHRD type, packet type,
 * address length, address. */
static bool
parse_sll2(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	if (len < 20 || get16(p + 2) != 0 || p[10] > 4 || p[11] > 8)
		return false;
	return parse_ip(p, len, 20, get16(p), f);
}

static bool
parse_raw(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	if (len < 1)
		return false;
	return parse_ip(p, len, 0, p[0] >> 4 == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, f);
}

bool
frame_parse(const uint8_t *p, size_t len, struct tcp_frame *f)
{
	static bool (*const parsers[])(const uint8_t *, size_t, struct tcp_frame *) = {
		[LINK_ETHERNET] = parse_ethernet,
		[LINK_SLL] = parse_sll,
		[LINK_SLL2] = parse_sll2,
		[LINK_RAW_IP] = parse_raw,
	};

	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		memset(f, 0, sizeof(*f));
		if (parsers[i](p, len, f)) {
			f->link = (enum link_type)i;
			return true;
		}
	}
	memset(f, 0, sizeof(*f));
	return false;
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
	}
	return "unknown";
}

bool
tcp_end_equal(const struct tcp_end *a, const struct tcp_end *b)
{
	return a->alen == b->alen && a->port == b->port && memcmp(a->addr, b->addr, a->alen) == 0;
}
