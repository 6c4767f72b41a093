/* Username/password sub-negotiation (RFC 1929): request and status. */
#include <string.h>

#include "suites.h"
#include "testutil.h"

static const struct vec auth_request_vecs[] = {
	{ "user/pass", MSG_S5_AUTH_REQUEST, "01 04 'user' 04 'pass'",
	  { OPB("UNAME", "user"), OPB("PASSWD", "pass") },
	  { { "VER", 0, 1, 1, 0 }, { "ULEN", 1, 1, 4, 0 }, { "UNAME", 2, 4, NONUM, 0 },
	    { "PLEN", 6, 1, 4, 0 }, { "PASSWD", 7, 4, NONUM, 0 } },
	  7, 0, NULL },
	{ "one byte each", MSG_S5_AUTH_REQUEST, "01 01 'u' 01 'p'",
	  { OPB("UNAME", "u"), OPB("PASSWD", "p") },
	  { { "VER", 0, 1, 1, 0 }, { "ULEN", 1, 1, 1, 0 }, { "UNAME", 2, 1, NONUM, 0 },
	    { "PLEN", 3, 1, 1, 0 }, { "PASSWD", 4, 1, NONUM, 0 } },
	  4, 0, NULL },
	{ "a password holding NUL, 0xff, ':' and '@'", MSG_S5_AUTH_REQUEST,
	  "01 03 'bob' 05 00 ff 3a 40 0a",
	  { OPB("UNAME", "bob"), OPB("PASSWD", "\x00\xff:@\n") },
	  { { "VER", 0, 1, 1, 0 }, { "ULEN", 1, 1, 3, 0 }, { "UNAME", 2, 3, NONUM, 0 },
	    { "PLEN", 5, 1, 5, 0 }, { "PASSWD", 6, 5, NONUM, 0 } },
	  6, 0, NULL },
	{ "password set before user name", MSG_S5_AUTH_REQUEST, "01 05 'alice' 06 's3cr3t'",
	  { OPB("PASSWD", "s3cr3t"), OPB("UNAME", "alice") },
	  { { "VER", 0, 1, 1, 0 }, { "ULEN", 1, 1, 5, 0 }, { "UNAME", 2, 5, NONUM, 0 },
	    { "PLEN", 7, 1, 6, 0 }, { "PASSWD", 8, 6, NONUM, 0 } },
	  8, 0, NULL },
};

static const struct vec auth_status_vecs[] = {
	{ "success", MSG_S5_AUTH_STATUS, "01 00", { OPN("STATUS", 0) },
	  { { "VER", 0, 1, 1, 0 }, { "STATUS", 1, 1, 0, 0 } }, 1, 0, NULL },
	{ "failure 01", MSG_S5_AUTH_STATUS, "01 01", { OPN("STATUS", 1) },
	  { { "VER", 0, 1, 1, 0 }, { "STATUS", 1, 1, 1, FFX } }, 1, 0, NULL },
	{ "failure ff", MSG_S5_AUTH_STATUS, "01 ff", { OPN("STATUS", 0xff) },
	  { { "VER", 0, 1, 1, 0 }, { "STATUS", 1, 1, 0xff, FFX } }, 1, 0, NULL },
};

#define NO_OPS { { OP_END, NULL, 0, NULL, 0 } }

static const struct evec auth_errors[] = {
	{ "request VER 5", MSG_S5_AUTH_REQUEST, "05 04 'user' 04 'pass'",
	  { OPN("VER", 5), OPB("UNAME", "user"), OPB("PASSWD", "pass") }, PROTO_E_VERSION, 0,
	  "VER", 0 },
	{ "request VER 0", MSG_S5_AUTH_REQUEST, "00 01 'u' 01 'p'",
	  { OPN("VER", 0), OPB("UNAME", "u"), OPB("PASSWD", "p") }, PROTO_E_VERSION, 0, "VER",
	  0 },
	{ "request ULEN 0", MSG_S5_AUTH_REQUEST, "01 00 'u' 04 'pass'",
	  { OPB("UNAME", "u"), OPN("ULEN", 0), OPB("PASSWD", "pass") }, PROTO_E_LENGTH, 1,
	  "ULEN", 0 },
	{ "request ULEN 0, bare", MSG_S5_AUTH_REQUEST, "01 00", NO_OPS, PROTO_E_LENGTH, 1, "ULEN",
	  0 },
	{ "status VER 2", MSG_S5_AUTH_STATUS, "02 00", { OPN("VER", 2), OPN("STATUS", 0) },
	  PROTO_E_VERSION, 0, "VER", 0 },
	{ "status VER 0", MSG_S5_AUTH_STATUS, "00 00", { OPN("VER", 0), OPN("STATUS", 0) },
	  PROTO_E_VERSION, 0, "VER", 0 },
};

