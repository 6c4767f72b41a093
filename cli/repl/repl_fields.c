/*
 * The drafts and their fields: which drafts a session uses, a field found
 * by the name `set` takes, set, unset and printed.  What fills the fields
 * the user has not set is repl_session.c's (rs_refresh).
 */
#include "repl_engine.h"

#include <string.h>
#include <strings.h>

#include "repl_values.h"
#include "secrets.h"
#include "term.h"

int
rs_drafts(const struct rsess *s, enum rs_draft out[RD_COUNT])
{
	int n = 0;

	if (rs_socks5(s)) {
		out[n++] = RD_GREETING;
		out[n++] = RD_AUTH;
		out[n++] = RD_S5REQ;
		out[n++] = RD_UDP;
	} else {
		out[n++] = RD_S4REQ;
	}
	return n;
}

const char *
rs_draft_key(enum rs_draft rd)
{
	switch (rd) {
	case RD_GREETING:
		return "greeting";
	case RD_AUTH:
		return "auth";
	case RD_S5REQ:
	case RD_S4REQ:
		return "request";
	case RD_UDP:
		return "udp";
	default:
		return "?";
	}
}

enum rs_draft
rs_request_draft(const struct rsess *s)
{
	return rs_socks5(s) ? RD_S5REQ : RD_S4REQ;
}

int
rs_draft_by_key(const struct rsess *s, const char *key)
{
	enum rs_draft in_use[RD_COUNT];
	int n = rs_drafts(s, in_use);

	for (int i = 0; i < n; i++)
		if (strcasecmp(key, rs_draft_key(in_use[i])) == 0 ||
		    strcasecmp(key, s->d[in_use[i]].desc->key) == 0)
			return (int)in_use[i];
	return -1;
}

/* The draft the next step sends. */
static enum rs_draft
next_draft(const struct rsess *s)
{
	bool owed;
	enum msg_type t;

	if (!rs_socks5(s))
		return RD_S4REQ;
	if (s->conn.fd < 0)
		return RD_GREETING;
	t = rs_client_owes(s, &owed);
	if (owed && t == MSG_S5_GREETING)
		return RD_GREETING;
	return owed && t == MSG_S5_AUTH_REQUEST ? RD_AUTH : RD_S5REQ;
}

static void
field_list(const struct rsess *s, char *buf, size_t cap)
{
	enum rs_draft in_use[RD_COUNT];
	int n = rs_drafts(s, in_use);
	size_t off = 0;

	buf[0] = '\0';
	for (int k = 0; k < n; k++) {
		const struct msg_desc *desc = s->d[in_use[k]].desc;

		for (size_t i = 0; i < desc->nfields; i++) {
			int w = snprintf(buf + off, cap - off, "%s%s.%s", off > 0 ? " " : "",
					 rs_draft_key(in_use[k]), desc->fields[i].name);

			if (w < 0 || (size_t)w >= cap - off)
				return;
			off += (size_t)w;
		}
	}
}

int
rs_find_field(const struct rsess *s, const char *name, enum rs_draft *rd, int *idx, char *why,
	      size_t whylen)
{
	enum rs_draft in_use[RD_COUNT], found[RD_COUNT];
	int n = rs_drafts(s, in_use), nfound = 0, pick = -1;
	const char *dot = strchr(name, '.');
	char esc[80], list[1200];

	term_escape(esc, sizeof(esc), name, strlen(name));
	if (dot != NULL) {
		char key[32];
		size_t klen = (size_t)(dot - name);
		int m;

		if (klen < sizeof(key)) {
			memcpy(key, name, klen);
			key[klen] = '\0';
			if ((m = rs_draft_by_key(s, key)) >= 0) {
				int i = proto_field_index(s->d[m].desc, dot + 1);

				if (i < 0)
					goto none;
				*rd = (enum rs_draft)m;
				*idx = i;
				return 0;
			}
		}
	}
	for (int k = 0; k < n; k++)
		if (proto_field_index(s->d[in_use[k]].desc, name) >= 0)
			found[nfound++] = in_use[k];
	if (nfound == 0)
		goto none;
	/* The UDP header shares names with the request; it loses. */
	if (nfound > 1 && found[nfound - 1] == RD_UDP)
		nfound--;
	for (int k = 0; k < nfound && nfound > 1; k++)
		if (found[k] == next_draft(s))
			pick = k;
	if (pick < 0)
		pick = 0;
	*rd = found[pick];
	*idx = proto_field_index(s->d[*rd].desc, name);
	return 0;
none:
	field_list(s, list, sizeof(list));
	snprintf(why, whylen, "no field '%s' in the %s drafts; the fields are: %s", esc,
		 rs_socks5(s) ? "SOCKS5" : "SOCKS4", list);
	return -1;
}

