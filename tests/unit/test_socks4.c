/* SOCKS4 and SOCKS4a: request and reply vectors, malformations, limits. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "suites.h"
#include "testutil.h"

static const struct vec s4_request_vecs[] = {
	{ "classic CONNECT 66.102.7.99:80 as Fred", MSG_S4_REQUEST,
	  "04 01 00 50 42 66 07 63 46 72 65 64 00",
	  { OPN("DSTPORT", 80), OP4("DSTIP", "\x42\x66\x07\x63"), OPB("USERID", "Fred") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 80, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 4, NONUM, 0 },
	    { "USERID.NUL", 12, 1, 0, 0 } },
	  0, 0, NULL },
	{ "BIND 192.168.1.2:8080, empty user id", MSG_S4_REQUEST,
	  "04 02 1f 90 c0 a8 01 02 00",
	  { OPN("CD", 2), OPN("DSTPORT", 8080), OP4("DSTIP", "\xc0\xa8\x01\x02") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 2, 0 }, { "DSTPORT", 2, 2, 8080, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 0, NONUM, 0 },
	    { "USERID.NUL", 8, 1, 0, 0 } },
	  0, 0, NULL },
	{ "port 65535 to 0.0.0.0 (not 4a: x is 0)", MSG_S4_REQUEST,
	  "04 01 ff ff 00 00 00 00 'u' 00",
	  { OPN("DSTPORT", 65535), OP4("DSTIP", "\0\0\0\0"), OPB("USERID", "u") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 65535, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 1, NONUM, 0 },
	    { "USERID.NUL", 9, 1, 0, 0 } },
	  0, 0, NULL },
	{ "port 0 to 0.0.1.0 (not 4a: the first three bytes are not all 0)", MSG_S4_REQUEST,
	  "04 01 00 00 00 00 01 00 00",
	  { OPN("DSTPORT", 0), OP4("DSTIP", "\0\0\1\0") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 0, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 0, NONUM, 0 },
	    { "USERID.NUL", 8, 1, 0, 0 } },
	  0, 0, NULL },
	{ "4a CONNECT example.com:80 as Fred", MSG_S4_REQUEST,
	  "04 01 00 50 00 00 00 01 'Fred' 00 'example.com' 00",
	  { OPN("DSTPORT", 80), OPB("USERID", "Fred"), OPB("HOSTNAME", "example.com") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 80, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 4, NONUM, 0 },
	    { "USERID.NUL", 12, 1, 0, 0 }, { "HOSTNAME", 13, 11, NONUM, 0 },
	    { "HOSTNAME.NUL", 24, 1, 0, 0 } },
	  0, 0, NULL },
	{ "4a example.org:443, empty user id", MSG_S4_REQUEST,
	  "04 01 01 bb 00 00 00 01 00 'example.org' 00",
	  { OPN("DSTPORT", 443), OPB("HOSTNAME", "example.org") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 443, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 0, NONUM, 0 },
	    { "USERID.NUL", 8, 1, 0, 0 }, { "HOSTNAME", 9, 11, NONUM, 0 },
	    { "HOSTNAME.NUL", 20, 1, 0, 0 } },
	  0, 0, NULL },
	{ "4a with DSTIP 0.0.0.255 set by hand", MSG_S4_REQUEST,
	  "04 01 00 50 00 00 00 ff 00 'h' 00",
	  { OPN("DSTPORT", 80), OP4("DSTIP", "\0\0\0\xff"), OPB("HOSTNAME", "h") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 80, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 0, NONUM, 0 },
	    { "USERID.NUL", 8, 1, 0, 0 }, { "HOSTNAME", 9, 1, NONUM, 0 },
	    { "HOSTNAME.NUL", 10, 1, 0, 0 } },
	  0, 0, NULL },
	{ "4a Tor RESOLVE torproject.org", MSG_S4_REQUEST,
	  "04 f0 00 00 00 00 00 01 00 'torproject.org' 00",
	  { OPN("CD", 0xf0), OPN("DSTPORT", 0), OPB("HOSTNAME", "torproject.org") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 0xf0, FFX }, { "DSTPORT", 2, 2, 0, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 0, NONUM, 0 },
	    { "USERID.NUL", 8, 1, 0, 0 }, { "HOSTNAME", 9, 14, NONUM, 0 },
	    { "HOSTNAME.NUL", 23, 1, 0, 0 } },
	  0, 0, NULL },
	{ "user id with bytes a terminal must not see", MSG_S4_REQUEST,
	  "04 01 00 16 0a 00 00 01 1b 5b 32 4a 0d ff 00",
	  { OPN("DSTPORT", 22), OP4("DSTIP", "\x0a\0\0\x01"), OPB("USERID", "\x1b[2J\r\xff") },
	  { { "VN", 0, 1, 4, 0 }, { "CD", 1, 1, 1, 0 }, { "DSTPORT", 2, 2, 22, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 }, { "USERID", 8, 6, NONUM, 0 },
	    { "USERID.NUL", 14, 1, 0, 0 } },
	  0, 0, NULL },
};

static const struct vec s4_reply_vecs[] = {
	{ "00 5a: request granted", MSG_S4_REPLY, "00 5a 12 34 01 02 03 04",
	  { OPN("CD", 0x5a), OPN("DSTPORT", 0x1234), OP4("DSTIP", "\1\2\3\4") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 0x5a, 0 }, { "DSTPORT", 2, 2, 0x1234, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "00 5b: rejected or failed", MSG_S4_REPLY, "00 5b 00 00 00 00 00 00",
	  { OPN("CD", 0x5b), OPN("DSTPORT", 0), OP4("DSTIP", "\0\0\0\0") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 0x5b, 0 }, { "DSTPORT", 2, 2, 0, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "00 5c: identd unreachable", MSG_S4_REPLY, "00 5c 00 00 00 00 00 00",
	  { OPN("CD", 0x5c), OPN("DSTPORT", 0), OP4("DSTIP", "\0\0\0\0") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 0x5c, 0 }, { "DSTPORT", 2, 2, 0, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "00 5d: identd user mismatch", MSG_S4_REPLY, "00 5d ff ff ff ff ff ff",
	  { OPN("CD", 0x5d), OPN("DSTPORT", 65535), OP4("DSTIP", "\xff\xff\xff\xff") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 0x5d, 0 }, { "DSTPORT", 2, 2, 65535, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "BIND first reply: listening on 10.0.0.1:4000", MSG_S4_REPLY, "00 5a 0f a0 0a 00 00 01",
	  { OPN("CD", 0x5a), OPN("DSTPORT", 4000), OP4("DSTIP", "\x0a\0\0\x01") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 0x5a, 0 }, { "DSTPORT", 2, 2, 4000, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "VN 4 is tolerated as an anomaly", MSG_S4_REPLY, "04 5a 00 50 7f 00 00 01",
	  { OPN("VN", 4), OPN("CD", 0x5a), OPN("DSTPORT", 80), OP4("DSTIP", "\x7f\0\0\x01") },
	  { { "VN", 0, 1, 4, FF_ANOMALY }, { "CD", 1, 1, 0x5a, 0 }, { "DSTPORT", 2, 2, 80, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
	{ "CD 0x01 is no SOCKS4 reply code", MSG_S4_REPLY, "00 01 00 00 00 00 00 00",
	  { OPN("CD", 0x01), OPN("DSTPORT", 0), OP4("DSTIP", "\0\0\0\0") },
	  { { "VN", 0, 1, 0, 0 }, { "CD", 1, 1, 1, FF_UNASSIGNED }, { "DSTPORT", 2, 2, 0, 0 },
	    { "DSTIP", 4, 4, NONUM, 0 } },
	  1, 0, NULL },
};

static const struct evec s4_errors[] = {
	{ "request VN 5", MSG_S4_REQUEST, "05 01 00 50 42 66 07 63 00",
	  { OPN("VN", 5), OPN("DSTPORT", 80), OP4("DSTIP", "\x42\x66\x07\x63") },
	  PROTO_E_VERSION, 0, "VN", 0 },
	{ "request VN 0", MSG_S4_REQUEST, "00 01 00 50 42 66 07 63 00",
	  { OPN("VN", 0), OPN("DSTPORT", 80), OP4("DSTIP", "\x42\x66\x07\x63") },
	  PROTO_E_VERSION, 0, "VN", 0 },
	{ "reply 05 ff from a SOCKS5-only server (microsocks)", MSG_S4_REPLY, "05 ff",
	  { { OP_END, NULL, 0, NULL, 0 } }, PROTO_E_VERSION, 0, "VN", 0 },
	{ "reply VN 1", MSG_S4_REPLY, "01 5a 00 50 7f 00 00 01",
	  { OPN("VN", 1), OPN("CD", 0x5a), OPN("DSTPORT", 80), OP4("DSTIP", "\x7f\0\0\x01") },
	  PROTO_E_VERSION, 0, "VN", 0 },
	{ "reply VN 5 (a full 8 bytes)", MSG_S4_REPLY, "05 5a 00 50 7f 00 00 01",
	  { OPN("VN", 5), OPN("CD", 0x5a), OPN("DSTPORT", 80), OP4("DSTIP", "\x7f\0\0\x01") },
	  PROTO_E_VERSION, 0, "VN", 0 },
};

VECTOR_TESTS(s4_request, s4_request_vecs)
VECTOR_TESTS(s4_reply, s4_reply_vecs)
ERROR_TESTS(s4_error, s4_errors)

START_TEST(s4_classic_names)
{
	uint8_t buf[8] = { 0x00, 0x5a, 0, 0, 0, 0, 0, 0 };
	struct msg m;
	const struct name_entry *e = names_find(&names_s4_reply, 0x5a);

	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(e->name);
	ck_assert_msg(strcasestr(e->name, "granted") != NULL, "0x5a is \"%s\"", e->name);
	ck_assert_int_eq(proto_decode(MSG_S4_REPLY, buf, sizeof buf, NULL, &m), PROTO_OK);
	const struct field *cd = need_field(&m, "CD");
	ck_assert_ptr_eq(cd->desc->names, &names_s4_reply);
	ck_assert_ptr_eq(names_find(cd->desc->names, cd->num), e);

	uint8_t req[] = { 0x04, 0x01, 0x00, 0x50, 0x42, 0x66, 0x07, 0x63, 'F', 'r', 'e', 'd', 0 };
	ck_assert_int_eq(proto_decode(MSG_S4_REQUEST, req, sizeof req, NULL, &m), PROTO_OK);
	const struct field *rcd = need_field(&m, "CD");
	ck_assert_ptr_eq(rcd->desc->names, &names_s4_command);
	e = names_find(rcd->desc->names, rcd->num);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strcasestr(e->name, "connect") != NULL, "CD 1 is \"%s\"", e->name);
	const struct field *ip = need_field(&m, "DSTIP");
	ck_assert_uint_eq(ip->len, 4);
	ck_assert_mem_eq(ip->bytes, "\x42\x66\x07\x63", 4);
	const struct field *u = need_field(&m, "USERID");
	ck_assert_uint_eq(u->len, 4);
	ck_assert_mem_eq(u->bytes, "Fred", 4);
}
END_TEST

/* A USERID (or HOSTNAME) of exactly PROTO_MAX_CSTR bytes, then one too many. */
static size_t long_cstr(uint8_t *buf, int socks4a, size_t n, int terminate)
{
	static const uint8_t head[] = { 0x04, 0x01, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01 };
	size_t off = sizeof head;

	memcpy(buf, head, sizeof head);
	if (!socks4a)
		buf[7] = 0x02, buf[4] = 0x0a; /* 10.0.0.2 */
	else
		buf[off++] = 0x00; /* empty USERID */
	for (size_t i = 0; i < n; i++)
		buf[off++] = (uint8_t)('a' + i % 26);
	if (terminate)
		buf[off++] = 0x00;
	return off;
}

