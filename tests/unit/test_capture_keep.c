/*
 * What a capture's sessions keep (capture_engine.c, session_view.c): a
 * segment sent again whose bytes differ from the first copy is said, once
 * per segment, at the offset and length where they differ, the first copy
 * decoded; an equal one is not; and the budget for what all open sessions
 * keep (cap_config.keep_budget): past it a session counts on and keeps no
 * more, says so, and gives back what it took when it ends.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "capsim.h"
#include "capture_engine_int.h"
#include "suites.h"

/* The request sent again with its port's low byte changed (stream offset 3
 * + 9 = 12), and the greeting sent again unchanged. */
START_TEST(resend_that_differs_is_said)
{
	struct sim s;

	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 2);
	pkt(&s, 0, TCPF_ACK, 3, REQUEST, 10, 2);
	pkt(&s, 0, TCPF_ACK, 3, "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x51", 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 13, NULL, 0, 12);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 12, NULL, 0, 14);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	ck_assert_str_eq(s.got.target, "127.0.0.1:80"); /* the first copy's port */
	ck_assert_uint_eq(s.got.resends_differ, 1);
	expect_text(&s, "-> anomaly: resent bytes differ from the first copy: 1 byte at offset "
		    "0x000c of the client's stream; the first copy is kept\n");
	ck_assert_ptr_null(strstr(strstr(s.got.text, "resent bytes") + 1, "resent bytes"));
	ck_assert_msg(strstr(s.got.row, "granted (1 resend differs)") != NULL, "%s", s.got.row);
}
END_TEST

/* The server's reply held behind a hole, sent again with two bytes
 * changed three bytes apart: one line, from the first to the last. */
START_TEST(resend_of_held_bytes_differs)
{
	struct sim s;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING REQUEST, 13, 0);
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);
	pkt(&s, 1, TCPF_ACK, 2, "\x05\x00\x00\x01\x7f\x01\x00\x02\x9c\x41", 10, 13);
	pkt(&s, 1, TCPF_ACK, 0, METHOD, 2, 13);
	sim_end(&s);
	ck_assert_str_eq(s.got.outcome, "granted");
	expect_text(&s, "<- anomaly: resent bytes differ from the first copy: 3 bytes at offset "
		    "0x0007 of the server's stream");
	expect_text(&s, "BND 127.0.0.1:40001");
}
END_TEST

/* Many copies that differ: the first SV_RESENDS_SHOWN said, the rest
 * counted. */
START_TEST(resends_said_are_bounded)
{
	struct sim s;
	const unsigned n = SV_RESENDS_SHOWN + 5;

	sim_start(&s, false, 1080);
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, GREETING, 3, 0);
	for (unsigned i = 0; i < n; i++)
		pkt(&s, 0, TCPF_ACK, 0, i % 2 ? "\x05\x01\x02" : "\x05\x01\x01", 3, 0);
	sim_end(&s);
	ck_assert_uint_eq(s.got.resends_differ, n);
	size_t lines = 0;
	for (const char *p = s.got.text; (p = strstr(p, "resent bytes differ")) != NULL; p++)
		lines++;
	ck_assert_uint_eq(lines, SV_RESENDS_SHOWN);
	expect_text(&s, "25 resends that differ from the first copy, the first 20 shown, the "
		    "rest counted");
}
END_TEST

/* A SOCKS5 GSSAPI negotiation (RFC 1961) that goes on: `rounds` tokens
 * each way from stream offsets 3 and 2 on.  A negotiation never ended is
 * the cheapest way to make a session keep many messages. */
#define GSS_GREETING "\x05\x01\x01"
#define GSS_METHOD "\x05\x01"
#define GSS_TOKEN "\x01\x01\x00\x04toke"
#define GSS_TOKEN_LEN 8

static void
gssapi_start(struct sim *s)
{
	handshake(s);
	pkt(s, 0, TCPF_ACK, 0, GSS_GREETING, 3, 0);
	pkt(s, 1, TCPF_ACK, 0, GSS_METHOD, 2, 3);
}

