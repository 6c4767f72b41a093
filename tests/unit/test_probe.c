/* probe's pure parts.  Peers that are not SOCKS (cli/probe_detect.c), by
 * their bytes: an echo service sends back the step's first message; a real
 * answer, or the start of one, is no echo.  The default target
 * (cli/probe_sink.c): a server on loopback gets the listener of its family,
 * any other server none. */
#include <check.h>
#include <string.h>

#include "probe_detect.h"
#include "probe_sink.h"
#include "suites.h"
#include "testutil.h"

/* Whether `in` is taken for an echo of `sent` (both hex); d filled when so. */
static bool
echo_of(const char *sent_hex, const char *in_hex, struct detection *d)
{
	uint8_t sent[64], in[64];
	size_t ns = hexbytes(sent_hex, sent, sizeof(sent));
	size_t ni = hexbytes(in_hex, in, sizeof(in));

	memset(d, 0, sizeof(*d));
	return probe_detect_echo(sent, ns, in, ni, d);
}

START_TEST(greeting_sent_back_is_an_echo)
{
	struct detection d;

	ck_assert(echo_of("05 01 00", "05 01 00", &d));
	ck_assert_int_eq(d.oc, OC_NOT_SOCKS);
	ck_assert_int_eq(d.peer, PEER_ECHO);
	ck_assert_str_eq(d.detail, "sent back what was sent: 05 01 00");
	ck_assert_str_eq(probe_peer_names[d.peer], "echo");
	ck_assert_str_eq(probe_peer_words[d.peer], "it echoes");
}
END_TEST

START_TEST(socks4_request_sent_back_is_an_echo)
{
	struct detection d;

	/* CONNECT 127.0.0.1:1080, empty USERID */
	ck_assert(echo_of("04 01 04 38 7f 00 00 01 00", "04 01 04 38 7f 00 00 01 00", &d));
	ck_assert_int_eq(d.peer, PEER_ECHO);
}
END_TEST

/* More after the echo (the next message of a chatty peer) is still one. */
START_TEST(echo_followed_by_more)
{
	struct detection d;

	ck_assert(echo_of("05 01 02", "05 01 02 05 01 02", &d));
	ck_assert_str_eq(d.detail, "sent back what was sent: 05 01 02 05 01 02");
}
END_TEST

/* Real answers: a method selection, even one equal to the greeting's first
 * two bytes (05 01 to a greeting offering GSSAPI), a SOCKS4 reply. */
START_TEST(answers_are_no_echo)
{
	struct detection d;

	ck_assert(!echo_of("05 01 00", "05 00", &d));
	ck_assert(!echo_of("05 01 01", "05 01", &d));
	ck_assert(!echo_of("05 01 00", "05 ff", &d));
	ck_assert(!echo_of("04 01 04 38 7f 00 00 01 00", "00 5a 04 38 7f 00 00 01", &d));
	ck_assert(!echo_of("05 01 00", "05 01 01", &d));
	ck_assert(!echo_of("05 01 00", "", &d));
}
END_TEST

static struct host
address(enum host_kind kind, const uint8_t *addr, uint16_t port)
{
	struct host h;

	memset(&h, 0, sizeof(h));
	h.kind = kind;
	memcpy(h.addr, addr, kind == HOST_IPV4 ? 4 : 16);
	h.port = port;
	return h;
}

/* Listener descriptors here are only tested for >= 0: none is opened. */
START_TEST(loopback_servers_get_the_listener)
{
	const struct probe_sink k = { .fd4 = 7, .fd6 = 8, .port4 = 40001, .port6 = 40002 };
	static const uint8_t lo2[4] = { 127, 0, 0, 2 };
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct host server, t;

	server = address(HOST_IPV4, lo2, 1080);
	ck_assert(probe_sink_target(&k, &server, &t));
	ck_assert_int_eq(t.kind, HOST_IPV4);
	ck_assert_mem_eq(t.addr, "\x7f\x00\x00\x01", 4);
	ck_assert_uint_eq(t.port, 40001);
	ck_assert_str_eq(t.name, "127.0.0.1");
	ck_assert_uint_eq(t.namelen, 9);

	server = address(HOST_IPV6, lo6, 1080);
	ck_assert(probe_sink_target(&k, &server, &t));
	ck_assert_int_eq(t.kind, HOST_IPV6);
	ck_assert_mem_eq(t.addr, lo6, 16);
	ck_assert_uint_eq(t.port, 40002);
	ck_assert_str_eq(t.name, "::1");

	server = address(HOST_IPV6, mapped, 1080);
	ck_assert(probe_sink_target(&k, &server, &t));
	ck_assert_uint_eq(t.port, 40002);
}
END_TEST

START_TEST(other_servers_keep_their_own_address)
{
	const struct probe_sink k = { .fd4 = 7, .fd6 = -1, .port4 = 40001 };
	static const uint8_t lan[4] = { 192, 168, 1, 10 }, almost[4] = { 128, 0, 0, 1 };
	static const uint8_t lo6[16] = { [15] = 1 }, v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct host server, t;

	server = address(HOST_IPV4, lan, 1080);
	ck_assert(!probe_sink_target(&k, &server, &t));
	server = address(HOST_IPV4, almost, 1080);
	ck_assert(!probe_sink_target(&k, &server, &t));
	server = address(HOST_IPV6, v6, 1080);
	ck_assert(!probe_sink_target(&k, &server, &t));
	/* on loopback, but no listener of its family could be had */
	server = address(HOST_IPV6, lo6, 1080);
	ck_assert(!probe_sink_target(&k, &server, &t));
}
END_TEST

Suite *
probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("echo");

	tcase_add_test(tc, greeting_sent_back_is_an_echo);
	tcase_add_test(tc, socks4_request_sent_back_is_an_echo);
	tcase_add_test(tc, echo_followed_by_more);
	tcase_add_test(tc, answers_are_no_echo);
	suite_add_tcase(s, tc);
	tc = tcase_create("sink");
	tcase_add_test(tc, loopback_servers_get_the_listener);
	tcase_add_test(tc, other_servers_keep_their_own_address);
	suite_add_tcase(s, tc);
	return s;
}