VECTOR_TESTS(auth_request, auth_request_vecs)
VECTOR_TESTS(auth_status, auth_status_vecs)
ERROR_TESTS(auth_error, auth_errors)

/* Every user name and password length from 1 to 255, encoded and decoded. */
START_TEST(auth_all_lengths)
{
	uint8_t name[255], pass[255], want[2 + 255 + 1 + 255], out[600];
	struct draft d;
	struct msg m;

	for (size_t i = 0; i < 255; i++) {
		name[i] = (uint8_t)('A' + i % 26);
		pass[i] = (uint8_t)(255 - i);
	}
	for (size_t ul = 1; ul <= 255; ul++) {
		size_t pl = 256 - ul, n = 0;
		want[n++] = 0x01;
		want[n++] = (uint8_t)ul;
		memcpy(want + n, name, ul);
		n += ul;
		want[n++] = (uint8_t)pl;
		memcpy(want + n, pass, pl);
		n += pl;

		draft_init(&d, MSG_S5_AUTH_REQUEST);
		ck_assert_int_eq(draft_set_bytes(&d, "UNAME", name, ul), PROTO_OK);
		ck_assert_int_eq(draft_set_bytes(&d, "PASSWD", pass, pl), PROTO_OK);
		size_t outlen = encode_ok(&d, out, sizeof out, NULL, "auth lengths");
		ck_assert_msg(outlen == n, "ULEN %zu PLEN %zu: %zu bytes, expected %zu", ul, pl,
			      outlen, n);
		ck_assert_mem_eq(out, want, n);

		ck_assert_int_eq(proto_decode(MSG_S5_AUTH_REQUEST, want, n, NULL, &m), PROTO_OK);
		ck_assert_uint_eq(m.len, n);
		ck_assert_uint_eq(need_field(&m, "ULEN")->num, ul);
		ck_assert_uint_eq(need_field(&m, "PLEN")->num, pl);
		ck_assert_uint_eq(need_field(&m, "UNAME")->len, ul);
		ck_assert_uint_eq(need_field(&m, "PASSWD")->len, pl);
		ck_assert_uint_eq(need_field(&m, "PASSWD")->off, 3 + ul);
		/* once PLEN is in, exactly the whole is asked for */
		ck_assert_int_eq(proto_decode(MSG_S5_AUTH_REQUEST, want, 3 + ul, NULL, &m),
				 PROTO_NEED_MORE);
		ck_assert_uint_eq(m.need, n);
	}
}
END_TEST

/* The password is a secret in every view; the user name is not. */
START_TEST(auth_passwd_secret)
{
	const struct msg_desc *md = proto_msg_desc(MSG_S5_AUTH_REQUEST);
	int pi = proto_field_index(md, "PASSWD");
	int ui = proto_field_index(md, "UNAME");

	ck_assert_int_ge(pi, 0);
	ck_assert_int_ge(ui, 0);
	ck_assert_msg(md->fields[pi].flags & FD_SECRET, "PASSWD is not FD_SECRET");
	ck_assert_msg(!(md->fields[ui].flags & FD_SECRET), "UNAME is FD_SECRET");
}
END_TEST

Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth specifics");

	auth_request_add_tcase(s);
	auth_status_add_tcase(s);
	auth_error_add_tcase(s);
	tcase_add_test(tc, auth_all_lengths);
	tcase_add_test(tc, auth_passwd_secret);
	suite_add_tcase(s, tc);
	return s;
}
