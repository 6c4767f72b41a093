/*
 * Captures: the headers of a frame of each link type libpcap names
 * (frames.c's frame_parse_link), and sessions made of packets
 * (capture_engine.c): both directions through the flow in capture order,
 * whatever the segments' order; gaps stop the decoding before the tunnel
 * and not in it; a connection joined in its middle is not decoded by
 * chance; BIND's data after the second reply is tunnel data; a UDP
 * association's datagrams are linked to their session.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "capsim.h"
#include "capture_engine.h"
#include "frames.h"
#include "suites.h"

/* ---- frames of each link type ---- */

/* IPv4 127.0.0.1:40000 -> 127.0.0.1:1080, TCP PSH|ACK seq 0x01020304, the
 * greeting 05 01 00; IP checksum left 0 (not checked for libpcap frames). */
static const uint8_t ip4_tcp[] = {
	0x45, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01,
	0x9c, 0x40, 0x04, 0x38, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x09,
	0x50, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0x01, 0x00,
};

static size_t
framed(uint8_t *buf, const uint8_t *head, size_t nhead)
{
	memcpy(buf, head, nhead);
	memcpy(buf + nhead, ip4_tcp, sizeof(ip4_tcp));
	return nhead + sizeof(ip4_tcp);
}

static void
expect_tcp(enum link_type link, const uint8_t *p, size_t len, size_t head)
{
	struct tcp_frame f;

	ck_assert_msg(frame_parse_link(link, p, len, &f), "%s frame not read",
		      link_type_name(link));
	ck_assert_int_eq(f.ipproto, IPPROTO_NUMBER_TCP);
	ck_assert_uint_eq(f.src.port, 40000);
	ck_assert_uint_eq(f.dst.port, 1080);
	ck_assert_uint_eq(f.seq, 0x01020304u);
	ck_assert_uint_eq(f.ack, 9);
	ck_assert_uint_eq(f.flags, TCPF_ACK);
	ck_assert_uint_eq(f.payload_off, head + 40);
	ck_assert_uint_eq(f.payload_len, 3);
	ck_assert_uint_eq(f.payload_cap, 3);
	ck_assert_mem_eq(p + f.payload_off, "\x05\x01\x00", 3);
}

static const struct {
	enum link_type link;
	uint8_t head[24];
	size_t nhead;
} heads[] = {
	{ LINK_ETHERNET, { [12] = 0x08, [13] = 0x00 }, 14 },
	/* 802.1Q tag, VLAN 5 */
	{ LINK_ETHERNET, { [12] = 0x81, [13] = 0x00, [15] = 0x05, [16] = 0x08, [17] = 0x00 }, 18 },
	/* 802.1ad then 802.1Q */
	{ LINK_ETHERNET, { [12] = 0x88, [13] = 0xa8, [15] = 0x07, [16] = 0x81, [17] = 0x00,
			   [19] = 0x05, [20] = 0x08, [21] = 0x00 }, 22 },
	{ LINK_SLL, { [1] = 0x04, [3] = 0x01, [5] = 0x06, [14] = 0x08, [15] = 0x00 }, 16 },
	{ LINK_SLL2, { 0x08, 0x00, [7] = 0x01, [9] = 0x01, [10] = 0x04, [11] = 0x06 }, 20 },
	{ LINK_RAW_IP, { 0 }, 0 },
	{ LINK_NULL, { 0x02, 0x00, 0x00, 0x00 }, 4 },  /* AF_INET, little-endian host */
	{ LINK_NULL, { 0x00, 0x00, 0x00, 0x02 }, 4 },  /* AF_INET, big-endian host */
	{ LINK_LOOP, { 0x00, 0x00, 0x00, 0x02 }, 4 },
};

START_TEST(each_link_type)
{
	uint8_t buf[128];
	size_t n = framed(buf, heads[_i].head, heads[_i].nhead);

	expect_tcp(heads[_i].link, buf, n, heads[_i].nhead);
}
END_TEST

/* Cut by the snap length inside the payload: the headers are read, the
 * payload is said to be cut; cut inside a header: no frame. */
