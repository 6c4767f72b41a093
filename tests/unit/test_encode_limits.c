/* The encoder's limits, refusals, overrides and unset (encode.c, draft.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static uint8_t big[PROTO_MAX_BYTES + 1];

static void fill_big(void)
{
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)('a' + i % 26);
}

/*
 * A value refused either by its setter (rc_set) or, when the setter takes it,
 * by the encoder with the field named.
 */
static void refused_somewhere(struct draft *d, int rc_set, int status, const char *field,
			      const char *alt, const char *what)
{
	if (rc_set == PROTO_OK) {
		encode_refused(d, status, field, alt, what);
		return;
	}
	ck_assert_msg(rc_set == status, "%s: setter answered %d (%s), expected %d (%s)", what,
		      rc_set, proto_strerror(rc_set), status, proto_strerror(status));
}

/* ---- SOCKS5 domain names: 254 and 255 go, 256 is refused ---- */

static void domain_len(enum msg_type type, const char *addr, size_t n)
{
	uint8_t out[PROTO_MAX_BYTES + 64];
	struct draft d;
	char what[64];

	snprintf(what, sizeof what, "%s of %zu bytes", addr, n);
	fill_big();
	draft_init(&d, type);
	if (type == MSG_S5_UDP)
		ck_assert_int_eq(draft_set_bytes(&d, "DATA", (const uint8_t *)"d", 1), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, type == MSG_S5_REPLY ? "BND.PORT" : "DST.PORT", 0x1234),
			 PROTO_OK);
	ck_assert_int_eq(draft_set_name(&d, addr, (const char *)big, n), PROTO_OK);
	if (n > 255) {
		encode_refused(&d, PROTO_E_TOO_LONG, addr, "ALEN", what);
		return;
	}
	size_t len = encode_ok(&d, out, sizeof out, NULL, what);
	/* VER CMD RSV ATYP, or RSV(2) FRAG ATYP: ALEN is at 4 either way */
	size_t tail = type == MSG_S5_UDP ? 1 : 0;
	ck_assert_uint_eq(len, 4 + 1 + n + 2 + tail);
	ck_assert_uint_eq(out[3], 0x03);
	ck_assert_uint_eq(out[4], n);
	ck_assert_mem_eq(out + 5, big, n);
	ck_assert_mem_eq(out + 5 + n, "\x12\x34", 2);
}

START_TEST(limit_domain)
{
	static const struct {
		enum msg_type t;
		const char *f;
	} where[] = { { MSG_S5_REQUEST, "DST.ADDR" },
		      { MSG_S5_REPLY, "BND.ADDR" },
		      { MSG_S5_UDP, "DST.ADDR" } };
	for (size_t i = 0; i < NELEM(where); i++) {
		domain_len(where[i].t, where[i].f, 254);
		domain_len(where[i].t, where[i].f, 255);
		domain_len(where[i].t, where[i].f, 256);
		domain_len(where[i].t, where[i].f, 300);
		domain_len(where[i].t, where[i].f, PROTO_MAX_BYTES);
	}
}
END_TEST

START_TEST(limit_domain_empty)
{
	struct draft d;

	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 80), PROTO_OK);
	int rc = draft_set_name(&d, "DST.ADDR", "", 0);
	if (rc == PROTO_OK) {
		uint8_t out[64];
		size_t outlen;
		struct proto_error err;
		memset(&err, 0, sizeof err);
		rc = proto_encode(&d, out, sizeof out, &outlen, NULL, &err);
		ck_assert_msg(rc == PROTO_E_EMPTY || rc == PROTO_E_LENGTH,
			      "an empty name encodes: %d", rc);
		ck_assert_msg(err.field && (strcmp(err.field, "DST.ADDR") == 0 ||
					    strcmp(err.field, "ALEN") == 0),
			      "an empty name refused naming %s", err.field ? err.field : "nothing");
	} else {
		ck_assert_msg(rc == PROTO_E_EMPTY || rc == PROTO_E_LENGTH,
			      "draft_set_name(\"\") answered %d", rc);
	}
}
END_TEST