static void cstr_limit(int socks4a)
{
	const char *fld = socks4a ? "HOSTNAME" : "USERID";
	size_t start = socks4a ? 9 : 8;
	uint8_t *buf = malloc(PROTO_MAX_CSTR + 16);
	struct msg m;
	size_t n;
	int rc;

	ck_assert_ptr_nonnull(buf);
	/* the longest accepted, terminated */
	n = long_cstr(buf, socks4a, PROTO_MAX_CSTR, 1);
	rc = proto_decode(MSG_S4_REQUEST, buf, n, NULL, &m);
	ck_assert_msg(rc == PROTO_OK, "%s of %d bytes: %d (%s)", fld, PROTO_MAX_CSTR, rc, m.why);
	ck_assert_uint_eq(m.len, n);
	ck_assert_uint_eq(need_field(&m, fld)->len, PROTO_MAX_CSTR);
	ck_assert_uint_eq(need_field(&m, fld)->off, start);

	/* the longest accepted, its terminator not here yet */
	n = long_cstr(buf, socks4a, PROTO_MAX_CSTR, 0);
	rc = proto_decode(MSG_S4_REQUEST, buf, n, NULL, &m);
	ck_assert_msg(rc == PROTO_NEED_MORE, "%s of %d bytes, unterminated: %d", fld,
		      PROTO_MAX_CSTR, rc);
	ck_assert_uint_gt(m.need, n);

	/* one byte more and still no terminator: it will never end */
	n = long_cstr(buf, socks4a, PROTO_MAX_CSTR + 1, 0);
	rc = proto_decode(MSG_S4_REQUEST, buf, n, NULL, &m);
	ck_assert_msg(rc == PROTO_E_UNTERMINATED, "%s of %d bytes: %d, expected %d", fld,
		      PROTO_MAX_CSTR + 1, rc, PROTO_E_UNTERMINATED);
	ck_assert_str_eq(err_fname(&m), fld);
	ck_assert_msg(m.err_off >= start && m.err_off <= start + PROTO_MAX_CSTR,
		      "err_off %zu outside %s", m.err_off, fld);
	check_decode_sane(fld, &m, buf, n);
	free(buf);
}

