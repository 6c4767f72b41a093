/* SOCKS5 (RFC 1928): greeting, method selection, request and reply. */
#include <string.h>
#include <strings.h>

#include "suites.h"
#include "testutil.h"

#define V6_DOC "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
#define V6_DOC_HEX "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
#define V6_LO "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"
#define V6_LO_HEX "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"

static const struct vec greeting_vecs[] = {
	{ "one method: no authentication", MSG_S5_GREETING, "05 01 00",
	  { OPB("METHODS", "\x00") },
	  { { "VER", 0, 1, 5, 0 }, { "NMETHODS", 1, 1, 1, 0 }, { "METHODS", 2, 1, NONUM, 0 } },
	  2, 0, NULL },
	{ "two methods: none, username/password", MSG_S5_GREETING, "05 02 00 02",
	  { OPB("METHODS", "\x00\x02") },
	  { { "VER", 0, 1, 5, 0 }, { "NMETHODS", 1, 1, 2, 0 }, { "METHODS", 2, 2, NONUM, 0 } },
	  2, 0, NULL },
	{ "three methods: none, GSSAPI, username/password", MSG_S5_GREETING, "05 03 00 01 02",
	  { OPB("METHODS", "\x00\x01\x02") },
	  { { "VER", 0, 1, 5, 0 }, { "NMETHODS", 1, 1, 3, 0 }, { "METHODS", 2, 3, NONUM, 0 } },
	  2, 0, NULL },
	{ "a private method only", MSG_S5_GREETING, "05 01 80",
	  { OPB("METHODS", "\x80") },
	  { { "VER", 0, 1, 5, 0 }, { "NMETHODS", 1, 1, 1, 0 }, { "METHODS", 2, 1, NONUM, FFX } },
	  2, 0, NULL },
};

static const struct vec method_vecs[] = {
	{ "no authentication", MSG_S5_METHOD, "05 00", { OPN("METHOD", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 0, 0 } }, 1, 0, NULL },
	{ "username/password, offered", MSG_S5_METHOD, "05 02", { OPN("METHOD", 2) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 2, 0 } }, 1, 0, "00 02" },
	{ "no acceptable method, with a context", MSG_S5_METHOD, "05 ff", { OPN("METHOD", 0xff) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 0xff, 0 } }, 1, 0, "00" },
	{ "no acceptable method, no context", MSG_S5_METHOD, "05 ff", { OPN("METHOD", 0xff) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 0xff, 0 } }, 1, 0, NULL },
	{ "username/password, not offered", MSG_S5_METHOD, "05 02", { OPN("METHOD", 2) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 2, FF_ANOMALY } }, 1, 0, "00" },
	{ "GSSAPI, not offered among three", MSG_S5_METHOD, "05 01", { OPN("METHOD", 1) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 1, FF_ANOMALY } }, 1, 0, "00 02 80" },
	{ "username/password, no context to check against", MSG_S5_METHOD, "05 02",
	  { OPN("METHOD", 2) },
	  { { "VER", 0, 1, 5, 0 }, { "METHOD", 1, 1, 2, 0 } }, 1, 0, NULL },
};