/* A setter never takes more than a draft can hold. */
START_TEST(limit_draft_capacity)
{
	struct draft d;

	fill_big();
	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", (const char *)big, PROTO_MAX_BYTES + 1),
			 PROTO_E_TOO_LONG);
	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "UNAME", big, PROTO_MAX_BYTES + 1), PROTO_E_TOO_LONG);
	draft_init(&d, MSG_GSSAPI);
	ck_assert_int_eq(draft_set_bytes(&d, "TOKEN", big, PROTO_MAX_BYTES + 1), PROTO_E_TOO_LONG);
	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "USERID", big, PROTO_MAX_BYTES + 1), PROTO_E_TOO_LONG);
	/* and PROTO_MAX_CSTR bytes of USERID are sent */
	uint8_t *out = malloc(PROTO_MAX_CSTR + 64);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(draft_set_bytes(&d, "USERID", big, PROTO_MAX_CSTR), PROTO_OK);
	ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\x0a\0\0\x01"), PROTO_OK);
	size_t n = encode_ok(&d, out, PROTO_MAX_CSTR + 64, NULL, "longest USERID");
	ck_assert_uint_eq(n, 8 + PROTO_MAX_CSTR + 1);
	ck_assert_mem_eq(out + 8, big, PROTO_MAX_CSTR);
	ck_assert_uint_eq(out[n - 1], 0);
	free(out);
}
END_TEST

/* ---- RFC 1929 user names and passwords: 1..255 ---- */

static void auth_len(const char *which, size_t n)
{
	uint8_t out[700];
	struct draft d;
	char what[64];
	int is_user = strcmp(which, "UNAME") == 0;
	const char *lenf = is_user ? "ULEN" : "PLEN";

	snprintf(what, sizeof what, "%s of %zu bytes", which, n);
	fill_big();
	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, is_user ? "PASSWD" : "UNAME", (const uint8_t *)"x", 1),
			 PROTO_OK);
	int rc = draft_set_bytes(&d, which, big, n);
	if (n == 0) {
		refused_somewhere(&d, rc, PROTO_E_EMPTY, which, lenf, what);
		return;
	}
	ck_assert_msg(rc == PROTO_OK, "%s: setter answered %d", what, rc);
	if (n > 255) {
		encode_refused(&d, PROTO_E_TOO_LONG, which, lenf, what);
		return;
	}
	size_t len = encode_ok(&d, out, sizeof out, NULL, what);
	ck_assert_uint_eq(len, 3 + n + 1);
	ck_assert_uint_eq(out[0], 1);
	if (is_user) {
		ck_assert_uint_eq(out[1], n);
		ck_assert_mem_eq(out + 2, big, n);
		ck_assert_mem_eq(out + 2 + n, "\x01x", 2);
	} else {
		ck_assert_mem_eq(out + 1, "\x01x", 2);
		ck_assert_uint_eq(out[3], n);
		ck_assert_mem_eq(out + 4, big, n);
	}
}

START_TEST(limit_auth)
{
	static const char *const which[] = { "UNAME", "PASSWD" };
	static const size_t lens[] = { 0, 1, 254, 255, 256, 300 };
	for (size_t w = 0; w < 2; w++)
		for (size_t l = 0; l < NELEM(lens); l++)
			auth_len(which[w], lens[l]);
}
END_TEST

/* Never set at all: as empty as an empty one. */
START_TEST(limit_auth_unset)
{
	struct draft d;

	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "PASSWD", (const uint8_t *)"pw", 2), PROTO_OK);
	encode_refused(&d, PROTO_E_EMPTY, "UNAME", "ULEN", "UNAME never set");
	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "UNAME", (const uint8_t *)"me", 2), PROTO_OK);
	encode_refused(&d, PROTO_E_EMPTY, "PASSWD", "PLEN", "PASSWD never set");
}
END_TEST

/* ---- SOCKS4: no NUL inside a NUL-terminated field ---- */

START_TEST(limit_s4_nul)
{
	static const char *const fields[] = { "USERID", "HOSTNAME" };
	static const struct {
		const char *s;
		size_t n;
	} bad[] = { { "Fr\0ed", 5 }, { "\0", 1 }, { "Fred\0", 5 }, { "\0Fred", 5 } };
	struct draft d;

	for (size_t f = 0; f < NELEM(fields); f++)
		for (size_t b = 0; b < NELEM(bad); b++) {
			char what[64];
			snprintf(what, sizeof what, "%s with a NUL (case %zu)", fields[f], b);
			draft_init(&d, MSG_S4_REQUEST);
			ck_assert_int_eq(draft_set_num(&d, "DSTPORT", 80), PROTO_OK);
			if (f == 0)
				ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP",
								(const uint8_t *)"\x0a\0\0\x01"),
						 PROTO_OK);
			else
				ck_assert_int_eq(draft_set_bytes(&d, "USERID",
								 (const uint8_t *)"ok", 2),
						 PROTO_OK);
			int rc = draft_set_bytes(&d, fields[f], (const uint8_t *)bad[b].s, bad[b].n);
			refused_somewhere(&d, rc, PROTO_E_NUL, fields[f], NULL, what);
		}
}
END_TEST