START_TEST(s4_userid_limit)
{
	cstr_limit(0);
}
END_TEST

START_TEST(s4a_hostname_limit)
{
	cstr_limit(1);
}
END_TEST

/* A plain SOCKS4 request is over after USERID's 0x00: what follows is not a host name. */
START_TEST(s4_no_hostname_unless_4a)
{
	static const uint8_t sets[][4] = {
		{ 0, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 1, 0, 1 }, { 1, 0, 0, 1 }, { 127, 0, 0, 1 },
	};
	uint8_t buf[32];
	struct msg m;

	for (size_t i = 0; i < NELEM(sets); i++) {
		size_t n = hexbytes("04 01 00 50 00 00 00 00 'id' 00 'example.com' 00", buf,
				    sizeof buf);
		memcpy(buf + 4, sets[i], 4);
		ck_assert_int_eq(proto_decode(MSG_S4_REQUEST, buf, n, NULL, &m), PROTO_OK);
		ck_assert_msg(m.len == 11, "DSTIP %u.%u.%u.%u: consumed %zu, expected 11",
			      sets[i][0], sets[i][1], sets[i][2], sets[i][3], m.len);
		ck_assert_ptr_null(msg_field(&m, "HOSTNAME"));
	}
	/* and every 0.0.0.x with x != 0 is SOCKS4a */
	for (unsigned x = 1; x <= 255; x++) {
		size_t n = hexbytes("04 01 00 50 00 00 00 00 'id' 00 'example.com' 00", buf,
				    sizeof buf);
		buf[7] = (uint8_t)x;
		ck_assert_int_eq(proto_decode(MSG_S4_REQUEST, buf, n, NULL, &m), PROTO_OK);
		ck_assert_msg(m.len == n, "DSTIP 0.0.0.%u: consumed %zu of %zu", x, m.len, n);
		const struct field *h = need_field(&m, "HOSTNAME");
		ck_assert_uint_eq(h->len, 11);
		ck_assert_mem_eq(h->bytes, "example.com", 11);
	}
}
END_TEST