static const struct vec request_vecs[] = {
	{ "CONNECT 93.184.216.34:80", MSG_S5_REQUEST, "05 01 00 01 5d b8 d8 22 00 50",
	  { OP4("DST.ADDR", "\x5d\xb8\xd8\x22"), OPN("DST.PORT", 80) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 80, 0 } },
	  4, 0, NULL },
	{ "CONNECT example.com:443", MSG_S5_REQUEST, "05 01 00 03 0b 'example.com' 01 bb",
	  { OPD("DST.ADDR", "example.com"), OPN("DST.PORT", 443) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 3, 0 }, { "ALEN", 4, 1, 11, 0 }, { "DST.ADDR", 5, 11, NONUM, 0 },
	    { "DST.PORT", 16, 2, 443, 0 } },
	  5, 0, NULL },
	{ "CONNECT [2001:db8::1]:22", MSG_S5_REQUEST, "05 01 00 04 " V6_DOC_HEX " 00 16",
	  { OP6("DST.ADDR", V6_DOC), OPN("DST.PORT", 22) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 4, 0 }, { "DST.ADDR", 4, 16, NONUM, 0 },
	    { "DST.PORT", 20, 2, 22, 0 } },
	  4, 0, NULL },
	{ "BIND 10.1.2.3:21", MSG_S5_REQUEST, "05 02 00 01 0a 01 02 03 00 15",
	  { OPN("CMD", 2), OP4("DST.ADDR", "\x0a\x01\x02\x03"), OPN("DST.PORT", 21) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 2, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 21, 0 } },
	  4, 0, NULL },
	{ "UDP ASSOCIATE from 0.0.0.0:0", MSG_S5_REQUEST, "05 03 00 01 00 00 00 00 00 00",
	  { OPN("CMD", 3), OP4("DST.ADDR", "\0\0\0\0"), OPN("DST.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 3, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "Tor RESOLVE torproject.org", MSG_S5_REQUEST, "05 f0 00 03 0e 'torproject.org' 00 00",
	  { OPN("CMD", 0xf0), OPD("DST.ADDR", "torproject.org"), OPN("DST.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 0xf0, FFX }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 3, 0 }, { "ALEN", 4, 1, 14, 0 }, { "DST.ADDR", 5, 14, NONUM, 0 },
	    { "DST.PORT", 19, 2, 0, 0 } },
	  5, 0, NULL },
	{ "Tor RESOLVE_PTR 127.0.0.1", MSG_S5_REQUEST, "05 f1 00 01 7f 00 00 01 00 00",
	  { OPN("CMD", 0xf1), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 0xf1, FFX }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "one-letter name", MSG_S5_REQUEST, "05 01 00 03 01 'a' ff ff",
	  { OPD("DST.ADDR", "a"), OPN("DST.PORT", 65535) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 3, 0 }, { "ALEN", 4, 1, 1, 0 }, { "DST.ADDR", 5, 1, NONUM, 0 },
	    { "DST.PORT", 6, 2, 65535, 0 } },
	  5, 0, NULL },
	{ "RSV 1 is an anomaly", MSG_S5_REQUEST, "05 01 01 01 7f 00 00 01 00 50",
	  { OPN("RSV", 1), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 1, FF_ANOMALY },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 80, 0 } },
	  4, 0, NULL },
	{ "CMD 0x04 is unassigned", MSG_S5_REQUEST, "05 04 00 01 7f 00 00 01 00 50",
	  { OPN("CMD", 4), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 4, FF_UNASSIGNED }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "DST.ADDR", 4, 4, NONUM, 0 },
	    { "DST.PORT", 8, 2, 80, 0 } },
	  4, 0, NULL },
	{ "a name holding ESC, CR and a NUL", MSG_S5_REQUEST, "05 01 00 03 04 1b 0d 00 'x' 00 50",
	  { OPD("DST.ADDR", "\x1b\r\0x"), OPN("DST.PORT", 80) },
	  { { "VER", 0, 1, 5, 0 }, { "CMD", 1, 1, 1, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 3, 0 }, { "ALEN", 4, 1, 4, 0 }, { "DST.ADDR", 5, 4, NONUM, 0 },
	    { "DST.PORT", 9, 2, 80, 0 } },
	  5, 0, NULL },
};