START_TEST(snap_length)
{
	uint8_t buf[128];
	size_t n = framed(buf, heads[0].head, 14);
	struct tcp_frame f;

	ck_assert(frame_parse_link(LINK_ETHERNET, buf, n - 2, &f));
	ck_assert_uint_eq(f.payload_len, 3);
	ck_assert_uint_eq(f.payload_cap, 1);
	for (size_t len = 0; len < 14 + 40; len++)
		ck_assert_msg(!frame_parse_link(LINK_ETHERNET, buf, len, &f), "%zu bytes", len);
	/* the loopback family that is neither IPv4 nor IPv6 */
	static const uint8_t other[4] = {0x07, 0, 0, 0};
	n = framed(buf, other, 4);
	ck_assert(!frame_parse_link(LINK_NULL, buf, n, &f));
	ck_assert(!frame_parse_link((enum link_type)99, buf, n, &f));
}
END_TEST

START_TEST(ipv6_udp)
{
	/* ::1:5000 -> ::1:6000, UDP, payload 00 00 00 01 7f 00 00 01 00 35 'x' */
	uint8_t p[40 + 8 + 11] = {
		0x60, 0, 0, 0, 0x00, 0x13, 17, 64,
		[23] = 1, [39] = 1,
		0x13, 0x88, 0x17, 0x70, 0x00, 0x13, 0x00, 0x00,
		0, 0, 0, 1, 0x7f, 0, 0, 1, 0x00, 0x35, 'x',
	};
	struct tcp_frame f;

	ck_assert(frame_parse_link(LINK_RAW_IP, p, sizeof(p), &f));
	ck_assert_int_eq(f.ip_version, 6);
	ck_assert_int_eq(f.ipproto, IPPROTO_NUMBER_UDP);
	ck_assert_uint_eq(f.src.port, 5000);
	ck_assert_uint_eq(f.dst.port, 6000);
	ck_assert_uint_eq(f.payload_off, 48);
	ck_assert_uint_eq(f.payload_len, 11);
	/* a dump's whole frame: the same datagram */
	ck_assert(frame_parse(p, sizeof(p), &f));
	ck_assert_int_eq(f.link, LINK_RAW_IP);
	ck_assert_int_eq(f.ipproto, IPPROTO_NUMBER_UDP);
	ck_assert_uint_eq(f.dst.port, 6000);
	ck_assert_uint_eq(f.payload_off, 48);
	ck_assert_uint_eq(f.payload_len, 11);
	/* ... but not when the UDP length is short of the IP payload's (a
	 * libpcap frame may be padded; a dump's must agree exactly) */
	p[45] = 0x12;
	ck_assert(frame_parse_link(LINK_RAW_IP, p, sizeof(p), &f));
	ck_assert(!frame_parse(p, sizeof(p), &f));
}
END_TEST

/* ---- sessions from packets ---- */


/* tshark loses the reply when it shares a segment with the method. */
START_TEST(method_and_reply_in_one_segment)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING REQUEST "GET /", 3 + 10 + 5, 0);
	pkt(&s, 1, TCPF_ACK, 0, METHOD REPLY "HTTP/1.0 200", 2 + 10 + 12, 18);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 18, NULL, 0, 24);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 24, NULL, 0, 19);
	ck_assert_uint_eq(cap_open(s.e), 0);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_uint_eq(s.got.tunnel[0], 5);
	ck_assert_uint_eq(s.got.tunnel[1], 12);
	expect_text(&s, "<- SOCKS5 method selection");
	expect_text(&s, "<- SOCKS5 reply: REP 0x00 succeeded, BND 127.0.0.1:40001");
	expect_text(&s, "ended by FIN both ways");
	ck_assert_str_eq(s.got.target, "127.0.0.1:80");
}
END_TEST

/* Tor's refusal of RESOLVE_PTR: REP 0x04, ATYP 0x00 and six zero bytes.
 * The flow reports no message for a reply cut short; the conversation
 * still shows it as far as it goes, and a violation's message too. */
