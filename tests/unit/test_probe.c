/* probe's pure parts.  What a step's flow says (cli/probe_flow.c): peers
 * that are not SOCKS, by the hints on their bytes (an echo service sends
 * back the step's first message; a real answer, or the start of one, is no
 * echo); violations and closes; BIND's reply roles.  The default target
 * (cli/probe_sink.c): a server on loopback gets the listener of its family,
 * any other server none. */
#include <check.h>
#include <string.h>

#include "probe_flow.h"
#include "probe_sink.h"
#include "suites.h"
#include "testutil.h"

/* A step's flow, as the engine drives it (cli/probe_flow.c): what the step
 * sent, what it received (kept in `in`, as the slot keeps it), the close. */
static struct step_res res;
static struct step_flow sf;
static uint8_t in[512];
static size_t have;
static enum view_role roles[8];
static size_t nroles;

static void
note_role(void *ctx, const struct msg *m, enum view_role role)
{
	(void)ctx;
	if ((m->desc->type == MSG_S5_REPLY || m->desc->type == MSG_S4_REPLY) && nroles < 8)
		roles[nroles++] = role;
}

static void
start(int version)
{
	memset(&res, 0, sizeof(res));
	res.code = -1;
	memset(&sf, 0, sizeof(sf));
	sf.on_message = note_role;
	have = nroles = 0;
	probe_flow_start(&sf, version, &res);
}

static void
sent(const char *hex)
{
	uint8_t b[256];
	size_t n = hexbytes(hex, b, sizeof(b));

	probe_flow_sent(&sf, b, n);
}

static void
got(const char *hex)
{
	size_t n = hexbytes(hex, in + have, sizeof(in) - have);

	probe_flow_received(&sf, in + have, n);
	have += n;
}

static bool
result(enum step_goal goal, bool closes)
{
	if (closes)
		flow_close(&sf.fl, FLOW_SERVER, FLOW_FIN);
	return probe_flow_result(&sf, goal, in, have, closes, "");
}

START_TEST(greeting_sent_back_is_an_echo)
{
	start(5);
	sent("05 01 00");
	got("05 01 00");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_NOT_SOCKS);
	ck_assert_int_eq(res.peer, PEER_ECHO);
	ck_assert_ptr_nonnull(strstr(res.detail, "an echo service (05 01 00)"));
	ck_assert(!res.s5_seen);
	ck_assert_str_eq(probe_peer_names[res.peer], "echo");
	ck_assert_str_eq(probe_peer_words[res.peer], "it echoes");
}
END_TEST

START_TEST(socks4_request_sent_back_is_an_echo)
{
	/* CONNECT 127.0.0.1:1080, empty USERID */
	start(4);
	sent("04 01 04 38 7f 00 00 01 00");
	got("04 01 04 38 7f 00 00 01 00");
	ck_assert(result(GOAL_REPLY, false));
	ck_assert_int_eq(res.peer, PEER_ECHO);
}
END_TEST

/* More after the echo (the next message of a chatty peer) is still one; an
 * echo that came in two pieces is one once the second came. */
START_TEST(echo_followed_by_more)
{
	start(5);
	sent("05 01 02");
	got("05 01 02 05 01 02");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.peer, PEER_ECHO);
	ck_assert_ptr_nonnull(strstr(res.detail, "(05 01 02 05 01 02)"));

	start(4);
	sent("04 01 04 38 7f 00 00 01 'bob' 00");
	got("04 01 04 38 7f 00 00 01");
	ck_assert(!result(GOAL_REPLY, false)); /* the echo may go on */
	got("'bob' 00");
	ck_assert(result(GOAL_REPLY, false));
	ck_assert_int_eq(res.peer, PEER_ECHO);
}
END_TEST

/* Real answers: a method selection, even one equal to the greeting's first
 * two bytes (05 01 to a greeting offering GSSAPI), a SOCKS4 reply. */
START_TEST(answers_are_no_echo)
{
	start(5);
	sent("05 01 00");
	got("05 00");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_OK);
	ck_assert_int_eq(res.code, 0);
	ck_assert_str_eq(res.detail, "chose method 0x00");

	start(5);
	sent("05 01 01");
	got("05 01");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_OK);
	ck_assert_int_eq(res.code, 1);

	start(5);
	sent("05 01 00");
	got("05 ff");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_REFUSED);
	ck_assert_int_eq(res.code, 0xff);
	ck_assert(res.s5_seen);

	start(4);
	sent("04 01 04 38 7f 00 00 01 00");
	got("00 5a 04 38 7f 00 00 01");
	ck_assert(result(GOAL_REPLY, false));
	ck_assert_int_eq(res.oc, OC_OK);
	ck_assert_int_eq(res.code, 0x5a);
	ck_assert_int_eq(res.peer, PEER_NONE);
}
END_TEST

