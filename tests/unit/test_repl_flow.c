/*
 * The REPL's session as the flow follows it (cli/repl_flow.c): the phase
 * in the prompt, what the server owes, BIND's replies titled by their role,
 * and the verdict, over bytes fed one at a time.  The connection is one end
 * of a socketpair nobody reads: nothing here does I/O but what a verdict's
 * close does.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "repl_engine.h"

Suite *repl_flow_suite(void);

static struct rsess s;
static char *out_text;
static size_t out_len;
static int peer_fd = -1;

static void
session_open(const char *url)
{
	char *urls[] = { (char *)url };
	int sv[2];

	rs_init(&s);
	s.out = open_memstream(&out_text, &out_len);
	ck_assert_ptr_nonnull(s.out);
	ck_assert_int_eq(rs_set_proxies(&s, 1, urls), EXIT_OK);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s.conn.fd = sv[0];
	peer_fd = sv[1];
	rs_flow_start(&s);
}

static void
session_close(void)
{
	rs_free(&s);
	fclose(s.out);
	free(out_text);
	out_text = NULL;
	close(peer_fd);
}

/* The server's bytes, taken one at a time as if each came in its own read. */
static void
server_sends(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s.conn.in[s.conn.have++] = p[i];
		rs_take(&s, 1);
	}
}

static bool
shown(const char *text)
{
	fflush(s.out);
	return out_text != NULL && strstr(out_text, text) != NULL;
}

static const uint8_t greeting[] = { 5, 1, 0 };
static const uint8_t method_noauth[] = { 5, 0 };
static const uint8_t bind5[] = { 5, 2, 0, 1, 127, 0, 0, 1, 0, 9 };
static const uint8_t listens5[] = { 5, 0, 0, 1, 127, 0, 0, 1, 0x10, 0x93 };
static const uint8_t peer5[] = { 5, 0, 0, 1, 127, 0, 0, 1, 0x10, 0x92 };

START_TEST(bind_roles_and_phases)
{
	enum msg_type due;

	session_open("socks5://127.0.0.1:1");
	ck_assert_int_eq(rs_phase(&s), PH_CONNECTED);
	rs_flow_sent(&s, greeting, sizeof(greeting));
	ck_assert_int_eq(rs_phase(&s), PH_GREETED);
	ck_assert(rs_server_owes(&s, &due));
	ck_assert_int_eq(due, MSG_S5_METHOD);
	server_sends(method_noauth, sizeof(method_noauth));
	ck_assert_int_eq(rs_phase(&s), PH_METHOD);
	ck_assert(!rs_server_owes(&s, &due));
	rs_flow_sent(&s, bind5, sizeof(bind5));
	ck_assert_int_eq(rs_phase(&s), PH_REQUESTED);
	server_sends(listens5, sizeof(listens5));
	ck_assert_int_eq(rs_phase(&s), PH_BOUND);
	ck_assert(shown("<- SOCKS5 first BIND reply (where the server listens), 10 bytes"));
	ck_assert(shown("BIND: the server listens on 127.0.0.1:4243;"));
	ck_assert(rs_server_owes(&s, &due));
	ck_assert_int_eq(due, MSG_S5_REPLY);
	server_sends(peer5, sizeof(peer5));
	ck_assert_int_eq(rs_phase(&s), PH_GRANTED);
	ck_assert(shown("<- SOCKS5 second BIND reply (the peer that connected), 10 bytes"));
	ck_assert(shown("BIND: the peer 127.0.0.1:4242 connected"));
	ck_assert_int_eq(rs_verdict(&s, "bind", NULL), EXIT_OK);
	session_close();
}
END_TEST

START_TEST(connect_reply_has_no_role)
{
	static const uint8_t connect5[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 9 };

	session_open("socks5://127.0.0.1:1");
	rs_flow_sent(&s, greeting, sizeof(greeting));
	server_sends(method_noauth, sizeof(method_noauth));
	rs_flow_sent(&s, connect5, sizeof(connect5));
	server_sends(listens5, sizeof(listens5));
	ck_assert(shown("<- SOCKS5 reply, 10 bytes"));
	ck_assert(!shown("BIND reply"));
	ck_assert_int_eq(rs_phase(&s), PH_GRANTED);
	session_close();
}
END_TEST