START_TEST(broken_reply_shown)
{
	static const struct {
		const char *reply, *outcome, *line;
	} cases[] = {
		{ "\x05\x04\x00\x00\x00\x00\x00\x00\x00\x00", "refused",
		  "<- SOCKS5 reply: REP 0x04 host unreachable, ATYP 0x00; malformed at offset "
		  "0x0003 in ATYP" },
		{ "\x05\x00\x00\x07\x00\x00\x00\x00\x00\x00", "violation",
		  "<- SOCKS5 reply: REP 0x00 succeeded, ATYP 0x07; malformed at offset 0x0003 in "
		  "ATYP" },
	};
	struct sim s;

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 3, "\x05\xf1\x00\x01\x7f\x00\x00\x01\x00\x00", 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, cases[_i].reply, 10, 13);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 12, NULL, 0, 13);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 13, NULL, 0, 13);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert_str_eq(s.got.outcome, cases[_i].outcome);
	expect_text(&s, "-> SOCKS5 RESOLVE_PTR request: CMD 0xf1 RESOLVE_PTR (Tor), DST 127.0.0.1:0");
	expect_text(&s, cases[_i].line);
}
END_TEST

/* The same session with its segments reordered and sent twice. */
START_TEST(reordered_and_repeated)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 3, REQUEST, 10, 0);   /* before the greeting */
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);   /* again */
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);
	pkt(&s, 1, TCPF_ACK, 0, METHOD "\x05", 3, 13); /* overlaps the reply's first byte */
	pkt(&s, 1, TCPF_ACK | TCPF_RST, 12, NULL, 0, 13);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	expect_text(&s, "-> SOCKS5 greeting");
	expect_text(&s, "-> SOCKS5 CONNECT request");
	expect_text(&s, "<- SOCKS5 reply: REP 0x00");
	expect_text(&s, "ended by a reset from the server");
}
END_TEST

/* The request's segment is missing and the server acknowledged it: a gap,
 * and no message after it is decoded. */
START_TEST(gap_before_the_tunnel_stops)
{
	struct sim s;

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);    /* acknowledges the missing request */
	pkt(&s, 0, TCPF_ACK, 13, "data", 4, 12);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "undecided");
	ck_assert(s.got.stopped);
	ck_assert_uint_eq(s.got.gap[0], 10);
	expect_text(&s, "gap of 10 bytes in the client's stream at byte 3");
	ck_assert_ptr_null(strstr(s.got.text, "SOCKS5 reply"));
	expect_text(&s, "not decoded, counted only");
}
END_TEST

/* In the tunnel a gap is counted and the session goes on. */
START_TEST(gap_in_the_tunnel_goes_on)
{
	struct sim s;

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 3, REQUEST, 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);
	pkt(&s, 1, TCPF_ACK, 12, "aaaa", 4, 13);
	pkt(&s, 1, TCPF_ACK, 20, "cccc", 4, 13);   /* 16..20 never captured */
	pkt(&s, 0, TCPF_ACK, 13, NULL, 0, 24);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 24, NULL, 0, 13);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 13, NULL, 0, 25);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert(!s.got.stopped);
	ck_assert_uint_eq(s.got.tunnel[1], 8);
	ck_assert_uint_eq(s.got.gap[1], 4);
	expect_text(&s, "gap of 4 bytes in the server's stream at byte 16");
	expect_text(&s, "tunnel data, counted on");
}
END_TEST

/* SOCKS4 BIND: both replies, and what follows the second is tunnel data
 * even when it looks like a third reply. */
START_TEST(bind_data_after_the_second_reply)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, "\x04\x02\x00\x50\x7f\x00\x00\x01\x00", 9, 0);
	pkt(&s, 1, TCPF_ACK, 0, "\x00\x5a\x9c\x42\x7f\x00\x00\x01", 8, 9);
	pkt(&s, 1, TCPF_ACK, 8, "\x00\x5a\x9c\x43\x7f\x00\x00\x02" "\x00\x5a\x00\x00\x00\x00\x00\x00",
	    16, 9);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 24, NULL, 0, 9);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 9, NULL, 0, 25);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_uint_eq(s.got.tunnel[1], 8);
	ck_assert_str_eq(s.got.peer, "127.0.0.2:40003");
	expect_text(&s, "peer: 127.0.0.2:40003");
}
END_TEST

