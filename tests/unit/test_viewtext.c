/*
 * What the views say a field means where its bytes alone cannot say it, in
 * the hex view, the -v trace line and JSON alike: opaque bytes in hex,
 * SOCKS4a's 0.0.0.x marker, which BIND reply a reply is, and the source in
 * a datagram from the relay.
 *
 * Messages come from proto_decode() of fixed bytes; the expected text is
 * written out here, not computed with the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "field.h"
#include "hexview.h"
#include "json_out.h"
#include "msgtext.h"
#include "suites.h"
#include "traceline.h"

typedef void view_fn(FILE *, const struct msg *, const struct view_opts *);

/* Everything a view printed, as one NUL-terminated string; free() it. */
static char *
render(view_fn *view, const struct msg *m, const struct view_opts *o)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	view(fp, m, o);
	ck_assert_int_eq(fclose(fp), 0);
	return text;
}

#define DECODE(type, m, ...)                                                          \
	do {                                                                          \
		static const uint8_t bytes_[] = {__VA_ARGS__};                        \
		ck_assert_int_eq(proto_decode((type), bytes_, sizeof(bytes_), NULL, (m)), \
				 PROTO_OK);                                           \
	} while (0)

static const json_t *
json_field(const json_t *msg, const char *name)
{
	size_t i;
	const json_t *f;

	json_array_foreach(json_object_get(msg, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
			return f;
	ck_abort_msg("no field %s in the JSON", name);
	return NULL;
}

/* The text of a JSON field's key, or NULL when it has none or it is no string. */
static const char *
json_text(const json_t *msg, const char *field, const char *key)
{
	return json_string_value(json_object_get(json_field(msg, field), key));
}

/* ---- a GSS-API token is opaque bytes: hex, not an escaped string ---- */

START_TEST(gssapi_token_in_hex)
{
	struct msg m;
	DECODE(MSG_GSSAPI, &m, 0x01, 0x01, 0x00, 0x04, 0x60, 0x82, 0x01, 0x1b);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_str_eq(out, "-> GSSAPI message, 8 bytes\n"
			      "   0000  01           VER    1         subnegotiation version 1\n"
			      "   0001  01           MTYP   0x01      authentication\n"
			      "   0002  00 04        LEN    4\n"
			      "   0004  60 82 01 1b  TOKEN  6082011b\n");
	free(out);
	out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, "-> GSSAPI message: MTYP 0x01 authentication, TOKEN 6082011b\n");
	free(out);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_str_eq(json_text(j, "TOKEN", "value"), "6082011b");
	json_decref(j);
}
END_TEST

/* A long token: the first 16 bytes, then "..."; every byte is in the bytes
 * column, and all of them in JSON. */
START_TEST(gssapi_long_token_preview)
{
	uint8_t bytes[4 + 40];
	struct msg m;

	bytes[0] = 0x01, bytes[1] = 0x01, bytes[2] = 0x00, bytes[3] = 40;
	for (size_t i = 0; i < 40; i++)
		bytes[4 + i] = (uint8_t)(0xa0 + i);
	ck_assert_int_eq(proto_decode(MSG_GSSAPI, bytes, sizeof(bytes), NULL, &m), PROTO_OK);
	char *out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, "-> GSSAPI message: MTYP 0x01 authentication, "
			      "TOKEN a0a1a2a3a4a5a6a7a8a9aaabacadaeaf...\n");
	free(out);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_str_eq(json_text(j, "TOKEN", "value"),
			 "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3"
			 "c4c5c6c7");
	json_decref(j);
}
END_TEST

/* ---- SOCKS4a's marker: DSTIP 0.0.0.x says a host name follows ---- */

START_TEST(socks4a_marker_meaning)
{
	struct msg m;
	DECODE(MSG_S4_REQUEST, &m, 0x04, 0x01, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 'e',
	       'x', 0x00);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_str_eq(out, "-> SOCKS4a CONNECT request, 12 bytes\n"
			      "   0000  04           VN            4        SOCKS4\n"
			      "   0001  01           CD            0x01     CONNECT\n"
			      "   0002  00 50        DSTPORT       80\n"
			      "   0004  00 00 00 01  DSTIP         0.0.0.1  "
			      "SOCKS4a: the host name follows\n"
			      "   0008               USERID        \"\"\n"
			      "   0008  00           USERID.NUL             end of USERID\n"
			      "   0009  65 78        HOSTNAME      \"ex\"\n"
			      "   000b  00           HOSTNAME.NUL           end of HOSTNAME\n");
	free(out);
	out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, "-> SOCKS4a CONNECT request: CD 0x01 CONNECT, "
			      "DST 0.0.0.1:80 (SOCKS4a: the host name follows), USERID \"\", "
			      "HOSTNAME \"ex\"\n");
	free(out);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_str_eq(json_text(j, "DSTIP", "meaning"), "SOCKS4a: the host name follows");
	json_decref(j);
}
END_TEST

