/* Shared machinery for the proto/ unit tests: see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t hexbytes(const char *spec, uint8_t *out, size_t cap)
{
	size_t n = 0;
	const char *s = spec;

	while (*s) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '|') {
			s++;
		} else if (*s == '\'') {
			s++;
			while (*s && *s != '\'') {
				ck_assert_msg(n < cap, "hex spec too long: %s", spec);
				out[n++] = (uint8_t)*s++;
			}
			ck_assert_msg(*s == '\'', "unterminated quote in hex spec: %s", spec);
			s++;
		} else {
			int hi = hexval(s[0]);
			int lo = hi < 0 ? -1 : hexval(s[1]);
			ck_assert_msg(hi >= 0 && lo >= 0, "bad hex spec at \"%s\"", s);
			ck_assert_msg(n < cap, "hex spec too long: %s", spec);
			out[n++] = (uint8_t)(hi * 16 + lo);
			s += 2;
		}
	}
	return n;
}

uint8_t *dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(q);
	if (len)
		memcpy(q, p, len);
	return q;
}

const char *fname(const struct field *f)
{
	return f && f->desc && f->desc->name ? f->desc->name : "(none)";
}

const char *err_fname(const struct msg *m)
{
	if (m->err_field < 0 || (size_t)m->err_field >= m->nfields)
		return "(none)";
	return fname(&m->fields[m->err_field]);
}

const struct field *need_field(const struct msg *m, const char *name)
{
	const struct field *f = msg_field(m, name);

	ck_assert_msg(f != NULL, "no field %s in the decoded %s", name,
		      m->desc && m->desc->key ? m->desc->key : "message");
	return f;
}

static int apply_op(struct draft *d, const struct op *o)
{
	switch (o->kind) {
	case OP_NUM:
		return draft_set_num(d, o->field, o->num);
	case OP_BYTES:
		return draft_set_bytes(d, o->field, (const uint8_t *)o->data, o->len);
	case OP_IPV4:
		return draft_set_ipv4(d, o->field, (const uint8_t *)o->data);
	case OP_IPV6:
		return draft_set_ipv6(d, o->field, (const uint8_t *)o->data);
	case OP_NAME:
		return draft_set_name(d, o->field, o->data, o->len);
	case OP_UNSET:
		return draft_unset(d, o->field);
	case OP_END:
		break;
	}
	return PROTO_OK;
}

void build_draft(struct draft *d, enum msg_type type, const struct op *ops, const char *what)
{
	draft_init(d, type);
	ck_assert_msg(d->desc == proto_msg_desc(type), "%s: draft_init did not set the descriptor",
		      what);
	for (size_t i = 0; i < MAX_OPS && ops[i].kind != OP_END; i++) {
		int rc = apply_op(d, &ops[i]);
		ck_assert_msg(rc == PROTO_OK, "%s: setting %s answered %d (%s)", what, ops[i].field,
			      rc, proto_strerror(rc));
	}
}

size_t count_xf(const struct xf *xf)
{
	size_t n = 0;

	while (n < PROTO_MAX_FIELDS && xf[n].name)
		n++;
	return n;
}

static void field_list(const struct msg *m, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < m->nfields && i < PROTO_MAX_FIELDS; i++) {
		const char *nm = fname(&m->fields[i]);
		size_t l = strlen(nm);
		if (used + l + 2 >= cap)
			break;
		memcpy(out + used, nm, l);
		used += l;
		out[used++] = ' ';
		out[used] = '\0';
	}
}

void check_fields(const char *what, const struct msg *m, const uint8_t *buf,
		  const struct xf *xf, int check_flags)
{
	size_t nx = count_xf(xf);
	size_t end = 0;
	unsigned anomalies = 0;
	char got[256];

	field_list(m, got, sizeof got);
	ck_assert_msg(m->desc != NULL, "%s: message has no descriptor", what);
	ck_assert_msg(m->nfields == nx, "%s: %zu fields (%s), expected %zu", what, m->nfields, got,
		      nx);
	for (size_t i = 0; i < nx; i++) {
		const struct field *f = &m->fields[i];
		const struct xf *x = &xf[i];

		ck_assert_msg(f->desc != NULL, "%s: field %zu has no descriptor", what, i);
		ck_assert_msg(strcmp(fname(f), x->name) == 0, "%s: field %zu is %s, expected %s (%s)",
			      what, i, fname(f), x->name, got);
		ck_assert_msg(f->index >= 0 && (size_t)f->index < m->desc->nfields &&
				      &m->desc->fields[f->index] == f->desc,
			      "%s: %s: index %d does not match its descriptor", what, x->name,
			      f->index);
		ck_assert_msg(f->off == x->off, "%s: %s at offset %zu, expected %zu", what, x->name,
			      f->off, x->off);
		ck_assert_msg(f->len == x->len, "%s: %s is %zu bytes, expected %zu", what, x->name,
			      f->len, x->len);
		ck_assert_msg(f->off == end, "%s: %s at %zu does not follow the field before (%zu)",
			      what, x->name, f->off, end);
		end = f->off + f->len;
		if (x->num != NONUM)
			ck_assert_msg(f->num == (uint32_t)x->num, "%s: %s = %u, expected %ld", what,
				      x->name, (unsigned)f->num, x->num);
		if (f->len > 0)
			ck_assert_msg(f->bytes == buf + f->off,
				      "%s: %s bytes do not point at offset %zu of the buffer", what,
				      x->name, f->off);
		if (check_flags && x->ff != FFX)
			ck_assert_msg((f->flags & FF_CHECKED) == x->ff,
				      "%s: %s flags 0x%x, expected 0x%x (note: %s)", what, x->name,
				      f->flags & FF_CHECKED, x->ff, f->note ? f->note : "none");
		if (f->flags & (FF_ANOMALY | FF_UNASSIGNED))
			anomalies++;
		ck_assert_msg(msg_field(m, x->name) == f, "%s: msg_field(%s) is not fields[%zu]",
			      what, x->name, i);
	}
	ck_assert_msg(m->len == end, "%s: message length %zu, fields end at %zu", what, m->len, end);
	if (check_flags)
		ck_assert_msg(m->anomalies == anomalies, "%s: anomalies %u, %u fields flagged", what,
			      m->anomalies, anomalies);
	/* Fields not on the wire are not found. */
	for (size_t j = 0; j < m->desc->nfields; j++) {
		const char *nm = m->desc->fields[j].name;
		int listed = 0;
		for (size_t i = 0; i < nx; i++)
			if (strcmp(nm, xf[i].name) == 0)
				listed = 1;
		if (!listed)
			ck_assert_msg(msg_field(m, nm) == NULL, "%s: absent field %s is found", what,
				      nm);
	}
}