/* ---- numbers that do not fit their field ---- */

static void range(enum msg_type type, const char *field, uint32_t ok, uint32_t bad)
{
	struct draft d;
	char what[64];

	snprintf(what, sizeof what, "%s = %u", field, (unsigned)bad);
	draft_init(&d, type);
	/* the rest of the message is what it needs to be, so only the number is wrong */
	if (type == MSG_S4_REQUEST)
		ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\x0a\0\0\x01"),
				 PROTO_OK);
	if (type == MSG_S5_REQUEST) {
		/* a name, so that ALEN is on the wire */
		ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", "example.com", 11), PROTO_OK);
		ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 1), PROTO_OK);
	}
	ck_assert_int_eq(draft_set_num(&d, field, ok), PROTO_OK);
	int rc = draft_set_num(&d, field, bad);
	refused_somewhere(&d, rc, PROTO_E_RANGE, field, NULL, what);
}

START_TEST(limit_range)
{
	range(MSG_S4_REQUEST, "DSTPORT", 65535, 65536);
	range(MSG_S4_REQUEST, "DSTPORT", 0, 0xffffffffu);
	range(MSG_S5_REQUEST, "DST.PORT", 65535, 65536);
	range(MSG_S4_REQUEST, "CD", 255, 256);
	range(MSG_S5_REQUEST, "CMD", 255, 256);
	range(MSG_S5_REQUEST, "RSV", 255, 256);
	range(MSG_S5_REQUEST, "ALEN", 255, 256);
	range(MSG_S5_REQUEST, "ATYP", 255, 0x10000);
}
END_TEST

/* ---- wrong kinds, wrong families, unknown names ---- */

START_TEST(limit_kinds)
{
	struct draft d;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DSTPORT", 80), PROTO_OK);
	int rc = draft_set_ipv6(&d, "DSTIP", v6);
	if (rc == PROTO_OK) {
		struct proto_error err;
		uint8_t out[64];
		size_t outlen;
		memset(&err, 0, sizeof err);
		rc = proto_encode(&d, out, sizeof out, &outlen, NULL, &err);
		ck_assert_msg(rc == PROTO_E_FAMILY || rc == PROTO_E_KIND,
			      "an IPv6 DSTIP encodes: %d", rc);
		ck_assert_msg(err.field && strcmp(err.field, "DSTIP") == 0, "refusal names %s",
			      err.field ? err.field : "nothing");
	} else {
		ck_assert_msg(rc == PROTO_E_FAMILY || rc == PROTO_E_KIND,
			      "draft_set_ipv6(DSTIP) answered %d", rc);
	}

	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "NOSUCH", 1), PROTO_E_NOFIELD);
	ck_assert_int_eq(draft_set_bytes(&d, "DST.ADDR", (const uint8_t *)"x", 1), PROTO_E_NOFIELD);
	ck_assert_int_eq(draft_unset(&d, "NOSUCH"), PROTO_E_NOFIELD);
	ck_assert_int_eq(draft_set_bytes(&d, "DSTPORT", (const uint8_t *)"x", 1), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_name(&d, "DSTPORT", "x", 1), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_ipv4(&d, "USERID", (const uint8_t *)"\1\2\3\4"), PROTO_E_KIND);

	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "DST.PORT", (const uint8_t *)"x", 1), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_ipv4(&d, "DST.PORT", (const uint8_t *)"\1\2\3\4"), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_name(&d, "CMD", "connect", 7), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_num(&d, "DSTPORT", 80), PROTO_E_NOFIELD);

	draft_init(&d, MSG_S5_GREETING);
	ck_assert_int_eq(draft_set_name(&d, "METHODS", "x", 1), PROTO_E_KIND);
	ck_assert_int_eq(draft_set_num(&d, "METHODS", 0), PROTO_E_KIND);
}
END_TEST

