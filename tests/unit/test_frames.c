/*
 * The headers of captured frames: a frame tcpdump captured on lo (a SOCKS5
 * greeting), and the same IP packet behind every other link header decode
 * reads; then what must not pass for a frame.
 */
#include <check.h>
#include <string.h>

#include "frames.h"
#include "suites.h"

/* Frame 4 of a capture on lo: 127.0.0.1:47676 -> 127.0.0.1:41080, the
 * greeting 05 01 00 after 32 bytes of TCP header (timestamps). */
static const uint8_t eth_frame[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x37, 0x04, 0x01, 0x40, 0x00, 0x40, 0x06, 0x38, 0xbe, 0x7f, 0x00,
	0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0xba, 0x3c, 0xa0, 0x78, 0xad, 0x5f, 0x2e, 0xc4,
	0xe4, 0xed, 0x15, 0xd4, 0x80, 0x18, 0x00, 0x40, 0xfe, 0x2b, 0x00, 0x00, 0x01, 0x01,
	0x08, 0x0a, 0x8b, 0x76, 0xd2, 0xc2, 0x67, 0x83, 0x47, 0xd5, 0x05, 0x01, 0x00,
};
#define ETH_HEADER 14
#define IP_PACKET (eth_frame + ETH_HEADER)
#define IP_PACKET_LEN (sizeof(eth_frame) - ETH_HEADER)

/* Link header + the IP packet, into buf; its length. */
static size_t
with_link(uint8_t *buf, const uint8_t *link, size_t link_len)
{
	memcpy(buf, link, link_len);
	memcpy(buf + link_len, IP_PACKET, IP_PACKET_LEN);
	return link_len + IP_PACKET_LEN;
}

static void
expect_greeting(const uint8_t *p, size_t len, enum link_type link, size_t headers)
{
	struct tcp_frame f;

	ck_assert_msg(frame_parse(p, len, &f), "not taken for a frame");
	ck_assert_int_eq(f.link, link);
	ck_assert_int_eq(f.ip_version, 4);
	ck_assert_uint_eq(f.src.port, 47676);
	ck_assert_uint_eq(f.dst.port, 41080);
	ck_assert_mem_eq(f.src.addr, "\x7f\x00\x00\x01", 4);
	ck_assert_uint_eq(f.seq, 0xad5f2ec4u);
	ck_assert(!f.syn_only);
	ck_assert_uint_eq(f.payload_off, headers);
	ck_assert_uint_eq(f.payload_len, 3);
	ck_assert_mem_eq(p + f.payload_off, "\x05\x01\x00", 3);
}

START_TEST(ethernet)
{
	expect_greeting(eth_frame, sizeof(eth_frame), LINK_ETHERNET, 14 + 20 + 32);
	ck_assert_str_eq(link_type_name(LINK_ETHERNET), "Ethernet");
}
END_TEST

START_TEST(ethernet_padding_is_no_payload)
{
	uint8_t buf[sizeof(eth_frame) + 6] = {0};

	memcpy(buf, eth_frame, sizeof(eth_frame));
	expect_greeting(buf, sizeof(buf), LINK_ETHERNET, 14 + 20 + 32);
}
END_TEST

START_TEST(linux_cooked_v1)
{
	/* packet type 0 (to us), ARPHRD_LOOPBACK, address length 6, address, IPv4 */
	static const uint8_t sll[16] = {0x00, 0x00, 0x03, 0x04, 0x00, 0x06, 0, 0, 0, 0, 0, 0,
					0, 0, 0x08, 0x00};
	uint8_t buf[128];

	expect_greeting(buf, with_link(buf, sll, sizeof(sll)), LINK_SLL, 16 + 20 + 32);
}
END_TEST

