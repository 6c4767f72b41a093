/* Message descriptors (msgs.c): names, order, kinds, derivations, presence. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "suites.h"
#include "testutil.h"

/* One expected field: name, kind, flags it must carry, presence, what it refers to. */
struct xdesc {
	const char *name;
	enum field_kind kind;
	unsigned flags;
	enum field_presence presence;
	const char *ref; /* the field a derived field describes, or NULL: not checked */
	int expect;      /* -2: not checked */
	int tolerate;    /* -2: not checked */
	const struct name_table *names; /* NULL: not checked */
};

#define NC (-2)
#define A PRESENT_ALWAYS

struct xmsg {
	enum msg_type type;
	enum msg_dir dir;
	struct xdesc f[PROTO_MAX_FIELDS];
};

static const struct xmsg xmsgs[] = {
	{ MSG_S4_REQUEST, DIR_CLIENT,
	  { { "VN", FK_U8, 0, A, NULL, 4, NC, NULL },
	    { "CD", FK_U8, 0, A, NULL, NC, NC, &names_s4_command },
	    { "DSTPORT", FK_U16, 0, A, NULL, NC, NC, NULL },
	    { "DSTIP", FK_IPV4, 0, A, NULL, NC, NC, NULL },
	    { "USERID", FK_CSTR, 0, A, NULL, NC, NC, NULL },
	    { "USERID.NUL", FK_NUL, 0, A, NULL, NC, NC, NULL },
	    { "HOSTNAME", FK_CSTR, 0, PRESENT_IF_SOCKS4A, NULL, NC, NC, NULL },
	    { "HOSTNAME.NUL", FK_NUL, 0, PRESENT_IF_SOCKS4A, NULL, NC, NC, NULL } } },
	{ MSG_S4_REPLY, DIR_SERVER,
	  { { "VN", FK_U8, 0, A, NULL, 0, 4, NULL },
	    { "CD", FK_U8, 0, A, NULL, NC, NC, &names_s4_reply },
	    { "DSTPORT", FK_U16, 0, A, NULL, NC, NC, NULL },
	    { "DSTIP", FK_IPV4, 0, A, NULL, NC, NC, NULL } } },
	{ MSG_S5_GREETING, DIR_CLIENT,
	  { { "VER", FK_U8, 0, A, NULL, 5, NC, NULL },
	    { "NMETHODS", FK_COUNT, FD_DERIVED | FD_NONZERO, A, "METHODS", NC, NC, NULL },
	    { "METHODS", FK_LIST, 0, A, NULL, NC, NC, &names_s5_method } } },
	{ MSG_S5_METHOD, DIR_SERVER,
	  { { "VER", FK_U8, 0, A, NULL, 5, NC, NULL },
	    { "METHOD", FK_U8, FD_METHOD, A, NULL, NC, NC, &names_s5_method } } },
	{ MSG_S5_AUTH_REQUEST, DIR_CLIENT,
	  { { "VER", FK_U8, 0, A, NULL, 1, NC, NULL },
	    { "ULEN", FK_LEN8, FD_DERIVED | FD_NONZERO, A, "UNAME", NC, NC, NULL },
	    { "UNAME", FK_BYTES, 0, A, NULL, NC, NC, NULL },
	    { "PLEN", FK_LEN8, FD_DERIVED, A, "PASSWD", NC, NC, NULL },
	    { "PASSWD", FK_BYTES, FD_SECRET, A, NULL, NC, NC, NULL } } },
	{ MSG_S5_AUTH_STATUS, DIR_SERVER,
	  { { "VER", FK_U8, 0, A, NULL, 1, NC, NULL },
	    { "STATUS", FK_U8, 0, A, NULL, NC, NC, &names_auth_status } } },
	{ MSG_S5_REQUEST, DIR_CLIENT,
	  { { "VER", FK_U8, 0, A, NULL, 5, NC, NULL },
	    { "CMD", FK_U8, 0, A, NULL, NC, NC, &names_s5_command },
	    { "RSV", FK_U8, FD_RESERVED, A, NULL, NC, NC, NULL },
	    { "ATYP", FK_ATYP, FD_DERIVED, A, "DST.ADDR", NC, NC, &names_s5_atyp },
	    { "ALEN", FK_LEN8, FD_DERIVED | FD_NONZERO, PRESENT_IF_DOMAIN, "DST.ADDR", NC, NC,
	      NULL },
	    { "DST.ADDR", FK_ADDR, 0, A, NULL, NC, NC, NULL },
	    { "DST.PORT", FK_U16, 0, A, NULL, NC, NC, NULL } } },
	{ MSG_S5_REPLY, DIR_SERVER,
	  { { "VER", FK_U8, 0, A, NULL, 5, NC, NULL },
	    { "REP", FK_U8, 0, A, NULL, NC, NC, &names_s5_reply },
	    { "RSV", FK_U8, FD_RESERVED, A, NULL, NC, NC, NULL },
	    { "ATYP", FK_ATYP, FD_DERIVED, A, "BND.ADDR", NC, NC, &names_s5_atyp },
	    { "ALEN", FK_LEN8, FD_DERIVED | FD_NONZERO, PRESENT_IF_DOMAIN, "BND.ADDR", NC, NC,
	      NULL },
	    { "BND.ADDR", FK_ADDR, 0, A, NULL, NC, NC, NULL },
	    { "BND.PORT", FK_U16, 0, A, NULL, NC, NC, NULL } } },
	{ MSG_S5_UDP, DIR_CLIENT,
	  { { "RSV", FK_U16, FD_RESERVED, A, NULL, NC, NC, NULL },
	    { "FRAG", FK_U8, 0, A, NULL, NC, NC, NULL },
	    { "ATYP", FK_ATYP, FD_DERIVED, A, "DST.ADDR", NC, NC, &names_s5_atyp },
	    { "ALEN", FK_LEN8, FD_DERIVED | FD_NONZERO, PRESENT_IF_DOMAIN, "DST.ADDR", NC, NC,
	      NULL },
	    { "DST.ADDR", FK_ADDR, 0, A, NULL, NC, NC, NULL },
	    { "DST.PORT", FK_U16, 0, A, NULL, NC, NC, NULL },
	    { "DATA", FK_REST, 0, A, NULL, NC, NC, NULL } } },
	{ MSG_GSSAPI, DIR_CLIENT,
	  { { "VER", FK_U8, 0, A, NULL, 1, NC, NULL },
	    { "MTYP", FK_U8, 0, A, NULL, NC, NC, &names_gssapi_mtyp },
	    { "LEN", FK_LEN16, FD_DERIVED, PRESENT_IF_NOT_ABORT, "TOKEN", NC, NC, NULL },
	    { "TOKEN", FK_BYTES, 0, PRESENT_IF_NOT_ABORT, NULL, NC, NC, NULL } } },
};