/*
 * The encoder checks for itself: a draft is a public struct, and a value that
 * reached it without a setter is refused all the same, naming the field.
 */
START_TEST(limit_encoder_checks_itself)
{
	struct draft d;
	int i;

	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "USERID", (const uint8_t *)"Fred", 4), PROTO_OK);
	i = proto_field_index(d.desc, "USERID");
	ck_assert_int_ge(i, 0);
	d.v[i].bytes[1] = 0;
	encode_refused(&d, PROTO_E_NUL, "USERID", NULL, "USERID poked to hold a NUL");

	draft_init(&d, MSG_S4_REQUEST);
	i = proto_field_index(d.desc, "DSTPORT");
	ck_assert_int_ge(i, 0);
	d.v[i].set = true;
	d.v[i].num = 70000;
	encode_refused(&d, PROTO_E_RANGE, "DSTPORT", NULL, "DSTPORT poked to 70000");

	fill_big();
	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", (const char *)big, 11), PROTO_OK);
	i = proto_field_index(d.desc, "DST.ADDR");
	ck_assert_int_ge(i, 0);
	memcpy(d.v[i].bytes, big, 256);
	d.v[i].len = 256;
	encode_refused(&d, PROTO_E_TOO_LONG, "DST.ADDR", "ALEN", "DST.ADDR poked to 256 bytes");
}
END_TEST

/* ---- overrides are sent exactly as given ---- */

START_TEST(override_nmethods)
{
	uint8_t out[64];
	struct draft d;
	struct msg m;

	draft_init(&d, MSG_S5_GREETING);
	ck_assert_int_eq(draft_set_bytes(&d, "METHODS", (const uint8_t *)"\x00", 1), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "NMETHODS", 3), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, &m, "NMETHODS 3"), 3);
	ck_assert_mem_eq(out, "\x05\x03\x00", 3);
	const struct field *f = need_field(&m, "NMETHODS");
	ck_assert_uint_eq(f->num, 3);
	ck_assert_msg(f->flags & FF_OVERRIDE, "NMETHODS override not marked");
	/* what a server makes of it: two more methods to come */
	ck_assert_int_eq(proto_decode(MSG_S5_GREETING, out, 3, NULL, &m), PROTO_NEED_MORE);
	ck_assert_uint_eq(m.need, 5);

	ck_assert_int_eq(draft_unset(&d, "NMETHODS"), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, &m, "NMETHODS unset"), 3);
	ck_assert_mem_eq(out, "\x05\x01\x00", 3);
	f = need_field(&m, "NMETHODS");
	ck_assert_msg((f->flags & FF_DERIVED) && !(f->flags & FF_OVERRIDE),
		      "NMETHODS back to derived, flags 0x%x", f->flags);

	ck_assert_int_eq(draft_set_num(&d, "NMETHODS", 0), PROTO_OK);
	ck_assert_int_eq(draft_set_bytes(&d, "METHODS", (const uint8_t *)"\x00\x02", 2), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "NMETHODS 0"), 4);
	ck_assert_mem_eq(out, "\x05\x00\x00\x02", 4);
}
END_TEST

START_TEST(override_alen_300)
{
	uint8_t out[PROTO_MAX_BYTES + 64];
	struct draft d;

	fill_big();
	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", (const char *)big, 300), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 80), PROTO_OK);
	encode_refused(&d, PROTO_E_TOO_LONG, "DST.ADDR", "ALEN", "300-byte name");
	ck_assert_int_eq(draft_set_num(&d, "ALEN", 44), PROTO_OK);
	size_t n = encode_ok(&d, out, sizeof out, NULL, "300-byte name, ALEN 44");
	ck_assert_uint_eq(n, 4 + 1 + 300 + 2);
	ck_assert_mem_eq(out, "\x05\x01\x00\x03\x2c", 5);
	ck_assert_mem_eq(out + 5, big, 300);
	ck_assert_mem_eq(out + 305, "\x00\x50", 2);

	/* unset: refused again */
	ck_assert_int_eq(draft_unset(&d, "ALEN"), PROTO_OK);
	encode_refused(&d, PROTO_E_TOO_LONG, "DST.ADDR", "ALEN", "300-byte name, ALEN unset");
}
END_TEST