static const struct vec reply_vecs[] = {
	{ "succeeded, bound 127.0.0.1:54321", MSG_S5_REPLY, "05 00 00 01 7f 00 00 01 d4 31",
	  { OPN("REP", 0), OP4("BND.ADDR", "\x7f\0\0\x01"), OPN("BND.PORT", 54321) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 54321, 0 } },
	  4, 0, NULL },
	{ "connection refused", MSG_S5_REPLY, "05 05 00 01 00 00 00 00 00 00",
	  { OPN("REP", 5), OP4("BND.ADDR", "\0\0\0\0"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 5, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "address type not supported", MSG_S5_REPLY, "05 08 00 01 00 00 00 00 00 00",
	  { OPN("REP", 8), OP4("BND.ADDR", "\0\0\0\0"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 8, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "succeeded, bound [::1]:1080", MSG_S5_REPLY, "05 00 00 04 " V6_LO_HEX " 04 38",
	  { OPN("REP", 0), OP6("BND.ADDR", V6_LO), OPN("BND.PORT", 1080) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 4, 0 }, { "BND.ADDR", 4, 16, NONUM, 0 },
	    { "BND.PORT", 20, 2, 1080, 0 } },
	  4, 0, NULL },
	{ "RESOLVE_PTR answer: localhost", MSG_S5_REPLY, "05 00 00 03 09 'localhost' 00 00",
	  { OPN("REP", 0), OPD("BND.ADDR", "localhost"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0, 0 }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 3, 0 }, { "ALEN", 4, 1, 9, 0 }, { "BND.ADDR", 5, 9, NONUM, 0 },
	    { "BND.PORT", 14, 2, 0, 0 } },
	  5, 0, NULL },
	{ "REP 0x09 is unassigned", MSG_S5_REPLY, "05 09 00 01 00 00 00 00 00 00",
	  { OPN("REP", 9), OP4("BND.ADDR", "\0\0\0\0"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 9, FF_UNASSIGNED }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "REP 0x7f is unassigned", MSG_S5_REPLY, "05 7f 00 01 00 00 00 00 00 00",
	  { OPN("REP", 0x7f), OP4("BND.ADDR", "\0\0\0\0"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0x7f, FF_UNASSIGNED }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "Tor onion error F0", MSG_S5_REPLY, "05 f0 00 01 00 00 00 00 00 00",
	  { OPN("REP", 0xf0), OP4("BND.ADDR", "\0\0\0\0"), OPN("BND.PORT", 0) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0xf0, FFX }, { "RSV", 2, 1, 0, 0 },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 0, 0 } },
	  4, 0, NULL },
	{ "RSV 0xff is an anomaly", MSG_S5_REPLY, "05 00 ff 01 7f 00 00 01 00 50",
	  { OPN("REP", 0), OPN("RSV", 0xff), OP4("BND.ADDR", "\x7f\0\0\x01"),
	    OPN("BND.PORT", 80) },
	  { { "VER", 0, 1, 5, 0 }, { "REP", 1, 1, 0, 0 }, { "RSV", 2, 1, 0xff, FF_ANOMALY },
	    { "ATYP", 3, 1, 1, 0 }, { "BND.ADDR", 4, 4, NONUM, 0 },
	    { "BND.PORT", 8, 2, 80, 0 } },
	  4, 0, NULL },
};

#define NO_OPS { { OP_END, NULL, 0, NULL, 0 } }

static const struct evec s5_errors[] = {
	{ "greeting VER 4", MSG_S5_GREETING, "04 01 00",
	  { OPN("VER", 4), OPB("METHODS", "\x00") }, PROTO_E_VERSION, 0, "VER", 0 },
	{ "greeting from a SOCKS4 client", MSG_S5_GREETING, "04 01 00 50 7f 00 00 01 00", NO_OPS,
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "greeting NMETHODS 0", MSG_S5_GREETING, "05 00 00",
	  { OPB("METHODS", "\x00"), OPN("NMETHODS", 0) }, PROTO_E_LENGTH, 1, "NMETHODS", 0 },
	{ "greeting NMETHODS 0, nothing after", MSG_S5_GREETING, "05 00", NO_OPS, PROTO_E_LENGTH,
	  1, "NMETHODS", 0 },
	{ "method VER 4", MSG_S5_METHOD, "04 00", { OPN("VER", 4), OPN("METHOD", 0) },
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "method reply from a SOCKS4 server (00 5b)", MSG_S5_METHOD, "00 5b 00 00 00 00 00 00",
	  NO_OPS, PROTO_E_VERSION, 0, "VER", 0 },
	{ "request VER 4", MSG_S5_REQUEST, "04 01 00 01 7f 00 00 01 00 50",
	  { OPN("VER", 4), OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80) },
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "request ATYP 2", MSG_S5_REQUEST, "05 01 00 02 7f 00 00 01 00 50",
	  { OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80), OPN("ATYP", 2) },
	  PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "request ATYP 0", MSG_S5_REQUEST, "05 01 00 00 7f 00 00 01 00 50",
	  { OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80), OPN("ATYP", 0) },
	  PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "request ATYP 5", MSG_S5_REQUEST, "05 01 00 05 7f 00 00 01 00 50",
	  { OP4("DST.ADDR", "\x7f\0\0\x01"), OPN("DST.PORT", 80), OPN("ATYP", 5) },
	  PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "request ATYP 0xff", MSG_S5_REQUEST, "05 01 00 ff", NO_OPS, PROTO_E_ATYP, 3, "ATYP",
	  0 },
	{ "request name length 0", MSG_S5_REQUEST, "05 01 00 03 00 'x' 00 50",
	  { OPD("DST.ADDR", "x"), OPN("ALEN", 0), OPN("DST.PORT", 80) }, PROTO_E_LENGTH, 4,
	  "ALEN", 0 },
	{ "request name length 0, then the port", MSG_S5_REQUEST, "05 01 00 03 00 00 50", NO_OPS,
	  PROTO_E_LENGTH, 4, "ALEN", 0 },
	{ "reply VER 0 from a SOCKS4 server", MSG_S5_REPLY, "00 5a 00 00 00 00 00 00", NO_OPS,
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "reply VER 1", MSG_S5_REPLY, "01 00 00 01 7f 00 00 01 00 50",
	  { OPN("VER", 1), OPN("REP", 0), OP4("BND.ADDR", "\x7f\0\0\x01"),
	    OPN("BND.PORT", 80) },
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "reply ATYP 2", MSG_S5_REPLY, "05 00 00 02 7f 00 00 01 00 50",
	  { OPN("REP", 0), OP4("BND.ADDR", "\x7f\0\0\x01"), OPN("BND.PORT", 80),
	    OPN("ATYP", 2) },
	  PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "reply ATYP 6", MSG_S5_REPLY, "05 00 00 06", NO_OPS, PROTO_E_ATYP, 3, "ATYP", 0 },
	{ "reply name length 0", MSG_S5_REPLY, "05 00 00 03 00 'x' 00 00",
	  { OPN("REP", 0), OPD("BND.ADDR", "x"), OPN("ALEN", 0), OPN("BND.PORT", 0) },
	  PROTO_E_LENGTH, 4, "ALEN", 0 },
};