/* Peers that are not SOCKS, named by the hints, their first line escaped. */
START_TEST(other_protocols_are_named)
{
	start(5);
	sent("05 01 00");
	got("'HTTP/1.1 400 Bad' 1b 'Request' 0d 0a 0d 0a");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_NOT_SOCKS);
	ck_assert_int_eq(res.peer, PEER_HTTP);
	ck_assert_ptr_nonnull(strstr(res.detail, ": HTTP/1.1 400 Bad\\x1bRequest ("));

	start(5);
	sent("05 01 00");
	got("'SSH-2.0-OpenSSH_9.6'");
	ck_assert(!result(GOAL_METHOD, false)); /* the banner's line is not whole yet */
	got("0d 0a");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.peer, PEER_SSH);
	ck_assert_ptr_nonnull(strstr(res.detail, "an SSH server: SSH-2.0-OpenSSH_9.6 ("));

	start(5);
	sent("05 01 00");
	got("15 03 01 00 02 02 46");
	ck_assert(result(GOAL_METHOD, true));
	ck_assert_int_eq(res.peer, PEER_TLS);
	ck_assert_str_eq(probe_peer_words[res.peer], "a TLS server");

	start(5);
	sent("05 01 00");
	got("00 5b 00 00 00 00 00 00");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_OTHER_VERSION);
	ck_assert_int_eq(res.peer, PEER_NONE);
	ck_assert_int_eq(res.code, -1); /* no answer of the version spoken */

	/* bytes no hint names: malformed, in SOCKS's shape or not */
	start(5);
	sent("05 01 00");
	got("06 00");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_MALFORMED);
	ck_assert(!res.socksish);
	ck_assert_ptr_nonnull(strstr(res.detail, "at offset 0 in VER"));
}
END_TEST

/* A method not offered is a violation, no answer; a reply cut short after
 * its REP keeps that REP; a close after BIND is explained. */
START_TEST(violations_and_closes)
{
	start(5);
	sent("05 01 00");
	got("05 02");
	ck_assert(result(GOAL_METHOD, false));
	ck_assert_int_eq(res.oc, OC_MALFORMED);
	ck_assert(res.unoffered && res.socksish && !res.s5_seen);
	ck_assert_int_eq(res.code, 2);
	ck_assert_str_eq(res.detail, "chose method 0x02, which was not offered");
	ck_assert_ptr_nonnull(strstr(res.anom[0], "not offered"));

	start(5);
	sent("05 01 00");
	got("05 00");
	ck_assert(!result(GOAL_REPLY, false));
	sent("05 02 00 01 7f 00 00 01 04 38");
	got("05 07");
	ck_assert(result(GOAL_REPLY, true));
	ck_assert_int_eq(res.oc, OC_CLOSED);
	ck_assert_int_eq(res.code, 7);
	ck_assert_str_eq(res.meaning, "command not supported");
	ck_assert_ptr_nonnull(strstr(res.detail, "(05 07), REP 0x07 command not supported"));
	ck_assert(res.s5_seen);

	start(5);
	sent("05 01 00");
	got("05 00");
	sent("05 02 00 01 7f 00 00 01 04 38");
	ck_assert(result(GOAL_REPLY, true));
	ck_assert_int_eq(res.oc, OC_CLOSED);
	ck_assert_int_eq(res.code, -1);
	ck_assert_str_eq(res.detail,
			 "closed with no reply: this server may not support CMD 0x02 (BIND)");
}
END_TEST

/* BIND's replies are titled by their role: the first where the server
 * listens, the second the peer that connected. */
/* Bytes glued after the answer the step came for (BIND's first reply, a
 * UDP ASSOCIATE granted) may break the flow after it: the answer stands. */
START_TEST(an_answer_stands_before_what_follows_it)
{
	start(5);
	sent("05 01 00");
	got("05 00");
	sent("05 02 00 01 7f 00 00 01 04 38");
	got("05 00 00 01 7f 00 00 01 9c 40 'HELLO' 0a");
	ck_assert(result(GOAL_REPLY, false));
	ck_assert_int_eq(res.oc, OC_OK);
	ck_assert_int_eq(res.code, 0);
	ck_assert_str_eq(res.detail, "granted");

	start(5);
	sent("05 01 00");
	got("05 00");
	sent("05 03 00 01 00 00 00 00 00 00");
	got("05 00 00 01 7f 00 00 01 9c 40 05 00 00 01 7f 00 00 01 9c 41");
	ck_assert(result(GOAL_REPLY, true));
	ck_assert_int_eq(res.oc, OC_OK);
}
END_TEST

START_TEST(bind_replies_have_their_role)
{
	start(5);
	sent("05 01 00");
	got("05 00");
	sent("05 02 00 01 7f 00 00 01 04 38");
	got("05 00 00 01 7f 00 00 01 9c 40");
	ck_assert(result(GOAL_REPLY, false));
	ck_assert_int_eq(res.oc, OC_OK);
	got("05 00 00 01 7f 00 00 01 d4 31");
	ck_assert_uint_eq(nroles, 2);
	ck_assert_int_eq(roles[0], VIEW_ROLE_BIND_FIRST);
	ck_assert_int_eq(roles[1], VIEW_ROLE_BIND_SECOND);

	start(5);
	sent("05 01 00");
	got("05 00");
	sent("05 01 00 01 7f 00 00 01 04 38");
	got("05 00 00 01 7f 00 00 01 9c 40");
	ck_assert_uint_eq(nroles, 1);
	ck_assert_int_eq(roles[0], VIEW_ROLE_NONE);
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
	tcase_add_test(tc, other_protocols_are_named);
	tcase_add_test(tc, violations_and_closes);
	tcase_add_test(tc, an_answer_stands_before_what_follows_it);
	tcase_add_test(tc, bind_replies_have_their_role);
	suite_add_tcase(s, tc);
	tc = tcase_create("sink");
	tcase_add_test(tc, loopback_servers_get_the_listener);
	tcase_add_test(tc, other_servers_keep_their_own_address);
	suite_add_tcase(s, tc);
	return s;
}
