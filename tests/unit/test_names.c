/* Name tables (names.c) and proto_strerror(). */
#include <string.h>
#include <strings.h>

#include "suites.h"
#include "testutil.h"

static const struct {
	const char *what;
	const struct name_table *t;
} tables[] = {
	{ "names_s4_version", &names_s4_version },
	{ "names_s4_reply_version", &names_s4_reply_version },
	{ "names_s4_command", &names_s4_command },
	{ "names_s4_reply", &names_s4_reply },
	{ "names_s5_version", &names_s5_version },
	{ "names_s5_method", &names_s5_method },
	{ "names_s5_command", &names_s5_command },
	{ "names_s5_reply", &names_s5_reply },
	{ "names_s5_atyp", &names_s5_atyp },
	{ "names_auth_version", &names_auth_version },
	{ "names_auth_status", &names_auth_status },
	{ "names_gssapi_mtyp", &names_gssapi_mtyp },
};

/* Every table is well formed: ranges in order, no overlap, every entry found. */
START_TEST(names_table_shape)
{
	const struct name_table *t = tables[_i].t;
	const char *w = tables[_i].what;

	ck_assert_msg(t->label && t->label[0], "%s: no label", w);
	ck_assert_msg(t->n > 0 && t->entries != NULL, "%s: empty", w);
	for (size_t i = 0; i < t->n; i++) {
		const struct name_entry *e = &t->entries[i];
		ck_assert_msg(e->lo <= e->hi, "%s[%zu]: range %u..%u", w, i, e->lo, e->hi);
		ck_assert_msg(e->hi <= 0xff, "%s[%zu]: code %u does not fit a byte", w, i, e->hi);
		ck_assert_msg(e->name && e->name[0], "%s[%zu]: no name", w, i);
		ck_assert_ptr_eq(names_find(t, e->lo), e);
		ck_assert_ptr_eq(names_find(t, e->hi), e);
		ck_assert_ptr_eq(names_find(t, (uint32_t)(e->lo + (e->hi - e->lo) / 2)), e);
		for (size_t j = 0; j < i; j++) {
			const struct name_entry *o = &t->entries[j];
			ck_assert_msg(o->hi < e->lo || e->hi < o->lo,
				      "%s: entries %zu and %zu overlap", w, j, i);
		}
		if (e->key) {
			ck_assert_msg(e->key[0] != '\0', "%s[%zu]: empty key", w, i);
			long code = names_lookup_key(t, e->key);
			ck_assert_msg(code >= e->lo && code <= e->hi,
				      "%s: key \"%s\" looks up %ld, not %u..%u", w, e->key, code,
				      e->lo, e->hi);
			for (size_t j = 0; j < i; j++)
				ck_assert_msg(!t->entries[j].key ||
						      strcasecmp(t->entries[j].key, e->key) != 0,
					      "%s: key \"%s\" twice", w, e->key);
		}
	}
	/* no table covers codes that no byte can carry */
	ck_assert_ptr_null(names_find(t, 0x100));
	ck_assert_ptr_null(names_find(t, 0xffffffffu));
	ck_assert_int_eq(names_lookup_key(t, "no-such-key-anywhere"), -1);
	ck_assert_int_eq(names_lookup_key(t, ""), -1);
}
END_TEST

static void has_name(const struct name_table *t, uint32_t code, const char *word)
{
	const struct name_entry *e = names_find(t, code);

	ck_assert_msg(e != NULL, "%s: no entry for 0x%02x", t->label, (unsigned)code);
	ck_assert_msg(strcasestr(e->name, word) != NULL, "%s 0x%02x is \"%s\", expected \"%s\"",
		      t->label, (unsigned)code, e->name, word);
	ck_assert_msg(!(e->flags & NE_UNASSIGNED), "%s 0x%02x is marked unassigned", t->label,
		      (unsigned)code);
}

static void unassigned(const struct name_table *t, uint32_t code)
{
	const struct name_entry *e = names_find(t, code);

	ck_assert_msg(e == NULL || (e->flags & NE_UNASSIGNED), "%s 0x%02x is \"%s\", not unassigned",
		      t->label, (unsigned)code, e ? e->name : "");
}