/* No SYN, and the first client bytes seen are tunnel data that happen to
 * start 05: not taken for a greeting unless they are a whole one. */
START_TEST(joined_in_the_middle)
{
	struct sim s;

	sim_start(&s, false, 1080);
	pkt(&s, 1, TCPF_ACK, 100, "HTTP/1.1 200 OK\r\n", 17, 500);
	pkt(&s, 0, TCPF_ACK, 500, "\x05\xff\xff\xff", 4, 117);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 504, NULL, 0, 117);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert(s.got.partial);
	ck_assert_str_eq(s.got.outcome, "undecided");
	expect_text(&s, "joined in its middle");
	ck_assert_ptr_null(strstr(s.got.text, "violation"));
}
END_TEST

/* No SYN, and the client's first segment is a whole SOCKS5 request (whose
 * first three bytes would pass for a greeting): decoded from there, the
 * greeting and method selection said to be missing, never made up. */
START_TEST(joined_at_the_request)
{
	struct sim s;

	sim_start(&s, false, 1080);
	pkt(&s, 0, TCPF_ACK, 3, REQUEST, 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, REPLY "tunnel", 16, 13);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 13, NULL, 0, 18);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 18, NULL, 0, 14);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert(s.got.partial);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_str_eq(s.got.target, "127.0.0.1:80");
	ck_assert_uint_eq(s.got.tunnel[1], 6);
	expect_text(&s, "decoding starts at the client's request");
	ck_assert_ptr_null(strstr(s.got.text, "greeting:"));
	ck_assert_ptr_null(strstr(s.got.text, "method selection:"));
}
END_TEST

/* No SYN, a greeting and a request in one segment: no start can be told
 * apart from tunnel data there, so nothing is decoded. */
START_TEST(joined_on_a_pipelined_segment)
{
	struct sim s;

	sim_start(&s, false, 1080);
	pkt(&s, 0, TCPF_ACK, 0, GREETING REQUEST, 13, 0);
	pkt(&s, 1, TCPF_ACK, 0, METHOD REPLY, 12, 13);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "undecided");
	expect_text(&s, "start no SOCKS message");
	expect_text(&s, "13 bytes from the client and 12 from the server not decoded");
}
END_TEST

/* --sniff: a SOCKS session on another port is found; other traffic is not. */
START_TEST(sniff_other_ports)
{
	struct sim s;

	sim_start(&s, true, 3128);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	pkt(&s, 1, TCPF_ACK, 0, "\x05\xff", 2, 3);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 2, NULL, 0, 3);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 3, NULL, 0, 3);
	s.port[0] = 40001;
	s.port[1] = 8080;
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, "GET / HTTP/1.1\r\n", 16, 0);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert_str_eq(s.got.outcome, "no-method");
}
END_TEST

START_TEST(udp_association)
{
	struct sim s;
	/* the client will send from 127.0.0.1:5000; the relay is 127.0.0.1:6000 */
	static const char req[] = "\x05\x03\x00\x01\x7f\x00\x00\x01\x13\x88";
	static const char rep[] = "\x05\x00\x00\x01\x7f\x00\x00\x01\x17\x70";
	static const char dgram[] = "\x00\x00\x00\x01\x7f\x00\x00\x01\x00\x35" "query";

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 3, req, 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, rep, 10, 13);
	datagram(&s, 5000, 6000, dgram, 15);
	datagram(&s, 6000, 5000, dgram, 15);
	datagram(&s, 6000, 5001, dgram, 15); /* another port of the client: not the association's */
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_uint_eq(s.got.datagrams, 2);
	expect_text(&s, "-> SOCKS5 UDP datagram");
	expect_text(&s, "<- SOCKS5 UDP datagram");
}
END_TEST

/* A UDP ASSOCIATE naming its source as a name (ATYP 03, four letters, as
 * long as an IPv4 address): the name says nothing of the client's address,
 * its port still counts. */
