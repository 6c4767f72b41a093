/*
 * The hint recognisers, each with bytes it names and bytes it must not,
 * tried prefix by prefix as the flow tries them.
 */
#include <string.h>

#include "flowtest.h"
#include "suites.h"
#include "testutil.h"

#define NO_HINT (-1)

struct hint_case {
	const char *name;
	bool from_server;
	const char *bytes; /* hexbytes() spec */
	bool final;        /* the side closed after these bytes */
	const char *client; /* the client's first bytes (hex spec), or NULL */
	int version;
	int want;           /* enum hint_id, or NO_HINT */
	const char *evidence; /* hex spec of the evidence, when want is a hint */
};

static const struct hint_case cases[] = {
	{ "HTTP GET from the client", false, "'GET http://example.com/ HTTP/1.1' 0d 0a", false,
	  NULL, 0, HINT_HTTP_REQUEST, "'GET http://example.com/ HTTP/1.1'" },
	{ "HTTP CONNECT from the client", false, "'CONNECT a:443 HTTP/1.1' 0a", false, NULL, 0,
	  HINT_HTTP_REQUEST, "'CONNECT a:443 HTTP/1.1'" },
	{ "GET without its space is no request", false, "'GETX / HTTP/1.1' 0a", false, NULL, 0,
	  NO_HINT, NULL },
	{ "a request line not finished is not named yet", false, "'GET / HTTP/1.1'", false, NULL,
	  0, NO_HINT, NULL },
	{ "... but is once the side closed", false, "'GET / HTTP/1.1'", true, NULL, 0,
	  HINT_HTTP_REQUEST, "'GET / HTTP/1.1'" },
	{ "an HTTP request line from the server is not a request", true, "'GET / HTTP/1.1' 0a",
	  false, NULL, 0, NO_HINT, NULL },
	{ "HTTP response", true, "'HTTP/1.0 200 OK' 0d 0a", false, NULL, 5, HINT_HTTP_RESPONSE,
	  "'HTTP/1.0 200 OK'" },
	{ "HTTP/ with another version is not named", true, "'HTTP/3 200' 0a", false, NULL, 5,
	  NO_HINT, NULL },
	{ "TLS record from the server", true, "16 03 03 00 31", false, NULL, 5, HINT_TLS,
	  "16 03 03" },
	{ "TLS record from the client", false, "16 03 01 02 00", false, NULL, 0, HINT_TLS,
	  "16 03 01" },
	{ "a TLS alert record from the server (its answer to bytes that are no hello)", true,
	  "15 03 01 00 02 02 46", true, NULL, 5, HINT_TLS, "15 03 01" },
	{ "16 03 with a version byte past TLS 1.3 is not TLS", true, "16 03 05 00", false, NULL, 5,
	  NO_HINT, NULL },
	{ "SSH banner", true, "'SSH-2.0-dropbear' 0d 0a", false, NULL, 5, HINT_SSH,
	  "'SSH-2.0-dropbear'" },
	{ "SSH without its dash is not a banner", true, "'SSH 2.0' 0a", false, NULL, 5, NO_HINT,
	  NULL },
	{ "SMTP 220 greeting", true, "'220 mx ESMTP' 0d 0a", false, NULL, 5, HINT_BANNER_220,
	  "'220 mx ESMTP'" },
	{ "FTP 220- continued greeting", true, "'220-Welcome' 0a", false, NULL, 5,
	  HINT_BANNER_220, "'220-Welcome'" },
	{ "221 is not a greeting", true, "'221 bye' 0a", false, NULL, 5, NO_HINT, NULL },
	{ "the server echoes the greeting", true, "05 02 00 02", false, "05 02 00 02", 5,
	  HINT_ECHO, "05 02 00 02" },
	{ "an echo cut short by a close", true, "05 02 00", true, "05 02 00 02", 5, HINT_ECHO,
	  "05 02 00" },
	{ "two bytes then a close are a method selection's shape, no echo cut short", true,
	  "05 03", true, "05 03 00 01 02", 5, NO_HINT, NULL },
	{ "a real method selection is no echo", true, "05 00", true, "05 01 00", 5, NO_HINT,
	  NULL },
	{ "SOCKS5 answer to SOCKS4", true, "05 ff", false, NULL, 4, HINT_SOCKS5_FOR_4, "05 ff" },
	{ "a SOCKS4 reply to SOCKS4 is not that", true, "00 5b", false, NULL, 4, NO_HINT, NULL },
	{ "SOCKS4 answer to SOCKS5", true, "00 5b 00 00", false, NULL, 5, HINT_SOCKS4_FOR_5,
	  "00 5b" },
	{ "SOCKS4 version 4 reply to SOCKS5", true, "04 5a", false, NULL, 5, HINT_SOCKS4_FOR_5,
	  "04 5a" },
	{ "00 then no SOCKS4 code is not SOCKS4", true, "00 01", false, NULL, 5, NO_HINT, NULL },
};