void check_same_msg(const char *what, const struct msg *a, const struct msg *b)
{
	ck_assert_msg(a->status == b->status, "%s: status %d vs %d", what, a->status, b->status);
	ck_assert_msg(a->desc == b->desc, "%s: descriptors differ", what);
	if (a->status == PROTO_NEED_MORE) {
		ck_assert_msg(a->need == b->need, "%s: need %zu vs %zu", what, a->need, b->need);
		return;
	}
	if (a->status < 0) {
		ck_assert_msg(a->err_off == b->err_off, "%s: err_off %zu vs %zu", what, a->err_off,
			      b->err_off);
		ck_assert_msg(a->err_field == b->err_field, "%s: err_field %d vs %d", what,
			      a->err_field, b->err_field);
		ck_assert_msg(strcmp(a->why, b->why) == 0, "%s: why \"%s\" vs \"%s\"", what, a->why,
			      b->why);
	} else {
		ck_assert_msg(a->len == b->len, "%s: len %zu vs %zu", what, a->len, b->len);
		ck_assert_msg(a->anomalies == b->anomalies, "%s: anomalies %u vs %u", what,
			      a->anomalies, b->anomalies);
	}
	ck_assert_msg(a->nfields == b->nfields, "%s: %zu vs %zu fields", what, a->nfields,
		      b->nfields);
	for (size_t i = 0; i < a->nfields && i < PROTO_MAX_FIELDS; i++) {
		const struct field *x = &a->fields[i], *y = &b->fields[i];
		ck_assert_msg(x->desc == y->desc && x->index == y->index, "%s: field %zu: %s vs %s",
			      what, i, fname(x), fname(y));
		ck_assert_msg(x->off == y->off && x->len == y->len,
			      "%s: %s at %zu+%zu vs %zu+%zu", what, fname(x), x->off, x->len,
			      y->off, y->len);
		ck_assert_msg(x->num == y->num, "%s: %s = %u vs %u", what, fname(x),
			      (unsigned)x->num, (unsigned)y->num);
		ck_assert_msg(x->flags == y->flags, "%s: %s flags 0x%x vs 0x%x", what, fname(x),
			      x->flags, y->flags);
		if (x->len > 0)
			ck_assert_msg(x->bytes - a->buf == y->bytes - b->buf,
				      "%s: %s bytes at different offsets", what, fname(x));
		ck_assert_msg((x->note == NULL) == (y->note == NULL) &&
				      (x->note == NULL || strcmp(x->note, y->note) == 0),
			      "%s: %s notes differ", what, fname(x));
	}
}

