/*
 * The headers of a captured frame, as a dump of whole frames shows them
 * (tshark -x prints the link, IP and TCP headers before the payload): which
 * link type, which TCP connection and sequence number, where the payload
 * begins.  Pure: bytes in, fields out.
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
};

/* One end of a TCP connection. */
struct tcp_end {
	uint8_t addr[16];
	size_t alen; /* 4 or 16 */
	uint16_t port;
};

struct tcp_frame {
	enum link_type link;
	int ip_version; /* 4 or 6 */
	struct tcp_end src, dst;
	uint32_t seq;
	bool syn_only; /* SYN without ACK: src is the side that connected */
	size_t payload_off; /* the link, IP and TCP headers before it */
	size_t payload_len; /* as the IP length says, without link padding */
};

/* Whether p[0..len) is a whole frame carrying TCP: headers that agree with
 * each other and with the length (an IPv4 header's checksum must hold), so
 * SOCKS bytes are not taken for a frame by chance. */
bool frame_parse(const uint8_t *p, size_t len, struct tcp_frame *f);

/* "Ethernet", "Linux cooked capture", ... */
const char *link_type_name(enum link_type link);

/* Whether two ends are the same address and port. */
bool tcp_end_equal(const struct tcp_end *a, const struct tcp_end *b);

#endif