/* The first prefix any recogniser names, as the flow asks: -1 when none. */
static int
scan(const struct hint_case *c, struct hint *h, const uint8_t *p, size_t n)
{
	uint8_t client[64];
	struct hint_bytes in = { .from_server = c->from_server, .p = p, .version = c->version };

	if (c->client != NULL) {
		in.nclient = hexbytes(c->client, client, sizeof(client));
		in.client = client;
	}
	for (size_t k = 1; k <= n; k++) {
		enum hint_verdict v;

		in.n = k;
		in.final = c->final && k == n;
		v = hint_scan(&in, h);
		if (v == HINT_YES)
			return (int)h->id;
		if (v == HINT_NO)
			return NO_HINT;
	}
	return NO_HINT;
}

START_TEST(recogniser)
{
	const struct hint_case *c = &cases[_i];
	uint8_t p[128], ev[128];
	size_t n = hexbytes(c->bytes, p, sizeof(p)), nev;
	struct hint h;
	int got = scan(c, &h, p, n);

	ck_assert_msg(got == c->want, "%s: hint %d, expected %d", c->name, got, c->want);
	if (c->want == NO_HINT)
		return;
	nev = hexbytes(c->evidence, ev, sizeof(ev));
	ck_assert_msg(h.evidence_len == nev && memcmp(h.evidence, ev, nev) == 0,
		      "%s: evidence of %zu bytes, expected %zu", c->name, h.evidence_len, nev);
	ck_assert_msg(h.evidence >= p && h.evidence + h.evidence_len <= p + n,
		      "%s: the evidence is not the side's bytes", c->name);
	ck_assert_msg(h.text[0] != '\0', "%s: no text", c->name);
}
END_TEST

/* The close recognisers: an uncommon command, an access rule, and neither. */
START_TEST(close_hints)
{
	struct hint h;
	struct hint_close bind5 = { .version = 5, .after_request = true, .cmd = 0x02,
				    .server_bytes = 2 };
	struct hint_close resolve4 = { .version = 4, .after_request = true, .cmd = 0xf0 };
	struct hint_close connect5 = { .version = 5, .after_request = true, .cmd = 0x01,
				       .server_bytes = 2 };
	struct hint_close udp_partial = { .version = 5, .after_request = true, .cmd = 0x03,
					  .answer_started = true, .server_bytes = 5 };
	struct hint_close accept5 = { .version = 5 };
	struct hint_close connect4 = { .version = 4, .after_request = true, .cmd = 0x01 };
	struct hint_close udp4 = { .version = 4, .after_request = true, .cmd = 0x03,
				   .server_bytes = 1 };

	ck_assert(hint_on_close(&bind5, &h) && h.id == HINT_CMD_UNSUPPORTED);
	ck_assert_str_eq(h.text, "closed with no reply: this server may not support CMD 0x02 (BIND)");
	ck_assert(hint_on_close(&resolve4, &h) && h.id == HINT_CMD_UNSUPPORTED);
	ck_assert_str_eq(h.text,
			 "closed with no reply: this server may not support CD 0xf0 (RESOLVE (Tor))");
	ck_assert(!hint_on_close(&connect5, &h));
	ck_assert(!hint_on_close(&udp_partial, &h));
	ck_assert(!hint_on_close(&udp4, &h)); /* SOCKS4 has no UDP: not "uncommon" */
	ck_assert(hint_on_close(&accept5, &h) && h.id == HINT_ACCESS_RULE);
	ck_assert(hint_on_close(&connect4, &h) && h.id == HINT_ACCESS_RULE);
	ck_assert_uint_eq(h.evidence_len, 0);
}
END_TEST

Suite *
hints_suite(void)
{
	Suite *s = suite_create("hints");
	TCase *tc = tcase_create("hints");

	tcase_add_loop_test(tc, recogniser, 0, (int)NELEM(cases));
	tcase_add_test(tc, close_hints);
	suite_add_tcase(s, tc);
	return s;
}