START_TEST(socks4_bind_roles)
{
	static const uint8_t bind4[] = { 4, 2, 0, 9, 127, 0, 0, 1, 0 };
	static const uint8_t rep4[] = { 0, 0x5a, 0x10, 0x93, 127, 0, 0, 1 };

	session_open("socks4://127.0.0.1:1");
	rs_flow_sent(&s, bind4, sizeof(bind4));
	ck_assert_int_eq(rs_phase(&s), PH_REQUESTED);
	server_sends(rep4, sizeof(rep4));
	ck_assert(shown("<- SOCKS4 first BIND reply (where the server listens), 8 bytes"));
	ck_assert_int_eq(rs_phase(&s), PH_BOUND);
	server_sends(rep4, sizeof(rep4));
	ck_assert(shown("<- SOCKS4 second BIND reply (the peer that connected), 8 bytes"));
	ck_assert_int_eq(rs_phase(&s), PH_GRANTED);
	session_close();
}
END_TEST

/* The verdict is the flow's: a refusal is exit 1 and closes; said once. */
START_TEST(refusal_verdict)
{
	static const uint8_t connect5[] = { 5, 1, 0, 1, 127, 0, 0, 1, 0, 9 };
	static const uint8_t refused5[] = { 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 };

	session_open("socks5://127.0.0.1:1");
	rs_flow_sent(&s, greeting, sizeof(greeting));
	server_sends(method_noauth, sizeof(method_noauth));
	ck_assert_int_eq(rs_verdict(&s, "greeting", NULL), EXIT_OK);
	rs_flow_sent(&s, connect5, sizeof(connect5));
	server_sends(refused5, sizeof(refused5));
	ck_assert_int_eq(rs_verdict(&s, "request", NULL), EXIT_REFUSED);
	ck_assert_int_eq(s.conn.fd, -1);
	ck_assert_int_eq(rs_phase(&s), PH_CLOSED);
	session_close();
}
END_TEST

/* METHOD FF: no acceptable method, exit 6. */
START_TEST(no_method_verdict)
{
	static const uint8_t method_none[] = { 5, 0xff };

	session_open("socks5://127.0.0.1:1");
	rs_flow_sent(&s, greeting, sizeof(greeting));
	server_sends(method_none, sizeof(method_none));
	ck_assert_int_eq(rs_verdict(&s, "greeting", NULL), EXIT_AUTH);
	session_close();
}
END_TEST

/* The client's own bytes: what it owes next decides how `raw` reads them. */
START_TEST(client_owes_by_phase)
{
	static const uint8_t method_userpass[] = { 5, 2 };
	static const uint8_t greeting2[] = { 5, 1, 2 };
	bool owed;

	session_open("socks5://alice@127.0.0.1:1");
	ck_assert_int_eq(rs_client_owes(&s, &owed), MSG_S5_GREETING);
	ck_assert(owed);
	rs_flow_sent(&s, greeting2, sizeof(greeting2));
	rs_client_owes(&s, &owed);
	ck_assert(!owed);
	server_sends(method_userpass, sizeof(method_userpass));
	ck_assert_int_eq(rs_client_owes(&s, &owed), MSG_S5_AUTH_REQUEST);
	ck_assert(owed);
	ck_assert_int_eq(rs_phase(&s), PH_METHOD);
	session_close();
}
END_TEST

Suite *
repl_flow_suite(void)
{
	Suite *su = suite_create("repl flow");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, bind_roles_and_phases);
	tcase_add_test(tc, connect_reply_has_no_role);
	tcase_add_test(tc, socks4_bind_roles);
	tcase_add_test(tc, refusal_verdict);
	tcase_add_test(tc, no_method_verdict);
	tcase_add_test(tc, client_owes_by_phase);
	suite_add_tcase(su, tc);
	return su;
}
