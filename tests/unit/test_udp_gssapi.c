/* The UDP relay header (RFC 1928 section 7) and GSSAPI framing (RFC 1961). */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static const struct vec udp_vecs[] = {
	{ "DNS query to 127.0.0.1:53", MSG_S5_UDP, "00 00 00 01 7f 00 00 01 00 35 'ping'",
	  { OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 53), OPB("DATA", "ping") },
	  { { "RSV", 0, 2, 0, 0 }, { "FRAG", 2, 1, 0, 0 }, { "ATYP", 3, 1, 1, 0 },
	    { "DST.ADDR", 4, 4, NONUM, 0 }, { "DST.PORT", 8, 2, 53, 0 },
	    { "DATA", 10, 4, NONUM, 0 } },
	  4, V_REST, NULL },
	{ "to example.com:53", MSG_S5_UDP, "00 00 00 03 0b 'example.com' 00 35 'x'",
	  { OPD("DST.ADDR", "example.com"), OPN("DST.PORT", 53), OPB("DATA", "x") },
	  { { "RSV", 0, 2, 0, 0 }, { "FRAG", 2, 1, 0, 0 }, { "ATYP", 3, 1, 3, 0 },
	    { "ALEN", 4, 1, 11, 0 }, { "DST.ADDR", 5, 11, NONUM, 0 },
	    { "DST.PORT", 16, 2, 53, 0 }, { "DATA", 18, 1, NONUM, 0 } },
	  5, V_REST, NULL },
	{ "to [::1]:7, no payload", MSG_S5_UDP,
	  "00 00 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 07",
	  { OP6("DST.ADDR", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"), OPN("DST.PORT", 7) },
	  { { "RSV", 0, 2, 0, 0 }, { "FRAG", 2, 1, 0, 0 }, { "ATYP", 3, 1, 4, 0 },
	    { "DST.ADDR", 4, 16, NONUM, 0 }, { "DST.PORT", 20, 2, 7, 0 },
	    { "DATA", 22, 0, NONUM, 0 } },
	  4, V_REST, NULL },
	{ "fragment 1", MSG_S5_UDP, "00 00 01 01 0a 00 00 01 30 39 'frag'",
	  { OPN("FRAG", 1), OP4("DST.ADDR", "\x0a\0\0\x01"), OPN("DST.PORT", 12345),
	    OPB("DATA", "frag") },
	  { { "RSV", 0, 2, 0, 0 }, { "FRAG", 2, 1, 1, FFX }, { "ATYP", 3, 1, 1, 0 },
	    { "DST.ADDR", 4, 4, NONUM, 0 }, { "DST.PORT", 8, 2, 12345, 0 },
	    { "DATA", 10, 4, NONUM, 0 } },
	  4, V_REST, NULL },
	{ "RSV 00 01 is an anomaly", MSG_S5_UDP, "00 01 00 01 7f 00 00 01 00 35 'z'",
	  { OPN("RSV", 1), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 53),
	    OPB("DATA", "z") },
	  { { "RSV", 0, 2, 1, FF_ANOMALY }, { "FRAG", 2, 1, 0, 0 }, { "ATYP", 3, 1, 1, 0 },
	    { "DST.ADDR", 4, 4, NONUM, 0 }, { "DST.PORT", 8, 2, 53, 0 },
	    { "DATA", 10, 1, NONUM, 0 } },
	  4, V_REST, NULL },
	{ "RSV 12 34 is an anomaly, both bytes count", MSG_S5_UDP,
	  "12 34 00 01 7f 00 00 01 00 35 'z'",
	  { OPN("RSV", 0x1234), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 53),
	    OPB("DATA", "z") },
	  { { "RSV", 0, 2, 0x1234, FF_ANOMALY }, { "FRAG", 2, 1, 0, 0 }, { "ATYP", 3, 1, 1, 0 },
	    { "DST.ADDR", 4, 4, NONUM, 0 }, { "DST.PORT", 8, 2, 53, 0 },
	    { "DATA", 10, 1, NONUM, 0 } },
	  4, V_REST, NULL },
};

static const struct vec gssapi_vecs[] = {
	{ "authentication token of 3 bytes", MSG_GSSAPI, "01 01 00 03 aa bb cc",
	  { OPN("MTYP", 1), OPB("TOKEN", "\xaa\xbb\xcc") },
	  { { "VER", 0, 1, 1, 0 }, { "MTYP", 1, 1, 1, 0 }, { "LEN", 2, 2, 3, 0 },
	    { "TOKEN", 4, 3, NONUM, 0 } },
	  4, 0, NULL },
	{ "protection-level negotiation", MSG_GSSAPI, "01 02 00 01 01",
	  { OPN("MTYP", 2), OPB("TOKEN", "\x01") },
	  { { "VER", 0, 1, 1, 0 }, { "MTYP", 1, 1, 2, 0 }, { "LEN", 2, 2, 1, 0 },
	    { "TOKEN", 4, 1, NONUM, 0 } },
	  4, 0, NULL },
	{ "encapsulated data", MSG_GSSAPI, "01 03 00 05 'hello'",
	  { OPN("MTYP", 3), OPB("TOKEN", "hello") },
	  { { "VER", 0, 1, 1, 0 }, { "MTYP", 1, 1, 3, 0 }, { "LEN", 2, 2, 5, 0 },
	    { "TOKEN", 4, 5, NONUM, 0 } },
	  4, 0, NULL },
	{ "abort: no LEN, no TOKEN", MSG_GSSAPI, "01 ff", { OPN("MTYP", 0xff) },
	  { { "VER", 0, 1, 1, 0 }, { "MTYP", 1, 1, 0xff, 0 } }, 1, 0, NULL },
};

