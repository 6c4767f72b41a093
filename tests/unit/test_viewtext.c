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

Suite *
viewtext_suite(void)
{
	Suite *s = suite_create("viewtext");
	TCase *tc = tcase_create("opaque");

	tcase_add_test(tc, gssapi_token_in_hex);
	tcase_add_test(tc, gssapi_long_token_preview);
	suite_add_tcase(s, tc);
	return s;
}