START_TEST(desc_fields)
{
	const struct xmsg *x = &xmsgs[_i];
	const struct msg_desc *md = proto_msg_desc(x->type);
	size_t n = 0;

	ck_assert_ptr_nonnull(md);
	ck_assert_int_eq(md->type, x->type);
	ck_assert_msg(md->key && md->key[0] && md->title && md->title[0], "type %d: no key/title",
		      x->type);
	while (n < PROTO_MAX_FIELDS && x->f[n].name)
		n++;
	ck_assert_msg(md->nfields == n, "%s: %zu fields, expected %zu", md->key, md->nfields, n);
	ck_assert_ptr_nonnull(md->fields);
	/* UDP headers and GSSAPI frames go both ways; the others have one sender */
	if (x->type != MSG_S5_UDP && x->type != MSG_GSSAPI)
		ck_assert_msg(md->dir == x->dir, "%s: wrong direction", md->key);
	for (size_t i = 0; i < n; i++) {
		const struct field_desc *fd = &md->fields[i];
		const struct xdesc *e = &x->f[i];
		ck_assert_msg(fd->name && strcmp(fd->name, e->name) == 0,
			      "%s: field %zu is %s, expected %s", md->key, i,
			      fd->name ? fd->name : "(null)", e->name);
		ck_assert_msg(fd->kind == e->kind, "%s.%s: kind %d, expected %d", md->key, e->name,
			      fd->kind, e->kind);
		ck_assert_msg((fd->flags & e->flags) == e->flags, "%s.%s: flags 0x%x lack 0x%x",
			      md->key, e->name, fd->flags, e->flags);
		ck_assert_msg(fd->presence == e->presence, "%s.%s: presence %d, expected %d",
			      md->key, e->name, fd->presence, e->presence);
		if (e->ref)
			ck_assert_msg(fd->ref == proto_field_index(md, e->ref) && fd->ref >= 0,
				      "%s.%s: ref %d, expected %s", md->key, e->name, fd->ref,
				      e->ref);
		if (e->expect != NC)
			ck_assert_msg(fd->expect == e->expect, "%s.%s: expect %d, expected %d",
				      md->key, e->name, fd->expect, e->expect);
		if (e->expect >= 0)
			ck_assert_msg(fd->dflt == (uint32_t)e->expect,
				      "%s.%s: a draft starts at %u, not the version %d", md->key,
				      e->name, (unsigned)fd->dflt, e->expect);
		if (e->tolerate != NC)
			ck_assert_msg(fd->tolerate == e->tolerate, "%s.%s: tolerate %d, expected %d",
				      md->key, e->name, fd->tolerate, e->tolerate);
		if (e->names)
			ck_assert_msg(fd->names == e->names, "%s.%s: wrong name table", md->key,
				      e->name);
		ck_assert_msg(fd->help && fd->help[0] && !strchr(fd->help, '\n'),
			      "%s.%s: help must be one line", md->key, e->name);
		/* only the listed fields are secret */
		if (!(e->flags & FD_SECRET))
			ck_assert_msg(!(fd->flags & FD_SECRET), "%s.%s is secret", md->key, e->name);
		/* lookups by name, any case */
		char lower[32];
		size_t l = strlen(e->name);
		ck_assert_uint_lt(l, sizeof lower);
		for (size_t c = 0; c <= l; c++)
			lower[c] = (char)tolower((unsigned char)e->name[c]);
		ck_assert_int_eq(proto_field_index(md, e->name), (int)i);
		ck_assert_int_eq(proto_field_index(md, lower), (int)i);
	}
	ck_assert_int_eq(proto_field_index(md, "NOSUCHFIELD"), -1);
	ck_assert_int_eq(proto_field_index(md, ""), -1);
}
END_TEST