VECTOR_TESTS(s5_greeting, greeting_vecs)
VECTOR_TESTS(s5_method, method_vecs)
VECTOR_TESTS(s5_request, request_vecs)
VECTOR_TESTS(s5_reply, reply_vecs)
ERROR_TESTS(s5_error, s5_errors)

/* 0xF0 is RESOLVE in a command and an onion-service error in a reply. */
START_TEST(s5_names_belong_to_fields)
{
	uint8_t req[32], rep[16];
	size_t nreq = hexbytes("05 f0 00 03 0e 'torproject.org' 00 00", req, sizeof req);
	size_t nrep = hexbytes("05 f0 00 01 00 00 00 00 00 00", rep, sizeof rep);
	struct msg mq, mp;

	ck_assert_int_eq(proto_decode(MSG_S5_REQUEST, req, nreq, NULL, &mq), PROTO_OK);
	ck_assert_int_eq(proto_decode(MSG_S5_REPLY, rep, nrep, NULL, &mp), PROTO_OK);
	const struct field *cmd = need_field(&mq, "CMD");
	const struct field *repf = need_field(&mp, "REP");
	ck_assert_uint_eq(cmd->num, 0xf0);
	ck_assert_uint_eq(repf->num, 0xf0);
	ck_assert_ptr_eq(cmd->desc->names, &names_s5_command);
	ck_assert_ptr_eq(repf->desc->names, &names_s5_reply);

	const struct name_entry *ec = names_find(cmd->desc->names, cmd->num);
	const struct name_entry *er = names_find(repf->desc->names, repf->num);
	ck_assert_ptr_nonnull(ec);
	ck_assert_ptr_nonnull(er);
	ck_assert_msg(strcasestr(ec->name, "resolve") != NULL, "CMD F0 is \"%s\"", ec->name);
	ck_assert_msg(strcasestr(er->name, "resolve") == NULL, "REP F0 is \"%s\"", er->name);
	ck_assert_msg(strcasestr(er->name, "descriptor") != NULL, "REP F0 is \"%s\"", er->name);
	ck_assert_ptr_ne(ec, er);
}
END_TEST