static void
gssapi_round(struct sim *s, unsigned i)
{
	pkt(s, 0, TCPF_ACK, 3 + i * GSS_TOKEN_LEN, GSS_TOKEN, GSS_TOKEN_LEN, 2 + i * GSS_TOKEN_LEN);
	pkt(s, 1, TCPF_ACK, 2 + i * GSS_TOKEN_LEN, GSS_TOKEN, GSS_TOKEN_LEN,
	    3 + (i + 1) * GSS_TOKEN_LEN);
}

/* Bytes sent again that cannot be compared (older than the last
 * REASM_RECENT handed on) are said at the session's end, counted per side;
 * a keep-alive is not among them. */
START_TEST(resend_not_compared_is_said)
{
	struct sim s;
	static char tunnel[600];

	memset(tunnel, 'd', sizeof(tunnel));
	sim_start(&s, false, 1080);
	greeted(&s);
	pkt(&s, 0, TCPF_ACK, 3, REQUEST, 10, 2);
	pkt(&s, 1, TCPF_ACK, 2, REPLY, 10, 13);
	pkt(&s, 1, TCPF_ACK, 12, tunnel, sizeof(tunnel), 13);
	pkt(&s, 1, TCPF_ACK, 20, "X", 1, 13);              /* too old: not compared */
	pkt(&s, 1, TCPF_ACK, 11 + sizeof(tunnel), "\0", 1, 13); /* a keep-alive */
	pkt(&s, 0, TCPF_ACK, 5, "\x01\x00", 2, 12);      /* within the last 256: compared */
	sim_end(&s);
	ck_assert_uint_eq(s.got.resends_differ, 1);
	expect_text(&s, "note: 1 byte the server sent again was not compared with the first copy "
		    "(it was older than the last 256 bytes handed on, or not captured)\n");
	ck_assert_ptr_null(strstr(s.got.text, "the client sent again"));
}
END_TEST

/* Two sessions open at once with a small budget for their kept text: each
 * stops keeping lines, counts on, and says so; their texts stay within the
 * budget (charged twice their length) but for their last lines.  Once they
 * have ended, a third session keeps all it has again. */
START_TEST(budget_for_kept_text)
{
	struct sim s;
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .view = &capsim_view,
				  .keep_text = true, .keep_budget = 4096 };
	const unsigned rounds = 60;

	sim_start_with(&s, &cfg, 1080);
	gssapi_start(&s);
	s.port[0] = 40001;
	gssapi_start(&s);
	for (unsigned i = 0; i < rounds; i++) {
		s.port[0] = 40000;
		gssapi_round(&s, i);
		s.port[0] = 40001;
		gssapi_round(&s, i);
	}
	for (uint16_t port = 40000; port <= 40001; port++) {
		s.port[0] = port;
		pkt(&s, 0, TCPF_ACK | TCPF_RST, 3 + rounds * GSS_TOKEN_LEN, NULL, 0, 0);
		ck_assert_uint_eq(s.got.nmessages, 2 + 2 * rounds);
		ck_assert_uint_gt(s.got.not_kept, 0);
		ck_assert_uint_le(s.got.text_max, 4096 / 2 + 1024);
	}
	ck_assert_uint_eq(s.got.sessions, 2);
	expect_text(&s, "messages and events not kept past the memory budget (4096 bytes for all "
		    "open sessions): ");
	/* a session after them: the budget was given back */
	s.port[0] = 40002;
	gssapi_start(&s);
	for (unsigned i = 0; i < 5; i++)
		gssapi_round(&s, i);
	sim_end(&s);
	ck_assert_uint_eq(s.got.sessions, 3);
	ck_assert_uint_eq(s.got.nmessages, 12);
	ck_assert_uint_eq(s.got.not_kept, 0);
}
END_TEST

/* -j: the messages gathered for JSON stop at the budget and are counted;
 * with the default budget all are kept (up to SV_MESSAGES_SHOWN). */