/* Field names are unique within a message; message keys across messages. */
START_TEST(desc_unique)
{
	for (int t = 0; t < MSG_TYPE_COUNT; t++) {
		const struct msg_desc *md = proto_msg_desc((enum msg_type)t);
		ck_assert_ptr_nonnull(md);
		ck_assert_uint_le(md->nfields, PROTO_MAX_FIELDS);
		for (size_t i = 0; i < md->nfields; i++)
			for (size_t j = 0; j < i; j++)
				ck_assert_msg(strcasecmp(md->fields[i].name, md->fields[j].name) != 0,
					      "%s: %s twice", md->key, md->fields[i].name);
		for (int u = 0; u < t; u++)
			ck_assert_msg(strcmp(md->key, proto_msg_desc((enum msg_type)u)->key) != 0,
				      "key %s twice", md->key);
	}
	ck_assert_uint_eq(NELEM(xmsgs), MSG_TYPE_COUNT);
}
END_TEST

/*
 * One format for codes: a field whose value is looked up in a name table
 * (a command, a reply code, a method, a status, a message or address type)
 * is a code and shows as 0xNN in every view; a version is a version, shown
 * in decimal.  (The SOCKS4 request's CD was decimal while the reply's CD and
 * SOCKS5's CMD were hex.)
 */
START_TEST(codes_in_hex)
{
	for (int t = 0; t < MSG_TYPE_COUNT; t++) {
		const struct msg_desc *md = proto_msg_desc((enum msg_type)t);

		for (size_t i = 0; i < md->nfields; i++) {
			const struct field_desc *fd = &md->fields[i];

			if (fd->names == NULL)
				continue;
			if (fd->expect >= 0)
				ck_assert_msg(fd->format == FMT_DEC, "%s.%s: a version, not in decimal",
					      md->key, fd->name);
			else
				ck_assert_msg(fd->format == FMT_HEX, "%s.%s: a code, not in hex",
					      md->key, fd->name);
		}
	}
}
END_TEST