/* The reply's length is known once ATYP is in: then exactly that much is asked for. */
START_TEST(s5_reply_need_sequence)
{
	static const struct {
		const char *hex;
		size_t total, from;
	} cases[] = {
		{ "05 00 00 01 7f 00 00 01 00 50", 10, 4 },
		{ "05 00 00 04 " V6_LO_HEX " 00 50", 22, 4 },
		{ "05 00 00 03 ff 'abc'", 262, 5 },
		{ "05 00 00 03 01 'a' 00 50", 8, 5 },
	};
	uint8_t buf[32];
	struct msg m;

	for (size_t c = 0; c < NELEM(cases); c++) {
		size_t n = hexbytes(cases[c].hex, buf, sizeof buf);
		for (size_t k = 0; k < n && k < cases[c].total; k++) {
			int rc = proto_decode(MSG_S5_REPLY, buf, k, NULL, &m);
			ck_assert_msg(rc == PROTO_NEED_MORE, "case %zu, %zu bytes: %d", c, k, rc);
			if (k < cases[c].from)
				ck_assert_msg(m.need > k && m.need <= cases[c].total,
					      "case %zu, %zu bytes: need %zu", c, k, m.need);
			else
				ck_assert_msg(m.need == cases[c].total,
					      "case %zu, %zu bytes: need %zu, expected %zu", c, k,
					      m.need, cases[c].total);
		}
	}
	/* a 2-byte prefix needs at least 3 */
	ck_assert_int_eq(proto_decode(MSG_S5_REPLY, (const uint8_t *)"\x05\x00", 2, NULL, &m),
			 PROTO_NEED_MORE);
	ck_assert_uint_ge(m.need, 3);
}
END_TEST

/* A method choice is checked against what this greeting offered, whatever it was. */
START_TEST(s5_method_offered_each)
{
	uint8_t choice[2] = { 0x05, 0 };
	uint8_t offered[2] = { 0x00, 0x02 };
	struct proto_ctx ctx = { offered, sizeof offered };
	struct msg m;

	for (unsigned c = 0; c <= 0xff; c++) {
		choice[1] = (uint8_t)c;
		ck_assert_int_eq(proto_decode(MSG_S5_METHOD, choice, 2, &ctx, &m), PROTO_OK);
		const struct field *f = need_field(&m, "METHOD");
		int expect = !(c == 0x00 || c == 0x02 || c == 0xff);
		ck_assert_msg(!!(f->flags & FF_ANOMALY) == expect,
			      "method 0x%02x, offered 00 02: anomaly %d", c,
			      !!(f->flags & FF_ANOMALY));
		ck_assert_uint_eq(m.anomalies, (unsigned)expect);
	}
}
END_TEST

