/*
 * The flow over whole sessions: transcripts recorded from danted,
 * microsocks and ssh -D (tests/transcripts/real-*), written from the
 * protocol (proto-*) and of misbehaving servers (bad-*).  Each is fed
 * whole, cut at every split point, and one byte at a time; the events must
 * be the same every time and equal to the list written here from the
 * protocol.
 */
#include <stdio.h>
#include <string.h>

#include "flowtest.h"
#include "suites.h"
#include "testutil.h"

struct flow_case {
	const char *file;
	const char *const *events;
};

#define EV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The SOCKS5 handshake up to the request, no authentication. */
#define S5_HELLO "C greeting@0", "phase method selection", "S method@0", "phase request", \
		 "C request@3", "phase reply"

static const struct flow_case cases[] = {
	/* Recorded from real servers. */
	{ "real-danted-s5-connect.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase tunnel", "C tunnel 5@13",
	     "C close fin in tunnel", "S tunnel 5@12", "S close fin in tunnel") },
	{ "real-danted-s5-refused.txt",
	  EV(S5_HELLO, "S reply@2", "outcome refused 0x05", "phase end", "S close reset in end") },
	{ "real-danted-s5-udp.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase UDP association",
	     "C close fin in UDP association", "S close fin in UDP association") },
	{ "real-danted-s4-connect.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome granted", "phase tunnel",
	     "C tunnel 5@9", "S tunnel 5@8", "C close fin in tunnel", "S close fin in tunnel") },
	{ "real-danted-s4a-connect.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome refused 0x5b", "phase end",
	     "S close fin in end", "C close fin in end") },
	{ "real-microsocks-s5-connect.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase tunnel", "C tunnel 5@13",
	     "C close fin in tunnel", "S close fin in tunnel") },
	{ "real-microsocks-s5-userpass.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "phase username/password authentication", "C auth@4", "S auth-status@2",
	     "phase request", "C request@18", "phase reply", "S reply@4", "outcome granted",
	     "phase tunnel", "C tunnel 5@28", "C close fin in tunnel", "S close fin in tunnel") },
	{ "real-microsocks-s5-badpass.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "phase username/password authentication", "C auth@4", "S auth-status@2",
	     "outcome authentication failed 0x02", "phase end", "S close fin in end",
	     "C close fin in end") },
	{ "real-ssh-s5-connect.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase tunnel", "C tunnel 5@13",
	     "C close fin in tunnel", "S tunnel 5@12", "S close fin in tunnel") },
	{ "real-ssh-s4-connect.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome granted", "phase tunnel",
	     "C tunnel 5@9", "C close fin in tunnel", "S tunnel 5@8", "S close fin in tunnel") },
	{ "real-ssh-s5-bind.txt",
	  EV(S5_HELLO, "S close fin in reply", "outcome closed S fin in reply",
	     "S hint cmd-unsupported ''", "phase end", "C close fin in end") },

	{ "real-tor-s5-bind.txt",
	  EV(S5_HELLO, "S reply@2", "outcome refused 0x07", "phase end", "S close fin in end",
	     "C close fin in end") },
	{ "real-tor-s5-onion.txt",
	  EV(S5_HELLO, "S reply@2", "outcome refused 0xf6", "phase end", "S close fin in end",
	     "C close fin in end") },
	{ "real-tor-s5-resolve-ptr.txt", /* REP 04 with ATYP 00: still the refusal */
	  EV(S5_HELLO, "S anomaly ATYP@5", "outcome refused 0x04", "phase end",
	     "S close fin in end", "C close fin in end") },
	{ "real-tor-s4a-onion.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome refused 0x5b", "phase end",
	     "S close fin in end", "C close fin in end") },

	{ "real-badserver-ok5-glued.txt", /* the reply and data in one read */
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase tunnel", "S tunnel 6@12",
	     "C tunnel 5@13", "C close fin in tunnel", "S tunnel 5@18", "S close fin in tunnel") },
	{ "real-badserver-atyp-unknown.txt", /* REP 00 with ATYP 07: no tunnel can start */
	  EV(S5_HELLO, "outcome violation S ATYP@5", "phase end", "C close fin in end",
	     "S close fin in end") },
	{ "real-badserver-garbage.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "S close fin in end", "C close fin in end") },
	{ "real-badserver-trunc5-6-reset.txt",
	  EV(S5_HELLO, "S close reset in reply", "outcome closed S reset in reply at BND.ADDR",
	     "phase end") },
	{ "real-badserver-wrongver.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "C close fin in end", "S close fin in end") },

	/* Written from the protocol. */
	{ "proto-s5-connect.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase tunnel", "C tunnel 5@13",
	     "S tunnel 5@12", "C close fin in tunnel", "S close fin in tunnel") },
	{ "proto-s5-pipelined.txt",
	  EV(S5_HELLO, "C anomaly -@13", "C tunnel 5@13", "S reply@2", "outcome granted",
	     "phase tunnel", "S tunnel 5@12") },
	{ "proto-s5-userpass.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "phase username/password authentication", "C auth@4", "S auth-status@2",
	     "phase request", "C request@15", "phase reply", "S reply@4", "outcome granted",
	     "phase tunnel") },
	{ "proto-s5-authfail.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "phase username/password authentication", "C auth@3", "S auth-status@2",
	     "outcome authentication failed 0x01", "phase end", "outcome violation S -@4",
	     "S close fin in end") },
	{ "proto-s5-nomethod.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "outcome no acceptable method 0xff", "phase end", "S close fin in end") },
	{ "proto-s5-refused.txt",
	  EV(S5_HELLO, "S reply@2", "outcome refused 0x05", "phase end",
	     "outcome violation S -@12") },
	{ "proto-s4-connect.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome granted", "phase tunnel",
	     "C tunnel 5@12", "S tunnel 5@8") },
	{ "proto-s4a-connect.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome refused 0x5b", "phase end",
	     "S close fin in end") },
	{ "proto-s4-bind.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "phase BIND's second reply",
	     "S s4-reply@8", "outcome granted", "phase tunnel", "S tunnel 8@16") },
	{ "proto-s5-bind.txt",
	  EV(S5_HELLO, "S reply@2", "phase BIND's second reply", "S reply@12", "outcome granted",
	     "phase tunnel", "S tunnel 2@22", "C tunnel 2@13") },
	{ "proto-s5-udp.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase UDP association",
	     "C close fin in UDP association", "S close fin in UDP association") },
	{ "proto-tor-resolve.txt",
	  EV(S5_HELLO, "S reply@2", "outcome granted", "phase end", "S close fin in end") },
	{ "proto-tor-resolve-ptr.txt", EV(S5_HELLO, "S reply@2", "outcome granted", "phase end") },
	{ "bad-tor-resolve-name.txt",
	  EV(S5_HELLO, "S reply@2", "outcome violation S ATYP@5", "phase end") },
	{ "bad-tor-resolve-ptr-address.txt",
	  EV(S5_HELLO, "S reply@2", "outcome violation S ATYP@5", "phase end") },
	{ "proto-s4-resolve.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome granted", "phase end") },
	{ "proto-gssapi.txt",
	  EV("C greeting@0", "phase method selection", "S method@0", "phase GSSAPI authentication",
	     "C gssapi@3", "S gssapi@2", "C gssapi@11", "S gssapi@8",
	     "phase GSSAPI-protected request", "C gssapi@16", "S gssapi@13") },
	{ "proto-gssapi-abort.txt",
	  EV("C greeting@0", "phase method selection", "S method@0", "phase GSSAPI authentication",
	     "C gssapi@3", "S gssapi@2", "outcome authentication failed 0xff", "phase end") },

	/* Misbehaviour. */
	{ "bad-method-unoffered.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "outcome violation S METHOD@1", "phase end") },
	{ "bad-s4-vn4.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "S anomaly VN@0", "outcome granted",
	     "phase tunnel") },
	{ "bad-s4-vn4-cd.txt",
	  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome violation S VN@0",
	     "phase end") },
	{ "bad-ssh.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "S hint ssh 'SSH-2.0-OpenSSH_9.2p1 Debian-2'") },
	{ "bad-smtp.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "S hint banner-220 '220 mail.example ESMTP'") },
	{ "bad-http-client.txt",
	  EV("outcome violation C VER@0", "phase end",
	     "C hint http-request 'CONNECT example.com:443 HTTP/1.1'") },
	{ "bad-http-unfinished.txt",
	  EV("outcome violation C VER@0", "phase end", "C close fin in end",
	     "C hint http-request 'GET / HTTP/1.1'") },
	{ "bad-http-server.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "S hint http-response 'HTTP/1.1 400 Bad Request'") },
	{ "bad-tls-client.txt",
	  EV("outcome violation C VER@0", "phase end", "C hint tls '\\x16\\x03\\x01'") },
	{ "bad-echo.txt",
	  EV("C greeting@0", "phase method selection", "S method@0",
	     "outcome violation S METHOD@1", "phase end", "S hint echo '\\x05\\x01\\x00'") },
	{ "bad-s5-for-s4.txt",
	  EV("C s4-request@0", "phase reply", "outcome violation S VN@0", "phase end",
	     "S hint socks5-for-4 '\\x05\\xff'", "S close fin in end") },
	{ "bad-s4-for-s5.txt",
	  EV("C greeting@0", "phase method selection", "outcome violation S VER@0", "phase end",
	     "S hint socks4-for-5 '\\x00['") },
	{ "bad-close-bind.txt",
	  EV(S5_HELLO, "S close fin in reply", "outcome closed S fin in reply",
	     "S hint cmd-unsupported ''", "phase end") },
	{ "bad-close-accept.txt",
	  EV("C greeting@0", "phase method selection", "S close reset in method selection",
	     "outcome closed S reset in method selection", "S hint access-rule ''",
	     "phase end") },
	{ "bad-close-in-reply.txt",
	  EV(S5_HELLO, "S close fin in reply", "outcome closed S fin in reply at BND.ADDR",
	     "phase end") },
};

static struct ft_transcript tr;
static struct ft_events got;

/* Whole chunks, every split point, one byte at a time: the same events. */
START_TEST(transcript_every_split)
{
	const struct flow_case *c = &cases[_i];
	size_t longest = 0;
	char what[128];

	ft_load(c->file, &tr);
	for (size_t i = 0; i < tr.n; i++)
		if (tr.chunks[i].len > longest)
			longest = tr.chunks[i].len;
	ft_run(&tr, 0, FT_CHUNK_MAX, 0, &got);
	snprintf(what, sizeof(what), "%s, whole chunks", c->file);
	ft_expect(what, &got, c->events);
	ft_run(&tr, 0, 1, 0, &got);
	snprintf(what, sizeof(what), "%s, one byte at a time", c->file);
	ft_expect(what, &got, c->events);
	for (size_t k = 1; k < longest; k++) {
		ft_run(&tr, 0, 0, k, &got);
		snprintf(what, sizeof(what), "%s, each chunk cut at %zu", c->file, k);
		ft_expect(what, &got, c->events);
	}
}
END_TEST

/* A version given up front: a SOCKS4 request is a violation of SOCKS5. */
START_TEST(version_given)
{
	ft_load("proto-s4-connect.txt", &tr);
	ft_run(&tr, 5, FT_CHUNK_MAX, 0, &got);
	ft_expect("socks5 given, socks4 sent", &got, EV("outcome violation C VER@0", "phase end"));
	ft_run(&tr, 4, 1, 0, &got);
	ft_expect("socks4 given", &got,
		  EV("C s4-request@0", "phase reply", "S s4-reply@0", "outcome granted",
		     "phase tunnel", "C tunnel 5@12", "S tunnel 5@8"));
}
END_TEST

struct tunnel_seen {
	const uint8_t *data;
	size_t len;
	int n;
};

static void
catch_tunnel(void *ctx, const struct flow_event *ev)
{
	struct tunnel_seen *t = ctx;

	if (ev->kind == FLOW_EV_TUNNEL) {
		t->data = ev->data;
		t->len = ev->len;
		t->n++;
	}
}

/* Tunnel bytes after a reply in the same read are the caller's, not copied. */
START_TEST(tunnel_bytes_are_the_callers)
{
	static const uint8_t greeting[] = { 5, 1, 0 };
	static const uint8_t request[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 };
	static const uint8_t answer[] = { 5, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0xd4, 0x31, 'h', 'i' };
	struct tunnel_seen seen = { 0 };
	struct flow_config cfg = { .version = 5, .on_event = catch_tunnel, .ctx = &seen };
	struct flow fl;
	struct flow_expect x;

	flow_init(&fl, &cfg);
	x = flow_expect(&fl, FLOW_CLIENT);
	ck_assert(x.kind == FLOW_X_MESSAGE && x.type == MSG_S5_GREETING);
	ck_assert_uint_eq(flow_feed(&fl, FLOW_CLIENT, greeting, sizeof(greeting)), 3);
	x = flow_expect(&fl, FLOW_SERVER);
	ck_assert(x.kind == FLOW_X_MESSAGE && x.type == MSG_S5_METHOD);
	ck_assert(flow_expect(&fl, FLOW_CLIENT).kind == FLOW_X_NOTHING);
	ck_assert_uint_eq(flow_feed(&fl, FLOW_SERVER, answer, 2), 2);
	x = flow_expect(&fl, FLOW_CLIENT);
	ck_assert(x.kind == FLOW_X_MESSAGE && x.type == MSG_S5_REQUEST);
	ck_assert(flow_expect(&fl, FLOW_SERVER).kind == FLOW_X_NOTHING);
	ck_assert_uint_eq(flow_feed(&fl, FLOW_CLIENT, request, sizeof(request)), 10);
	x = flow_expect(&fl, FLOW_SERVER);
	ck_assert(x.kind == FLOW_X_MESSAGE && x.type == MSG_S5_REPLY);
	ck_assert(flow_phase(&fl) == FLOW_PH_REPLY);
	ck_assert_uint_eq(flow_feed(&fl, FLOW_SERVER, answer + 2, sizeof(answer) - 2), 10);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_ptr_eq(seen.data, answer + 12);
	ck_assert_uint_eq(seen.len, 2);
	ck_assert(flow_outcome(&fl)->result == FLOW_RES_GRANTED);
	ck_assert(flow_expect(&fl, FLOW_SERVER).kind == FLOW_X_TUNNEL);
}
END_TEST

/* A refusal names its code's meaning from the name tables. */
START_TEST(refusal_meaning)
{
	struct flow fl;
	struct flow_config cfg = { .version = 5 };
	static const uint8_t c[] = { 5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80 };
	static const uint8_t s[] = { 5, 0, 5, 2, 0, 1, 0, 0, 0, 0, 0, 0 };

	flow_init(&fl, &cfg);
	flow_feed(&fl, FLOW_CLIENT, c, sizeof(c));
	flow_feed(&fl, FLOW_SERVER, s, sizeof(s));
	ck_assert(flow_outcome(&fl)->result == FLOW_RES_REFUSED);
	ck_assert_uint_eq(flow_outcome(&fl)->code, 2);
	ck_assert_str_eq(flow_outcome(&fl)->meaning, "connection not allowed by ruleset");
	ck_assert(flow_expect(&fl, FLOW_SERVER).kind == FLOW_X_END);
}
END_TEST

/* More than a message's worth of bytes held unasked is a violation, bounded. */
START_TEST(held_bytes_bounded)
{
	static uint8_t junk[FLOW_MSG_MAX + 10];
	struct flow fl;
	struct flow_config cfg = { .version = 5 };

	memset(junk, 'x', sizeof(junk));
	flow_init(&fl, &cfg);
	ck_assert_uint_eq(flow_feed(&fl, FLOW_SERVER, junk, sizeof(junk)), sizeof(junk));
	ck_assert(flow_outcome(&fl)->result == FLOW_RES_VIOLATION);
	ck_assert(flow_outcome(&fl)->side == FLOW_SERVER);
	ck_assert_uint_eq(flow_outcome(&fl)->off, FLOW_MSG_MAX);
}
END_TEST

/* flow_room: what a relay may read from a side before the other answers. */
START_TEST(room_until_the_other_side_answers)
{
	static const uint8_t greet[] = {0x05, 0x01, 0x00}, method[] = {0x05, 0x00};
	static const uint8_t req[] = {0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x00, 0x50};
	static const uint8_t rep[] = {0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	struct flow fl;
	struct flow_config cfg = {.version = 0};

	flow_init(&fl, &cfg);
	ck_assert_uint_eq(flow_room(&fl, FLOW_CLIENT), FLOW_MSG_MAX);
	flow_feed(&fl, FLOW_CLIENT, greet, sizeof(greet));
	flow_feed(&fl, FLOW_CLIENT, req, sizeof(req)); /* held: the method is owed first */
	ck_assert_uint_eq(flow_room(&fl, FLOW_CLIENT), FLOW_MSG_MAX - sizeof(req));
	ck_assert_uint_eq(flow_room(&fl, FLOW_SERVER), FLOW_MSG_MAX);
	/* the method lets the request out; after it, the client's bytes are
	   the tunnel's (early, but not held back) */
	flow_feed(&fl, FLOW_SERVER, method, sizeof(method));
	ck_assert_uint_eq(flow_room(&fl, FLOW_CLIENT), SIZE_MAX);
	ck_assert_uint_eq(flow_room(&fl, FLOW_SERVER), FLOW_MSG_MAX);
	flow_feed(&fl, FLOW_SERVER, rep, sizeof(rep));
	ck_assert_uint_eq(flow_room(&fl, FLOW_CLIENT), SIZE_MAX);
	ck_assert_uint_eq(flow_room(&fl, FLOW_SERVER), SIZE_MAX);
	ck_assert(flow_outcome(&fl)->result == FLOW_RES_GRANTED);
}
END_TEST

/* flow_held: what a session that ends without a close leaves undecoded. */
START_TEST(held_at_the_end)
{
	static const uint8_t greet[] = {0x05, 0x01, 0x00}, method[] = {0x05, 0x00};
	static const uint8_t req[] = {0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0x00, 0x50};
	static const uint8_t rep[] = {0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	struct flow fl;
	struct flow_config cfg = {.version = 0};
	char why[128];

	flow_init(&fl, &cfg);
	ck_assert_uint_eq(flow_held(&fl, FLOW_CLIENT, why, sizeof(why)), 0);
	flow_feed(&fl, FLOW_CLIENT, greet, sizeof(greet));
	flow_feed(&fl, FLOW_CLIENT, req, sizeof(req)); /* before the method came */
	ck_assert_uint_eq(flow_held(&fl, FLOW_CLIENT, why, sizeof(why)), sizeof(req));
	ck_assert_str_eq(why, "sent before the server answered");
	flow_feed(&fl, FLOW_SERVER, method, 1); /* half a method selection */
	ck_assert_uint_eq(flow_held(&fl, FLOW_SERVER, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "ended inside the SOCKS5 method selection after 1 of at least 2 "
			      "bytes");
	flow_feed(&fl, FLOW_SERVER, method + 1, 1);
	ck_assert_uint_eq(flow_held(&fl, FLOW_CLIENT, why, sizeof(why)), 0);
	flow_feed(&fl, FLOW_SERVER, rep, 7);
	ck_assert_uint_eq(flow_held(&fl, FLOW_SERVER, why, sizeof(why)), 7);
	ck_assert_str_eq(why, "ended inside the SOCKS5 reply after 7 of at least 10 bytes");
	flow_feed(&fl, FLOW_SERVER, rep + 7, 3);
	ck_assert(flow_outcome(&fl)->result == FLOW_RES_GRANTED);
	/* tunnel data is the caller's: nothing held */
	flow_feed(&fl, FLOW_SERVER, (const uint8_t *)"xy", 2);
	ck_assert_uint_eq(flow_held(&fl, FLOW_SERVER, why, sizeof(why)), 0);
	ck_assert_uint_eq(flow_held(&fl, FLOW_CLIENT, why, sizeof(why)), 0);
}
END_TEST

/* A GSSAPI token longer than the flow holds is legal (RFC 1961: up to
 * 65535 bytes): the negotiation is not followed, and nobody is blamed. */
START_TEST(gssapi_token_longer_than_held)
{
	static const uint8_t greet[] = {0x05, 0x01, 0x01}, method[] = {0x05, 0x01};
	static const uint8_t head[] = {0x01, 0x01, 0x0b, 0xb8}; /* a 3000-byte token */
	uint8_t token[3000];
	struct flow fl;
	struct flow_config cfg = {.version = 0};

	memset(token, 0x60, sizeof(token));
	flow_init(&fl, &cfg);
	flow_feed(&fl, FLOW_CLIENT, greet, sizeof(greet));
	flow_feed(&fl, FLOW_SERVER, method, sizeof(method));
	flow_feed(&fl, FLOW_CLIENT, head, sizeof(head));
	flow_feed(&fl, FLOW_CLIENT, token, sizeof(token));
	ck_assert_int_eq(flow_outcome(&fl)->result, FLOW_RES_OPAQUE);
	ck_assert_uint_eq(flow_outcome(&fl)->code, 0x01);
	ck_assert_int_eq(flow_outcome(&fl)->side, FLOW_CLIENT);
	ck_assert_str_eq(flow_outcome(&fl)->why, "a GSSAPI frame of 3004 bytes from the client, "
						 "more than the 2058 sockscope holds");
	/* the server's answer token is no violation either */
	flow_feed(&fl, FLOW_SERVER, head, sizeof(head));
	flow_feed(&fl, FLOW_SERVER, token, sizeof(token));
	flow_close(&fl, FLOW_SERVER, FLOW_FIN);
	ck_assert_int_eq(flow_outcome(&fl)->result, FLOW_RES_OPAQUE);
}
END_TEST

Suite *
flow_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("flow");

	tcase_add_loop_test(tc, transcript_every_split, 0, (int)NELEM(cases));
	tcase_add_test(tc, version_given);
	tcase_add_test(tc, tunnel_bytes_are_the_callers);
	tcase_add_test(tc, refusal_meaning);
	tcase_add_test(tc, held_bytes_bounded);
	tcase_add_test(tc, room_until_the_other_side_answers);
	tcase_add_test(tc, held_at_the_end);
	tcase_add_test(tc, gssapi_token_longer_than_held);
	suite_add_tcase(s, tc);
	return s;
}