/* Meanings, as doc/PROTOCOL.md gives them. */
START_TEST(names_s4)
{
	has_name(&names_s4_reply, 0x5a, "granted");
	has_name(&names_s4_reply, 0x5b, "reject");
	has_name(&names_s4_reply, 0x5c, "ident");
	has_name(&names_s4_reply, 0x5d, "ident");
	ck_assert_ptr_ne(names_find(&names_s4_reply, 0x5c), names_find(&names_s4_reply, 0x5d));
	unassigned(&names_s4_reply, 0x00);
	unassigned(&names_s4_reply, 0x59);
	unassigned(&names_s4_reply, 0x5e);
	has_name(&names_s4_command, 0x01, "connect");
	has_name(&names_s4_command, 0x02, "bind");
	has_name(&names_s4_command, 0xf0, "resolve");
	ck_assert_ptr_nonnull(names_find(&names_s4_version, 4));
	ck_assert_ptr_nonnull(names_find(&names_s4_reply_version, 0));
	ck_assert_int_eq(names_lookup_key(&names_s4_command, "connect"), 1);
	ck_assert_int_eq(names_lookup_key(&names_s4_command, "bind"), 2);
}
END_TEST

START_TEST(names_s5_replies)
{
	static const struct {
		unsigned code;
		const char *word;
	} rep[] = {
		{ 0x00, "succe" },       { 0x01, "general" },     { 0x02, "allowed" },
		{ 0x03, "network" },     { 0x04, "host" },        { 0x05, "refused" },
		{ 0x06, "TTL" },         { 0x07, "command" },     { 0x08, "address type" },
		{ 0xf0, "descriptor" },  { 0xf1, "descriptor" },  { 0xf2, "introduction" },
		{ 0xf3, "rendezvous" },  { 0xf4, "auth" },        { 0xf5, "auth" },
		{ 0xf6, "address" },     { 0xf7, "introduction" },
	};
	for (size_t i = 0; i < NELEM(rep); i++) {
		const struct name_entry *e = names_find(&names_s5_reply, rep[i].code);
		ck_assert_msg(e != NULL, "REP 0x%02x has no name", rep[i].code);
		ck_assert_msg(strcasestr(e->name, rep[i].word) != NULL,
			      "REP 0x%02x is \"%s\", expected \"%s\"", rep[i].code, e->name,
			      rep[i].word);
	}
	/* each assigned code its own words */
	for (size_t i = 0; i < NELEM(rep); i++)
		for (size_t j = 0; j < i; j++)
			ck_assert_ptr_ne(names_find(&names_s5_reply, rep[i].code),
					 names_find(&names_s5_reply, rep[j].code));
	for (unsigned c = 0; c <= 8; c++)
		ck_assert_msg(!(names_find(&names_s5_reply, c)->flags & NE_UNASSIGNED),
			      "REP 0x%02x marked unassigned", c);
	unassigned(&names_s5_reply, 0x09);
	unassigned(&names_s5_reply, 0x7f);
	unassigned(&names_s5_reply, 0xef);
	unassigned(&names_s5_reply, 0xf8);
	unassigned(&names_s5_reply, 0xff);
}
END_TEST