void check_decode_sane(const char *what, const struct msg *m, const uint8_t *p, size_t len)
{
	ck_assert_msg(m->status == PROTO_OK || m->status == PROTO_NEED_MORE ||
			      (m->status <= PROTO_E_VERSION && m->status >= PROTO_E_KIND),
		      "%s: status %d is not a proto_status", what, m->status);
	ck_assert_msg(m->nfields <= PROTO_MAX_FIELDS, "%s: %zu fields", what, m->nfields);
	if (m->status == PROTO_NEED_MORE) {
		ck_assert_msg(m->need > len, "%s: need %zu with %zu bytes in hand", what, m->need,
			      len);
		return;
	}
	for (size_t i = 0; i < m->nfields; i++) {
		const struct field *f = &m->fields[i];
		ck_assert_msg(f->off <= len && f->len <= len - f->off,
			      "%s: %s at %zu+%zu past the %zu bytes given", what, fname(f), f->off,
			      f->len, len);
		if (f->len > 0)
			ck_assert_msg(f->bytes == p + f->off, "%s: %s bytes outside the buffer", what,
				      fname(f));
	}
	if (m->status == PROTO_OK) {
		ck_assert_msg(m->len > 0 && m->len <= len, "%s: consumed %zu of %zu", what, m->len,
			      len);
		ck_assert_msg(m->buf == p, "%s: msg.buf is not the input", what);
		return;
	}
	ck_assert_msg(m->err_off < len, "%s: error at offset %zu of %zu bytes", what, m->err_off,
		      len);
	ck_assert_msg(m->err_field >= -1 && m->err_field < (int)m->nfields,
		      "%s: err_field %d of %zu fields", what, m->err_field, m->nfields);
	ck_assert_msg(memchr(m->why, '\0', sizeof m->why) != NULL && m->why[0] != '\0',
		      "%s: error %d without a reason", what, m->status);
}

const char *rc_name(int rc)
{
	const char *s = proto_strerror(rc);
	return s ? s : "?";
}

size_t encode_ok(const struct draft *d, uint8_t *out, size_t cap, struct msg *m, const char *what)
{
	struct proto_error err;
	size_t outlen = (size_t)-1;

	memset(&err, 0, sizeof err);
	int rc = proto_encode(d, out, cap, &outlen, m, &err);
	ck_assert_msg(rc == PROTO_OK, "%s: encode answered %d (%s), field %s: %.*s", what, rc,
		      rc_name(rc), err.field ? err.field : "(none)", PROTO_WHY_MAX, err.why);
	ck_assert_msg(outlen <= cap, "%s: encoded %zu bytes into %zu", what, outlen, cap);
	if (m) {
		ck_assert_msg(m->buf == out && m->len == outlen,
			      "%s: encoder's msg covers %zu bytes, wrote %zu", what, m->len, outlen);
		ck_assert_msg(m->desc == d->desc, "%s: encoder's msg has another descriptor", what);
	}
	return outlen;
}

void encode_refused(const struct draft *d, int status, const char *field, const char *alt,
		    const char *what)
{
	static uint8_t out[4096];
	struct proto_error err;
	size_t outlen = 0;

	memset(&err, 0, sizeof err);
	int rc = proto_encode(d, out, sizeof out, &outlen, NULL, &err);
	ck_assert_msg(rc == status, "%s: encode answered %d (%s), expected %d (%s)", what, rc,
		      rc_name(rc), status, rc_name(status));
	ck_assert_msg(err.status == status, "%s: err.status %d, returned %d", what, err.status, rc);
	ck_assert_msg(err.field != NULL, "%s: refusal names no field", what);
	ck_assert_msg(strcmp(err.field, field) == 0 || (alt && strcmp(err.field, alt) == 0),
		      "%s: refusal names %s, expected %s%s%s", what, err.field, field,
		      alt ? " or " : "", alt ? alt : "");
	ck_assert_msg(memchr(err.why, '\0', sizeof err.why) != NULL && err.why[0] != '\0',
		      "%s: refusal without a reason", what);
}