/* 0.0.0.0 is no marker, and a reply's DSTIP is an address, whatever it holds. */
START_TEST(socks4a_marker_only_in_a_request)
{
	struct msg m;
	DECODE(MSG_S4_REQUEST, &m, 0x04, 0x01, 0x00, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00);
	char *out = render(hexview_print, &m, NULL);
	ck_assert_ptr_null(strstr(out, "SOCKS4a"));
	free(out);
	DECODE(MSG_S4_REPLY, &m, 0x00, 0x5a, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01);
	out = render(hexview_print, &m, NULL);
	ck_assert_ptr_null(strstr(out, "SOCKS4a"));
	free(out);
	json_t *j = msg_to_json(&m, 0);
	ck_assert_ptr_null(json_text(j, "DSTIP", "meaning"));
	json_decref(j);
}
END_TEST

/* ---- BIND's two replies, titled by their role ---- */

START_TEST(bind_replies_titled_by_role)
{
	struct msg m;
	char title[128];
	struct view_opts first = {.role = VIEW_ROLE_BIND_FIRST};
	struct view_opts second = {.role = VIEW_ROLE_BIND_SECOND};

	DECODE(MSG_S5_REPLY, &m, 0x05, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01, 0x9c, 0x40);
	msg_title_as(&m, &first, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 first BIND reply (where the server listens)");
	msg_title_as(&m, &second, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 second BIND reply (the peer that connected)");
	msg_title_as(&m, NULL, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 reply"); /* no role given: as it stands */

	char *out = render(hexview_print, &m, &first);
	ck_assert_str_eq(out, "<- SOCKS5 first BIND reply (where the server listens), 10 bytes\n"
			      "   0000  05           VER       5          SOCKS5\n"
			      "   0001  00           REP       0x00       succeeded\n"
			      "   0002  00           RSV       0x00\n"
			      "   0003  01           ATYP      0x01       IPv4 address\n"
			      "   0004  c0 00 02 01  BND.ADDR  192.0.2.1  where the server listens\n"
			      "   0008  9c 40        BND.PORT  40000      the port it listens on\n");
	free(out);
	out = render(hexview_print, &m, &second);
	ck_assert_ptr_nonnull(strstr(out, "<- SOCKS5 second BIND reply (the peer that connected), "
					  "10 bytes\n"));
	ck_assert_ptr_nonnull(strstr(out, "BND.ADDR  192.0.2.1  the peer that connected\n"));
	ck_assert_ptr_nonnull(strstr(out, "BND.PORT  40000      the peer's port\n"));
	free(out);
	/* The trace's title says the role; the address need not say it again. */
	out = render(trace_line, &m, &second);
	ck_assert_str_eq(out, "<- SOCKS5 second BIND reply (the peer that connected): "
			      "REP 0x00 succeeded, BND 192.0.2.1:40000\n");
	free(out);
	json_t *j = msg_to_json_view(&m, &first);
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")),
			 "SOCKS5 first BIND reply (where the server listens)");
	ck_assert_str_eq(json_text(j, "BND.ADDR", "meaning"), "where the server listens");
	ck_assert_str_eq(json_text(j, "BND.PORT", "meaning"), "the port it listens on");
	json_decref(j);
}
END_TEST

START_TEST(socks4_bind_replies_titled_by_role)
{
	struct msg m;
	struct view_opts second = {.role = VIEW_ROLE_BIND_SECOND};

	DECODE(MSG_S4_REPLY, &m, 0x00, 0x5a, 0x00, 0x14, 0xc6, 0x33, 0x64, 0x07);
	char *out = render(hexview_print, &m, &second);
	ck_assert_str_eq(out, "<- SOCKS4 second BIND reply (the peer that connected), 8 bytes\n"
			      "   0000  00           VN       0             reply version\n"
			      "   0001  5a           CD       0x5a          request granted\n"
			      "   0002  00 14        DSTPORT  20            the peer's port\n"
			      "   0004  c6 33 64 07  DSTIP    198.51.100.7  the peer that connected\n");
	free(out);
	out = render(trace_line, &m, &second);
	ck_assert_str_eq(out, "<- SOCKS4 second BIND reply (the peer that connected): "
			      "CD 0x5a request granted, DST 198.51.100.7:20\n");
	free(out);
}
END_TEST

/* A refused reply's address means nothing; its title still says which it is.
 * A role means nothing to a request. */
START_TEST(role_of_refused_reply_and_request)
{
	struct msg m;
	char title[128];
	struct view_opts first = {.role = VIEW_ROLE_BIND_FIRST};

	DECODE(MSG_S5_REPLY, &m, 0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0);
	char *out = render(hexview_print, &m, &first);
	ck_assert_ptr_nonnull(strstr(out, "<- SOCKS5 first BIND reply (where the server listens), "));
	ck_assert_ptr_nonnull(strstr(out, "REP       0x07     command not supported\n"));
	ck_assert_ptr_nonnull(strstr(out, "BND.ADDR  0.0.0.0\n"));
	free(out);
	DECODE(MSG_S5_REQUEST, &m, 0x05, 0x02, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x0a, 0x00, 0x15);
	msg_title_as(&m, &first, title, sizeof(title));
	ck_assert_str_eq(title, "SOCKS5 BIND request");
}
END_TEST

/* ---- a datagram from the relay: DST.ADDR and DST.PORT hold its source ---- */

START_TEST(udp_from_relay_names_the_source)
{
	struct msg m;
	struct view_opts received = {.dir = VIEW_DIR_RECEIVED};

	DECODE(MSG_S5_UDP, &m, 0x00, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x35, 'h',
	       'i');
	char *out = render(hexview_print, &m, &received);
	ck_assert_str_eq(out, "<- SOCKS5 UDP datagram, 12 bytes\n"
			      "   0000  00 00        RSV       0x0000\n"
			      "   0002  00           FRAG      0\n"
			      "   0003  01           ATYP      0x01       IPv4 address\n"
			      "   0004  7f 00 00 01  DST.ADDR  127.0.0.1  "
			      "the source: the host that sent DATA\n"
			      "   0008  00 35        DST.PORT  53         the source's port\n"
			      "   000a  68 69        DATA      \"hi\"\n");
	free(out);
	out = render(trace_line, &m, &received);
	ck_assert_str_eq(out, "<- SOCKS5 UDP datagram: FRAG 0, "
			      "DST 127.0.0.1:53 (the source: the host that sent DATA), DATA \"hi\"\n");
	free(out);
	json_t *j = msg_to_json_view(&m, &received);
	ck_assert_str_eq(json_string_value(json_object_get(j, "direction")), "server");
	ck_assert_str_eq(json_text(j, "DST.ADDR", "meaning"), "the source: the host that sent DATA");
	ck_assert_str_eq(json_text(j, "DST.PORT", "meaning"), "the source's port");
	json_decref(j);

	/* Sent to the relay, DST is the destination: nothing to add. */
	out = render(hexview_print, &m, NULL);
	ck_assert_ptr_null(strstr(out, "source"));
	free(out);
	out = render(trace_line, &m, NULL);
	ck_assert_str_eq(out, "-> SOCKS5 UDP datagram: FRAG 0, DST 127.0.0.1:53, DATA \"hi\"\n");
	free(out);
}
END_TEST

Suite *
viewtext_suite(void)
{
	Suite *s = suite_create("viewtext");
	TCase *tc = tcase_create("opaque");

	tcase_add_test(tc, gssapi_token_in_hex);
	tcase_add_test(tc, gssapi_long_token_preview);
	suite_add_tcase(s, tc);

	tc = tcase_create("socks4a");
	tcase_add_test(tc, socks4a_marker_meaning);
	tcase_add_test(tc, socks4a_marker_only_in_a_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("roles");
	tcase_add_test(tc, bind_replies_titled_by_role);
	tcase_add_test(tc, socks4_bind_replies_titled_by_role);
	tcase_add_test(tc, role_of_refused_reply_and_request);
	tcase_add_test(tc, udp_from_relay_names_the_source);
	suite_add_tcase(s, tc);
	return s;
}