/*
 * ALEN is sockscope's name: RFC 1928 has no such field, it counts the
 * length byte as the first byte of DST.ADDR (BND.ADDR).  Its help says so,
 * naming the address it belongs to.
 */
START_TEST(alen_help_says_rfc_counts_it_in_the_address)
{
	size_t seen = 0;

	for (int t = 0; t < MSG_TYPE_COUNT; t++) {
		const struct msg_desc *md = proto_msg_desc((enum msg_type)t);

		for (size_t i = 0; i < md->nfields; i++) {
			const struct field_desc *fd = &md->fields[i];

			if (fd->kind != FK_LEN8 || fd->ref < 0 ||
			    md->fields[fd->ref].kind != FK_ADDR)
				continue;
			seen++;
			ck_assert_msg(strstr(fd->help, "RFC 1928") != NULL &&
					      strstr(fd->help, md->fields[fd->ref].name) != NULL,
				      "%s.%s: help \"%s\" does not say that RFC 1928 counts it in %s",
				      md->key, fd->name, fd->help, md->fields[fd->ref].name);
		}
	}
	ck_assert_uint_eq(seen, 3); /* request, reply, UDP header */
}
END_TEST

/* Draft defaults: versions and commands filled in, nothing set by hand. */
START_TEST(draft_defaults)
{
	uint8_t out[64];
	struct draft d;

	draft_init(&d, MSG_S5_METHOD);
	ck_assert_ptr_eq(d.desc, proto_msg_desc(MSG_S5_METHOD));
	for (size_t i = 0; i < d.desc->nfields; i++)
		ck_assert_msg(!d.v[i].set, "field %zu starts set", i);
	ck_assert_int_eq(draft_set_num(&d, "METHOD", 0), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "method"), 2);
	ck_assert_mem_eq(out, "\x05\x00", 2);

	draft_init(&d, MSG_S5_AUTH_STATUS);
	ck_assert_int_eq(draft_set_num(&d, "STATUS", 0), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "auth status"), 2);
	ck_assert_mem_eq(out, "\x01\x00", 2);

	/* a SOCKS4 request: VN 4, CD 1 (CONNECT) */
	draft_init(&d, MSG_S4_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DSTPORT", 1080), PROTO_OK);
	ck_assert_int_eq(draft_set_ipv4(&d, "DSTIP", (const uint8_t *)"\x7f\0\0\x01"), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "s4 defaults"), 9);
	ck_assert_mem_eq(out, "\x04\x01\x04\x38\x7f\x00\x00\x01\x00", 9);

	/* a SOCKS5 request: VER 5, CMD 1, RSV 0 */
	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 1080), PROTO_OK);
	ck_assert_int_eq(draft_set_ipv4(&d, "DST.ADDR", (const uint8_t *)"\x7f\0\0\x01"), PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "s5 defaults"), 10);
	ck_assert_mem_eq(out, "\x05\x01\x00\x01\x7f\x00\x00\x01\x04\x38", 10);

	/* draft_init wipes an earlier draft */
	ck_assert_int_eq(draft_set_num(&d, "CMD", 2), PROTO_OK);
	draft_init(&d, MSG_S5_REQUEST);
	ck_assert_int_eq(draft_set_num(&d, "DST.PORT", 1), PROTO_OK);
	ck_assert_int_eq(draft_set_ipv4(&d, "DST.ADDR", (const uint8_t *)"\x01\x02\x03\x04"),
			 PROTO_OK);
	ck_assert_uint_eq(encode_ok(&d, out, sizeof out, NULL, "s5 re-init"), 10);
	ck_assert_mem_eq(out, "\x05\x01\x00\x01\x01\x02\x03\x04\x00\x01", 10);
}
END_TEST

Suite *msgs_suite(void)
{
	Suite *s = suite_create("msgs");
	TCase *tc = tcase_create("descriptors");

	tcase_add_loop_test(tc, desc_fields, 0, (int)NELEM(xmsgs));
	tcase_add_test(tc, desc_unique);
	tcase_add_test(tc, codes_in_hex);
	tcase_add_test(tc, alen_help_says_rfc_counts_it_in_the_address);
	tcase_add_test(tc, draft_defaults);
	suite_add_tcase(s, tc);
	return s;
}
