/*
 * watch: its command line (the listen address and the rule that keeps it on
 * loopback, the proxies and their passwords), what it takes from the flow's
 * events for the table (version, command, target), and the outcome in words.
 * Sessions are fed bytes written out from RFC 1928 and RFC 1929 and the
 * SOCKS4/4a protocol; nothing here computes an answer with the code under test.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"
#include "watch_int.h"

static struct watch_opts o;

static int
parse(char *const *args)
{
	char *argv[16];
	int argc = 0;

	for (; args[argc] != NULL; argc++)
		argv[argc] = args[argc];
	argv[argc] = NULL;
	return watch_options(argc, argv, &o);
}

#define PARSE(...) parse((char *const[]){"watch", __VA_ARGS__, NULL})

static void
quiet(void)
{
	/* the usage errors are said on stderr: not in the test's log */
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr));
	ck_assert_ptr_nonnull(freopen("/dev/null", "w", stdout));
}

START_TEST(listen_defaults_to_loopback_1081)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&o.listen;

	ck_assert_int_eq(PARSE("-x", "127.0.0.1:1080"), 0);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 1081);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001u);
	ck_assert_int_eq(o.timeout_ms, 10000);
	ck_assert_uint_eq(o.max_sessions, 1000);
	ck_assert_int_eq(o.nhops, 1);
	ck_assert_uint_eq(o.hops[0].host.port, 1080);
}
END_TEST

START_TEST(listen_forms)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&o.listen;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&o.listen;

	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "0"), 0);
	ck_assert_uint_eq(ntohs(sin->sin_port), 0);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000001u);
	ck_assert_int_eq(PARSE("-x", "h:1", "--listen", "127.0.0.9:5000"), 0);
	ck_assert_uint_eq(ntohs(sin->sin_port), 5000);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), 0x7f000009u);
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "[::1]:7"), 0);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 7);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
}
END_TEST

/* Never a way in: any other address needs --allow-remote. */
START_TEST(remote_listen_needs_allow_remote)
{
	quiet();
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "0.0.0.0:1081"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "192.0.2.1:1081"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "[::]:1081"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "0.0.0.0:1081", "--allow-remote"), 0);
	ck_assert(o.allow_remote);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	quiet();
	ck_assert_int_eq(PARSE("-l", "0"), -1);                         /* no -x */
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "localhost:1"), -1);  /* a name */
	ck_assert_int_eq(PARSE("-x", "h:1", "-l", "70000"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-w", "0"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-w", "x"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "--max-sessions", "0"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "--dump-data", "-1"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "--color", "pink"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "extra"), -1);
	ck_assert_int_eq(PARSE("-x", "socks9://h:1"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "--nope"), -1);
	ck_assert_int_eq(PARSE("-x", "h:1", "-w", "3", "--max-sessions", "7", "--dump-data", "64",
			       "-vv", "-X", "-j"), 0);
	ck_assert_int_eq(o.timeout_ms, 3000);
	ck_assert_uint_eq(o.max_sessions, 7);
	ck_assert_uint_eq(o.dump_data, 64);
	ck_assert_int_eq(o.verbose, 2);
	ck_assert(o.hex && o.json);
}
END_TEST

/* A password in -x is blanked in the process arguments at once, kept parsed. */
START_TEST(proxy_password_blanked)
{
	char a0[] = "watch", a1[] = "-x", a2[] = "socks5://u:s3cret@127.0.0.1:1",
	     a3[] = "-x", a4[] = "socks5://127.0.0.2:2";
	char *argv[] = {a0, a1, a2, a3, a4, NULL};

	ck_assert_int_eq(watch_options(5, argv, &o), 0);
	ck_assert_ptr_null(strstr(a2, "s3cret"));
	ck_assert_int_eq(o.nhops, 2);
	ck_assert_str_eq(o.hops[0].cred.pass, "s3cret");
	ck_assert_uint_eq(o.hops[1].host.port, 2);
}
END_TEST

/* ---- what the flow's events leave in the session's summary ---- */

static struct watch w;
static struct watch_sum sum;
static struct watch_session s;

static void
session(void)
{
	quiet();
	memset(&w, 0, sizeof(w));
	memset(&sum, 0, sizeof(sum));
	memset(&s, 0, sizeof(s));
	s.w = &w;
	s.sum = &sum;
	s.app = s.up = -1;
	flow_init(&s.flow, &(struct flow_config){.on_event = watch_on_event, .ctx = &s});
}