START_TEST(override_auth_lengths)
{
	uint8_t out[700];
	struct draft d;

	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "UNAME", (const uint8_t *)"user", 4), PROTO_OK);
	ck_assert_int_eq(draft_set_bytes(&d, "PASSWD", (const uint8_t *)"pass", 4), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "ULEN", 9), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "PLEN", 0xff), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "ULEN 9 PLEN 255"), 11);
	ck_assert_mem_eq(out, "\x01\x09user\xffpass", 11);

	/* a 256-byte user name goes out when ULEN is given by hand */
	fill_big();
	draft_init(&d, MSG_S5_AUTH_REQUEST);
	ck_assert_int_eq(draft_set_bytes(&d, "UNAME", big, 256), PROTO_OK);
	ck_assert_int_eq(draft_set_bytes(&d, "PASSWD", (const uint8_t *)"p", 1), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "ULEN", 0), PROTO_OK);
	size_t n = encode_ok(&d, out, sizeof out, NULL, "256-byte UNAME, ULEN 0");
	ck_assert_uint_eq(n, 2 + 256 + 2);
	ck_assert_mem_eq(out, "\x01\x00", 2);
	ck_assert_mem_eq(out + 2, big, 256);
	ck_assert_mem_eq(out + 258, "\x01p", 2);
}
END_TEST

START_TEST(override_atyp_and_versions)
{
	uint8_t out[64];
	struct draft d;
	struct msg m;

	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_ipv4(&d, "DST.ADDR", (const uint8_t *)"\x7f\0\0\x01"), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 80), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "ATYP", 2), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "VER", 4), PROTO_OK);
	ck_assert_int_eq(draft_set_num(&d, "CMD", 0x09), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, &m, "ATYP 2"), 10);
	ck_assert_mem_eq(out, "\x04\x09\x00\x02\x7f\x00\x00\x01\x00\x50", 10);
	ck_assert_msg(need_field(&m, "ATYP")->flags & FF_OVERRIDE, "ATYP override not marked");

	/* unset: each back to its default or derived value */
	ck_assert_int_eq(draft_unset(&d, "ATYP"), PROTO_OK);
	ck_assert_int_eq(draft_unset(&d, "VER"), PROTO_OK);
	ck_assert_int_eq(draft_unset(&d, "CMD"), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, &m, "unset"), 10);
	ck_assert_mem_eq(out, "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50", 10);
	ck_assert_msg(need_field(&m, "ATYP")->flags & FF_DERIVED, "ATYP not derived after unset");

	/* a later address replaces an earlier one, of any family */
	ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", "h.example", 9), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "name after IPv4"), 16);
	ck_assert_mem_eq(out, "\x05\x01\x00\x03\x09h.example\x00\x50", 16);
	ck_assert_int_eq(draft_set_ipv6(&d, "DST.ADDR",
					(const uint8_t *)"\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x02"),
			 PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "IPv6 after name"), 22);
	ck_assert_mem_eq(out, "\x05\x01\x00\x04\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x02\x00\x50", 22);
	ck_assert_int_eq(draft_set_ipv4(&d, "DST.ADDR", (const uint8_t *)"\x01\x02\x03\x04"),
			 PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "IPv4 after IPv6"), 10);
	ck_assert_mem_eq(out, "\x05\x01\x00\x01\x01\x02\x03\x04\x00\x50", 10);

	/* SOCKS4: VN by hand */
	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "VN", 5), PROTO_OK);
	ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\x0a\0\0\x01"), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "VN 5"), 9);
	ck_assert_mem_eq(out, "\x05\x01\x00\x00\x0a\x00\x00\x01\x00", 9);
}
END_TEST

/* ---- every SOCKS5 name length, every port: encoded, decoded, compared ---- */