#define NO_OPS { { OP_END, NULL, 0, NULL, 0 } }

static const struct evec udp_gssapi_errors[] = {
	{ "UDP ATYP 2", MSG_S5_UDP, "00 00 00 02 7f 00 00 01 00 35",
	  { OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 53), OPN("ATYP", 2) }, PROTO_E_ATYP,
	  3, "ATYP", 0 },
	{ "UDP ATYP 0", MSG_S5_UDP, "00 00 00 00", NO_OPS, PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "UDP name length 0", MSG_S5_UDP, "00 00 00 03 00 'x' 00 35",
	  { OPD("DST.ADDR", "x"), OPN("ALEN", 0), OPN("DST.PORT", 53) }, PROTO_E_LENGTH, 4,
	  "ALEN", 0 },
	{ "GSSAPI VER 5", MSG_GSSAPI, "05 01 00 01 00",
	  { OPN("VER", 5), OPN("MTYP", 1), OPB("TOKEN", "\x00") }, PROTO_E_VERSION, 0, "VER",
	  0 },
	{ "GSSAPI VER 0", MSG_GSSAPI, "00 ff", { OPN("VER", 0), OPN("MTYP", 0xff) },
	  PROTO_E_VERSION, 0, "VER", 0 },
};

VECTOR_TESTS(udp, udp_vecs)
VECTOR_TESTS(gssapi, gssapi_vecs)
ERROR_TESTS(udp_gssapi_error, udp_gssapi_errors)

/* A token as long as a draft can hold: LEN 04 00. */
START_TEST(gssapi_long_token)
{
	uint8_t *tok = malloc(PROTO_MAX_BYTES), *out = malloc(PROTO_MAX_BYTES + 16);
	struct draft d;
	struct msg m;

	ck_assert_ptr_nonnull(tok);
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < PROTO_MAX_BYTES; i++)
		tok[i] = (uint8_t)(i * 7);
	draft_init(&d, MSG_GSSAPI);
	ck_assert_int_eq(draft_set_num(&d, "MTYP", 1), PROTO_OK);
	ck_assert_int_eq(draft_set_bytes(&d, "TOKEN", tok, PROTO_MAX_BYTES), PROTO_OK);
	size_t n = encode_ok(&d, out, PROTO_MAX_BYTES + 16, NULL, "long token");
	ck_assert_uint_eq(n, 4 + PROTO_MAX_BYTES);
	ck_assert_mem_eq(out, "\x01\x01\x04\x00", 4);
	ck_assert_mem_eq(out + 4, tok, PROTO_MAX_BYTES);

	ck_assert_int_eq(proto_decode(MSG_GSSAPI, out, 4, NULL, &m), PROTO_NEED_MORE);
	ck_assert_uint_eq(m.need, 4 + PROTO_MAX_BYTES);
	ck_assert_int_eq(proto_decode(MSG_GSSAPI, out, n, NULL, &m), PROTO_OK);
	ck_assert_uint_eq(need_field(&m, "LEN")->num, PROTO_MAX_BYTES);
	ck_assert_uint_eq(need_field(&m, "TOKEN")->len, PROTO_MAX_BYTES);

	/* the LEN override is sent as given */
	ck_assert_int_eq(draft_set_num(&d, "LEN", 0xffff), PROTO_OK);
	n = encode_ok(&d, out, PROTO_MAX_BYTES + 16, NULL, "LEN override");
	ck_assert_uint_eq(n, 4 + PROTO_MAX_BYTES);
	ck_assert_mem_eq(out, "\x01\x01\xff\xff", 4);
	free(tok);
	free(out);
}
END_TEST

/* A datagram's payload is every byte after the header, however long. */
START_TEST(udp_big_payload)
{
	size_t n = 10 + 60000;
	uint8_t *buf = malloc(n);
	struct msg m;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "\x00\x00\x00\x01\x7f\x00\x00\x01\x00\x35", 10);
	memset(buf + 10, 'q', n - 10);
	ck_assert_int_eq(proto_decode(MSG_S5_UDP, buf, n, NULL, &m), PROTO_OK);
	ck_assert_uint_eq(m.len, n);
	const struct field *f = need_field(&m, "DATA");
	ck_assert_uint_eq(f->off, 10);
	ck_assert_uint_eq(f->len, n - 10);
	ck_assert_ptr_eq(f->bytes, buf + 10);
	free(buf);
}
END_TEST

Suite *udp_gssapi_suite(void)
{
	Suite *s = suite_create("udp+gssapi");
	TCase *tc = tcase_create("udp+gssapi specifics");

	udp_add_tcase(s);
	gssapi_add_tcase(s);
	udp_gssapi_error_add_tcase(s);
	tcase_add_test(tc, gssapi_long_token);
	tcase_add_test(tc, udp_big_payload);
	suite_add_tcase(s, tc);
	return s;
}