/* 255 methods, every code once in a while. */
START_TEST(s5_greeting_255_methods)
{
	uint8_t buf[2 + 255 + 4];
	struct msg m;

	buf[0] = 0x05;
	buf[1] = 0xff;
	for (size_t i = 0; i < 255; i++)
		buf[2 + i] = (uint8_t)i;
	memcpy(buf + 257, "\x05\x01\x00\x01", 4);
	for (size_t k = 0; k < 257; k += 16) {
		ck_assert_int_eq(proto_decode(MSG_S5_GREETING, buf, k, NULL, &m), PROTO_NEED_MORE);
		if (k >= 2)
			ck_assert_uint_eq(m.need, 257);
	}
	ck_assert_int_eq(proto_decode(MSG_S5_GREETING, buf, sizeof buf, NULL, &m), PROTO_OK);
	ck_assert_uint_eq(m.len, 257);
	ck_assert_uint_eq(need_field(&m, "NMETHODS")->num, 255);
	const struct field *f = need_field(&m, "METHODS");
	ck_assert_uint_eq(f->off, 2);
	ck_assert_uint_eq(f->len, 255);
	ck_assert_ptr_eq(f->bytes, buf + 2);
}
END_TEST
/* Whether need is the whole message or only a lower bound, at each cut. */
static const struct {
	enum msg_type type;
	uint8_t bytes[8];
	size_t len, need;
	bool exact;
} need_cuts[] = {
	{ MSG_S5_REPLY, { 0x05, 0x00 }, 2, 4, false },                     /* ATYP not read */
	{ MSG_S5_REPLY, { 0x05, 0x00, 0x00, 0x01 }, 4, 10, true },         /* IPv4 */
	{ MSG_S5_REPLY, { 0x05, 0x00, 0x00, 0x04, 0x20 }, 5, 22, true },   /* IPv6 */
	{ MSG_S5_REPLY, { 0x05, 0x00, 0x00, 0x03 }, 4, 5, false },         /* ALEN not read */
	{ MSG_S5_REPLY, { 0x05, 0x00, 0x00, 0x03, 0x07 }, 5, 14, true },   /* a 7-byte name */
	{ MSG_S4_REPLY, { 0x00, 0x5a, 0x00 }, 3, 8, true },
	{ MSG_S4_REQUEST, { 0x04, 0x01, 0x00 }, 3, 9, false },             /* USERID's end */
	{ MSG_GSSAPI, { 0x01 }, 1, 2, false },                             /* MTYP not read */
	{ MSG_GSSAPI, { 0x01, 0x01, 0x00, 0x03 }, 4, 7, true },
};

START_TEST(s5_need_exactness)
{
	struct msg m;

	proto_decode(need_cuts[_i].type, need_cuts[_i].bytes, need_cuts[_i].len, NULL, &m);
	ck_assert_int_eq(m.status, PROTO_NEED_MORE);
	ck_assert_uint_eq(m.need, need_cuts[_i].need);
	ck_assert_int_eq(m.need_exact, need_cuts[_i].exact);
}
END_TEST


Suite *socks5_suite(void)
{
	Suite *s = suite_create("socks5");
	TCase *tc = tcase_create("socks5 specifics");

	s5_greeting_add_tcase(s);
	s5_method_add_tcase(s);
	s5_request_add_tcase(s);
	s5_reply_add_tcase(s);
	s5_error_add_tcase(s);
	tcase_add_test(tc, s5_names_belong_to_fields);
	tcase_add_test(tc, s5_reply_need_sequence);
	tcase_add_test(tc, s5_method_offered_each);
	tcase_add_test(tc, s5_greeting_255_methods);
	tcase_add_loop_test(tc, s5_need_exactness, 0, (int)(sizeof(need_cuts) / sizeof(need_cuts[0])));
	suite_add_tcase(s, tc);
	return s;
}
