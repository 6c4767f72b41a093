/*
 * The headers of a captured frame: which link type, which TCP connection
 * (or UDP datagram) and sequence number, where the payload begins.  A dump
 * of whole frames (tshark -x) gives no link type, so frame_parse() tries
 * each; libpcap names it, and a frame may be cut by the snap length, so
 * frame_parse_link() takes the type and reads only what was captured.
 * Pure: bytes in, fields out.
 */
#ifndef SOCKSCOPE_CLI_FRAMES_H
#define SOCKSCOPE_CLI_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum link_type {
	LINK_ETHERNET, /* DLT_EN10MB, also Linux loopback */
	LINK_SLL,      /* Linux cooked capture v1 (tcpdump -i any) */
	LINK_SLL2,     /* Linux cooked capture v2 */
	LINK_RAW_IP,   /* no link header */
	LINK_NULL,     /* BSD loopback: the address family in host byte order */
	LINK_LOOP,     /* OpenBSD loopback: the address family in network byte order */
};

/* The link types frame_parse() tries on a dump, in this order: BSD
 * loopback last (macOS's tcpdump -i lo0), its 4-byte family one of a few
 * values and an IP header after it that holds up, which SOCKS bytes are
 * no likelier to make than they are a raw IP packet.  Its OpenBSD form
 * (the family in network byte order) is read as BSD loopback too. */
#define LINK_GUESSED (LINK_NULL + 1)

/* One end of a TCP connection or a UDP flow. */
struct tcp_end {
	uint8_t addr[16];
	size_t alen; /* 4 or 16 */
	uint16_t port;
};

/* TCP header flags (struct tcp_frame.flags). */
#define TCPF_FIN 0x01u
#define TCPF_SYN 0x02u
#define TCPF_RST 0x04u
#define TCPF_ACK 0x10u

#define IPPROTO_NUMBER_TCP 6
#define IPPROTO_NUMBER_UDP 17

struct tcp_frame {
	enum link_type link;
	int ip_version; /* 4 or 6 */
	int ipproto;    /* IPPROTO_NUMBER_TCP or IPPROTO_NUMBER_UDP */
	struct tcp_end src, dst;
	uint32_t seq, ack; /* TCP */
	uint8_t flags;     /* TCP: TCPF_* */
	bool syn_only; /* SYN without ACK: src is the side that connected */
	size_t payload_off; /* the link, IP and TCP (or UDP) headers before it */
	size_t payload_len; /* as the IP length says, without link padding */
	size_t payload_cap; /* of those, the bytes captured (the snap length may cut) */
};

/* Whether p[0..len) is a frame carrying TCP or UDP: headers that agree
 * with each other and with the length (an IPv4 header's checksum must
 * hold; a UDP length must be the IP payload's), so SOCKS bytes are not
 * taken for a frame by chance.  Behind a link header the payload may be
 * cut (payload_cap < payload_len), as a snap length cuts it. */
bool frame_parse(const uint8_t *p, size_t len, struct tcp_frame *f);

/*
 * A frame libpcap captured with link type link: caplen bytes of it in p.
 * TCP or UDP over IPv4 or IPv6, behind one VLAN tag or none.  The payload
 * may be cut by the snap length (payload_cap < payload_len); the headers
 * must be whole.  The IPv4 checksum is not checked (a capture on the
 * sending host sees it before the card fills it in).
 */
bool frame_parse_link(enum link_type link, const uint8_t *p, size_t caplen,
		      struct tcp_frame *f);

/* "Ethernet", "Linux cooked capture", ... */
const char *link_type_name(enum link_type link);

/* Whether two ends are the same address and port. */
bool tcp_end_equal(const struct tcp_end *a, const struct tcp_end *b);

#endif
