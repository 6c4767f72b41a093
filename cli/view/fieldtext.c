/*
 * A field in words: its value as the views show it (80, 0x5a, 66.102.7.99,
 * "Fred", ******** for a secret), what its code means, how its address bytes
 * are to be read, and the meaning column of the hex view.
 * The few helpers the other views need are declared in fieldtext_int.h;
 * the rest stays static here.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fieldtext.h"
#include "flow.h"
#include "term.h"
#include "fieldtext_int.h"
#include "sbuf.h"

/* A blob (a datagram) gets a preview, and opaque bytes (a GSS-API token) a
 * shorter one in hex: their bytes are all in the bytes column anyway. */
#define BLOB_PREVIEW 32
#define OPAQUE_PREVIEW 16
#define SECRET_MASK "********"

static const struct view_opts no_opts;

/* "text", escaped; at most max_in bytes of it, and ... after the quote when
 * the text was cut here or is known to go on (a truncated field). */
static void
sb_quoted(struct sbuf *sb, const uint8_t *p, size_t n, size_t max_in, bool goes_on)
{
	if (n > max_in) {
		n = max_in;
		goes_on = true;
	}
	sb_put(sb, "\"", 1);
	sb_escaped(sb, p, n);
	sb_put(sb, "\"", 1);
	if (goes_on)
		sb_put(sb, "...", 3);
}

/* Opaque bytes as hex, "6082011b", the first max_in of them, and ... when
 * there are more; "(empty)" for none. */
static void
sb_hex_preview(struct sbuf *sb, const uint8_t *p, size_t n, size_t max_in, bool goes_on)
{
	if (n == 0 && !goes_on) {
		sb_puts(sb, "(empty)");
		return;
	}
	if (n > max_in) {
		n = max_in;
		goes_on = true;
	}
	for (size_t i = 0; i < n; i++)
		sb_printf(sb, "%02x", p[i]);
	if (goes_on)
		sb_put(sb, "...", 3);
}

bool
field_complete(const struct field *f)
{
	size_t size = field_kind_size(f->desc->kind);

	if (size > 0)
		return f->len >= size;
	return !(f->flags & FF_TRUNCATED);
}

bool
field_masked(const struct field *f, const struct view_opts *o)
{
	if (o == NULL)
		o = &no_opts;
	return (f->desc->flags & FD_SECRET) && !o->show_secrets;
}

const char *
field_code_meaning(const struct field *f, uint32_t code)
{
	if (f->desc->names == NULL)
		return NULL;
	const struct name_entry *e = names_find(f->desc->names, code);
	return e != NULL ? e->name : NULL;
}

/* The ATYP field that chooses addr's form, if the message has one. */
static const struct field *
atyp_of(const struct msg *m, const struct field *addr)
{
	const struct field *any = NULL;

	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		if (f->desc->kind != FK_ATYP || !field_complete(f))
			continue;
		if (f->desc->ref == addr->index)
			return f;
		if (any == NULL)
			any = f;
	}
	return any;
}

enum addr_form
field_addr_form(const struct msg *m, const struct field *f)
{
	if (f->desc->kind == FK_IPV4)
		return ADDR_IPV4;
	if (f->desc->kind != FK_ADDR)
		return ADDR_UNKNOWN;

	const struct field *atyp = atyp_of(m, f);
	uint32_t type = atyp != NULL ? atyp->num : f->num;
	switch (type) {
	case 1:
		return ADDR_IPV4;
	case 3:
		return ADDR_NAME;
	case 4:
		return ADDR_IPV6;
	default:
		break;
	}
	if (atyp != NULL)
		return ADDR_UNKNOWN; /* an ATYP we cannot read: guessing would lie */
	if (f->len == 4)
		return ADDR_IPV4;
	if (f->len == 16)
		return ADDR_IPV6;
	return ADDR_NAME;
}

/* A numeric address as text; false when the bytes do not make one. */
bool
numeric_address(enum addr_form form, const struct field *f, char *buf, size_t cap)
{
	if (form == ADDR_IPV4 && f->len == 4)
		return inet_ntop(AF_INET, f->bytes, buf, (socklen_t)cap) != NULL;
	if (form == ADDR_IPV6 && f->len == 16)
		return inet_ntop(AF_INET6, f->bytes, buf, (socklen_t)cap) != NULL;
	return false;
}

void
sb_number(struct sbuf *sb, const struct field *f, uint32_t code, size_t width)
{
	if (f->desc->format == FMT_HEX)
		sb_printf(sb, width >= 2 ? "0x%04" PRIx32 : "0x%02" PRIx32, code);
	else
		sb_printf(sb, "%" PRIu32, code);
}

/* Whether a NUL terminator is worth a value: only when it is not a plain 0x00. */
static bool
nul_is_plain(const struct field *f)
{
	return f->len == 1 && f->num == 0 &&
	       !(f->flags & (FF_OVERRIDE | FF_ANOMALY | FF_BAD));
}