static void
feed(enum flow_side side, const char *spec)
{
	uint8_t b[VEC_MAX];
	size_t n = hexbytes(spec, b, sizeof(b));

	(void)flow_feed(&s.flow, side, b, n);
}

START_TEST(socks4a_request_noted)
{
	session();
	feed(FLOW_CLIENT, "04 01 00 50 00 00 00 01 'fred' 00 'example.com' 00");
	ck_assert_int_eq(sum.version, 4);
	ck_assert_str_eq(sum.command, "CONNECT");
	ck_assert_str_eq(sum.target, "example.com:80");
	feed(FLOW_SERVER, "00 5b 00 00 00 00 00 00");
	ck_assert_str_eq(sum.outcome, "refused: CD 0x5b request rejected or failed");
}
END_TEST

START_TEST(socks5_udp_associate_noted)
{
	session();
	feed(FLOW_CLIENT, "05 01 00");
	feed(FLOW_SERVER, "05 00");
	feed(FLOW_CLIENT, "05 03 00 01 00 00 00 00 00 00");
	ck_assert_int_eq(sum.version, 5);
	ck_assert_str_eq(sum.command, "UDP ASSOCIATE");
	ck_assert_str_eq(sum.target, "0.0.0.0:0");
	ck_assert(s.udp_asked);
	ck_assert(watch_udp_holds(&s)); /* the reply is held until it is whole */

	/* an application that names its address is left alone: the upstream
	   would refuse datagrams from watch's socket */
	session();
	feed(FLOW_CLIENT, "05 01 00");
	feed(FLOW_SERVER, "05 00");
	feed(FLOW_CLIENT, "05 03 00 01 7f 00 00 01 9c 40");
	ck_assert_str_eq(sum.command, "UDP ASSOCIATE");
	ck_assert_str_eq(sum.target, "127.0.0.1:40000");
	ck_assert(!s.udp_asked);
	ck_assert(!watch_udp_holds(&s));
}
END_TEST

START_TEST(socks5_refusal_and_tunnel_counted)
{
	session();
	feed(FLOW_CLIENT, "05 01 00 05 01 00 03 0b 'example.com' 01 bb");
	feed(FLOW_SERVER, "05 00 05 00 00 01 7f 00 00 01 1f 90 'hello'");
	ck_assert_str_eq(sum.target, "example.com:443");
	ck_assert_str_eq(sum.outcome, "granted");
	ck_assert_uint_eq(sum.tunnel_down, 5);
	ck_assert(!watch_udp_holds(&s));

	session();
	feed(FLOW_CLIENT, "05 01 00");
	feed(FLOW_SERVER, "05 00");
	feed(FLOW_CLIENT, "05 01 00 01 7f 00 00 01 00 16");
	feed(FLOW_SERVER, "05 05 00 01 00 00 00 00 00 00");
	ck_assert_str_eq(sum.outcome, "refused: REP 0x05 connection refused");
}
END_TEST

START_TEST(violation_and_close_in_words)
{
	session();
	feed(FLOW_CLIENT, "'GET / HTTP/1.1' 0d 0a");
	ck_assert_str_eq(sum.outcome, "protocol violation by the application in the greeting phase "
				      "at offset 0x0000 in VER: not a SOCKS version (4 or 5)");
	session();
	feed(FLOW_CLIENT, "05 01 02");
	feed(FLOW_SERVER, "05 ff");
	ck_assert_str_eq(sum.outcome, "no acceptable method: METHOD 0xff NO ACCEPTABLE METHODS");
	session();
	feed(FLOW_CLIENT, "05 01 00");
	flow_close(&s.flow, FLOW_SERVER, FLOW_RESET);
	ck_assert_str_eq(sum.outcome, "closed by the upstream (reset) in the method selection phase "
				      "at offset 0x0000");
}
END_TEST

Suite *
watch_suite(void)
{
	Suite *su = suite_create("watch");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, listen_defaults_to_loopback_1081);
	tcase_add_test(tc, listen_forms);
	tcase_add_test(tc, remote_listen_needs_allow_remote);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_test(tc, proxy_password_blanked);
	suite_add_tcase(su, tc);
	tc = tcase_create("events");
	tcase_add_test(tc, socks4a_request_noted);
	tcase_add_test(tc, socks5_udp_associate_noted);
	tcase_add_test(tc, socks5_refusal_and_tunnel_counted);
	tcase_add_test(tc, violation_and_close_in_words);
	suite_add_tcase(su, tc);
	return su;
}