int
rs_set_field(struct rsess *s, enum rs_draft rd, int idx, const char *value)
{
	static struct field_value v;
	const struct field_desc *fd = &s->d[rd].desc->fields[idx];
	char why[VALUE_WHY_MAX];
	int rc = EXIT_OK;

	if (value_parse(fd, value, &v, why, sizeof(why)) < 0 ||
	    value_store(&s->d[rd], fd, &v, why, sizeof(why)) < 0) {
		rc = rs_fail(EXIT_USAGE, "set %s.%s: %s", rs_draft_key(rd), fd->name, why);
	} else {
		s->user_set[rd][idx] = true;
		if (fd->flags & FD_SECRET)
			secret_keep_in();
		rs_refresh(s);
	}
	explicit_bzero(&v, sizeof(v));
	return rc;
}

int
rs_unset_field(struct rsess *s, enum rs_draft rd, int idx)
{
	draft_unset(&s->d[rd], s->d[rd].desc->fields[idx].name);
	s->user_set[rd][idx] = false;
	rs_refresh(s);
	return EXIT_OK;
}

/* "greeting.METHODS = 0x00 NO AUTHENTICATION REQUIRED, 0x02 USERNAME/PASSWORD":
 * each item with its own meaning, as the hex view gives one per row. */
static void
print_list_field(struct rsess *s, enum rs_draft rd, const struct field *f)
{
	fprintf(s->out, "%s.%s =", rs_draft_key(rd), f->desc->name);
	if (f->len == 0)
		fputs(" (none)", s->out);
	for (size_t i = 0; i < f->len; i++) {
		const char *meaning = field_code_meaning(f, f->bytes[i]);

		if (f->desc->format == FMT_HEX)
			fprintf(s->out, "%s 0x%02x", i > 0 ? "," : "", (unsigned)f->bytes[i]);
		else
			fprintf(s->out, "%s %u", i > 0 ? "," : "", (unsigned)f->bytes[i]);
		if (f->desc->names != NULL)
			fprintf(s->out, " %s", meaning != NULL ? meaning : "unassigned");
	}
	fprintf(s->out, "%s\n", (f->flags & FF_OVERRIDE) ? " (override)"
				 : (f->flags & FF_DERIVED) ? " (derived)"
							   : "");
}

void
rs_print_field(struct rsess *s, enum rs_draft rd, int idx)
{
	static uint8_t buf[PROTO_MAX_FIELDS * (PROTO_MAX_BYTES + 2)];
	const struct field_desc *fd = &s->d[rd].desc->fields[idx];
	struct proto_error err;
	struct msg m;
	size_t len;
	char text[200];

	if (proto_encode(&s->d[rd], buf, sizeof(buf), &len, &m, &err) != PROTO_OK) {
		fprintf(s->out, "%s.%s set; the %s does not encode yet: %s: %s\n", rs_draft_key(rd),
			fd->name, s->d[rd].desc->title, err.field != NULL ? err.field : "?", err.why);
		goto out;
	}
	for (size_t i = 0; i < m.nfields; i++) {
		const struct field *f = &m.fields[i];
		const char *meaning;

		if (f->index != idx)
			continue;
		if (f->desc->kind == FK_LIST && !field_masked(f, &s->vo)) {
			print_list_field(s, rd, f);
			goto out;
		}
		field_value_text(&m, f, &s->vo, text, sizeof(text));
		meaning = field_masked(f, &s->vo) ? NULL : field_code_meaning(f, f->num);
		fprintf(s->out, "%s.%s = %s%s%s%s\n", rs_draft_key(rd), fd->name, text,
			meaning != NULL ? " " : "", meaning != NULL ? meaning : "",
			(f->flags & FF_OVERRIDE) ? " (override)"
			: (f->flags & FF_DERIVED) ? " (derived)"
						  : "");
		goto out;
	}
	fprintf(s->out, "%s.%s set (not on the wire as the %s stands)\n", rs_draft_key(rd), fd->name,
		s->d[rd].desc->title);
out:
	explicit_bzero(buf, sizeof(buf));
}