START_TEST(udp_association_named_source)
{
	struct sim s;
	static const char req[] = "\x05\x03\x00\x03\x04" "abcd" "\x13\x88";
	static const char rep[] = "\x05\x00\x00\x01\x7f\x00\x00\x01\x17\x70";
	static const char dgram[] = "\x00\x00\x00\x01\x7f\x00\x00\x01\x00\x35" "query";

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 3, req, 11, 2);
	pkt(&s, 1, TCPF_ACK, 2, rep, 10, 14);
	datagram(&s, 5000, 6000, dgram, 15);
	datagram(&s, 5001, 6000, dgram, 15); /* another port of the client: not the association's */
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_uint_eq(s.got.datagrams, 1);
}
END_TEST

/* A connection with no packet for 15 minutes ends then, at its last
 * packet's time, before a later connection's packet is taken. */
START_TEST(idle_connection_ends)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	s.t += 15 * 60 * 1000000LL; /* (pkt adds 1 ms: just past the limit) */
	s.port[0] = 40001;
	handshake(&s);
	ck_assert_uint_eq(s.got.sessions, 1);
	ck_assert_uint_eq(cap_open(s.e), 1);
	expect_text(&s, "ended by no packet for 15 minutes");
	/* it ended at its last packet, the greeting, 3 ms after its SYN */
	expect_text(&s, "ended by no packet for 15 minutes, 0.003000 s after its start");
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 2);
}
END_TEST

/* More connections open at once than the engine keeps (a SYN flood in the
 * capture): the least recent ends, said so, instead of memory without end. */
START_TEST(too_many_open_connections)
{
	struct sim s;
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .view = &capsim_view,
				  .keep_text = true, .open_max = 2 };

	sim_start_with(&s, &cfg, 1080);
	for (uint16_t i = 0; i < 3; i++) {
		s.port[0] = (uint16_t)(40000 + i);
		pkt(&s, 0, TCPF_SYN, 0, NULL, 0, 0);
	}
	ck_assert_uint_eq(cap_open(s.e), 2);
	ck_assert_uint_eq(s.got.sessions, 1);
	expect_text(&s, "127.0.0.1:40000 -> 127.0.0.1:1080");
	expect_text(&s, "ended by more than 2 connections open at once (the least recent ends)");
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 3);
}
END_TEST

/* A reset's payload is no part of the stream (a receiver drops it), but it
 * is said: a server may explain itself there. */
START_TEST(reset_with_data_said)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	pkt(&s, 1, TCPF_ACK | TCPF_RST, 0, "go away", 7, 3);
	sim_end(&s);
	expect_text(&s, "note: the reset from the server carried 7 bytes: no part of the "
			"stream (a receiver drops them)");
	expect_text(&s, "closed by the server (reset)");
}
END_TEST

/* A server that closes before answering left no evidence: its hint shows no
 * empty quotes. */
START_TEST(hint_without_evidence)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 0, NULL, 0, 3);
	sim_end(&s);
	expect_text(&s, "an access rule may refuse this client\n");
	ck_assert_ptr_null(strstr(s.got.text, "\"\""));
}
END_TEST

Suite *
capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tc = tcase_create("capture");

	tcase_add_loop_test(tc, each_link_type, 0, (int)(sizeof(heads) / sizeof(heads[0])));
	tcase_add_test(tc, snap_length);
	tcase_add_test(tc, ipv6_udp);
	tcase_add_test(tc, method_and_reply_in_one_segment);
	tcase_add_test(tc, reordered_and_repeated);
	tcase_add_loop_test(tc, broken_reply_shown, 0, 2);
	tcase_add_test(tc, gap_before_the_tunnel_stops);
	tcase_add_test(tc, gap_in_the_tunnel_goes_on);
	tcase_add_test(tc, bind_data_after_the_second_reply);
	tcase_add_test(tc, joined_in_the_middle);
	tcase_add_test(tc, joined_at_the_request);
	tcase_add_test(tc, joined_on_a_pipelined_segment);
	tcase_add_test(tc, sniff_other_ports);
	tcase_add_test(tc, udp_association);
	tcase_add_test(tc, udp_association_named_source);
	tcase_add_test(tc, idle_connection_ends);
	tcase_add_test(tc, too_many_open_connections);
	tcase_add_test(tc, reset_with_data_said);
	tcase_add_test(tc, hint_without_evidence);
	suite_add_tcase(s, tc);
	return s;
}