START_TEST(names_s5_others)
{
	has_name(&names_s5_method, 0x00, "no auth");
	has_name(&names_s5_method, 0x01, "GSSAPI");
	has_name(&names_s5_method, 0x02, "password");
	has_name(&names_s5_method, 0x03, "CHAP");
	has_name(&names_s5_method, 0xff, "no acceptable");
	for (unsigned c = 0x80; c <= 0xfe; c += 0x3f) {
		const struct name_entry *e = names_find(&names_s5_method, c);
		ck_assert_msg(e && (e->flags & NE_PRIVATE), "method 0x%02x is not private", c);
	}
	ck_assert_msg(names_find(&names_s5_method, 0xfe)->flags & NE_PRIVATE, "0xfe not private");
	ck_assert_msg(!(names_find(&names_s5_method, 0xff)->flags & NE_PRIVATE), "0xff private");
	unassigned(&names_s5_method, 0x0a);
	unassigned(&names_s5_method, 0x7f);
	ck_assert_int_eq(names_lookup_key(&names_s5_method, "userpass"), 2);
	ck_assert_int_eq(names_lookup_key(&names_s5_method, "USERPASS"), 2);

	has_name(&names_s5_command, 0x01, "connect");
	has_name(&names_s5_command, 0x02, "bind");
	has_name(&names_s5_command, 0x03, "udp");
	has_name(&names_s5_command, 0xf0, "resolve");
	has_name(&names_s5_command, 0xf1, "resolve");
	ck_assert_ptr_ne(names_find(&names_s5_command, 0xf0), names_find(&names_s5_command, 0xf1));
	unassigned(&names_s5_command, 0x00);
	unassigned(&names_s5_command, 0x04);
	ck_assert_int_eq(names_lookup_key(&names_s5_command, "connect"), 1);
	ck_assert_int_eq(names_lookup_key(&names_s5_command, "Connect"), 1);
	ck_assert_int_eq(names_lookup_key(&names_s5_command, "bind"), 2);
	ck_assert_int_eq(names_lookup_key(&names_s5_command, "resolve"), 0xf0);
	ck_assert_int_eq(names_lookup_key(&names_s5_command, "nosuchcommand"), -1);

	has_name(&names_s5_atyp, 1, "IPv4");
	has_name(&names_s5_atyp, 3, "domain");
	has_name(&names_s5_atyp, 4, "IPv6");
	unassigned(&names_s5_atyp, 0);
	unassigned(&names_s5_atyp, 2);
	unassigned(&names_s5_atyp, 5);

	ck_assert_ptr_nonnull(names_find(&names_s5_version, 5));
	ck_assert_ptr_nonnull(names_find(&names_auth_version, 1));
	has_name(&names_auth_status, 0x00, "succe");
	ck_assert_ptr_nonnull(names_find(&names_auth_status, 0x01));
	ck_assert_msg(strcasestr(names_find(&names_auth_status, 0x01)->name, "fail") != NULL,
		      "auth status 01 is \"%s\"", names_find(&names_auth_status, 0x01)->name);

	has_name(&names_gssapi_mtyp, 0x01, "auth");
	has_name(&names_gssapi_mtyp, 0x02, "protection");
	has_name(&names_gssapi_mtyp, 0x03, "encapsulat");
	has_name(&names_gssapi_mtyp, 0xff, "abort");
}
END_TEST

START_TEST(strerror_all)
{
	static const int codes[] = {
		PROTO_OK,        PROTO_NEED_MORE,      PROTO_E_VERSION, PROTO_E_ATYP,
		PROTO_E_LENGTH,  PROTO_E_TOO_LONG,     PROTO_E_EMPTY,   PROTO_E_NUL,
		PROTO_E_RANGE,   PROTO_E_FAMILY,       PROTO_E_SPACE,   PROTO_E_UNTERMINATED,
		PROTO_E_NOFIELD, PROTO_E_KIND,
	};
	for (size_t i = 0; i < NELEM(codes); i++) {
		const char *s = proto_strerror(codes[i]);
		ck_assert_msg(s && s[0], "proto_strerror(%d) is empty", codes[i]);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(s, proto_strerror(codes[j])) != 0,
				      "proto_strerror(%d) and (%d) are both \"%s\"", codes[i],
				      codes[j], s);
	}
	ck_assert_ptr_nonnull(proto_strerror(-999));
	ck_assert_ptr_nonnull(proto_strerror(999));
}
END_TEST

Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, names_table_shape, 0, (int)NELEM(tables));
	tcase_add_test(tc, names_s4);
	tcase_add_test(tc, names_s5_replies);
	tcase_add_test(tc, names_s5_others);
	tcase_add_test(tc, strerror_all);
	suite_add_tcase(s, tc);
	return s;
}