void
sb_value(struct sbuf *sb, const struct msg *m, const struct field *f,
	 const struct view_opts *o)
{
	const struct field_desc *d = f->desc;
	char addr[INET6_ADDRSTRLEN];

	if (field_masked(f, o)) {
		sb_puts(sb, SECRET_MASK);
		return;
	}
	if (d->kind == FK_NUL && nul_is_plain(f))
		return;
	if (field_kind_numeric(d->kind)) {
		if (field_complete(f))
			sb_number(sb, f, f->num, field_kind_size(d->kind));
		return;
	}
	if (d->kind == FK_LIST) {
		for (size_t i = 0; i < f->len; i++) {
			if (i > 0)
				sb_puts(sb, ", ");
			sb_number(sb, f, f->bytes[i], 1);
		}
		return;
	}
	bool goes_on = (f->flags & FF_TRUNCATED) != 0;
	if (d->kind == FK_IPV4 || d->kind == FK_ADDR) {
		enum addr_form form = field_addr_form(m, f);
		if (numeric_address(form, f, addr, sizeof(addr)))
			sb_puts(sb, addr);
		else if (form == ADDR_NAME)
			sb_quoted(sb, f->bytes, f->len, TEXT_SHOW_MAX, goes_on);
		return;
	}
	/* FK_BYTES, FK_CSTR, FK_REST */
	if (d->format == FMT_OPAQUE) {
		sb_hex_preview(sb, f->bytes, f->len, OPAQUE_PREVIEW, goes_on);
		return;
	}
	size_t max_in = d->format == FMT_BLOB ? BLOB_PREVIEW : TEXT_SHOW_MAX;
	sb_quoted(sb, f->bytes, f->len, max_in, goes_on);
}

size_t
field_value_text(const struct msg *m, const struct field *f,
		 const struct view_opts *o, char *buf, size_t cap)
{
	struct sbuf sb;

	sb_init(&sb, buf, cap);
	sb_value(&sb, m, f, o);
	return sb.len;
}

const char *
field_context_meaning(const struct msg *m, const struct field *f, const struct view_opts *o)
{
	const struct field_desc *d = f->desc;
	bool address = d->kind == FK_IPV4 || d->kind == FK_ADDR;
	bool port = d->kind == FK_U16 && !(d->flags & FD_RESERVED);

	if (m->desc == NULL || (!address && !port) || !field_complete(f))
		return NULL;
	switch (m->desc->type) {
	case MSG_S4_REQUEST:
		return address && f->len == 4 && proto_socks4a_marker(f->bytes)
			       ? "SOCKS4a: the host name follows"
			       : NULL;
	case MSG_S5_UDP:
		if (!msg_received(m, o))
			return NULL;
		return address ? "the source: the host that sent DATA" : "the source's port";
	case MSG_S4_REPLY:
	case MSG_S5_REPLY:
		if (!msg_role_titled(m, o) || !flow_reply_grants(m))
			return NULL;
		if (o->role == VIEW_ROLE_BIND_FIRST)
			return address ? "where the server listens" : "the port it listens on";
		return address ? "the peer that connected" : "the peer's port";
	default:
		break;
	}
	return NULL;
}

/* The name of the field a derived field (a length, a terminator) belongs to. */
static const char *
ref_name(const struct msg *m, const struct field *f)
{
	int ref = f->desc->ref;

	if (m->desc != NULL && ref >= 0 && (size_t)ref < m->desc->nfields)
		return m->desc->fields[ref].name;
	return "string";
}

/*
 * The meaning column: what the code means, or what an address or port
 * means where it is, then what is odd about the field, then whether the
 * encoder derived it or the user overrode it.  For an FK_LIST, row > 0
 * gives only the item's meaning.
 */
void
sb_meaning(struct sbuf *sb, const struct msg *m, const struct field *f,
	   const struct view_opts *o, bool has_code, uint32_t code, bool first_row)
{
	const char *meaning = NULL;
	bool is_list = f->desc->kind == FK_LIST;

	if (f->desc->kind == FK_NUL) {
		sb_printf(sb, "end of %s", ref_name(m, f));
	} else if (has_code && f->desc->names != NULL) {
		meaning = field_code_meaning(f, code);
		/* No entry for a version byte is a wrong version, which the
		 * note explains; for other codes it is an unassigned one. */
		if (meaning == NULL && (is_list || (f->flags & FF_UNASSIGNED)))
			meaning = "unassigned";
		if (meaning != NULL)
			sb_puts(sb, meaning);
	}
	if (!first_row)
		return;
	const char *context = field_context_meaning(m, f, o);
	if (context != NULL) {
		if (sb->len > 0)
			sb_puts(sb, "; ");
		sb_puts(sb, context);
	}
	/* "unassigned code" adds nothing to a meaning that says so already. */
	bool only_unassigned = (f->flags & (FF_ANOMALY | FF_BAD)) == 0 &&
			       (f->flags & FF_UNASSIGNED) && (meaning != NULL || is_list);
	if (f->note != NULL && f->note[0] != '\0' && !only_unassigned &&
	    (meaning == NULL || strcmp(f->note, meaning) != 0)) {
		if (sb->len > 0)
			sb_puts(sb, "; ");
		sb_puts(sb, f->note);
	}
	if ((f->flags & FF_TRUNCATED) && f->desc->kind != FK_NUL) {
		if (sb->len > 0)
			sb_puts(sb, "; ");
		sb_puts(sb, "truncated");
	}
	const char *how = (f->flags & FF_OVERRIDE) ? "(override)"
			  : (f->flags & FF_DERIVED) ? "(derived)"
						    : NULL;
	if (how != NULL) {
		if (sb->len > 0)
			sb_puts(sb, " ");
		sb_puts(sb, how);
	}
}

bool
msg_received(const struct msg *m, const struct view_opts *o)
{
	if (o != NULL && o->dir != VIEW_DIR_AUTO)
		return o->dir == VIEW_DIR_RECEIVED;
	return m->desc != NULL && m->desc->dir == DIR_SERVER;
}

bool
msg_role_titled(const struct msg *m, const struct view_opts *o)
{
	return o != NULL && o->role > VIEW_ROLE_NONE &&
	       o->role <= VIEW_ROLE_BIND_SECOND &&
	       m->desc != NULL &&
	       (m->desc->type == MSG_S4_REPLY || m->desc->type == MSG_S5_REPLY);
}