/* 4a: DSTIP follows the host name; set by hand it is sent as given. */
START_TEST(s4a_dstip_derived)
{
	uint8_t out[64];
	struct draft d;
	struct msg m;
	size_t n;

	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DSTPORT", 80), PROTO_OK);
	ck_assert_int_eq(draft_set_bytes(&d, "HOSTNAME", (const uint8_t *)"a.b", 3), PROTO_OK);
	n = encode_ok(&d, out, sizeof out, &m, "4a");
	ck_assert_uint_eq(n, 13);
	ck_assert_mem_eq(out, "\x04\x01\x00\x50\x00\x00\x00\x01\x00" "a.b\x00", 13);
	ck_assert_msg(need_field(&m, "DSTIP")->flags & FF_DERIVED, "4a DSTIP not marked derived");
	ck_assert_msg(!(need_field(&m, "DSTIP")->flags & FF_OVERRIDE), "4a DSTIP marked override");

	/* an explicit DSTIP 0.0.0.9 replaces the conventional 0.0.0.1 */
	ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\0\0\0\x09"), PROTO_OK);
	n = encode_ok(&d, out, sizeof out, &m, "4a override");
	ck_assert_uint_eq(n, 13);
	ck_assert_mem_eq(out, "\x04\x01\x00\x50\x00\x00\x00\x09\x00" "a.b\x00", 13);
	ck_assert_msg(need_field(&m, "DSTIP")->flags & FF_OVERRIDE, "4a DSTIP override not marked");

	/* unset: back to 0.0.0.1 */
	ck_assert_int_eq(draft_unset(&d, "DSTIP"), PROTO_OK);
	n = encode_ok(&d, out, sizeof out, NULL, "4a unset");
	ck_assert_uint_eq(n, 13);
	ck_assert_mem_eq(out, "\x04\x01\x00\x50\x00\x00\x00\x01\x00" "a.b\x00", 13);
}
END_TEST

Suite *socks4_suite(void)
{
	Suite *s = suite_create("socks4");
	TCase *tc = tcase_create("socks4 specifics");

	s4_request_add_tcase(s);
	s4_reply_add_tcase(s);
	s4_error_add_tcase(s);
	tcase_add_test(tc, s4_classic_names);
	tcase_add_test(tc, s4_userid_limit);
	tcase_add_test(tc, s4a_hostname_limit);
	tcase_add_test(tc, s4_no_hostname_unless_4a);
	tcase_add_test(tc, s4a_dstip_derived);
	suite_add_tcase(s, tc);
	return s;
}