START_TEST(linux_cooked_v2)
{
	/* IPv4, reserved, interface 1, ARPHRD_LOOPBACK, packet type 0, address length 6 */
	static const uint8_t sll2[20] = {0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
					 0x03, 0x04, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t buf[128];

	expect_greeting(buf, with_link(buf, sll2, sizeof(sll2)), LINK_SLL2, 20 + 20 + 32);
}
END_TEST

START_TEST(raw_ip)
{
	expect_greeting(IP_PACKET, IP_PACKET_LEN, LINK_RAW_IP, 20 + 32);
}
END_TEST

START_TEST(ipv6_syn)
{
	uint8_t buf[14 + 40 + 20] = {0};
	struct tcp_frame f;

	buf[12] = 0x86, buf[13] = 0xdd;
	uint8_t *ip = buf + 14, *tcp = ip + 40;
	ip[0] = 0x60, ip[5] = 20, ip[6] = 6, ip[7] = 64;
	ip[23] = 1, ip[39] = 1; /* ::1 to ::1 */
	tcp[0] = 0xc3, tcp[1] = 0x50, tcp[2] = 0x04, tcp[3] = 0x38; /* 50000 -> 1080 */
	tcp[12] = 0x50, tcp[13] = 0x02;                            /* SYN */
	ck_assert(frame_parse(buf, sizeof(buf), &f));
	ck_assert_int_eq(f.link, LINK_ETHERNET);
	ck_assert_int_eq(f.ip_version, 6);
	ck_assert_uint_eq(f.src.alen, 16);
	ck_assert_uint_eq(f.src.port, 50000);
	ck_assert_uint_eq(f.dst.port, 1080);
	ck_assert(f.syn_only);
	ck_assert_uint_eq(f.payload_len, 0);
	ck_assert(tcp_end_equal(&f.src, &f.src) && !tcp_end_equal(&f.src, &f.dst));
}
END_TEST

/* Every byte of the IPv4 header counts in its checksum: one changed and
 * the frame is no frame, whatever link header is tried. */
START_TEST(a_bad_checksum_is_no_frame)
{
	uint8_t buf[sizeof(eth_frame)];
	struct tcp_frame f;

	memcpy(buf, eth_frame, sizeof(buf));
	buf[ETH_HEADER + 8 + (size_t)_i % 12] ^= 0x01; /* TTL onwards */
	ck_assert(!frame_parse(buf, sizeof(buf), &f));
}
END_TEST

/* A checksum of 0 is one left to the card (a capture on the sending host
 * with offload, as tshark -x of it shows): the frame is read; any other
 * wrong checksum is not. */
START_TEST(an_offloaded_checksum_is_read)
{
	uint8_t buf[sizeof(eth_frame)];
	struct tcp_frame f;

	memcpy(buf, eth_frame, sizeof(buf));
	buf[ETH_HEADER + 10] = buf[ETH_HEADER + 11] = 0;
	ck_assert(frame_parse(buf, sizeof(buf), &f));
	ck_assert_int_eq(f.link, LINK_ETHERNET);
	ck_assert_int_eq(f.ipproto, IPPROTO_NUMBER_TCP);
	buf[ETH_HEADER + 11] = 1;
	ck_assert(!frame_parse(buf, sizeof(buf), &f));
}
END_TEST

/* A BSD loopback frame (macOS's tcpdump -i lo0) in a dump: its family in
 * either byte order, then the IP packet; an unknown family is no frame. */
START_TEST(bsd_loopback_is_guessed)
{
	static const uint8_t family[][4] = {{2, 0, 0, 0}, {0, 0, 0, 2}, {7, 0, 0, 0}};
	uint8_t buf[4 + IP_PACKET_LEN];
	struct tcp_frame f;

	memcpy(buf, family[_i], 4);
	memcpy(buf + 4, IP_PACKET, IP_PACKET_LEN);
	if (_i == 2) {
		ck_assert(!frame_parse(buf, sizeof(buf), &f));
		return;
	}
	ck_assert(frame_parse(buf, sizeof(buf), &f));
	ck_assert_int_eq(f.link, LINK_NULL);
	ck_assert_int_eq(f.ip_version, 4);
	ck_assert_uint_eq(f.payload_off, 4 + (sizeof(eth_frame) - ETH_HEADER) - f.payload_len);
}
END_TEST

/* A frame cut within its headers is no frame; cut within its payload (a
 * snap length, as tshark -x shows the frame) it is one, what it holds
 * said (payload_cap), when a link header vouches for it: a raw IP packet
 * cut short is not. */
START_TEST(a_cut_frame_is_no_frame)
{
	uint8_t raw[sizeof(eth_frame)];
	struct tcp_frame f, whole;

	ck_assert(frame_parse(eth_frame, sizeof(eth_frame), &whole));
	ck_assert_uint_gt(whole.payload_len, 0);
	for (size_t len = 0; len < sizeof(eth_frame); len++) {
		bool taken = frame_parse(eth_frame, len, &f);
		if (len < whole.payload_off) {
			ck_assert_msg(!taken, "%zu bytes taken", len);
			continue;
		}
		ck_assert_msg(taken, "%zu bytes, the headers whole: not taken", len);
		ck_assert_uint_eq(f.payload_off, whole.payload_off);
		ck_assert_uint_eq(f.payload_len, whole.payload_len);
		ck_assert_uint_eq(f.payload_cap, len - whole.payload_off);
	}
	memcpy(raw, IP_PACKET, IP_PACKET_LEN);
	ck_assert(frame_parse(raw, IP_PACKET_LEN, &f));
	ck_assert_int_eq(f.link, LINK_RAW_IP);
	ck_assert(!frame_parse(raw, IP_PACKET_LEN - 1, &f));
}
END_TEST

/* SOCKS messages as they would be pasted are never frames. */
START_TEST(socks_bytes_are_no_frame)
{
	static const char *const msgs[] = {
		"\x05\x01\x00",
		"\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50",
		"\x04\x01\x00\x50\x42\x66\x07\x63\x46\x72\x65\x64\x00",
		"\x00\x00\x00\x01\x7f\x00\x00\x01\x52\x3d\x71\x75\x65\x72\x79\x31",
		"\x45\x00\x00\x14\x00\x00\x00\x00\x40\x06\x00\x00\x7f\x00\x00\x01\x7f\x00\x00\x01",
	};
	struct tcp_frame f;

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		ck_assert_msg(!frame_parse((const uint8_t *)msgs[i], strlen(msgs[i]) + 1, &f),
			      "message %zu taken for a frame", i);
}
END_TEST

Suite *
frames_suite(void)
{
	Suite *s = suite_create("frames");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, ethernet);
	tcase_add_test(tc, ethernet_padding_is_no_payload);
	tcase_add_test(tc, linux_cooked_v1);
	tcase_add_test(tc, linux_cooked_v2);
	tcase_add_test(tc, raw_ip);
	tcase_add_test(tc, ipv6_syn);
	tcase_add_loop_test(tc, a_bad_checksum_is_no_frame, 0, 12);
	tcase_add_test(tc, an_offloaded_checksum_is_read);
	tcase_add_loop_test(tc, bsd_loopback_is_guessed, 0, 3);
	tcase_add_test(tc, a_cut_frame_is_no_frame);
	tcase_add_test(tc, socks_bytes_are_no_frame);
	suite_add_tcase(s, tc);
	return s;
}