START_TEST(roundtrip_names)
{
	uint8_t out[300], want[300];
	struct draft d;
	struct msg em, dm;

	fill_big();
	for (size_t n = 1; n <= 255; n++) {
		uint16_t port = (uint16_t)(n * 257u);
		draft_init(&d, MSG_S5_REQUEST);
		ck_assert_int_eq(draft_set_name(&d, "DST.ADDR", (const char *)big + n % 26, n),
				 PROTO_OK);
		ck_assert_int_eq(draft_set_num(&d, "DST.PORT", port), PROTO_OK);
		size_t len = encode_ok(&d, out, sizeof out, &em, "name round trip");
		memcpy(want, "\x05\x01\x00\x03", 4);
		want[4] = (uint8_t)n;
		memcpy(want + 5, big + n % 26, n);
		want[5 + n] = (uint8_t)(port >> 8);
		want[6 + n] = (uint8_t)port;
		ck_assert_uint_eq(len, 7 + n);
		ck_assert_mem_eq(out, want, len);
		ck_assert_int_eq(proto_decode(MSG_S5_REQUEST, out, len, NULL, &dm), PROTO_OK);
		ck_assert_uint_eq(dm.len, len);
		ck_assert_uint_eq(dm.nfields, em.nfields);
		for (size_t i = 0; i < dm.nfields; i++) {
			ck_assert_ptr_eq(dm.fields[i].desc, em.fields[i].desc);
			ck_assert_uint_eq(dm.fields[i].off, em.fields[i].off);
			ck_assert_uint_eq(dm.fields[i].len, em.fields[i].len);
		}
		ck_assert_uint_eq(need_field(&dm, "ALEN")->num, n);
		ck_assert_uint_eq(need_field(&dm, "ATYP")->num, 3);
		ck_assert_uint_eq(need_field(&dm, "DST.PORT")->num, port);
		ck_assert_uint_eq(need_field(&dm, "DST.ADDR")->len, n);
		ck_assert_mem_eq(need_field(&dm, "DST.ADDR")->bytes, big + n % 26, n);
	}
}
END_TEST

START_TEST(roundtrip_ports)
{
	static const uint32_t ports[] = { 0, 1, 80, 255, 256, 1080, 32768, 65534, 65535 };
	uint8_t out[64];
	struct draft d;
	struct msg m;

	for (size_t i = 0; i < NELEM(ports); i++) {
		uint8_t hi = (uint8_t)(ports[i] >> 8), lo = (uint8_t)ports[i];

		draft_init(&d, MSG_S4_REQUEST);
		ck_assert_int_eq(draft_set_num(&d, "DSTPORT", ports[i]), PROTO_OK);
		ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\x0a\0\0\x01"),
				 PROTO_OK);
		ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "s4 port"), 9);
		ck_assert_uint_eq(out[2], hi);
		ck_assert_uint_eq(out[3], lo);
		ck_assert_int_eq(proto_decode(MSG_S4_REQUEST, out, 9, NULL, &m), PROTO_OK);
		ck_assert_uint_eq(need_field(&m, "DSTPORT")->num, ports[i]);

		draft_init(&d, MSG_S5_REPLY);
		ck_assert_int_eq(draft_set_num(&d, "REP", 0), PROTO_OK);
		ck_assert_int_eq(draft_set_num(&d, "BND.PORT", ports[i]), PROTO_OK);
		ck_assert_int_eq(draft_set_ipv4(&d, "BND.ADDR", (const uint8_t *)"\0\0\0\0"),
				 PROTO_OK);
		ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "s5 port"), 10);
		ck_assert_uint_eq(out[8], hi);
		ck_assert_uint_eq(out[9], lo);
		ck_assert_int_eq(proto_decode(MSG_S5_REPLY, out, 10, NULL, &m), PROTO_OK);
		ck_assert_uint_eq(need_field(&m, "BND.PORT")->num, ports[i]);
	}
}
END_TEST

Suite *encode_limits_suite(void)
{
	Suite *s = suite_create("encode limits");
	TCase *lim = tcase_create("limits");
	TCase *ovr = tcase_create("overrides");
	TCase *rt = tcase_create("round trip");

	tcase_add_test(lim, limit_domain);
	tcase_add_test(lim, limit_domain_empty);
	tcase_add_test(lim, limit_draft_capacity);
	tcase_add_test(lim, limit_auth);
	tcase_add_test(lim, limit_auth_unset);
	tcase_add_test(lim, limit_s4_nul);
	tcase_add_test(lim, limit_range);
	tcase_add_test(lim, limit_kinds);
	tcase_add_test(lim, limit_encoder_checks_itself);
	tcase_add_test(ovr, override_nmethods);
	tcase_add_test(ovr, override_alen_300);
	tcase_add_test(ovr, override_auth_lengths);
	tcase_add_test(ovr, override_atyp_and_versions);
	tcase_add_test(rt, roundtrip_names);
	tcase_add_test(rt, roundtrip_ports);
	suite_add_tcase(s, lim);
	suite_add_tcase(s, ovr);
	suite_add_tcase(s, rt);
	return s;
}