START_TEST(budget_for_json)
{
	static const struct sv_opts json_view = { .json = true, .quiet = true };
	struct sim s;
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .view = &json_view,
				  .keep_budget = 16384 };
	const unsigned rounds = 40;

	for (int small = 1; small >= 0; small--) {
		cfg.keep_budget = small ? 16384 : 0;
		sim_start_with(&s, &cfg, 1080);
		gssapi_start(&s);
		for (unsigned i = 0; i < rounds; i++)
			gssapi_round(&s, i);
		sim_end(&s);
		ck_assert_uint_eq(s.got.nmessages, 2 + 2 * rounds);
		if (small) {
			ck_assert_uint_gt(s.got.not_kept, 0);
			ck_assert_uint_lt(s.got.json_messages, s.got.nmessages);
			ck_assert_uint_gt(s.got.json_messages, 0);
		} else {
			ck_assert_uint_eq(s.got.not_kept, 0);
			ck_assert_uint_eq(s.got.json_messages, s.got.nmessages);
		}
	}
}
END_TEST

/* What sessions keep is given back as each ends, however it ends (a reset,
 * FIN both ways, pushed out by too many open, a new connection on its
 * ports, never SOCKS, the capture's end): after the last, the budget's
 * `used` is zero, never left over or wrapped below zero. */
START_TEST(budget_given_back_whatever_the_end)
{
	static const struct sv_opts both = { .json = true, .verbose = true, .hex = true };
	struct sim s;
	struct cap_config cfg = { .ports = {1080}, .nports = 1, .view = &both,
				  .keep_text = true, .keep_budget = 8192, .open_max = 6 };
	const struct sv_budget *b;

	sim_start_with(&s, &cfg, 1080);
	b = &s.e->keep;
	for (uint16_t port = 40000; port < 40010; port++) {
		s.port[0] = port;
		gssapi_start(&s);
		for (unsigned i = 0; i < 8; i++)
			gssapi_round(&s, i);
	}
	ck_assert_uint_gt(b->used, 0);
	s.port[0] = 40009; /* a reset */
	pkt(&s, 0, TCPF_ACK | TCPF_RST, 3 + 8 * GSS_TOKEN_LEN, NULL, 0, 0);
	s.port[0] = 40008; /* FIN both ways */
	pkt(&s, 0, TCPF_ACK | TCPF_FIN, 3 + 8 * GSS_TOKEN_LEN, NULL, 0, 2 + 8 * GSS_TOKEN_LEN);
	pkt(&s, 1, TCPF_ACK | TCPF_FIN, 2 + 8 * GSS_TOKEN_LEN, NULL, 0, 4 + 8 * GSS_TOKEN_LEN);
	s.port[0] = 40007; /* its ports reused, the old one never closed */
	s.isn[0] += 77777;
	pkt(&s, 0, TCPF_SYN, 0, NULL, 0, 0);
	pkt(&s, 1, TCPF_SYN | TCPF_ACK, 0, NULL, 0, 0);
	s.port[0] = 41000; /* a connection that never speaks SOCKS */
	handshake(&s);
	pkt(&s, 0, TCPF_ACK, 0, "GET / HTTP/1.0\r\n\r\n", 18, 0);
	cap_finish(s.e, s.t);
	ck_assert_uint_eq(cap_open(s.e), 0);
	ck_assert_uint_eq(b->used, 0);
	ck_assert_uint_ge(s.got.sessions, 11);
	cap_free(s.e);
}
END_TEST

Suite *
capture_keep_suite(void)
{
	Suite *s = suite_create("capture_keep");
	TCase *tc = tcase_create("capture_keep");

	tcase_add_test(tc, resend_that_differs_is_said);
	tcase_add_test(tc, resend_of_held_bytes_differs);
	tcase_add_test(tc, resends_said_are_bounded);
	tcase_add_test(tc, resend_not_compared_is_said);
	tcase_add_test(tc, budget_for_kept_text);
	tcase_add_test(tc, budget_for_json);
	tcase_add_test(tc, budget_given_back_whatever_the_end);
	suite_add_tcase(s, tc);
	return s;
}
